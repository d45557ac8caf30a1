"""The referral engine: every transition, the bad ones, the e-mails, the command, the
plugin's hook, and a race on PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from core.agenda.clock import paris_today
from core.database import get_database, session, utcnow, write_intent
from core.plugin_api import (
    BARRIER_LABELS,
    ReferralInfo,
    ReferralRefused,
    ReferralStatus,
    create_referral,
    hookimpl,
    partner_services,
    referrals_by_id,
    referrals_of_person,
)
from core.pluginhost.calling import HookFailed
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref
from core.referrals import cli as referrals_cli
from core.referrals import engine
from core.referrals.engine import LinkClosed
from core.referrals.models import Referral, ReferralEvent
from tests.conftest import World, requires_postgresql
from tests.support import committed

LINK = re.compile(r"/orientation/([A-Za-z0-9_\-]+)")
PARTNER_EMAIL = "accueil@mission-locale.test"


@pytest.fixture
def ready(app: Flask, db, world: World) -> World:
    app.config["BASE_URL"] = "https://intranet.test"
    world.partner.email = PARTNER_EMAIL
    db.commit()
    return world


def send(app: Flask, world: World, *, plugin: str | None = None, **values: Any) -> tuple[int, str]:
    """A referral of Samir (Alpha) to the Mission Locale, committed: (id, the link's token)."""
    outbox = app.extensions.setdefault("maillage.outbox", [])
    before = len(outbox)

    def make() -> int:
        referral = engine.create(**{
            "association_id": world.asso_a.id, "person_id": world.supported_a.id,
            "partner_id": world.partner.id, "reason": "Recherche d'une garde pour reprendre une formation",
            "barriers": ["childcare"], "referent_id": world.coordinator_a.id,
            "plugin": plugin, **values})
        return referral.id

    referral_id = committed(app, make)
    [message] = outbox[before:]
    found = LINK.search(message.get_content())
    assert found
    return referral_id, found.group(1)


def reload(app: Flask, referral_id: int) -> Referral:
    with app.app_context():
        referral = session.get(Referral, referral_id)
        assert referral is not None
        session.expunge(referral)
        return referral


def events_of(app: Flask, referral_id: int) -> list[str]:
    with app.app_context():
        return [e.value for e in session.scalars(
            select(ReferralEvent.status).where(ReferralEvent.referral_id == referral_id)
            .order_by(ReferralEvent.id))]


def outbox(app: Flask) -> list[Any]:
    return app.extensions.setdefault("maillage.outbox", [])


# --- creating ---------------------------------------------------------------------------------


def test_a_referral_is_sent_with_a_link_whose_digest_only_is_kept(app, ready):
    referral_id, token = send(app, ready)
    referral = reload(app, referral_id)
    assert referral.status is ReferralStatus.SENT
    assert referral.token_digest and token not in referral.token_digest
    assert referral.token_expires_at - referral.sent_at == timedelta(days=30)
    [message] = outbox(app)
    assert message["To"] == PARTNER_EMAIL
    body = message.get_content()
    assert "https://intranet.test/orientation/" in body and "Samir" in body
    assert "Suivi" not in body  # the person's last name never leaves
    assert events_of(app, referral_id) == ["sent"]


def test_nothing_is_sent_when_the_transaction_rolls_back(app, ready):
    with app.app_context(), write_intent():
        engine.create(association_id=ready.asso_a.id, person_id=ready.supported_a.id,
                      partner_id=ready.partner.id, reason="Motif")
        session.rollback()
    assert outbox(app) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"reason": "   "}, "reason"),
    ({"person_id": "supported_b"}, "person_id"),
    ({"service_id": "other_service"}, "service_id"),
    ({"barriers": ["flying"]}, "barriers"),
    ({"partner_id": "other_partner"}, "recipient_email"),  # the CCAS has no address
    ({"recipient_email": "pas une adresse"}, "recipient_email"),
    ({"referent_id": "coordinator_b"}, "referent_id"),
])
def test_a_bad_referral_is_refused_in_french_next_to_its_field(app, ready, change, field):
    other_service = ready.other_partner.services[0].id
    resolved = {key: {"supported_b": ready.supported_b.id, "other_service": other_service,
                      "other_partner": ready.other_partner.id,
                      "coordinator_b": ready.coordinator_b.id}.get(value, value)
                if isinstance(value, str) else value for key, value in change.items()}
    values = {"association_id": ready.asso_a.id, "person_id": ready.supported_a.id,
              "partner_id": ready.partner.id, "reason": "Motif", **resolved}
    with app.app_context(), write_intent(), pytest.raises(ReferralRefused) as refused:
        engine.create(**values)
    assert refused.value.field == field
    assert re.search(r"[a-zéèà]", str(refused.value))
    with app.app_context():
        assert session.scalar(select(func.count(Referral.id))) == 0


