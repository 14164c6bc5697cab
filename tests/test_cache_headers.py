"""Nothing a signed-in person sees is kept by a cache: pages, JSON, exports carry no-store."""
from __future__ import annotations

from contest.accounts.models import PARTICIPANT, SECRETARY


def test_signed_in_pages_json_and_exports_are_not_stored(signed_in, make_registry_item) -> None:
    make_registry_item()
    secretary, _ = signed_in(SECRETARY)
    for url in ("/registry/", "/registry/export.xlsx", "/contests/"):
        response = secretary.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    author, _ = signed_in(PARTICIPANT)
    suggestions = author.get("/entries/similar", query_string={"title": "Tổ công nghệ số cộng đồng"})
    assert suggestions.is_json and suggestions.headers.get("Cache-Control") == "no-store"


def test_static_files_and_anonymous_pages_may_be_cached(client) -> None:
    assert "no-store" not in (client.get("/static/css/app.css").headers.get("Cache-Control") or "")
    assert "no-store" not in (client.get("/results/").headers.get("Cache-Control") or "")
