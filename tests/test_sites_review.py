"""Sites en transition: the team's review of a call's applications — scores and their exact
weighted totals, reviewers blind to each other until they have scored every criterion, the
ranking per lot with its ties, the decisions (reasons for a refusal, one acceptance per lot),
the decision e-mails (one per applicant, never twice), the allocation created from an
accepted application and the contact's erasure; another association's records answer 404,
volunteers 403, and no input breaks the forms (Hypothesis)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from fractions import Fraction

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.database import session
from core.plugin_api import StoredFile
from core.pluginhost.refs import association_ref
from core.testing_client import page_text
from plugins.sites.decisions import DecisionInput, DecisionsRefused, notify, save_decisions
from plugins.sites.labels import preference_label
from plugins.sites.models import Allocation
from plugins.sites.models_calls import Application, Attachment, Call, Choice, Decision, Field, Score
from plugins.sites.review import (
    NOT_REVIEWED,
    Candidate,
    Review,
    Wish,
    criteria_of,
    rank,
    reviewer_cards,
    reviews_of,
    two_decimals,
    weighted_total,
)
from tests.conftest import World
from tests.form_checks import dump, fresh
from tests.sites_review_world import FIRST_RECEIVED, CallWorld, add_application, add_scores, decide, make_call
from tests.support import committed, field_error, login, post, text_of

BASE = "/p/sites/alpha"
COORD, ADMIN = "coord.a@test.org", "admin.a@test.org"
TABLES = ("sites_scores", "sites_choices", "sites_applications")


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin) -> FlaskClient:
    maillage_enable_plugin("sites", world.asso_a)
    login(client, COORD)
    return client


@pytest.fixture
def admin(app, coord) -> FlaskClient:
    """A second reviewer of Alpha's team, in a browser of their own."""
    other = app.test_client()
    login(other, ADMIN)
    return other


@pytest.fixture
def call(db, world: World) -> CallWorld:
    """Weights 3 and 1; « Recyclerie » wishes A1 then B1."""
    made = make_call(db, world.asso_a.id)
    add_application(db, made, "Recyclerie", ("A1", "B1"), email="recyclerie@exemple.org")
    db.commit()
    return made


def scores(call: CallWorld, values: list[str], comments: list[str] | None = None) -> dict[str, str]:
    data = {f"score_{c}": value for c, value in zip(call.criteria, values, strict=False)}
    for criterion, comment in zip(call.criteria, comments or [], strict=False):
        data[f"comment_{criterion}"] = comment
    return data


def application_url(call: CallWorld, organisation: str = "Recyclerie", tail: str = "") -> str:
    return f"{BASE}/candidatures/{call.applications[organisation]}{tail}"


def value_of(html: str, field_id: str) -> str:
    """The value an input of the form shows."""
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    found = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return found.group(1) if found else ""


def team_part(response) -> str:
    """The raw HTML of the « Notes de l'équipe » section, to the decisions."""
    page = text_of(response)
    return page.split('id="equipe"')[1].split('id="decisions"')[0]


# --- totals ------------------------------------------------------------------------------------


def test_totals_are_weighted_means_computed_exactly_and_rounded_half_up():
    weights = {1: 3, 2: 1}
    assert weighted_total({1: 4, 2: 3}, weights) == Fraction(15, 4)
    assert weighted_total({1: 4}, weights) is None  # a criterion left: no total yet
    assert weighted_total({}, {}) is None  # a call without criteria
    thirds = weighted_total({1: 1, 2: 1, 3: 2}, {1: 1, 2: 1, 3: 1})
    assert thirds == Fraction(4, 3) and two_decimals(thirds) == "1,33"
    assert two_decimals(Fraction(469, 200)) == "2,35"
    assert two_decimals(Fraction(5)) == "5,00" and two_decimals(Fraction(0)) == "0,00"
    # 4.125 half up, as a person rounds it; Python's round() goes to the even 4.12.
    assert two_decimals(Fraction(33, 8)) == "4,13" and round(4.125, 2) == 4.12


