"""Content-addressed storage for files: uploads now, frames and audio later.

A blob's name is its SHA-256, so storing the same bytes twice costs nothing and a
stored file can be checked against its name at any time. ``BlobStore`` is the seam for
an S3-compatible store.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from liveguard.errors import StorageUnavailable

# A file system that cannot take more bytes: the disk or the user's quota is full.
_FULL = (errno.ENOSPC, errno.EDQUOT)


def _unavailable(error: OSError) -> StorageUnavailable:
    """The blob store's OSError as the problem a caller can act on (try again later)."""
    if error.errno in _FULL:
        return StorageUnavailable(
            "the file store is full: nothing was saved; free space, then send it again",
            full=True,
        )
    reason = os.strerror(error.errno) if error.errno else str(error)
    return StorageUnavailable(
        f"the file store cannot be written ({reason}): nothing was saved; send it again later"
    )


class BlobStore(Protocol):
    def put(self, content: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> bool: ...


class FileBlobStore:
    """Blobs as files ``<root>/ab/cd/abcd...`` written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if target.exists():
            return sha256
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        except OSError as error:
            raise _unavailable(error) from error
        try:  # a partial file never takes the blob's name: written aside, then renamed
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException as error:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise _unavailable(error) from error
            raise
        return sha256

    def get(self, sha256: str) -> bytes:
        content = self.path(sha256).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError(f"blob {sha256} does not match its hash: the file was altered")
        return content

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> bool:
        """Remove a blob (a person's data erased, 个人信息保护法 art. 47): whether it was there."""
        target = self.path(sha256)
        existed = target.exists()
        target.unlink(missing_ok=True)
        return existed


class S3BlobStore:
    """Blobs in any S3-compatible store (AWS S3, MinIO, Ceph, OSS's S3 API), by SHA-256.

    ``client`` is a boto3 S3 client; boto3 is an optional dependency
    (``pip install 'liveguard[s3]'``), imported only by ``from_url``.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "blobs/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None = None) -> S3BlobStore:
        """``s3://bucket/prefix``; credentials come from boto3's usual sources."""
        import boto3

        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"{url!r} is not an s3://bucket/prefix URL")
        prefix = parsed.path.lstrip("/")
        return cls(
            boto3.client("s3", endpoint_url=endpoint_url),
            parsed.netloc,
            prefix if not prefix or prefix.endswith("/") else prefix + "/",
        )

    def key(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 hex digest")
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def put(self, content: bytes) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        sha256 = hashlib.sha256(content).hexdigest()
        try:  # S3 writes an object whole or not at all
            if not self.exists(sha256):
                self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=content)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(
                f"the object store did not take the file ({error}): nothing was saved; "
                "send it again later"
            ) from error
        return sha256

    def get(self, sha256: str) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        content: bytes = response["Body"].read()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError(f"blob {sha256} does not match its hash: the object was altered")
        return content

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, sha256: str) -> bool:
        """Remove a blob (a person's data erased): whether it was there."""
        existed = self.exists(sha256)
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        return existed


def make_blob_store(
    url: str | None, default_root: Path, *, endpoint_url: str | None = None
) -> BlobStore:
    """Files under the data directory by default; ``s3://bucket/prefix`` for object storage
    (at ``endpoint_url``, an S3-compatible service; AWS when unset)."""
    if not url:
        return FileBlobStore(default_root)
    if url.startswith("s3://"):
        return S3BlobStore.from_url(url, endpoint_url=endpoint_url)
    raise ValueError(f"unknown blob store {url!r}: use s3://bucket/prefix or leave it unset")
