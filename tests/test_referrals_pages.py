"""The referral pages: the partner's answer link (no account), the association's list,
referral page, actions and form, the blocks on the person's, partner's and home pages."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.agenda.clock import paris_today
from core.auth.tokens import digest
from core.database import utcnow
from core.referrals import views
from core.referrals.models import Referral, ReferralEvent
from core.referrals.vocabulary import ReferralStatus
from tests.conftest import World
from tests.support import count_queries, field_error, login, post
from tests.support import text_of as raw_text

LINK = re.compile(r"/orientation/([A-Za-z0-9_\-]+)")
BASE = "/associations/alpha/orientations"
_tokens = count()


def add_referral(db, world: World, *, status: ReferralStatus = ReferralStatus.SENT,
                 association=None, person=None, token: str | None = None,
                 sent_days_ago: int = 1, **values: Any) -> tuple[int, str]:
    """A referral written as the engine would have: (id, the link's token)."""
    token = token or f"jeton-{next(_tokens)}-{utcnow().timestamp()}"
    association = association or world.asso_a
    person = person or world.supported_a
    sent = utcnow() - timedelta(days=sent_days_ago)
    referral = Referral(
        association_id=association.id, person_id=person.id, partner_id=world.partner.id,
        service_id=world.partner.services[0].id,
        referent_id=(world.coordinator_a if association is world.asso_a else world.coordinator_b).id,
        reason="Garde d'enfants pour reprendre une formation", recipient_email="ml@test.org",
        status=status, sent_at=sent, token_digest=digest(token),
        token_expires_at=sent + timedelta(days=30),
        refusal_reason="Complet" if status is ReferralStatus.REFUSED else "", **values)
    referral.events = [ReferralEvent(status=ReferralStatus.SENT, at=sent)]
    db.add(referral)
    db.commit()
    return referral.id, token


@pytest.fixture
def ready(app, db, world: World) -> World:
    app.config["BASE_URL"] = "https://intranet.test"
    world.partner.email = "ml@test.org"
    world.coordinator_a.phone = "01 02 03 04 05"
    db.commit()
    return world


@pytest.fixture
def coordinator(app, ready):
    client = app.test_client()
    login(client, "coord.a@test.org")
    return client


def text_of(response: Any) -> str:
    return html.unescape(raw_text(response))


def status_of(db, referral_id: int) -> ReferralStatus:
    db.expire_all()
    return db.get(Referral, referral_id).status


# --- the partner's answer page ----------------------------------------------------------------


def test_the_answer_page_shows_only_what_the_partner_needs(app, db, ready):
    _referral_id, token = add_referral(db, ready)
    add_referral(db, ready, association=ready.asso_b, person=ready.supported_b)
    page = app.test_client().get(f"/orientation/{token}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Samir" in text and "Garde d'enfants pour reprendre une formation" in text
    assert "Chloé Coord" in text and "coord.a@test.org" in text and "Association Alpha" in text
    for secret in ("Suivi", "samir@test.org", "Sarah", "Suivie", "Bêta"):
        assert secret not in text, secret
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="csrf_token"' in text


def test_the_partner_accepts_with_a_date_and_the_referent_is_told(app, db, ready, maillage_outbox):
    referral_id, token = add_referral(db, ready)
    client = app.test_client()
    day = paris_today() + timedelta(days=4)
    answered = post(client, f"/orientation/{token}",
                    {"decision": "accepter", "appointment_on": day.isoformat()})
    assert answered.status_code == 200 and "Merci" in text_of(answered)
    assert status_of(db, referral_id) is ReferralStatus.ACCEPTED
    assert maillage_outbox[-1]["To"] == "coord.a@test.org"
    again = client.get(f"/orientation/{token}")
    assert again.status_code == 410 and "déjà répondu" in text_of(again)
    reused = post(client, f"/orientation/{token}", {"decision": "refuser", "refusal_reason": "x"})
    assert reused.status_code == 410
    assert status_of(db, referral_id) is ReferralStatus.ACCEPTED


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"decision": "refuser", "refusal_reason": "  "}, "refusal_reason", "Indiquez la raison"),
    ({"decision": "accepter", "appointment_on": ""}, "appointment_on", "Indiquez la date"),
    ({"decision": "accepter", "appointment_on": "yesterday"}, "appointment_on", "passée"),
    ({"decision": "accepter", "appointment_on": "31/02/2030"}, "appointment_on", ""),
])
def test_a_bad_answer_is_refused_next_to_its_field_and_nothing_is_saved(app, db, ready, data,
                                                                       field, message):
    referral_id, token = add_referral(db, ready)
    if data.get("appointment_on") == "yesterday":
        data = {**data, "appointment_on": (paris_today() - timedelta(days=1)).isoformat()}
    response = post(app.test_client(), f"/orientation/{token}", data)
    assert response.status_code == 422
    error = field_error(response, field)
    assert error and message in error
    assert status_of(db, referral_id) is ReferralStatus.SENT
    assert db.scalar(select(func.count(ReferralEvent.id))
                     .where(ReferralEvent.referral_id == referral_id)) == 1


