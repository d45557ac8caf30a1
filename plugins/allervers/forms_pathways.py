"""Forms of the engagement and pathway pages. Each checks what one field can say on its
own; the rules that need the pathway (dates against its start, the next stage) are in
``pathways.py`` and come back next to the field they are about."""

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
    FrenchIntegerField,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    required,
    required_input,
    whole_number,
)
from plugins.allervers.pathways import BARRIER_STATUS_LABELS, OUTCOME_LABELS

NONE = 0  # the choice "none" of optional lists (partner, neighbourhood)


def choices_of(labels: dict[Any, str]) -> list[tuple[str, str]]:
    return [(value.value, label) for value, label in labels.items()]


def chosen_id(value: Any) -> int | None:
    """An id from a list whose first line is empty, so that nobody is chosen by default."""
    return None if value is None or str(value).strip() == "" else int(value)


def start_fields() -> tuple[Any, Any, Any]:
    """What every pathway starts with — its referent, its first day, the partner of its first
    stage — declared where each form wants them (WTForms shows fields in declaration order)."""
    return (
        ChoiceField("Personne référente", coerce=chosen_id,
                    description="La seule personne référente de la personne accompagnée."),
        FrenchDateField("Début du parcours", validators=[required_input()]),
        ChoiceField("Partenaire de la première étape", coerce=int,
                    description="La structure qui porte cette étape, si ce n'est pas l'association."),
    )


class EngageForm(FlaskForm):
    last_name = StringField("Nom", filters=STRIP, validators=[required(), not_blank, max_length(80)],
                            description="Obligatoire à cette étape : la personne a accepté d'être "
                                        "accompagnée.")
    first_name = StringField("Prénom", filters=STRIP,
                             validators=[required(), not_blank, max_length(80)])
    email = StringField("E-mail", filters=STRIP, validators=optional_email())
    phone = StringField("Téléphone", filters=STRIP, validators=optional_phone())
    referent_id, started_on, stage_partner_id = start_fields()


class PathwayForm(FlaskForm):
    """A pathway for a person the association already supports, met without an outreach
    action's contact."""

    person_id = ChoiceField("Personne accompagnée", coerce=chosen_id)
    first_contact_on = FrenchDateField("Date du premier contact", validators=[required_input()])
    age_at_first_contact = FrenchIntegerField(
        "Âge au premier contact", validators=whole_number("Âge", 10, 99),
        description="Tel que dit par la personne ; aucune date de naissance n'est demandée.")
    neighbourhood_id = ChoiceField("Quartier du premier contact", coerce=int)
    referent_id, started_on, stage_partner_id = start_fields()


class NextStageForm(FlaskForm):
    on = FrenchDateField("Passage à l'étape suivante le", validators=[required_input()],
                         description="L'étape en cours se termine ce jour-là.")
    partner_id = ChoiceField("Partenaire de l'étape", coerce=int)


class BarrierForm(FlaskForm):
    barrier = ChoiceField("Frein")
    status = ChoiceField("Où il en est", choices=choices_of(BARRIER_STATUS_LABELS))
    on = FrenchDateField("Depuis le", validators=[required_input()])


class ActionForm(FlaskForm):
    done_on = FrenchDateField("Date", validators=[required_input()])
    description = TextAreaField("Action", filters=STRIP,
                                validators=[required(), not_blank, max_length(2000)],
                                description="Par exemple : rendez-vous à la Mission Locale, "
                                            "atelier CV.")
    partner_id = ChoiceField("Partenaire", coerce=int)
    orient = BooleanField(
        "Orienter la personne vers ce partenaire",
        description="Une orientation : le partenaire reçoit la demande par e-mail et y répond par "
                    "un lien, sans compte. L'action en est le motif.")
    service_id = ChoiceField("Service du partenaire", coerce=int, default=NONE)
    barriers = CheckboxListField("Freins visés par l'orientation")
    recipient_email = StringField(
        "E-mail du destinataire", filters=STRIP, validators=optional_email(),
        description="Vide : l'adresse du partenaire dans l'annuaire.")


class ReferentForm(FlaskForm):
    referent_id = ChoiceField("Nouvelle personne référente", coerce=chosen_id)
    on = FrenchDateField("À partir du", validators=[required_input()])


class ExitForm(FlaskForm):
    ended_on = FrenchDateField("Date de sortie", validators=[required_input()])
    exit_outcome = ChoiceField("Sortie vers", choices=[("", "Choisissez la sortie"),
                                                       *choices_of(OUTCOME_LABELS)])
    exit_note = TextAreaField("Précisions", filters=STRIP, validators=[Optional(), max_length(2000)])
