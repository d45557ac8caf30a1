from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, TelField, URLField
from wtforms.validators import Optional, Regexp, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from core.members.roles import Role
from core.web.forms import (
    REQUIRED_MESSAGE,
    STRIP,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    optional_url,
    required,
)

INVALID_CHOICE = "Ce choix n'est pas possible : choisissez dans la liste."
INVALID_CHOICES = "Une des cases cochées n'est pas possible : cochez dans la liste."


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes; a value not offered (typed by hand) is refused."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", INVALID_CHOICES)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(*args, **kwargs)


class ChoiceField(SelectField):
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


class AssociationForm(FlaskForm):
    name = StringField("Nom", filters=STRIP, validators=[required(), not_blank, max_length(150)])
    short_name = StringField(
        "Nom court ou sigle",
        filters=STRIP,
        validators=[required(), not_blank, max_length(40)],
        description="Utilisé dans les listes et l'adresse de la page (exemple : ASFM).",
    )
    email = EmailField("E-mail de contact", filters=STRIP, validators=optional_email())
    phone = TelField("Téléphone", filters=STRIP, validators=optional_phone())
    address = StringField("Adresse", filters=STRIP, validators=[Optional(), max_length(300)])
    website = URLField("Site web", filters=STRIP, validators=optional_url())
    neighbourhoods = CheckboxListField("Quartiers desservis", coerce=int, validate_choice=True)


class PersonForm(FlaskForm):
    first_name = StringField("Prénom", filters=STRIP,
                             validators=[required(), not_blank, max_length(80)])
    last_name = StringField("Nom", filters=STRIP,
                            validators=[required(), not_blank, max_length(80)])
    email = EmailField(
        "E-mail",
        filters=STRIP,
        validators=optional_email(),
        description="Facultatif. Nécessaire pour ouvrir un accès à l'intranet.",
    )
    phone = TelField("Téléphone", filters=STRIP, validators=optional_phone())


ROLE_CHOICES = [(role.value, role.label) for role in Role]


class MembershipForm(FlaskForm):
    association_id = ChoiceField("Association", coerce=int)
    role = ChoiceField("Rôle", choices=ROLE_CHOICES)


class NewPersonForm(PersonForm, MembershipForm):
    pass


class NeighbourhoodForm(FlaskForm):
    name = StringField("Nom du quartier", filters=STRIP,
                       validators=[required(), not_blank, max_length(120)])
    city = StringField("Commune", filters=STRIP, validators=[Optional(), max_length(120)])
    qpv_code = StringField(
        "Code QPV",
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[
            Optional(),
            max_length(20),
            Regexp(r"^Q[A-Z0-9]{4,19}$", message="Code QPV invalide (exemple : QN09301M)."),
        ],
        description="Facultatif, si le quartier est un quartier prioritaire.",
    )
