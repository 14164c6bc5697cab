"""`sangkien serve` really serves: a real process on a free loopback port."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_the_port(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db", "SANGKIEN_ENV": "development",
           "SANGKIEN_INDEX_CACHE_FOLDER": str(tmp_path / "index-cache")}
    sangkien = [sys.executable, "-c", "from contest.cli import main; main()"]
    subprocess.run([*sangkien, "init-db"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([*sangkien, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.time() < deadline, "server did not answer within 30 s"
                time.sleep(0.3)
        assert "Đăng nhập" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "SANGKIEN_ENV": "development",
            "SANGKIEN_UPLOAD_FOLDER": str(tmp_path / "uploads"), "SANGKIEN_INDEX_CACHE_FOLDER": str(tmp_path / "index-cache")}


SANGKIEN = [sys.executable, "-c", "from contest.cli import main; main()"]


def test_init_db_says_in_one_vietnamese_line_what_it_does(tmp_path: Path) -> None:
    """No Alembic INFO lines in English: one line saying the database is being created, then
    that it is ready; the tables are there."""
    env = _env(tmp_path)
    first = subprocess.run([*SANGKIEN, "init-db"], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [f"Đang tạo cơ sở dữ liệu: sqlite:///{tmp_path}/cli.db…"]
    assert first.stderr == ""
    again = subprocess.run([*SANGKIEN, "init-db"], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert (again.stdout, again.stderr) == (f"Cơ sở dữ liệu đã sẵn sàng: sqlite:///{tmp_path}/cli.db\n", "")
    with sqlite3.connect(tmp_path / "cli.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert {"user", "entry", "alembic_version"} <= tables
    from contest import create_app
    from contest.db import schema_state

    # The newest revision, as the migrations folder has it.
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/cli.db"}).app_context():
        assert schema_state().head == revision


def test_init_db_names_the_upgrade_of_an_older_database(tmp_path: Path) -> None:
    env = _env(tmp_path)
    from contest import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="0008")  # an installation left at an older release
    done = subprocess.run([*SANGKIEN, "init-db"], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Đang nâng cấp cơ sở dữ liệu (phiên bản 0008 → ") and done.stdout.count("\n") == 1
    assert "INFO" not in done.stderr and "alembic" not in done.stderr


def test_serve_prints_its_address_in_vietnamese_and_no_english_warning(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([*SANGKIEN, "init-db"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*SANGKIEN, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()  # printed once the port is open
        assert first == f"Đang chạy tại http://127.0.0.1:{port}  (Ctrl+C để dừng)\n"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/help/", timeout=10) as response:
            assert "Hướng dẫn" in response.read().decode("utf-8")
        # A second server on the same port is refused in Vietnamese, before Werkzeug would in English.
        busy = subprocess.run([*SANGKIEN, "serve", "--port", str(port)], check=False, env=env, capture_output=True, text=True,
                              timeout=60)
        assert busy.returncode == 1
        assert f"Không mở được cổng {port} trên 127.0.0.1: một chương trình khác đang dùng cổng này" in busy.stderr
        assert "Address already in use" not in busy.stderr + busy.stdout
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=10)
    output = first + rest
    for english in ("WARNING", "development server", "Running on", "Press CTRL+C"):
        assert english not in output
    assert '"GET /help/ HTTP/1.1" 200' in output  # the request log stays
