"""The language the command line speaks: Chinese unless ``--lang en`` (before or after the
command) or ``LIVEGUARD_LANG=en`` says English. Its sentences are in data/labels.yaml,
kinds ``cli.*``, beside the words pages use for the same codes."""

from __future__ import annotations

from typing import Annotated

import typer

from liveguard import config, labels

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="zh（中文，默认）or en (English); default: LIVEGUARD_LANG or zh",
        show_default=False,
    ),
]

_chosen: dict[str, labels.Lang] = {}


def choose(value: str | None) -> labels.Lang:
    """Set the language from ``--lang`` or, when not given, ``LIVEGUARD_LANG``; exit 2
    with a message on anything but zh and en."""
    given = value if value is not None else config.cli_language()
    try:
        lang = labels.language(given)
    except ValueError:
        typer.echo(labels.say("cli.main", "bad_lang", "zh", lang=given), err=True)
        raise typer.Exit(2) from None
    _chosen["lang"] = lang
    return lang


def lang() -> labels.Lang:
    return _chosen.get("lang") or choose(None)


def say(code: str, kind: str = "cli.main", /, **slots: object) -> str:
    return labels.say(kind, code, lang(), **slots)


def label(value: object, kind: str | None = None) -> str:
    return labels.label(value, kind, lang())
