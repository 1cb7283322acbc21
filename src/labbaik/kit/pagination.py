"""Offset pages for lists that people read; the page size is capped so no request is unbounded."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("page starts at 1")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))
