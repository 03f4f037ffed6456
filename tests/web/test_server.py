"""``mamori serve`` as an operator meets it: it refuses to start without a secret key (outside the demo),
and the demo starts gunicorn on an SQLite file, prints the address and the demo users, and serves the
pages (static files included) and the API; settings are safe by default."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

MAMORI = [sys.executable, "-m", "mamori.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_", "DATABASE_URL"))}
    env.update(MAMORI_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = subprocess.run([*MAMORI, "serve", "--port", "1"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    assert "MAMORI_SECRET_KEY" in done.stderr
    assert not (tmp_path / "mamori.sqlite3").exists()


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("MAMORI_WEB_THREADS", "four", "MAMORI_WEB_THREADS must be a whole number (got four)."),
        ("MAMORI_WEB_THREADS", "0", "MAMORI_WEB_THREADS must be between 1 and 32 (got 0)."),
        ("MAMORI_MAX_BODY_BYTES", "-1", "MAMORI_MAX_BODY_BYTES must be between 16,384 and 1,073,741,824 (got -1)."),
        ("MAMORI_THROTTLE_QUOTE", "60", "MAMORI_THROTTLE_QUOTE must be requests/seconds (60/600: 60 requests in 10 minutes; got 60)."),
        ("MAMORI_IDEMPOTENCY_WAIT_SECONDS", "nan", "MAMORI_IDEMPOTENCY_WAIT_SECONDS must be between 0 and 60 (got nan)."),
    ],
)  # fmt: skip
def test_a_number_setting_that_cannot_work_stops_the_start_with_its_name_and_bounds(
    tmp_path: Path, setting: str, value: str, said: str
) -> None:
    done = subprocess.run(
        [*MAMORI, "serve", "--demo", "--lang", "en", "--port", "1"],
        cwd=tmp_path, env=_env(tmp_path, **{setting: value}), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr.strip()) == (2, f"mamori: {said}")
    assert not (tmp_path / "mamori.sqlite3").exists()  # stopped before anything was prepared


def test_the_demo_serves_pages_static_files_and_the_api(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, MAMORI_DEMO_PASSWORD="demo-password-123")
    server = subprocess.Popen(
        [*MAMORI, "serve", "--demo", "--port", str(port), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        assert server.stdout is not None
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if f":{port}/" in line:
                break
        printed = "".join(lines)
        assert "holder" in printed and "underwriter" in printed and "demo-password-123" in printed, printed
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as r:  # noqa: S310 - local
                    assert r.status == 200
                break
            except OSError:
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/quote/", timeout=5) as r:  # noqa: S310 - local
            page = r.read().decode()
        assert "お見積り" in page
        css = re.search(r'href="(/static/mamori/mamori\.[0-9a-f]+\.css)"', page)
        assert css, "static files are served with hashed names (WhiteNoise manifest)"
        with urllib.request.urlopen(base + css.group(1), timeout=5) as r:  # noqa: S310 - local
            assert "Mamori IPAexGothic" in r.read().decode()
        assert (tmp_path / "mamori.sqlite3").exists()
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as r:  # noqa: S310 - local
            assert "DENY" in r.headers.get("X-Frame-Options", "")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)


def test_production_settings_are_safe_by_default(tmp_path: Path) -> None:
    code = (
        "import os; os.environ['MAMORI_SECRET_KEY']='x'*50; os.environ['DJANGO_SETTINGS_MODULE']='mamori.web.config.settings';"
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.PASSWORD_HASHERS[0].rsplit('.',1)[1], s.ALLOWED_HOSTS)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == "False True True Argon2PasswordHasher ['localhost', '127.0.0.1', '[::1]']"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_in_production(settings: object) -> None:
    from django.contrib.auth.hashers import make_password

    from mamori.web.config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # type: ignore[attr-defined]
    assert make_password("correct-horse-battery-7").startswith("argon2$")
