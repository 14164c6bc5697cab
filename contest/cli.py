"""The `sangkien` command: init-db, demo, create-user, serve, plus Flask's own commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from contest.db import db, init_db, schema_state


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database tables, or bring them to the newest schema (existing data is kept)."""
    state = schema_state()
    where = db.engine.url.render_as_string(hide_password=True)
    if state.untracked:
        click.echo(f"Đang ghi nhận phiên bản của cơ sở dữ liệu đã có: {where}…")
    elif state.current is None:
        click.echo(f"Đang tạo cơ sở dữ liệu: {where}…")
    elif not state.up_to_date:
        click.echo(f"Đang nâng cấp cơ sở dữ liệu (phiên bản {state.current} → {state.head}): {where}…")
    else:
        click.echo(f"Cơ sở dữ liệu đã sẵn sàng: {where}")
    init_db()


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo ward, people, registry and contests."""
    from contest.demo import DEMO_LOGINS, DEMO_PASSWORD, database_is_empty, load_demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Dữ liệu mẫu (tài khoản mẫu) chỉ dùng khi SANGKIEN_ENV=development; "
                                   "không nạp vào cơ sở dữ liệu vận hành thật.")
    init_db()
    if not database_is_empty():
        if if_empty:
            click.echo("Cơ sở dữ liệu đã có dữ liệu; không nạp dữ liệu mẫu.")
            _print_logins(DEMO_LOGINS, DEMO_PASSWORD)
            return
        raise click.ClickException("Cơ sở dữ liệu đã có dữ liệu; chỉ nạp dữ liệu mẫu vào cơ sở dữ liệu trống.")
    summary = load_demo(current_app.config["UPLOAD_FOLDER"], current_app.config["MAX_ATTACHMENT_BYTES"])
    db.session.commit()
    click.echo(f"Đã nạp dữ liệu mẫu: {summary['users']} người dùng, {summary['registry']} sáng kiến trong ngân hàng, "
               f"{summary['entries']} bài dự thi.")
    _print_logins(DEMO_LOGINS, DEMO_PASSWORD)


def _print_logins(users: list, password: str) -> None:
    from contest.accounts.models import ROLE_LABELS

    click.echo(f"Tài khoản mẫu (mật khẩu chung: {password}):")
    for username, full_name, role, organisation in users:
        click.echo(f"  {username:<18} {ROLE_LABELS[role]:<28} {organisation:<20} {full_name}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "secretary", "judge", "participant"]), required=True)
@click.option("--name", "full_name", default="", help="Full name as shown in the UI.")
@click.option("--unit", default="", help="Unit name (created if new).")
@click.option("--organisation", default="",
              help='The organisation (e.g. "Thị xã Hồng Lĩnh"); on an empty database it is created as the town.')
@click.password_option(help="Password (asked for when not given).")
@with_appcontext
def create_user_command(username: str, role: str, full_name: str, unit: str, organisation: str, password: str) -> None:
    """Create an account."""
    from sqlalchemy import select

    from contest.accounts.models import TOWN, Organisation
    from contest.accounts.operations import (
        OrganisationData,
        create_organisation,
        create_user,
    )
    from contest.errors import OperationError

    names = list(db.session.scalars(select(Organisation.name).order_by(Organisation.id)))
    try:
        if not names:
            if not organisation.strip():
                raise click.ClickException('Chưa có cơ quan, đơn vị nào: thêm --organisation "Thị xã …" để tạo thị xã.')
            body = create_organisation(None, OrganisationData(name=organisation, level=TOWN))
        elif organisation.strip() or len(names) > 1:
            body = db.session.scalar(select(Organisation).filter_by(name=organisation.strip()))
            if body is None:
                raise click.ClickException("--organisation: chọn một trong: " + "; ".join(names))
        else:
            body = db.session.scalar(select(Organisation))
        user = create_user(None, username, full_name, role, password, unit_name=unit, organisation=body)
    except OperationError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Đã tạo tài khoản {user.username} ({user.role_label}).")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the application (threaded server for one office; use gunicorn for production)."""
    from werkzeug.serving import make_server

    from contest.jobs import watch
    from contest.screening.duplicates import warm_index

    app = current_app._get_current_object()
    _check_port_free(host, port)
    # Werkzeug's own start-up lines (an English warning, "Running on") are left out: run_simple()
    # prints them, make_server() does not. The request log stays.
    server = make_server(host, port, app, threaded=True)
    warm_index(app)  # loads (or builds) the duplicate index in the background: the first search finds it ready
    watch(app)  # jobs left queued, or cut off by a restart, run again without a separate worker
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Đang chạy tại http://{shown}:{server.port}  (Ctrl+C để dừng)")
    server.serve_forever()  # until Ctrl+C (werkzeug ends it quietly)
    click.echo("Đã dừng.")


