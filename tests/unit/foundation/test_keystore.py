"""Key files: created owner-only, reused, never half-written."""

import os
import stat

import pytest

from liveguard.keystore import load_or_create_key

# --- key files -------------------------------------------------------------------------


def test_a_new_key_file_is_created_owner_only(tmp_path):
    path = tmp_path / "secret.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_file_is_created_in_a_missing_directory(tmp_path):
    path = tmp_path / "a" / "b" / "secret.key"
    assert load_or_create_key(path) == path.read_bytes()


def test_a_key_file_is_reused_on_the_second_load(tmp_path):
    path = tmp_path / "secret.key"
    assert load_or_create_key(path) == load_or_create_key(path)


def test_two_key_files_hold_different_keys(tmp_path):
    assert load_or_create_key(tmp_path / "a.key") != load_or_create_key(tmp_path / "b.key")


def test_a_key_of_another_size_can_be_asked_for(tmp_path):
    assert len(load_or_create_key(tmp_path / "small.key", size=16)) == 16


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_key_file_of_the_wrong_size_is_refused(tmp_path, size):
    path = tmp_path / "secret.key"
    path.write_bytes(b"k" * size)
    with pytest.raises(ValueError, match=rf"holds {size} bytes, expected 32"):
        load_or_create_key(path)


def _lose_the_race(monkeypatch, winner_key):
    """Make another process publish its key file just before ours is linked into place."""
    real_link = os.link

    def racing_link(source, target):
        with open(target, "wb") as handle:
            handle.write(winner_key)
        return real_link(source, target)

    monkeypatch.setattr(os, "link", racing_link)


def test_a_process_that_loses_the_creation_race_uses_the_winners_key(tmp_path, monkeypatch):
    winner = b"w" * 32
    _lose_the_race(monkeypatch, winner)
    assert load_or_create_key(tmp_path / "secret.key") == winner
    assert load_or_create_key(tmp_path / "secret.key") == winner


def test_creating_a_key_leaves_no_temporary_files(tmp_path, monkeypatch):
    _lose_the_race(monkeypatch, b"w" * 32)
    load_or_create_key(tmp_path / "a.key")
    monkeypatch.undo()
    load_or_create_key(tmp_path / "b.key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.key", "b.key"]