def test_the_page_shows_each_reviewers_total_and_the_mean_of_those_who_scored_everything(
        app, coord, admin, db, world, call):
    add_scores(db, call, "Recyclerie", world.coordinator_a.id, [4, 3])  # (12 + 3) / 4 = 3.75
    add_scores(db, call, "Recyclerie", world.admin_a.id, [5, 3])  # (15 + 3) / 4 = 4.5
    add_scores(db, call, "Recyclerie", world.collective_admin.id, [0])  # unfinished: not counted
    db.commit()
    page = page_text(coord.get(application_url(call)))
    assert "Votre note : 3,75 / 5" in page
    assert "Note globale : 4,13 / 5, moyenne des notes des 2 membres de l'équipe" in page  # 4.125
    assert "Alice Admin — 4,50 / 5" in page
    assert "Camille Collectif — notation incomplète, pas comptée" in page
    # The ranking reads the same totals, summed by the database.
    def read():
        weights = dict(zip(call.criteria, call.weights, strict=True))
        return reviews_of(call.call, weights, world.coordinator_a.id)[call.applications["Recyclerie"]]
    summed = committed(app, read)
    assert (summed.total, summed.reviewers, summed.scored_by_viewer) == (Fraction(33, 8), 2, True)


# --- the visibility rule ----------------------------------------------------------------------


def test_a_reviewer_sees_nothing_of_the_others_until_they_have_scored_every_criterion(
        app, coord, admin, db, world, call):
    saved = post(coord, application_url(call, tail="/notes"),
                 scores(call, ["4", "3"], ["Projet solide et chiffré", "Très présent au marché"]))
    assert saved.status_code == 303
    # The second reviewer has scored nothing: neither the first one's name, scores, comments
    # nor the total are anywhere in the page.
    before = admin.get(application_url(call))
    html = text_of(before)
    for secret in ("Projet solide", "Très présent", "Chloé Coord", "3,75", "Note globale"):
        assert secret not in html, secret
    assert "s'affichent une fois que vous avez noté chacun des critères (2)" in page_text(before)
    assert "1 membre de l'équipe a noté chaque critère." in page_text(before)
    # Nor in the list or the ranking: the application is « à noter », without its total.
    for page in ("candidatures", "classement"):
        listed = text_of(admin.get(f"{BASE}/appels/{call.call}/{page}"))
        assert "Recyclerie" in listed and "3,75" not in listed, page
    assert "À noter par vous (1)" in page_text(admin.get(f"{BASE}/appels/{call.call}/classement"))
    # One criterion of two scored: still hidden.
    notes = application_url(call, tail="/notes")
    assert post(admin, notes, scores(call, ["5", ""], ["Bien", ""])).status_code == 303
    partly = text_of(admin.get(application_url(call)))
    assert "Projet solide" not in partly and "Chloé Coord" not in partly and "Note globale" not in partly
    assert "Votre note" not in partly  # no total of one's own either, until done
    # Every criterion scored: everything shows, each reviewer by name.
    assert post(admin, notes, scores(call, ["5", "3"], ["Bien", ""])).status_code == 303
    after = admin.get(application_url(call))
    team = page_text(team_part(after))
    assert "Chloé Coord — 3,75 / 5" in team
    assert "Projet solide et chiffré" in team and "Très présent au marché" in team
    assert "Note globale : 4,13 / 5" in team
    # And from the first reviewer's side, the second one's scores and comment are there now.
    first = page_text(team_part(coord.get(application_url(call))))
    assert "Alice Admin — 4,50 / 5" in first and "Bien" in first
    ranking = page_text(admin.get(f"{BASE}/appels/{call.call}/classement"))
    assert "4,13 / 5" in ranking and "À noter par vous" not in ranking


