"""Case routes: file a complaint, read its answer, answer its questions, add evidence;
the workflow steps for staff and parties; the bundle; the public record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liveguard.bounds import Id
from liveguard.cases import flows, handling, publicity, service, workflow
from liveguard.cases.enums import CaseState
from liveguard.cases.models import Case, CaseEvent, CaseFile
from liveguard.cases.schemas import (
    CaseDetail,
    CaseRead,
    CompensationCreate,
    ComplaintCreate,
    DecisionCreate,
    EventRead,
    FactsAnswer,
    FileRead,
    LinkRead,
    NoteIn,
    OverdueRead,
    PartyAnswerIn,
    PublicationRead,
    PublicCase,
    PublishCreate,
    TransitionIn,
)
from liveguard.errors import Forbidden, NotFound
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import (
    AnyStaff,
    Blobs,
    CaseWork,
    Cipher,
    CurrentSettings,
    DbSession,
    LogSigner,
    Now,
    Signed,
    Today,
    actor,
)
from liveguard.web.permissions import CASE_WORK, check_case_access, filer

router = APIRouter(tags=["cases"])


def current_case(case_id: Id, db_session: DbSession, _: Signed) -> Case:
    return service.get(db_session=db_session, case_id=case_id)


CurrentCase = Annotated[Case, Depends(current_case)]


def detail(db_session: Session, case: Case) -> CaseDetail:
    shown = CaseDetail.model_validate(case)
    shown.events = [
        EventRead.model_validate(e)
        for e in service.get_events(db_session=db_session, case_id=case.id)
    ]
    shown.files = [
        FileRead.model_validate(f)
        for f in service.get_files(db_session=db_session, case_id=case.id)
    ]
    shown.links = [
        LinkRead.model_validate(link)
        for link in service.get_links(db_session=db_session, case_id=case.id)
    ]
    shown.next_states = workflow.next_states(case)
    return shown


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseDetail)
def file_complaint(
    complaint_in: ComplaintCreate, db_session: DbSession, principal: Signed, now: Now, today: Today
) -> CaseDetail:
    """File a complaint; the answer (who is liable, under which rule, what is owed, by
    when, and what is still to be asked) comes back at once."""
    consumer_id, origin = filer(principal, complaint_in)
    case = flows.file_complaint(
        db_session=db_session,
        complaint_in=complaint_in,
        consumer_id=consumer_id,
        origin=origin,
        actor=actor(principal),
        now=now,
        today=today,
    )
    return detail(db_session, case)


@router.get("/cases", response_model=list[CaseRead])
def list_cases(
    db_session: DbSession, principal: Signed, state: CaseState | None = None
) -> Sequence[Case]:
    if principal.kind is PrincipalKind.consumer:
        return service.get_all(db_session=db_session, consumer_id=principal.id, state=state)
    if principal.kind is PrincipalKind.merchant:
        return service.get_all(db_session=db_session, merchant_id=principal.id, state=state)
    return service.get_all(db_session=db_session, state=state)


def overdue_read(late: list[workflow.Overdue]) -> list[OverdueRead]:
    return [
        OverdueRead(
            case_id=o.case.id,
            state=o.case.state,
            due_step=o.case.due_step,
            due_on=o.case.due_on,
            days_overdue=o.days_overdue,
        )
        for o in late
    ]


@router.get("/cases/overdue", response_model=list[OverdueRead])
def overdue_cases(db_session: DbSession, _: AnyStaff, today: Today) -> list[OverdueRead]:
    return overdue_read(workflow.overdue(db_session=db_session, today=today))


@router.post("/cases/reminders", response_model=list[OverdueRead])
def send_reminders(db_session: DbSession, _: CaseWork, today: Today, now: Now) -> list[OverdueRead]:
    """Record a reminder on every overdue step (what the server's timer does)."""
    return overdue_read(workflow.remind(db_session=db_session, today=today, now=now))


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(case: CurrentCase, db_session: DbSession, principal: Signed) -> CaseDetail:
    check_case_access(principal, case, write=False)
    return detail(db_session, case)


@router.post("/cases/{case_id}/facts", response_model=CaseDetail)
def answer_facts(
    answer_in: FactsAnswer,
    case: CurrentCase,
    db_session: DbSession,
    principal: Signed,
    now: Now,
    today: Today,
) -> CaseDetail:
    """Answer the questions the answer asked; the case is resolved again."""
    check_case_access(principal, case, write=True)
    flows.answer_facts(
        db_session=db_session,
        case=case,
        answers=answer_in.facts,
        actor=actor(principal),
        party_role="staff" if principal.is_staff else "consumer",
        now=now,
        today=today,
    )
    return detail(db_session, case)


@router.post("/cases/{case_id}/files", status_code=status.HTTP_201_CREATED, response_model=FileRead)
async def add_file(
    case: CurrentCase,
    db_session: DbSession,
    principal: Signed,
    blobs: Blobs,
    now: Now,
    file: Annotated[UploadFile, File(description="a photo, receipt, chat log or recording")],
) -> CaseFile:
    check_case_access(principal, case, write=True)
    return service.add_file(
        db_session=db_session,
        case=case,
        blobs=blobs,
        content=await file.read(),
        file_name=file.filename or "evidence",
        content_type=file.content_type or "application/octet-stream",
        actor=actor(principal),
        now=now,
    )


@router.post("/cases/{case_id}/transition", response_model=CaseDetail)
def move_case(
    transition_in: TransitionIn,
    case: CurrentCase,
    db_session: DbSession,
    principal: CaseWork,
    now: Now,
    today: Today,
) -> CaseDetail:
    workflow.transition(
        db_session=db_session,
        case=case,
        to_state=transition_in.to_state,
        actor=principal.name,
        party_role="staff",
        reason=transition_in.reason,
        now=now,
        today=today,
    )
    return detail(db_session, case)


@router.post(
    "/cases/{case_id}/answers", status_code=status.HTTP_201_CREATED, response_model=EventRead
)
def party_answer(
    answer_in: PartyAnswerIn,
    case: CurrentCase,
    db_session: DbSession,
    principal: Signed,
    now: Now,
    party: str = "anchor",
) -> CaseEvent:
    """The merchant answers as itself; case staff take down the anchor's (or MCN's) answer."""
    if principal.kind is PrincipalKind.merchant:
        check_case_access(principal, case, write=False)
        role = "merchant"
    elif principal.is_staff and principal.role in CASE_WORK:
        role = party
    else:
        raise Forbidden("answers come from the merchant, or are taken down by case staff")
    return handling.answer(
        db_session=db_session,
        case=case,
        party_role=role,
        text=answer_in.text,
        actor=actor(principal),
        now=now,
    )


@router.post(
    "/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED, response_model=EventRead
)
def mediation_note(
    note_in: NoteIn, case: CurrentCase, db_session: DbSession, principal: CaseWork, now: Now
) -> CaseEvent:
    return handling.note(
        db_session=db_session, case=case, text=note_in.text, actor=principal.name, now=now
    )


@router.post("/cases/{case_id}/decision", response_model=CaseDetail)
def decide(
    decision_in: DecisionCreate,
    case: CurrentCase,
    db_session: DbSession,
    principal: CaseWork,
    now: Now,
    today: Today,
) -> CaseDetail:
    handling.decide(
        db_session=db_session,
        case=case,
        decision_in=decision_in,
        actor=principal.name,
        now=now,
        today=today,
    )
    return detail(db_session, case)


@router.post("/cases/{case_id}/compensation", response_model=CaseDetail)
def compensate(
    compensation_in: CompensationCreate,
    case: CurrentCase,
    db_session: DbSession,
    principal: CaseWork,
    now: Now,
    today: Today,
) -> CaseDetail:
    """Platform advance compensation out of the merchant's deposit."""
    handling.compensate(
        db_session=db_session,
        case=case,
        compensation_in=compensation_in,
        actor=principal.name,
        now=now,
        today=today,
    )
    return detail(db_session, case)


# response_model=None: the dict goes out as it is, not through a model of its annotation.
@router.post("/cases/{case_id}/anchor-identity", response_model=None)
def anchor_identity(
    case: CurrentCase, db_session: DbSession, principal: Signed, cipher: Cipher, now: Now
) -> dict[str, object]:
    """The anchor's verified identity, for the consumer, when the answer requires it."""
    check_case_access(principal, case, write=True)
    return handling.disclose_anchor_identity(
        db_session=db_session, case=case, cipher=cipher, actor=actor(principal), now=now
    )


@router.post(
    "/cases/{case_id}/bundle",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def case_bundle(
    case: CurrentCase,
    db_session: DbSession,
    principal: Signed,
    signer: LogSigner,
    blobs: Blobs,
    settings: CurrentSettings,
) -> Response:
    """The case's evidence bundle: verify it offline with ``liveguard verify``. For the
    consumer and staff (a regulator too); not for the merchant complained of."""
    check_case_access(principal, case, write=principal.kind is PrincipalKind.merchant)
    content = publicity.export_bundle(
        db_session=db_session,
        case=case,
        blobs=blobs,
        signer=signer,
        origin=settings.checkpoint_origin,
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="liveguard-case-{case.id}.zip"'},
    )


@router.get("/cases/{case_id}/publication", response_model=PublicationRead)
def publication(principal: CaseWork, case: CurrentCase, db_session: DbSession) -> PublicationRead:
    """The public record as it would be published, scrubbed, with its digest: check it,
    then publish that version."""
    return publicity.draft(db_session=db_session, case=case)


@router.post("/cases/{case_id}/publish", response_model=PublicCase)
def publish(
    case: CurrentCase,
    publish_in: PublishCreate,
    db_session: DbSession,
    principal: CaseWork,
    now: Now,
) -> PublicCase:
    """Publish the previewed public record (``confirm``: its digest)."""
    return publicity.publish(
        db_session=db_session,
        case=case,
        confirm=publish_in.confirm,
        actor=principal.name,
        now=now,
    )


@router.get("/public/cases", response_model=list[PublicCase], tags=["public"])
def public_cases(db_session: DbSession) -> list[PublicCase]:
    """Complaint publicity: published cases, anonymised."""
    return [
        publicity.public_record(db_session=db_session, case=case)
        for case in service.get_published(db_session=db_session)
    ]


@router.get("/public/cases/{case_id}", response_model=PublicCase, tags=["public"])
def public_case(case_id: Id, db_session: DbSession) -> PublicCase:
    case = service.get(db_session=db_session, case_id=case_id)
    if case.published_at is None:
        raise NotFound("published case", case_id)
    return publicity.public_record(db_session=db_session, case=case)
