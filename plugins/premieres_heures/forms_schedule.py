"""Forms of the weekly schedule. Quick to fill on a phone: a day, a start and an end time
(Paris time), then who supervises and what the work is, both optional."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TimeField
from wtforms.validators import Optional, ValidationError

from core.plugin_api import STRIP, FrenchDateField, max_length, required_input
from plugins.premieres_heures.schedule import SessionFields

TIME_MESSAGE = "Heure invalide (exemple : 09:30)."
END_BEFORE_START = "La fin doit être après le début."
# What a browser without a time picker lets people type: 9:30, 09:30, 9h30, 9 h, 14h.
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*$")


class FrenchTimeField(TimeField):
    """A time of day (``<input type="time">``) with a French message; also reads « 9h30 »."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        found = _TIME.match(str(valuelist[0]))
        hour = int(found.group(1)) if found else -1
        minute = int(found.group(2) or 0) if found else -1
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            self.data = None
            raise ValueError(TIME_MESSAGE)
        self.data = time(hour, minute)


class SessionForm(FlaskForm):
    day = FrenchDateField("Date", validators=[required_input()])
    start = FrenchTimeField("Début", validators=[required_input()],
                            description="Heure de Paris, par exemple 09:00.")
    end = FrenchTimeField("Fin", validators=[required_input()],
                          description="Le même jour, par exemple 12:00.")
    supervisor = StringField("Encadrant·e", filters=STRIP, validators=[Optional(), max_length(120)])
    task = StringField("Tâche", filters=STRIP, validators=[Optional(), max_length(200)],
                       description="Par exemple : tri des dons, espaces verts.")

    def validate_end(self, field: Any) -> None:
        if field.data is not None and self.start.data is not None and field.data <= self.start.data:
            raise ValidationError(END_BEFORE_START)

    def fields_typed(self) -> SessionFields:
        return SessionFields(day=self.day.data, start=self.start.data, end=self.end.data,
                             supervisor=self.supervisor.data or "", task=self.task.data or "")
