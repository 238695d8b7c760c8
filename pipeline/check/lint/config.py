"""lint.yaml beside report.yaml → the report's own dictionary for `lint`.

    disable: [sentence-length]        # rules this report does not follow
    allow: [こども家庭庁, 子ども・子育て支援法]   # words left as written: names, titles of laws
    replace:                          # the office's own pairs, wrong: right
      サーバ: サーバー

Every field is optional; an unknown field or rule id is a finding at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ...diagnostics import PipelineError, did_you_mean
from ...read.yamlfile import LineDict, LineList, load_yaml
from ...rules import LINT_CONFIG, RULES
from .kobun import Pattern

LINT_FILE = "lint.yaml"
FIELDS = ("disable", "allow", "replace")


@dataclass(frozen=True)
class LintConfig:
    source: str = LINT_FILE
    disabled: frozenset[str] = frozenset()
    allowed: tuple[str, ...] = ()
    office_patterns: tuple[Pattern, ...] = field(default_factory=tuple)

    def allowed_spans(self, text: str) -> list[tuple[int, int]]:
        """Returns where the allowed words stand in text: no rule fires inside them."""
        return [m.span() for word in self.allowed for m in re.finditer(re.escape(word), text)]


def load_lint_config(content_dir: Path) -> LintConfig:
    """Returns the report's lint.yaml, or the defaults when there is none."""
    path = content_dir / LINT_FILE
    if not path.is_file():
        return LintConfig()
    raw = load_yaml(path)
    if raw is None:
        return LintConfig()
    if not isinstance(raw, LineDict):
        raise PipelineError([LINT_CONFIG.at(path, 1, "lint.yaml は disable, allow, replace を"
                                            "持つ対応表（mapping）である")])
    findings = [LINT_CONFIG.at(path, raw.line_of(key), f"unknown field '{key}'"
                               + did_you_mean(str(key), FIELDS)) for key in raw if key not in FIELDS]
    disabled, problem = _texts(path, raw, "disable")
    allowed, problem_allow = _texts(path, raw, "allow")
    findings += problem + problem_allow
    for index, rule_id in enumerate(disabled):
        if rule_id not in RULES:
            findings.append(LINT_CONFIG.at(path, raw["disable"].line_of(index), f"unknown rule "
                                           f"'{rule_id}'" + did_you_mean(rule_id, RULES)))
    replace = raw.get("replace") or LineDict()
    if not isinstance(replace, dict):
        findings.append(LINT_CONFIG.at(path, raw.line_of("replace"), "replace は 誤: 正 の対応表"))
        replace = {}
    if findings:
        raise PipelineError(findings)
    pairs = tuple(Pattern(re.compile(re.escape(str(wrong))), str(right), True)
                  for wrong, right in replace.items())
    return LintConfig(f"{content_dir.name}/{LINT_FILE}", frozenset(disabled), tuple(allowed),
                      pairs)


def _texts(path: Path, raw: LineDict, name: str) -> tuple[list[str], list]:
    """Returns a list of texts from lint.yaml, and a finding when it is not one."""
    value = raw.get(name) or LineList()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [], [LINT_CONFIG.at(path, raw.line_of(name), f"{name} は文字列のリスト")]
    return list(value), []
