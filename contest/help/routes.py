"""The guides (Hướng dẫn): a page per guide, its PDF, and the menu's list."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user

from contest.accounts.auth import login_manager
from contest.help import guides
from contest.help.pdf import guide_pdf
from contest.policy import may_read_guide

bp = Blueprint("help", __name__, url_prefix="/help")


def _reader_role() -> str | None:
    return current_user.role if current_user.is_authenticated else None


def readable() -> list[tuple[guides.Guide, str, bool]]:
    """(guide, title, is for the reader's role) of every guide the reader may open, theirs first."""
    role = _reader_role()
    return [(g, guides.load(g)[0], role in g.roles) for g in guides.guides_for(role) if may_read_guide(current_user, g)]


def get_guide_or_404(slug: str) -> guides.Guide:
    """The guide at this address; sign-in first when only signed-in people may read it."""
    guide = guides.find_guide(slug)
    if guide is None:
        abort(404)
    if not may_read_guide(current_user, guide):
        abort(login_manager.unauthorized())
    return guide


def _image_dir() -> Path:
    return Path(current_app.static_folder or "static") / "help"


@lru_cache(maxsize=1)
def _screens(folder: Path) -> dict[str, guides.Screen]:
    path = folder / "screens.json"
    return guides.screens(json.loads(path.read_text("utf-8"))) if path.exists() else {}


@bp.app_context_processor
def help_menu() -> dict[str, Any]:
    """The menu's Hướng dẫn: the reader's own guides first, then the others they may read."""
    return {"help_guides": readable}


@bp.route("/")
def index() -> Any:
    """Every guide the reader may read, their role's first."""
    return render_template("help/index.html", items=readable())


@bp.route("/<slug>")
def show(slug: str) -> Any:
    """One guide, with its screenshots and a link to its PDF."""
    guide = get_guide_or_404(slug)
    title, blocks = guides.load(guide)
    others = [item for item in readable() if item[0] != guide]
    return render_template("help/show.html", guide=guide, title=title, blocks=blocks,
                           screens=_screens(_image_dir()), others=others)


@lru_cache(maxsize=len(guides.GUIDES))
def _pdf(guide: guides.Guide, image_dir: Path, font_dir: Path) -> bytes:
    """A guide's PDF, made once per process: the guides change only with a new release."""
    title, blocks = guides.load(guide)
    return guide_pdf(title, blocks, image_dir, font_dir, _screens(image_dir))


@bp.route("/<slug>.pdf")
def pdf(slug: str) -> Any:
    """The printable PDF of a guide, for offices that train their staff on paper."""
    guide = get_guide_or_404(slug)
    static = Path(current_app.static_folder or "static")
    return Response(_pdf(guide, static / "help", static / "fonts"), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="huong-dan-{guide.slug}.pdf"'})
