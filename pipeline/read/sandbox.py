"""The Jinja that sections may use: sandboxed, and bounded in what it can make.

Sections come from many authors and are expanded by unattended jobs. Jinja's
ImmutableSandboxedEnvironment already refuses Python internals
(`''.__class__`) and changes to the data; here every operator, filter and
string method that can make a value far larger than its inputs (`*`, `+`,
`%`, `join`, `center`, `indent`, `wordwrap`, `format`, `replace`, `ljust`, …)
first works out how large the result would be and refuses one over
MAX_VALUE, with a message that says which. What slips past these (a string
doubled line after line with `~`) meets the memory ceiling in expand.py.
"""

from __future__ import annotations

import re

import jinja2
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import pass_environment, pass_eval_context

MAX_VALUE = 1_000_000  # characters or items one operation may make
MAX_WIDTH = 10_000  # a field width or precision in a format
_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?|\{[^{}]*:[^{}]*?(\d+)")
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")  # "{:>{}}": a width from an argument
_GROWING_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs", "join", "replace"}


class SectionSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*":
            _bound(_repeat_size(left, right), "this multiplication")
        elif operator == "+" and isinstance(left, (str, list, tuple)):
            _bound(len(left) + _length(right), "this addition")
        elif operator == "%" and isinstance(left, str):
            _check_widths(left)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        # Jinja wraps str.format where the template reads it, not where it calls it.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def checked(*args, **kwargs):
            _check_widths(template)
            return wrapped(*args, **kwargs)
        return checked

    def call(self, __context, __obj, *args, **kwargs):
        # Every call a template makes comes through here: str methods that grow.
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _GROWING_METHODS:
            _check_string_method(owner, name, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def install_bounded_filters(env: jinja2.Environment) -> None:
    """Replaces Jinja's filters that can grow a value with bounded ones."""
    env.filters.update(join=_join, center=_center, indent=_indent, wordwrap=_wordwrap,
                       format=_format, replace=_replace)


def _bound(size: int, what: str) -> None:
    if size > MAX_VALUE:
        raise SecurityError(f"{what} would make a value of {size:,} characters or items "
                            f"(at most {MAX_VALUE:,})")


def _length(value) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _repeat_size(left, right) -> int:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * count
    return 0


def _check_widths(template: str) -> None:
    if _NESTED_FIELD.search(template):
        raise SecurityError("a width or precision taken from an argument is not allowed")
    for match in _WIDTH.finditer(template):
        for width in match.groups():
            if width == "*":
                raise SecurityError("a width or precision taken from an argument ('*') is "
                                    "not allowed")
            if width and int(width) > MAX_WIDTH:
                raise SecurityError(f"a width or precision of {int(width):,} is too large "
                                    f"(at most {MAX_WIDTH:,})")


def _check_string_method(text: str, name: str, args, kwargs) -> None:
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        _bound(args[0], f"str.{name}")
    elif name == "expandtabs":
        _bound(len(text) * (args[0] if args and isinstance(args[0], int) else 8), "expandtabs")
    elif name == "join" and args:
        items = [str(item) for item in args[0]]
        _bound(sum(map(len, items)) + len(text) * max(len(items) - 1, 0), "str.join")
    elif name == "replace" and len(args) >= 2:
        _bound(_replaced_size(text, str(args[0]), str(args[1])), "str.replace")


def _replaced_size(text: str, old: str, new: str) -> int:
    matches = text.count(old) if old else len(text) + 1
    return len(text) + matches * max(len(new) - len(old), 0)


@pass_eval_context
def _join(eval_ctx, value, d: str = "", attribute=None):
    items = list(value)
    shown = [str(item) for item in items] if attribute is None else None
    size = sum(map(len, shown)) if shown is not None else len(items)
    _bound(size + len(str(d)) * max(len(items) - 1, 0), "join")
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _center(value, width: int = 80):
    _bound(max(len(str(value)), int(width)), "center")
    return FILTERS["center"](value, width)


def _indent(s, width=4, first: bool = False, blank: bool = False):
    pad = len(width) if isinstance(width, str) else int(width)
    _bound(len(str(s)) + pad * (str(s).count("\n") + 1), "indent")
    return FILTERS["indent"](s, width, first, blank)


@pass_environment
def _wordwrap(environment, s, width: int = 79, break_long_words: bool = True,
              wrapstring=None, break_on_hyphens: bool = True):
    breaks = len(str(s)) // max(int(width), 1) + 1
    _bound(len(str(s)) + len(wrapstring or "\n") * breaks, "wordwrap")
    return FILTERS["wordwrap"](environment, s, width, break_long_words, wrapstring,
                               break_on_hyphens)


def _format(value, *args, **kwargs):
    _check_widths(str(value))
    return FILTERS["format"](value, *args, **kwargs)


@pass_eval_context
def _replace(eval_ctx, s, old, new, count=None):
    _bound(_replaced_size(str(s), str(old), str(new)), "replace")
    return FILTERS["replace"](eval_ctx, s, old, new, count)
