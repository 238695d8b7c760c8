"""WeasyPrint, imported with its C declarations compiled once instead of on every build.

WeasyPrint's text/ffi.py hands cffi one long string of C declarations for
Pango, HarfBuzz and fontconfig. cffi parses it with pycparser on every
import (0.25 s here), opens each library by names that make ctypes run
ldconfig and gcc until one matches (0.17 s), and parses type names again on
their first use while drawing (0.06 s): together about a fifth of the
flagship's PDF build.

cffi's documented out-of-line ABI mode (ffi.set_source(name, None), then
recompiler.make_py_source) turns parsed declarations into a small module of
precomputed tables that loads in milliseconds; its dlopen opens libraries by
file name without asking ctypes. We write that module once per declarations,
cffi and Python (their digest names the file) and let WeasyPrint's own
ffi.py run against it. A missing, unwritable or unloadable cache only costs
the time: WeasyPrint then parses as it always does. The upstream fix would
be for WeasyPrint to ship the generated module (docs/performance.md).

Both this and the mends reach into private parts of WeasyPrint, pydyf and
cffi, so they run only on the releases they were written and measured
against, those the lock file pins. Any other release gets stock WeasyPrint,
the same document a little slower, and one warning.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from ..atomic import write_atomic

_FFI_MODULE = "weasyprint.text.ffi"

# The releases the loader and the mends were written for (requirements.lock).
WRITTEN_FOR = {"weasyprint": "70.0", "pydyf": "0.13.0", "cffi": "2.1.1"}
_warned: list[str] = []


def load_weasyprint():
    """Returns the weasyprint package, imported with the compiled declarations and
    with the mends of weasyprint_fixes installed; stock on other releases."""
    others = other_releases()
    if others:
        _warn_once(others)
        import weasyprint
        return weasyprint
    if _FFI_MODULE not in sys.modules:
        _import_ffi_compiled()
    import weasyprint

    from .weasyprint_fixes import install
    install()
    return weasyprint


def other_releases() -> dict[str, str]:
    """Returns {package: installed release} for each of WRITTEN_FOR installed at
    another release. Read from the dist-info folder beside each package, which
    costs a stat, not importlib.metadata's 35 ms of imports."""
    others = {}
    for name, release in WRITTEN_FOR.items():
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue  # absent: importing it fails with its own message
        site = Path(spec.origin).parent.parent
        if not (site / f"{name}-{release}.dist-info").is_dir():
            found = sorted(site.glob(f"{name}-*.dist-info"))
            others[name] = found[0].name[len(name) + 1:-len(".dist-info")] if found \
                else "unknown"
    return others


def _warn_once(others: dict[str, str]) -> None:
    if _warned:
        return
    _warned.append("warned")
    installed = ", ".join(f"{name} {release}" for name, release in others.items())
    wanted = ", ".join(f"{name} {release}" for name, release in WRITTEN_FOR.items())
    print(f"warning: the PDF writer's mends are written for {wanted}, but {installed} "
          "is installed: building with stock WeasyPrint, the same document more slowly "
          "(docs/setup.md: upgrading the renderers)", file=sys.stderr)


def _import_ffi_compiled() -> None:
    """Imports weasyprint.text.ffi with cffi.FFI() standing in for a compiled FFI."""
    import cffi
    declarations = _Declarations()
    real_ffi = cffi.FFI
    cffi.FFI = lambda *args, **kwargs: declarations if not (args or kwargs) else \
        real_ffi(*args, **kwargs)
    try:
        import weasyprint.text.ffi  # noqa: F401
    finally:
        cffi.FFI = real_ffi


class _Declarations:
    """Takes WeasyPrint's cdef() and becomes the FFI that serves it."""

    def __init__(self) -> None:
        self.target = None

    def cdef(self, source: str, **options) -> None:
        self.target = _parsed(source, options) if options else _compiled(source)
        # WeasyPrint's package imports its modules while ffi.py is still running,
        # and they take `ffi` by name once it has: make that the FFI itself, not
        # this stand-in, whose attribute lookups would cost on every call.
        module = sys.modules.get(_FFI_MODULE)
        if module is not None and getattr(module, "ffi", None) is self:
            module.ffi = self.target

    def __getattr__(self, name: str):
        if self.target is None:
            raise AttributeError(name)
        return getattr(self.target, name)


def _parsed(source: str, options: dict):
    """Returns a cffi.FFI that parsed source: WeasyPrint's own way."""
    from cffi.api import FFI  # the class itself: cffi.FFI is the stand-in meanwhile
    ffi = FFI()
    ffi.cdef(source, **options)
    return ffi


def _compiled(source: str):
    """Returns the compiled FFI for source from the cache, writing it there first if
    needed; when no cache can be written, the FFI that parsed source for it."""
    name = f"weasyprint_ffi_{_digest(source)}"
    paths = [directory / f"{name}.py" for directory in _cache_directories()]
    for path in paths:
        if path.is_file() and (ffi := _load(name, path)) is not None:
            return ffi
    parsed = _parsed(source, {})
    text = _module_text(parsed, name)
    for path in paths:
        try:
            write_atomic(path, text.encode("utf-8"))
        except OSError:
            continue
        if (ffi := _load(name, path)) is not None:
            return ffi
    return parsed


def _digest(source: str) -> str:
    import cffi
    key = "\0".join((cffi.__version__, sys.version, source))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _cache_directories() -> list[Path]:
    """Returns where the compiled module may live: the virtual environment WeasyPrint
    is installed in (made once with it), else the user's cache; never a system
    Python's own tree."""
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    own = [Path(sys.prefix) / "var" / "cache" / "pipeline"] if sys.prefix != sys.base_prefix \
        else []
    return [*own, user_cache / "briefing-pipeline"]


def _module_text(parsed, name: str) -> str:
    """Returns the out-of-line ABI module of a parsed FFI: cffi's tables, as Python."""
    import io

    from cffi.recompiler import make_py_source
    text = io.StringIO()
    make_py_source(parsed, name, text)
    return text.getvalue()


def _load(name: str, path: Path):
    """Returns the FFI of the module at path, or None (and removes the file) when it
    does not load: a damaged cache is rewritten on the next build."""
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.ffi
    except Exception:  # noqa: BLE001 -- whatever broke it, WeasyPrint's own path still works
        path.unlink(missing_ok=True)
        return None
