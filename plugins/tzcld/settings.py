"""Per-association settings: figures that change by territory, by law or by year live here
or in the yearly CDE rates, never in code (DOMAIN.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm

from core.plugin_api import AssociationRef, FrenchIntegerField, required_input, settings_for, whole_number
from plugins.tzcld import NAME

DEFAULT_SETTINGS: dict[str, Any] = {
    "months_without_work": 12,  # eligible when without work for MORE than this
    "months_resident": 6,  # and resident for at least this
    "waiting_alert_days": 90,  # the exhaustiveness page lists who waits longer
    "full_time_hours": 35,  # weekly hours of one full-time equivalent
    "non_ppde_cap_percent": 10,  # supervisors and support staff, as a share of all ETP
}


class SettingsForm(FlaskForm):
    months_without_work = FrenchIntegerField(
        "Éligible après plus de … mois sans emploi",
        validators=[required_input(), *whole_number("Durée", 1, 60)])
    months_resident = FrenchIntegerField(
        "Résidence sur le territoire depuis au moins … mois",
        validators=[required_input(), *whole_number("Durée", 0, 60)])
    waiting_alert_days = FrenchIntegerField(
        "Signaler les attentes de plus de … jours",
        validators=[required_input(), *whole_number("Seuil", 1, 730)])
    full_time_hours = FrenchIntegerField(
        "Heures par semaine d'un équivalent temps plein",
        validators=[required_input(), *whole_number("Durée", 1, 48)])
    non_ppde_cap_percent = FrenchIntegerField(
        "Plafond des salariés non PPDE (% des ETP)",
        validators=[required_input(), *whole_number("Plafond", 0, 100)])


class Rules:
    """The settings as the computations read them (typed, with their defaults)."""

    def __init__(self, values: dict[str, Any]) -> None:
        merged = {**DEFAULT_SETTINGS, **values}
        self.months_without_work = int(merged["months_without_work"])
        self.months_resident = int(merged["months_resident"])
        self.waiting_alert_days = int(merged["waiting_alert_days"])
        self.full_time_hours = Decimal(int(merged["full_time_hours"]))
        self.non_ppde_cap = Decimal(int(merged["non_ppde_cap_percent"])) / 100


def rules_of(association: AssociationRef) -> Rules:
    return Rules(settings_for(NAME, association))
