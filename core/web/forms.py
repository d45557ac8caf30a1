"""Form helpers shared by every part of the core: French messages, cleaning, status."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.agenda.clock import PARIS
from core.database import session
from core.web.params import OUT_OF_CALENDAR, in_calendar
from core.web.text import fold

REQUIRED_MESSAGE = "Ce champ est obligatoire."
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .\-]{5,24}$")

# Validation failed: the form comes back with the user's input and the messages.
INVALID_FORM_STATUS = 422


def required() -> DataRequired:
    return DataRequired(message=REQUIRED_MESSAGE)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"{limit} caractères au maximum.")


def email_address() -> list[Any]:
    return [
        max_length(254),
        Email(message="Adresse e-mail invalide (exemple : prenom.nom@exemple.org).",
              check_deliverability=False),
    ]


def optional_email() -> list[Any]:
    return [Optional(), *email_address()]


def optional_phone() -> list[Any]:
    return [
        Optional(),
        max_length(30),
        Regexp(PHONE_PATTERN, message="Numéro de téléphone invalide (exemple : 06 12 34 56 78)."),
    ]


def optional_url() -> list[Any]:
    return [
        Optional(),
        max_length(300),
        Regexp(r"^https?://[^\s]+$", message="Adresse web invalide (elle commence par https://)."),
    ]


# Characters that show nothing and only mislead: zero-width spaces and the byte-order mark
# (a name made of them looks typed and is empty), and the bidirectional overrides and isolates
# (« \u202eexe.pdf » reads « fdp.exe »). Joiners stay: emoji and some scripts need them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"
                                   "\u2066\u2067\u2068\u2069"))


def strip(value: Any) -> Any:
    """Text as typed, without surrounding blanks nor invisible characters."""
    return value.translate(_INVISIBLE).strip() if isinstance(value, str) else value


STRIP = [strip]


def not_blank(_form: FlaskForm, field: Field) -> None:
    if isinstance(field.data, str) and not field.data.strip():
        raise ValidationError(REQUIRED_MESSAGE)


def add_error(field: Field, message: str) -> None:
    """Attach an error found after validation (a duplicate, say) to its field."""
    field.errors = [*field.errors, message]


def name_taken(column: InstrumentedAttribute[str], value: str,
               *criteria: ColumnElement[bool]) -> bool:
    """Whether a row matching ``criteria`` already bears this name, ignoring case and accents.

    Compared in Python with fold(): SQLite's lower() only folds ASCII letters, so a SQL
    check would let "ÉCOLE" in next to "école" there, and not on PostgreSQL.
    """
    wanted = fold(value)
    return any(fold(name) == wanted for name in session.scalars(select(column).where(*criteria)))


# --- Fields with French messages (also offered to plugins through core.plugin_api) --------

INVALID_CHOICE = "Ce choix n'est pas possible : choisissez dans la liste."
INVALID_CHOICES = "Une des cases cochées n'est pas possible : cochez dans la liste."


def options(choices: Any) -> Any:
    """Choices as WTForms wants them from 3.3 on (``SelectChoice``): the ``(value, label)``
    pairs the forms and views write are converted, so none of them needs to know."""
    if choices is None or callable(choices) or isinstance(choices, dict):
        return choices
    return [SelectChoice(*choice) if isinstance(choice, tuple) else choice for choice in choices]


class _Options:
    """Takes ``choices`` as pairs where a form declares them (WTForms 3.3 warns there; the
    choices a view sets later are read as they are)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "choices" in kwargs:
            kwargs["choices"] = options(kwargs["choices"])
        super().__init__(*args, **kwargs)


class CheckboxListField(_Options, SelectMultipleField):
    """Several choices as checkboxes; a value not offered (typed by hand) is refused."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", INVALID_CHOICES)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(*args, **kwargs)


class ChoiceField(_Options, SelectField):
    """A required drop-down list with one clear French message: left empty, or not a choice.

    A plain SelectField answers an empty value with "could not coerce" or "not a valid
    choice", which tells the user nothing about what to do.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", INVALID_CHOICE)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)
        self.flags.required = True

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(REQUIRED_MESSAGE)
        super().pre_validate(form)


DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_MESSAGE = "Date et heure invalides (exemple : 12/03/2026 14:00)."
MISSING_HOUR_MESSAGE = ("Cette heure n'existe pas ce jour-là : au passage à l'heure d'été, les "
                        "horloges passent de 2 h à 3 h. Choisissez une heure avant 2 h ou après 3 h.")


class ConsentField(BooleanField):
    """A checkbox whose ticking is a person's consent: only the value the page's checkbox
    sends (« y ») counts. WTForms' BooleanField takes any value but « false » and the empty
    one as a yes, so « 0 », « no » or « off » sent by a script would record a consent nobody
    gave. Unticked, the form is refused with ``message``."""

    def __init__(self, label: str, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.refusal = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = bool(valuelist) and valuelist[0] == "y"

    def pre_validate(self, form: Any) -> None:
        if self.data is not True:
            raise StopValidation(self.refusal)


def exists_in_paris(local: datetime) -> bool:
    """Whether a wall-clock time is ever shown by clocks in Paris: the hour skipped when summer
    time starts (2:00 to 2:59 on the last Sunday of March) is not, and would be stored as the
    hour after it."""
    there_and_back = local.replace(tzinfo=PARIS).astimezone(UTC).astimezone(PARIS)
    return there_and_back.replace(tzinfo=None) == local


class TypedRequired(InputRequired):
    """Required, judged on what was typed (blanks count as nothing), so that a mistyped
    date keeps its own message instead of "required"."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.raw_data and str(field.raw_data[0]).strip():
            return
        field.errors[:] = []
        raise StopValidation(self.message)


def required_input() -> TypedRequired:
    return TypedRequired(message=REQUIRED_MESSAGE)


class _InRange(NumberRange):
    """A range check that stays quiet when the value could not be read: the field already
    says "a whole number is expected", one message is enough."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            return
        super().__call__(form, field)


def whole_number(label: str, minimum: int, maximum: int) -> list[Any]:
    return [Optional(), _InRange(min=minimum, max=maximum,
                                 message=f"{label} : un nombre entre {minimum} et {maximum}.")]


# Digits 0-9, grouped by spaces as French writes them (« 1 820 »): int() alone would also take
# « 1_820 », Arabic-Indic or full-width digits, and thousands of digits.
INTEGER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
DIGIT_GROUPING = re.compile("[ \u00a0\u202f]")


class FrenchIntegerField(IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = DIGIT_GROUPING.sub("", str(valuelist[0]).strip())
        if not INTEGER.fullmatch(text):
            self.data = None
            raise ValueError("Un nombre entier est attendu (exemple : 12).")
        self.data = int(text)


DATE_MESSAGE = "Date invalide (exemple : 30/06/2026)."
# The browser's date pickers send ISO dates; where a browser shows a plain text box, people
# type the date the French way, as the messages' examples show it. The first is rendered.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = [DATETIME_FORMAT, "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


def _as_the_picker_wants(field: Any) -> str:
    """A date read from either format is shown back in the first (ISO): a browser's date
    picker shows nothing for « 30/06/2026 »; what could not be read is shown as typed."""
    if field.data is not None and not field.process_errors:
        return str(field.data.strftime(field.format[0]))
    return str(field.raw_data[0]) if field.raw_data else ""


def _check_in_calendar(field: Field, day: date | None) -> None:
    if day is not None and not in_calendar(day):
        field.data = None
        raise ValueError(OUT_OF_CALENDAR)


class FrenchDateTimeField(DateTimeLocalField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATETIME_FORMATS)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATETIME_MESSAGE) from None
        _check_in_calendar(self, self.data.date() if self.data else None)
        if self.data is not None and not exists_in_paris(self.data):
            self.data = None
            raise ValueError(MISSING_HOUR_MESSAGE)

    def _value(self) -> str:
        return _as_the_picker_wants(self)


class FrenchDateField(DateField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATE_FORMATS)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None
        _check_in_calendar(self, self.data)

    def _value(self) -> str:
        return _as_the_picker_wants(self)
