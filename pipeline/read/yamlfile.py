"""YAML file → plain dicts and lists that remember the line of every key and item.

PyYAML knows each node's position while it parses and forgets it afterwards;
the loader below keeps it, so that a bad field can be reported at its line.
It also refuses, at their lines, what would crash or exhaust a later stage:
a key that is a list or a mapping, a character no product can hold written
as an escape, and aliases that expand to a huge value (a "billion laughs"
file of 700 bytes grows to gigabytes once anything prints it).
"""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml

from ..diagnostics import PipelineError
from ..rules import BAD_CHARACTER, YAML
from .files import BAD_CHARACTERS, BAD_IN_BLOCK, bad_character, read_text

MAX_ALIAS_NODES = 10_000  # nodes that all the aliases of one file may repeat


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


class _BadCharacter(yaml.MarkedYAMLError):
    """A scalar holds a character no product can hold (from an escape such as "\\0")."""


class _Loader(yaml.SafeLoader):
    bad_characters = BAD_CHARACTERS

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        # Counted while composing, before anything is built: an alias is where
        # a value is repeated, so that is where a bomb multiplies.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            if event.anchor in self.anchors:
                self.alias_nodes += _expanded_size(self.anchors[event.anchor], self.sizes,
                                                   event.start_mark)
                if self.alias_nodes > MAX_ALIAS_NODES:
                    raise yaml.composer.ComposerError(
                        None, None, f"its aliases expand to more than {MAX_ALIAS_NODES:,} "
                        "values: write the values out, or use fewer aliases", event.start_mark)
        return super().compose_node(parent, index)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], mark) -> int:
    """Returns how many nodes node stands for once every alias in it is expanded."""
    if id(node) in sizes:
        if sizes[id(node)] < 0:
            raise yaml.composer.ComposerError(None, None, "an alias refers to the value "
                                              "that contains it", mark)
        return sizes[id(node)]
    sizes[id(node)] = -1  # in progress: meeting it again is a cycle
    children = []
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    sizes[id(node)] = 1 + sum(_expanded_size(child, sizes, mark) for child in children)
    return sizes[id(node)]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):  # PyYAML's own check, which this constructor replaces
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a text or a number, not a list or a mapping",
                key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    finding = bad_character(Path("?"), text, pattern=loader.bad_characters)
    if finding:
        raise _BadCharacter(None, None, finding.message, node.start_mark)
    return text


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
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_text)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _Shown(reprlib.Repr):
    """reprlib, which cuts a value short without building its whole repr first,
    taught that our lists and mappings are lists and mappings."""

    def __init__(self):
        super().__init__()
        self.maxstring = self.maxother = 60
        self.maxlist = self.maxdict = 4
        self.maxlevel = 2

    def repr_LineList(self, value, level):
        return self.repr_list(value, level)

    def repr_LineDict(self, value, level):
        return self.repr_dict(value, level)


_SHOWN = _Shown()


def shown(value) -> str:
    """Returns value as a message quotes it: short, however large the value is."""
    return _SHOWN.repr(value)


def load_yaml(path: Path):
    """Returns the parsed file; raises PipelineError naming the line for bad YAML."""
    return parse_yaml(read_text(path), path)


class _BlockLoader(_Loader):
    bad_characters = BAD_IN_BLOCK  # the reader's citation marks stand where [@key] was


def parse_yaml(text: str, path: Path, first_line: int = 1, in_block: bool = False):
    """Returns the YAML in text, which starts at first_line of path (a chart or
    table block when in_block); raises PipelineError naming the line."""
    shift = first_line - 1
    try:
        return yaml.load(text, Loader=_BlockLoader if in_block else _Loader)
    except _BadCharacter as exc:
        mark = exc.problem_mark
        raise PipelineError([BAD_CHARACTER.at(path, mark.line + 1 + shift, exc.problem,
                                              mark.column + 1)])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1 + shift, mark.column + 1) if mark else (None, None)
        raise PipelineError([YAML.at(path, line, f"invalid YAML: {_yaml_problem(exc)}", column)])
    except yaml.YAMLError as exc:
        raise PipelineError([YAML.at(path, None, f"invalid YAML: {exc}")])
    except RecursionError:  # PyYAML composes a level of nesting by a call
        raise PipelineError([YAML.at(path, None, "invalid YAML: nested too deep (hundreds of "
                                     "levels) to be data")]) from None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """Returns what PyYAML found wrong, with where the unfinished construct began."""
    problem = exc.problem or str(exc)
    if exc.context and exc.context_mark and exc.problem_mark \
            and exc.context_mark.line != exc.problem_mark.line:
        problem += f" ({exc.context}, which began at line {exc.context_mark.line + 1})"
    return problem
