"""Content-addressed file storage."""

import hashlib

import pytest

from liveguard.blobs import FileBlobStore

CONTENT = b"%PDF-1.7 food business licence"
SHA256 = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def store(tmp_path):
    return FileBlobStore(tmp_path / "blobs")


def test_a_blob_is_named_by_its_sha256(store):
    assert store.put(CONTENT) == SHA256


def test_a_blob_is_stored_under_two_levels_of_hash_prefix(store, tmp_path):
    store.put(CONTENT)
    path = tmp_path / "blobs" / SHA256[:2] / SHA256[2:4] / SHA256
    assert store.path(SHA256) == path
    assert path.read_bytes() == CONTENT


def test_a_stored_blob_is_read_back(store):
    assert store.get(store.put(CONTENT)) == CONTENT


def test_an_empty_blob_is_stored(store):
    assert store.get(store.put(b"")) == b""


def test_a_blob_exists_only_after_it_is_put(store):
    assert not store.exists(SHA256)
    store.put(CONTENT)
    assert store.exists(SHA256)


def test_putting_the_same_bytes_twice_stores_one_file(store, tmp_path):
    assert store.put(CONTENT) == store.put(CONTENT)
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [store.path(SHA256)]


def test_different_bytes_are_different_blobs(store):
    assert store.put(CONTENT) != store.put(CONTENT + b"\n")


def test_no_temporary_file_is_left_behind(store, tmp_path):
    store.put(CONTENT)
    assert not list((tmp_path / "blobs").rglob(".incoming-*"))


def test_a_tampered_blob_is_detected_when_read(store):
    store.put(CONTENT)
    store.path(SHA256).write_bytes(CONTENT.replace(b"food", b"fake"))
    with pytest.raises(ValueError, match=f"blob {SHA256} does not match its hash"):
        store.get(SHA256)


def test_a_missing_blob_is_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.get(SHA256)


@pytest.mark.parametrize(
    "name",
    [
        "",
        SHA256[:63],
        SHA256 + "0",
        SHA256.upper(),
        "g" * 64,
        "../" + SHA256[3:],
        "/" * 64,
    ],
)
def test_a_malformed_hash_is_refused(store, name):
    for operation in (store.path, store.get, store.exists):
        with pytest.raises(ValueError, match="is not a SHA-256 hex digest"):
            operation(name)