@pytest.mark.parametrize(("status", "words"), [
    (ReferralStatus.EXPIRED, "expiré"), (ReferralStatus.WITHDRAWN, "retirée"),
    (ReferralStatus.REFUSED, "déjà répondu"),
])
def test_a_closed_link_says_why_with_410(app, db, ready, status, words):
    _referral_id, token = add_referral(db, ready, status=status)
    page = app.test_client().get(f"/orientation/{token}")
    assert page.status_code == 410 and words in text_of(page)
    assert "Samir" not in text_of(page)


def test_a_link_past_its_delay_is_expired_before_the_command_runs(app, db, ready):
    _referral_id, token = add_referral(db, ready, sent_days_ago=31)
    assert app.test_client().get(f"/orientation/{token}").status_code == 410


def test_an_unknown_or_replaced_link_is_404(app, db, ready, coordinator, maillage_outbox):
    referral_id, token = add_referral(db, ready)
    assert app.test_client().get("/orientation/nimporte-quoi").status_code == 404
    assert app.test_client().get("/orientation/" + "x" * 500).status_code == 404
    assert post(coordinator, f"{BASE}/{referral_id}/nouveau-lien").status_code == 303
    new = LINK.search(maillage_outbox[-1].get_content()).group(1)
    assert new != token
    old_page = app.test_client().get(f"/orientation/{token}")
    assert old_page.status_code == 404 and "remplacé" in text_of(old_page)
    assert app.test_client().get(f"/orientation/{new}").status_code == 200


def test_each_link_opens_its_own_referral_only(app, db, ready):
    _first, first_token = add_referral(db, ready)
    _second, second_token = add_referral(db, ready, association=ready.asso_b,
                                         person=ready.supported_b)
    first = text_of(app.test_client().get(f"/orientation/{first_token}"))
    second = text_of(app.test_client().get(f"/orientation/{second_token}"))
    assert "Samir" in first and "Sarah" not in first
    assert "Sarah" in second and "Samir" not in second


def test_answers_are_rate_limited(app, db, ready, monkeypatch):
    monkeypatch.setattr(views, "ANSWERS_PER_HOUR", 2)
    _referral_id, token = add_referral(db, ready)
    client = app.test_client()
    codes = [post(client, f"/orientation/{token}", {"decision": "refuser"}).status_code
             for _ in range(3)]
    assert codes == [422, 422, 429]


# --- the association's pages ------------------------------------------------------------------


def test_the_list_filters_and_ignores_bad_values(app, db, ready, coordinator):
    sent_id, _ = add_referral(db, ready)
    accepted_id, _ = add_referral(db, ready, status=ReferralStatus.ACCEPTED,
                                  appointment_on=paris_today())
    add_referral(db, ready, association=ready.asso_b, person=ready.supported_b)
    page = coordinator.get(BASE)
    assert page.status_code == 200 and "2 orientations" in text_of(page)
    assert "Sarah" not in text_of(page)
    only_accepted = text_of(coordinator.get(BASE, query_string={"statut": "accepted"}))
    assert f"/orientations/{accepted_id}" in only_accepted and f"/orientations/{sent_id}" not in only_accepted
    for bad in ({"statut": "n'importe"}, {"partenaire": "abc"}, {"referent": "-4"},
                {"page": "x"}, {"partenaire": "99999999999999999999"}):
        response = coordinator.get(BASE, query_string=bad)
        assert response.status_code == 200, bad
    by_referent = text_of(coordinator.get(BASE, query_string={"referent": ready.admin_a.id}))
    assert "0 orientation" in by_referent


