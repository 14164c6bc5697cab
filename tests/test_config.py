"""Where the database is: instance/ by default, DATABASE_URL when set."""
from __future__ import annotations

from contest import create_app, normalize_database_url


def test_postgres_urls_use_psycopg3() -> None:
    assert normalize_database_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_database_url_overrides_the_default(monkeypatch, tmp_path) -> None:
    # Nothing is written into the checkout's instance/: uploads elsewhere, a secret key given.
    monkeypatch.setenv("SANGKIEN_UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert create_app({"SECRET_KEY": "k"}).config["SQLALCHEMY_DATABASE_URI"].endswith("instance/sangkien.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    assert create_app({"SECRET_KEY": "k"}).config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.db"


def test_workers_starting_at_once_share_one_secret_key(tmp_path) -> None:
    import threading

    from contest.instance_secret import instance_secret

    keys: list[str] = []
    start = threading.Barrier(8)

    def boot() -> None:
        start.wait()
        keys.append(instance_secret(str(tmp_path), "secret_key"))

    threads = [threading.Thread(target=boot) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_behind_a_trusted_proxy_sign_in_throttling_counts_per_visitor(app, make_user) -> None:
    from contest import create_app

    config = {**app.config, "TRUSTED_PROXIES": 1, "LOGIN_RATE_LIMIT": "2 per minute", "WTF_CSRF_ENABLED": False}
    proxied = create_app(config)
    client = proxied.test_client()

    def attempt(visitor: str) -> int:
        return client.post("/auth/login", data={"username": "ai-do", "password": "sai-mat-khau"},
                           headers={"X-Forwarded-For": visitor}).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.9") == 200  # another visitor behind the same proxy is not locked out
