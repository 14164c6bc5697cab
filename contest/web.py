"""What every page shares: filters, navigation context, error pages, security headers."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, g, jsonify, make_response, render_template, request, session
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from contest import policy, timeutil
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, ROLE_LABELS, SECRETARY
from contest.audit.labels import AUDIT_ACTIONS, AUDIT_OBJECTS  # how the log names actions and objects
from contest.i18n import LANGUAGES, translate_label
from contest.marks import N_

ERROR_MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    403: N_("Bạn không có quyền truy cập trang này."),
    404: N_("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
    405: N_("Thao tác không được hỗ trợ."),
    413: N_("Tệp tải lên quá lớn so với giới hạn cho phép."),
    429: N_("Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại."),
    500: N_("Hệ thống gặp lỗi. Dữ liệu đã lưu không bị ảnh hưởng; vui lòng thử lại."),
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_web(app: Flask) -> None:
    """Install filters, globals, error handlers and headers on the app."""
    app.jinja_env.filters["dt"] = timeutil.format_datetime
    app.jinja_env.filters["d"] = timeutil.format_date
    app.jinja_env.filters["num"] = timeutil.format_number
    app.jinja_env.filters["size"] = timeutil.format_size
    app.jinja_env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    app.jinja_env.filters["tr"] = translate_label
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["may_edit_entry"] = policy.may_edit_entry
    app.jinja_env.globals["may_read_result"] = policy.may_read_result
    app.jinja_env.globals["may_manage_wards"] = policy.may_manage_wards
    app.jinja_env.globals["may_read_audit"] = policy.may_read_audit
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["AUDIT_ACTIONS"] = AUDIT_ACTIONS
    app.jinja_env.globals["AUDIT_OBJECTS"] = AUDIT_OBJECTS
    app.jinja_env.globals["roles"] = {
        "ADMIN": ADMIN,
        "SECRETARY": SECRETARY,
        "JUDGE": JUDGE,
        "PARTICIPANT": PARTICIPANT,
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        message = gettext("Phiên làm việc đã hết hạn hoặc thiếu mã bảo mật (CSRF). Vui lòng tải lại trang và thử lại.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        message = gettext(ERROR_MESSAGES[code]) if code in ERROR_MESSAGES else error.description or ""
        if request.accept_mimetypes.best == "application/json":
            return {"error": message}, code
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError) -> Any:
        # Two requests raced for the same unique row (a double click): the first one won.
        from contest.db import db

        db.session.rollback()
        message = gettext("Thao tác này vừa được gửi hai lần; lần gửi thứ hai bị bỏ qua, dữ liệu đã lưu không thay đổi.")
        return render_template("error.html", code=409, message=message), 409

    @app.errorhandler(OperationalError)
    def busy(error: OperationalError) -> Any:
        # SQLite's write lock still held by another writer after the busy timeout: nothing of this
        # request was saved, and trying again in a moment works. Anything else is a server error.
        from contest.db import db

        if "database is locked" not in str(error.orig):
            return server_error(error)
        db.session.rollback()
        g.reads_only = True  # the page below reads (the user, the menu): it must not queue for the lock again
        app.logger.warning("Request refused: the database stayed locked past the busy timeout")
        message = gettext("Hệ thống đang bận ghi dữ liệu khác nên thao tác này chưa được lưu. Hãy quay lại trang "
                          "trước (những gì bạn đã nhập vẫn còn) và gửi lại sau vài giây.")
        if request.accept_mimetypes.best == "application/json":
            response = jsonify(error=message)
        else:
            response = make_response(render_template("error.html", code=503, message=message))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        from contest.db import db

        db.session.rollback()
        return render_template("error.html", code=500, message=gettext(ERROR_MESSAGES[500])), 500

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # What a signed-in person sees (pages, JSON, exports, attachments) is theirs: no shared or
        # back-button cache keeps it after they sign out. Static files and public pages may be cached.
        # The session says so without the database: after the request's commit, reading the user
        # again would begin a transaction that waits for whoever holds SQLite's write lock now.
        if request.endpoint != "static" and session.get("_user_id"):
            response.headers["Cache-Control"] = "no-store"
        return response
