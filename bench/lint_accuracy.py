"""Precision and recall of every lint rule, from tests/check/lint_corpus.yaml.

    .venv/bin/python bench/lint_accuracy.py            # the table, as docs/lint.md shows it
    .venv/bin/python bench/lint_accuracy.py --check    # exit 1 below the targets (a test runs it)

Targets (issue 15): recall of at least 90 % over the corpus, and no finding on
a correct sentence for any rule of severity error or warning.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 below the targets")
    args = parser.parse_args()
    results = measure(yaml.safe_load(CORPUS.read_text(encoding="utf-8")))
    print("\n".join(table(results)))
    problems = failures(results)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
