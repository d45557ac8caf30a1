"""`maillage demo load`: the core's demo collective, and each plugin's own demo data through
the ``load_demo_data`` hook — the core enabling those plugins for the demo association."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from babel.dates import format_date
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agenda.clock import paris_today
from core.cli import cli
from core.members import Association
from core.pluginhost.activation import PluginActivation
from core.pluginhost.host import get_host
from tests.support import login, text_of

DEMO_SLUG = "passerelles"
PH = f"/p/premieres_heures/{DEMO_SLUG}"


def load_demo_through_the_command(app: Flask) -> str:
    result = app.test_cli_runner().invoke(cli, ["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def flat(text: str) -> str:
    """The page's words, without tags: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_plugins_with_demo_data_are_enabled_for_the_demo_association_only(app: Flask, db: Session):
    load_demo_through_the_command(app)
    activations = db.execute(select(PluginActivation.plugin, Association.slug, PluginActivation.enabled)
                             .join(Association, Association.id == PluginActivation.association_id)).all()
    # The suite's example plugin has no demo hook: loaded, left alone, no error.
    assert "exemplum" in get_host(app).registered
    assert sorted(get_host(app).implementing("load_demo_data")) == [
        "allervers", "premieres_heures", "sites", "tzcld"]
    assert sorted(activations) == [("allervers", DEMO_SLUG, True), ("premieres_heures", DEMO_SLUG, True),
                                   ("sites", DEMO_SLUG, True), ("tzcld", DEMO_SLUG, True)]


def test_a_second_load_changes_nothing(app: Flask, db: Session):
    load_demo_through_the_command(app)
    assert "Données déjà présentes" in load_demo_through_the_command(app)
    assert len(db.scalars(select(PluginActivation.id)).all()) == 4


def test_the_demo_coordinator_sees_premieres_heures_alive(app: Flask, client):
    load_demo_through_the_command(app)
    login(client, "coordination@exemple.org", "demo-maillage")
    today = paris_today()

    dashboard = flat(text_of(client.get("/")))
    assert "Premières Heures — Passerelles" in dashboard
    assert re.search(r"Personnes en parcours \d+ \(découverte ou en cours\)", dashboard)
    assert "bilan en retard, prévu le" in dashboard          # a review overdue
    ending = format_date(today + timedelta(days=21), "d MMMM y", locale="fr_FR")
    assert f"dérogation jusqu'au {ending}" in dashboard       # a waiver ending soon
    assert "absences de suite, à voir avec le référent" in dashboard

    pathways = flat(text_of(client.get(f"{PH}/parcours/")))
    for status in ("Découverte", "En cours", "En pause", "Terminé"):
        assert status in pathways, status

    week = client.get(f"{PH}/semaine/")
    assert week.status_code == 200
    # Three people at work at the host structure this week: 4 h + 12 h + 8 h planned.
    assert "Chantier d'insertion Bâti'Cité 3 24 h" in flat(text_of(week))


def test_the_demo_coordinator_sees_a_living_territory(app: Flask, client):
    load_demo_through_the_command(app)
    login(client, "coordination@exemple.org", "demo-maillage")
    base = f"/p/tzcld/{DEMO_SLUG}"
    home = flat(text_of(client.get(f"{base}/")))
    assert "volontaires en attente" in home and "En attente depuis plus de 90 jours" in home
    register = flat(text_of(client.get(f"{base}/registre/")))
    for status in ("Volontaire, en attente d'embauche", "Embauchée par l'EBE", "Sortie"):
        assert status in register, status
    table = flat(text_of(client.get(f"{base}/etp")))
    assert "Part de l'État" in table and "ne sont pas saisis" not in table
    assert re.search(r"\d[\d  ]*,\d\d €", table)  # the CDE computed, in euros


def test_the_demo_territory_has_its_committee_and_activities(app: Flask, client):
    load_demo_through_the_command(app)
    login(client, "coordination@exemple.org", "demo-maillage")
    base = f"/p/tzcld/{DEMO_SLUG}"
    committee = flat(text_of(client.get(f"{base}/cle/")))
    assert "Mme Roussel (Mairie) — Adjointe à l'emploi" in committee and "lit les décisions" in committee
    activities = flat(text_of(client.get(f"{base}/activites/")))
    for title, step in (("Recyclerie de quartier", "En cours"),
                        ("Tournée de livraison de courses", "Refusée"),
                        ("Entretien des jardins partagés", "Proposée")):
        assert re.search(f"{re.escape(title)}.*?{step}", activities), title
    decisions = client.get(f"{base}/telecharger/decisions.csv").get_data(as_text=True)
    assert "Local confirmé par le bailleur." in decisions and "Concurrence avec l'épicerie" in decisions
    agenda = flat(text_of(client.get("/agenda/")))
    assert "Comité local pour l'emploi" in agenda  # the meeting to come, in the team's agenda


def test_the_demo_coordinator_sees_a_site_in_transition(app: Flask, client):
    load_demo_through_the_command(app)
    login(client, "coordination@exemple.org", "demo-maillage")
    base = f"/p/sites/{DEMO_SLUG}"
    home = flat(text_of(client.get(f"{base}/")))
    assert "Ancienne école Jules-Ferry" in home
    assert "Compagnie Théâtre du Pavé" in home  # its occupancy ends within the 60-day warning
    site = re.search(r'href="(/p/sites/passerelles/sites/\d+)"', text_of(client.get(f"{base}/"))).group(1)
    page = flat(text_of(client.get(site)))
    assert re.search(r"Taux d'occupation : \d+(,\d)? % de la surface des lots", page)
    assert re.search(r"8 lots sur 12", page)  # eight occupied today, the ninth starts next month
    assert re.search(r"Recettes par mois : [\d ]+(,\d\d)? €", page)
    timeline = flat(text_of(client.get(f"{site}/calendrier")))
    assert "Studio de graphisme solidaire" in timeline and "Libre" in timeline
    lots = client.get(f"{site}/telecharger/lots.csv").get_data(as_text=True)
    assert lots.count("\r\n") == 13  # the header and the twelve lots


def test_the_demo_coordinator_sees_allervers_pathways_alive(app: Flask, client):
    load_demo_through_the_command(app)
    login(client, "coordination@exemple.org", "demo-maillage")
    base = f"/p/allervers/{DEMO_SLUG}"

    dashboard = flat(text_of(client.get("/")))
    assert "Aller-vers — Passerelles" in dashboard
    assert re.search(r"\d+ / 330 personnes accompagnées depuis le 1er janvier \d{4}", dashboard)

    pathways = flat(text_of(client.get(f"{base}/parcours/", query_string={"etat": "tous"})))
    for expected in ("Yanis Benali", "Inès Morel", "Kevin Diallo", "Sorti·e le"):
        assert expected in pathways, expected
    for stage in ("Aller vers", "Accompagner vers", "Accès à l'entreprise"):
        assert stage in pathways, stage
    yanis = re.search(r'href="(/p/allervers/passerelles/parcours/\d+)">Yanis Benali', text_of(
        client.get(f"{base}/parcours/")))
    page = flat(text_of(client.get(yanis.group(1))))
    assert "dans le public cible 16–29 ans" in page and "QPV" in page
    assert "Envoyée, sans réponse" in page and "En cours de levée" in page
