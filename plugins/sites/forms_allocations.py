"""The allocation form: an occupant, a period, how to reach the occupant, its field and the
jobs it declares on the site (the funder's indicators). The period's
rules (inside the site's availability, no overlap on the lot) are in ``allocations.py`` and
come back next to the field they are about."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchDateField,
    FrenchIntegerField,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    required,
    required_input,
    whole_number,
)
from plugins.sites.allocations import AllocationFields
from plugins.sites.forms_sites import NONE
from plugins.sites.labels import FIELD_LABELS
from plugins.sites.models_calls import Field

NO_FIELD = "aucun"  # the field list's first line (not "": a required list refuses it)
MOST_JOBS = 500


class AllocationForm(FlaskForm):
    occupant = StringField("Occupant", filters=STRIP, validators=[required(), not_blank, max_length(150)],
                           description="La structure ou le projet qui occupe le lot.")
    starts_on = FrenchDateField("Du", validators=[required_input()])
    ends_on = FrenchDateField("Au", validators=[required_input()], description="Dernier jour d'occupation.")
    contact_person_id = ChoiceField(
        "Personne référente", coerce=int,
        description="Si le contact de l'occupant est une personne de l'association.")
    contact_name = StringField("Contact de l'occupant", filters=STRIP,
                               validators=[Optional(), max_length(120)])
    contact_email = StringField("E-mail du contact", filters=STRIP, validators=optional_email())
    contact_phone = StringField("Téléphone du contact", filters=STRIP, validators=optional_phone())
    field = ChoiceField("Domaine", coerce=str, default=NO_FIELD,
                        choices=[(NO_FIELD, "Non renseigné"),
                                 *((f.value, label) for f, label in FIELD_LABELS.items())])
    jobs = FrenchIntegerField("Emplois déclarés sur le site",
                              validators=whole_number("Emplois déclarés sur le site", 0, MOST_JOBS),
                              render_kw={"min": 0, "max": MOST_JOBS, "inputmode": "numeric"},
                              description="Ceux de l'occupant sur le site ; 0 ou vide s'il n'en déclare pas.")
    note = TextAreaField("Note", filters=STRIP, validators=[Optional(), max_length(2000)])

    def fields(self, application_id: int | None = None) -> AllocationFields:
        person: Any = self.contact_person_id.data
        field = self.field.data
        return AllocationFields(
            occupant=self.occupant.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            contact_person_id=None if person in (None, NONE) else person,
            contact_name=self.contact_name.data or "", contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "", note=self.note.data or "",
            field=None if field in (None, NO_FIELD) else Field(field), jobs=self.jobs.data or 0,
            application_id=application_id)
