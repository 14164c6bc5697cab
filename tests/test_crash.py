"""A real server killed with SIGKILL during a burst of score saves loses nothing it acknowledged.

Three rounds: start `sangkien serve` on a SQLite file, save drafts as fast as one judge can,
kill the process at a random moment, then check the file: integrity intact, the last
acknowledged value of every sheet (or the one in flight when the kill came) stored whole,
and the sheets submitted before the test exactly as they were.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="kills a server on its SQLite file")
SANGKIEN = [sys.executable, "-c", "from contest.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([*SANGKIEN, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("server did not start")


class Judge:
    """A browser-like client: cookies, CSRF tokens, no redirects followed."""

    def __init__(self, base: str) -> None:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:  # every answer but 200, the 302 of a save included
            try:
                self.last_error = error.read().decode("utf-8", "replace")
            except http.client.HTTPException:  # killed while sending the body: the status line had arrived
                self.last_error = ""
            return error.code

    def token(self, html: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def snapshot_submitted(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT s.id, s.version, s.submitted_at, c.criterion_id, c.points, c.comment FROM score_sheet s "
            "JOIN score c ON c.sheet_id = s.id WHERE s.status = 'submitted' ORDER BY s.id, c.criterion_id").fetchall()


def test_sigkill_during_saves_loses_no_acknowledged_save(tmp_path: Path) -> None:
    db_path = tmp_path / "crash.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "SANGKIEN_ENV": "development",
           "SANGKIEN_UPLOAD_FOLDER": str(tmp_path / "uploads"),
           "SANGKIEN_INDEX_CACHE_FOLDER": str(tmp_path / "index-cache")}
    subprocess.run([*SANGKIEN, "demo"], env=env, check=True, capture_output=True)
    submitted_before = snapshot_submitted(db_path)
    assert submitted_before
    rng = random.Random(2024)
    acknowledged: dict[int, float] = {}
    saves: list[int] = []
    in_flight: dict[int, float] = {}
    for round_ in range(3):
        port = free_port()
        server = start(env, port)
        judge = Judge(f"http://127.0.0.1:{port}")
        page = judge.get("/auth/login")
        assert judge.post("/auth/login", {"csrf_token": judge.token(page), "username": "giamkhao2",
                                          "password": "sangkien2024"}) == 302
        queue = judge.get("/judging/")
        entries = sorted({int(i) for i in re.findall(r'href="/judging/entries/(\d+)"', queue)})
        forms = {}
        for entry_id in entries:
            html = judge.get(f"/judging/entries/{entry_id}")
            if 'name="action"' in html:  # an open sheet (submitted ones are locked)
                forms[entry_id] = (judge.token(html), re.findall(r'name="points_(\d+)"', html))
        assert forms, "the demo leaves this judge sheets to score"
        stop = threading.Event()
        failures: list[str] = []

        def burst() -> None:
            while not stop.is_set():
                entry_id = rng.choice(sorted(forms))
                token, criteria = forms[entry_id]
                value = float(rng.randint(1, 20))
                in_flight.clear()
                in_flight[entry_id] = value
                data = {"csrf_token": token, "action": "draft"}
                for criterion in criteria:
                    data[f"points_{criterion}"] = str(value)
                    data[f"comment_{criterion}"] = f"lần lưu {value}"
                    data[f"band_{criterion}"] = ""  # as a browser posts an unchosen band
                try:
                    code = judge.post(f"/judging/entries/{entry_id}", data)
                except OSError:
                    return  # the server is gone
                if code == 302:
                    acknowledged[entry_id] = value
                    saves.append(entry_id)
                    in_flight.clear()
                else:
                    alerts = re.findall(r'role="alert">([^<]+)<', judge.last_error)
                    failures.append(f"save answered {code}: {alerts or judge.last_error[:300]}")
                    return

        thread = threading.Thread(target=burst)
        thread.start()
        time.sleep(rng.uniform(0.5, 2.0))
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        thread.join(timeout=20)
        assert not failures, failures

        with sqlite3.connect(db_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            judge_id = conn.execute("SELECT id FROM user WHERE username = 'giamkhao2'").fetchone()[0]
            for entry_id, value in acknowledged.items():
                rows = conn.execute(
                    "SELECT c.points, c.comment FROM score c JOIN score_sheet s ON s.id = c.sheet_id "
                    "WHERE s.entry_id = ? AND s.judge_id = ?", (entry_id, judge_id)).fetchall()
                allowed = {value, in_flight.get(entry_id)}
                assert rows and {points for points, _ in rows} <= allowed and len({p for p, _ in rows}) == 1, \
                    (round_, entry_id, value, rows)  # whole: every criterion from the same save
                assert all(comment == f"lần lưu {points}" for points, comment in rows)
                acknowledged[entry_id] = rows[0][0]
    assert len(saves) >= 10, saves  # the kills came in the middle of real work
    assert snapshot_submitted(db_path) == submitted_before
