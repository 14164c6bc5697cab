"""Judges saving and submitting score sheets, and readers of the public results, as browsers do.

Read by `locust -f bench/load/locustfile.py` (run.py starts it). Environment:
BENCH_MANIFEST (the JSON seed.py wrote) and BENCH_OUT (a directory: `writes.jsonl` gets one
line per attempted and per acknowledged write, `samples.json` every request's latency).
BENCH_JUDGES / BENCH_READERS set how many of each (50 / 200); BENCH_JUDGE_WAIT /
BENCH_READER_WAIT their think times, "low,high" in seconds; BENCH_SUBMIT_SHARE the share of
writes that submit (0.1).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import urllib.parse
from typing import Any, Optional

from locust import FastHttpUser, between, events, task

MANIFEST = json.load(open(os.environ["BENCH_MANIFEST"], encoding="utf-8"))
OUT = os.environ["BENCH_OUT"]
SUBMIT_SHARE = float(os.environ.get("BENCH_SUBMIT_SHARE", "0.1"))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_judges = itertools.count()
_writes = open(os.path.join(OUT, "writes.jsonl"), "a", encoding="utf-8", buffering=1)
_samples: list[tuple[str, float, bool, float]] = []
_window: dict[str, float] = {}


def _wait(name: str, default: str) -> Any:
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


@events.request.add_listener
def _sample(name: str, response_time: float, exception: Any, **_: Any) -> None:
    """Every request's latency (ms), kept whole for exact percentiles."""
    _samples.append((name, response_time, exception is None, time.time()))


@events.test_start.add_listener
def _started(**_: Any) -> None:
    _window["start"] = time.time()


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    _window["stop"] = time.time()
    with open(os.path.join(OUT, "samples.json"), "w", encoding="utf-8") as fh:
        json.dump({"window": _window, "samples": _samples}, fh)


def _log(record: dict) -> None:
    _writes.write(json.dumps(record, ensure_ascii=False) + "\n")


def _input(html: str, name: str) -> Optional[str]:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


class SheetPage:
    """What a judge's open sheet page offers: its CSRF token, the version it shows, its criteria."""

    def __init__(self, entry_id: int, html: str) -> None:
        self.entry_id = entry_id
        self.token = _input(html, "csrf_token") or ""
        self.version = int(_input(html, "version") or 0)
        self.criteria = {int(cid): float(m) for cid, m in
                         re.findall(r'<input[^>]*name="points_(\d+)"[^>]*?max="([\d.]+)"', html)}
        if not self.criteria:  # attribute order may differ
            for tag in re.findall(r'<input[^>]*name="points_\d+"[^>]*>', html):
                self.criteria[int(re.search(r'points_(\d+)', tag).group(1))] = float(re.search(r'max="([\d.]+)"', tag).group(1))
        self.open = 'name="action"' in html


class JudgeUser(FastHttpUser):
    """One judge: signs in once, then opens sheets, saves drafts with new scores, now and then submits."""

    fixed_count = int(os.environ.get("BENCH_JUDGES", "50"))
    wait_time = _wait("BENCH_JUDGE_WAIT", "1,3")

    def on_start(self) -> None:
        self.username = MANIFEST["judges"][next(_judges)]
        self.rng = random.Random(self.username)
        self.page: Optional[SheetPage] = None
        page = self.client.get("/auth/login", name="login page")
        data = {"csrf_token": _input(page.text, "csrf_token"), "username": self.username,
                "password": MANIFEST["password"]}
        with self.client.post("/auth/login", data=urllib.parse.urlencode(data), headers=FORM, name="login",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                raise RuntimeError(f"{self.username} could not sign in")
        queue = self.client.get("/judging/", name="queue").text
        self.entries = sorted({int(i) for i in re.findall(r'href="/judging/entries/(\d+)"', queue)})

    def _open(self, entry_id: int) -> Optional[SheetPage]:
        response = self.client.get(f"/judging/entries/{entry_id}", name="sheet")
        page = SheetPage(entry_id, response.text or "")
        if not page.open and entry_id in self.entries:
            self.entries.remove(entry_id)  # submitted (locked) sheets are read-only
        return page if page.open else None

    @task
    def score(self) -> None:
        """Open a sheet (or stay on the one just saved), enter new scores, save or submit."""
        if self.page is None or self.rng.random() < 0.3:
            if not self.entries:
                return
            self.page = self._open(self.rng.choice(self.entries))
            if self.page is None:
                return
        page = self.page
        submit = self.rng.random() < SUBMIT_SHARE
        nonce = f"{self.username} e{page.entry_id} v{page.version} {self.rng.randrange(10**6)}"
        scores = {cid: (round(self.rng.uniform(0, maximum) * 2) / 2, f"{nonce} c{cid}")
                  for cid, maximum in page.criteria.items()}
        data = {"csrf_token": page.token, "version": str(page.version), "action": "submit" if submit else "draft"}
        for cid, (points, comment) in scores.items():
            data[f"band_{cid}"] = ""  # a browser posts the unchosen band
            data[f"points_{cid}"] = f"{points:g}"
            data[f"comment_{cid}"] = comment
        write = {"judge": self.username, "entry": page.entry_id, "action": data["action"],
                 "version_sent": page.version, "scores": {str(c): list(v) for c, v in scores.items()}}
        _log({"kind": "attempt", **write, "t": time.time()})
        name = "submit" if submit else "save"
        with self.client.post(f"/judging/entries/{page.entry_id}", data=urllib.parse.urlencode(data), headers=FORM,
                              name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                _log({"kind": "ack", **write, "t": time.time()})
            else:
                alert = re.findall(r'role="alert">([^<]+)<', response.text or "")
                response.failure(f"{name} answered {response.status_code}: {alert[:1] or response.error}")
                self.page = None
                return
        if submit:  # the browser follows the redirect to the queue
            self.entries.remove(page.entry_id)
            self.client.get("/judging/", name="queue")
            self.page = None
        else:  # ... or back to the sheet, now at the next version
            self.page = self._open(page.entry_id)


class ReaderUser(FastHttpUser):
    """Anyone reading the published results: the list, then a contest's results."""

    fixed_count = int(os.environ.get("BENCH_READERS", "200"))
    wait_time = _wait("BENCH_READER_WAIT", "2,8")

    @task(1)
    def results_list(self) -> None:
        self.client.get("/results/", name="results list")

    @task(3)
    def result_page(self) -> None:
        contest_id = random.choice(MANIFEST["published_contests"])
        self.client.get(f"/results/{contest_id}", name="result page")
