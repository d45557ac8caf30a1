"""Sites en transition's indicators for reports: area occupied and available at the
period's end, occupants by field over the period, applications received and accepted (those
of purged calls from their counts), jobs declared — for the period asked, in five queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from core.pluginhost.contributions import AssociationRef
from plugins.sites import plugin
from plugins.sites.models import Allocation, LotKind
from plugins.sites.models_calls import CallCounts, Choice, Decision, Field
from tests.sites_world import application_to, call_on, site_with_lots
from tests.support import count_queries

YEAR_START, YEAR_END = date(2030, 1, 1), date(2030, 12, 31)


def _allocation(db, lot, occupant: str, first: date, last: date, field: Field | None, jobs: int) -> None:
    db.add(Allocation(association_id=lot.association_id, lot_id=lot.id, occupant=occupant, starts_on=first,
                      ends_on=last, starts_at=datetime.combine(first, datetime.min.time(), UTC),
                      ends_at=datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC),
                      field=field, jobs=jobs))


def _values(app, world, start: date = YEAR_START, end: date = YEAR_END) -> dict[str, float]:
    alpha = AssociationRef(id=world.asso_a.id, slug="alpha", name="Alpha", short_name="A")
    with app.test_request_context():
        return {i.key.removeprefix("sites."): i.value
                for i in plugin.report_indicators(association=alpha, period_start=start, period_end=end)}


def test_areas_fields_and_jobs_follow_the_allocations_of_the_period(app, db, world):
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "A2", "A3"], kind=LotKind.WORKSHOP)
    site.available_from, site.available_until = date(2029, 1, 1), date(2033, 12, 31)
    _allocation(db, lots[0], "Recyclerie", date(2030, 3, 1), date(2031, 2, 28), Field.CIRCULAR, 3)
    _allocation(db, lots[1], "Atelier vélo", date(2030, 2, 1), date(2030, 6, 30), Field.CIRCULAR, 1)  # ended
    _allocation(db, lots[2], "Compagnie", date(2030, 9, 1), date(2032, 1, 1), None, 2)
    _allocation(db, lots[2], "Plus tard", date(2032, 1, 2), date(2033, 1, 1), Field.ARTISTIC, 9)  # after
    db.commit()
    values = _values(app, world)
    assert values["area_occupied"] == 50.0  # A1 and A3, 25 m² each, on 31 December
    assert values["area_available"] == 1200.0
    assert (values["occupants.circular"], values["occupants.other"], values["occupants.artistic"],
            values["occupants.ess"]) == (2, 1, 0, 0)
    assert values["jobs_declared"] == 5
    assert _values(app, world, date(2030, 12, 31), date(2030, 1, 1)) == {}  # a period backwards


def test_applications_received_and_accepted_count_the_purged_calls_by_their_closing(app, db, world):
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "A2"])
    call = call_on(db, site, lots, opens_on=date(2030, 1, 1), closes_on=date(2030, 2, 1))
    accepted = application_to(db, call, lots, "Retenue")
    application_to(db, call, lots, "En attente")
    late = application_to(db, call, lots, "L'an d'après")
    accepted.submitted_at = datetime(2030, 1, 10, 9, tzinfo=UTC)
    db.flush()
    db.query(Choice).filter(Choice.application_id == accepted.id, Choice.preference == 1).update(
        {"decision": Decision.ACCEPTED})
    for application in db.query(type(accepted)).filter(type(accepted).id != accepted.id):
        application.submitted_at = datetime(2030, 1, 20, 9, tzinfo=UTC)
    late.submitted_at = datetime(2031, 1, 1, 9, tzinfo=UTC)  # New Year's Day in Paris: next year
    old = call_on(db, site, lots, opens_on=date(2029, 11, 1), closes_on=date(2030, 3, 1))
    db.add(CallCounts(association_id=world.asso_a.id, call_id=old.id, received=7, accepted=2, refused=4,
                      waiting=1))
    db.commit()
    values = _values(app, world)
    assert (values["applications_received"], values["applications_accepted"]) == (9, 3)


def test_the_indicators_take_five_queries_whatever_the_data(app, db, world):
    _site, lots = site_with_lots(db, world.asso_a.id, [f"L{index}" for index in range(30)])
    for index, lot in enumerate(lots):
        _allocation(db, lot, f"Occupant {index}", date(2030, 1, 1), date(2030, 12, 31), Field.ESS, 1)
    db.commit()
    alpha = AssociationRef(id=world.asso_a.id, slug="alpha", name="Alpha", short_name="A")
    with app.test_request_context(), count_queries(app) as statements:
        plugin.report_indicators(association=alpha, period_start=YEAR_START, period_end=YEAR_END)
    assert len(statements) == 5, statements


def test_a_lot_area_with_cents_is_reported_exactly(app, db, world):
    _site, lots = site_with_lots(db, world.asso_a.id, ["A1"])
    lots[0].area = Decimal("12.35")
    _allocation(db, lots[0], "Coopérative", date(2030, 1, 1), date(2030, 12, 31), Field.SOCIAL, 0)
    db.commit()
    assert _values(app, world)["area_occupied"] == 12.35
