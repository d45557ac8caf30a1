"""The plugin host: enabling per association at run time, isolation, namespacing,
one query per request, tracing, settings, personal data, and import boundaries."""

from __future__ import annotations

import ast
import json
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from core.pluginhost.activation import PluginActivation
from core.pluginhost.calling import HookFailed
from tests.conftest import SUITE_PLUGINS, World, make_app
from tests.plugin_fixtures.exemplum.models import ExempleItem
from tests.support import login, post, text_of
from tests.test_query_counts import count_queries

ROOT = Path(__file__).resolve().parent.parent
BROKEN = {
    "fails_at_import": "tests.plugin_fixtures.broken.fails_at_import",
    "mauvais_bp": "tests.plugin_fixtures.broken.bad_blueprint",
    "mauvais_prefixe": "tests.plugin_fixtures.broken.bad_prefix",
    "mauvaise_table": "tests.plugin_fixtures.broken.bad_table",
    "crochet_inconnu": "tests.plugin_fixtures.broken.unknown_hook",
    "Mauvais-Nom": "tests.plugin_fixtures.broken.bad_name",
    "sans_droits": "tests.plugin_fixtures.broken.unguarded_route",
    "gabarits_hors": "tests.plugin_fixtures.broken.bad_templates",
    "statique_hors": "tests.plugin_fixtures.broken.bad_static",
}
RAISING = {"en_panne": "tests.plugin_fixtures.broken.raising_hooks"}


def enable(db, plugin: str, association, *, enabled: bool = True, settings=None) -> None:
    db.add(PluginActivation(plugin=plugin, association_id=association.id, enabled=enabled,
                            settings=settings or {}))
    db.commit()


# --- enabling per association, at run time -------------------------------------------------


def test_an_association_admin_switches_a_plugin_on_and_off_without_restart(app, world: World):
    coordinator = app.test_client()
    login(coordinator, "coord.a@test.org")
    assert coordinator.get("/p/exemplum/alpha/").status_code == 404
    assert "Exemple" not in _nav(coordinator)

    admin = app.test_client()
    login(admin, "admin.a@test.org")
    assert post(admin, "/associations/alpha/modules/exemplum/etat", {"enabled": "1"}).status_code == 303

    page = coordinator.get("/p/exemplum/alpha/")
    assert page.status_code == 200 and "Bonjour, Association Alpha" in text_of(page)
    assert "Exemple" in _nav(coordinator)
    assert "Éléments d&#39;exemple" in text_of(coordinator.get("/"))
    assert coordinator.get("/p/exemplum/beta/").status_code == 404  # beta did not enable it

    assert post(admin, "/associations/alpha/modules/exemplum/etat", {"enabled": "0"}).status_code == 303
    assert coordinator.get("/p/exemplum/alpha/").status_code == 404
    assert "Exemple" not in _nav(coordinator)
    assert "Éléments d&#39;exemple" not in text_of(coordinator.get("/"))


def _nav(client) -> str:
    html = text_of(client.get("/"))
    return html[html.index('aria-label="Navigation principale"'):html.index("</nav>")]


def test_state_lives_in_the_database_so_every_worker_sees_it(app, database_url, db, world):
    """Two app objects stand for two gunicorn workers: a switch in one shows in the other."""
    other_worker = make_app(database_url, PLUGIN_MODULES=SUITE_PLUGINS)
    admin = app.test_client()
    login(admin, "admin.a@test.org")
    post(admin, "/associations/alpha/modules/exemplum/etat", {"enabled": "1"})
    coordinator = other_worker.test_client()
    login(coordinator, "coord.a@test.org")
    assert coordinator.get("/p/exemplum/alpha/").status_code == 200


def test_other_associations_members_do_not_get_the_plugin(app, db, world):
    enable(db, "exemplum", world.asso_a)
    client = app.test_client()
    login(client, "coord.b@test.org")
    assert client.get("/p/exemplum/").status_code == 404
    assert client.get("/p/exemplum/alpha/").status_code == 404
    assert "Exemple" not in _nav(client)


