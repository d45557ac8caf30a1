"""Per-association settings: figures each association decides, never in code (DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from core.plugin_api import AssociationRef, FrenchIntegerField, required_input, settings_for, whole_number
from plugins.sites import NAME

DEFAULT_SETTINGS: dict[str, Any] = {
    "ending_warning_days": 60,  # an occupancy ending within this many days is flagged
    "timeline_months": 12,  # months the timeline shows at once
    "applications_per_hour": 5,  # public applications accepted from one address in an hour
    "retention_months": 24,  # applications of a closed call are purged this long after it
    "insurance_warning_days": 30,  # an occupant's insurance expiring within this many days is flagged
}


class SettingsForm(FlaskForm):
    ending_warning_days = FrenchIntegerField(
        "Signaler les occupations qui se terminent dans les … jours",
        validators=[required_input(), *whole_number("Délai", 1, 365)],
        description="Sur la page du site et le tableau de bord.")
    timeline_months = FrenchIntegerField(
        "Mois affichés par le calendrier des occupations",
        validators=[required_input(), *whole_number("Durée", 3, 36)])
    applications_per_hour = FrenchIntegerField(
        "Candidatures acceptées par heure depuis une même connexion",
        validators=[required_input(), *whole_number("Limite", 1, 100)],
        description=("Au-delà, le formulaire public demande de réessayer plus tard "
                     "(contre les envois en masse)."))
    retention_months = FrenchIntegerField(
        "Conserver les candidatures … mois après la clôture de l'appel",
        validators=[required_input(), *whole_number("Durée", 1, 120)],
        description=("Ensuite, elles sont supprimées ; seuls les nombres de candidatures "
                     "et de décisions restent."))
    insurance_warning_days = FrenchIntegerField(
        "Signaler les assurances des occupants qui expirent dans les … jours",
        validators=[required_input(), *whole_number("Délai", 1, 365)],
        description=("Sur le tableau de bord et dans l'e-mail d'alerte ; les conventions qui se "
                     "terminent suivent le délai des occupations."))


class Rules:
    """The settings as the pages read them (typed, with their defaults)."""

    def __init__(self, values: dict[str, Any]) -> None:
        merged = {**DEFAULT_SETTINGS, **values}
        self.ending_warning_days = int(merged["ending_warning_days"])
        self.timeline_months = int(merged["timeline_months"])
        self.applications_per_hour = int(merged["applications_per_hour"])
        self.retention_months = int(merged["retention_months"])
        self.insurance_warning_days = int(merged["insurance_warning_days"])


def rules_of(association: AssociationRef) -> Rules:
    return Rules(settings_for(NAME, association))
