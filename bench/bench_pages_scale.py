"""Benchmark: the pages people work in, at an insurer's volume and with the small demo, served as in
production (``mamori serve``: gunicorn, PostgreSQL): the support desk's queue, the claims queue, a policy
page and the administrators' policy list, p50 and p99 for one user and for 16 at once (issue 18: each
within 2× of the same page with the small demo).

Two databases on the PostgreSQL of ``DATABASE_URL`` (default: the local server): ``<name>_small`` (the demo)
and ``<name>_scale`` (the demo and ``--scale N`` generated policyholders; made once, kept for later runs).
The load generator is this process (threads, one keep-alive connection each) on the same machine.

    .venv/bin/python bench/bench_pages_scale.py [--scale 20000] [--requests 200] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "bench-pages-18"  # noqa: S105 - the demo users' password in a throw-away database
PAGES = {
    "desk queue": ("support", "/desk/"),
    "claims queue": ("claims", "/claims/"),
    "policy page": ("admin", None),  # a policy of the demo's holder (its number found at start)
    "policy list": ("admin", "/policies/"),
}
USERS = (1, 16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database(base: str, suffix: str, *, fresh: bool) -> str:
    import psycopg

    url = urllib.parse.urlsplit(base)
    name = f"{url.path.lstrip('/') or 'mamori'}_{suffix}"
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh and exists:
            conn.execute(f'DROP DATABASE "{name}"')
        if fresh or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url._replace(path=f"/{name}").geturl()


def serve(db: str, port: int, workers: int, scale: int, data: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_"))}
    env.update(DATABASE_URL=db, MAMORI_DEMO_PASSWORD=PASSWORD, MAMORI_DATA_DIR=str(data))
    args = [sys.executable, "-m", "mamori.cli", "serve", "--demo", "--port", str(port), "--workers", str(workers)]
    if scale:
        args += ["--scale", str(scale)]
    server = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)  # fmt: skip
    assert server.stdout is not None
    for line in server.stdout:
        sys.stderr.write(f"  server: {line}")
        if f":{port}/" in line:
            break
    log = open(data / f"server-{port}.log", "w", encoding="utf-8")  # noqa: SIM115 - kept open while it runs

    def drain() -> None:
        for line in server.stdout:  # type: ignore[union-attr]
            log.write(line)
            log.flush()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


class Session:
    """A signed-in user on one keep-alive connection."""

    def __init__(self, port: int, username: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        page = self.get("/accounts/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no login form"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": username,
                                       "password": PASSWORD})  # fmt: skip
        status, _ = self.request(
            "POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, f"{username} could not sign in ({status})"

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
                ) -> tuple[int, str]:  # fmt: skip
        sent = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        self.conn.request(method, path, body=body, headers=sent)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)


def measure(port: int, username: str, path: str, users: int, requests: int) -> list[float]:
    sessions = [Session(port, username) for _ in range(users)]
    for s in sessions:
        status, _ = s.get(path)
        assert status == 200, f"{path}: {status}"
    times: list[float] = []
    lock = threading.Lock()
    each = max(requests // users, 5)

    def work(s: Session) -> None:
        mine = []
        for _ in range(each):
            started = time.perf_counter()
            status, _ = s.get(path)
            mine.append(time.perf_counter() - started)
            assert status == 200
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_on(db: str, *, scale: int, workers: int, requests: int, data: Path) -> dict[str, dict[int, dict[str, float]]]:
    port = free_port()
    server = serve(db, port, workers, scale, data)
    try:
        admin = Session(port, "admin")
        listing = admin.get(
            "/policies/?q=%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%E3%81%BE%E3%82%82%E3%82%8A%E5%95%86%E4%BA%8B"
        )[1]
        number = re.search(r'href="/policies/([^/"]+)/"', listing)
        assert number, "the demo holder's policy is not listed"
        out: dict[str, dict[int, dict[str, float]]] = {}
        for name, (who, path) in PAGES.items():
            target = path or f"/policies/{number.group(1)}/"
            out[name] = {}
            for users in USERS:
                times = measure(port, who, target, users, requests)
                out[name][users] = {
                    "p50_ms": round(statistics.median(times) * 1000, 1),
                    "p99_ms": round(percentile(times, 0.99) * 1000, 1),
                    "requests": len(times),
                }
                sys.stderr.write(f"  {name} × {users}: {out[name][users]}\n")
        return out
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page and user count")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mamori")
    with tempfile.TemporaryDirectory(prefix="mamori-bench-") as tmp:
        results = {}
        for label, scale, fresh in (("small demo", 0, True), (f"{args.scale:,} policyholders", args.scale, False)):
            db = database(base, "small" if not scale else "scale", fresh=fresh)
            sys.stderr.write(f"{label} ({db.rsplit('/', 1)[1]})\n")
            results[label] = run_on(db, scale=scale, workers=args.workers, requests=args.requests, data=Path(tmp))
    small, large = results.values()
    heads = ("small p50", "small p99", "scale p50", "scale p99", "ratio p50")
    print(f"{'page':14} {'users':>5} " + " ".join(f"{h:>10}" for h in heads))
    for name in PAGES:
        for users in USERS:
            a, b = small[name][users], large[name][users]
            ratio = b["p50_ms"] / a["p50_ms"] if a["p50_ms"] else float("nan")
            cells = (a["p50_ms"], a["p99_ms"], b["p50_ms"], b["p99_ms"], f"{ratio:.2f}")
            print(f"{name:14} {users:>5} " + " ".join(f"{c:>10}" for c in cells))
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
