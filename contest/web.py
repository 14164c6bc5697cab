"""What every page shares: filters, navigation context, error pages, security headers."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, g, jsonify, make_response, render_template, request, session
from flask_babel import get_locale, gettext, lazy_pgettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from contest import policy, timeutil
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, ROLE_LABELS, SECRETARY
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

# How the audit log names actions and objects to a ward official; unknown codes show as they are.
# Marked with N_: the page translates them (`tr`), the stored log keeps its codes. The objects
# have a context of their own: in English a heading says "Contests", an object "Contest #3".
AUDIT_ACTIONS = {
    "attachment.add": N_("Đính kèm tệp"), "attachment.remove": N_("Xoá tệp đính kèm"),
    "attachment.unblindable": N_("Tệp không thể ẩn danh"),
    "auth.sign_in": N_("Đăng nhập"), "auth.sign_in_failed": N_("Đăng nhập không thành công"),
    "auth.sign_out": N_("Đăng xuất"),
    "export.registry": N_("Xuất ngân hàng sáng kiến (XLSX)"), "export.reminders": N_("Xuất danh sách nhắc giám khảo (XLSX)"),
    "export.forwarded": N_("Xuất danh sách đề nghị thị xã (XLSX)"), "export.dossier": N_("Tải hồ sơ gửi Hội đồng thị xã"),
    "contest.create": N_("Tạo cuộc thi"), "contest.update": N_("Sửa cuộc thi"), "contest.recheck": N_("Kiểm tra lại trùng lặp"),
    "contest.attach_plan": N_("Đính kèm kế hoạch cuộc thi"), "contest.remove_plan": N_("Gỡ kế hoạch cuộc thi"),
    "entry.save": N_("Lưu bài dự thi"), "entry.submit": N_("Nộp bài dự thi"), "entry.flag": N_("Cảnh báo trùng lặp"),
    "flag.decide": N_("Kết luận cảnh báo trùng lặp"), "job.enqueue": N_("Bắt đầu tác vụ nền"),
    "job.stop": N_("Yêu cầu dừng tác vụ nền"),
    "judging.assign_panel": N_("Phân công Ban giám khảo"), "judging.set_panel": N_("Lập Ban giám khảo"),
    "judging.add_assignment": N_("Thêm phân công chấm"), "judging.remove_assignment": N_("Bỏ phân công chấm"),
    "judging.declare_conflict": N_("Khai báo xung đột lợi ích"), "judging.arbitration": N_("Phân công giám khảo thứ ba"),
    "judging.save_sheet": N_("Lưu nháp phiếu chấm"), "judging.submit_sheet": N_("Nộp phiếu chấm"),
    "judging.reopen_sheet": N_("Mở lại phiếu chấm"), "judging.request_rescore": N_("Yêu cầu chấm lại"),
    "judging.remind_judges": N_("Nhắc giám khảo nộp phiếu"), "judging.record_votes": N_("Ghi biểu quyết của Ban giám khảo"),
    "judging.amend_result": N_("Điều chỉnh kết quả"), "judging.community_vote": N_("Bình chọn của cộng đồng"),
    "judging.close": N_("Kết thúc chấm"), "judging.waive_minimum": N_("Trưởng ban chấp nhận sáng kiến ít phiếu chấm"), "judging.publish": N_("Công bố kết quả"), "judging.forward": N_("Chuyển sáng kiến lên vòng thị xã"),
    "judging.withdraw": N_("Rút sáng kiến khỏi vòng thị xã"), "entry.received": N_("Nhận sáng kiến do phường, xã chuyển lên"),
    "entry.withdrawn": N_("Phường, xã rút lại sáng kiến đã chuyển"),
    "registry.add": N_("Thêm vào ngân hàng sáng kiến"), "registry.import": N_("Nhập ngân hàng sáng kiến"),
    "registry.import_undo": N_("Huỷ các dòng của một lần nhập ngân hàng"),
    "registry.add_recognised": N_("Đưa sáng kiến được công nhận vào ngân hàng"),
    "organisation.create": N_("Tạo cơ quan, đơn vị"), "organisation.update": N_("Sửa thông tin cơ quan, đơn vị"),
    "membership.add": N_("Thêm vai trò ở cơ quan, đơn vị khác"),
    "user.create": N_("Tạo tài khoản"), "user.update": N_("Sửa tài khoản"), "user.password": N_("Đổi mật khẩu"),
    "user.language": N_("Đổi ngôn ngữ giao diện"), "user.contact": N_("Đổi cách nhận thông báo"),
}
AUDIT_OBJECTS = {
    "contest": lazy_pgettext("audit object", "Cuộc thi"),
    "entry": lazy_pgettext("audit object", "Bài dự thi"),
    "duplicate_flag": lazy_pgettext("audit object", "Cảnh báo trùng lặp"),
    "score_sheet": lazy_pgettext("audit object", "Phiếu chấm"),
    "registry": lazy_pgettext("audit object", "Ngân hàng sáng kiến"),
    "registry_item": lazy_pgettext("audit object", "Sáng kiến trong ngân hàng"),
    "user": lazy_pgettext("audit object", "Tài khoản"),
    "organisation": lazy_pgettext("audit object", "Cơ quan, đơn vị"),
    "job": lazy_pgettext("audit object", "Tác vụ nền"),
    "assignment": lazy_pgettext("audit object", "Phân công chấm"),
    "transfer": lazy_pgettext("audit object", "Sáng kiến chuyển lên vòng thị xã"),
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
