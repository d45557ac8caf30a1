"""The referral's forms: the association's « Orienter vers un partenaire », and the
partner's answer (accept with a date, or refuse with a reason)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, TextAreaField
from wtforms.validators import Optional

from core.partners.vocabulary import Barrier
from core.referrals.engine import REASON_MAX, REFUSAL_MAX
from core.web.forms import (
    STRIP,
    CheckboxListField,
    ChoiceField,
    FrenchDateField,
    max_length,
    not_blank,
    optional_email,
    required,
)

ACCEPT, REFUSE = "accepter", "refuser"


class ReferralForm(FlaskForm):
    # Choices are "<partner id>" or "<partner id>:<service id>", set by the view.
    target = ChoiceField("Partenaire et service")
    reason = TextAreaField("Motif de l'orientation", filters=STRIP,
                           description="Ce que vous demandez au partenaire. Le partenaire le lira : "
                                       "n'y mettez que ce qui lui est utile.",
                           validators=[required(), not_blank, max_length(REASON_MAX)])
    barriers = CheckboxListField("Freins visés", choices=[(b.value, b.label) for b in Barrier],
                                 validate_choice=True)
    recipient_email = EmailField(
        "Envoyer à (e-mail)", filters=STRIP, validators=optional_email(),
        description="Laissez vide pour l'adresse du partenaire dans l'annuaire, ou à défaut "
                    "celle de son premier contact qui en a une.")


class AnswerForm(FlaskForm):
    decision = HiddenField()
    appointment_on = FrenchDateField("Date du rendez-vous", validators=[Optional()])
    refusal_reason = TextAreaField("Raison du refus", filters=STRIP,
                                   validators=[Optional(), max_length(REFUSAL_MAX)])


class WithdrawForm(FlaskForm):
    note = TextAreaField("Pourquoi (facultatif)", filters=STRIP,
                         validators=[Optional(), max_length(REFUSAL_MAX)])
