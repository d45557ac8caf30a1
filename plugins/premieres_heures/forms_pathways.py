"""Forms of the pathway pages. Each checks what one field can say on its own; the rules
that need the pathway (dates against its start, the ladder, renewals) are in
``pathways.py`` and come back next to the field they are about."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchDateField,
    FrenchIntegerField,
    add_error,
    max_length,
    not_blank,
    required,
    required_input,
    whole_number,
)
from plugins.premieres_heures.models import PathwayStatus
from plugins.premieres_heures.pathways import (
    DECISION_LABELS,
    DOMAIN_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    SUPPORT_STATUS_LABELS,
)
from plugins.premieres_heures.settings import MAX_WEEKLY_HOURS

NONE = 0  # the choice "none" of optional lists (partner, referent, review)
OTHER_HOURS = 0  # the choice "another number of hours" next to the ladder's rungs


def choices_of(labels: dict[Any, str]) -> list[tuple[str, str]]:
    return [(value.value, label) for value, label in labels.items()]


CHOOSE_PERSON = ("", "Choisir une personne")


def person_choice(value: Any) -> int | None:
    """The person's id; None for the empty first line, so that nobody is chosen by default:
    a browser shows the first option as selected, and a hurried click would open a pathway
    for whoever sorts first."""
    return None if value is None or str(value).strip() == "" else int(value)


class PathwayForm(FlaskForm):
    person_id = ChoiceField("Personne accompagnée", coerce=person_choice)
    orienteur_name = StringField(
        "Orienteur·ice : nom", filters=STRIP, validators=[required(), not_blank, max_length(120)],
        description="La personne qui a orienté et qui suit le parcours (travailleur·se social·e…).")
    orienteur_contact = StringField(
        "Orienteur·ice : téléphone ou e-mail", filters=STRIP, validators=[Optional(), max_length(200)])
    orienteur_partner_id = ChoiceField("Orienteur·ice : structure", coerce=int,
                                       description="Le partenaire pour lequel il ou elle travaille.")
    referent_id = ChoiceField("Référent·e dans l'association", coerce=int)
    host_partner_id = ChoiceField(
        "Structure d'accueil", coerce=int,
        description="Le chantier d'insertion (ACI), l'association intermédiaire ou l'EBE où la "
                    "personne travaille.")
    start_date = FrenchDateField("Début du parcours", validators=[required_input()])
    planned_end = FrenchDateField("Fin prévue", validators=[Optional()])
    status = ChoiceField("Statut", choices=[
        (s.value, STATUS_LABELS[s]) for s in PathwayStatus if s is not PathwayStatus.ENDED],
        description="Un parcours se termine par sa sortie.")

    def validate_planned_end(self, field: Any) -> None:
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError("La fin prévue doit être après le début du parcours.")


class StageForm(FlaskForm):
    effective_date = FrenchDateField("À partir du", validators=[required_input()])
    rung = ChoiceField("Heures par semaine", coerce=int)
    other_hours = FrenchIntegerField(
        "Autre nombre d'heures par semaine",
        validators=whole_number("Heures par semaine", 1, MAX_WEEKLY_HOURS),
        description=f"Seulement si vous avez choisi « Autre » : de 1 à {MAX_WEEKLY_HOURS} heures.")

    def set_ladder(self, ladder: list[int]) -> None:
        self.rung.choices = [(rung, f"{rung} h") for rung in ladder] + [
            (OTHER_HOURS, "Autre nombre d'heures")]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.rung.errors or self.other_hours.errors:
            return valid
        if self.rung.data == OTHER_HOURS and self.other_hours.data is None:
            add_error(self.other_hours, f"Indiquez le nombre d'heures (de 1 à {MAX_WEEKLY_HOURS}), "
                                        "ou choisissez un palier.")
            return False
        if self.rung.data not in (None, OTHER_HOURS) and self.other_hours.data is not None:
            add_error(self.other_hours, "Choisissez « Autre nombre d'heures » pour en indiquer un, "
                                        "ou laissez ce champ vide.")
            return False
        return valid

    @property
    def hours(self) -> int:
        return self.other_hours.data if self.rung.data == OTHER_HOURS else self.rung.data


class ReviewForm(FlaskForm):
    held_on = FrenchDateField("Date du bilan", validators=[required_input()])
    participants = StringField(
        "Participants", filters=STRIP, validators=[required(), not_blank, max_length(300)],
        description="Séparés par des virgules. L'orienteur·ice participe à chaque bilan.")
    observations = TextAreaField("Observations", filters=STRIP,
                                 validators=[Optional(), max_length(5000)])
    decision = ChoiceField("Décision", choices=[("", "Choisissez la décision"),
                                                *choices_of(DECISION_LABELS)])
    new_weekly_hours = FrenchIntegerField(
        "Nouveau nombre d'heures par semaine",
        validators=whole_number("Heures par semaine", 1, MAX_WEEKLY_HOURS),
        description="Pour une augmentation ou une diminution. Vide : le palier suivant ou précédent.")
    next_review_on = FrenchDateField(
        "Prochain bilan", validators=[Optional()],
        description="Vide : selon l'intervalle réglé pour l'association ; aucun si le parcours s'arrête.")


class WaiverForm(FlaskForm):
    starts_on = FrenchDateField("Début de la dérogation", validators=[required_input()],
                                description="Un renouvellement commence le lendemain de la "
                                            "dérogation précédente.")
    ends_on = FrenchDateField("Fin de la dérogation", validators=[required_input()],
                              description="12 mois au plus : par exemple du 1er mars 2026 au "
                                          "28 février 2027.")
    review_id = ChoiceField("Décidée au bilan du", coerce=int,
                            description="Obligatoire pour un renouvellement.")


class SupportForm(FlaskForm):
    domain = ChoiceField("Domaine", choices=choices_of(DOMAIN_LABELS))
    description = StringField("Action", filters=STRIP,
                              validators=[required(), not_blank, max_length(300)],
                              description="Par exemple : dossier de domiciliation au CCAS.")
    status = ChoiceField("État", choices=choices_of(SUPPORT_STATUS_LABELS))
    opened_on = FrenchDateField("Ouverte le", validators=[required_input()])
    closed_on = FrenchDateField("Close le", validators=[Optional()],
                                description="Pour une action faite ou abandonnée ; vide : aujourd'hui.")


class ExitForm(FlaskForm):
    exit_date = FrenchDateField("Date de sortie", validators=[required_input()])
    exit_outcome = ChoiceField("Sortie vers", choices=[("", "Choisissez la sortie"),
                                                       *choices_of(OUTCOME_LABELS)])
    exit_note = TextAreaField("Précisions", filters=STRIP, validators=[Optional(), max_length(2000)])
