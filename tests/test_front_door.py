"""README and CONTRIBUTING promises, and `make run` itself on a fresh instance folder."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from core.cli import cli
from core.demo import load_demo
from core.members import Association, Collective, Person
from core.partners import Partner
from core.settings import SETTINGS
from tests.support import login

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()


def test_readme_opens_with_the_two_commands():
    top = README.split("## ")[0]
    assert "make run" in top and "make test" in top


def test_readme_configuration_table_lists_every_setting():
    documented = set(re.findall(r"^\| `(MAILLAGE_[A-Z_]+)` \|", README, re.MULTILINE))
    expected = {setting.env for setting in SETTINGS}
    assert expected <= documented
    extra = documented - expected
    assert extra == {"MAILLAGE_INSTANCE_PATH", "MAILLAGE_TEST_DATABASE_URL"}


def test_every_make_target_in_the_docs_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    for doc in (README, CONTRIBUTING):
        for target in re.findall(r"\bmake ([a-z-]+)", doc):
            assert target in targets, target


def test_every_maillage_command_in_the_docs_exists():
    runner = CliRunner()
    commands = set(re.findall(r"`(?:\.venv/bin/)?maillage ([a-z -]+?)(?: --| [A-Z]|`|…)", README))
    commands |= set(re.findall(r"\.venv/bin/maillage ([a-z ]+)", README + CONTRIBUTING))
    assert {"db upgrade", "demo load", "admin create"} <= {c.strip() for c in commands}
    for command in commands:
        words = [w for w in command.split() if not w.startswith("core@")]
        result = runner.invoke(cli, [*words, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_readme_demo_accounts_log_in(app: Flask, db):
    with app.app_context():
        load_demo()
    accounts = re.findall(r"^\| `([a-z.]+@exemple\.org)` \|", README, re.MULTILINE)
    assert accounts == ["admin@exemple.org", "coordination@exemple.org", "benevole@exemple.org"]
    assert "`demo-maillage`" in README
    for email in accounts:
        client = app.test_client()
        login(client, email, "demo-maillage")
        assert client.get("/").status_code == 200


def test_demo_data_matches_the_brief(app: Flask, db):
    with app.app_context():
        load_demo()
    assert db.scalar(select(func.count(Collective.id))) == 1
    assert db.scalar(select(func.count(Association.id))) == 3
    # About a dozen of the core's, plus the three people Aller-vers' demo met in the street
    # and engaged (its contacts become people of the association).
    assert 10 <= db.scalar(select(func.count(Person.id))) <= 17
    assert db.scalar(select(func.count(Partner.id))) == 8
    assert db.scalar(select(func.count(func.distinct(Partner.kind)))) == 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run stopped early: {process.stdout.read()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _make_run(instance: Path) -> tuple[bytes, bytes, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MAILLAGE_") and k not in {"FLASK_DEBUG", "FLASK_APP"}}
    env.update(MAILLAGE_INSTANCE_PATH=str(instance), PORT=str(port), MAILLAGE_MAIL_BACKEND="file")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        login_page = _wait_for(f"http://127.0.0.1:{port}/login", process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    return health, login_page, output


@pytest.mark.slow
def test_make_run_serves_the_demo_and_keeps_data_on_the_second_run(tmp_path):
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("needs the project's .venv: run `make test` (which installs it) first")
    instance = tmp_path / "instance"
    health, login_page, output = _make_run(instance)
    assert b'"status":"ok"' in health.replace(b" ", b"")
    assert b"Connexion" in login_page
    assert "Données de démonstration chargées" in output, output
    assert (instance / "secret_key").exists() and (instance / "maillage.sqlite3").exists()
    key = (instance / "secret_key").read_text()

    _, _, second = _make_run(instance)
    assert "Données déjà présentes" in second, second
    assert (instance / "secret_key").read_text() == key
    assert "Traceback" not in output + second, shlex.quote(output + second)


@pytest.mark.slow
def test_gunicorn_serves_the_app_and_the_login_limit_holds_across_workers(tmp_path):
    """README's production command, with two worker processes sharing one limit."""
    import http.cookiejar

    bin_dir = Path(sys.executable).parent
    gunicorn = bin_dir / "gunicorn"
    maillage = bin_dir / "maillage"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(MAILLAGE_INSTANCE_PATH=str(tmp_path), MAILLAGE_SECURE_COOKIES="false",
               MAILLAGE_MAIL_BACKEND="file", MAILLAGE_LOGIN_MAX_FAILURES_PER_ACCOUNT="3")
    subprocess.run([str(maillage), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(maillage), "demo", "load"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "core:create_app()"],
        env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert b"ok" in _wait_for(f"{base}/healthz", process)
        statuses = []
        for _attempt in range(4):
            # A fresh connection each time: the attempts spread over both workers.
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(f"{base}/login", timeout=10).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"email": "benevole@exemple.org", "password": "faux",
                                           "csrf_token": token}).encode()
            try:
                opener.open(f"{base}/login", data=body, timeout=10)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [422, 422, 422, 429]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)


def test_the_package_metadata_reads_without_a_setuptools_warning():
    """`pip install -e .` once printed a deprecation of `project.license` as a table."""
    import warnings

    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        distribution = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    assert [str(warning.message) for warning in caught] == []
    assert distribution.metadata.license_expression == "AGPL-3.0-or-later"
