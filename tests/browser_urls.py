"""How a browser resolves a ``Location`` header (the WHATWG URL parser's forgiving steps)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

_C0_AND_SPACE = "".join(chr(n) for n in range(0x21))


def resolved(location: str, base: str) -> str:
    """Return the URL a browser goes to for ``location`` on page ``base``.

    The parser strips leading and trailing C0 controls and spaces, drops every tab and
    newline, and (for http and https) reads a backslash as a slash; then it resolves
    the reference against the page.
    """
    cleaned = location.strip(_C0_AND_SPACE)
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "")
    cleaned = cleaned.replace("\\", "/")
    return urljoin(base, cleaned)


def same_site(location: str, base: str) -> bool:
    """Return True if a browser redirected to ``location`` from ``base`` stays on base's site."""
    target, page = urlsplit(resolved(location, base)), urlsplit(base)
    return (target.scheme, target.netloc) == (page.scheme, page.netloc)
