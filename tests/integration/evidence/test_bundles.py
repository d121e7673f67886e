"""Evidence bundles: exported over the API, checked by `liveguard verify`, tampering caught."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from liveguard.evidence.signing import CheckpointBody

runner = CliRunner()
FRAME = b"\x89PNG\r\n\x1a\n" + b"frame showing a WeChat QR code" * 10
UPLOAD = b"%PDF-1.4 the buyer's screenshot of the WeChat payment"


@pytest.fixture
def bundle(app, client, auth, tmp_path) -> Path:
    blobs = app.state.blobs
    frame, upload = blobs.put(FRAME), blobs.put(UPLOAD)
    records = [
        {
            "kind": "utterance",
            "occurred_at": "2026-02-16T20:02:30+08:00",
            "where": {"room": "XH-880231"},
            "who": {"role": "assistant"},
            "data": {"text": f"加我们薇信，可以提前安排发货 ({n})"},
        }
        for n in range(5)
    ]
    records.append(
        {
            "kind": "frame",
            "occurred_at": "2026-02-16T20:03:10+08:00",
            "where": {"room": "XH-880231"},
            "blobs": {"frame": frame},
        }
    )
    records.append(
        {
            "kind": "complaint",
            "occurred_at": "2026-02-25T09:00:00+08:00",
            "data": {"paid_fen": 66900, "channel": "wechat_qr"},
            "blobs": {"screenshot": upload},
        }
    )
    client.post("/api/evidence/items", json={"records": records}, headers=auth())
    response = client.post(
        "/api/evidence/bundles",
        json={"seqs": [1, 2, 4, 5, 6], "title": "S1 down jacket"},
        headers=auth("case_handler"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    return path


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path, monkeypatch):
    """Keys are pinned in a config directory of the test's own, never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def published(app) -> str:
    """The key the platform publishes, as a judge would have copied it."""
    return app.state.signer.public_key.hex()