def test_the_application_is_shown_as_sent_with_its_attachments(coord, db, call):
    db.add(Attachment(association_id=call.association_id, application_id=call.applications["Recyclerie"],
                      file=StoredFile("sites/" + "k" * 32, "statuts.pdf", "application/pdf", 2048, "0" * 64)))
    db.commit()
    page = page_text(coord.get(application_url(call)))
    for shown in ("Forme juridique Association", "Domaine Économie circulaire",
                  "Emplois prévus sur le site 3", "1er choix : lot A1 · 2e choix : lot B1",
                  "Contact Recyclerie — recyclerie@exemple.org", "Le projet de Recyclerie.",
                  "Un atelier ouvert le samedi.", "statuts.pdf (PDF, 2 ko)"):
        assert shown in page, shown


def test_a_reviewer_who_scored_everything_first_sees_that_nobody_else_has_yet(coord, call):
    post(coord, application_url(call, tail="/notes"), scores(call, ["2", "2"]))
    team = page_text(team_part(coord.get(application_url(call))))
    assert "Note globale : 2,00 / 5" in team and "Aucun autre membre de l'équipe" in team


def test_saving_replaces_the_reviewers_scores_and_leaves_the_others(app, coord, db, world, call):
    add_scores(db, call, "Recyclerie", world.admin_a.id, [1, 1], comment="Avis d'Alice")
    db.commit()
    post(coord, application_url(call, tail="/notes"), scores(call, ["4", "3"], ["Premier avis", ""]))
    post(coord, application_url(call, tail="/notes"), scores(call, ["2", ""], ["", ""]))
    rows = fresh(db).execute(select(Score.reviewer_id, Score.score, Score.comment).order_by(Score.id)).all()
    alice = (world.admin_a.id, 1, "Avis d'Alice")
    assert sorted(rows) == sorted([alice, alice, (world.coordinator_a.id, 2, "")])
    form = text_of(coord.get(application_url(call)))
    assert f'id="score_{call.criteria[0]}"' in form and 'value="2"' in form


@pytest.mark.parametrize(("value", "words"), [
    ("6", "entre 0 et 5"), ("-1", "entre 0 et 5"), ("trois", "nombre entier"), ("2,5", "nombre entier"),
    ("1e3", "nombre entier"), ("99999999999999999999", "nombre entier"), ("٣", "nombre entier")])
def test_a_score_out_of_range_or_not_a_number_is_refused_and_nothing_is_saved(coord, db, call, value, words):
    post(coord, application_url(call, tail="/notes"), scores(call, ["3", "3"]))
    before = dump(db, TABLES)
    response = post(coord, application_url(call, tail="/notes"), scores(call, [value, "4"], ["Mon avis", ""]))
    assert response.status_code == 422
    message = field_error(response, f"score_{call.criteria[0]}") or ""
    assert words in message, message
    assert dump(db, TABLES) == before
    assert "Mon avis" in text_of(response)  # what was typed stays


def test_a_comment_needs_a_score(coord, db, call):
    before = dump(db, TABLES)
    response = post(coord, application_url(call, tail="/notes"), scores(call, ["", "4"], ["Un avis", ""]))
    assert response.status_code == 422
    assert "Donnez une note de 0 à 5" in (field_error(response, f"score_{call.criteria[0]}") or "")
    assert dump(db, TABLES) == before


# --- the ranking -------------------------------------------------------------------------------


def test_ranks_are_shared_by_equal_totals():
    def candidate(application_id: int, total: Fraction | None, preference: int = 1) -> Candidate:
        wish = Wish(application_id, f"S{application_id}", FIRST_RECEIVED, 1, "A1", preference, None)
        return Candidate(wish, NOT_REVIEWED if total is None else Review(1, True, True, total))
    ranked = rank([candidate(1, Fraction(3)), candidate(2, Fraction(4), 2), candidate(3, Fraction(5)),
                   candidate(4, Fraction(4), 1), candidate(5, None)])
    assert [(r.rank, r.tied, r.candidate.wish.application_id) for r in ranked] == [
        (1, False, 3), (2, True, 4), (2, True, 2), (4, False, 1)]


