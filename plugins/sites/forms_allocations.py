"""The allocation form: an occupant, a period, and how to reach the occupant. The period's
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
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    required,
    required_input,
)
from plugins.sites.allocations import AllocationFields
from plugins.sites.forms_sites import NONE


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
    note = TextAreaField("Note", filters=STRIP, validators=[Optional(), max_length(2000)])

    def fields(self) -> AllocationFields:
        person: Any = self.contact_person_id.data
        return AllocationFields(
            occupant=self.occupant.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            contact_person_id=None if person in (None, NONE) else person,
            contact_name=self.contact_name.data or "", contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "", note=self.note.data or "")
