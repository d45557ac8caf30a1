"""The reservation form of a shared room, quick to fill on a phone: a day, a start and an end
time (Paris time), what for, and the occupant of the site it is for, if any. The rules of a
reservation (opening hours, the longest one, no overlap) are in ``rooms.py`` and come back
next to the field they are about. Also the clock fields of the settings (``settings.py``)."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TimeInput

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchDateField,
    max_length,
    not_blank,
    required,
    required_input,
)
from plugins.sites.forms_sites import NONE
from plugins.sites.rooms import ReservationFields, parse_clock


class ClockField(Field):
    """A time of day (``<input type="time">``: a phone shows its picker), also read as typed
    where a browser shows a plain text box: « 8 h », « 8h30 », « 08:00 »."""

    widget = TimeInput()

    def _value(self) -> str:
        if self.data is not None and not self.process_errors:
            return str(self.data.strftime("%H:%M"))
        return str(self.raw_data[0]) if self.raw_data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_clock(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise


class ReservationForm(FlaskForm):
    day = FrenchDateField("Jour", validators=[required_input()])
    start = ClockField("Début", validators=[required_input()],
                       description="Heure de Paris, par exemple 10:00.")
    end = ClockField("Fin", validators=[required_input()], description="Le même jour, par exemple 12:00.")
    purpose = StringField("Objet", filters=STRIP,
                          validators=[required(), not_blank, max_length(150)],
                          description=("Visible des membres de l'association dans l'agenda, par exemple "
                                       "« Réunion du bureau »."))
    allocation_id = ChoiceField("Pour l'occupant", coerce=int,
                                description="Si la salle est réservée pour un occupant du site.")

    def fields(self) -> ReservationFields:
        start: time = self.start.data
        end: time = self.end.data
        occupant: Any = self.allocation_id.data
        return ReservationFields(day=self.day.data, start=start, end=end, purpose=self.purpose.data,
                                 allocation_id=None if occupant in (None, NONE) else occupant)


# --- the settings' opening hours --------------------------------------------------------------


def as_clock(value: Any) -> Any:
    """A filter: a time typed « 8 h » or « 8:30 » kept as « 08:00 », « 08:30 »; anything else
    as it was typed, for ``clock_time`` to refuse and the form to show back."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return parse_clock(value).strftime("%H:%M")
    except ValueError:
        return value


def clock_time(_form: Any, field: Any) -> None:
    """A validator: the text is a time of day."""
    try:
        parse_clock(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None
