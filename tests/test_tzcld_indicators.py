"""Territoire zéro chômeur: the funder indicators through the host's command, computed by
hand — who waited at the end of a period (a past one included), the median wait, hires,
exits by reason under the small-cell rule, the PPDE ETP and the CDE to the cent, a fixed
number of queries, and nothing of another association."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core.members import Person
from core.members.memberships import Membership
from core.members.roles import Role
from core.plugin_api import MASKED_UNIT
from core.pluginhost.cli import plugins_group
from plugins.tzcld.models import CdeRates, Employment, ExitReason, Ppde, PpdeStatus, Transition, WorkingTime
from tests.conftest import World
from tests.support import count_queries

NAME = "tzcld"
Q1 = ("2025-01-01", "2025-03-31")
Q2 = ("2025-04-01", "2025-06-30")
EXITS = [f"{NAME}.exits.{reason.value}" for reason in ExitReason]
# The steps, short, for the tables of dated steps below.
ID, M, W, H, X = (PpdeStatus.IDENTIFIED, PpdeStatus.MET, PpdeStatus.WAITING, PpdeStatus.HIRED,
                  PpdeStatus.EXITED)


@pytest.fixture
def enabled(world: World, maillage_enable_plugin) -> World:
    maillage_enable_plugin(NAME, world.asso_a)
    maillage_enable_plugin(NAME, world.asso_b)
    return world


def report(app, slug: str, period: tuple[str, str]) -> dict[str, tuple[str, str]]:
    """key -> (value and unit, label), as ``maillage plugins indicators`` prints them."""
    start, end = period
    result = app.test_cli_runner().invoke(plugins_group, ["indicators", slug, "--from", start, "--to", end])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    return {key: (value, label) for plugin, key, value, label in lines if plugin == NAME}


def person(db: Session, association, *steps: tuple[PpdeStatus, date] | tuple[PpdeStatus, date, ExitReason]
           ) -> Ppde:
    """Someone on the association's register with these dated steps, recorded in this order;
    the current status is the last step's, as the register keeps it."""
    someone = Person(first_name="Personne", last_name="Registre")
    db.add(someone)
    db.flush()
    db.add(Membership(person_id=someone.id, association_id=association.id, role=Role.SUPPORTED))
    last = steps[-1]
    entry = Ppde(association_id=association.id, person_id=someone.id, status=last[0],
                 waiting_since=last[1] if last[0] is W else None)
    for status, on, *reason in steps:
        entry.transitions.append(Transition(association_id=association.id, status=status, on=on,
                                            exit_reason=reason[0] if reason else None))
    db.add(entry)
    db.flush()
    return entry


def contract(db: Session, association, start: date, *hours: tuple[date, str], ppde: bool = True,
             end: date | None = None) -> None:
    made = Employment(association_id=association.id, ppde=ppde, started_on=start, ended_on=end)
    made.hours = [WorkingTime(effective_on=on, weekly_hours=Decimal(weekly)) for on, weekly in hours]
    db.add(made)


def rates(db: Session, association, year: int) -> None:
    db.add(CdeRates(association_id=association.id, year=year, hourly_minimum_wage=Decimal("11.88"),
                    state_rate=Decimal(95), departement_share=Decimal(20), hours_per_year=1820))


