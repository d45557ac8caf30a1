"""What a new user stumbled on in the agenda, the modules pages and Premières Heures (issue 9,
section B): destructive actions ask first and name what goes, cancelled events say so
everywhere, held-back places are explained, plugins speak French to their users."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.agenda.bookings import Booking
from core.agenda.clock import paris_today
from plugins.premieres_heures.models import Pathway, Waiver
from tests.support import field_error, login, post
from tests.test_agenda_pages import make_event  # noqa: F401 (a fixture)
from tests.test_premieres_heures_pathways import make_pathway

ROOT = Path(__file__).resolve().parents[1]
DESTRUCTIVE = re.compile(
    r"\b(Supprimer|Annuler|Désinscrire|Retirer|Désactiver|Effacer|Remplacer|Quitter|Interdire|"
    r"Révoquer|Terminer|Clore|Clôturer|Vider)\b")
# What « naming the object » rules out: the label echoed back with a bare question.
BARE_QUESTION = re.compile(r"^\s*\S+( \S+)?\s*:?\s*(confirmer|êtes-vous sûr·?e?)\s*\?\s*$", re.I)


# --- confirmation of destructive actions ----------------------------------------------------

class _Forms(HTMLParser):
    """POST forms of a page and the submit buttons each owns (inside it, or ``form=`` its id)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.buttons: list[tuple[str, dict[str, str], str]] = []  # (form key, attrs, text)
        self._open_form: str | None = None
        self._button: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            key = values.get("id") or f"form-{len(self.forms)}"
            self.forms[key] = values
            self._open_form = key
        elif tag == "button" and values.get("type", "submit") == "submit":
            self._button, self._text = values, []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open_form = None
        elif tag == "button" and self._button is not None:
            owner = self._button.get("form") or self._open_form or ""
            self.buttons.append((owner, self._button, " ".join("".join(self._text).split())))
            self._button = None


def destructive_buttons(page: str) -> list[tuple[str, str]]:
    """(button text, question asked) of every destructive button of a POST form."""
    parser = _Forms()
    parser.feed(page)
    found = []
    for owner, attrs, text in parser.buttons:
        form = parser.forms.get(owner, {})
        if form.get("method", "get").lower() != "post" or not DESTRUCTIVE.search(text):
            continue
        found.append((text, html.unescape(attrs.get("data-confirm") or form.get("data-confirm", ""))))
    return found


def assert_asks(page: str, *names: str) -> list[str]:
    """Every destructive button asks a question naming its object; returns the questions."""
    buttons = destructive_buttons(page)
    assert buttons, "no destructive button on this page"
    questions = []
    for text, question in buttons:
        assert question, f"« {text} » acts at once, without asking"
        assert question.rstrip().endswith(("?", ".")), question
        assert not BARE_QUESTION.match(question), question
        questions.append(question)
    for name in names:
        assert any(name in q for q in questions), (name, questions)
    return questions


TEMPLATE_DIRS = [*ROOT.glob("core/**/templates"), *ROOT.glob("plugins/*/templates")]
ACTION_BUTTON = re.compile(r"action_button\((.*?)\)\s*}}", re.S)
RAW_BUTTON = re.compile(r"<button\b([^>]*)>(.*?)</button>", re.S)


def test_every_destructive_button_in_every_template_asks_first():
    """Static scan, so that a page no test renders cannot slip through."""
    missing = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            source = template.read_text(encoding="utf-8")
            where = template.relative_to(ROOT)
            for call in ACTION_BUTTON.findall(source):
                if DESTRUCTIVE.search(call) and "confirm=" not in call:
                    missing.append(f"{where}: action_button({call[:60]}…)")
            for attrs, text in RAW_BUTTON.findall(source):
                if not DESTRUCTIVE.search(re.sub(r"{[{%#].*?[}%#]}", "", text)):
                    continue
                target = re.search(r'form="([^"]+)"', attrs)
                asks = "data-confirm" in attrs or bool(target and re.search(
                    r'<form[^>]*id="' + re.escape(target.group(1)) + r'"[^>]*data-confirm', source))
                if not asks:
                    missing.append(f"{where}: <button{attrs}>{text}</button>")
    assert not missing, "\n".join(missing)


