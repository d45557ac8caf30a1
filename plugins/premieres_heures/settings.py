"""Per-association settings: figures that vary by host structure and by year live here,
never in code (DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from core.plugin_api import (
    STRIP,
    AssociationRef,
    FrenchIntegerField,
    required,
    required_input,
    settings_for,
    whole_number,
)
from plugins.premieres_heures import NAME

DEFAULT_SETTINGS: dict[str, Any] = {
    "duration_months": 6,
    "hours_ladder": "4, 8, 12, 16, 20",
    "review_interval_weeks": 6,
    "absence_flag_threshold": 3,
    "waiver_warning_days": 30,
}
MAX_WEEKLY_HOURS = 35


def parse_ladder(text: str) -> list[int]:
    """"4, 8, 12" -> [4, 8, 12]; raises ValueError with a French message."""
    try:
        steps = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError("Des nombres d'heures séparés par des virgules (exemple : 4, 8, 12).") from None
    if not steps:
        raise ValueError("Indiquez au moins une étape (exemple : 4, 8, 12).")
    if any(not 0 < step <= MAX_WEEKLY_HOURS for step in steps):
        raise ValueError(f"Chaque étape est comprise entre 1 et {MAX_WEEKLY_HOURS} heures.")
    if steps != sorted(set(steps)):
        raise ValueError("Les étapes vont en croissant, sans doublon (exemple : 4, 8, 12).")
    return steps


class SettingsForm(FlaskForm):
    duration_months = FrenchIntegerField(
        "Durée prévue d'un parcours (mois)", validators=[required_input(), *whole_number("Durée", 6, 9)],
        description="Selon la structure d'accueil : de 6 à 9 mois.")
    hours_ladder = StringField(
        "Paliers d'heures par semaine", filters=STRIP, validators=[required()],
        description="Séparés par des virgules, par exemple : 4, 8, 12, 16, 20.")
    review_interval_weeks = FrenchIntegerField(
        "Bilan toutes les … semaines", validators=[required_input(), *whole_number("Intervalle", 1, 26)])
    absence_flag_threshold = FrenchIntegerField(
        "Signaler au référent après … absences de suite",
        validators=[required_input(), *whole_number("Seuil", 1, 20)])
    waiver_warning_days = FrenchIntegerField(
        "Alerter … jours avant la fin d'une dérogation",
        validators=[required_input(), *whole_number("Délai", 1, 90)])

    def validate_hours_ladder(self, field: Any) -> None:
        try:
            parse_ladder(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


def settings_of(association: AssociationRef) -> dict[str, Any]:
    return settings_for(NAME, association)


def ladder_of(association: AssociationRef) -> list[int]:
    try:
        return parse_ladder(str(settings_of(association)["hours_ladder"]))
    except ValueError:  # saved before a rule changed: fall back to the default
        return parse_ladder(DEFAULT_SETTINGS["hours_ladder"])
