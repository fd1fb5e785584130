"""Pages of the web UI (being built)."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from . import bp
from .session import login_required, signed_in_user


@bp.get("/")
def index() -> Response:
    return redirect(url_for("web.library" if signed_in_user() else "web.login"))


@bp.get("/library")
@login_required("viewer")
def library() -> str:
    return "library"


@bp.get("/upload")
@login_required("contributor")
def upload() -> str:
    return "upload"


@bp.get("/audits")
@login_required("viewer")
def audit_report() -> str:
    return "audits"
