"""The evening load generator (benchmarks/load_evening.py) runs end to end for a few
seconds against one real ``liveguard monitor`` worker, PostgreSQL, NATS and an API
process: the banners reach the rooms' warning streams and the table is printed. It checks
that the generator works, not how fast anything is (that is the benchmark's job)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import port_open, service_missing
from tests.integration.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.faults  # starts servers of its own and takes a minute: CI or on request

ROOT = Path(__file__).resolve().parents[3]
NATS_URL = os.environ.get("LIVEGUARD_TEST_NATS_URL", "nats://127.0.0.1:4222")


def test_the_evening_generator_publishes_rooms_and_its_banners_reach_the_viewers(tmp_path):
    admin = make_url(POSTGRES_ADMIN_URL)
    if not port_open(admin.host or "127.0.0.1", admin.port or 5432):
        service_missing(f"no PostgreSQL answers at {admin.host}:{admin.port}")
    if not port_open("127.0.0.1", int(NATS_URL.rsplit(":", 1)[1])):
        service_missing(f"no NATS answers at {NATS_URL}")
    server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]  # the server, without its database
    command = [sys.executable, str(ROOT / "benchmarks" / "load_evening.py"), "--server", server]
    command += ["--nats-url", NATS_URL, "--rooms", "12", "--busy", "2", "--flagged", "5"]
    command += ["--seconds", "4", "--workers", "1", "--worker-cpu", "0", "--api", "1"]
    command += ["--drain-timeout", "90", "--keep", str(tmp_path / "data")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "stored ev/s" in output and "warning p50/p99 ms" in output, output
    run = next(line for line in output.splitlines() if line.strip().startswith("1 "))
    assert " 5/5 " in run, output  # every flagged room's viewers got the banner
