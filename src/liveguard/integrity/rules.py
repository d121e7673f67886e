"""The integrity detectors' thresholds, severities and legal basis, read from data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from pydantic import Field

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.integrity.enums import FindingKind
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity


class OrdersStep(Strict):
    min_orders: int = Field(ge=1)
    severity: Severity


class ScoreStep(Strict):
    min_score: float = Field(ge=0)
    severity: Severity


class Brushing(Strict):
    window_minutes: int = Field(ge=1, le=1440)
    concentration: Decimal = Field(gt=1)
    min_orders_for_finding: int = Field(ge=1)
    severity: list[OrdersStep]


class Lockstep(Strict):
    window_minutes: int = Field(ge=1, le=1440)
    crowd: int = Field(ge=2)
    pair_shops: int = Field(ge=1)
    min_members: int = Field(ge=2)
    min_shops: int = Field(ge=1)
    min_score: float = Field(ge=0)
    severity: list[ScoreStep]


class Kind(Strict):
    title_zh: str
    summary_zh: str


class Basis(Strict):
    always: list[LegalBasis]
    aucl_2025: list[LegalBasis]
    aucl_2019: list[LegalBasis]
    fraud: list[LegalBasis]


class Rules(Strict):
    brushing: Brushing
    lockstep: Lockstep
    kinds: dict[FindingKind, Kind]
    aucl_2025_from: date
    legal_basis: Basis

    def basis_for(self, conduct_on: date, *, fraud: bool = False) -> list[LegalBasis]:
        """The provisions a finding cites: the AUCL text in force when the conduct began."""
        aucl = (
            self.legal_basis.aucl_2025
            if conduct_on >= self.aucl_2025_from
            else self.legal_basis.aucl_2019
        )
        return [*self.legal_basis.always, *aucl, *(self.legal_basis.fraud if fraud else [])]

    def brushing_severity(self, orders: int) -> Severity:
        return _highest(orders, [(s.min_orders, s.severity) for s in self.brushing.severity])

    def lockstep_severity(self, score: float) -> Severity:
        return _highest(score, [(s.min_score, s.severity) for s in self.lockstep.severity])


def _highest(value: float, steps: list[tuple[float, Severity]]) -> Severity:
    """The severity of the last step ``value`` reaches (steps ascending); low below all."""
    found = Severity.low
    for least, severity in steps:
        if value >= least:
            found = severity
    return found


@cache
def rules() -> Rules:
    return datafiles.load("liveguard.integrity", "integrity.yaml", Rules)
