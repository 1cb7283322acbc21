"""In-process events, so that a lower domain can react to a higher one without importing it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Session, event: object) -> None:
    """Run every handler in the caller's transaction: they commit or roll back together."""
    for handler in list(_handlers[type(event)]):
        handler(session, event)
