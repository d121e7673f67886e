"""The kinds of integrity finding, for other capabilities to name without the tables."""

from __future__ import annotations

from enum import StrEnum


class FindingKind(StrEnum):
    brushing = "brushing"  # order brushing by concentration
    lockstep = "lockstep"  # a buyer group paying in lockstep across shops
