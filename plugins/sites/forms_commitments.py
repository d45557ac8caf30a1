"""Forms of an occupant's commitments (what, and a yearly target with its unit) and of their
yearly follow-up (a year of the allocation, what was achieved, a comment)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    ChoiceField,
    FrenchIntegerField,
    max_length,
    not_blank,
    required,
    required_input,
    whole_number,
)
from plugins.sites.commitments import KIND_LABELS

LARGEST_COUNT = 100_000  # far above any yearly figure of a site's occupant


class CommitmentForm(FlaskForm):
    kind = ChoiceField("Nature de l'engagement", coerce=str,
                       choices=[(kind.value, label) for kind, label in KIND_LABELS.items()])
    description = StringField("Engagement", filters=STRIP,
                              validators=[required(), not_blank, max_length(250)],
                              description="Par exemple « Portes ouvertes un samedi par trimestre ».")
    target = FrenchIntegerField("Objectif par an", validators=[required_input(),
                                                               *whole_number("Objectif", 0, LARGEST_COUNT)])
    unit = StringField("Unité", filters=STRIP, validators=[Optional(), max_length(60)],
                       description=("Ce que l'objectif compte : « demi-journées », « ateliers », "
                                    "« personnes »…"))


class FollowUpForm(FlaskForm):
    year = ChoiceField("Année", coerce=int, description="Une année de l'attribution.")
    achieved = FrenchIntegerField("Réalisé", validators=[required_input(),
                                                         *whole_number("Réalisé", 0, LARGEST_COUNT)])
    comment = TextAreaField("Commentaire", filters=STRIP, validators=[Optional(), max_length(2000)])
