"""Forms of owners, sites and lots. Areas and amounts are typed the French way (« 12,5 »,
« 1 250 »); each field says what is wrong with it, and the rules between fields come back
next to the field they are about."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchDateField,
    add_error,
    french_decimal,
    max_length,
    not_blank,
    parse_decimal,
    required,
    required_input,
)
from plugins.sites.occupancy import KIND_LABELS

NONE = 0  # the first line of an optional list: nothing chosen
LARGEST_AREA = Decimal(10) ** 7  # m²: ten square kilometres, far above any site
LARGEST_AMOUNT = Decimal(10) ** 7  # euros a month


class OwnerForm(FlaskForm):
    partner_id = ChoiceField("Partenaire de l'annuaire", coerce=int,
                             description="La ville, le bailleur… s'il est dans l'annuaire des partenaires.")
    name = StringField("Nom", filters=STRIP, validators=[Optional(), max_length(150)],
                       description="Pour un propriétaire qui n'est pas dans l'annuaire.")
    contact = StringField("Contact", filters=STRIP, validators=[Optional(), max_length(200)],
                          description="Un service, un numéro, une adresse e-mail.")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.partner_id.data == NONE and not self.name.data:
            add_error(self.name, "Choisissez un partenaire de l'annuaire ou indiquez un nom.")
            valid = False
        return valid


class SiteForm(FlaskForm):
    name = StringField("Nom du site", filters=STRIP, validators=[required(), not_blank, max_length(150)])
    owner_id = ChoiceField("Propriétaire", coerce=int)
    address = StringField("Adresse", filters=STRIP, validators=[required(), not_blank, max_length(250)])
    neighbourhood_id = ChoiceField("Quartier", coerce=int)
    total_area = StringField("Surface totale (m²)", filters=STRIP,
                             validators=[required(), french_decimal(example="1 250", largest=LARGEST_AREA,
                                                                    positive=True)])
    available_from = FrenchDateField("Disponible à partir du", validators=[required_input()])
    available_until = FrenchDateField("Disponible jusqu'au", validators=[required_input()],
                                      description="Le dernier jour du prêt du site.")
    constraints = TextAreaField("Contraintes", filters=STRIP, validators=[Optional(), max_length(2000)],
                                description="Sécurité, usages interdits, travaux prévus…")
    access_notes = TextAreaField("Accès", filters=STRIP, validators=[Optional(), max_length(2000)],
                                 description="Clés, badges, horaires, stationnement.")

    @property
    def area(self) -> Decimal | None:
        return parse_decimal(self.total_area.data, example="1 250", largest=LARGEST_AREA)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.available_from.data, self.available_until.data
        if start and end and end <= start and not self.available_until.errors:
            add_error(self.available_until, "La fin de la disponibilité doit suivre son début.")
            valid = False
        return valid


class LotForm(FlaskForm):
    code = StringField("Code du lot", filters=[*STRIP, lambda v: v.upper() if isinstance(v, str) else v],
                       validators=[required(), not_blank, max_length(20)],
                       description="Comme le site le nomme : A1, RDC-3… Un seul lot par code sur le site.")
    kind = ChoiceField("Type d'espace", coerce=str,
                       choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    area = StringField("Surface (m²)", filters=STRIP,
                       validators=[required(), french_decimal(example="24,5", largest=LARGEST_AREA,
                                                              positive=True)])
    fee_per_m2 = StringField("Redevance mensuelle par m² (€)", filters=STRIP,
                             validators=[required_input(), french_decimal(example="8,50",
                                                                          largest=LARGEST_AMOUNT)])
    charges = StringField("Charges mensuelles du lot (€)", filters=STRIP,
                          validators=[Optional(), french_decimal(example="45", largest=LARGEST_AMOUNT)],
                          description="Eau, électricité, chauffage… 0 si comprises.")
    accessible = BooleanField("Accessible aux personnes à mobilité réduite")
    accessibility = StringField("Précisions sur l'accès", filters=STRIP,
                                validators=[Optional(), max_length(200)],
                                description="Rampe, ascenseur, largeur des portes…")

    def amounts(self) -> dict[str, Decimal]:
        return {"area": parse_decimal(self.area.data, example="24,5", largest=LARGEST_AREA) or Decimal(0),
                "fee_per_m2": parse_decimal(self.fee_per_m2.data, example="8,50",
                                            largest=LARGEST_AMOUNT) or Decimal(0),
                "charges": parse_decimal(self.charges.data, example="45", largest=LARGEST_AMOUNT)
                or Decimal(0)}

