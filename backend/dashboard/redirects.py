"""Where the dashboard may send a browser after sign-in: only a path of this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _is_local_path(value: str) -> bool:
    """Return True if a browser reads ``value`` as a path of the current site, and only so.

    Browsers drop tabs and newlines anywhere in a URL, strip leading control characters
    and spaces, and read a backslash as a slash: any of those characters (or anything
    outside printable ASCII) could turn a slash, a tab and ``/evil.example`` into
    ``//evil.example``, so none is allowed. What is left must start with one slash and
    carry no scheme or host.
    """
    if not value.isascii() or "\\" in value:
        return False
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in value):
        return False
    if not value.startswith("/") or value.startswith("//"):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def same_site_path(target: str | None) -> str | None:
    """Return ``target`` if it is a path of this site (also once percent-decoded), else None.

    The decoded form is checked too, so ``/%2F%2Fevil.example`` or ``/%5Cevil.example``
    are refused even though a browser would not decode them: a proxy or a later redirect
    might.
    """
    if not target:
        return None
    if _is_local_path(target) and _is_local_path(unquote(target)):
        return target
    return None
