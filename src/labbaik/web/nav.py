"""The links each role sees in the page header; domains register theirs at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    roles: frozenset[str]
    order: int = 100


_links: list[NavLink] = []


def register(href: str, label: str, *, roles: set[str], order: int = 100) -> None:
    if all(link.href != href for link in _links):
        _links.append(NavLink(href, label, frozenset(roles), order))
        _links.sort(key=lambda link: link.order)


def nav_links(actor: Any) -> list[tuple[str, str]]:
    role = getattr(getattr(actor, "role", None), "value", None)
    return [(link.href, link.label) for link in _links if role in link.roles]
