"""The dossier for the town council as one ZIP, the public certificate check, and `sangkien export`."""
from __future__ import annotations

import hmac
import os
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any, Optional

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.cli import with_appcontext
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from contest.accounts.auth import get_or_404, role_required
from contest.accounts.models import ADMIN, SECRETARY
from contest.audit.operations import record_export
from contest.contests.models import CLOSED, PUBLISHED, Contest
from contest.db import db, utcnow, write_transaction
from contest.marks import N_
from contest.policy import may_read_transfer
from contest.timeutil import to_local
from contest.views import audit_read
from judging.dossier import build_dossier, certificate_code, gather_dossier
from judging.models import Publication, Transfer

bp = Blueprint("dossier", __name__, url_prefix="/dossier")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def certificate_base_url() -> Optional[str]:
    """The public address certificates' QR codes point to: BASE_URL. Without it, in development
    only, the address the request came to; a production server never lets a Host header choose
    it (None: certificates cannot be issued until BASE_URL is set)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/")
    if current_app.config.get("PRODUCTION"):
        return None
    return request.host_url.rstrip("/") if has_request_context() else DEFAULT_BASE_URL


NO_BASE_URL = N_("Chưa đặt BASE_URL (địa chỉ công khai của hệ thống, ví dụ https://sangkien.phuong.gov.vn): mã QR "
               "trên giấy chứng nhận cần địa chỉ này. Hãy đặt biến môi trường BASE_URL rồi tải lại hồ sơ.")


def verify_url(code: str) -> str:
    """The absolute URL of a certificate's public check, at certificate_base_url()."""
    path = current_app.url_map.bind("localhost").build("dossier.verify", {"code": code})
    return (certificate_base_url() or DEFAULT_BASE_URL) + path


def contest_dossier(contest: Contest) -> dict[str, bytes]:
    """The dossier's files for a contest, dated today (Vietnam time)."""
    data = gather_dossier(contest, current_app.config["SECRET_KEY"], verify_url, to_local(utcnow()).date())
    return build_dossier(data)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The files in one ZIP, under their names (folders included)."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@bp.route("/contests/<int:contest_id>.zip")
@role_required(SECRETARY, ADMIN)
def download(contest_id: int) -> Any:
    """The whole dossier as one ZIP, once judging is closed."""
    contest = get_or_404(Contest, contest_id)
    if contest.status not in (CLOSED, PUBLISHED):
        flash(gettext("Chỉ tải được hồ sơ gửi Hội đồng thị xã khi cuộc thi đã kết thúc chấm."), "warning")
        return redirect(url_for("judging.standings", contest_id=contest.id))
    if certificate_base_url() is None:
        flash(gettext(NO_BASE_URL), "danger")
        return redirect(url_for("judging.standings", contest_id=contest.id))
    data = zip_bytes(contest_dossier(contest))
    audit_read(lambda: record_export(current_user, "dossier", "contest", contest.id))
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="ho-so-hoi-dong-thi-xa-{contest.year}-{contest.id}.zip"'})


@bp.route("/transfers/<int:transfer_id>.zip")
@role_required(SECRETARY, ADMIN)
def transfer_dossier(transfer_id: int) -> Any:
    """The ward's dossier as it stood when it forwarded an entry, for the ward and the town."""
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or not may_read_transfer(current_user, transfer) or not transfer.dossier_stored_name:
        abort(404)
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], transfer.dossier_stored_name)
    if not os.path.exists(path):
        abort(404)
    audit_read(lambda: record_export(current_user, "dossier", "transfer", transfer.id))
    contest = transfer.source_contest
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"ho-so-{contest.year}-{contest.id}-bai-{transfer.source_entry_id}.zip")


def find_certificate(code: str) -> Optional[tuple[Publication, dict]]:
    """The latest publication and its winning row whose certificate code is `code`, if any.

    Codes are HMACs, so a code is found by recomputing those of every published winner:
    a few per contest, and a forged code matches none.
    """
    if len(code) != 16 or any(c not in "0123456789abcdef" for c in code):
        return None
    newest = (select(Publication.contest_id, func.max(Publication.version).label("version"))
              .group_by(Publication.contest_id).subquery())
    publications = db.session.scalars(
        select(Publication).join(newest, (Publication.contest_id == newest.c.contest_id)
                                 & (Publication.version == newest.c.version)))
    secret = current_app.config["SECRET_KEY"]
    for publication in publications:
        for row in publication.snapshot.get("results", []):
            if row.get("prize") and hmac.compare_digest(certificate_code(secret, publication.contest_id, row["entry_id"]), code):
                return publication, row
    return None


@bp.route("/verify/<code>")
def verify(code: str) -> Any:
    """Public: does this certificate code belong to a winner of the latest published results?"""
    found = find_certificate(code.lower())
    if found is None:
        return render_template("results/certificate.html", publication=None, row=None, code=code), 404
    publication, row = found
    return render_template("results/certificate.html", publication=publication, snap=publication.snapshot,
                           row=row, code=code)


@click.group("export")
def export_cli() -> None:
    """Export documents."""


@export_cli.command("dossier")
@click.option("--contest", "contest_id", type=int, required=True, help="Contest id.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@with_appcontext
def export_dossier_command(contest_id: int, out_dir: Path) -> None:
    """Write the dossier for the town council (XLSX, DOCX, PDF certificates) into a folder."""
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise click.ClickException(f"Không tìm thấy cuộc thi số {contest_id}.")
    if contest.status not in (CLOSED, PUBLISHED):
        raise click.ClickException("Cuộc thi chưa kết thúc chấm; chưa lập được hồ sơ gửi Hội đồng thị xã.")
    if certificate_base_url() is None:
        raise click.ClickException(NO_BASE_URL)
    files = contest_dossier(contest)
    with write_transaction():
        record_export(None, "dossier", "contest", contest.id, len(files))
        db.session.commit()
    for name, data in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    click.echo(f"Đã ghi {len(files)} tệp hồ sơ vào {out_dir}.")
