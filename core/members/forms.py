from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, URLField
from wtforms.validators import Optional, Regexp

from core.members.roles import Role
from core.web.forms import (
    STRIP,
    CheckboxListField,
    ChoiceField,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    optional_url,
    required,
)


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
    # Shown only once a likely duplicate was found (see person_create).
    confirm_duplicate = BooleanField("Créer quand même")


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
