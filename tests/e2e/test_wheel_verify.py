"""A bundle exported from the running demo verifies where only the wheel is installed.

This is the judge's position: a fresh virtual environment with `pip install` of the
LiveGuard wheel, no database, no server, no source tree, and the bundle file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def call(url: str, *, token: str | None = None, body: dict | None = None) -> bytes:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


@pytest.fixture(scope="session")
def wheel_only_verifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`liveguard` from the built wheel in an environment of its own."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEGUARD_", "PYTHON"))}
    source = work / "source"  # build from a copy: setuptools writes build/ beside the sources
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
    )
    shutil.copytree(ROOT, source, ignore=ignore)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w"]
    subprocess.run([*pip_wheel, str(work / "dist"), str(source)], check=True, env=env, cwd=work)
    (wheel,) = (work / "dist").glob("liveguard-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    subprocess.run(
        [
            str(work / "venv/bin/python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        env=env,
        cwd=work,
    )
    return work / "venv/bin/liveguard"


def test_a_demo_session_bundle_verifies_with_only_the_wheel(
    demo_server: str, wheel_only_verifier: Path, tmp_path: Path
):
    token = json.loads(
        call(f"{demo_server}/api/auth/login", body={"username": "cases", "password": "demo-cases"})
    )["token"]
    session = json.loads(call(f"{demo_server}/api/sessions", token=token))[0]
    events = json.loads(call(f"{demo_server}/api/sessions/{session['id']}/events", token=token))
    bundle = call(
        f"{demo_server}/api/evidence/bundles",
        token=token,
        body={"seqs": [e["ledger_seq"] for e in events], "title": session["title"]},
    )
    path = tmp_path / "evidence.zip"
    path.write_bytes(bundle)
    published = json.loads(call(f"{demo_server}/api/evidence/public-key"))

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LIVEGUARD_", "PYTHON", "XDG_"))
    }
    env["HOME"] = str(tmp_path)  # no data directory, no config: nothing but the wheel

    def verify(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(wheel_only_verifier), "verify", *args, str(path)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )

    unverified = verify()  # no key given, none pinned: not genuine, and the judge is told why
    assert unverified.returncode == 1, unverified.stdout + unverified.stderr
    fingerprint = published["fingerprint"]
    assert f"签名者未经核实（UNVERIFIED）：证据包的公钥指纹（SHA-256）{fingerprint}" in (
        unverified.stdout
    )  # Chinese by default
    result = verify("--public-key", published["public_key"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("在已签名的日志中，未被改动") == len(events)
    assert "结论：每一项都与账本记录完全一致" in result.stdout
    english = verify("--public-key", published["public_key"], "--lang", "en")
    assert english.stdout.count("is in the signed log, unchanged") == len(events)
    assert "VERDICT: every item is exactly as the ledger recorded it" in english.stdout
    assert not (tmp_path / ".local/share/liveguard").exists()  # verifying wrote nothing
