"""API shapes for sign-in and tokens."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from liveguard.bounds import Id
from liveguard.vocab import PrincipalKind, StaffRole


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str = Field(description="shown once; send it as 'Authorization: Bearer <token>'")
    principal_kind: PrincipalKind
    principal_id: int


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principal_kind: PrincipalKind
    principal_id: Id
    label: str = Field(min_length=1, max_length=100)


class Me(BaseModel):
    kind: PrincipalKind
    id: int
    name: str
    role: StaffRole | None
