"""More than one server: nothing one server keeps that another needs. Sessions and throttle counters are in
the database (or Redis), attachments go through Django's storage API — an S3-compatible store shared by the
servers when configured —, and a user signed in on one server is signed in on another (PostgreSQL)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

MAMORI = [sys.executable, "-m", "mamori.cli"]
SETTINGS = (
    "import os, json; os.environ['MAMORI_SECRET_KEY']='x'*50; "
    "os.environ['DJANGO_SETTINGS_MODULE']='mamori.web.config.settings'; import django; django.setup(); "
    "from django.conf import settings as s; print(json.dumps({'storage': s.STORAGES['default'], "
    "'sessions': s.SESSION_ENGINE, 'throttle': s.MAMORI_THROTTLE_STORE, "
    "'tasks': s.TASKS['default']['BACKEND']}, default=str))"
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_", "DATABASE_URL"))}
    env.update(MAMORI_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def _settings(tmp_path: Path, **extra: str) -> dict[str, Any]:
    import json

    done = subprocess.run([sys.executable, "-c", SETTINGS], cwd=tmp_path, env=_env(tmp_path, **extra),
                          capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    return dict(json.loads(done.stdout))


def test_by_default_files_are_on_this_disk_and_sessions_counters_and_tasks_in_the_database(tmp_path: Path) -> None:
    found = _settings(tmp_path)
    assert found["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["throttle"] == "database"
    assert found["tasks"] == "django_tasks_db.DatabaseBackend"


def test_an_s3_compatible_store_by_configuration(tmp_path: Path) -> None:
    found = _settings(
        tmp_path,
        MAMORI_S3_BUCKET="mamori-files",
        MAMORI_S3_ENDPOINT_URL="https://s3.example.jp",
        MAMORI_S3_REGION="ap-northeast-1",
    )
    storage = found["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "mamori-files",
        "endpoint_url": "https://s3.example.jp",
        "region_name": "ap-northeast-1",
        "location": "mamori",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 300,
    }  # no keys given: boto3's own chain (an instance role)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp_path: Path, port: int, env: dict[str, str]) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [*MAMORI, "serve", "--demo", "--port", str(port), "--workers", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    assert server.stdout is not None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if f":{port}/" in line or (not line and server.poll() is not None):
            break
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server on {port} did not start")


@pytest.fixture
def database() -> str:
    """A database of its own for the two servers, on the PostgreSQL of DATABASE_URL."""
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"{url.path.lstrip('/') or 'mamori'}_two_servers"
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url._replace(path=f"/{name}").geturl()


@pytest.mark.postgres
def test_a_session_made_on_one_server_is_valid_on_another(tmp_path: Path, database: str) -> None:
    env = _env(tmp_path, DATABASE_URL=database, MAMORI_DEMO_PASSWORD="demo-password-123")
    first_port, second_port = _free_port(), _free_port()
    first = _start(tmp_path, first_port, env)
    second = None
    try:
        second = _start(tmp_path, second_port, env)  # the same database; the demo is there already
        jar = http.cookiejar.CookieJar()  # cookies of 127.0.0.1 go to either port
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(f"http://127.0.0.1:{first_port}/accounts/login/", timeout=10) as r:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.read().decode())
        assert token
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "holder", "password": "demo-password-123"}
        ).encode()
        with browser.open(f"http://127.0.0.1:{first_port}/accounts/login/", data=form, timeout=10) as r:
            assert "/accounts/login/" not in r.geturl()  # signed in on the first server
        with browser.open(f"http://127.0.0.1:{second_port}/dashboard/", timeout=10) as r:
            assert r.status == 200
            assert "/accounts/login/" not in r.geturl()  # and on the second: the session is in the database
            assert "holder" in r.read().decode()
    finally:
        for server in (first, second):
            if server is not None:
                os.killpg(server.pid, signal.SIGINT)
                server.wait(timeout=60)