def rows_of(page: str, code: str) -> list[tuple[str, str, str, str]]:
    """(rank, organisation, total, preference) of the lot's ranking table."""
    section = page.split(f"<h2>Lot {code}</h2>")[1].split("<h2>")[0].split("<h3>")[0]
    return [(page_text(rank_cell), page_text(name), page_text(total), page_text(preference))
            for rank_cell, name, total, preference in re.findall(
                r'data-label="Rang">(.*?)</td>\s*<td data-label="Structure">(.*?)</td>\s*'
                r'<td data-label="Note">(.*?)</td>\s*<td data-label="Préférence">(.*?)</td>', section, re.S)]


def test_the_ranking_per_lot_shares_ranks_and_orders_ties_by_preference_then_submission(coord, db, world):
    made = make_call(db, world.asso_a.id, lots=("A1", "B1"), criteria=(("Projet", 2), ("Quartier", 2)))
    me, other = world.coordinator_a.id, world.admin_a.id
    add_application(db, made, "Premier", ("A1",))
    add_application(db, made, "Tardif", ("B1", "A1"))  # A1 as a second choice
    add_application(db, made, "Préféré", ("A1", "B1"))  # received after « Tardif »
    add_application(db, made, "Dernier", ("A1",))
    add_application(db, made, "Inconnu", ("A1", "B1"))  # scored by the other reviewer only
    for organisation, values in (("Premier", [5, 5]), ("Tardif", [4, 4]), ("Préféré", [5, 3]),
                                 ("Dernier", [3, 3])):
        add_scores(db, made, organisation, me, values)
    add_scores(db, made, "Inconnu", other, [5, 5])
    decide(db, made, "Premier", "A1", Decision.ACCEPTED)
    db.commit()
    response = coord.get(f"{BASE}/appels/{made.call}/classement")
    assert response.status_code == 200
    page = text_of(response)
    assert rows_of(page, "A1") == [
        ("1", "Premier", "5,00 / 5", "1er choix"),
        ("2 ex æquo", "Préféré", "4,00 / 5", "1er choix"),
        ("2 ex æquo", "Tardif", "4,00 / 5", "2e choix"),
        ("4", "Dernier", "3,00 / 5", "1er choix"),
    ]
    # On B1, « Tardif » (first choice) and « Préféré » (second) tie again: preference first.
    assert [r[1] for r in rows_of(page, "B1")] == ["Tardif", "Préféré"]
    text = page_text(response)
    assert "Retenu" in text.split("Lot A1")[1].split("Lot B1")[0]
    # Not scored by the viewer: listed apart, without a rank or its total, on both its lots.
    assert text.count("À noter par vous (1)") == 2 and "Inconnu" in text
    assert "Inconnu" not in "".join(r[1] for r in rows_of(page, "A1") + rows_of(page, "B1"))


def test_equal_totals_with_the_same_preference_go_by_submission(coord, db, world):
    made = make_call(db, world.asso_a.id, lots=("A1",), criteria=(("Projet", 1),))
    add_application(db, made, "Ensuite", ("A1",), received=FIRST_RECEIVED + timedelta(minutes=2))
    add_application(db, made, "Avant", ("A1",), received=FIRST_RECEIVED)
    for organisation in ("Ensuite", "Avant"):
        add_scores(db, made, organisation, world.coordinator_a.id, [2])
    db.commit()
    page = text_of(coord.get(f"{BASE}/appels/{made.call}/classement"))
    assert [(r[0], r[1]) for r in rows_of(page, "A1")] == [("1 ex æquo", "Avant"), ("1 ex æquo", "Ensuite")]


# --- decisions ---------------------------------------------------------------------------------


def decisions(call: CallWorld, organisation: str = "Recyclerie",
              **by_code: tuple[str, str]) -> dict[str, str]:
    data = {}
    for code, (decision, reasons) in by_code.items():
        choice = call.choices[organisation, code]
        data |= {f"decision_{choice}": decision, f"reasons_{choice}": reasons}
    return data


@pytest.mark.parametrize("reasons", ["", "   "])
def test_a_refusal_needs_its_reasons(coord, db, call, reasons):
    before = dump(db, TABLES)
    response = post(coord, application_url(call, tail="/decisions"),
                    decisions(call, A1=("accepted", ""), B1=("refused", reasons)))
    assert response.status_code == 422
    message = field_error(response, f"reasons_{call.choices['Recyclerie', 'B1']}") or ""
    assert "Indiquez les motifs du refus" in message
    assert dump(db, TABLES) == before


