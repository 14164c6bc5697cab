"""sangkien: the ward's contest of administrative-reform initiatives."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, request

from contest.instance_secret import instance_secret


def normalize_database_url(url: str) -> str:
    """A database URL as SQLAlchemy wants it: postgres(ql):// is taken to mean psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url_from_env(default: str) -> str:
    """DATABASE_URL if set, else the default."""
    return normalize_database_url(os.environ.get("DATABASE_URL", "").strip() or default)


def env_flag(name: str) -> bool:
    """An on/off environment variable: 1, true, yes or on (any case) is on."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory, as in Flask's tutorial."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        instance_relative_config=True,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url_from_env(
            "sqlite:///" + os.path.join(app.instance_path, "sangkien.db")
        ),
        UPLOAD_FOLDER=os.environ.get("SANGKIEN_UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads"),
        # The duplicate matcher's index, kept between processes (derived data; empty: not kept).
        INDEX_CACHE_FOLDER=os.environ.get("SANGKIEN_INDEX_CACHE_FOLDER", os.path.join(app.instance_path, "index-cache")),
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        MAX_ATTACHMENT_BYTES=8 * 1024 * 1024,
        # A registry file may be bigger than any other upload (200,000 rows with summaries: ~25 MB);
        # only the import's own URL accepts it (the request hook below).
        MAX_IMPORT_BYTES=40 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # "development" for `make run` on loopback http; anything else is production.
        SANGKIEN_ENV=os.environ.get("SANGKIEN_ENV", "production"),
        SESSION_IDLE_SECONDS=2 * 3600,
        SESSION_MAX_SECONDS=12 * 3600,
        # "Ghi nhớ đăng nhập" makes the session cookie outlive the browser, never the limits above.
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        LOGIN_RATE_LIMIT="10 per 10 minutes",  # failed sign-ins per address and name
        LOGIN_ADDRESS_RATE_LIMIT="30 per 10 minutes",  # failed sign-ins per address, whatever the name
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=False,
        # The audit chain's head, kept outside the database (default: instance/audit-head-<database>.json);
        # its HMAC key is AUDIT_KEY in config.py, or instance/audit_key made on first use.
        AUDIT_HEAD_FILE=os.environ.get("SANGKIEN_AUDIT_HEAD_FILE"),
        BASE_URL=os.environ.get("BASE_URL", ""),  # empty: certificates link to the host that served them
        # E-mailed notices (contest.notices.delivery); without MAIL_SERVER notices stay in the app.
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "0") or 0),  # 0: 465 with SSL, 587 with TLS, else 25
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_USE_TLS=env_flag("MAIL_USE_TLS"),  # STARTTLS after connecting
        MAIL_USE_SSL=env_flag("MAIL_USE_SSL"),  # TLS from the start (port 465)
        MAIL_FROM=os.environ.get("MAIL_FROM", ""),  # e.g. "Sáng kiến CCHC <sangkien@phuong.gov.vn>"
        MAIL_TIMEOUT=float(os.environ.get("MAIL_TIMEOUT", "30") or 30),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none, use the peer's address).
        TRUSTED_PROXIES=int(os.environ.get("SANGKIEN_TRUSTED_PROXIES", "0") or 0),
        # Pages, CSS, JS, JSON and SVG are compressed (Bootstrap alone is 306 KB uncompressed).
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/javascript", "application/javascript",
                            "application/json", "image/svg+xml"],
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    production = app.config["SANGKIEN_ENV"] != "development" and not app.testing
    app.config["PRODUCTION"] = production  # the one place that says whether this is a real deployment
    if production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path, "secret_key")
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]  # sign-in throttling then counts per visitor, not per proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from flask_migrate import Migrate

    from contest.db import db

    db.init_app(app)
    Migrate(app, db, directory=str(root / "migrations"), render_as_batch=True)

    from flask_compress import Compress

    Compress(app)

    from contest.i18n import babel, select_locale

    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def import_size_limit() -> None:
        # Before CSRFProtect's hook reads the form: the limit applies while the body is parsed.
        if request.endpoint == "registry.import_file":
            # The form's other fields and boundaries come on top of the file; the file itself is
            # checked against MAX_IMPORT_BYTES by the view, with a message that names the limit.
            request.max_content_length = app.config["MAX_IMPORT_BYTES"] + 64 * 1024

    from flask_wtf.csrf import CSRFProtect

    CSRFProtect(app)

    from contest.accounts.auth import limiter, login_manager

    login_manager.init_app(app)
    limiter.init_app(app)

    from werkzeug.routing import IntegerConverter

    class RowIdConverter(IntegerConverter):
        """`<int:…>` in our URLs is a row id: beyond a 64-bit integer no row exists (404, not a driver error)."""

        def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", 2**63 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = RowIdConverter

    from contest import main
    from contest.accounts import auth, organisations, users
    from contest.audit import routes as audit
    from contest.contests import public as rules
    from contest.contests import routes as contests
    from contest.entries import routes as entries
    from contest.help import routes as help_routes
    from contest.jobs import routes as jobs_routes
    from contest.notices import routes as notices_routes
    from contest.registry import routes as registry
    from contest.screening import routes as screening
    from judging import dossier_routes
    from judging import results as results_routes
    from judging import routes as judging_routes

    for module in (auth, main, audit, organisations, contests, rules, entries, registry, screening, users, jobs_routes,
                   judging_routes, results_routes, dossier_routes, notices_routes, help_routes):
        app.register_blueprint(module.bp)

    from contest.web import register_web

    register_web(app)

    from contest.cli import register_cli

    register_cli(app)
    return app
