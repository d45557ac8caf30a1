"""Forms of the register's pages. Each checks what one field can say on its own; the
pipeline's rules (which step may follow which, dates in order, eligibility) are in
``register.py`` and come back next to the field they are about."""

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
    add_error,
    max_length,
    paris_today,
    parse_decimal,
    required,
    required_input,
)
from plugins.tzcld.models import ExitReason, PpdeStatus
from plugins.tzcld.register import EXIT_LABELS, STATUS_LABELS

CHOOSE = ("", "Choisir")
NO_REASON = "aucun"  # the motive's first line: a step that is not an exit has none


def person_choice(value: Any) -> int | None:
    """The person's id; None for the empty first line, so that nobody is chosen by default."""
    return None if value is None or str(value).strip() == "" else int(value)


def optional_enum(kind: type[Any]) -> Any:
    def coerce(value: Any) -> Any:
        if value is None or value == "" or isinstance(value, kind):
            return value or None
        return kind(value)
    return coerce


def parse_hours(text: str | None) -> Decimal | None:
    try:
        return parse_decimal(text, example="24")
    except ValueError:
        raise ValueError("Un nombre d'heures, par exemple 24 ou 17,5.") from None


def french_hours(_form: FlaskForm, field: Any) -> None:
    try:
        parse_hours(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class PpdeForm(FlaskForm):
    person_id = ChoiceField("Personne", coerce=person_choice, validators=[required()])
    identified_on = FrenchDateField(
        "Repérée le", validators=[required_input()],
        description="Aujourd'hui, ou plus tôt pour reprendre un registre tenu ailleurs : les étapes "
                    "suivantes se datent après.")
    without_work_since = FrenchDateField(
        "Sans emploi depuis le", validators=[Optional()],
        description="Le lendemain du dernier jour travaillé.")
    resident_since = FrenchDateField("Réside sur le territoire depuis le", validators=[Optional()])
    consent_on = FrenchDateField(
        "Volontaire depuis le", validators=[Optional()],
        description="Le jour où la personne a dit vouloir entrer dans l'expérimentation.")

    def validate(self, extra_validators: Any = None) -> bool:
        # Facts are what happened: none of these days lies ahead.
        valid = super().validate(extra_validators)
        today = paris_today()
        for field in (self.without_work_since, self.resident_since, self.consent_on,
                      getattr(self, "identified_on", None)):
            if field is not None and field.data is not None and field.data > today:
                add_error(field, "Cette date ne peut pas être dans le futur.")
                valid = False
        return valid


class MoveForm(FlaskForm):
    status = ChoiceField("Nouvelle étape", coerce=optional_enum(PpdeStatus), validators=[required()])
    on = FrenchDateField("Le", validators=[required_input()])
    exit_reason = ChoiceField("Motif de sortie", coerce=str, default=NO_REASON,
                              choices=[(NO_REASON, "—"), *((r.value, label)
                                                           for r, label in EXIT_LABELS.items())],
                              description="Pour une sortie.")
    weekly_hours = StringField("Temps de travail choisi (heures par semaine)", filters=STRIP,
                               validators=[Optional(), french_hours], description="Pour une embauche.")
    note = StringField("Note", filters=STRIP, validators=[Optional(), max_length(300)])

    @property
    def hours(self) -> Decimal | None:
        return parse_hours(self.weekly_hours.data)  # checked by the field's validator

    @property
    def reason(self) -> ExitReason | None:
        return None if self.exit_reason.data in (None, NO_REASON) else ExitReason(self.exit_reason.data)

    def offer(self, following: tuple[PpdeStatus, ...]) -> None:
        """The steps that may follow the person's current one."""
        self.status.choices = [CHOOSE, *((s.value, STATUS_LABELS[s]) for s in following)]