def verify(path: Path, *args: str):
    """The check in English (``--lang en``): the failure tests below read its sentences;
    the first test reads the default, Chinese."""
    return runner.invoke(cli, ["verify", str(path), "--lang", "en", *args])


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    out = path.with_name("tampered.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    out.write_bytes(buffer.getvalue())
    return out


def test_an_exported_bundle_verifies_offline_and_says_so_in_chinese_by_default(bundle, client):
    published = client.get("/api/evidence/public-key").json()
    result = runner.invoke(cli, ["verify", str(bundle), "--public-key", published["public_key"]])
    assert result.exit_code == 0, result.output
    assert result.output.count("通过  第") == 5
    assert "第 5 项（直播画面）在已签名的日志中，未被改动" in result.output
    assert result.output.count("与记录中的哈希一致") == 2
    assert f"由指纹为 {published['fingerprint']} 的公钥签名：你提供的公钥" in result.output
    assert "结论：每一项都与账本记录完全一致" in result.output
    assert "北京时间" in result.output  # the checkpoint's time, as pages show times
    assert "VERDICT" not in result.output


def test_an_exported_bundle_verifies_offline_and_says_so_in_english_on_request(bundle, client):
    published = client.get("/api/evidence/public-key").json()
    result = verify(bundle, "--public-key", published["public_key"])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK   item") == 5
    assert "item 5 (Frame) is in the signed log, unchanged" in result.output
    assert result.output.count("matches the hash its item recorded") == 2
    assert f"fingerprint {published['fingerprint']}: the key you gave" in result.output
    assert "VERDICT: every item is exactly as the ledger recorded it" in result.output
    with zipfile.ZipFile(bundle) as archive:
        assert "S1 down jacket" in archive.read("README.md").decode()


def change_item(files: dict[str, bytes]) -> None:
    files["items/2.json"] = files["items/2.json"].replace("薇信".encode(), "微博".encode())


def drop_item(files: dict[str, bytes]) -> None:
    del files["items/4.json"]


def reorder_two(files: dict[str, bytes]) -> None:
    files["items/1.json"], files["items/2.json"] = files["items/2.json"], files["items/1.json"]


def reorder_two_with_proofs(files: dict[str, bytes]) -> None:
    reorder_two(files)
    files["proofs/1.json"], files["proofs/2.json"] = (
        files["proofs/2.json"],
        files["proofs/1.json"],
    )


def swap_blob(files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.startswith("blobs/") and files[n] == FRAME)
    files[name] = FRAME.replace(b"WeChat", b"Alipay")


def forge_checkpoint(files: dict[str, bytes]) -> None:
    checkpoint = json.loads(files["checkpoint.json"])
    body = CheckpointBody.parse(checkpoint["note"].encode())
    forged = CheckpointBody(body.origin, body.tree_size + 1, body.root_hash, body.issued_at)
    checkpoint["note"] = forged.note().decode()
    files["checkpoint.json"] = json.dumps(checkpoint).encode()


def corrupt_proof(files: dict[str, bytes]) -> None:
    proof = json.loads(files["proofs/5.json"])
    proof["path"][0] = "00" * 32
    files["proofs/5.json"] = json.dumps(proof).encode()


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (change_item, "item 2: its content differs from what the ledger recorded"),
        (drop_item, "item 4 is listed but its record or proof is missing"),
        (reorder_two, "item 1: its content differs"),
        (reorder_two_with_proofs, "item 1: its proof is for item 2"),
        (swap_blob, "has been altered: it no longer matches the hash its item recorded"),
        (forge_checkpoint, "the checkpoint's signature does not match its text"),
        (corrupt_proof, "item 5: its proof does not lead to the signed root"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_tampering_with_a_bundle_is_caught_in_plain_words(bundle, published, tamper, says):
    result = verify(rewrite(bundle, tamper), "--public-key", published)
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "VERDICT: this bundle does NOT prove its contents" in result.output


def test_a_bundle_signed_by_another_key_fails_against_the_published_key(bundle):
    result = verify(bundle, "--public-key", "ab" * 32)
    assert result.exit_code == 1
    assert "is not the key you gave" in result.output


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    result = verify(junk)
    assert result.exit_code == 1
    assert "cannot be opened as a zip archive" in result.output


def test_a_bundle_cannot_name_items_beyond_the_log(client, auth):
    client.post(
        "/api/evidence/items",
        headers=auth(),
        json={"records": [{"kind": "order", "occurred_at": "2026-02-16T20:05:00+08:00"}]},
    )
    response = client.post("/api/evidence/bundles", json={"seqs": [0, 9]}, headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "seqs"


def test_a_bundle_of_the_demo_session_verifies_offline(app, client, auth, clock, tmp_path):
    from liveguard.cli import demo_data

    assert demo_data.load(app.state.settings, clock=clock)
    sessions = client.get("/api/sessions", headers=auth()).json()
    [session_id] = [s["id"] for s in sessions if s["room_code"] == "XH-880231"]
    seqs = [
        e["ledger_seq"]
        for e in client.get(f"/api/sessions/{session_id}/events", headers=auth()).json()
    ]
    assert len(seqs) == 10 and None not in seqs  # with the frame the payment code is held up in
    response = client.post(
        "/api/evidence/bundles",
        headers=auth("regulator"),
        json={"seqs": seqs, "title": "Session XH-880231"},
    )
    path = tmp_path / "session.zip"
    path.write_bytes(response.content)
    result = verify(path, "--public-key", app.state.signer.public_key.hex())
    assert result.exit_code == 0, result.output
    assert "(Chat message) is in the signed log, unchanged" in result.output
    with zipfile.ZipFile(path) as archive:
        texts = [json.loads(archive.read(f"items/{s}.json"))["data"]["text"] for s in seqs]
        frames = [name for name in archive.namelist() if name.startswith("blobs/")]
    assert any(text and "薇信" in text for text in texts)
    assert len(frames) == 1  # the frame's PNG travels with its item, checked by its hash


def _checkpoints(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM evidence_checkpoints")).scalar_one()


def test_exporting_signs_a_checkpoint_only_when_the_log_has_grown(
    client, auth, engine, tmp_path, published
):
    def add_item() -> None:
        record = {"kind": "order", "occurred_at": "2026-02-16T20:05:00+08:00"}
        added = client.post("/api/evidence/items", json={"records": [record]}, headers=auth())
        assert added.status_code == 201, added.text

    def export(seqs: list[int]) -> Path:
        response = client.post(
            "/api/evidence/bundles", json={"seqs": seqs}, headers=auth("regulator")
        )
        assert response.status_code == 200, response.text
        path = tmp_path / f"bundle-{len(list(tmp_path.iterdir()))}.zip"
        path.write_bytes(response.content)
        return path

    add_item()
    add_item()
    export([0, 1])
    signed = _checkpoints(engine)
    assert signed == 1  # the first export needs a checkpoint covering its items
    for seqs in ([0], [0, 1], [1]):
        assert verify(export(seqs), "--public-key", published).exit_code == 0
    assert _checkpoints(engine) == signed  # a reader's export signs nothing new
    add_item()
    assert (
        verify(export([0]), "--public-key", published).exit_code == 0
    )  # the old checkpoint still covers item 0
    assert _checkpoints(engine) == signed
    assert verify(export([2]), "--public-key", published).exit_code == 0
    assert _checkpoints(engine) == signed + 1  # the log grew: one new checkpoint covers it
    assert verify(export([2]), "--public-key", published).exit_code == 0
    assert _checkpoints(engine) == signed + 1


def test_a_bundle_is_not_genuine_until_its_key_is_pinned(bundle, published, tmp_path):
    from liveguard.evidence.signing import fingerprint

    shown = fingerprint(bytes.fromhex(published))
    unverified = verify(bundle)
    assert unverified.exit_code == 1, unverified.output
    assert f"FAIL the signer is UNVERIFIED: the bundle's key, fingerprint (SHA-256) {shown}" in (
        unverified.output
    )
    assert f"liveguard verify --trust-key {published} BUNDLE" in unverified.output
    assert "the signer is UNVERIFIED, so it proves nothing yet" in unverified.output

    trusting = verify(bundle, "--trust-key", published)
    assert trusting.exit_code == 0, trusting.output
    pin_file = tmp_path / "config/liveguard/pinned-keys"
    assert f"pinned: key with fingerprint {shown} in {pin_file}" in trusting.output
    assert pin_file.stat().st_mode & 0o777 == 0o600
    pinned = verify(bundle)  # from now on, without saying anything
    assert pinned.exit_code == 0, pinned.output
    assert f"{shown}: a key you pinned in {pin_file}" in pinned.output


def resign(files: dict[str, bytes]) -> None:
    """A forger's bundle: the same contents, signed throughout with a key of her own."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from liveguard.evidence.signing import Signer

    forger = Signer(Ed25519PrivateKey.generate())
    checkpoint = json.loads(files["checkpoint.json"])
    body = CheckpointBody.parse(checkpoint["note"].encode())
    checkpoint["signature"] = forger.sign(body).hex()
    files["checkpoint.json"] = json.dumps(checkpoint).encode()
    files["public-key.txt"] = forger.public_key.hex().encode()
    manifest = json.loads(files["manifest.json"])
    for name in ("checkpoint.json", "public-key.txt"):
        manifest["files"][name] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    files["manifest.sig"] = forger.sign_manifest(files["manifest.json"]).hex().encode()


def test_a_bundle_signed_throughout_by_another_key_is_not_genuine(bundle, published):
    forged = rewrite(bundle, resign)
    verify(bundle, "--trust-key", published)
    result = verify(forged)
    assert result.exit_code == 1, result.output
    assert "the signer is UNVERIFIED" in result.output
    assert "is not a key you pinned in" in result.output
    assert verify(forged, "--public-key", published).exit_code == 1


def change_readme(files: dict[str, bytes]) -> None:
    files["README.md"] += b"\nThe seller is not liable.\n"


def drop_readme(files: dict[str, bytes]) -> None:
    del files["README.md"]


def add_a_file(files: dict[str, bytes]) -> None:
    files["items/99.json"] = files["items/1.json"]
    files["notes.txt"] = b"added later"


def change_the_manifest(files: dict[str, bytes]) -> None:
    files["manifest.json"] = files["manifest.json"].replace(b"S1 down jacket", b"S2 coat")


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (change_readme, "README.md has been changed since the bundle was made"),
        (drop_readme, "README.md is listed in the manifest but missing"),
        (add_a_file, "files added to the bundle after it was made: items/99.json, notes.txt"),
        (change_the_manifest, "the bundle's file list (manifest.json) is not signed by its key"),
        (change_item, "items/2.json has been changed since the bundle was made"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_file_of_a_bundle_is_covered_by_its_signature(bundle, published, tamper, says):
    result = verify(rewrite(bundle, tamper), "--public-key", published)
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "VERDICT: this bundle does NOT prove its contents" in result.output


@pytest.mark.parametrize("folder", ["", "evidence/"])
def test_a_bundle_unzipped_and_zipped_again_still_verifies(bundle, published, folder):
    """As ordinary tools re-zip: folder entries, another order, perhaps inside a folder."""
    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    again = bundle.with_name("again.zip")
    with zipfile.ZipFile(again, "w", compression=zipfile.ZIP_STORED) as archive:
        if folder:
            archive.writestr(zipfile.ZipInfo(folder), b"")
        for directory in ("blobs/", "items/", "proofs/"):
            archive.writestr(zipfile.ZipInfo(folder + directory), b"")
        for name in reversed(sorted(files)):
            archive.writestr(folder + name, files[name])
    result = verify(again, "--public-key", published)
    assert result.exit_code == 0, result.output
    assert "files are the ones the manifest lists, unchanged" in result.output


def test_two_files_of_the_same_name_are_refused(bundle, published):
    twice = bundle.with_name("twice.zip")
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(twice, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("items/2.json", b'{"kind":"utterance"}')
    result = verify(twice, "--public-key", published)
    assert result.exit_code == 1
    assert "the bundle holds two files named items/2.json" in result.output