def test_without_an_address_of_its_own_a_partner_is_reached_through_its_first_contact_with_one(
        app, ready, db):
    """Many partners are known by a person, not a shared mailbox (the demo's are)."""
    ccas = ready.other_partner
    ccas.contacts[0].email = "Olga.Autre@ccas.test"
    db.commit()
    referral_id, _ = send(app, ready, partner_id=ccas.id, service_id=None)
    assert reload(app, referral_id).recipient_email == "olga.autre@ccas.test"
    [message] = outbox(app)[-1:]
    assert message["To"] == "olga.autre@ccas.test"


# --- answers ----------------------------------------------------------------------------------


def test_accept_with_a_date_tells_the_referent_at_once(app, ready):
    referral_id, token = send(app, ready)
    day = paris_today() + timedelta(days=5)
    committed(app, engine.accept, token, day)
    referral = reload(app, referral_id)
    assert referral.status is ReferralStatus.ACCEPTED and referral.appointment_on == day
    assert referral.answered_at is not None
    told = outbox(app)[-1]
    assert told["To"] == "coord.a@test.org" and "acceptée" in told["Subject"]
    assert events_of(app, referral_id) == ["sent", "accepted"]


@pytest.mark.parametrize("day", [None, "yesterday"])
def test_accept_without_a_date_or_with_a_past_one_is_refused(app, ready, day):
    _referral_id, token = send(app, ready)
    when = paris_today() - timedelta(days=1) if day else None
    with pytest.raises(ReferralRefused) as refused:
        committed(app, engine.accept, token, when)
    assert refused.value.field == "appointment_on"
    assert reload(app, _referral_id).status is ReferralStatus.SENT


def test_refusal_needs_a_reason(app, ready):
    referral_id, token = send(app, ready)
    with pytest.raises(ReferralRefused) as refused:
        committed(app, engine.refuse, token, "  ")
    assert refused.value.field == "refusal_reason" and "raison" in str(refused.value)
    committed(app, engine.refuse, token, "Hors de notre territoire")
    referral = reload(app, referral_id)
    assert referral.status is ReferralStatus.REFUSED
    assert referral.refusal_reason == "Hors de notre territoire" and referral.closed_at
    assert "refusée" in outbox(app)[-1]["Subject"]


def test_a_link_answers_once(app, ready):
    referral_id, token = send(app, ready)
    committed(app, engine.refuse, token, "Complet")
    with pytest.raises(LinkClosed):
        committed(app, engine.accept, token, paris_today())
    assert reload(app, referral_id).status is ReferralStatus.REFUSED
    with app.app_context():
        assert engine.link_state(engine.by_token(token)) == engine.ANSWERED


def test_each_link_opens_only_its_own_referral(app, db, ready):
    first_id, first = send(app, ready)
    second_id, second = send(app, ready, person_id=ready.supported_a.id, reason="Autre motif")
    committed(app, engine.accept, second, paris_today())
    assert reload(app, first_id).status is ReferralStatus.SENT
    assert reload(app, second_id).status is ReferralStatus.ACCEPTED
    with app.app_context():
        assert engine.by_token(first).id == first_id
        assert engine.by_token(first[:-1] + ("A" if first[-1] != "A" else "B")) is None
        assert engine.by_token("") is None


def test_an_answer_after_the_delay_is_refused_even_before_the_command_ran(app, ready):
    referral_id, token = send(app, ready)
    later = utcnow() + timedelta(days=31)
    with pytest.raises(LinkClosed) as closed:
        committed(app, engine.accept, token, paris_today(later), now=later)
    assert "expiré" in str(closed.value)
    assert reload(app, referral_id).status is ReferralStatus.SENT


# --- the association's actions ----------------------------------------------------------------


def test_done_only_after_acceptance(app, ready):
    referral_id, token = send(app, ready)
    with app.app_context(), write_intent(), pytest.raises(ReferralRefused):
        engine.mark_done(session.get(Referral, referral_id))
    committed(app, engine.accept, token, paris_today())
    committed(app, lambda: engine.mark_done(session.get(Referral, referral_id),
                                            by_person_id=ready.coordinator_a.id))
    assert reload(app, referral_id).status is ReferralStatus.DONE
    assert events_of(app, referral_id) == ["sent", "accepted", "done"]


