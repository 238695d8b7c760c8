"""Precision and recall of every lint rule, from tests/check/lint_corpus.yaml, and
its findings on official prose, from tests/check/official/.

    .venv/bin/python bench/lint_accuracy.py            # the tables, as docs/lint.md shows them
    .venv/bin/python bench/lint_accuracy.py --check    # exit 1 below the targets (a test runs it)
    .venv/bin/python bench/lint_accuracy.py --write    # the per-rule table into README.md

README's table, between its two lint-accuracy markers, is what this prints; a
test holds it to that.

Targets: recall of at least 90 % over the corpus, and no finding on a correct
sentence for any rule of severity error or warning (issue 15); on the official
texts, at most one false error or warning per 5,000 characters, and no rule
under 90 % precision on what it reports there (issue 28).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.check.lint import lint_text  # noqa: E402
from pipeline.rules import RULES  # noqa: E402

CORPUS = ROOT / "tests" / "check" / "lint_corpus.yaml"
OFFICIAL = ROOT / "tests" / "check" / "official"
CHARACTERS_PER_FALSE = 5000


def measure(corpus: dict) -> dict[str, dict]:
    """Returns, per rule: true and false positives, false negatives, and the misses."""
    results = {}
    for rule_id, cases in corpus.items():
        hit = [s for s in cases.get("flag", []) if _fires(rule_id, s)]
        false = [s for s in cases.get("pass", []) if _fires(rule_id, s)]
        missed = [s for s in cases.get("flag", []) if s not in hit]
        results[rule_id] = {"tp": len(hit), "fp": len(false), "fn": len(missed),
                            "false": false, "missed": missed}
    return results


def _fires(rule_id: str, sentence: str) -> bool:
    return any(d.code == rule_id for d in lint_text(str(sentence)))


def table(results: dict[str, dict]) -> list[str]:
    lines = ["| rule | severity | flagged | precision | recall |", "|---|---|--:|--:|--:|"]
    for rule_id, r in results.items():
        precision = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
        recall = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else 1.0
        lines.append(f"| `{rule_id}` | {RULES[rule_id].severity} | {r['tp']}/{r['tp'] + r['fn']} "
                     f"| {precision:.0%} | {recall:.0%} |")
    tp = sum(r["tp"] for r in results.values())
    fn = sum(r["fn"] for r in results.values())
    lines.append(f"| all | | {tp}/{tp + fn} | | {tp / (tp + fn):.0%} |")
    return lines


def failures(results: dict[str, dict]) -> list[str]:
    """Returns what keeps the corpus from meeting the targets."""
    out = [f"{rule_id}: flags a correct sentence: {s}" for rule_id, r in results.items()
           if RULES[rule_id].severity != "note" for s in r["false"]]
    tp = sum(r["tp"] for r in results.values())
    fn = sum(r["fn"] for r in results.values())
    if tp / (tp + fn) < 0.9:
        out.append(f"recall {tp / (tp + fn):.0%} is under 90 %: missed "
                   + "; ".join(f"{k}: {s}" for k, r in results.items() for s in r["missed"]))
    return out


def official() -> dict[str, dict]:
    """Returns, per official text: its size, the right findings it gives, the false
    ones, and the right ones it no longer gives (expected.yaml says which are right)."""
    expected = yaml.safe_load((OFFICIAL / "expected.yaml").read_text(encoding="utf-8"))
    out = {}
    for name, spec in expected.items():
        text = (OFFICIAL / name).read_text(encoding="utf-8")
        given = {f"{d.code} {d.line}:{d.column}" for d in lint_text(text, kind=spec["kind"])
                 if d.severity != "note"}
        right = {" ".join(entry.split()[:2]) for entry in spec["right"] or []}
        out[name] = {"characters": len(text), "kind": spec["kind"], "right": given & right,
                     "false": sorted(given - right), "lost": sorted(right - given)}
    return out


def official_table(texts: dict[str, dict]) -> list[str]:
    lines = ["| text | kind | characters | right | false | false per 5,000 |",
             "|---|---|--:|--:|--:|--:|"]
    for name, t in texts.items():
        rate = len(t["false"]) * CHARACTERS_PER_FALSE / t["characters"]
        lines.append(f"| `{name}` | {t['kind']} | {t['characters']:,} | {len(t['right'])} | "
                     f"{len(t['false'])} | {rate:.2f} |")
    lines += ["", "| rule | right | false | precision |", "|---|--:|--:|--:|"]
    for rule_id, (right, false) in sorted(_per_rule(texts).items()):
        lines.append(f"| `{rule_id}` | {right} | {false} | {right / (right + false):.0%} |")
    return lines


def _per_rule(texts: dict[str, dict]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for t in texts.values():
        for which, entries in ((0, t["right"]), (1, t["false"])):
            for entry in entries:
                counts.setdefault(entry.split()[0], [0, 0])[which] += 1
    return {rule_id: (right, false) for rule_id, (right, false) in counts.items()}


def official_failures(texts: dict[str, dict]) -> list[str]:
    out = [f"{name}: {len(t['false'])} false findings in {t['characters']:,} characters: "
           + ", ".join(t["false"]) for name, t in texts.items()
           if len(t["false"]) * CHARACTERS_PER_FALSE > t["characters"]]
    out += [f"{rule_id}: {right / (right + false):.0%} precision on the official texts"
            for rule_id, (right, false) in _per_rule(texts).items()
            if right < 0.9 * (right + false)]
    out += [f"{name}: no longer finds {entry}" for name, t in texts.items() for entry in t["lost"]]
    return out


MARKERS = ("<!-- lint-accuracy: bench/lint_accuracy.py --write -->", "<!-- /lint-accuracy -->")


def readme_table(results: dict[str, dict], texts: dict[str, dict]) -> list[str]:
    """Returns one row per lint rule: the corpus's precision and recall, and what the
    rule reports on the official texts (right and false findings)."""
    on_official = _per_rule(texts)
    lines = ["| rule | severity | corpus: flagged | precision | recall | official texts: "
             "right | false |", "|---|---|--:|--:|--:|--:|--:|"]
    for rule_id, r in results.items():
        precision = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
        recall = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else 1.0
        right, false = on_official.get(rule_id, (0, 0))
        lines.append(f"| `{rule_id}` | {RULES[rule_id].severity} | {r['tp']}/{r['tp'] + r['fn']} "
                     f"| {precision:.0%} | {recall:.0%} | {right} | {false} |")
    return lines


def write_readme(lines: list[str]) -> None:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(MARKERS[0], 1)
    _, tail = rest.split(MARKERS[1], 1)
    path.write_text(head + MARKERS[0] + "\n\n" + "\n".join(lines) + "\n\n" + MARKERS[1] + tail,
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 below the targets")
    parser.add_argument("--write", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    results = measure(yaml.safe_load(CORPUS.read_text(encoding="utf-8")))
    texts = official()
    print("\n".join(table(results) + [""] + official_table(texts)))
    problems = failures(results) + official_failures(texts)
    if args.write:
        write_readme(readme_table(results, texts))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
