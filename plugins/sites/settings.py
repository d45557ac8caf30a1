"""Per-association settings: figures each association decides, never in code (DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from core.plugin_api import (
    STRIP,
    AssociationRef,
    CheckboxListField,
    FrenchIntegerField,
    required,
    required_input,
    settings_for,
    whole_number,
)
from plugins.sites import NAME
from plugins.sites.forms_rooms import as_clock, clock_time
from plugins.sites.rooms import WEEKDAYS, OpeningHours, parse_clock

DEFAULT_SETTINGS: dict[str, Any] = {
    "ending_warning_days": 60,  # an occupancy ending within this many days is flagged
    "timeline_months": 12,  # months the timeline shows at once
    "applications_per_hour": 5,  # public applications accepted from one address in an hour
    "retention_months": 24,  # applications of a closed call are purged this long after it
    # Shared rooms (rooms.py): when they may be reserved, and for how long at most.
    "rooms_opening": "08:00",
    "rooms_closing": "20:00",
    "rooms_days": [0, 1, 2, 3, 4, 5],  # Monday to Saturday
    "rooms_max_hours": 4,
    "insurance_warning_days": 30,  # an occupant's insurance expiring within this many days is flagged
}


class SettingsForm(FlaskForm):
    ending_warning_days = FrenchIntegerField(
        "Signaler les occupations qui se terminent dans les … jours",
        validators=[required_input(), *whole_number("Délai", 1, 365)],
        description="Sur la page du site et le tableau de bord.")
    insurance_warning_days = FrenchIntegerField(
        "Signaler les assurances des occupants qui expirent dans les … jours",
        validators=[required_input(), *whole_number("Délai", 1, 365)],
        description=("Sur le tableau de bord et dans l'e-mail d'alerte ; les conventions qui se "
                     "terminent suivent le délai des occupations."))
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
    rooms_opening = StringField("Ouverture des salles partagées", filters=[*STRIP, as_clock],
                                validators=[required(), clock_time],
                                description="Par exemple 8 h ou 08:30 : on réserve à partir de cette heure.")
    rooms_closing = StringField("Fermeture des salles partagées", filters=[*STRIP, as_clock],
                                validators=[required(), clock_time], description="Par exemple 20 h.")
    rooms_days = CheckboxListField("Jours d'ouverture des salles partagées", coerce=int,
                                   choices=list(enumerate(day.capitalize() for day in WEEKDAYS)))
    rooms_max_hours = FrenchIntegerField(
        "Durée maximale d'une réservation de salle (heures)",
        validators=[required_input(), *whole_number("Durée", 1, 24)])

    def validate_rooms_closing(self, field: Any) -> None:
        try:
            opening, closing = parse_clock(self.rooms_opening.data or ""), parse_clock(field.data or "")
        except ValueError:
            return  # the field at fault says so already
        if closing <= opening:
            raise ValidationError("La fermeture doit être après l'ouverture.")

    def validate_rooms_days(self, field: Any) -> None:
        if not field.data:
            raise ValidationError("Cochez au moins un jour d'ouverture.")


class Rules:
    """The settings as the pages read them (typed, with their defaults)."""

    def __init__(self, values: dict[str, Any]) -> None:
        merged = {**DEFAULT_SETTINGS, **values}
        self.ending_warning_days = int(merged["ending_warning_days"])
        self.timeline_months = int(merged["timeline_months"])
        self.applications_per_hour = int(merged["applications_per_hour"])
        self.retention_months = int(merged["retention_months"])
        self.rooms = OpeningHours(opening=parse_clock(str(merged["rooms_opening"])),
                                  closing=parse_clock(str(merged["rooms_closing"])),
                                  days=frozenset(int(day) for day in merged["rooms_days"]),
                                  max_hours=int(merged["rooms_max_hours"]))
        self.insurance_warning_days = int(merged["insurance_warning_days"])


def rules_of(association: AssociationRef) -> Rules:
    return Rules(settings_for(NAME, association))