def test_withdrawal_revokes_the_link_and_tells_the_partner(app, ready):
    referral_id, token = send(app, ready)
    committed(app, lambda: engine.withdraw(session.get(Referral, referral_id)))
    assert reload(app, referral_id).status is ReferralStatus.WITHDRAWN
    assert outbox(app)[-1]["To"] == PARTNER_EMAIL and "retiré" in outbox(app)[-1]["Subject"]
    with pytest.raises(LinkClosed) as closed:
        committed(app, engine.accept, token, paris_today())
    assert "retiré" in str(closed.value)
    with app.app_context(), write_intent(), pytest.raises(ReferralRefused):
        engine.withdraw(session.get(Referral, referral_id))


def test_a_new_link_kills_the_old_one(app, ready):
    referral_id, old = send(app, ready)
    committed(app, lambda: engine.resend(session.get(Referral, referral_id)))
    new = LINK.search(outbox(app)[-1].get_content()).group(1)
    assert new != old
    with app.app_context():
        assert engine.by_token(old) is None
    with pytest.raises(LinkClosed):
        committed(app, engine.accept, old, paris_today())
    committed(app, engine.accept, new, paris_today())
    assert reload(app, referral_id).status is ReferralStatus.ACCEPTED


# --- the command ------------------------------------------------------------------------------


def test_the_command_run_twice_expires_once_and_reminds_once(app, db, ready):
    old_id, _ = send(app, ready)
    late_id, _ = send(app, ready, reason="Deuxième")
    fresh_id, _ = send(app, ready, reason="Troisième")
    now = utcnow()
    db.execute(Referral.__table__.update().where(Referral.id == old_id).values(
        sent_at=now - timedelta(days=31), token_expires_at=now - timedelta(days=1)))
    db.execute(Referral.__table__.update().where(Referral.id == late_id).values(
        sent_at=now - timedelta(days=8)))
    db.commit()
    sent_before = len(outbox(app))
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(referrals_cli.remind, obj=_script_info(app))
        assert result.exit_code == 0, result.output
    mails = outbox(app)[sent_before:]
    assert [m["Subject"].split(" ")[0] for m in mails] == ["Orientation", "Relance"]
    assert reload(app, old_id).status is ReferralStatus.EXPIRED
    assert reload(app, late_id).reminded_at is not None
    assert reload(app, fresh_id).reminded_at is None
    assert events_of(app, old_id) == ["sent", "expired"]
    assert "0 orientation expirée, 0 relance envoyée" in result.output


def _script_info(app: Flask) -> Any:
    from flask.cli import ScriptInfo
    return ScriptInfo(create_app=lambda: app)


def test_an_answer_racing_the_expiry_loses_or_wins_but_never_both(app, ready):
    referral_id, token = send(app, ready)
    later = utcnow() + timedelta(days=31)
    with app.app_context(), write_intent():
        assert engine.expire_due(later) == 1
        session.commit()
        with pytest.raises(LinkClosed):
            engine.accept(token, paris_today(later), now=later)
    assert reload(app, referral_id).status is ReferralStatus.EXPIRED


# --- the plugin API and its hook --------------------------------------------------------------


class Witness:
    def __init__(self) -> None:
        self.seen: list[ReferralInfo] = []

    @hookimpl
    def referral_changed(self, referral: ReferralInfo) -> None:
        self.seen.append(referral)


@pytest.fixture
def witnesses(app: Flask):
    host = get_host(app)
    made = {"temoin": Witness(), "autre": Witness()}
    for name, plugin in made.items():
        host.manager.register(plugin, name=name)
    yield made
    for name in made:
        host.manager.unregister(name=name)


def test_the_hook_is_called_for_the_creating_plugin_only_and_only_when_enabled(
        app, db, ready, witnesses, maillage_enable_plugin):
    maillage_enable_plugin("temoin", association_ref(ready.asso_a))
    maillage_enable_plugin("autre", association_ref(ready.asso_a))
    referral_id, token = send(app, ready, plugin="temoin")
    assert witnesses["temoin"].seen == []  # not for the creation
    committed(app, engine.accept, token, paris_today())
    [seen] = witnesses["temoin"].seen
    assert seen.id == referral_id and seen.status is ReferralStatus.ACCEPTED
    assert seen.person_first_name == "Samir" and seen.barriers == ("childcare",)
    assert witnesses["autre"].seen == []

    # Switched off for Alpha: no longer told.
    other_id, other_token = send(app, ready, plugin="autre")
    db.execute(select(1))
    from core.pluginhost.activation import PluginActivation
    db.query(PluginActivation).filter_by(plugin="autre").update({"enabled": False})
    db.commit()
    committed(app, engine.refuse, other_token, "Complet")
    assert witnesses["autre"].seen == []
    assert reload(app, other_id).status is ReferralStatus.REFUSED


