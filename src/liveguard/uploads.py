"""What an uploaded file really is: its type is read from its bytes (puremagic's
signatures), never taken from what the client declared, and a declared type that the
bytes contradict is refused. A file stored as ``image/png`` and served back as such is a
PNG, so nobody can slip a page of script in under an image's name.
"""

from __future__ import annotations

from collections.abc import Set

import puremagic

from liveguard.errors import InvalidInput

TEXT = "text/plain"
UNKNOWN = "application/octet-stream"
# Names clients use for the same type.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
    "audio/wav": "audio/wave",
    "audio/x-wav": "audio/wave",
    "audio/mp3": "audio/mpeg",
}
_UNDECLARED = {"", UNKNOWN}


def normalise(content_type: str) -> str:
    """``image/JPG; name=x`` -> ``image/jpeg``."""
    bare = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare)


def sniff(content: bytes) -> str:
    """The type the bytes are: a known signature's type, else text if it reads as UTF-8
    (a chat log), else ``application/octet-stream``."""
    try:
        found = normalise(puremagic.from_string(content, mime=True))
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return found
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return UNKNOWN
    return TEXT


def checked_type(content: bytes, declared: str, *, accepted: Set[str], what: str) -> str:
    """The type to store for an upload: what its bytes are, if that is ``accepted`` and
    the client declared it (or declared nothing); otherwise InvalidInput on ``file``."""
    actual = sniff(content)
    claimed = normalise(declared)
    same_text = actual == TEXT and claimed.startswith("text/")  # a .csv chat log is text
    if claimed not in _UNDECLARED and claimed != actual and not same_text:
        raise InvalidInput(
            "file",
            f"the file was sent as {claimed}, but its contents are {actual}",
            "send the file itself with its real type (a renamed file is still what it was)",
        )
    if actual not in accepted:
        raise InvalidInput(
            "file",
            f"files of type {actual} are not accepted as {what}",
            f"send one of {sorted(accepted)}",
        )
    return actual
