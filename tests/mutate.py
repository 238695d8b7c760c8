"""`make mutate`: mutation testing of the modules that carry the product's promises.

Usage: .venv/bin/python tests/mutate.py [GROUP ...] [--write] [--no-run]

Each group names its modules and the tests that cover them. mutmut (3.x)
changes the code one small way at a time (a `<` for a `<=`, a string, a
number, a dropped argument) and runs those tests against each change; a
change that no test notices is a survivor: a bug the tests would let in.
Each group runs in a scratch copy of the repository under output/mutate/
(mutmut writes its mutants beside the code), so the work tree is never
touched, and the groups can be run one at a time.

A survivor is either killed by a new test or, when the change cannot alter
what the product does, explained in tests/mutants_equivalent.yaml (by
function and the mutated line, which outlive mutmut's numbering). The run
fails when a module kills less than 85 % or leaves a survivor unexplained;
`--write` puts the table in docs/testing.md; `--no-run` reads the last run's
results again (after explaining a survivor).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "output" / "mutate"
EQUIVALENT = ROOT / "tests" / "mutants_equivalent.yaml"
TARGET = 0.85

GROUPS = {
    "numbers": (["pipeline/numbers.py", "pipeline/read/columns.py"],
                ["tests/read/test_numbers.py", "tests/read/test_statistics_files.py"]),
    "data": (["pipeline/read/tables.py", "pipeline/read/layout.py", "pipeline/read/rows.py"],
             ["tests/read/test_data_tables.py", "tests/read/test_data_layout.py",
              "tests/read/test_data_rows.py", "tests/read/test_statistics_files.py"]),
    "references": (["pipeline/check/references.py"],
                   ["tests/check/test_reference_entries.py",
                    "tests/check/test_reference_rules.py"]),
    "review": (["pipeline/check/review.py", "pipeline/check/edits.py"],
               ["tests/ship/test_review_units.py", "tests/ship/test_review_apply.py",
                "tests/ship/test_review.py",
                "tests/check/test_lint.py"]),
    "lint": (["pipeline/check/lint/kobun.py", "pipeline/check/lint/__init__.py",
              "pipeline/check/lint/kunrei_nouns.py"],
             ["tests/check/test_lint_engine.py", "tests/check/test_lint.py",
              "tests/check/test_lint_places.py", "tests/check/test_lint_official.py"]),
    "atomic": (["pipeline/atomic.py", "pipeline/ship/products.py"],
               ["tests/ship/test_atomic.py"]),
}
# Functions that run only while their module is imported (the lint rules are built
# then). mutmut switches a mutant on after the imports, so it never reaches them:
# their survivors are replayed here, each written into the source and the group's
# tests run on it.
AT_IMPORT = {"pipeline/check/lint/kobun.py": ("_words", "_pattern", "_rule")}
_COPIED = ["pipeline", "tests", "content", "templates", "bench", "pyproject.toml", "README.md"]


@dataclass
class Module:
    path: str
    killed: int = 0
    survivors: list[tuple[str, str, str]] = field(default_factory=list)  # name, function, line
    explained: int = 0

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors)

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 1.0


def run_group(name: str, run: bool = True) -> list[Module]:
    """Runs mutmut over one group in its scratch copy (or, with run False, reads the
    last run's results); returns its modules' counts."""
    modules, tests = GROUPS[name]
    work = SCRATCH / name
    mutmut = [sys.executable, "-m", "mutmut"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if run:
        _prepare(work, modules, tests)
        subprocess.run(mutmut + ["run"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                       check=False)
    listing = subprocess.run(mutmut + ["results", "--all", "true"], cwd=work, env=env,
                             capture_output=True, text=True, check=True).stdout
    if "not checked" in listing:
        raise SystemExit(f"mutate: mutmut did not run the {name} group (its tests fail on the "
                         f"unchanged code?): cd {work} && {sys.executable} -m mutmut run")
    found = {path: Module(path) for path in modules}
    for mutant, status in re.findall(r"^\s*(\S+): (\w[\w ]*)$", listing, re.M):
        module = found[_module_path(mutant, found)]
        function = _function(mutant)
        if function in AT_IMPORT.get(module.path, ()) and status != "killed":
            status = _replay(mutant, module.path, tests, work, mutmut, env)
        if status == "killed" or status == "timeout":
            module.killed += 1
        else:  # survived, no tests, suspicious: nothing noticed it
            module.survivors.append((mutant, function, _mutated_line(mutant, work, mutmut,
                                                                     env)))
    return list(found.values())


def _replay(mutant: str, module: str, tests: list[str], work: Path, mutmut: list[str],
            env: dict) -> str:
    """Writes one mutant into the scratch copy's source, runs the tests on it as they
    run every day, and puts the source back; returns 'killed' or 'survived'."""
    source = work / module
    original = source.read_bytes()
    try:
        subprocess.run(mutmut + ["apply", mutant], cwd=work, env=env, capture_output=True,
                       check=True)
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                               "no:cacheprovider", *tests], cwd=work, env=env,
                              capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        source.write_bytes(original)
    return "killed" if done.returncode != 0 else "survived"


def _prepare(work: Path, modules: list[str], tests: list[str]) -> None:
    """Copies the repository into work, with mutmut's settings for one group."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for part in _COPIED:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / part)
    with open(work / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write("\n[tool.mutmut]\nsource_paths = [\"pipeline/\"]\n"
                     f"only_mutate = {modules!r}\n"
                     f"pytest_add_cli_args_test_selection = {tests!r}\n"
                     "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"-q\", \"-x\"]\n"
                     "also_copy = [\"content/\", \"templates/\", \"bench/\", \"README.md\"]\n")


def _module_path(mutant: str, modules) -> str:
    """Returns the file a mutant is in: pipeline.a.b.x_f__mutmut_1 → pipeline/a/b.py, or
    pipeline/a/b/__init__.py."""
    path = mutant.split(".x_")[0].split(".xǁ")[0].replace(".", "/")
    return path + ".py" if path + ".py" in modules else path + "/__init__.py"


def _function(mutant: str) -> str:
    """Returns the function a mutant lives in: x_f__mutmut_3 → f, xǁClassǁm__mutmut_1 →
    Classǁm."""
    return re.sub(r"__mutmut_\d+$", "", mutant.split(".x_")[-1].split(".xǁ")[-1])


def _mutated_line(mutant: str, work: Path, mutmut: list[str], env: dict) -> str:
    """Returns a mutant's changed line, as `mutmut show` gives it."""
    shown = subprocess.run(mutmut + ["show", mutant], cwd=work, env=env, capture_output=True,
                           text=True).stdout
    added = [line[1:].strip() for line in shown.split("\n")
             if line.startswith("+") and not line.startswith("+++")]
    return added[0] if added else "(the line removed)"


def explain(modules: list[Module]) -> list[str]:
    """Counts the survivors explained as equivalent; returns those that are not."""
    reasons = yaml.safe_load(EQUIVALENT.read_text(encoding="utf-8")) or {} \
        if EQUIVALENT.exists() else {}
    unexplained = []
    for module in modules:
        known = reasons.get(module.path, {}) or {}
        for mutant, function, line in module.survivors:
            if line in (known.get(function) or {}):
                module.explained += 1
            else:
                unexplained.append(f"{module.path} {function}: + {line}    ({mutant})")
    return unexplained


def table(results: dict[str, list[Module]]) -> str:
    rows = ["| group | module | mutants | killed | equivalent | survived | score |",
            "|---|---|--:|--:|--:|--:|--:|"]
    for group, modules in results.items():
        for m in modules:
            rows.append(f"| {group} | `{m.path}` | {m.total} | {m.killed} | {m.explained} | "
                        f"{len(m.survivors) - m.explained} | {m.score:.0%} |")
    return "\n".join(rows)


def write_table(results: dict[str, list[Module]]) -> None:
    """Puts the groups run into docs/testing.md's table, keeping the rows of the others."""
    page = ROOT / "docs" / "testing.md"
    old = page.read_text(encoding="utf-8")
    start, end = "<!-- mutate: start -->", "<!-- mutate: end -->"
    before, _, rest = old.partition(start)
    kept, _, after = rest.partition(end)
    rows = {line.split(" | ")[0][2:]: [] for line in kept.split("\n")[3:] if line}
    for line in kept.split("\n")[3:]:
        if line:
            rows[line.split(" | ")[0][2:]].append(line)
    new = table(results).split("\n")
    for group in results:
        rows[group] = [line for line in new[2:] if line.startswith(f"| {group} |")]
    lines = new[:2] + [line for group in GROUPS for line in rows.get(group, [])]
    page.write_text(before + start + "\n" + "\n".join(lines) + "\n" + end + after,
                    encoding="utf-8")


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        print(f"unknown group {unknown[0]}: one of {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    results, failures = {}, []
    for name in names:
        print(f"mutate: {name} …", file=sys.stderr, flush=True)
        results[name] = run_group(name, run="--no-run" not in argv)
        failures += explain(results[name])
        failures += [f"{m.path}: {m.score:.0%} is below {TARGET:.0%}"
                     for m in results[name] if m.score < TARGET]
    print(table(results))
    if "--write" in argv:
        write_table(results)
    for line in failures:
        print(f"survivor: {line}" if "(" in line else line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
