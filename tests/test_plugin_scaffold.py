"""`maillage plugins new`: the generated plugin installs, and its own tests pass at once."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from core.cli import cli
from core.testing import configured_test_database_url
from core.testing_routes import MATRIX_ROLES

NAME = "carnet_test"
DISTRIBUTION = "maillage-carnet-test"
EXPECTED_FILES = [
    "pyproject.toml",
    "README.md",
    f"{NAME}/__init__.py",
    f"{NAME}/plugin.py",
    f"{NAME}/models.py",
    f"{NAME}/forms.py",
    f"{NAME}/views.py",
    f"{NAME}/templates/{NAME}/index.html",
    f"{NAME}/templates/{NAME}/widget.html",
    f"{NAME}/migrations/versions/{NAME}_0001_initial.py",
    f"tests/test_{NAME}.py",
]


@pytest.fixture
def new_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Runs `maillage plugins new NAME --dir tmp_path`, with an app of its own."""
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path / "instance"))

    def run(name: str) -> Result:
        return CliRunner().invoke(cli, ["plugins", "new", name, "--dir", str(tmp_path)])

    return run


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def _ruff(path: Path) -> subprocess.CompletedProcess[str]:
    """Lint with the generated pyproject.toml: the same rules as Maillage's code."""
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(path)],
                          capture_output=True, text=True, timeout=120, check=False, cwd=path)


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _builds_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1; before, it needs the wheel package."""
    if importlib.util.find_spec("wheel") is not None:
        return True
    major, minor = (int(part) for part in importlib.metadata.version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1)


def _plugin_test_environment() -> dict[str, str]:
    """The environment of the suite, with a database of the plugin's own on PostgreSQL:
    the testing kit empties the database it is given, and this run's is in use."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTEST_ADDOPTS", "MAILLAGE_INSTANCE_PATH"}}
    url = configured_test_database_url()
    if url:
        parsed = make_url(url)
        env["MAILLAGE_TEST_DATABASE_URL"] = parsed.set(
            database=f"{parsed.database}_scaffold"
        ).render_as_string(hide_password=False)
    return env


def _add_a_setting_judged_on_what_is_typed(forms: Path) -> None:
    """What an author does first: a number setting with required_input() and whole_number(),
    which the generated settings test must accept as well as the required() text."""
    source = forms.read_text(encoding="utf-8")
    source = source.replace("from core.plugin_api import STRIP, max_length, required",
                            "from core.plugin_api import (STRIP, FrenchIntegerField, max_length, required,\n"
                            "                             required_input, whole_number)")
    source = source.replace('{"greeting": "Bonjour"}', '{"greeting": "Bonjour", "shown": 20}')
    source += ('\n    shown = FrenchIntegerField("Notes affichées", validators=[\n'
               '        required_input(), *whole_number("Notes affichées", 0, 200)])\n')
    assert source.count("required_input") == 2 and '"shown": 20' in source
    forms.write_text(source, encoding="utf-8")


@pytest.mark.slow
def test_the_generated_plugin_installs_and_its_tests_pass(new_plugin, tmp_path: Path) -> None:
    result = new_plugin(NAME)
    assert result.exit_code == 0, result.output
    path = tmp_path / NAME
    assert f"Module créé dans {path}" in result.output
    missing = [name for name in EXPECTED_FILES if not (path / name).is_file()]
    assert missing == []

    lint = _ruff(path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    _add_a_setting_judged_on_what_is_typed(path / NAME / "forms.py")

    if _installed(DISTRIBUTION):  # left behind by an interrupted run
        _pip("uninstall", "-y", DISTRIBUTION)
    # Offline when the venv's setuptools can build; otherwise pip fetches it, as `make` does.
    isolation = ["--no-build-isolation"] if _builds_without_isolation() else []
    try:
        install = _pip("install", "--no-deps", *isolation, "-e", str(path))
        assert install.returncode == 0, install.stdout + install.stderr

        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
             str(path / "tests")],
            capture_output=True, text=True, timeout=600, check=False, cwd=path,
            env=_plugin_test_environment(),
        )
        output = tests.stdout + tests.stderr
        assert tests.returncode == 0, output
        assert " passed" in output
        # Its own permission matrix ran, once per role of the kit.
        matrix = f"PASSED tests/test_{NAME}.py::test_every_route_has_an_expected_status_per_role"
        assert [role for role in MATRIX_ROLES if f"{matrix}[{role}]" in output] == list(MATRIX_ROLES)
    finally:
        _pip("uninstall", "-y", DISTRIBUTION)
    assert not _installed(DISTRIBUTION)


@pytest.mark.parametrize("name", ["Carnet", "1abc", "a-b", "a"])
def test_a_name_outside_the_rule_is_refused(new_plugin, tmp_path: Path, name: str) -> None:
    result = new_plugin(name)
    assert result.exit_code != 0
    assert f"Nom « {name} » invalide : lettres minuscules, chiffres et _ seulement" in result.output
    assert not (tmp_path / name).exists()


def test_a_name_too_long_for_postgresql_constraint_names_is_refused(new_plugin) -> None:
    result = new_plugin("a" * 27)
    assert result.exit_code != 0
    assert "trop long : 26 caractères au plus" in result.output


def test_the_longest_name_still_gives_lint_clean_code(new_plugin, tmp_path: Path) -> None:
    assert new_plugin("a" * 26).exit_code == 0
    lint = _ruff(tmp_path / ("a" * 26))
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_name_that_would_shadow_an_importable_module_is_refused(new_plugin) -> None:
    result = new_plugin("json")
    assert result.exit_code != 0
    assert "Nom « json » déjà pris" in result.output


def test_an_existing_folder_is_left_untouched(new_plugin, tmp_path: Path) -> None:
    existing = tmp_path / NAME
    existing.mkdir()
    (existing / "notes.txt").write_text("à garder", encoding="utf-8")
    result = new_plugin(NAME)
    assert result.exit_code != 0
    assert f"Le dossier {existing} existe déjà : rien n'a été écrit." in result.output
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


def test_the_title_keeps_its_accents_and_the_commands_are_those_of_this_environment(
        new_plugin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(sys.executable).parent.parent.parent)  # the checkout, above .venv
    result = CliRunner().invoke(cli, ["plugins", "new", "pret_materiel", "--dir", str(tmp_path),
                                      "--title", "Prêt de matériel"])
    assert result.exit_code == 0, result.output
    package = tmp_path / "pret_materiel"
    assert 'TITLE = "Prêt de matériel"' in (package / "pret_materiel" / "__init__.py").read_text()
    assert "# Prêt de matériel" in (package / "README.md").read_text()
    bin_dir = Path(sys.executable).parent.relative_to(Path.cwd())
    assert (f"Ensuite : {bin_dir}/pip install -e {package} && {bin_dir}/maillage db upgrade && "
            f"{bin_dir}/pytest {package}") in result.output


@pytest.mark.parametrize("title", ['Le "carnet"', "C:\\notes", "x", "a\x07b"])
def test_a_title_that_cannot_be_written_in_the_files_is_refused(tmp_path: Path, title: str) -> None:
    result = CliRunner().invoke(cli, ["plugins", "new", "carnet_titre", "--dir", str(tmp_path),
                                      "--title", title])
    assert result.exit_code != 0
    assert "invalide : 2 à 60 caractères, sans guillemet droit" in result.output
    assert not (tmp_path / "carnet_titre").exists()


def test_the_generated_forms_use_the_core_strip_filter() -> None:
    from core.pluginhost.scaffold import render

    forms = render("carnet_test")["carnet_test/forms.py"]
    assert "filters=STRIP" in forms and "def strip" not in forms
