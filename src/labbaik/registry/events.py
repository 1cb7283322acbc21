"""Events the registry publishes (kit.events), for the domains above it to react to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labbaik.auth.roles import Actor


@dataclass(frozen=True)
class PilgrimChanged:
    """A pilgrim's record was updated; `fields` names what changed."""

    pilgrim_id: uuid.UUID
    fields: frozenset[str]
    actor: Actor