def test_decisions_are_saved_and_can_be_changed(coord, db, call):
    response = post(coord, application_url(call, tail="/decisions"),
                    decisions(call, A1=("waiting", ""), B1=("refused", "Surface trop petite.")))
    assert response.status_code == 303
    choices = {c.lot_id: c for c in fresh(db).scalars(select(Choice))}
    b1 = choices[call.lots["B1"]]
    assert (choices[call.lots["A1"]].decision, b1.decision, b1.reasons) == (
        Decision.WAITING, Decision.REFUSED, "Surface trop petite.")
    assert b1.decided_at is not None
    post(coord, application_url(call, tail="/decisions"),
         decisions(call, A1=("aucune", ""), B1=("accepted", "")))
    choices = {c.lot_id: c for c in fresh(db).scalars(select(Choice))}
    assert choices[call.lots["A1"]].decision is None and choices[call.lots["A1"]].decided_at is None
    assert choices[call.lots["B1"]].decision is Decision.ACCEPTED
    page = page_text(coord.get(application_url(call)))
    assert "Lot B1 — 2e choix Retenu" in page and "Créer l'attribution du lot B1" in page
    assert "Créer l'attribution du lot A1" not in page


def test_a_lot_accepted_for_another_application_of_the_call_cannot_be_accepted_again(coord, db, world, call):
    add_application(db, call, "Théâtre", ("B1", "A1"))
    decide(db, call, "Théâtre", "A1", Decision.ACCEPTED)
    # The same lot accepted in another call (a later one) does not count.
    later = make_call(db, world.asso_a.id, lots=(), title="Appel 2028", site=call.site)
    later.lots = call.lots
    add_application(db, later, "Ancien", ("A1",))
    decide(db, later, "Ancien", "A1", Decision.ACCEPTED)
    db.commit()
    before = dump(db, TABLES)
    response = post(coord, application_url(call, tail="/decisions"),
                    decisions(call, A1=("accepted", ""), B1=("accepted", "")))
    assert response.status_code == 422
    message = field_error(response, f"decision_{call.choices['Recyclerie', 'A1']}") or ""
    assert message == "Le lot A1 est déjà retenu pour « Théâtre » : changez d'abord cette décision-là."
    assert field_error(response, f"decision_{call.choices['Recyclerie', 'B1']}") is None
    assert dump(db, TABLES) == before
    # Once « Théâtre » is put on the waiting list, A1 can go to « Recyclerie ».
    assert post(coord, application_url(call, "Théâtre", "/decisions"),
                decisions(call, "Théâtre", A1=("waiting", ""), B1=("aucune", ""))).status_code == 303
    assert post(coord, application_url(call, tail="/decisions"),
                decisions(call, A1=("accepted", ""), B1=("aucune", ""))).status_code == 303


# --- the decision e-mails ----------------------------------------------------------------------


@pytest.fixture
def decided(db, call: CallWorld) -> CallWorld:
    """« Recyclerie »: A1 accepted, B1 refused with reasons; « Théâtre »: waiting on B1;
    « Vélo »: A1 still to decide."""
    add_application(db, call, "Théâtre", ("B1",), email="theatre@exemple.org")
    add_application(db, call, "Vélo", ("B1", "A1"), email="velo@exemple.org")
    decide(db, call, "Recyclerie", "A1", Decision.ACCEPTED)
    decide(db, call, "Recyclerie", "B1", Decision.REFUSED, "Le lot B1 n'a pas l'eau courante.\nDésolés.")
    decide(db, call, "Théâtre", "B1", Decision.WAITING)
    decide(db, call, "Vélo", "B1", Decision.REFUSED, "Trop petit.")
    db.commit()
    return call