def test_the_list_runs_a_fixed_number_of_queries(app, db, ready, coordinator):
    add_referral(db, ready)
    with count_queries(app) as few:
        assert coordinator.get(BASE).status_code == 200
    for _ in range(25):
        add_referral(db, ready, status=ReferralStatus.ACCEPTED, appointment_on=paris_today())
    with count_queries(app) as many:
        assert coordinator.get(BASE).status_code == 200
    assert len(many) == len(few)


def test_the_referral_page_shows_its_dated_history_and_acts(app, db, ready, coordinator,
                                                           maillage_outbox):
    referral_id, token = add_referral(db, ready)
    page = coordinator.get(f"{BASE}/{referral_id}")
    assert page.status_code == 200 and "Historique" in text_of(page)
    assert "Samir Suivi" in text_of(page)
    assert post(coordinator, f"{BASE}/{referral_id}/realisee").status_code == 422
    post(app.test_client(), f"/orientation/{token}",
         {"decision": "accepter", "appointment_on": paris_today().isoformat()})
    assert post(coordinator, f"{BASE}/{referral_id}/realisee").status_code == 303
    assert status_of(db, referral_id) is ReferralStatus.DONE
    history = text_of(coordinator.get(f"{BASE}/{referral_id}"))
    assert "Acceptée" in history and "Réalisée" in history and "(Chloé Coord)" in history


def test_withdrawing_revokes_the_link(app, db, ready, coordinator):
    referral_id, token = add_referral(db, ready)
    assert post(coordinator, f"{BASE}/{referral_id}/retirer", {"note": "Déménagement"}).status_code == 303
    assert status_of(db, referral_id) is ReferralStatus.WITHDRAWN
    assert app.test_client().get(f"/orientation/{token}").status_code == 410
    assert post(coordinator, f"{BASE}/{referral_id}/retirer").status_code == 422


def test_volunteers_are_refused_and_other_associations_do_not_exist(app, db, ready):
    beta_id, _ = add_referral(db, ready, association=ready.asso_b, person=ready.supported_b)
    volunteer = app.test_client()
    login(volunteer, "benevole.a@test.org")
    assert volunteer.get(BASE).status_code == 403
    coordinator = app.test_client()
    login(coordinator, "coord.a@test.org")
    assert coordinator.get(f"{BASE}/{beta_id}").status_code == 404
    assert coordinator.get(f"/associations/beta/orientations/{beta_id}").status_code == 404
    assert coordinator.get("/associations/beta/orientations").status_code == 404


def test_a_coordinator_orients_a_person_from_their_page(app, db, ready, coordinator,
                                                        maillage_outbox):
    person_page = text_of(coordinator.get(f"/personnes/{ready.supported_a.id}"))
    form_url = f"/associations/alpha/personnes/{ready.supported_a.id}/orienter"
    assert "Orientations vers les partenaires" in person_page and form_url in person_page
    form = coordinator.get(form_url)
    assert form.status_code == 200 and "Garde d'enfants solidaire" in text_of(form)
    service = ready.partner.services[0].id
    sent = post(coordinator, form_url, {"target": f"{ready.partner.id}:{service}",
                                        "reason": "Garde pour une formation",
                                        "barriers": ["childcare"]})
    assert sent.status_code == 303
    referral = db.scalar(select(Referral))
    assert referral.referent_id == ready.coordinator_a.id and referral.service_id == service
    assert maillage_outbox[-1]["To"] == "ml@test.org"
    listed = text_of(coordinator.get(f"/personnes/{ready.supported_a.id}"))
    assert "Mission Locale Test — Garde d'enfants solidaire" in listed and "Envoyée" in listed


def test_a_partner_without_address_is_refused_in_french_on_the_form(app, db, ready, coordinator):
    form_url = f"/associations/alpha/personnes/{ready.supported_a.id}/orienter"
    refused = post(coordinator, form_url, {"target": str(ready.other_partner.id), "reason": "x"})
    assert refused.status_code == 422
    assert "adresse e-mail" in field_error(refused, "recipient_email")
    sent = post(coordinator, form_url, {"target": str(ready.other_partner.id), "reason": "x",
                                        "recipient_email": "accueil@ccas.exemple.org"})
    assert sent.status_code == 303


