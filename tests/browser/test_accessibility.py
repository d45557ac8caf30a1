"""axe-core on the pages each role uses, forms refused with their errors included, on a phone
and on a desktop: no serious or critical violation. One test case per page and width, so a
failure names the page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import (
    ALLERVERS,
    DESKTOP,
    PH,
    PHONE,
    REFERRAL_TOKEN,
    SITES,
    SITES_TOKEN,
    TZ,
    WIDTHS,
    OpenPage,
    Site,
)
from tests.browser.pages import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Visit:
    name: str
    role: str | None  # None: not signed in
    path: str  # ``{pathway}``, ``{event}``… are the site's ids
    # A form sent as it stands, or after filling ``fill`` (label, value), to check the page
    # that shows its errors: the name of its button.
    submit: str | None = None
    fill: tuple[tuple[str, str], ...] = ()


VISITS = [
    Visit("login", None, "/login"),
    Visit("login refused", None, "/login", submit="Se connecter",
          fill=(("Adresse e-mail", "benevole.a@test.org"),)),
    Visit("forgotten password", None, "/mot-de-passe/oublie"),
    Visit("forgotten password refused", None, "/mot-de-passe/oublie",
          submit="Recevoir le lien", fill=(("Adresse e-mail", "pas-une-adresse"),)),
    Visit("dashboard", "volunteer", "/"),
    Visit("agenda upcoming", "volunteer", "/agenda/"),
    Visit("agenda week", "volunteer", "/agenda/semaine"),
    Visit("agenda month", "volunteer", "/agenda/mois"),
    Visit("my bookings", "volunteer", "/agenda/mes-inscriptions"),
    Visit("event booked", "volunteer", "/agenda/{event}"),
    Visit("event to book", "volunteer", "/agenda/{beta_event}"),
    Visit("calendar in my phone", "volunteer", "/agenda/calendrier"),
    Visit("my account", "volunteer", "/compte"),
    Visit("password change refused", "volunteer", "/compte", submit="Changer le mot de passe"),
    Visit("partners", "volunteer", "/partenaires/"),
    Visit("partner", "volunteer", "/partenaires/{partner}"),
    Visit("associations", "volunteer", "/associations/"),
    Visit("dashboard", "coordinator", "/"),
    Visit("people", "coordinator", "/personnes/"),
    Visit("person", "coordinator", "/personnes/{supported}"),
    Visit("new person refused", "coordinator", "/personnes/nouvelle", submit="Enregistrer"),
    Visit("new event", "coordinator", "/agenda/nouveau"),
    Visit("new event refused", "coordinator", "/agenda/nouveau", submit="Créer"),
    Visit("event managed", "coordinator", "/agenda/{event}"),
    Visit("book someone", "coordinator", "/agenda/{event}/inscrire"),
    Visit("book someone refused", "coordinator", "/agenda/{event}/inscrire", submit="Inscrire"),
    Visit("PH pathways", "coordinator", f"{PH}/parcours/"),
    Visit("PH pathway", "coordinator", f"{PH}/parcours/{{pathway}}"),
    Visit("PH new pathway refused", "coordinator", f"{PH}/parcours/nouveau",
          submit="Ouvrir le parcours"),
    Visit("PH week", "coordinator", f"{PH}/semaine/?jour={{ph_monday}}"),
    Visit("PH host week", "coordinator", f"{PH}/semaine/structure/{{partner}}?jour={{ph_monday}}"),
    Visit("PH person week", "coordinator", f"{PH}/semaine/parcours/{{pathway}}?jour={{ph_monday}}"),
    Visit("PH session refused", "coordinator", f"{PH}/parcours/{{pathway}}/seances/nouvelle",
          submit="Enregistrer la séance", fill=(("Début", "14:00"), ("Fin", "09:00"))),
    Visit("TZ home", "coordinator", f"{TZ}/"),
    Visit("TZ register", "coordinator", f"{TZ}/registre/"),
    Visit("TZ register entry", "coordinator", f"{TZ}/registre/{{tz_ppde}}"),
    Visit("TZ step refused", "coordinator", f"{TZ}/registre/{{tz_ppde}}", submit="Enregistrer l'étape",
          fill=(("Le", "31/02/2025"),)),
    Visit("TZ exhaustiveness", "coordinator", f"{TZ}/exhaustivite"),
    Visit("TZ staff", "coordinator", f"{TZ}/salaries/"),
    Visit("TZ monthly ETP and CDE", "coordinator", f"{TZ}/etp"),
    Visit("TZ CDE rates and years", "coordinator", f"{TZ}/cde/taux"),
    Visit("TZ territory", "coordinator", f"{TZ}/territoire"),
    Visit("TZ committee", "coordinator", f"{TZ}/cle/"),
    Visit("TZ meeting", "coordinator", f"{TZ}/cle/reunions/{{tz_meeting}}"),
    Visit("TZ activities", "coordinator", f"{TZ}/activites/"),
    Visit("TZ activity", "coordinator", f"{TZ}/activites/{{tz_activity}}"),
    Visit("TZ new activity refused", "coordinator", f"{TZ}/activites/nouvelle", submit="Enregistrer"),
    Visit("Sites home", "coordinator", f"{SITES}/"),
    Visit("Sites site", "coordinator", f"{SITES}/sites/{{site}}"),
    Visit("Sites timeline", "coordinator", f"{SITES}/sites/{{site}}/calendrier"),
    Visit("Sites owners", "coordinator", f"{SITES}/proprietaires/"),
    Visit("Sites new lot refused", "coordinator", f"{SITES}/sites/{{site}}/lots/nouveau",
          submit="Enregistrer le lot"),
    Visit("Sites allocation", "coordinator", f"{SITES}/lots/{{lot}}/attributions/nouvelle"),
    Visit("Sites calls", "coordinator", f"{SITES}/appels/"),
    Visit("Sites call", "coordinator", f"{SITES}/appels/{{call}}"),
    Visit("Sites new call refused", "coordinator", f"{SITES}/appels/nouveau", submit="Enregistrer l'appel"),
    Visit("Sites public calls", None, f"{SITES}/candidater/"),
    Visit("Sites public call", None, f"{SITES}/candidater/{{call}}"),
    Visit("Sites public form refused", None, f"{SITES}/candidater/{{call}}", submit="Envoyer ma candidature",
          fill=(("Nom de votre structure ou de votre projet", "Recyclerie"),)),
    Visit("Sites application read back", None, f"{SITES}/candidature/{SITES_TOKEN}"),
    Visit("Sites applications", "coordinator", f"{SITES}/appels/{{review_call}}/candidatures"),
    Visit("Sites application", "coordinator", f"{SITES}/candidatures/{{application}}"),
    Visit("Sites scores refused", "coordinator", f"{SITES}/candidatures/{{application}}",
          submit="Enregistrer mes notes", fill=(("Note « Qualité du projet » (0 à 5)", "9"),)),
    Visit("Sites ranking", "coordinator", f"{SITES}/appels/{{review_call}}/classement"),
    Visit("Sites decision e-mails", "coordinator", f"{SITES}/appels/{{review_call}}/notifier"),
    Visit("Sites shared rooms", "volunteer", f"{SITES}/salles/"),
    Visit("Sites room week", "volunteer", f"{SITES}/salles/{{room}}"),
    Visit("Sites reservation refused", "volunteer", f"{SITES}/salles/{{room}}/reserver", submit="Réserver",
          fill=(("Début", "14:00"), ("Fin", "09:00"))),
    Visit("Sites agreement", "coordinator", f"{SITES}/attributions/{{allocation}}/convention"),
    Visit("Sites agreement refused", "coordinator", f"{SITES}/attributions/{{allocation}}/convention",
          submit="Enregistrer la convention", fill=(("Redevance mensuelle (€)", "douze"),)),
    Visit("Sites printable agreement", "coordinator", f"{SITES}/conventions/{{agreement}}/imprimer"),
    Visit("Sites commitments", "coordinator", f"{SITES}/attributions/{{allocation}}/engagements"),
    Visit("Sites follow-up refused", "coordinator", f"{SITES}/engagements/{{commitment}}/suivi",
          submit="Enregistrer le suivi", fill=(("Réalisé", "-2"),)),
    Visit("Aller-vers home", "volunteer", f"{ALLERVERS}/"),
    Visit("Aller-vers actions", "volunteer", f"{ALLERVERS}/actions/"),
    Visit("Aller-vers action", "coordinator", f"{ALLERVERS}/actions/{{outreach_action}}"),
    Visit("Aller-vers new action refused", "coordinator", f"{ALLERVERS}/actions/nouvelle",
          submit="Enregistrer l'action"),
    Visit("Aller-vers tally", "volunteer", f"{ALLERVERS}/actions/{{outreach_action}}/comptage"),
    Visit("Aller-vers contact without consent refused", "volunteer",
          f"{ALLERVERS}/actions/{{outreach_action}}/contacts/nouveau", submit="Enregistrer le contact",
          fill=(("Prénom ou surnom", "Yanis"),)),
    Visit("Aller-vers contact", "coordinator", f"{ALLERVERS}/contacts/{{contact}}"),
    Visit("Aller-vers engagement", "coordinator", f"{ALLERVERS}/contacts/{{contact}}/engager"),
    Visit("Aller-vers funnel", "coordinator", f"{ALLERVERS}/entonnoir"),
    Visit("Aller-vers pathways", "coordinator", f"{ALLERVERS}/parcours/"),
    Visit("Aller-vers pathway", "coordinator", f"{ALLERVERS}/parcours/{{outreach_pathway}}"),
    Visit("referrals", "coordinator", "/associations/alpha/orientations"),
    Visit("referral", "coordinator", "/associations/alpha/orientations/{referral}"),
    Visit("new referral refused", "coordinator", "/associations/alpha/personnes/{supported}/orienter",
          submit="Envoyer l'orientation"),
    Visit("partner's answer", None, f"/orientation/{REFERRAL_TOKEN}"),
    Visit("partner's refusal without reason refused", None, f"/orientation/{REFERRAL_TOKEN}",
          submit="Refuser l'orientation"),
    Visit("association edit", "admin", "/associations/alpha/modifier"),
    Visit("association modules", "admin", "/associations/alpha/modules"),
    Visit("partner edit", "admin", "/partenaires/{partner}/modifier"),
    Visit("collective admins", "collective_admin", "/administration-collectif"),
    Visit("collective modules", "collective_admin", "/administration/modules"),
    Visit("new neighbourhood refused", "collective_admin", "/quartiers/nouveau",
          submit="Enregistrer"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("visit", VISITS, ids=[f"{v.role or 'anonymous'}: {v.name}" for v in VISITS])
def test_no_serious_accessibility_violation(site: Site, open_page: OpenPage, visit: Visit,
                                            width: int):
    page = open_page(visit.role, width)
    answer = page.goto(site.url(visit.path))
    assert answer is not None and answer.status == 200, f"{visit.path}: {answer and answer.status}"
    if visit.submit:
        for label, value in visit.fill:
            page.get_by_label(label, exact=True).fill(value)
        with page.expect_navigation() as sent:
            page.get_by_role("button", name=visit.submit, exact=True).click()
        assert sent.value is not None and sent.value.status == 422, "the form was not refused"
        assert page.locator(".error-summary, .field-error").count(), "no error shown"
    assert_accessible(page)
    if width == PHONE:
        assert_no_horizontal_scroll(page)


def test_axe_reports_a_missing_label_and_a_poor_contrast(open_page: OpenPage):
    """The check itself: a field without a label and pale grey text on white are caught."""
    page = open_page(None, DESKTOP)
    page.goto("/login")
    assert_accessible(page)
    page.evaluate("""() => {
      const main = document.querySelector('main');
      main.append(document.createElement('input'));
      const pale = document.createElement('p');
      pale.textContent = 'Texte trop pâle';
      pale.style.color = '#bbbbbb';
      main.append(pale);
    }""")
    with pytest.raises(AssertionError) as caught:
        assert_accessible(page)
    assert "[critical] label:" in str(caught.value)
    assert "[serious] color-contrast:" in str(caught.value)


def test_enough_pages_are_checked():
    """The issue asks for at least 20 pages, three of them forms refused with their errors."""
    assert len({(v.role, v.path, v.submit) for v in VISITS}) >= 20
    assert sum(1 for v in VISITS if v.submit) >= 3
    assert {v.role for v in VISITS} == {None, "volunteer", "coordinator", "admin", "collective_admin"}
