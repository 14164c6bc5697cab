"""How the audit log names things to a ward official: actions, objects, the fields of before/after
and their coded values. The one place these tables live (the page, its filters and the XLSX export
read them; `contest.web` hands the first two to every template).

Labels are Vietnamese marked with N_: the stored log keeps its codes, the page translates them
(`tr`), the export writes them as they are. A code with no label shows as it is.
"""
from __future__ import annotations

from flask_babel import lazy_pgettext

from contest.accounts.models import LEVEL_LABELS, ROLE_LABELS
from contest.contests.models import CONTEST_STATUS_LABELS
from contest.entries.models import ENTRY_KIND_LABELS, ENTRY_STATUS_LABELS
from contest.jobs.models import JOB_STATUS_LABELS
from contest.marks import N_
from contest.screening.models import FLAG_STATUS_LABELS
from judging.aggregation import METHOD_LABELS
from judging.assignment import CONFLICT_LABELS
from judging.models import ASSIGNMENT_SOURCE_LABELS, SHEET_STATUS_LABELS
from judging.ranking import PRIZE_LABELS

AUDIT_ACTIONS = {
    "attachment.add": N_("Đính kèm tệp"), "attachment.remove": N_("Xoá tệp đính kèm"),
    "attachment.unblindable": N_("Tệp không thể ẩn danh"),
    "auth.sign_in": N_("Đăng nhập"), "auth.sign_in_failed": N_("Đăng nhập không thành công"),
    "auth.sign_out": N_("Đăng xuất"),
    "export.registry": N_("Xuất ngân hàng sáng kiến (XLSX)"), "export.reminders": N_("Xuất danh sách nhắc giám khảo (XLSX)"),
    "export.forwarded": N_("Xuất danh sách đề nghị thị xã (XLSX)"), "export.dossier": N_("Tải hồ sơ gửi Hội đồng thị xã"),
    "export.audit": N_("Xuất nhật ký thao tác (XLSX)"),
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
    "judging.close": N_("Kết thúc chấm"), "judging.waive_minimum": N_("Trưởng ban chấp nhận sáng kiến ít phiếu chấm"),
    "judging.publish": N_("Công bố kết quả"), "judging.forward": N_("Chuyển sáng kiến lên vòng thị xã"),
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

# The objects have a context of their own: in English a heading says "Contests", an object "Contest".
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
    "result": lazy_pgettext("audit object", "Kết quả xếp hạng"),
    "audit": lazy_pgettext("audit object", "Nhật ký thao tác"),
}

