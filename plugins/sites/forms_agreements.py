"""The agreement form: amounts typed the French way (« 1 250,50 »), the period, the insurance
and the two files, judged on their content by the core's ``UploadField``. The rule between
the agreement and its allocation (inside its period) is ``agreements.check_period``'s and
comes back next to the field it is about."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    FrenchDateField,
    UploadField,
    french_decimal,
    max_length,
    parse_decimal,
    required_input,
)
from plugins.sites.agreements import AgreementFields
from plugins.sites.forms_sites import LARGEST_AMOUNT

INSURANCE_KINDS = ("pdf", "jpeg", "png")
SIGNED_KINDS = ("pdf",)
FILE_MAX = 5 * 1024 * 1024  # « 5 Mo au plus »
EXAMPLE = "1 250,50"


def _amount(label: str, *, required: bool = False, description: str | None = None) -> StringField:
    first = required_input() if required else Optional()
    return StringField(label, filters=STRIP, description=description,
                       validators=[first, french_decimal(example=EXAMPLE, largest=LARGEST_AMOUNT)])


class AgreementForm(FlaskForm):
    fee = _amount("Redevance mensuelle (€)", required=True,
                  description="Proposée : la redevance du lot par m² × sa surface.")
    charges = _amount("Charges mensuelles (€)", description="0 ou vide si elles sont comprises.")
    deposit = _amount("Dépôt de garantie (€)", description="Vide s'il n'y en a pas.")
    starts_on = FrenchDateField("Du", validators=[required_input()],
                                description="Dans la période de l'attribution.")
    ends_on = FrenchDateField("Au", validators=[required_input()],
                              description="Dernier jour de la convention.")
    insurer = StringField("Assureur de l'occupant", filters=STRIP, validators=[Optional(), max_length(150)])
    insurance_expires_on = FrenchDateField("Assurance valable jusqu'au", validators=[Optional()],
                                           description="La date de fin portée sur l'attestation.")
    insurance = UploadField("Attestation d'assurance", kinds=INSURANCE_KINDS, max_bytes=FILE_MAX,
                            description="PDF, JPEG ou PNG, 5 Mo au plus. Remplace l'attestation enregistrée.")
    signed_on = FrenchDateField("Signée le", validators=[Optional()])
    signed = UploadField("Convention signée", kinds=SIGNED_KINDS, max_bytes=FILE_MAX,
                         description="Le scan en PDF, 5 Mo au plus. Remplace l'exemplaire enregistré.")
    terms = TextAreaField("Clauses particulières", filters=STRIP, validators=[Optional(), max_length(5000)],
                          description="Usages permis, horaires, travaux à la charge de l'occupant…")

    def _decimal(self, text: str | None) -> Decimal:
        return parse_decimal(text, example=EXAMPLE, largest=LARGEST_AMOUNT) or Decimal(0)

    def fields(self) -> AgreementFields:
        return AgreementFields(
            fee=self._decimal(self.fee.data), charges=self._decimal(self.charges.data),
            deposit=self._decimal(self.deposit.data), starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            insurer=self.insurer.data or "", insurance_expires_on=self.insurance_expires_on.data,
            signed_on=self.signed_on.data, terms=self.terms.data or "")