def test_the_agenda_asks_before_unbooking_cancelling_or_replacing(client, db, world, make_event):  # noqa: F811
    event = make_event(association=world.asso_a, title="Atelier CV")
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    mine = assert_asks(client.get(f"/agenda/{event.id}").get_data(as_text=True), "« Atelier CV »")
    assert mine[0].startswith("Annuler votre inscription à « Atelier CV » du ")
    assert_asks(client.get("/agenda/mes-inscriptions").get_data(as_text=True),
                "Annuler votre inscription à « Atelier CV »")
    post(client, "/agenda/calendrier/lien")
    calendar = assert_asks(client.get("/agenda/calendrier").get_data(as_text=True))
    assert any(q.startswith("Remplacer votre adresse d'agenda") for q in calendar)
    assert any(q.startswith("Supprimer votre adresse d'agenda") for q in calendar)

    post(client, "/logout")
    login(client, "coord.a@test.org")
    page = client.get(f"/agenda/{event.id}").get_data(as_text=True)
    questions = assert_asks(page, "Désinscrire Victor Volontaire de « Atelier CV » du ",
                            "Annuler l'événement « Atelier CV » du ")
    assert any("prévenues par e-mail" in q for q in questions)


def test_unbooking_is_not_the_attendance_forms_default_button(client, db, world, make_event):  # noqa: F811
    """Enter in the attendance form submits its first button: it must not be « Désinscrire »."""
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    post(client, "/logout")
    login(client, "coord.a@test.org")
    parser = _Forms()
    parser.feed(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    booking = db.scalar(select(Booking))
    attendance = next(k for k, f in parser.forms.items() if f.get("action", "").endswith("/presences"))
    assert all(text.startswith(("Enregistrer",)) for owner, _a, text in parser.buttons if owner == attendance)
    unbook = parser.forms[f"desinscrire-{booking.id}"]
    assert unbook["action"].endswith(f"/inscriptions/{booking.id}/annuler")


def test_members_partners_and_modules_pages_ask_naming_the_object(
        client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    login(client, "collectif@test.org")
    assert_asks(client.get(f"/personnes/{world.supported_a.id}").get_data(as_text=True),
                "Effacer définitivement Samir Suivi", "Désactiver la fiche de Samir Suivi")
    assert_asks(client.get(f"/partenaires/{world.partner.id}").get_data(as_text=True),
                "Supprimer le contact Paul Conseiller de Mission Locale Test",
                "Supprimer le service « Garde d'enfants solidaire »",
                "Désactiver le partenaire « Mission Locale Test »")
    assert_asks(client.get("/administration/modules").get_data(as_text=True),
                "Interdire « Premières Heures » dans tout le collectif")
    post(client, "/logout")
    login(client, "admin.a@test.org")
    assert_asks(client.get("/associations/alpha/modules").get_data(as_text=True),
                "Désactiver « Premières Heures » pour Alpha")


def test_the_question_is_on_the_form_the_script_reads():
    """maillage.js asks the question of the button that submits, or of its form."""
    script = (ROOT / "core/web/static/maillage.js").read_text(encoding="utf-8")
    assert "event.submitter" in script and "window.confirm(question)" in script
    assert 'getAttribute("data-confirm")' in script


# --- a cancelled event, everywhere ----------------------------------------------------------

def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def card_of(page: str, title: str) -> str:
    """The text of the list item (card, month cell line) that shows ``title``."""
    found = re.search(r"<li\b(?:(?!</li>).)*?" + re.escape(title) + r"(?:(?!</li>).)*</li>", page, re.S)
    assert found, title
    return text(found.group(0))


def test_a_cancelled_event_says_so_everywhere_and_never_shows_the_booking_as_live(
        client, db, world, make_event):  # noqa: F811
    event = make_event(association=world.asso_a, title="Atelier CV", days=2)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    post(client, "/logout")
    login(client, "coord.a@test.org")
    assert post(client, f"/agenda/{event.id}/annuler").status_code == 303
    manage = client.get(f"/agenda/{event.id}").get_data(as_text=True)
    assert "Inscrit·e avant l'annulation" in text(manage) and "Désinscrire" not in manage
    post(client, "/logout")

    login(client, "benevole.a@test.org")
    day = (paris_today() + timedelta(days=2)).isoformat()
    pages = {"dashboard": "/", "upcoming": "/agenda/", "week": f"/agenda/semaine?jour={day}",
             "mine": "/agenda/mes-inscriptions"}
    for name, url in pages.items():
        card = card_of(client.get(url).get_data(as_text=True), "Atelier CV")
        assert "Annulé" in card, (name, card)
        assert "Inscrit·e" not in card and "Liste d'attente" not in card, (name, card)
        assert "Annuler mon inscription" not in card, (name, card)
    month = client.get(f"/agenda/mois?mois={day[:7]}").get_data(as_text=True)
    assert "Atelier CV (annulé)" in card_of(month, "Atelier CV")
    page = text(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    assert "Cet événement est annulé. Vous y étiez inscrit·e : vous n'avez rien à faire." in page
    assert "place libre" not in page and "Je m'inscris" not in page


# --- places held back for referred people ---------------------------------------------------

def test_the_places_line_explains_held_back_places_to_everyone(client, db, world, make_event):  # noqa: F811
    event = make_event(association=world.asso_a, capacity=12, held_back=2)
    login(client, "benevole.a@test.org")
    page = text(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    assert ("10 places libres sur 12 (2 autres places réservées aux personnes orientées par un "
            "partenaire).") in page
    event.bookable.taken_open = 9
    event.bookable.taken_held = 1
    db.commit()
    page = text(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    assert "1 place libre sur 12 (1 autre place réservée aux personnes orientées par un partenaire)." in page
    assert "1 place libre" in card_of(client.get("/agenda/").get_data(as_text=True), event.title)
    event.bookable.taken_open = 10
    event.bookable.taken_held = 2
    db.commit()
    page = text(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    assert ("Plus de place libre sur 12 (les places réservées aux personnes orientées sont "
            "prises).") in page
    assert "personnes inscrites" not in page  # the count of people is for the organisers

    post(client, "/logout")
    login(client, "coord.a@test.org")
    page = text(client.get(f"/agenda/{event.id}").get_data(as_text=True))
    assert "12 personnes inscrites, dont 2 sur les 2 places réservées." in page


# --- the calendar address on a phone ----------------------------------------------------------

def test_the_calendar_address_fits_a_phone_and_has_a_copy_button(client, db, world):
    login(client, "benevole.a@test.org")
    page = post(client, "/agenda/calendrier/lien").get_data(as_text=True)  # shown once, here
    # The address lives in a full-width field (it scrolls inside it) next to its button.
    field = re.search(r'<div class="copy-field">\s*<input type="text" id="adresse-agenda" value="'
                      r'(http[^"]+/flux/[^"]+\.ics)" readonly', page)
    assert field, "the address is not in its copy field"
    button = re.search(r'<button type="button"[^>]*data-copy="adresse-agenda"[^>]*>([^<]+)</button>', page)
    assert button and button.group(1) == "Copier l'adresse"
    assert 'role="status" data-copy-status="adresse-agenda"' in page  # the result is announced
    assert "Tout sélectionner" in page  # the way without JavaScript
    css = (ROOT / "core/web/static/maillage.css").read_text(encoding="utf-8")
    assert ".copy-field input { flex: 1 1 12rem; min-width: 0; }" in css
    assert "[hidden] { display: none !important; }" in css
    script = (ROOT / "core/web/static/maillage.js").read_text(encoding="utf-8")
    assert "navigator.clipboard" in script and 'execCommand("copy")' in script


def test_public_calendar_addresses_wrap_on_a_phone(client, db, world):
    login(client, "coord.a@test.org")
    page = client.get("/agenda/calendrier").get_data(as_text=True)
    links = re.findall(r'<a ([^>]*)href="(http[^"]+\.ics)"', page)
    assert links and all('class="break-anywhere"' in attrs for attrs, _url in links)
    css = (ROOT / "core/web/static/maillage.css").read_text(encoding="utf-8")
    assert ".break-anywhere { overflow-wrap: anywhere; }" in css


# --- the modules pages speak to the people who switch modules on -------------------------------

def section_of(page: str, title: str) -> str:
    """The card (``li`` or ``section``) whose heading is ``title``."""
    found = re.search(r"<(li|section)\b[^>]*>\s*<h2[^>]*>" + re.escape(title) + r"</h2>(.*?)</\1>",
                      page, re.S)
    assert found, title
    return found.group(2)


def test_each_module_shows_its_french_title_and_what_it_does(client, world):
    login(client, "admin.a@test.org")
    page = client.get("/associations/alpha/modules").get_data(as_text=True)
    card = section_of(page, "Premières Heures")
    before_details, _, details = card.partition("<details class=\"muted\">")
    assert "premières heures de travail" in text(before_details)
    assert "premieres_heures" not in text(before_details) and "0.1" not in text(before_details)
    assert "Détails techniques" in details and "premieres_heures" in details
    # A plugin written before DESCRIPTION existed loads and says it has none, in French.
    old = section_of(page, "Exemple")
    assert "Ce module ne dit pas encore ce qu'il fait" in text(old)


def test_the_collective_modules_page_leads_to_each_associations_switches(
        client, world, maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    login(client, "collectif@test.org")
    page = client.get("/administration/modules").get_data(as_text=True)
    intro = page[:page.index('<section class="card"')]
    for slug, name in (("alpha", "Association Alpha"), ("beta", "Association Bêta")):
        assert f'<a href="/associations/{slug}/modules">{name}</a>' in intro
    card = section_of(page, "Premières Heures")
    before_details = card.partition("<details")[0]
    assert "Origine" not in text(before_details) and "premieres_heures" not in text(before_details)
    assert 'Utilisé par : <a href="/associations/alpha/modules">Alpha</a>' in before_details
    assert "premières heures de travail" in text(before_details)


# --- Premières Heures: one waiver verdict on every page --------------------------------------

VERDICTS = ("Dérogation à prévoir", "Dérogation à renouveler", "Dérogation en cours",
            "Pas de dérogation nécessaire")


def verdicts_in(fragment: str) -> set[str]:
    return {v for v in VERDICTS if v in text(fragment)}


@pytest.mark.parametrize("hours, covered, expected", [
    (8, False, "Dérogation à prévoir"),
    (8, True, "Dérogation en cours"),
    (20, False, "Pas de dérogation nécessaire"),
    (24, True, "Dérogation en cours"),
])
def test_the_pathway_and_the_persons_page_agree_on_the_waiver(
        client, db, world, maillage_enable_plugin, hours, covered, expected):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    pathway = make_pathway(db, world, start=paris_today() - timedelta(days=40), hours=hours)
    if covered:
        db.add(Waiver(pathway_id=pathway.id, starts_on=paris_today() - timedelta(days=40),
                      ends_on=paris_today() + timedelta(days=200)))
        db.commit()
    login(client, "coord.a@test.org")
    detail = client.get(f"/p/premieres_heures/alpha/parcours/{pathway.id}").get_data(as_text=True)
    person = client.get(f"/personnes/{world.supported_a.id}").get_data(as_text=True)
    section = person[person.index("Premières Heures — Alpha"):]
    assert verdicts_in(detail) == {expected}
    assert verdicts_in(section) == {expected}
    assert "Aucune dérogation nécessaire" not in text(section)  # how « Aucune » + a badge read
    listing = client.get("/p/premieres_heures/alpha/parcours/").get_data(as_text=True)
    assert verdicts_in(listing) <= {expected}
    dashboard = text(client.get("/").get_data(as_text=True))
    planned = dashboard[dashboard.index("Dérogations à prévoir"):
                        dashboard.index("Dérogations qui se terminent")]
    assert ("Samir Suivi : objectif de 8 h par semaine" in planned) == (expected == "Dérogation à prévoir")


# --- the new-pathway form chooses nobody by default --------------------------------------------

def test_the_new_pathway_form_starts_on_choose_a_person_and_requires_one(
        client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    login(client, "coord.a@test.org")
    url = "/p/premieres_heures/alpha/parcours/nouveau"
    page = client.get(url).get_data(as_text=True)
    select_tag = re.search(r'<select[^>]*id="person_id"[^>]*>(.*?)</select>', page, re.S)
    assert select_tag and "required" in select_tag.group(0).split(">")[0]
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_tag.group(1))
    first_attrs, first_label = options[0]
    assert first_label == "Choisir une personne"
    assert 'value=""' in first_attrs and "selected" in first_attrs
    assert not any("selected" in attrs for attrs, _label in options[1:])

    data = {"person_id": "", "orienteur_name": "Paul Conseiller", "orienteur_contact": "",
            "orienteur_partner_id": "0", "referent_id": "0", "host_partner_id": "0",
            "start_date": paris_today().isoformat(), "planned_end": ""}
    refused = post(client, url, data)
    assert refused.status_code == 422
    assert field_error(refused, "person_id") == "Ce champ est obligatoire."
    assert db.scalar(select(func.count(Pathway.id))) == 0
    kept = refused.get_data(as_text=True)
    assert 'value="Paul Conseiller"' in kept  # what was typed is not lost

    chosen = client.get(f"{url}?personne={world.supported_a.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world.supported_a.id}">Samir Suivi</option>', chosen)
    assert post(client, url, {**data, "person_id": str(world.supported_a.id)}).status_code == 303


# --- French plurals -----------------------------------------------------------------------------

def test_counts_agree_in_number(client, db, world, make_event):  # noqa: F811
    for hour in range(8, 14):
        make_event(association=world.asso_a, title=f"Permanence {hour} h", days=1, hour=hour)
    make_event(association=world.asso_a, title="Seule", days=2)
    login(client, "coord.a@test.org")
    day = paris_today() + timedelta(days=1)
    month = text(client.get(f"/agenda/mois?mois={day:%Y-%m}").get_data(as_text=True))
    assert "+ 2 autres" in month and "autre(s)" not in month
    page = client.get(f"/agenda/mois?mois={day:%Y-%m}").get_data(as_text=True)
    assert ": 6 événements\"" in page and "événement(s)" not in page
    if (day + timedelta(days=1)).month == day.month:
        assert ": 1 événement\"" in page
    assert ": aucun événement\"" in page
    refused = post(client, "/agenda/nouveau", {"title": ""}).get_data(as_text=True)
    errors = refused.count('<p class="field-error"')
    assert errors > 1 and f"Le formulaire contient {errors} erreurs" in text(refused)
