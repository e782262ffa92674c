"""The media store and its short-lived signed links."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from backend.media import (
    FolderMediaStore,
    MediaError,
    MediaLinks,
    S3MediaStore,
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
    s3 = build_media_store("s3://bucket/prefix/")
    assert isinstance(s3, S3MediaStore)
    assert (s3.bucket, s3.object_key("line/1.jpg"), s3.sse) == (
        "bucket",
        "prefix/line/1.jpg",
        "AES256",
    )
    with pytest.raises(ValueError, match="MIMAMORI_MEDIA_URL"):
        build_media_store("ftp://host/media")


def test_an_unknown_media_url_stops_bootstrap_with_the_variable_named():
    from backend.bootstrap import bootstrap
    from backend.settings import ConfigError, Settings

    with pytest.raises(ConfigError, match="MIMAMORI_MEDIA_URL"):
        bootstrap(Settings(media_url="ftp://host/media"), uow=lambda: None)


class _DirectStore:
    def url_for(self, key, lifetime):
        return f"https://bucket.example/{key}?ttl={int(lifetime.total_seconds())}"


def test_the_screen_gets_the_stores_own_url_when_it_has_one():
    from backend.services.context import Services

    links = MediaLinks(b"k" * 32, "https://mimamori.example.jp")
    now = jst(hour=9)
    base = Services(
        uow=lambda: None, question_sets=dict, clock=lambda: now, tz=now.tzinfo, media_links=links
    )
    direct = dataclasses.replace(base, media=_DirectStore())
    assert direct.media_url("line/1.jpg") == "https://bucket.example/line/1.jpg?ttl=600"
    folder = dataclasses.replace(base, media=FolderMediaStore(Path("unused")))
    assert folder.media_url("line/1.jpg") == links.url_for("line/1.jpg", now)
    assert dataclasses.replace(folder, media_links=None).media_url("line/1.jpg") is None


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