def test_anonymous_visitors_are_sent_to_login(client, db, world):
    enable(db, "exemplum", world.asso_a)
    response = client.get("/p/exemplum/alpha/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_collective_admin_forbids_a_plugin_everywhere(app, db, world):
    enable(db, "exemplum", world.asso_a)
    admin = app.test_client()
    login(admin, "collectif@test.org")
    assert post(admin, "/administration/modules/exemplum/interdiction",
                {"forbidden": "1"}).status_code == 303
    coordinator = app.test_client()
    login(coordinator, "coord.a@test.org")
    assert coordinator.get("/p/exemplum/alpha/").status_code == 404

    association_admin = app.test_client()
    login(association_admin, "admin.a@test.org")
    refused = post(association_admin, "/associations/alpha/modules/exemplum/etat", {"enabled": "1"},
                   follow_redirects=True)
    assert "interdit par le collectif" in text_of(refused)

    post(admin, "/administration/modules/exemplum/interdiction", {"forbidden": "0"})
    assert coordinator.get("/p/exemplum/alpha/").status_code == 200


def test_collective_page_shows_who_uses_what(app, db, world):
    enable(db, "exemplum", world.asso_a)
    admin = app.test_client()
    login(admin, "collectif@test.org")
    html = text_of(admin.get("/administration/modules"))
    assert "Exemple" in html and 'Utilisé par : <a href="/associations/alpha/modules">Alpha</a>' in html


def test_the_enabling_state_is_read_in_one_query_per_request(app, db, world):
    enable(db, "exemplum", world.asso_a)
    client = app.test_client()
    login(client, "admin.a@test.org")
    for url in ["/", f"/personnes/{world.supported_a.id}", "/associations/alpha", "/p/exemplum/alpha/"]:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200, url
        reads = [s for s in statements if "FROM plugin_activations" in s]
        assert len(reads) == 1, (url, reads)


def test_hooks_of_a_disabled_plugin_are_not_called(app, db, world, caplog):
    enable(db, "exemplum", world.asso_b)  # enabled elsewhere only
    app.config["TRACE_HOOKS"] = True
    client = app.test_client()
    login(client, "admin.a@test.org")
    with caplog.at_level(logging.INFO, logger="maillage.plugins"):
        client.get("/")
        client.get("/associations/alpha")
    assert "plugin=exemplum" not in caplog.text


def test_tracing_logs_each_hook_with_plugin_and_duration(app, db, world, caplog):
    enable(db, "exemplum", world.asso_a)
    app.config["TRACE_HOOKS"] = True
    client = app.test_client()
    login(client, "admin.a@test.org")
    with caplog.at_level(logging.INFO, logger="maillage.plugins"):
        client.get("/")
    assert re.search(r"hook dashboard_widgets plugin=exemplum \d+\.\d{3} ms", caplog.text)
    assert re.search(r"hook navigation plugin=exemplum \d+\.\d{3} ms", caplog.text)


# --- settings ------------------------------------------------------------------------------


def test_settings_use_defaults_then_what_the_association_saved(app, db, world):
    enable(db, "exemplum", world.asso_a)
    admin = app.test_client()
    login(admin, "admin.a@test.org")
    assert "4 heures par semaine" in text_of(admin.get("/p/exemplum/alpha/"))
    form = admin.get("/associations/alpha/modules/exemplum/reglages")
    assert 'value="Bonjour"' in text_of(form)
    saved = post(admin, "/associations/alpha/modules/exemplum/reglages",
                 {"greeting": "Salut", "weekly_hours": "8"})
    assert saved.status_code == 303
    page = text_of(admin.get("/p/exemplum/alpha/"))
    assert "Salut, Association Alpha" in page and "8 heures par semaine" in page


def test_bad_settings_are_refused_in_french_and_nothing_is_lost(app, db, world):
    enable(db, "exemplum", world.asso_a, settings={"greeting": "Salut", "weekly_hours": 8})
    admin = app.test_client()
    login(admin, "admin.a@test.org")
    refused = post(admin, "/associations/alpha/modules/exemplum/reglages",
                   {"greeting": "Allô", "weekly_hours": "99"})
    assert refused.status_code == 422
    assert "Entre 1 et 35 heures." in text_of(refused)
    assert 'value="Allô"' in text_of(refused)
    db.expire_all()
    stored = db.scalar(select(PluginActivation.settings).where(PluginActivation.plugin == "exemplum"))
    assert stored == {"greeting": "Salut", "weekly_hours": 8}


# --- personal data -------------------------------------------------------------------------


def test_export_includes_every_plugins_data_even_when_disabled(app, db, world):
    db.add(ExempleItem(association_id=world.asso_a.id, person_id=world.supported_a.id,
                       label="atelier CV"))
    db.commit()
    client = app.test_client()
    login(client, "coord.a@test.org")
    response = client.get(f"/personnes/{world.supported_a.id}/donnees.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["personne"]["prenom"] == "Samir"
    assert data["modules"]["exemplum"] == {"titre": "Exemple", "donnees": [
        {"association_id": world.asso_a.id, "label": "atelier CV"}]}


def test_erasure_removes_the_person_and_every_plugins_data(app, db, world):
    db.add(ExempleItem(association_id=world.asso_a.id, person_id=world.supported_a.id, label="x"))
    db.add(ExempleItem(association_id=world.asso_a.id, person_id=None, label="reste"))
    db.commit()
    person_id = world.supported_a.id
    admin = app.test_client()
    login(admin, "collectif@test.org")
    assert post(admin, f"/personnes/{person_id}/effacer").status_code == 303
    db.expire_all()
    assert [i.label for i in db.scalars(select(ExempleItem))] == ["reste"]
    assert admin.get(f"/personnes/{person_id}").status_code == 404


# --- isolation -----------------------------------------------------------------------------


@pytest.fixture
def lenient_app(database_url: str, app: Flask) -> Flask:
    return make_app(database_url, PLUGINS_STRICT=False,
                    PLUGIN_MODULES={**SUITE_PLUGINS, **BROKEN, **RAISING})


def test_broken_plugins_do_not_stop_the_site(lenient_app: Flask, world):
    host = lenient_app.extensions["maillage.plugins"]
    assert {"en_panne", "exemplum"} <= set(host.registered)
    assert not set(BROKEN) & set(host.registered)
    client = lenient_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    login(client, "collectif@test.org")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(("plugin", "rule"), [
    ("fails_at_import", "import impossible : RuntimeError: panne volontaire à l'import"),
    ("mauvais_bp", "blueprint : son nom est « autre_nom », il doit être « mauvais_bp »"),
    ("mauvais_prefixe", "préfixe d'URL : « /admin », il doit être « /p/mauvais_prefixe »"),
    ("mauvaise_table", "tables : sans_prefixe — chaque table doit commencer par « mauvaise_table_ »"),
    ("crochet_inconnu", "crochets : unknown hook 'dashboard_widget'"),
    ("Mauvais-Nom", "nom « Mauvais-Nom » : lettres minuscules"),
    ("sans_droits", "droits : sans_droits.open_page sans @access(Level…)"),
    ("gabarits_hors", "gabarits : page.html — ils doivent être dans « templates/gabarits_hors/ »"),
    ("statique_hors", "fichiers statiques : servis sous « /static-partage », pas sous /p/statique_hors/"),
])
def test_refused_plugins_say_which_rule(lenient_app: Flask, world, plugin: str, rule: str):
    host = lenient_app.extensions["maillage.plugins"]
    assert rule in host.plugins[plugin].error
    client = lenient_app.test_client()
    login(client, "collectif@test.org")
    page = text_of(client.get("/administration/modules"))
    assert "pas pu être chargé" in page
    assert rule.split(" : ")[0].replace("'", "&#39;") in page


def test_a_refused_plugins_tables_are_never_created(lenient_app: Flask):
    from core.database import Base

    assert "sans_prefixe" not in Base.metadata.tables


def test_a_failing_hook_drops_only_that_plugins_contribution(lenient_app, db, world, caplog):
    enable(db, "exemplum", world.asso_a)
    enable(db, "en_panne", world.asso_a)
    client = lenient_app.test_client()
    login(client, "admin.a@test.org")
    with caplog.at_level(logging.ERROR, logger="maillage.plugins"):
        dashboard = client.get("/")
        association = client.get("/associations/alpha")
    assert dashboard.status_code == 200 and association.status_code == 200
    assert "Éléments d&#39;exemple" in text_of(dashboard)  # the healthy plugin still shows
    assert "Exemple pour l&#39;association" in text_of(association)
    assert "plugin en_panne: hook dashboard_widgets failed" in caplog.text
    assert "plugin en_panne: hook navigation failed" in caplog.text


def test_in_strict_mode_failures_are_loud(database_url, app, db, world):
    with pytest.raises(RuntimeError, match="fails_at_import"):
        make_app(database_url, PLUGINS_STRICT=True,
                 PLUGIN_MODULES={"fails_at_import": BROKEN["fails_at_import"]})
    strict = make_app(database_url, PLUGINS_STRICT=True, PLUGIN_MODULES=RAISING)
    enable(db, "en_panne", world.asso_a)
    client = strict.test_client()
    login(client, "admin.a@test.org")
    with pytest.raises(HookFailed, match="en_panne"):
        client.get("/")


def test_plugins_list_command(database_url, app, db, world, monkeypatch):
    from core.cli import cli

    enable(db, "exemplum", world.asso_a)
    monkeypatch.setenv("MAILLAGE_DATABASE_URL", database_url)
    monkeypatch.setenv("MAILLAGE_PLUGINS_STRICT", "false")
    monkeypatch.setenv("MAILLAGE_PLUGIN_MODULES", ",".join(
        f"{name}={module}" for name, module in {**SUITE_PLUGINS, **BROKEN}.items()))
    result = CliRunner().invoke(cli, ["plugins", "list"])
    assert result.exit_code == 0, result.output
    assert "exemplum 1.0.0 [chargé]" in result.output
    assert "activé par : Alpha" in result.output
    assert "origine : configuration (PLUGIN_MODULES) (tests.plugin_fixtures.exemplum.plugin)" in result.output
    assert "fails_at_import - [ERREUR]" in result.output
    assert "erreur : import impossible : RuntimeError" in result.output


# --- import boundaries ---------------------------------------------------------------------


def core_imports_outside_the_api(path: Path) -> list[str]:
    """Imports of ``core.*`` other than ``core.plugin_api`` in a plugin's module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [n for n in names if (n == "core" or n.startswith("core.")) and n != "core.plugin_api"]
    return found


def plugin_sources() -> list[Path]:
    return sorted((ROOT / "plugins").rglob("*.py")) + sorted(
        (ROOT / "tests" / "plugin_fixtures" / "exemplum").rglob("*.py"))


def test_plugins_import_nothing_from_core_but_the_plugin_api():
    offenders = {str(p.relative_to(ROOT)): core_imports_outside_the_api(p) for p in plugin_sources()}
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_import_check_catches_a_violation(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from core.plugin_api import hookimpl\nfrom core.members import Person\n"
                      "import core.database\n")
    assert core_imports_outside_the_api(sneaky) == ["core.members", "core.database"]


def installed_plugin_names() -> set[str]:
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject.split('[project.entry-points."maillage.plugins"]')[1].split("\n[")[0]
    declared = set(re.findall(r"^([a-z][a-z0-9_]*)\s*=", section, re.MULTILINE))
    packages = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()}
    return declared | packages | set(SUITE_PLUGINS)


def test_the_core_names_no_plugin():
    names = installed_plugin_names()
    assert "exemplum" in names
    offenders = []
    for path in (ROOT / "core").rglob("*"):
        if path.suffix not in {".py", ".html"} or "scaffold" in path.parts:
            continue
        words = set(re.findall(r"[a-z][a-z0-9_]+", path.read_text()))
        offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names & words]
    assert offenders == []


def _cli_env(monkeypatch, database_url: str, plugins: dict[str, str]) -> None:
    monkeypatch.setenv("MAILLAGE_DATABASE_URL", database_url)
    monkeypatch.setenv("MAILLAGE_PLUGINS_STRICT", "false")
    monkeypatch.setenv("MAILLAGE_PLUGIN_MODULES",
                       ",".join(f"{name}={module}" for name, module in plugins.items()))


def test_a_plugins_commands_come_under_its_name(database_url, app, db, world, monkeypatch):
    from core.cli import cli

    db.add(ExempleItem(association_id=world.asso_a.id, label="un"))
    db.commit()
    _cli_env(monkeypatch, database_url, SUITE_PLUGINS)
    result = CliRunner().invoke(cli, ["exemplum", "compter"])
    assert result.exit_code == 0, result.output
    assert "1 élément(s)" in result.output


def test_indicators_come_from_the_associations_enabled_plugins(database_url, app, db, world,
                                                              monkeypatch):
    from core.cli import cli

    db.add_all([ExempleItem(association_id=world.asso_a.id, label="un"),
                ExempleItem(association_id=world.asso_a.id, label="deux")])
    db.commit()
    _cli_env(monkeypatch, database_url, SUITE_PLUGINS)
    args = ["plugins", "indicators", "alpha", "--from", "2026-01-01", "--to", "2026-12-31"]
    assert CliRunner().invoke(cli, args).output == ""  # not enabled: not asked
    enable(db, "exemplum", world.asso_a)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "exemplum\texemplum.items\t2\tÉléments" in result.output
    unknown = CliRunner().invoke(cli, ["plugins", "indicators", "nulle-part", "--from", "2026-01-01",
                                       "--to", "2026-12-31"])
    assert unknown.exit_code != 0 and "Association inconnue" in unknown.output


def test_declared_permissions_are_shown_to_the_association_admin(app, world):
    admin = app.test_client()
    login(admin, "admin.a@test.org")
    assert "Modifier les exemples" in text_of(admin.get("/associations/alpha/modules"))


def test_settings_are_read_outside_a_request_too(app, db, world):
    """A command (no logged-in user) gets the association's saved settings."""
    from core.plugin_api import settings_for
    from core.pluginhost.refs import association_ref

    enable(db, "exemplum", world.asso_a, settings={"greeting": "Salut"})
    with app.app_context():
        assert settings_for("exemplum", association_ref(world.asso_a)) == {
            "greeting": "Salut", "weekly_hours": 4}


def test_the_kits_post_and_outbox_fixtures(app, world, maillage_post, maillage_outbox):
    """What plugin authors use to post forms and read mail, without core internals."""
    client = app.test_client()
    assert maillage_post(client, "/mot-de-passe/oublie", {"email": "coord.a@test.org"}).status_code == 303
    assert client.post("/mot-de-passe/oublie", data={"email": "coord.a@test.org"}).status_code == 400
    assert [message["To"] for message in maillage_outbox] == ["coord.a@test.org"]
