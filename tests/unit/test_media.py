"""The media store and its short-lived signed links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.media import (
    FolderMediaStore,
    MediaError,
    MediaLinks,
    build_media_store,
    check_key,
    content_type_of,
    extension_for,
)
from tests.builders import jst


@pytest.mark.parametrize(
    "key", ["../secret.jpg", "/etc/passwd", "line/../../x.jpg", "line/a b.jpg", "noext", ""]
)
def test_keys_that_could_leave_the_folder_are_refused(key):
    with pytest.raises(MediaError):
        check_key(key)


def test_a_folder_store_keeps_and_returns_content(tmp_path):
    store = FolderMediaStore(tmp_path)
    store.put("line/1.jpg", b"jpeg")
    assert store.get("line/1.jpg") == b"jpeg"
    assert not list(tmp_path.rglob("*.part"))
    with pytest.raises(MediaError):
        store.get("line/2.jpg")
    with pytest.raises(MediaError):
        store.put("../1.jpg", b"x")


def test_a_folder_store_deletes_content_once_and_never_outside_the_folder(tmp_path):
    store = FolderMediaStore(tmp_path / "media")
    store.put("line/1.jpg", b"jpeg")
    outside = tmp_path / "keep.jpg"
    outside.write_bytes(b"x")
    assert store.delete("line/1.jpg") is True
    assert store.delete("line/1.jpg") is False
    with pytest.raises(MediaError):
        store.get("line/1.jpg")
    with pytest.raises(MediaError):
        store.delete("../keep.jpg")
    assert outside.exists()


def test_the_media_url_chooses_the_store(tmp_path):
    assert isinstance(build_media_store(f"file://{tmp_path}"), FolderMediaStore)
    with pytest.raises(ValueError, match="MIMAMORI_MEDIA_URL"):
        build_media_store("s3://bucket/prefix")


def test_content_types_and_extensions_round_trip():
    assert extension_for("image/jpeg") == "jpg"
    assert extension_for("video/mp4; codecs=avc1") == "mp4"
    assert extension_for("application/zip") == "bin"
    assert content_type_of("line/1.png") == "image/png"


def test_a_link_is_valid_for_its_key_until_it_expires():
    links = MediaLinks(b"k" * 32, "https://mimamori.example.jp/")
    now = jst(hour=9)
    url = links.url_for("line/1.jpg", now)
    assert url.startswith("https://mimamori.example.jp/media/line/1.jpg?exp=")
    exp = url.split("exp=")[1].split("&")[0]
    sig = url.split("sig=")[1]
    assert links.valid("line/1.jpg", exp, sig, now + timedelta(minutes=9))
    assert not links.valid("line/1.jpg", exp, sig, now + timedelta(minutes=11))
    assert not links.valid("line/2.jpg", exp, sig, now)
    assert not links.valid("line/1.jpg", str(int(exp) + 3600), sig, now)
    assert not MediaLinks(b"x" * 32).valid("line/1.jpg", exp, sig, now)
    assert not links.valid("line/1.jpg", "soon", sig, now)