def test_the_register_at_the_end_of_the_period_and_its_moves_during_it(app, db, enabled):
    a = enabled.asso_a
    # Waiting since 1 December 2024, still waiting: 120 days on 31 March.
    person(db, a, (ID, date(2024, 10, 1)), (M, date(2024, 11, 1)), (W, date(2024, 12, 1)))
    # Waiting since 10 January, hired on 15 April, after Q1: waited 80 days at Q1's end.
    person(db, a, (M, date(2025, 1, 2)), (W, date(2025, 1, 10)), (H, date(2025, 4, 15)))
    # Waited in February, hired on 1 March: a hire of Q1, not waiting at its end.
    person(db, a, (W, date(2025, 2, 1)), (H, date(2025, 3, 1)))
    # Hired on Q1's last day; and one hired on the eve of Q1 (not a hire of it).
    person(db, a, (W, date(2024, 11, 1)), (H, date(2025, 3, 31)))
    person(db, a, (W, date(2024, 11, 1)), (H, date(2024, 12, 31)))
    # Left for a job in 2024, back on the list on 1 March 2025: waited 30 days (since the
    # latest entry); the 2024 exit is not one of Q1.
    person(db, a, (W, date(2024, 9, 1)), (X, date(2024, 12, 15), ExitReason.MOVED_AWAY),
           (W, date(2025, 3, 1)))
    # Met and put on the list on 31 March: the day's last step counts, 0 days.
    person(db, a, (M, date(2025, 3, 31)), (W, date(2025, 3, 31)))
    # Only identified in March, waiting from 1 April: not waiting at Q1's end.
    person(db, a, (ID, date(2025, 3, 15)), (W, date(2025, 4, 1)))
    # Exits of Q1: 2 to a job elsewhere (on 10 February, and on the last day), 1 to a training
    # (on the first day), 3 who withdrew; none moved away or other.
    person(db, a, (W, date(2024, 6, 1)), (X, date(2025, 2, 10), ExitReason.JOB_ELSEWHERE))
    person(db, a, (M, date(2025, 1, 5)), (X, date(2025, 3, 31), ExitReason.JOB_ELSEWHERE))
    person(db, a, (M, date(2024, 12, 1)), (X, date(2025, 1, 1), ExitReason.TRAINING))
    for day in (3, 4, 5):
        person(db, a, (ID, date(2025, 1, 1)), (X, date(2025, 2, day), ExitReason.WITHDREW))
    # Bêta's register: waiting, hired and withdrawn in Q1 — never Alpha's.
    b = enabled.asso_b
    person(db, b, (W, date(2024, 1, 1)))
    person(db, b, (W, date(2024, 1, 1)), (H, date(2025, 2, 1)))
    person(db, b, (W, date(2024, 1, 1)), (X, date(2025, 2, 1), ExitReason.WITHDREW))
    db.commit()

    q1 = report(app, "alpha", Q1)
    assert q1[f"{NAME}.waiting_at_end"] == (
        "4 personnes", "Personnes volontaires en attente d'embauche à la fin de la période")
    # 120, 80, 30 and 0 days: the median is (30 + 80) / 2.
    assert q1[f"{NAME}.median_wait_at_end"] == ("55 jours", "Durée médiane d'attente à la fin de la période")
    assert q1[f"{NAME}.hires"] == ("2 embauches", "Embauches par l'EBE")
    assert {key: q1[key] for key in EXITS} == {
        f"{NAME}.exits.job_elsewhere": (f"0 {MASKED_UNIT}", "Sorties : emploi ailleurs"),
        f"{NAME}.exits.training": (f"0 {MASKED_UNIT}", "Sorties : formation"),
        f"{NAME}.exits.moved_away": ("0 personnes", "Sorties : déménagement"),
        f"{NAME}.exits.withdrew": ("3 personnes", "Sorties : ne souhaite plus"),
        f"{NAME}.exits.other": ("0 personnes", "Sorties : autre"),
    }
    assert not [key for key in q1 if "exits" in key and key not in EXITS]  # no total of exits

    # Q2, a past period too: the one hired on 15 April no longer waits; the one put on the list
    # on 1 April does (90 days on 30 June). 211, 121, 91 and 90 days: median (91 + 121) / 2.
    q2 = report(app, "alpha", Q2)
    assert q2[f"{NAME}.waiting_at_end"][0] == "4 personnes"
    assert q2[f"{NAME}.median_wait_at_end"][0] == "106 jours"
    assert q2[f"{NAME}.hires"][0] == "1 embauches"
    assert [q2[key][0] for key in EXITS] == ["0 personnes"] * 5

    beta = report(app, "beta", Q1)
    assert beta[f"{NAME}.waiting_at_end"][0] == "1 personnes"
    assert beta[f"{NAME}.hires"][0] == "1 embauches"
    assert beta[f"{NAME}.exits.withdrew"][0] == f"0 {MASKED_UNIT}"


@pytest.mark.parametrize(("waiting", "median"), [
    (0, "0 jours (aucune personne en attente)"),
    (1, f"0 {MASKED_UNIT}"),  # one person's wait
    (2, f"0 {MASKED_UNIT}"),
    (3, "20 jours"),  # 10, 20 and 30 days
    (4, "25 jours"),  # 10, 20, 30 and 40 days: (20 + 30) / 2
])
def test_a_median_over_one_or_two_people_is_masked(app, db, enabled, waiting, median):
    for index in range(waiting):
        person(db, enabled.asso_a, (W, date(2025, 3, 31) - timedelta(days=10 * (index + 1))))
    db.commit()
    found = report(app, "alpha", Q1)
    assert found[f"{NAME}.waiting_at_end"][0] == f"{waiting} personnes"
    assert found[f"{NAME}.median_wait_at_end"][0] == median


