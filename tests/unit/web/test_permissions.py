"""The access checks the API and the console share: who may read or change a case, an
order or a merchant's records, and for whom a complaint is filed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from liveguard.auth.service import Principal
from liveguard.cases.schemas import CaseOrigin, ComplaintCreate
from liveguard.errors import Forbidden, InvalidInput, NotFound
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.permissions import (
    check_case_access,
    check_merchant_access,
    check_order_reader,
    check_order_writer,
    filer,
)

CONSUMER = Principal(PrincipalKind.consumer, 7, "小王")
OTHER_CONSUMER = Principal(PrincipalKind.consumer, 8, "小李")
MERCHANT = Principal(PrincipalKind.merchant, 3, "shop")
OTHER_MERCHANT = Principal(PrincipalKind.merchant, 4, "other shop")
HANDLER = Principal(PrincipalKind.staff, 1, "handler", StaffRole.case_handler)
REGULATOR = Principal(PrincipalKind.staff, 2, "regulator", StaffRole.regulator)
COMPLIANCE = Principal(PrincipalKind.staff, 5, "compliance", StaffRole.compliance)


@dataclass
class Owned:
    id: int = 11
    consumer_id: int = 7
    merchant_id: int = 3


def test_a_consumer_reaches_her_own_case_and_another_s_is_not_shown_to_exist():
    check_case_access(CONSUMER, Owned(), write=True)
    with pytest.raises(NotFound):
        check_case_access(OTHER_CONSUMER, Owned(), write=False)


def test_the_merchant_reads_a_case_against_it_but_cannot_change_it():
    check_case_access(MERCHANT, Owned(), write=False)
    with pytest.raises(Forbidden, match="只能答复案件"):
        check_case_access(MERCHANT, Owned(), write=True)
    with pytest.raises(NotFound):
        check_case_access(OTHER_MERCHANT, Owned(), write=False)


def test_staff_read_every_case_and_only_case_work_roles_change_one():
    check_case_access(REGULATOR, Owned(), write=False)
    check_case_access(HANDLER, Owned(), write=True)
    with pytest.raises(Forbidden, match="只能查看"):
        check_case_access(REGULATOR, Owned(), write=True)


def complaint(consumer_id: int | None = None) -> ComplaintCreate:
    return ComplaintCreate(summary="买到的锅是坏的", order_id=1, consumer_id=consumer_id)


def test_a_consumer_files_for_herself_and_case_staff_file_on_her_behalf():
    assert filer(CONSUMER, complaint()) == (7, CaseOrigin.consumer)
    assert filer(CONSUMER, complaint(7)) == (7, CaseOrigin.consumer)
    with pytest.raises(Forbidden, match="只能为自己投诉"):
        filer(CONSUMER, complaint(8))
    assert filer(HANDLER, complaint(8)) == (8, CaseOrigin.staff)
    with pytest.raises(InvalidInput):
        filer(HANDLER, complaint())
    for refused in (REGULATOR, MERCHANT):
        with pytest.raises(Forbidden, match="由消费者本人提交"):
            filer(refused, complaint(7))


def test_an_order_is_read_by_staff_its_shop_and_its_buyer_only():
    for reader in (REGULATOR, MERCHANT, CONSUMER):
        check_order_reader(reader, Owned())
    for stranger in (OTHER_MERCHANT, OTHER_CONSUMER):
        with pytest.raises(Forbidden):
            check_order_reader(stranger, Owned())


def test_an_order_is_changed_by_its_shop_or_case_work_staff_not_its_buyer():
    check_order_writer(MERCHANT, Owned())
    check_order_writer(HANDLER, Owned())
    for refused in (CONSUMER, REGULATOR, OTHER_MERCHANT):
        with pytest.raises(Forbidden):
            check_order_writer(refused, Owned())


def test_merchant_records_are_the_merchant_s_own_and_written_by_compliance_staff():
    check_merchant_access(MERCHANT, 3, write=True)
    check_merchant_access(COMPLIANCE, 3, write=True)
    check_merchant_access(HANDLER, 3, write=False)
    with pytest.raises(Forbidden, match="自己店铺的记录"):
        check_merchant_access(OTHER_MERCHANT, 3, write=False)
    with pytest.raises(Forbidden, match="只能查看"):
        check_merchant_access(HANDLER, 3, write=True)
    with pytest.raises(Forbidden, match="消费者账号"):
        check_merchant_access(CONSUMER, 3, write=False)
