"""The credit console's words (a score history's cause reads as what happened) and who
may read and write a credit record."""

from __future__ import annotations

import pytest

from liveguard.auth.service import Principal
from liveguard.credit.enums import SubjectKind
from liveguard.errors import Forbidden
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.credit_pages import cause_zh
from liveguard.web.permissions import check_credit_party


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        ("breach:7", "未按承诺发货或送达 #7"),
        ("live_finding:12", "直播间违规记录 #12"),
        ("dismissed:live_finding:12", "违规记录被驳回 #12"),
        ("case:3", "投诉处理决定 #3"),
        ("proposal:red", "提议列入名单时重算"),
        ("something_new:x", "记录更新"),
    ],
)
def test_a_history_cause_reads_as_what_happened(cause: str, words: str) -> None:
    assert cause_zh(cause) == words


def test_a_credit_record_is_the_merchants_own_or_staffs() -> None:
    shop = Principal(PrincipalKind.merchant, 3, "shop")
    regulator = Principal(PrincipalKind.staff, 1, "reg", StaffRole.regulator)
    compliance = Principal(PrincipalKind.staff, 2, "c", StaffRole.compliance)
    check_credit_party(shop, SubjectKind.merchant, 3, write=True)
    check_credit_party(regulator, SubjectKind.anchor, 9, write=False)
    check_credit_party(compliance, SubjectKind.anchor, 9, write=True)
    for principal, kind, subject_id, write in (
        (shop, SubjectKind.merchant, 4, False),
        (shop, SubjectKind.anchor, 3, False),
        (regulator, SubjectKind.anchor, 9, True),
        (Principal(PrincipalKind.consumer, 3, "buyer"), SubjectKind.merchant, 3, False),
    ):
        with pytest.raises(Forbidden):
            check_credit_party(principal, kind, subject_id, write=write)