def _check_port_free(host: str, port: int) -> None:
    """Refuse in Vietnamese, before Werkzeug would in English, a port another program holds."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Werkzeug's server does
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = {errno.EADDRINUSE: "một chương trình khác đang dùng cổng này",
                      errno.EACCES: "không có quyền mở cổng này (cổng dưới 1024 cần quyền quản trị)",
                      errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó"}.get(error.errno, error.strerror)
            raise click.ClickException(f"Không mở được cổng {port} trên {host}: {reason}. Hãy chọn cổng khác, "
                                       f"ví dụ: make run PORT={port + 1}") from error


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target: str) -> None:
    """Write a consistent copy of the live SQLite database to TARGET."""
    from pathlib import Path

    from contest.backup import backup
    from contest.errors import OperationError

    try:
        pages = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(target))
    except OperationError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Đã sao lưu {pages} trang vào {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Replace the database with the backup SOURCE (stop the server first)."""
    from pathlib import Path

    from contest.backup import restore
    from contest.errors import OperationError

    if not yes:
        click.confirm("Toàn bộ dữ liệu hiện tại sẽ được thay bằng bản sao lưu. Tiếp tục?", abort=True)
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(source))
    except OperationError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Đã khôi phục từ {source}.")
    from contest.audit import _head_path, current_chain_heads, current_head, write_head

    head = current_head()
    if head is not None:  # the log is back to the backup's: its heads are the ones to keep now
        write_head(_head_path(), current_chain_heads(), force=True)
        click.echo(f"Đầu chuỗi nhật ký đặt lại theo bản sao lưu: {head.line()} (ghi lại ở nơi lưu đầu chuỗi).")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--head", "given", default=None, metavar="ID:HASH",
              help="A head kept elsewhere (as `sangkien audit head` printed it) to check the log against too.")
@with_appcontext
def audit_verify_command(given: str | None) -> None:
    """Check the audit log's chain, and that it still holds the head kept outside the database."""
    from contest.audit import (
        Head,
        check_chain_heads,
        check_head,
        read_chain_heads,
        read_head,
        verify_chain,
    )

    try:
        kept = Head.parse(given) if given else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--head") from error
    broken = verify_chain()
    if broken is not None:
        raise click.ClickException(f"Nhật ký bị sửa đổi hoặc hỏng: bản ghi #{broken} không khớp chuỗi băm.")
    for problem in (check_head(read_head()), check_head(kept), check_chain_heads(read_chain_heads())):
        if problem:
            raise click.ClickException(problem)
    click.echo("Nhật ký toàn vẹn: chuỗi băm khớp từ bản ghi đầu đến bản ghi cuối, và còn nguyên đầu chuỗi đã ghi.")


@audit_group.command("head")
@with_appcontext
def audit_head_command() -> None:
    """Print the chain's head (last record's id and hash), to keep outside this server."""
    from contest.audit import current_head, read_head

    head = current_head()
    if head is None:
        click.echo("Nhật ký chưa có bản ghi nào.")
        return
    click.echo(head.line())
    kept = read_head()
    if kept is not None and kept != head:
        click.echo(f"(tệp đầu chuỗi đang ghi {kept.line()})", err=True)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the queued jobs and exit.")
@click.option("--interval", default=2.0, help="Seconds between looks at the queue.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Run queued background jobs (imports, re-checks) claimed from the database."""
    import time

    from contest.jobs import run_pending

    app = current_app._get_current_object()
    while True:
        count = run_pending(app)
        if once:
            click.echo(f"Đã chạy {count} tác vụ.")
            return
        time.sleep(interval)


def register_cli(app) -> None:  # type: ignore[no-untyped-def]
    """Attach the project's commands to the app (so `flask --app contest` has them too)."""
    from contest.matching.cli import dedup_bench, dedup_eval
    from judging.dossier_routes import export_cli

    for command in (init_db_command, demo_command, create_user_command, serve_command, dedup_eval, dedup_bench, export_cli,
                    backup_command, restore_command, audit_group, worker_command):
        app.cli.add_command(command)


def _create_app():  # type: ignore[no-untyped-def]
    from contest import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=True, load_dotenv=False,
                  help="sangkien: cuộc thi sáng kiến, giải pháp cải cách hành chính.")
