"""The words every package shares: who is calling, their staff role, how serious a finding is.

Kept apart from the table modules so that a package can name a role or a severity without
importing another package's tables.
"""

from __future__ import annotations

from enum import StrEnum


class PrincipalKind(StrEnum):
    staff = "staff"
    consumer = "consumer"
    merchant = "merchant"


class StaffRole(StrEnum):
    admin = "admin"
    compliance = "compliance"
    case_handler = "case_handler"
    regulator = "regulator"  # read-only: reports, lists, exports


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical: severities compare by rank, not by name."""
        return _RANK[self]


_RANK = {Severity.low: 0, Severity.medium: 1, Severity.high: 2, Severity.critical: 3}
