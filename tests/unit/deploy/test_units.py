"""The deployment files under ``deploy/`` run real ``liveguard`` commands with options
those commands take: every systemd ``ExecStart`` and every Procfile line is parsed by
the CLI itself (click's parser, nothing run), and its ``--help`` answers."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from liveguard.cli.main import app

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
# What systemd and the environment file fill in: an instance name, the partitions.
SAMPLE_INSTANCE = "8001"


def _environment() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / "liveguard.env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {k: v for k, v in pairs}


def _expand(command: str) -> str:
    command = command.replace("%i", SAMPLE_INSTANCE)
    for name, value in _environment().items():
        command = command.replace(f"${{{name}}}", value)
    assert "${" not in command and "%" not in command, f"unexpanded: {command}"
    return command


def _commands() -> list[tuple[str, str]]:
    found = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(unit, encoding="utf-8")
        found.append((unit.name, parser["Service"]["ExecStart"]))
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            found.append((f"Procfile {name}", command.strip()))
    return found


COMMANDS = _commands()


def _liveguard_args(command: str) -> list[str]:
    tokens = shlex.split(_expand(command))
    start = next(i for i, t in enumerate(tokens) if t == "liveguard" or t.endswith("/liveguard"))
    return tokens[start + 1 :]


def _leaf(args: list[str]) -> tuple[list[str], Any, list[str]]:
    """The subcommand path, its click command (Typer's own click), the arguments left."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    while hasattr(command, "get_command") and args and not args[0].startswith("-"):
        sub = command.get_command(command.context_class(command), args[0])
        assert sub is not None, f"no command liveguard {' '.join([*path, args[0]])}"
        path.append(args[0])
        command, args = sub, args[1:]
    return path, command, args


def test_every_unit_and_procfile_line_is_found() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"liveguard-api@.service", "liveguard-monitor@.service"} <= names
    assert {"Procfile web", "Procfile monitor"} <= names


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_the_command_exists_and_takes_the_options_given(where: str, command: str) -> None:
    path, leaf, rest = _leaf(_liveguard_args(command))
    assert path, f"{where}: names no subcommand"
    shown = CliRunner().invoke(app, [*path, "--help"])
    assert shown.exit_code == 0, f"{where}: liveguard {' '.join(path)} --help: {shown.output}"
    leaf.make_context(" ".join(path), list(rest))  # raises on an unknown option or bad value


def test_a_misspelt_option_would_fail_the_check() -> None:
    _, leaf, rest = _leaf(["monitor", "--partition", "8"])
    with pytest.raises(Exception, match="No such option"):
        leaf.make_context("monitor", rest)
