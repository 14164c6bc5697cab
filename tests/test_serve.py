"""`sangkien serve` really serves: a real process on a free loopback port."""
from __future__ import annotations

import os
import socket
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
