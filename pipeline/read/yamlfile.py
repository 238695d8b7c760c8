"""YAML file → plain dicts and lists that remember the line of every key and item.

PyYAML knows each node's position while it parses and forgets it afterwards;
the loader below keeps it, so that a bad field can be reported at its line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..diagnostics import PipelineError
from ..rules import YAML
from .files import read_text


class LineDict(dict):
    """A mapping with `line` (where it starts) and `lines[key]` (where each key is)."""

    line: int = 0
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence with `line` (where it starts) and `lines[i]` (where item i is)."""

    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    # PyYAML raises a bare ValueError for 2026-13-01, with no line: keep the text,
    # so that the field's own check reports it at its line.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path):
    """Returns the parsed file; raises PipelineError naming the line for bad YAML."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise PipelineError([YAML.at(path, line, f"invalid YAML: {_yaml_problem(exc)}", column)])
    except yaml.YAMLError as exc:
        raise PipelineError([YAML.at(path, None, f"invalid YAML: {exc}")])


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """Returns what PyYAML found wrong, with where the unfinished construct began."""
    problem = exc.problem or str(exc)
    if exc.context and exc.context_mark and exc.problem_mark \
            and exc.context_mark.line != exc.problem_mark.line:
        problem += f" ({exc.context}, which began at line {exc.context_mark.line + 1})"
    return problem
