"""One registry of rule ids: every id declared once, documented in the README,
and every finding made from its rule."""

import re

from pipeline.rules import RULES, STAGES

from helpers import ROOT

_ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (error|warning|note) \| ([a-z]+) \| (.+) \|$", re.M)


def readme_rules() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {m.group(1): (m.group(2), m.group(3)) for m in _ROW.finditer(text)}


def test_the_readme_table_is_the_registry():
    registry = {rule.id: (rule.severity, rule.stage) for rule in RULES.values()}
    documented = readme_rules()
    assert sorted(set(registry) - set(documented)) == [], "rules missing from the README"
    assert sorted(set(documented) - set(registry)) == [], "the README names unknown rules"
    assert documented == registry


def test_every_rule_is_documented_and_staged():
    for rule in RULES.values():
        assert rule.stage in STAGES and rule.doc and rule.severity in ("error", "warning", "note")


def test_findings_are_made_from_rules_not_strings():
    # A rule id written as a string literal outside rules.py could be misspelt
    # and would escape the registry and the README.
    offenders = []
    for path in (ROOT / "pipeline").rglob("*.py"):
        if path.name == "rules.py":
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\bcode=|\bDiagnostic\(", text):
            offenders.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert offenders == []


def test_the_rules_command_lists_every_rule(capsys):
    from pipeline.cli import main
    assert main(["rules"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(RULES)


def test_every_rule_is_triggered_by_a_test_that_names_it():
    """Walks the registry: each rule id must stand in a test's assertion, a fixture's
    `expect:` comment or the lint corpus (whose examples each rule is tested on), so
    that a rule no input ever triggers cannot hide. (A test
    that names an id without triggering it would pass here; the ids are asserted in
    the findings of real inputs.)"""
    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in (ROOT / "tests").rglob("*")
                        if p.is_file() and p.suffix in (".py", ".md", ".yaml", ".csv"))
    named = set(re.findall(r"\[([a-z0-9-]+)\]", sources)) \
        | set(re.findall(r"[\"']([a-z0-9-]+)[\"']", sources)) \
        | set(re.findall(r"expect:[^\n]*?(?:error|warning|note) ([a-z0-9-]+)", sources)) \
        | set(re.findall(r"(?m)^([a-z0-9-]+):", sources))  # lint_corpus.yaml, per rule
    assert sorted(set(RULES) - named) == []