def test_one_email_per_decided_applicant_and_sending_twice_sends_once(coord, db, decided, maillage_outbox):
    url = f"{BASE}/appels/{decided.call}/notifier"
    page = page_text(coord.get(url))
    assert "À envoyer 2 structures dont chaque lot est décidé" in page
    assert "Pas encore décidées 1 candidature avec au moins un lot à décider" in page
    assert post(coord, url).status_code == 303
    assert sorted(m["To"] for m in maillage_outbox) == ["recyclerie@exemple.org", "theatre@exemple.org"]
    recyclerie = next(m for m in maillage_outbox if m["To"] == "recyclerie@exemple.org")
    body = recyclerie.get_content()
    assert recyclerie["Subject"] == "Votre candidature à l'appel « Appel 2026 »"
    assert "Bonjour Contact Recyclerie," in body
    assert "- Lot A1, votre 1er choix : retenu." in body
    assert ("- Lot B1, votre 2e choix : non retenu.\n"
            "  Motifs : Le lot B1 n'a pas l'eau courante.\n  Désolés.") in body
    assert "préparer votre installation" in body
    theatre = next(m for m in maillage_outbox if m["To"] == "theatre@exemple.org").get_content()
    assert "- Lot B1, votre 1er choix : sur liste d'attente." in theatre and "Motifs" not in theatre
    told = {a.organisation: a.notified_at for a in fresh(db).scalars(select(Application))}
    assert told["Recyclerie"] and told["Théâtre"] and told["Vélo"] is None
    # Again: nothing more goes.
    assert post(coord, url).status_code == 303
    assert len(maillage_outbox) == 2
    assert "Déjà prévenues 2 structures" in page_text(coord.get(url))


def test_a_decision_changed_after_the_email_clears_it_and_a_new_one_goes(coord, db, decided, maillage_outbox):
    url = f"{BASE}/appels/{decided.call}/notifier"
    post(coord, url)
    maillage_outbox.clear()
    # Saved again unchanged: nothing to tell.
    same = decisions(decided, A1=("accepted", ""),
                     B1=("refused", "Le lot B1 n'a pas l'eau courante.\nDésolés."))
    assert post(coord, application_url(decided, tail="/decisions"), same).status_code == 303
    assert fresh(db).get(Application, decided.applications["Recyclerie"]).notified_at is not None
    changed = decisions(decided, A1=("accepted", ""), B1=("waiting", ""))
    response = post(coord, application_url(decided, tail="/decisions"), changed, follow_redirects=True)
    assert "elle en recevra un nouveau au prochain envoi" in page_text(response)
    assert fresh(db).get(Application, decided.applications["Recyclerie"]).notified_at is None
    post(coord, url)
    assert [m["To"] for m in maillage_outbox] == ["recyclerie@exemple.org"]
    assert "- Lot B1, votre 2e choix : sur liste d'attente." in maillage_outbox[0].get_content()


def test_an_erased_contact_keeps_the_application_and_gets_no_email(coord, db, decided, maillage_outbox):
    response = post(coord, application_url(decided, tail="/coordonnees/effacer"), follow_redirects=True)
    assert "Coordonnées effacées à la demande de la structure" in page_text(response)
    application = fresh(db).get(Application, decided.applications["Recyclerie"])
    assert (application.contact_name, application.contact_email, application.contact_phone) == ("", "", "")
    assert application.organisation == "Recyclerie" and application.project
    assert "recyclerie@exemple.org" not in text_of(response)
    url = f"{BASE}/appels/{decided.call}/notifier"
    assert "Sans adresse 1 structure décidée" in page_text(coord.get(url))
    post(coord, url)
    assert [m["To"] for m in maillage_outbox] == ["theatre@exemple.org"]


# --- at the same instant ------------------------------------------------------------------------


