"""How a case's facts are asked for in a form and read back: one field of the liability
engine's ``CaseFacts`` as a select, a yes/no, an amount in yuan...; shared by the case page
(answering its questions) and the complaint form."""

from __future__ import annotations

import json
import typing
from datetime import date
from enum import Enum
from typing import Any

from liveguard.liability import service as liability_service
from liveguard.liability.facts import CaseFacts
from liveguard.money import parse_yuan


def fact_field(name: str) -> dict[str, Any]:
    """How to ask for one CaseFacts field in a form: its kind and, for a choice, the values."""
    annotation = CaseFacts.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = args[0]
    if typing.get_origin(kind) is typing.Annotated:  # Fen, Name: constrained int / str
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind)
        if isinstance(item, type) and issubclass(item, Enum):  # several choices, e.g. terms
            return {"name": name, "input": "multi", "choices": _choices(item)}
    if kind is bool:
        return {"name": name, "input": "bool"}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"name": name, "input": "select", "choices": _choices(kind)}
    if kind is date:
        return {"name": name, "input": "date"}
    if kind is int and name.endswith("_fen"):
        return {"name": name, "input": "yuan"}  # people answer in yuan; stored in fen
    if kind is int:
        return {"name": name, "input": "number"}
    return {"name": name, "input": "json"}


def _choices(kind: type[Enum]) -> list[tuple[str, str]]:
    """Each value of a choice with its Chinese label (no bare codes on a page)."""
    return [(e.value, liability_service.value_label(e.value)) for e in kind]


def parse_answer(name: str, raw: str | list[str]) -> Any:
    field = fact_field(name)
    if field["input"] == "multi":
        picked = [raw] if isinstance(raw, str) else raw
        return [v for v in picked if v.strip()] or None
    raw = raw.strip() if isinstance(raw, str) else (raw[0].strip() if raw else "")
    if field["input"] == "bool":
        return {"yes": True, "no": False}.get(raw)
    if field["input"] == "json":
        return json.loads(raw) if raw else None
    if field["input"] == "yuan":
        return parse_yuan(raw) if raw else None
    return raw or None
