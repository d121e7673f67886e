"""The S3-compatible blob store behaves like the file store (against moto's in-process S3)."""

from __future__ import annotations

import hashlib

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from liveguard.blobs import FileBlobStore, S3BlobStore, make_blob_store  # noqa: E402


@pytest.fixture
def store(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        boto3.client("s3").create_bucket(Bucket="evidence")
        yield S3BlobStore.from_url("s3://evidence/liveguard")


def test_it_stores_by_content_hash_once(store):
    frame = b"\x89PNG a frame with a WeChat QR code"
    sha256 = store.put(frame)
    assert sha256 == hashlib.sha256(frame).hexdigest()
    assert store.put(frame) == sha256
    assert store.exists(sha256) and store.get(sha256) == frame
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket="evidence")["Contents"]]
    assert keys == [f"liveguard/{sha256[:2]}/{sha256}"]


def test_an_altered_object_is_detected(store):
    sha256 = store.put(b"original upload")
    store.client.put_object(Bucket="evidence", Key=store.key(sha256), Body=b"swapped")
    with pytest.raises(ValueError, match="altered"):
        store.get(sha256)


def test_a_missing_blob_is_absent_and_a_bad_name_refused(store):
    assert not store.exists("0" * 64)
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.key("../etc/passwd")


def test_the_setting_picks_the_store(tmp_path, store):
    assert isinstance(make_blob_store(None, tmp_path), FileBlobStore)
    assert isinstance(make_blob_store("s3://evidence/x", tmp_path), S3BlobStore)
    with pytest.raises(ValueError, match="unknown blob store"):
        make_blob_store("ftp://host/x", tmp_path)
