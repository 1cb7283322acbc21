"""Pages of the registry: the pilgrim list and search, a pilgrim, a company."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