# The fields of before/after, by their key; (action, key) first where one key means two things.
AUDIT_FIELDS = {
    # a contest (contests.operations._contest_snapshot)
    "title": N_("Tên"), "year": N_("Năm"), "fields": N_("Các lĩnh vực"),
    "submission_deadline": N_("Hạn nộp bài"), "judging_deadline": N_("Hạn chấm"),
    "threshold": N_("Ngưỡng công nhận (điểm)"), "forward_count": N_("Số sáng kiến gửi Hội đồng thị xã"),
    "prizes": N_("Số giải"), "collective_prizes": N_("Số giải riêng cho tập thể"),
    "duplicate_threshold": N_("Ngưỡng cảnh báo trùng lặp"), "criteria": N_("Tiêu chí chấm"),
    "blind": N_("Chấm kín"), "assignment_mode": N_("Cách phân công"), "judges_per_entry": N_("Số giám khảo mỗi sáng kiến"),
    "min_judges": N_("Số phiếu chấm tối thiểu mỗi sáng kiến"),
    "arbitration_limit": N_("Chênh lệch tối đa trước khi mời giám khảo thứ ba"),
    "disagreement_threshold": N_("Độ chênh cần thảo luận"), "aggregation": N_("Cách tính điểm"),
    "score_step": N_("Bước điểm"), "acceptance_rule": N_("Cách công nhận"),
    "vote_share": N_("Tỷ lệ tán thành cần có (%)"), "community_vote": N_("Bình chọn của cộng đồng"),
    "panel_weight": N_("Trọng số điểm Ban giám khảo"), "vote_weight": N_("Trọng số bình chọn"),
    "meeting_at": N_("Thời gian phiên họp"), "share_comments": N_("Gửi nhận xét cho tác giả"),
    # an entry (entries.operations._entry_snapshot)
    "status": N_("Trạng thái"), "kind": N_("Hình thức dự thi"), "collective_name": N_("Tên tập thể"),
    "field": N_("Lĩnh vực"), "situation": N_("Thực trạng"), "solution": N_("Nội dung giải pháp"),
    "effect": N_("Hiệu quả đạt được"), "scope": N_("Phạm vi, khả năng nhân rộng"),
    "applied_where": N_("Nơi đã áp dụng"), "applied_since": N_("Áp dụng từ ngày"),
    "benefit": N_("Lợi ích thu được"), "coauthors": N_("Đồng tác giả"),
    "attachment": N_("Mã tệp đính kèm"), "name": N_("Tên"), "size": N_("Dung lượng"),
    # duplicates
    "flags": N_("Cảnh báo trùng lặp mới"), "similar": N_("Sáng kiến tương tự"), "new_flags": N_("Số cảnh báo mới"),
    "reason": N_("Lý do"), "email": N_("Thư điện tử"), "notices_by_email": N_("Nhận thông báo qua thư điện tử"),
    "plan": N_("Kế hoạch cuộc thi"), ("judging.close", "short"): N_("Sáng kiến xếp hạng với ít phiếu hơn tối thiểu"),
    "entry_status": N_("Trạng thái bài dự thi"),
    # the registry
    "source": N_("Nguồn"), "job": N_("Tác vụ nền"), "added": N_("Số sáng kiến đã thêm"),
    "removed": N_("Số sáng kiến đã bỏ"), "first_id": N_("Mã dòng đầu tiên"), "last_id": N_("Mã dòng cuối cùng"),
    # people and organisations
    "username": N_("Tên đăng nhập"), "role": N_("Vai trò"), "organisation": N_("Cơ quan, đơn vị"),
    "full_name": N_("Họ và tên"), "unit": N_("Đơn vị"), "position": N_("Chức vụ"), "active": N_("Đang hoạt động"),
    "password_reset": N_("Đặt lại mật khẩu"), "language": N_("Ngôn ngữ giao diện"), "address": N_("Địa chỉ IP"),
    "level": N_("Cấp"), "parent": N_("Trực thuộc"), "place": N_("Địa danh ghi ở dòng ngày tháng"),
    "authority": N_("Cơ quan ban hành văn bản"), "council": N_("Tên Hội đồng chấm sáng kiến"),
    "signer": N_("Chức danh người ký"),
    # background jobs
    ("job.enqueue", "kind"): N_("Loại tác vụ"), ("job.stop", "kind"): N_("Loại tác vụ"),
    ("job.stop", "mode"): N_("Phần việc đã làm"),
    # judging
    "panel": N_("Ban giám khảo"), "assignments": N_("Số lượt phân công"), "new": N_("Số lượt phân công mới"),
    "mode": N_("Cách phân công"), "judges": N_("Giám khảo"), "skipped_conflicts": N_("Không phân công vì xung đột lợi ích"),
    "short": N_("Sáng kiến còn thiếu giám khảo"), "entry_id": N_("Sáng kiến"), "judge_id": N_("Giám khảo"),
    "conflict": N_("Xung đột lợi ích"), "override_reason": N_("Lý do vẫn phân công"),
    "sheet_status": N_("Trạng thái phiếu chấm"), "assigned": N_("Được phân công"),
    ("judging.declare_conflict", "conflict"): N_("Mã khai báo xung đột"),
    ("judging.remind_judges", "judges"): N_("Giám khảo được nhắc (số bài chưa nộp)"), "message": N_("Lời nhắn"),
    "version": N_("Lần"), "scores": N_("Điểm chấm"), "totals": N_("Tổng điểm các phiếu"),
    "limit": N_("Chênh lệch tối đa"), "arbiter": N_("Giám khảo thứ ba"),
    "contest_status": N_("Trạng thái cuộc thi"), "contest_status_before": N_("Trạng thái cuộc thi trước đó"),
    "sheets": N_("Phiếu chấm"), ("judging.close", "sheets"): N_("Số phiếu chấm đã nộp"),
    "results": N_("Kết quả xếp hạng"), "votes": N_("Biểu quyết"), "recognised": N_("Được công nhận"),
    "rank": N_("Hạng"), "prize": N_("Giải"), "vote": N_("Mã phiếu bình chọn"),
    ("judging.publish", "version"): N_("Lần công bố"), ("judging.save_sheet", "version"): N_("Lần lưu"),
    ("judging.submit_sheet", "version"): N_("Lần lưu"), ("judging.reopen_sheet", "version"): N_("Lần lưu"),
    "forwarded": N_("Sáng kiến đã chuyển lên"), "to": N_("Vòng thị xã"), "entries": N_("Sáng kiến"),
    "from_entry": N_("Sáng kiến gốc của phường, xã"), "from": N_("Phường, xã chuyển lên"),
    "transfer": N_("Mã lần chuyển"), "entry": N_("Sáng kiến"), "notice": N_("Mã thông báo"),
    "rows": N_("Số dòng"),
}