def test_the_partner_page_shows_its_answer_figures_and_only_my_associations_referrals(
        app, db, ready, coordinator):
    for days in (1, 3):
        referral_id, _ = add_referral(db, ready, status=ReferralStatus.ACCEPTED,
                                      sent_days_ago=days + 1)
        db.get(Referral, referral_id).answered_at = utcnow() - timedelta(days=1)
    add_referral(db, ready, status=ReferralStatus.EXPIRED, sent_days_ago=40)
    add_referral(db, ready, association=ready.asso_b, person=ready.supported_b)
    db.commit()
    page = text_of(coordinator.get(f"/partenaires/{ready.partner.id}"))
    assert "67 %" in page  # two answers, one expiry
    assert "Délai médian de réponse" in page and "2 jours" in page
    assert "Samir Suivi" in page and "Sarah" not in page
    volunteer = app.test_client()
    login(volunteer, "benevole.a@test.org")
    seen = text_of(volunteer.get(f"/partenaires/{ready.partner.id}"))
    assert "Taux de réponse" in seen and "Samir" not in seen


def test_the_dashboard_shows_late_referrals_and_fresh_answers(app, db, ready, coordinator):
    add_referral(db, ready, sent_days_ago=8)
    fresh, _ = add_referral(db, ready, status=ReferralStatus.REFUSED, sent_days_ago=3)
    db.get(Referral, fresh).answered_at = utcnow() - timedelta(days=1)
    db.commit()
    home = text_of(coordinator.get("/"))
    assert "Sans réponse depuis plus de 7 jours" in home
    assert "Réponses reçues cette semaine" in home


def test_export_and_erasure_take_the_referrals(app, db, ready):
    add_referral(db, ready)
    add_referral(db, ready, association=ready.asso_b, person=ready.supported_a)
    coordinator = app.test_client()
    login(coordinator, "coord.a@test.org")
    data = coordinator.get(f"/personnes/{ready.supported_a.id}/donnees.json").get_json()
    assert [r["association"] for r in data["orientations"]] == ["Association Alpha"]
    admin = app.test_client()
    login(admin, "collectif@test.org")
    full = admin.get(f"/personnes/{ready.supported_a.id}/donnees.json").get_json()
    assert len(full["orientations"]) == 2
    assert post(admin, f"/personnes/{ready.supported_a.id}/effacer").status_code == 303
    assert db.scalar(select(func.count(Referral.id))) == 0
    assert db.scalar(select(func.count(ReferralEvent.id))) == 0


# --- never a server error ---------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_answer_never_breaks_the_answer_page(app, db, ready, monkeypatch, data):
    monkeypatch.setattr(views, "ANSWERS_PER_HOUR", 10_000)
    referral_id, token = add_referral(db, ready)
    valid = {"decision": "accepter", "appointment_on": (paris_today() + timedelta(days=1)).isoformat(),
             "refusal_reason": "Complet"}
    typed = {key: data.draw(TEXT | st.just(value) | st.just("refuser")) for key, value in valid.items()}
    response = post(app.test_client(), f"/orientation/{token}", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (200, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 200:
        assert status_of(db, referral_id) is ReferralStatus.SENT, typed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_never_breaks_the_referral_form(app, db, ready, coordinator, data):
    form_url = f"/associations/alpha/personnes/{ready.supported_a.id}/orienter"
    valid = {"target": str(ready.partner.id), "reason": "Motif", "barriers": "childcare",
             "recipient_email": ""}
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = db.scalar(select(func.count(Referral.id)))
    response = post(coordinator, form_url, typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert db.scalar(select(func.count(Referral.id))) == before, typed


def test_dates_are_french_on_the_pages(app, db, ready, coordinator):
    referral_id, _ = add_referral(db, ready, status=ReferralStatus.ACCEPTED,
                                  appointment_on=date(2031, 3, 1))
    assert "1er mars 2031" in text_of(coordinator.get(f"{BASE}/{referral_id}"))


def test_the_person_partner_and_home_pages_read_referrals_in_fixed_queries(app, db, ready,
                                                                         coordinator):
    pages = ["/", f"/personnes/{ready.supported_a.id}", f"/partenaires/{ready.partner.id}"]

    def measure() -> dict[str, int]:
        counts = {}
        for url in pages:
            with count_queries(app) as statements:
                assert coordinator.get(url).status_code == 200, url
            counts[url] = len(statements)
        return counts

    add_referral(db, ready, sent_days_ago=9)
    few = measure()
    for index in range(15):
        referral_id, _ = add_referral(db, ready, sent_days_ago=9 + index,
                                      status=ReferralStatus.REFUSED if index % 2 else ReferralStatus.SENT)
        if index % 2:
            db.get(Referral, referral_id).answered_at = utcnow() - timedelta(days=1)
    db.commit()
    assert measure() == few
