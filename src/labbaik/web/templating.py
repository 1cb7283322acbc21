"""Rendering pages: one Jinja environment over all templates, in the user's language."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from labbaik.kit.timeutil import format_date, format_moment
from labbaik.web.i18n import LANGUAGES, direction, translations
from labbaik.web.nav import nav_links

_ROOT = Path(__file__).resolve().parents[1]


def _loader() -> ChoiceLoader:
    # Each domain keeps its templates in <domain>/templates/<domain>/; one loader finds them all.
    folders = sorted(str(p) for p in _ROOT.glob("*/templates") if p.is_dir())
    return ChoiceLoader([FileSystemLoader(folders), PackageLoader("labbaik.web", "templates")])


env = Environment(loader=_loader(), autoescape=select_autoescape(), auto_reload=False)
env.globals["nav_links"] = nav_links


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def lang_of(request: Request) -> str:
    lang = getattr(request.state, "lang", "en")
    return lang if lang in LANGUAGES else "en"


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    lang = lang_of(request)
    catalogue = translations(lang)

    def show_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_moment(value, lang)
        return format_date(value, lang)

    full = {
        "request": request,
        "lang": lang,
        "dir": direction(lang),
        "languages": LANGUAGES,
        "_": catalogue.gettext,
        "ngettext": catalogue.ngettext,
        "show_date": show_date,
        "csrf_token": csrf_token(request),
        "actor": getattr(request.state, "actor", None),
        **(context or {}),
    }
    html = env.get_template(template).render(full)
    return HTMLResponse(html, status_code=status)
