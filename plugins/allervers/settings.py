"""Per-association settings: the stages, the target public and the targets vary by
consortium and by funder, never in code (DOMAIN.md, seed 001)."""

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
from plugins.allervers import NAME

DEFAULT_SETTINGS: dict[str, Any] = {
    "stages": "Aller vers, Accompagner vers, Accès à l'entreprise",
    "age_min": 16,
    "age_max": 29,
    "target_people": 330,
    "target_start_year": 2026,  # the period starts on the 1st of January of that year
    "target_months": 24,
}
MAX_STAGES = 10


def parse_stages(text: str) -> list[str]:
    """"Aller vers, Accompagner vers" -> ["Aller vers", "Accompagner vers"]; raises
    ValueError with a French message."""
    stages = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not stages:
        raise ValueError("Indiquez au moins une étape (exemple : Aller vers, Accompagner vers).")
    if len(stages) > MAX_STAGES:
        raise ValueError(f"Au plus {MAX_STAGES} étapes.")
    if any(len(stage) > 80 for stage in stages):
        raise ValueError("Chaque étape tient en 80 caractères.")
    if len({stage.casefold() for stage in stages}) != len(stages):
        raise ValueError("Chaque étape n'apparaît qu'une fois.")
    return stages


class SettingsForm(FlaskForm):
    stages = StringField(
        "Étapes d'un parcours", filters=STRIP, validators=[required()],
        description="Dans l'ordre, séparées par des virgules.")
    age_min = FrenchIntegerField(
        "Public cible : âge minimum au premier contact",
        validators=[required_input(), *whole_number("Âge minimum", 14, 99)])
    age_max = FrenchIntegerField(
        "Public cible : âge maximum au premier contact",
        validators=[required_input(), *whole_number("Âge maximum", 14, 99)])
    target_people = FrenchIntegerField(
        "Objectif : personnes accompagnées sur la période",
        validators=[required_input(), *whole_number("Objectif", 1, 100_000)])
    target_start_year = FrenchIntegerField(
        "Année de début de la période de l'objectif (au 1er janvier)",
        validators=[required_input(), *whole_number("Année", 2000, 2100)])
    target_months = FrenchIntegerField(
        "Durée de la période de l'objectif (mois)",
        validators=[required_input(), *whole_number("Durée", 1, 120)])

    def validate_stages(self, field: Any) -> None:
        try:
            parse_stages(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_age_max(self, field: Any) -> None:
        if self.age_min.data is not None and field.data is not None and field.data < self.age_min.data:
            raise ValidationError("L'âge maximum ne peut être inférieur à l'âge minimum.")


def settings_of(association: AssociationRef) -> dict[str, Any]:
    return settings_for(NAME, association)


def stages_of(association: AssociationRef) -> list[str]:
    try:
        return parse_stages(str(settings_of(association)["stages"]))
    except ValueError:  # saved before a rule changed: fall back to the default
        return parse_stages(DEFAULT_SETTINGS["stages"])
