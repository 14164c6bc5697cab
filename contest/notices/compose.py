"""What each notice says: plain data in, a Vietnamese subject and body out (no Flask, no database).

A judge's notice names the contest and the entries' titles only, never an author, a unit or a
co-author, so it reveals nothing in a blind contest. The link is not in the body: the in-app list
shows it as a button and the e-mail appends it as an absolute address (`delivery.build_message`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class Text:
    """A notice's subject and body."""

    subject: str
    body: str


MAX_LISTED = 20  # entry titles a notice lists before it says "và N sáng kiến khác"


def _titles(titles: Sequence[str]) -> str:
    lines = [f"- {t}" for t in titles[:MAX_LISTED]]
    if len(titles) > MAX_LISTED:
        lines.append(f"- và {len(titles) - MAX_LISTED} sáng kiến khác")
    return "\n".join(lines)


def assigned(contest: str, titles: Sequence[str], deadline: str = "", arbitration: bool = False) -> Text:
    """To a judge given new entries to score (one notice for all of them)."""
    n = len(titles)
    why = "để chấm thứ ba (tổng điểm hai giám khảo chênh lệch quá giới hạn)" if arbitration else "để chấm"
    subject = (f"Phân công chấm thứ ba: {titles[0]}" if arbitration and n == 1
               else f"Phân công chấm {n} sáng kiến – {contest}")
    body = f"Ban tổ chức đã phân công cho ông/bà {n} sáng kiến {why} trong cuộc thi “{contest}”:\n{_titles(titles)}"
    if deadline:
        body += f"\n\nHạn nộp phiếu chấm: {deadline} (giờ Việt Nam)."
    body += "\n\nMở mục “Bài cần chấm” để xem và chấm."
    return Text(subject, body)


def reminded(contest: str, message: str, outstanding: int, sender: str, deadline: str = "") -> Text:
    """To a judge the secretariat reminds of sheets not yet submitted."""
    body = (f"{sender} nhắc ông/bà còn {outstanding} phiếu chấm chưa nộp trong cuộc thi “{contest}”.\n\n"
            f"Lời nhắn: {message}")
    if deadline:
        body += f"\n\nHạn nộp phiếu chấm: {deadline} (giờ Việt Nam)."
    return Text(f"Nhắc nộp phiếu chấm – {contest}", body)


def arbitration(contest: str, message: str) -> Text:
    """To the chair: two judges' totals differ by more than the contest's limit (the panel's notice)."""
    return Text(f"Điểm chênh lệch, chấm thứ ba – {contest}",
                f"Thông báo cho Trưởng ban giám khảo cuộc thi “{contest}”:\n\n{message}")


def disagreement(contest: str, titles: Sequence[str], threshold: str) -> Text:
    """To the chair when judging closes: entries whose judges' totals spread beyond the threshold."""
    return Text(f"{len(titles)} sáng kiến có điểm chênh lệch lớn – {contest}",
                f"Cuộc thi “{contest}” đã kết thúc chấm. Điểm của các giám khảo chênh nhau hơn {threshold} điểm "
                f"ở {len(titles)} sáng kiến:\n{_titles(titles)}\n\n"
                "Trưởng ban xem lại trước khi công bố kết quả (biểu quyết hoặc yêu cầu chấm lại nếu cần).")


def excluded(title: str, contest: str, reason: str) -> Text:
    """To an author whose entry the secretariat excluded as a duplicate, with its reason."""
    return Text(f"Sáng kiến bị loại do trùng lặp: {title}",
                f"Tổ thư ký cuộc thi “{contest}” đã kết luận sáng kiến “{title}” trùng lặp với sáng kiến đã có, "
                f"nên sáng kiến không được đưa vào chấm.\n\nLý do: {reason}")


def published(title: str, contest: str, rank: Optional[int], points: str, prize: str, recognised: bool,
              version: int = 1) -> Text:
    """To an author when the results of their contest are published (or published again)."""
    lines = [f"Kết quả cuộc thi “{contest}” đã được công bố{' lại (có điều chỉnh)' if version > 1 else ''}.",
             "", f"Sáng kiến “{title}”:"]
    if rank is not None:
        lines.append(f"- Xếp hạng: {rank}")
    if points:
        lines.append(f"- Điểm trung bình: {points}")
    lines.append(f"- {'Được công nhận' if recognised else 'Chưa được công nhận'}")
    if prize:
        lines.append(f"- Giải: {prize}")
    return Text(f"Kết quả cuộc thi: {title}", "\n".join(lines))


def job_finished(what: str, outcome: str, detail: str = "") -> Text:
    """To whoever started a background job, when it ends."""
    body = f"Tác vụ nền “{what}” đã kết thúc: {outcome}."
    if detail:
        body += f"\n\n{detail}"
    return Text(f"{what}: {outcome}", body)


def backoff_seconds(attempts: int) -> int:
    """How long to wait before trying an e-mail again after `attempts` failed tries: 1, 2, 4, …
    minutes, at most 6 hours."""
    return min(60 * 2 ** max(attempts - 1, 0), 6 * 3600)
