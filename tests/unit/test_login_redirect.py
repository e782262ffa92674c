"""The page after sign-in is a path of this site, whatever ``next`` a link or attacker gave."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.dashboard.redirects import same_site_path
from tests.browser_urls import resolved, same_site

BASE = "https://mimamori.example.jp/login"
FALLBACK = "/"

HOSTILE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "https://evil.example",
    "HTTPS://evil.example/",
    "https:/evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/\u3000/evil.example",
    "/\uff0f/evil.example",
    "/\u2215/evil.example",
    "",
    None,
]

# Fragments an attacker would combine: slashes, backslashes, what browsers drop, schemes.
PIECES = st.sampled_from(
    ["/", "\\", "\t", "\n", "\r", " ", "\x00", "\x7f", "%2F", "%5C", "%09", "https:", "http:",
     "javascript:", "@", ":", ".", "evil.example", "\u3000", "\uff0f", "?", "#", "a"]
)  # fmt: skip


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_is_replaced_by_the_board(target):
    assert same_site_path(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/alerts", "/alerts/alert-own", "/elders/elder-1?x=1", "/alerts/stats?month=2026-11"]
)  # fmt: skip
def test_a_path_of_this_site_is_kept(target):
    assert same_site_path(target) == target


def test_the_browser_model_sees_the_attack_that_was_let_through_before():
    # The old check (starts with "/" and not "//") passed this value; browsers drop the tab.
    assert resolved("/\t/evil.example", BASE) == "https://evil.example"
    assert not same_site("/\t/evil.example", BASE)


@given(st.one_of(st.text(), st.lists(PIECES, max_size=8).map("".join)))
def test_whatever_next_says_the_browser_stays_on_the_site(target):
    kept = same_site_path(target)
    assert kept in (None, target)
    assert same_site(kept or FALLBACK, BASE)


@given(
    st.from_regex(
        r"/[a-z0-9\-]{1,12}(/[a-z0-9\-]{1,12}){0,3}(\?[a-z]{1,5}=[a-z0-9\-]{0,8})?", fullmatch=True
    )
)
def test_every_plain_path_of_the_site_is_kept(target):
    assert same_site_path(target) == target
