"""One media suite, run against the folder store and against S3 on a local moto server."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.media import FolderMediaStore, MediaError, S3MediaStore, build_media_store
from tests.aws_local import make_bucket, moto_server, s3_client, use_fake_credentials

LIFETIME = timedelta(minutes=10)


@pytest.fixture(scope="module")
def moto_endpoint():
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(moto_endpoint, monkeypatch):
    use_fake_credentials(monkeypatch)
    name = f"media-{uuid.uuid4().hex[:12]}"
    make_bucket(moto_endpoint, name)
    return name


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    if request.param == "folder":
        return build_media_store(f"file://{tmp_path / 'media'}")
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = request.getfixturevalue("bucket")
    return build_media_store(f"s3://{bucket}/family", endpoint_url=endpoint)


class TestEveryMediaStore:
    def test_keeps_and_returns_content(self, store):
        store.put("line/1.jpg", b"\xff\xd8jpeg")
        assert store.get("line/1.jpg") == b"\xff\xd8jpeg"

    def test_deleted_content_is_gone_and_deleting_twice_is_harmless(self, store):
        store.put("line/1.jpg", b"photo")
        assert store.delete("line/1.jpg") is True
        with pytest.raises(MediaError):
            store.get("line/1.jpg")
        assert store.delete("line/1.jpg") is False

    def test_a_second_put_replaces_the_content(self, store):
        store.put("line/1.jpg", b"old")
        store.put("line/1.jpg", b"new")
        assert store.get("line/1.jpg") == b"new"

    def test_a_missing_key_is_a_media_error(self, store):
        with pytest.raises(MediaError):
            store.get("line/404.jpg")

    @pytest.mark.parametrize("key", ["../secret.jpg", "/etc/passwd", "line/../x.jpg", "a b.jpg"])
    def test_a_key_that_could_leave_the_store_is_refused(self, store, key):
        with pytest.raises(MediaError):
            store.put(key, b"x")
        with pytest.raises(MediaError):
            store.get(key)
        with pytest.raises(MediaError):
            store.url_for(key, LIFETIME)

    def test_large_video_content_round_trips(self, store):
        video = bytes(range(256)) * 8192  # 2 MiB
        store.put("line/2.mp4", video)
        assert store.get("line/2.mp4") == video


class TestFolderStore:
    def test_has_no_direct_url_so_the_screen_gets_a_signed_media_link(self, tmp_path):
        store = FolderMediaStore(tmp_path)
        store.put("line/1.jpg", b"jpeg")
        assert store.url_for("line/1.jpg", LIFETIME) is None


class TestS3Store:
    @pytest.fixture
    def s3(self, moto_endpoint, bucket):
        return build_media_store(f"s3://{bucket}/family", endpoint_url=moto_endpoint)

    def test_objects_live_under_the_prefix(self, s3, moto_endpoint, bucket):
        assert isinstance(s3, S3MediaStore)
        s3.put("line/1.jpg", b"jpeg")
        keys = [
            o["Key"] for o in s3_client(moto_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
        ]
        assert keys == ["family/line/1.jpg"]

    def test_every_object_is_encrypted_with_sse_s3_and_typed(self, s3, moto_endpoint, bucket):
        s3.put("line/1.jpg", b"jpeg")
        head = s3_client(moto_endpoint).head_object(Bucket=bucket, Key="family/line/1.jpg")
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ContentType"] == "image/jpeg"

    def test_kms_encryption_is_chosen_in_the_media_url(self, moto_endpoint, bucket):
        import boto3

        kms = boto3.client("kms", endpoint_url=moto_endpoint, region_name="ap-northeast-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        url = f"s3://{bucket}/family?sse=aws:kms&kms_key_id={key_id}"
        store = build_media_store(url, endpoint_url=moto_endpoint)
        store.put("line/1.jpg", b"jpeg")
        head = s3_client(moto_endpoint).head_object(Bucket=bucket, Key="family/line/1.jpg")
        assert head["ServerSideEncryption"] == "aws:kms"
        assert key_id in head["SSEKMSKeyId"]
        assert store.get("line/1.jpg") == b"jpeg"

    def test_an_unknown_encryption_is_refused(self, bucket):
        with pytest.raises(ValueError, match="sse"):
            build_media_store(f"s3://{bucket}/family?sse=none")

    def test_a_bucketless_url_is_refused(self):
        with pytest.raises(ValueError, match="MIMAMORI_MEDIA_URL"):
            build_media_store("s3:///family")

    def test_the_screen_gets_a_short_lived_presigned_url_that_serves_the_photo(self, s3):
        s3.put("line/1.jpg", b"\xff\xd8jpeg")
        url = s3.url_for("line/1.jpg", LIFETIME)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["X-Amz-Expires"] == "600"
        assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        assert urlsplit(url).path.endswith("/family/line/1.jpg")
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.read() == b"\xff\xd8jpeg"
            assert answer.headers["Content-Type"] == "image/jpeg"

    def test_building_the_store_does_no_io(self):
        store = build_media_store("s3://no-such-bucket/x", endpoint_url="http://127.0.0.1:9")
        assert store._client is None
