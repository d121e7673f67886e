"""Who may do what: the role sets and the access checks the routes and pages share.

Pure functions on a principal and the record it asks for, no routing: a route calls one
after its lookup, so the API and the console refuse the same callers with the same words.
The records are described by the few fields a check reads, so this module needs no
package's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from liveguard import refusals as words
from liveguard.auth.service import Principal
from liveguard.cases import refusals
from liveguard.cases.schemas import CaseOrigin, ComplaintCreate
from liveguard.credit.enums import SubjectKind
from liveguard.errors import Forbidden, NotAuthenticated, NotFound
from liveguard.labels import label
from liveguard.vocab import PrincipalKind, StaffRole

# Staff who work complaint cases and orders: handle, decide, compensate, correct.
CASE_WORK = (StaffRole.compliance, StaffRole.case_handler, StaffRole.admin)
# Staff who change what the platform has on record for a merchant, and decide reviews.
COMPLIANCE_WORK = (StaffRole.compliance, StaffRole.admin)
# Staff who record a sample test of a listing's goods (a market regulator's too).
SAMPLE_WRITERS = (StaffRole.compliance, StaffRole.regulator, StaffRole.admin)
# Staff who write a live room's events (they land in the ledger and trigger actions): the
# HTTP batch route and the WebSocket both admit exactly these.
LIVE_INGEST = COMPLIANCE_WORK


def _refused(code: str, **slots: object) -> Forbidden:
    """The access refusal ``web.refusal.<code>`` with its fix, as a 403 page shows it."""
    return words.forbidden("web", code, **slots)


def check_staff(principal: Principal | None, roles: Iterable[StaffRole] = ()) -> Principal:
    """Staff with one of ``roles`` (admins always; none given = any staff), else refused:
    NotAuthenticated for nobody, Forbidden for anyone else."""
    if principal is None:
        raise NotAuthenticated(
            "this route needs a staff sign-in: send 'Authorization: Bearer <token>'"
        )
    if not principal.is_staff:
        raise _refused("wrong_account", kind=label(principal.kind))
    allowed = (*roles, StaffRole.admin)
    if len(allowed) > 1 and principal.role not in allowed:
        needed = "、".join(label(role) for role in dict.fromkeys(allowed))
        raise _refused("wrong_role", role=label(principal.role), needed=needed)
    return principal


class CaseOwners(Protocol):
    """What the case checks read of a case."""

    @property
    def id(self) -> int: ...
    @property
    def consumer_id(self) -> int | None: ...
    @property
    def merchant_id(self) -> int | None: ...


class OrderParties(Protocol):
    """What the order checks read of an order."""

    @property
    def consumer_id(self) -> int: ...
    @property
    def merchant_id(self) -> int: ...


def check_own_data(principal: Principal) -> int:
    """The signed-in consumer's own id: her data's page and requests are hers alone."""
    if principal.kind is not PrincipalKind.consumer:
        raise _refused("own_data_only")
    return principal.id


def check_consent_writer(principal: Principal, holder_merchant_id: int | None) -> None:
    """Compliance staff, or a merchant recording a consent given to itself."""
    if principal.kind is PrincipalKind.merchant:
        if holder_merchant_id != principal.id:
            raise _refused("own_consents_only")
        return
    check_staff(principal, COMPLIANCE_WORK)


def check_merchant_access(principal: Principal, merchant_id: int, *, write: bool) -> None:
    """Staff (writers need compliance) or the merchant itself."""
    if principal.kind is PrincipalKind.merchant:
        if principal.id != merchant_id:
            raise _refused("own_records_only")
        return
    if not principal.is_staff:
        raise _refused("wrong_account", kind=label(principal.kind))
    if write and principal.role not in COMPLIANCE_WORK:
        raise _refused("read_only", role=label(principal.role))


def check_case_access(principal: Principal, case: CaseOwners, *, write: bool) -> None:
    """Staff (writers: case handlers, compliance), the consumer herself, or the merchant."""
    if principal.kind is PrincipalKind.consumer:
        if case.consumer_id != principal.id:
            raise NotFound("case", case.id)  # another's case is not even shown to exist
        return
    if principal.kind is PrincipalKind.merchant:
        if case.merchant_id != principal.id:
            raise NotFound("case", case.id)
        if write:
            raise _refused("merchant_answers_only")
        return
    if write and principal.role not in CASE_WORK:
        raise _refused("read_only", role=label(principal.role))


def filer(principal: Principal, complaint_in: ComplaintCreate) -> tuple[int | None, CaseOrigin]:
    """Who the complaint is for: a consumer files her own; staff file on one's behalf."""
    if principal.kind is PrincipalKind.consumer:
        if complaint_in.consumer_id not in (None, principal.id):
            raise _refused("own_complaints_only")
        return principal.id, CaseOrigin.consumer
    if principal.is_staff and principal.role in CASE_WORK:
        if complaint_in.consumer_id is None:
            raise refusals.invalid("consumer_id", "whose_complaint")
        return complaint_in.consumer_id, CaseOrigin.staff
    raise _refused("who_files")


def check_order_reader(principal: Principal, order: OrderParties) -> None:
    """Staff, the shop that sold it, or the buyer: nobody else sees an order."""
    if principal.is_staff:
        return
    if principal.kind is PrincipalKind.merchant and principal.id == order.merchant_id:
        return
    if principal.kind is PrincipalKind.consumer and principal.id == order.consumer_id:
        return
    raise _refused("order_readers")


def check_order_writer(principal: Principal, order: OrderParties) -> None:
    """Case-work staff (the platform's integration account is one), or the shop itself."""
    if principal.kind is PrincipalKind.merchant and principal.id == order.merchant_id:
        return
    if principal.is_staff and principal.role in CASE_WORK:
        return
    raise _refused("order_writers")


def check_credit_party(
    principal: Principal, subject_kind: SubjectKind, subject_id: int, *, write: bool
) -> None:
    """A credit record: staff (writers: compliance) or the merchant itself. Anchors, MCNs
    and platforms have no sign-in here, so compliance staff act for them."""
    if subject_kind is SubjectKind.merchant:
        check_merchant_access(principal, subject_id, write=write)
        return
    check_staff(principal, COMPLIANCE_WORK if write else ())


def check_room_reader(principal: Principal, merchant_id: int | None = None) -> None:
    """Any staff, or the merchant who paid for the room: its own rooms' picture only.
    Without ``merchant_id`` (before the room is looked up), only the kind is checked."""
    if principal.is_staff:
        return
    if principal.kind is PrincipalKind.merchant and merchant_id in (None, principal.id):
        return
    raise _refused("room_readers")
