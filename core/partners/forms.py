from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField, TextAreaField, URLField
from wtforms.validators import Optional

from core.partners.vocabulary import Barrier, PartnerKind
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


class PartnerForm(FlaskForm):
    name = StringField("Nom", filters=STRIP, validators=[required(), not_blank, max_length(150)])
    kind = ChoiceField("Type de partenaire", choices=[(k.value, k.label) for k in PartnerKind])
    description = TextAreaField("Présentation", filters=STRIP,
                                validators=[Optional(), max_length(2000)])
    email = EmailField("E-mail", filters=STRIP, validators=optional_email())
    phone = TelField("Téléphone", filters=STRIP, validators=optional_phone())
    address = StringField("Adresse", filters=STRIP, validators=[Optional(), max_length(300)])
    website = URLField("Site web", filters=STRIP, validators=optional_url())
    neighbourhoods = CheckboxListField("Quartiers couverts", coerce=int, validate_choice=True)
    associations = CheckboxListField(
        "Associations qui travaillent avec ce partenaire", coerce=int, validate_choice=True
    )


class ContactForm(FlaskForm):
    first_name = StringField("Prénom", filters=STRIP,
                             validators=[required(), not_blank, max_length(80)])
    last_name = StringField("Nom", filters=STRIP,
                            validators=[required(), not_blank, max_length(80)])
    job_title = StringField("Fonction", filters=STRIP, validators=[Optional(), max_length(120)])
    email = EmailField("E-mail professionnel", filters=STRIP, validators=optional_email())
    phone = TelField("Téléphone professionnel", filters=STRIP, validators=optional_phone())


class ServiceForm(FlaskForm):
    name = StringField("Nom du service", filters=STRIP,
                       validators=[required(), not_blank, max_length(150)])
    description = TextAreaField("Description", filters=STRIP,
                                validators=[Optional(), max_length(2000)])
    barriers = CheckboxListField("Freins levés", choices=[(b.value, b.label) for b in Barrier],
                                 validate_choice=True)
