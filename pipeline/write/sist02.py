"""A reference → its entry in the list, in SIST 02 form, as both writers print it."""

from __future__ import annotations

from ..tree import Inlines, Link, Reference, Text

# Titles of these go without quotation marks, as SIST 02 writes 書名.
BOOK_TYPES = {"book", "report", "thesis", "legislation", "dataset"}


def format_sist02(ref: Reference) -> Inlines:
    """Returns the entry in SIST 02 form.

    `発行者. “題名”. サイト名. 日付. URL, (参照 YYYY-MM-DD).` Titles of books
    and reports go without quotation marks, as SIST 02 writes 書名.
    """
    title = ref.title if ref.type in BOOK_TYPES else f"“{ref.title}”"
    fields = [ref.creator, title]
    if ref.container and ref.container != ref.creator:
        fields.append(ref.container)
    if ref.authors and ref.publisher and ref.type in BOOK_TYPES:
        fields.append(ref.publisher)
    if ref.issued:
        fields.append(str(ref.issued))
    text = "".join(f"{_end(f)} " for f in fields if f)
    if not ref.url:
        return (Text(text.rstrip() + _note(ref)),)
    tail = f", (参照 {ref.accessed})." if ref.accessed else "."
    return (Text(text), Link(ref.url, (Text(ref.url),)), Text(tail + _note(ref)))


def _end(field: str) -> str:
    return field if field.endswith((".", "。")) else field + "."


def _note(ref: Reference) -> str:
    return f" {ref.note}" if ref.note else ""
