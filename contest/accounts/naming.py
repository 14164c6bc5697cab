"""The names an organisation's documents carry, filled from its name when the admin leaves them empty."""
from __future__ import annotations

KINDS = ("thị trấn", "thị xã", "phường", "huyện", "xã")  # longest first: "thị xã" before "xã"


def _kind_and_place(name: str) -> tuple[str, str]:
    name = " ".join(name.split())
    kind = next((k for k in KINDS if name.lower().startswith(k + " ")), "")
    return (kind or "đơn vị"), (name[len(kind):].strip() if kind else name)


def recognition_level(name: str) -> str:
    """The level its council recognises initiatives at: "cấp thị xã" for "Thị xã Hồng Lĩnh"."""
    return f"cấp {_kind_and_place(name)[0]}"


def document_names(name: str) -> dict[str, str]:
    """Place, issuing authority, council and signer of "Phường Trung Lương", "Thị xã Cai Lậy", …

    >>> document_names("Phường Trung Lương")["authority"]
    'Ủy ban nhân dân phường Trung Lương'
    """
    kind, place = _kind_and_place(name)
    return {
        "place": place,
        "authority": f"Ủy ban nhân dân {kind} {place}",
        "council": f"Hội đồng chấm sáng kiến {kind} {place}",
        "signer": f"Chủ tịch Ủy ban nhân dân {kind}",
    }
