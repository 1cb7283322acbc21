"""In and out shapes of accounts, tokens and audit entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from labbaik.auth.roles import Role


class AccountCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    role: Role
    company_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    pilgrim_id: uuid.UUID | None = None
    language: str | None = None


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    company_id: uuid.UUID | None
    group_id: uuid.UUID | None
    pilgrim_id: uuid.UUID | None
    language: str | None
    is_active: bool


class TokenRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    # Shown once, when minted; never stored.
    token: str | None = None


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_username: str
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    reason: str | None
    origin: str
    detail: dict[str, Any] | None


class AuditQuery(BaseModel):
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int
    page: int
    size: int