def test_the_ppde_etp_and_the_cde_match_the_hand_computation(app, db, enabled):
    a = enabled.asso_a
    rates(db, a, 2025)
    # PPDE, from 16 January at 35 h: 16/31, then 1, then 1.
    contract(db, a, date(2025, 1, 16), (date(2025, 1, 16), "35"))
    # PPDE, 35 h, then 17.5 h from 16 March: 1, 1, then (15 × 35 + 16 × 17.5) / (35 × 31) = 23/31.
    contract(db, a, date(2024, 6, 1), (date(2024, 6, 1), "35"), (date(2025, 3, 16), "17.5"))
    # PPDE, 28 h, to 14 February: 28/35 = 0.8, then 0.8 × 14/28 = 0.4, then nothing.
    contract(db, a, date(2024, 1, 1), (date(2024, 1, 1), "28"), end=date(2025, 2, 14))
    # Not PPDE (a supervisor), and a PPDE contract of Bêta: neither counts.
    contract(db, a, date(2025, 1, 1), (date(2025, 1, 1), "35"), ppde=False)
    contract(db, enabled.asso_b, date(2025, 1, 1), (date(2025, 1, 1), "35"))
    rates(db, enabled.asso_b, 2025)
    db.commit()

    found = report(app, "alpha", Q1)
    # January 2.316129…, February 2.4, March 1.741935…: an average of 2.152688… ETP.
    assert found[f"{NAME}.etp_ppde"] == (
        "2.15 ETP", "ETP de PPDE, moyenne mensuelle (janvier 2025 à mars 2025)")
    # A month's State part is its ETP × 11.88 × 95 % × 1,820 / 12 = ETP × 1,711.71:
    # January 3,964.541… → 3,964.54, February 4,108.104 → 4,108.10, March 2,981.688… → 2,981.69.
    assert found[f"{NAME}.cde_state"] == (
        "11054.33 €", "Contribution au développement de l'emploi, part de l'État (janvier 2025 à mars 2025)")
    # 20 % of each month's: 792.908… → 792.91, 821.6208 → 821.62, 596.337… → 596.34.
    assert found[f"{NAME}.cde_departement"][0] == "2210.87 €"

    [etp] = [line for line in report(app, "beta", Q1).items() if line[0] == f"{NAME}.etp_ppde"]
    assert etp[1][0] == "1.0 ETP"  # Bêta's one contract, and only it


def test_the_months_of_a_period_are_whole_and_a_year_without_rates_is_not_guessed(app, db, enabled):
    a = enabled.asso_a
    rates(db, a, 2025)
    contract(db, a, date(2024, 1, 1), (date(2024, 1, 1), "35"))
    db.commit()
    # 15 December to 10 January: December and January, each whole. 2024 has no rates.
    found = report(app, "alpha", ("2024-12-15", "2025-01-10"))
    assert found[f"{NAME}.etp_ppde"] == (
        "1.0 ETP", "ETP de PPDE, moyenne mensuelle (décembre 2024 à janvier 2025)")
    assert found[f"{NAME}.cde_state"][0] == "0.0 € non calculé : taux 2024 non saisis"
    assert found[f"{NAME}.cde_departement"][0] == "0.0 € non calculé : taux 2024 non saisis"
    # January alone: 1 × 1,711.71; 20 % of it is 342.342 → 342.34.
    january = report(app, "alpha", ("2025-01-01", "2025-01-31"))
    assert january[f"{NAME}.cde_state"] == (
        "1711.71 €", "Contribution au développement de l'emploi, part de l'État (janvier 2025)")
    assert january[f"{NAME}.cde_departement"][0] == "342.34 €"


def test_the_etp_counts_the_associations_own_full_time_week(app, db, world, maillage_enable_plugin):
    maillage_enable_plugin(NAME, world.asso_a, {"full_time_hours": 28})
    contract(db, world.asso_a, date(2025, 1, 1), (date(2025, 1, 1), "28"))
    db.commit()
    assert report(app, "alpha", Q1)[f"{NAME}.etp_ppde"][0] == "1.0 ETP"


def _grow(db: Session, world: World, count: int) -> None:
    """``count`` more people of Alpha: waiting, hired or gone in Q1, and under contract."""
    for index in range(count):
        day = date(2025, 1, 1) + timedelta(days=index)
        reason = list(ExitReason)[index % len(ExitReason)]
        if index % 3 == 0:
            person(db, world.asso_a, (M, day - timedelta(days=30)), (W, day))
        elif index % 3 == 1:
            person(db, world.asso_a, (W, day - timedelta(days=30)), (H, day))
        else:
            person(db, world.asso_a, (M, day - timedelta(days=30)), (X, day, reason))
        contract(db, world.asso_a, day, (day, "24"), (day + timedelta(days=20), "30"), ppde=index % 5 != 0)
    db.commit()


def test_the_indicators_read_a_fixed_number_of_queries(app, db, enabled):
    """As many statements with 3 people on the register and under contract as with 30."""
    rates(db, enabled.asso_a, 2025)
    counts = []
    for more in (3, 27):
        _grow(db, enabled, more)
        with count_queries(app) as statements:
            found = report(app, "alpha", Q1)
        assert len(found) == 11
        counts.append(len(statements))
    # The command's own three (the association, its plugins, the collective's policies), then
    # the plugin's six (see plugins/tzcld/indicators.py).
    assert counts[0] == counts[1] <= 9, counts
