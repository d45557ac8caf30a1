"""Territoire zéro chômeur: the figures, computed by hand. ETP pro rata by calendar days,
the CDE to the cent, the non-PPDE cap, and the eligibility rules on their edge days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from core.plugin_api import add_months
from plugins.tzcld.cde import MonthCde, Rates, cde_of_month, monthly_cde, yearly_cde
from plugins.tzcld.register import eligibility
from plugins.tzcld.settings import Rules
from plugins.tzcld.staff import Contract, etp_in_month, monthly_figures

RULES = Rules({})
D = Decimal


def full_time(start: date, end: date | None = None, *, ppde: bool = True,
              hours: tuple[tuple[date, Decimal], ...] | None = None) -> Contract:
    return Contract(ppde, start, end, hours or ((start, D(35)),))


# --- ETP -------------------------------------------------------------------------------------


def test_a_whole_month_at_full_time_is_one_etp():
    assert etp_in_month(full_time(date(2025, 1, 1)), date(2025, 3, 1), D(35)) == 1


def test_a_start_mid_month_counts_its_calendar_days():
    # 16 to 31 January: 16 days of 31.
    assert etp_in_month(full_time(date(2025, 1, 16)), date(2025, 1, 1), D(35)) == D(16) / D(31)


def test_an_end_mid_month_counts_up_to_the_last_day_worked():
    # 1 to 14 February 2024 (a leap year: 29 days).
    contract = full_time(date(2023, 6, 1), date(2024, 2, 14))
    assert etp_in_month(contract, date(2024, 2, 1), D(35)) == D(14) / D(29)
    assert etp_in_month(contract, date(2024, 3, 1), D(35)) == 0


def test_a_change_of_hours_counts_each_part_of_the_month():
    # 35 h from 1 to 15 March, 17.5 h from the 16th: (15 × 35 + 16 × 17.5) / (35 × 31) = 23/31.
    contract = full_time(date(2025, 3, 1),
                         hours=((date(2025, 3, 1), D(35)), (date(2025, 3, 16), D("17.5"))))
    assert etp_in_month(contract, date(2025, 3, 1), D(35)) == D(23) / D(31)
    assert etp_in_month(contract, date(2025, 4, 1), D(35)) == D("0.5")


def test_a_contract_over_a_month_end_counts_in_both_months():
    contract = full_time(date(2025, 4, 21), date(2025, 5, 10), hours=((date(2025, 4, 21), D(28)),))
    assert etp_in_month(contract, date(2025, 4, 1), D(35)) == D(28) * 10 / (D(35) * 30)
    assert etp_in_month(contract, date(2025, 5, 1), D(35)) == D(28) * 10 / (D(35) * 31)


def test_monthly_table_counts_heads_entries_exits_and_warns_over_the_cap():
    contracts = [full_time(date(2025, 1, 1)) for _ in range(8)]
    contracts.append(full_time(date(2025, 1, 1), ppde=False))  # 1 of 9: 11 % > 10 %
    contracts.append(full_time(date(2025, 2, 10), ppde=True))  # February: 1 of 9.68, under
    contracts.append(full_time(date(2024, 5, 1), date(2025, 1, 31)))  # leaves on 31 January
    january, february = monthly_figures(contracts, date(2025, 1, 1), date(2025, 2, 1), RULES)
    assert (january.headcount, january.entries, january.exits) == (10, 9, 1)
    assert january.etp_ppde == 9 and january.etp_other == 1
    assert not january.over_cap  # 1 of 10
    assert (february.headcount, february.entries, february.exits) == (10, 1, 0)
    assert february.etp_ppde == 8 + D(19) / D(28)
    assert february.over_cap  # 1 / 9.68 = 10.3 %
    assert february.other_share == 1 / (9 + D(19) / D(28))


def test_the_cap_is_a_setting():
    contracts = [full_time(date(2025, 1, 1)) for _ in range(4)]
    contracts.append(full_time(date(2025, 1, 1), ppde=False))
    january = date(2025, 1, 1)
    [month] = monthly_figures(contracts, january, january, Rules({"non_ppde_cap_percent": 20}))
    assert not month.over_cap  # exactly 20 %
    [month] = monthly_figures(contracts, january, january, Rules({"non_ppde_cap_percent": 19}))
    assert month.over_cap


# --- CDE: hand-computed (State = ETP × SMIC × rate × hours / 12; département = State × share) --


@pytest.mark.parametrize(("etp", "rates", "state", "departement"), [
    # 10.5 × 11.88 × 95 % × 1,820 / 12 = 17,972.955 → 17,972.96; × 15 % = 2,695.943… → 2,695.94
    (D("10.5"), Rates(D("11.88"), D(95), D(15), 1820), D("17972.96"), D("2695.94")),
    # 16/31 × 11.65 × 101 % × 1,820 / 12 = 921.0765… ; × 15 % = 138.1614…
    (D(16) / D(31), Rates(D("11.65"), D(101), D(15), 1820), D("921.08"), D("138.16")),
    # 23/31 × 11.88 × 95 % × 1,820 / 12 = 1,269.978… ; × 20 % = 253.9956… → 254.00
    (D(23) / D(31), Rates(D("11.88"), D(95), D(20), 1820), D("1269.98"), D("254.00")),
    (D(0), Rates(D("11.88"), D(95), D(15), 1820), D("0.00"), D("0.00")),
])
def test_cde_of_a_month_matches_the_hand_computation(etp, rates, state, departement):
    assert cde_of_month(etp, rates) == (state, departement)


def test_a_year_is_the_sum_of_its_months_and_unknown_without_its_rates():
    contracts = [full_time(date(2024, 12, 1)) for _ in range(3)]
    figures = monthly_figures(contracts, date(2024, 12, 1), date(2025, 2, 1), RULES)
    months = monthly_cde(figures, {2025: Rates(D("11.88"), D(95), D(15), 1820)})
    assert months[0] == MonthCde(date(2024, 12, 1), D(3), None, None)  # no 2024 rates
    # 3 × 11.88 × 0.95 × 1,820 / 12 = 5,135.13 a month; × 15 % = 770.2695 → 770.27
    assert [(m.state, m.departement) for m in months[1:]] == [(D("5135.13"), D("770.27"))] * 2
    y2024, y2025 = yearly_cde(months)
    assert (y2024.state, y2024.departement) == (None, None)
    assert (y2025.state, y2025.departement, y2025.months) == (D("10270.26"), D("1540.54"), 2)


# --- eligibility -----------------------------------------------------------------------------


def test_more_than_twelve_months_without_work_and_six_months_resident():
    since = date(2024, 3, 10)
    on_the_day = eligibility(since, date(2023, 1, 1), date(2025, 1, 1), date(2025, 3, 10), RULES)
    assert not on_the_day.eligible  # exactly 12 months: not more
    assert "éligible à partir du 11/03/2025" in " ".join(on_the_day.missing)
    assert eligibility(since, date(2023, 1, 1), date(2025, 1, 1), date(2025, 3, 11), RULES).eligible
    resident = date(2024, 9, 11)
    assert not eligibility(date(2020, 1, 1), resident, date(2025, 1, 1), date(2025, 3, 10), RULES).eligible
    assert eligibility(date(2020, 1, 1), resident, date(2025, 1, 1), date(2025, 3, 11), RULES).eligible


def test_eligibility_needs_consent_and_says_why_not():
    verdict = eligibility(None, None, None, date(2025, 1, 1), RULES)
    assert not verdict.eligible and verdict.met == ()
    assert len(verdict.missing) == 3 and "consentement" in verdict.missing[2]
    later = eligibility(date(2020, 1, 1), date(2020, 1, 1), date(2025, 6, 1), date(2025, 1, 1), RULES)
    assert not later.eligible  # consent given after the day asked about


def test_the_rules_are_settings():
    rules = Rules({"months_without_work": 24, "months_resident": 0})
    june = date(2025, 6, 1)
    assert not eligibility(date(2024, 1, 1), date(2025, 1, 1), date(2025, 1, 1), june, rules).eligible
    assert eligibility(date(2023, 1, 1), june, date(2025, 1, 1), june, rules).eligible


def test_months_end_on_the_last_day_when_the_day_is_missing():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 14) == date(2027, 1, 15)


def test_a_part_that_falls_on_a_half_cent_rounds_up():
    """19/14 ETP × 11,88 × 95 % × 1 820 / 12 = 2 323,035 € exactly: 2 323,04 €. Through a
    28-digit Decimal ETP (1,357142857…), it came out at 2 323,03 €."""
    rates = Rates(D("11.88"), D(95), D(20), 1820)
    assert cde_of_month(Fraction(19, 14), rates) == (D("2323.04"), D("464.61"))
    assert cde_of_month(D(19) / D(14), rates)[0] == D("2323.03")  # what the old way gave
    contract = Contract(True, date(2025, 1, 1), None, ((date(2025, 1, 1), D(35)),
                                                       (date(2025, 1, 1) + timedelta(days=1), D(35))))
    half = Contract(True, date(2025, 1, 1), None, ((date(2025, 1, 1), D(5)),))
    [january] = monthly_figures([contract, half], date(2025, 1, 1), date(2025, 1, 1), Rules({}))
    assert january.etp_ppde_exact == Fraction(1) + Fraction(5, 35)
    [month] = monthly_cde([january], {2025: rates})
    assert month.state == cde_of_month(Fraction(8, 7), rates)[0]
