"""The names an organisation's documents carry, filled from its name when the admin leaves them empty."""
from __future__ import annotations

KINDS = ("thị trấn", "thị xã", "phường", "huyện", "xã")  # longest first: "thị xã" before "xã"


def document_names(name: str) -> dict[str, str]:
    """Place, issuing authority, council and signer of "Phường Trung Lương", "Thị xã Cai Lậy", …

    >>> document_names("Phường Trung Lương")["authority"]
    'Ủy ban nhân dân phường Trung Lương'
    """
    name = " ".join(name.split())
    kind = next((k for k in KINDS if name.lower().startswith(k + " ")), "")
    place = name[len(kind):].strip() if kind else name
    kind = kind or "đơn vị"
    return {
        "place": place,
        "authority": f"Ủy ban nhân dân {kind} {place}",
        "council": f"Hội đồng chấm sáng kiến {kind} {place}",
        "signer": f"Chủ tịch Ủy ban nhân dân {kind}",
    }
