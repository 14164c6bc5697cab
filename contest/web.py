"""What every page shares: filters, navigation context, error pages, security headers."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from . import models, timeutil

ERROR_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
    405: "Thao tác không được hỗ trợ.",
    413: "Tệp tải lên quá lớn so với giới hạn cho phép.",
    429: "Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại.",
    500: "Hệ thống gặp lỗi. Dữ liệu đã lưu không bị ảnh hưởng; vui lòng thử lại.",
}

# How the audit log names actions and objects to a ward official; unknown codes show as they are.
AUDIT_ACTIONS = {
    "attachment.add": "Đính kèm tệp", "attachment.remove": "Xoá tệp đính kèm",
    "contest.create": "Tạo cuộc thi", "contest.update": "Sửa cuộc thi", "contest.recheck": "Kiểm tra lại trùng lặp",
    "entry.save": "Lưu bài dự thi", "entry.submit": "Nộp bài dự thi", "entry.flag": "Cảnh báo trùng lặp",
    "flag.decide": "Kết luận cảnh báo trùng lặp", "job.enqueue": "Bắt đầu tác vụ nền",
    "judging.assign_panel": "Phân công Ban giám khảo", "judging.set_panel": "Lập Ban giám khảo",
    "judging.add_assignment": "Thêm phân công chấm", "judging.remove_assignment": "Bỏ phân công chấm",
    "judging.declare_conflict": "Khai báo xung đột lợi ích", "judging.arbitration": "Phân công giám khảo thứ ba",
    "judging.save_sheet": "Lưu nháp phiếu chấm", "judging.submit_sheet": "Nộp phiếu chấm",
    "judging.reopen_sheet": "Mở lại phiếu chấm", "judging.request_rescore": "Yêu cầu chấm lại",
    "judging.close": "Kết thúc chấm", "judging.publish": "Công bố kết quả", "judging.forward": "Đề nghị Hội đồng thị xã",
    "registry.add": "Thêm vào ngân hàng sáng kiến", "registry.import": "Nhập ngân hàng sáng kiến",
    "registry.add_recognised": "Đưa sáng kiến được công nhận vào ngân hàng",
    "user.create": "Tạo tài khoản", "user.update": "Sửa tài khoản", "user.password": "Đổi mật khẩu",
}
AUDIT_OBJECTS = {
    "contest": "Cuộc thi", "entry": "Bài dự thi", "duplicate_flag": "Cảnh báo trùng lặp", "score_sheet": "Phiếu chấm",
    "registry": "Ngân hàng sáng kiến", "registry_item": "Sáng kiến trong ngân hàng", "user": "Tài khoản",
    "job": "Tác vụ nền", "assignment": "Phân công chấm",
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
    app.jinja_env.globals["ROLE_LABELS"] = models.ROLE_LABELS
    app.jinja_env.globals["AUDIT_ACTIONS"] = AUDIT_ACTIONS
    app.jinja_env.globals["AUDIT_OBJECTS"] = AUDIT_OBJECTS
    app.jinja_env.globals["roles"] = {
        "ADMIN": models.ADMIN,
        "SECRETARY": models.SECRETARY,
        "JUDGE": models.JUDGE,
        "PARTICIPANT": models.PARTICIPANT,
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        message = "Phiên làm việc đã hết hạn hoặc thiếu mã bảo mật (CSRF). Vui lòng tải lại trang và thử lại."
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        message = ERROR_MESSAGES.get(code, error.description or "")
        if request.accept_mimetypes.best == "application/json":
            return {"error": message}, code
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError) -> Any:
        # Two requests raced for the same unique row (a double click): the first one won.
        from .db import db

        db.session.rollback()
        message = "Thao tác này vừa được gửi hai lần; lần gửi thứ hai bị bỏ qua, dữ liệu đã lưu không thay đổi."
        return render_template("error.html", code=409, message=message), 409

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        from .db import db

        db.session.rollback()
        return render_template("error.html", code=500, message=ERROR_MESSAGES[500]), 500

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