_YES_NO = {True: N_("Có"), False: N_("Không")}
_ASSIGNMENT_MODES = {"all": N_("Mọi giám khảo chấm mọi sáng kiến"),
                     "balanced": N_("Mỗi sáng kiến một số giám khảo, cân bằng theo số bài và lĩnh vực")}
_JOB_KINDS = {"registry_import": N_("Nhập ngân hàng sáng kiến"), "recheck": N_("Kiểm tra lại trùng lặp")}

# Coded values, by field key; ("object kind", key) or (action, key) first where a code depends on them.
AUDIT_VALUES: dict[object, dict] = {
    ("contest", "status"): CONTEST_STATUS_LABELS, ("entry", "status"): ENTRY_STATUS_LABELS,
    ("score_sheet", "status"): SHEET_STATUS_LABELS, ("duplicate_flag", "status"): FLAG_STATUS_LABELS,
    ("job", "status"): JOB_STATUS_LABELS,
    "contest_status": CONTEST_STATUS_LABELS, "contest_status_before": CONTEST_STATUS_LABELS,
    "entry_status": ENTRY_STATUS_LABELS, "sheet_status": SHEET_STATUS_LABELS,
    ("entry", "kind"): ENTRY_KIND_LABELS, ("job", "kind"): _JOB_KINDS,
    "role": ROLE_LABELS, "level": LEVEL_LABELS, "source": ASSIGNMENT_SOURCE_LABELS,
    ("registry.import", "source"): {}, ("registry.import_undo", "source"): {},
    "prize": PRIZE_LABELS, "conflict": CONFLICT_LABELS, ("judging.declare_conflict", "conflict"): {},
    "aggregation": METHOD_LABELS, "assignment_mode": _ASSIGNMENT_MODES, "mode": _ASSIGNMENT_MODES,
    ("job.stop", "mode"): {"keep": N_("Giữ lại"), "undo": N_("Huỷ bỏ")},
    "acceptance_rule": {"threshold": N_("Đạt ngưỡng điểm"),
                        "vote": N_("Đạt ngưỡng điểm và được Ban giám khảo biểu quyết tán thành")},
    "language": {"vi": "Tiếng Việt", "en": "English"},
}


def field_label(action: str, object_type: str, key: str) -> str:
    """The label of a before/after field; the key itself when it has none."""
    return AUDIT_FIELDS.get((action, key)) or AUDIT_FIELDS.get(key) or key


def value_labels(action: str, object_type: str, key: str) -> dict:
    """The labels of a field's coded values (empty: the values are shown as they are)."""
    for lookup in ((action, key), (object_type, key), key):
        if lookup in AUDIT_VALUES:
            return AUDIT_VALUES[lookup]
    return {}


def yes_no(value: bool) -> str:
    """Có / Không."""
    return _YES_NO[bool(value)]
