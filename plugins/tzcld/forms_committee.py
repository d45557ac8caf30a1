"""Forms of the committee's and the activities' pages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    CheckboxListField,
    ChoiceField,
    FrenchDateField,
    FrenchDateTimeField,
    FrenchIntegerField,
    add_error,
    max_length,
    not_blank,
    required,
    required_input,
    whole_number,
)
from plugins.tzcld.committee import OUTCOME_LABELS, SUBJECT_LABELS
from plugins.tzcld.models import Proposer

NONE = 0  # the "none" line of optional lists
PROPOSER_LABELS = {Proposer.RESIDENT: "Habitant·e", Proposer.PPDE: "Personne privée d'emploi",
                   Proposer.PARTNER: "Partenaire", Proposer.LOCAL_AUTHORITY: "Collectivité"}


def _optional_120() -> list[Any]:
    return [Optional(), max_length(120)]


OPTIONAL_120 = _optional_120()


class MemberForm(FlaskForm):
    person_id = ChoiceField("Personne du collectif", coerce=int,
                            description="Ou laissez « Aucune » et choisissez un contact d'un partenaire, "
                                        "ou indiquez un nom.")
    contact_id = ChoiceField("Contact d'un partenaire (annuaire)", coerce=int)
    name = StringField("Autre personne (nom)", filters=STRIP, validators=OPTIONAL_120)
    partner_id = ChoiceField("Organisation (annuaire)", coerce=int)
    organisation = StringField("Organisation (autre)", filters=STRIP, validators=OPTIONAL_120)
    role = StringField("Rôle au comité", filters=STRIP, validators=[Optional(), max_length(120)])
    reads_decisions = BooleanField("Peut lire les décisions et les chiffres d'ensemble",
                                   description="Jamais les fiches des personnes.")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.person_id.data == NONE and self.contact_id.data == NONE and not self.name.data:
            add_error(self.name, "Choisissez une personne du collectif ou un contact d'un partenaire, "
                                 "ou indiquez un nom.")
            valid = False
        return valid


class MeetingForm(FlaskForm):
    starts_at = FrenchDateTimeField("Début", validators=[required_input()])
    ends_at = FrenchDateTimeField("Fin", validators=[required_input()])
    place = StringField("Lieu", filters=STRIP, validators=[Optional(), max_length(200)])
    agenda = TextAreaField("Ordre du jour", filters=STRIP, validators=[Optional(), max_length(5000)])
    attendees = CheckboxListField("Présents", coerce=int, validators=[Optional()])
    minutes = TextAreaField("Compte rendu", filters=STRIP, validators=[Optional(), max_length(20000)])

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked whatever the other fields say, so that every mistake shows at once.
        valid = super().validate(extra_validators)
        starts, ends = self.starts_at.data, self.ends_at.data
        if starts is not None and ends is not None and ends <= starts and not self.ends_at.errors:
            add_error(self.ends_at, "La fin vient après le début.")
            valid = False
        return valid


class DecisionForm(FlaskForm):
    subject = ChoiceField("Objet", coerce=str,
                          choices=[(s.value, label) for s, label in SUBJECT_LABELS.items()])
    activity_id = ChoiceField("Activité", coerce=int, description="Pour une décision sur une activité utile.")
    title = StringField("Décision", filters=STRIP, validators=[required(), not_blank, max_length(200)])
    outcome = ChoiceField("Sens", coerce=str,
                          choices=[(o.value, label) for o, label in OUTCOME_LABELS.items()])
    reasons = TextAreaField("Motifs", filters=STRIP, validators=[Optional(), max_length(5000)],
                            description="Obligatoires pour un refus.")


class ActivityForm(FlaskForm):
    title = StringField("Activité", filters=STRIP, validators=[required(), not_blank, max_length(200)])
    need = TextAreaField("Besoin non satisfait du territoire", filters=STRIP,
                         validators=[required(), not_blank, max_length(5000)])
    proposer = ChoiceField("Proposée par", coerce=str,
                           choices=[(p.value, label) for p, label in PROPOSER_LABELS.items()])
    proposer_name = StringField("Qui (nom ou structure)", filters=STRIP, validators=OPTIONAL_120)
    proposed_on = FrenchDateField("Proposée le", validators=[required_input()])


class ConsultationForm(FlaskForm):
    consulted = StringField("Entreprise ou réseau consulté", filters=STRIP,
                            validators=[required(), not_blank, max_length(200)])
    consulted_on = FrenchDateField("Consulté le", validators=[required_input()])
    answer = TextAreaField("Réponse", filters=STRIP, validators=[Optional(), max_length(5000)])
    competition = BooleanField("Une concurrence possible est signalée")


class StartForm(FlaskForm):
    started_on = FrenchDateField("Démarrage le", validators=[required_input()])
    jobs = FrenchIntegerField("Emplois que porte l'activité", validators=[required_input(),
                                                                         *whole_number("Nombre", 0, 500)])


class EndActivityForm(FlaskForm):
    ended_on = FrenchDateField("Fin le", validators=[required_input()])
