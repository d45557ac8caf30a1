"""Forms of the EBE's pages: contracts, their working time, their end, and the CDE's yearly
rates. Decimal figures are typed the French way (« 17,5 », « 11,88 »)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchDateField,
    FrenchIntegerField,
    french_decimal,
    max_length,
    parse_decimal,
    required,
    required_input,
    whole_number,
)
from plugins.tzcld.forms_register import french_hours, parse_hours, person_choice

MAX_WEEKLY_HOURS = Decimal(48)  # the legal weekly maximum


def in_range(low: Decimal, high: Decimal, message: str, places: int = 2, *,
             low_included: bool = False) -> Any:
    """After french_decimal: the number lies in ]low, high] (or [low, high])."""
    def check(_form: FlaskForm, field: Any) -> None:
        try:
            number = parse_decimal(field.data, places=places)
        except ValueError:
            return  # french_decimal says why
        above_low = number is not None and (number >= low if low_included else number > low)
        if number is not None and not (above_low and number <= high):
            raise ValidationError(message)
    return check


HOURS_IN_RANGE = in_range(Decimal(1), MAX_WEEKLY_HOURS, "Entre 1 et 48 heures par semaine.",
                          low_included=True)


class ContractForm(FlaskForm):
    """Encadrement and support staff: not PPDE. A PPDE's contract opens with their hire in the
    register (the only way a contract earns the CDE), and ends with their exit."""

    person_id = ChoiceField("Salarié·e", coerce=person_choice, validators=[required()],
                            description="Encadrement ou appui. Une personne privée durablement "
                                        "d'emploi s'embauche depuis le registre.")
    job = StringField("Poste", filters=STRIP, validators=[Optional(), max_length(120)])
    started_on = FrenchDateField("Début du contrat", validators=[required_input()])
    weekly_hours = StringField("Heures par semaine", filters=STRIP,
                               validators=[required(), french_hours, HOURS_IN_RANGE])

    @property
    def hours(self) -> Decimal | None:
        return parse_hours(self.weekly_hours.data)


class WorkingTimeForm(FlaskForm):
    effective_on = FrenchDateField("À partir du", validators=[required_input()])
    weekly_hours = StringField("Heures par semaine", filters=STRIP,
                               validators=[required(), french_hours, HOURS_IN_RANGE])

    @property
    def hours(self) -> Decimal | None:
        return parse_hours(self.weekly_hours.data)


class EndForm(FlaskForm):
    ended_on = FrenchDateField("Dernier jour travaillé", validators=[required_input()])
    end_reason = StringField("Motif", filters=STRIP, validators=[required(), max_length(200)],
                             description="Démission, rupture conventionnelle, retraite…")


class RatesForm(FlaskForm):
    year = FrenchIntegerField("Année", validators=[required_input(), *whole_number("Année", 2016, 2100)])
    hourly_minimum_wage = StringField(
        "SMIC horaire brut (€)", filters=STRIP,
        validators=[required(), french_decimal(places=4, example="11,88"),
                    in_range(Decimal(0), Decimal(100), "Un taux horaire en euros, par exemple 11,88.", 4)])
    state_rate = StringField(
        "Part de l'État (% du SMIC)", filters=STRIP,
        validators=[required(), french_decimal(places=3, example="95"),
                    in_range(Decimal(0), Decimal(200), "Un pourcentage entre 0 et 200.", 3)],
        description="Fixée chaque année par arrêté (par exemple 95 %).")
    departement_share = StringField(
        "Part du département (% de la part de l'État)", filters=STRIP,
        validators=[required(), french_decimal(places=3, example="15"),
                    in_range(Decimal(0), Decimal(100), "Un pourcentage entre 0 et 100.", 3,
                             low_included=True)])
    hours_per_year = FrenchIntegerField(
        "Heures d'un temps plein sur l'année", default=1820,
        validators=[required_input(), *whole_number("Durée", 1, 2500)])

    def figures(self) -> dict[str, Decimal | None]:
        return {"hourly_minimum_wage": parse_decimal(self.hourly_minimum_wage.data, places=4),
                "state_rate": parse_decimal(self.state_rate.data, places=3),
                "departement_share": parse_decimal(self.departement_share.data, places=3)}
