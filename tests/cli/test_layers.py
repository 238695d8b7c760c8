"""The architecture, checked: imports point forward, and `check` stays light.

read → resolve → check → write → ship, then the recipe (build.py) and the
command line; tree, diagnostics, rules, limits, guards, processes, atomic,
numbers, fonts and http may be imported from anywhere and import only each other.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FLAGSHIP, ROOT

PACKAGE = ROOT / "pipeline"
SHARED = {"pipeline", "pipeline.tree", "pipeline.diagnostics", "pipeline.rules",
          "pipeline.limits", "pipeline.processes", "pipeline.atomic", "pipeline.numbers",
          "pipeline.guards", "pipeline.http", "pipeline.fonts"}
ORDER = ["read", "resolve", "check", "write", "ship", "build", "preview", "cli", "__main__"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> int:
    """Returns the stage's place in ORDER; -1 for the shared modules."""
    if module in SHARED:
        return -1
    return ORDER.index(module.split(".")[1])


def imported(path: Path, text: str | None = None) -> list[tuple[str, int]]:
    """Returns the pipeline modules that path (or text, as if it were path's)
    imports, with their lines."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    text = path.read_text(encoding="utf-8") if text is None else text
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found += [(target, node.lineno)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            found += [(n, node.lineno) for n in names if n.split(".")[0] == "pipeline"]
    return [(_module_of(target), line) for target, line in found]


def _module_of(target: str) -> str:
    """Returns the module a dotted target names (`pipeline.write` for a name in it)."""
    parts = target.split(".")
    while parts and not (PACKAGE.parent.joinpath(*parts).with_suffix(".py").is_file()
                         or PACKAGE.parent.joinpath(*parts, "__init__.py").is_file()):
        parts.pop()
    return ".".join(parts)


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_point_forward_only(path):
    source = module_name(path)
    backward = [f"line {line}: {target}" for target, line in imported(path)
                if stage(target) > stage(source)]
    assert backward == [], f"{source} imports a later stage"


@pytest.mark.parametrize("text, target", [
    ("from ..write.html import render_html\n", "pipeline.write.html"),
    ("from ..write import TEMPLATES\n", "pipeline.write"),
    ("import pipeline.ship.bundle\n", "pipeline.ship.bundle"),
])
def test_a_backward_import_would_be_seen(text, target):
    # The test above must be able to fail: read importing write or ship is backward.
    convert = PACKAGE / "read" / "convert.py"
    assert imported(convert, text) == [(target, 1)]
    assert stage(target) > stage(module_name(convert))


def test_every_stage_is_a_package_or_a_module():
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert stages == {"read", "check", "write", "ship", "build"}
    assert (PACKAGE / "resolve.py").is_file()


RENDERERS = ("pipeline.write.html", "pipeline.write.pdf", "pipeline.write.web",
             "pipeline.write.docx", "pipeline.write.chart", "pipeline.write.weasyprint")


@pytest.mark.parametrize("path", [p for p in MODULES if p.parent.name == "ship"
                                  or p.name == "preview.py"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_ship_and_the_preview_call_no_renderer_the_recipe_does(path):
    """What runs where is build's: ship only stages, renames and records, and the
    preview calls build's functions."""
    renderers = [f"line {line}: {target}" for target, line in imported(path)
                 if target.startswith(RENDERERS)]
    assert renderers == []


def test_check_imports_no_writer_library(tmp_path):
    """`check` validates without python-docx, WeasyPrint, Pillow or lxml (the
    flagship has no figures: a report with figures decodes them with Pillow)."""
    script = ("import json, sys\nfrom pipeline.cli import main\n"
              f"code = main(['check', '--content', {str(FLAGSHIP)!r}, '--out', "
              f"{str(tmp_path)!r}, '--quiet'])\n"
              "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
              "{'docx', 'weasyprint', 'PIL', 'lxml', 'pydyf'})\n"
              "print(json.dumps([code, heavy]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert json.loads(done.stdout) == [0, []]
