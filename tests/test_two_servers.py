"""Two server processes on one database, as two hosts behind a proxy: a registry import
through one is seen by the duplicate matcher of the other, without a restart.

Each process keeps its own matcher index in memory; the registry's version in the database
tells the second one that its index is stale. Runs on SQLite and, in `make test-pg`, on
PostgreSQL, the production store.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from conftest import PASSWORD
from test_crash import free_port

from contest.accounts.models import SECRETARY

SANGKIEN = [sys.executable, "-c", "from contest.cli import main; main()"]
TITLE = "Số hoá hồ sơ hộ tịch lưu trữ bằng mã QR dán trên bìa sổ"
SUMMARY = "Mỗi cuốn sổ hộ tịch được dán mã QR; quét mã để tra cứu bản điện tử, giảm thời gian tìm sổ gốc."


class Browser:
    """Cookies, CSRF tokens and a multipart upload, as a browser sends them; no redirects followed."""

    def __init__(self, base: str) -> None:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode("utf-8", "replace")

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.open(path)[2]).group(1)

    def sign_in(self, username: str) -> None:
        body = urllib.parse.urlencode({"csrf_token": self.token("/auth/login"), "username": username,
                                       "password": PASSWORD}).encode()
        assert self.open("/auth/login", body)[0] == 302

    def upload(self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        status, location, _ = self.open(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, location

    def similar_titles(self, title: str) -> list[str]:
        status, _, body = self.open("/entries/similar?" + urllib.parse.urlencode({"title": title}))
        assert status == 200, body
        return [match["title"] for match in json.loads(body)["matches"]]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([*SANGKIEN, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/auth/login", timeout=2).close()
            return server, base
        except OSError:
            assert server.poll() is None and time.time() < deadline, "server did not start"
            time.sleep(0.2)


def test_an_import_through_one_server_is_seen_by_the_matcher_of_the_other(app, make_user, make_registry_item,
                                                                           tmp_path: Path) -> None:
    secretary = make_user(SECRETARY)
    make_registry_item(title="Tiếp nhận hồ sơ đất đai qua dịch vụ bưu chính công ích")
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SANGKIEN_ENV": "development",
           "SANGKIEN_UPLOAD_FOLDER": str(tmp_path / "uploads"),
           "SANGKIEN_INDEX_CACHE_FOLDER": str(tmp_path / "index-cache")}
    first, second = start_server(env), start_server(env)
    try:
        a, b = Browser(first[1]), Browser(second[1])
        a.sign_in(secretary.username)
        b.sign_in(secretary.username)
        assert TITLE not in b.similar_titles(TITLE)  # the second server has built its index now

        csv = f'Tên sáng kiến,Tóm tắt,Đơn vị,Năm\n{TITLE},"{SUMMARY}",UBND phường,2024\n'.encode()
        status, location = a.upload("/registry/import", {"csrf_token": a.token("/registry/")}, "file", "sổ.csv", csv)
        assert status == 302 and "/jobs/" in location, location
        job = urllib.parse.urlparse(location).path
        deadline = time.time() + 60
        while not (progress := json.loads(a.open(job + ".json")[2]))["finished"]:
            assert time.time() < deadline, progress
            time.sleep(0.2)
        assert progress["status"] == "done", progress

        assert b.similar_titles(TITLE)[0] == TITLE
        assert b.similar_titles("ma QR dan tren bia so ho tich de tra cuu")[0] == TITLE  # typed without diacritics
    finally:
        for server, _ in (first, second):
            server.terminate()
            server.wait(timeout=10)