def at_once(actions: list) -> list[str]:
    """Run the actions together, one thread and transaction each (``committed``); what each
    gave: "ok", or the refusal's text."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action) -> None:
        barrier.wait()
        try:
            action()
        except DecisionsRefused as refusal:
            outcomes.append(str(refusal))
        else:
            outcomes.append("ok")

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_coordinators_accepting_one_lot_for_two_applications_at_once_one_is_refused(app, db, call):
    add_application(db, call, "Théâtre", ("A1",))
    db.commit()

    def accept(organisation: str):
        def write() -> None:
            application = session.get(Application, call.applications[organisation])
            choice = call.choices[organisation, "A1"]
            save_decisions(application, [DecisionInput(choice, Decision.ACCEPTED, "")])
        return lambda: committed(app, write)

    outcomes = at_once([accept("Recyclerie"), accept("Théâtre")])
    assert sorted(outcomes)[1] == "ok" and "est déjà retenu pour" in sorted(outcomes)[0], outcomes
    accepted = fresh(db).scalars(select(Choice).where(Choice.decision == Decision.ACCEPTED)).all()
    assert len(accepted) == 1


def test_two_coordinators_sending_the_emails_at_once_send_each_one_once(app, db, world, decided,
                                                                         maillage_outbox):
    association = association_ref(world.asso_a)

    def send() -> None:
        committed(app, lambda: notify(session.get(Call, decided.call), association, "Friche Lumière"))

    assert at_once([send, send, send]) == ["ok", "ok", "ok"]
    assert sorted(m["To"] for m in maillage_outbox) == ["recyclerie@exemple.org", "theatre@exemple.org"]


# --- the allocation from an accepted application -----------------------------------------------


def test_an_accepted_application_prefills_the_allocation_and_is_kept_on_it(coord, db, call):
    decide(db, call, "Recyclerie", "A1", Decision.ACCEPTED)
    db.commit()
    application = call.applications["Recyclerie"]
    link = f"{BASE}/lots/{call.lots['A1']}/attributions/nouvelle?candidature={application}"
    assert link in text_of(coord.get(application_url(call)))
    form = coord.get(link)
    html = text_of(form)
    assert 'value="Recyclerie"' in html and 'value="Contact Recyclerie"' in html
    assert 'value="recyclerie@exemple.org"' in html and 'value="3"' in html
    assert '<option selected value="circular">' in html
    data = {"occupant": "Recyclerie", "starts_on": value_of(html, "starts_on"),
            "ends_on": value_of(html, "ends_on"), "contact_person_id": "0",
            "contact_name": "Contact Recyclerie", "contact_email": "recyclerie@exemple.org",
            "contact_phone": "06 12 34 56 78", "field": "circular", "jobs": "4", "note": ""}
    assert post(coord, link, {**data, "jobs": "501"}).status_code == 422
    assert post(coord, link, data).status_code == 303
    allocation = fresh(db).scalar(select(Allocation))
    assert (allocation.application_id, allocation.field, allocation.jobs, allocation.occupant) == (
        application, Field.CIRCULAR, 4, "Recyclerie")
    # Changed later, it keeps its application.
    edit = f"{BASE}/attributions/{allocation.id}/modifier"
    assert post(coord, edit, {**data, "jobs": "", "field": "aucun"}).status_code == 303
    allocation = fresh(db).scalar(select(Allocation))
    assert (allocation.application_id, allocation.field, allocation.jobs) == (application, None, 0)


@pytest.mark.parametrize(("jobs", "words"), [("501", "entre 0 et 500"), ("-2", "entre 0 et 500"),
                                             ("beaucoup", "nombre entier")])
def test_the_jobs_of_an_allocation_are_a_number_from_0_to_500(coord, db, call, jobs, words):
    url = f"{BASE}/lots/{call.lots['B1']}/attributions/nouvelle"
    form = text_of(coord.get(url))
    response = post(coord, url, {"occupant": "Atelier", "starts_on": value_of(form, "starts_on"),
                                 "ends_on": "", "contact_person_id": "0", "jobs": jobs, "field": "zzz"})
    assert response.status_code == 422
    assert words in (field_error(response, "jobs") or "")
    assert "choisissez dans la liste" in (field_error(response, "field") or "")


def test_a_candidature_of_another_association_or_unknown_is_404_and_a_bad_one_ignored(coord, db, world, call):
    beta = make_call(db, world.asso_b.id, lots=("Z9",))
    add_application(db, beta, "Bêta", ("Z9",))
    db.commit()
    lot = call.lots["A1"]
    url = f"{BASE}/lots/{lot}/attributions/nouvelle?candidature="
    assert coord.get(url + str(beta.applications["Bêta"])).status_code == 404
    assert coord.get(url + "999999").status_code == 404
    for garbage in ("abc", "-1", "9" * 40, ""):
        assert coord.get(url + garbage).status_code == 200, garbage


# --- who may ---------------------------------------------------------------------------------------


def test_another_associations_call_and_application_answer_404(coord, db, world, call):
    beta = make_call(db, world.asso_b.id, lots=("Z9",))
    add_application(db, beta, "Bêta", ("Z9",))
    db.commit()
    other_app = beta.applications["Bêta"]
    for url in (f"appels/{beta.call}/candidatures", f"appels/{beta.call}/classement",
                f"appels/{beta.call}/notifier", f"candidatures/{other_app}"):
        assert coord.get(f"{BASE}/{url}").status_code == 404, url
    before = dump(db, TABLES)
    for url, data in ((f"candidatures/{other_app}/notes", {f"score_{beta.criteria[0]}": "3"}),
                      (f"candidatures/{other_app}/decisions",
                       {f"decision_{beta.choices['Bêta', 'Z9']}": "accepted"}),
                      (f"candidatures/{other_app}/coordonnees/effacer", {}),
                      (f"appels/{beta.call}/notifier", {})):
        assert post(coord, f"{BASE}/{url}", data).status_code == 404, url
    assert dump(db, TABLES) == before
    # Bêta's own address: the plugin is not enabled there.
    assert coord.get(f"/p/sites/beta/candidatures/{other_app}").status_code == 404


def test_a_volunteer_gets_403(client, world, call, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "benevole.a@test.org")
    for url in (f"appels/{call.call}/candidatures", f"appels/{call.call}/classement",
                f"appels/{call.call}/notifier", f"candidatures/{call.applications['Recyclerie']}"):
        assert client.get(f"{BASE}/{url}").status_code == 403, url
    assert post(client, application_url(call, tail="/notes"), scores(call, ["3", "3"])).status_code == 403


def test_pages_say_the_preference_in_french():
    assert [preference_label(n) for n in (1, 2, 10)] == ["1er choix", "2e choix", "10e choix"]


def test_the_cards_leave_out_scores_of_criteria_no_longer_in_the_call(app, db, world, call):
    add_scores(db, call, "Recyclerie", world.coordinator_a.id, [4, 3])
    db.commit()
    first_only = committed(app, lambda: criteria_of(call.call)[:1])
    cards = committed(app, lambda: reviewer_cards(call.applications["Recyclerie"], first_only))
    assert [(c.name, c.total, len(c.scores)) for c in cards] == [("Chloé Coord", Fraction(4), 1)]


# --- any input ---------------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
VALUES = TEXT | st.sampled_from(["0", "5", "3", "", "accepted", "refused", "waiting", "aucune", "  "])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_the_scoring_and_decision_forms_never_breaks_them(app, coord, db, world, data):
    made = db.info.get("review_call")
    if made is None:
        made = db.info["review_call"] = make_call(db, world.asso_a.id)
        add_application(db, made, "Recyclerie", ("A1", "B1"))
        add_application(db, made, "Théâtre", ("A1",))
        decide(db, made, "Théâtre", "A1", Decision.ACCEPTED)
        db.commit()
    if data.draw(st.booleans()):
        url = application_url(made, tail="/notes")
        names = [f"{kind}_{c}" for c in made.criteria for kind in ("score", "comment")]
    else:
        url = application_url(made, tail="/decisions")
        names = [f"{kind}_{made.choices['Recyclerie', code]}" for code in ("A1", "B1")
                 for kind in ("decision", "reasons")]
    typed = {name: data.draw(VALUES) for name in names if data.draw(st.booleans())}
    before = dump(db, TABLES)
    response = post(coord, url, typed)
    nul = any("\x00" in value for value in typed.values())  # refused by the core before any form
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code == 422:
        assert dump(db, TABLES) == before, typed