def test_a_failing_hook_is_loud_in_tests_and_logged_otherwise(app, ready, witnesses,
                                                              maillage_enable_plugin, caplog):
    maillage_enable_plugin("temoin", association_ref(ready.asso_a))

    def broken(referral: ReferralInfo) -> None:
        raise RuntimeError("boom")

    witnesses["temoin"].referral_changed = broken  # type: ignore[method-assign]
    host = get_host(app)
    host.manager.unregister(name="temoin")
    host.manager.register(SimpleNamespace(referral_changed=hookimpl(broken)), name="temoin")
    referral_id, token = send(app, ready, plugin="temoin")
    with pytest.raises(HookFailed):
        committed(app, engine.accept, token, paris_today())
    assert reload(app, referral_id).status is ReferralStatus.SENT
    app.config["PLUGINS_STRICT"] = False
    committed(app, engine.accept, token, paris_today())
    assert reload(app, referral_id).status is ReferralStatus.ACCEPTED
    assert "referral_changed failed" in caplog.text


def test_the_api_reads_in_one_query_and_keeps_to_the_association(app, ready):
    first_id, _ = send(app, ready)
    second_id, _ = send(app, ready, barriers=["housing", "childcare"])
    alpha, beta = association_ref(ready.asso_a), association_ref(ready.asso_b)
    from tests.support import count_queries
    with app.test_request_context():
        with count_queries(app) as statements:
            mine = referrals_of_person(alpha, ready.supported_a.id)
        assert len(statements) == 1
        assert [r.id for r in mine] == [second_id, first_id]
        assert mine[0].barriers == ("housing", "childcare")
        assert mine[0].partner_name == "Mission Locale Test"
        assert mine[0].status_label == "Envoyée, sans réponse"
        with count_queries(app) as statements:
            by_id = referrals_by_id(alpha, [first_id, second_id, 999999])
        assert len(statements) == 1 and set(by_id) == {first_id, second_id}
        assert referrals_by_id(beta, [first_id]) == {}
        assert referrals_of_person(beta, ready.supported_a.id) == []
        services = partner_services()
        assert {(s.partner_name, s.name) for s in services} == {
            ("Mission Locale Test", "Garde d'enfants solidaire"), ("CCAS Test", "Domiciliation")}
        assert BARRIER_LABELS["childcare"] == "Garde d'enfants"


def test_create_referral_defaults_to_the_partner_address_and_the_caller_commits(app, ready):
    alpha = association_ref(ready.asso_a)
    with app.test_request_context(), write_intent():
        made = create_referral(alpha, ready.supported_a.id, partner_id=ready.partner.id,
                               reason="Motif", service_id=ready.partner.services[0].id,
                               referent_id=ready.coordinator_a.id, plugin="temoin")
        assert outbox(app) == []  # not before the commit
        session.commit()
    assert made.service_name == "Garde d'enfants solidaire" and made.plugin == "temoin"
    assert outbox(app)[-1]["To"] == PARTNER_EMAIL
    with app.test_request_context(), write_intent(), pytest.raises(ReferralRefused) as refused:
        create_referral(alpha, ready.supported_b.id, partner_id=ready.partner.id, reason="x")
    assert refused.value.field == "person_id"


# --- a race on PostgreSQL ---------------------------------------------------------------------


def _answer_at_once(app: Flask, token: str) -> tuple[list[str], list[str]]:
    """The partner's accept and refuse, sent at the same instant from two threads."""
    barrier = threading.Barrier(2)
    wins: list[str] = []
    losses: list[str] = []
    lock = threading.Lock()

    def answer(kind: str) -> None:
        with app.app_context(), write_intent():
            barrier.wait()
            try:
                if kind == "accept":
                    engine.accept(token, paris_today())
                else:
                    engine.refuse(token, "Complet")
                session.commit()
            except LinkClosed:
                session.rollback()
                with lock:
                    losses.append(kind)
            else:
                with lock:
                    wins.append(kind)

    threads = [threading.Thread(target=answer, args=(k,)) for k in ("accept", "refuse")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return wins, losses


@requires_postgresql
def test_accept_and_refuse_at_once_exactly_one_wins(app, ready):
    for _ in range(3):
        referral_id, token = send(app, ready)
        wins, losses = _answer_at_once(app, token)
        assert len(wins) == 1 and len(losses) == 1, (wins, losses)
        status = reload(app, referral_id).status
        assert status.value == {"accept": "accepted", "refuse": "refused"}[wins[0]]
        assert events_of(app, referral_id) == ["sent", status.value]
    get_database(app).dispose()
