"""No number or date the API takes reaches the database out of range: generated from the app.

Two walks over the app itself, so a route added tomorrow is covered without editing this
file: the OpenAPI document (every integer a request may carry has a maximum) and the route
table (a huge id in every path, as every kind of caller, is never a server error; where the
caller may reach the route at all, it is a 404).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, get_args, get_origin

import pytest
from fastapi import params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.websockets import WebSocketDisconnect

from liveguard import bounds, money
from liveguard.auth import service as auth_service
from liveguard.bounds import INT32_MAX
from liveguard.db import transaction
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import ConsumerCreate
from liveguard.vocab import PrincipalKind
from tests import factories

HUGE = (2**31, 2**63)
PRINCIPALS = ("anonymous", "admin", "compliance", "case_handler", "regulator", "merchant")
PRINCIPALS += ("consumer",)
# A caller the route does not admit: sign in, not allowed, or a console page's redirect.
TURNED_AWAY = {401, 403, 303, 307}


def _integers_without_maximum(
    schema: dict[str, Any], where: str, components: dict[str, Any], seen: frozenset[str]
) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _integers_without_maximum(
                components[name], f"{where}<{name}>", components, seen | {name}
            )
        return
    if schema.get("type") == "integer" and not {"maximum", "exclusiveMaximum"} & schema.keys():
        yield where
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from _integers_without_maximum(branch, where, components, seen)
    for name, field in schema.get("properties", {}).items():
        yield from _integers_without_maximum(field, f"{where}.{name}", components, seen)
    if isinstance(schema.get("items"), dict):
        yield from _integers_without_maximum(schema["items"], f"{where}[]", components, seen)


def test_every_integer_a_request_carries_has_a_maximum_the_database_holds(app):
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    unbounded: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            schemas = [
                (f"{method.upper()} {path} {p['in']}:{p['name']}", p.get("schema", {}))
                for p in operation.get("parameters", [])
            ] + [
                (f"{method.upper()} {path} body", media.get("schema", {}))
                for media in operation.get("requestBody", {}).get("content", {}).values()
            ]
            for where, schema in schemas:
                unbounded.extend(_integers_without_maximum(schema, where, components, frozenset()))
    assert unbounded == []


def test_an_id_beyond_its_column_is_refused_naming_the_field_and_the_limit(client, auth):
    body = factories.merchant(INT32_MAX + 1)
    response = client.post("/api/merchants", json=body, headers=auth("admin"))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "platform_id"
    assert "2147483647" in error["message"]


def _headers(app, client, auth, principal: str) -> dict[str, str]:
    if principal == "anonymous":
        return {}
    if principal not in ("merchant", "consumer"):
        return auth(principal)
    with transaction(app.state.session_factory) as session:
        if principal == "consumer":
            consumer = parties_service.create_consumer(
                db_session=session,
                cipher=app.state.cipher,
                consumer_in=ConsumerCreate(nickname="买家", phone=factories.phone()),
            )
            kind, principal_id = PrincipalKind.consumer, consumer.id
        else:
            platform = client.post(
                "/api/platforms", json=factories.platform(), headers=auth("admin")
            ).json()
            merchant = client.post(
                "/api/merchants", json=factories.merchant(platform["id"]), headers=auth("admin")
            ).json()
            kind, principal_id = PrincipalKind.merchant, merchant["id"]
        token = auth_service.issue(
            db_session=session, principal_kind=kind, principal_id=principal_id, label="test"
        )
    return {"Authorization": f"Bearer {token}"}


def _names_something_else(route: Any) -> bool:
    """A path with a parameter that is not a number (a platform code): a 422 is right there."""
    dependant = getattr(route, "dependant", None)
    fields = get_flat_params(dependant) if dependant else []
    return any(
        isinstance(field.field_info, params.Path) and field.field_info.annotation is not int
        for field in fields
    )


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_a_huge_id_in_any_url_is_a_404_never_a_server_error(app, client, auth, principal):
    headers = _headers(app, client, auth, principal)
    calm = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    failures, tried = [], 0
    for context in iter_route_contexts(app.routes):
        if "{" not in context.path or context.path.startswith("/static"):
            continue
        for huge in HUGE:
            url = re.sub(r"\{[^}]+\}", str(huge), context.path)
            if isinstance(context.original_route, APIWebSocketRoute):
                tried += 1
                try:
                    with calm.websocket_connect(url, headers=headers):
                        failures.append(("WS", context.path, huge, "accepted"))
                except WebSocketDisconnect:
                    pass  # refused before accepting: the id cannot name a session
                continue
            for method in sorted(getattr(context.original_route, "methods", None) or ()):
                tried += 1
                response = calm.request(method, url, headers=headers, json={})
                expected = TURNED_AWAY | {404}
                if _names_something_else(context.original_route):
                    expected.add(422)
                if response.status_code not in expected:
                    failures.append((method, context.path, huge, response.status_code))
    assert tried > 100
    assert failures == []


@pytest.fixture
def merchant_id(client, auth) -> int:
    platform = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    body = factories.merchant(platform.json()["id"])
    return int(client.post("/api/merchants", json=body, headers=auth("admin")).json()["id"])


def test_a_deposit_payment_above_its_limit_is_refused_naming_the_limit(client, auth, merchant_id):
    url = f"/api/merchants/{merchant_id}/deposit/movements"
    body = {"kind": "pay_in", "amount_fen": money.MAX_DEPOSIT_FEN + 1, "reason": "deposit"}
    response = client.post(url, json=body, headers=auth())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "amount_fen"
    assert str(money.MAX_DEPOSIT_FEN) in error["message"]


def test_repeated_deposit_payments_stop_at_the_balance_cap(client, auth, merchant_id):
    url = f"/api/merchants/{merchant_id}/deposit/movements"
    body = {"kind": "pay_in", "amount_fen": money.MAX_DEPOSIT_FEN, "reason": "deposit"}
    times = money.MAX_DEPOSIT_BALANCE_FEN // money.MAX_DEPOSIT_FEN
    for _ in range(times):
        assert client.post(url, json=body, headers=auth()).status_code == 201
    response = client.post(url, json={**body, "amount_fen": 1}, headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount_fen"
    assert "above the most a deposit may hold (¥100,000,000.00)" in response.json()["detail"]
    deposit = client.get(f"/api/merchants/{merchant_id}/deposit", headers=auth()).json()
    assert deposit["balance_fen"] == money.MAX_DEPOSIT_BALANCE_FEN


@pytest.mark.parametrize(
    ("field", "limit"), [("price_fen", money.MAX_PRICE_FEN), ("stock", INT32_MAX)]
)
def test_a_listing_number_beyond_its_limit_is_refused(client, auth, merchant_id, field, limit):
    body = {"merchant_id": merchant_id, "title": "纯棉短袖T恤 白色", "category": "apparel"}
    body = {**body, "price_fen": 4900, field: limit + 1}
    response = client.post("/api/listings", json=body, headers=auth())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert str(limit) in error["message"]
    assert error["fix"] == "send a smaller number"


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_lawful_range_is_refused_saying_so(client, auth, day):
    platform = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    body = factories.merchant(platform.json()["id"], licence_valid_to=day)
    response = client.post("/api/merchants", json=body, headers=auth())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "licence_valid_to"
    assert (
        f"{day} is outside the dates LiveGuard accepts (2000-01-01 to 2100-12-31)"
        in (error["message"])
    )


def test_a_moment_outside_the_lawful_range_is_refused_saying_so(client, auth):
    body = {"platform_id": 1, "room_code": "r1", "title": "t", "anchor_id": 1, "merchant_id": 1}
    body["started_at"] = "9999-12-31T23:00:00+08:00"
    response = client.post("/api/sessions", json=body, headers=auth())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "started_at"
    assert "outside the dates LiveGuard accepts" in error["message"]


def _unbounded_days(
    annotation: Any, metadata: list[Any], where: str, seen: set[type]
) -> Iterator[str]:
    """Where a date or time a request carries has no range check (``bounds.Day`` or
    ``bounds.Moment``): a year-1 date reaches the database or the calendar and fails there."""
    if annotation in (date, datetime):
        checks = {getattr(m, "func", None) for m in metadata}
        if not checks & {bounds._in_range, bounds._moment_in_range}:
            yield where
        return
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        yield from _unbounded_days(inner, [*metadata, *extra], where, seen)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            yield from _unbounded_days(field.annotation, field.metadata, f"{where}.{name}", seen)
        return
    for arg in get_args(annotation):
        yield from _unbounded_days(arg, metadata, where, seen)


def test_every_date_and_time_a_request_carries_is_range_checked(app):
    unbounded: list[str] = []
    seen: set[type] = set()
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context.original_route, "dependant", None)
        if dependant is None:
            continue
        label = (
            f"{sorted(getattr(context.original_route, 'methods', None) or ['WS'])} {context.path}"
        )
        fields = [*get_flat_params(dependant), *dependant.body_params]
        for field in fields:
            info = field.field_info
            unbounded += _unbounded_days(
                info.annotation, info.metadata, f"{label} {field.name}", seen
            )
    assert not unbounded, "use bounds.Day / bounds.Moment for: " + ", ".join(unbounded)
