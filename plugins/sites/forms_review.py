"""The forms of an application's page: a reviewer's scores (a score 0 to 5 and a comment per
criterion of the call) and the decisions (one per lot wished, with its reasons). Their fields
depend on the call's criteria and the application's choices, so each form class is built
for the page: ``score_<criterion id>``, ``comment_<criterion id>``, ``decision_<choice id>``,
``reasons_<choice id>``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Optional

from core.plugin_api import STRIP, ChoiceField, FrenchIntegerField, add_error, max_length, whole_number
from plugins.sites.decisions import DecisionInput
from plugins.sites.labels import DECISION_LABELS, preference_label
from plugins.sites.models_calls import Decision
from plugins.sites.review import SCORE_MAX, CriterionLine

UNDECIDED = "aucune"  # the decision list's first line: not decided yet
REASONS_REQUIRED = "Indiquez les motifs du refus : la structure les recevra."
SCORE_FOR_COMMENT = f"Donnez une note de 0 à {SCORE_MAX} avec ce commentaire."


class ScoringForm(FlaskForm):
    """One reviewer's scores; a criterion left without a score is not scored yet."""

    criteria: Sequence[CriterionLine] = ()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for criterion in self.criteria:
            score, comment = self[f"score_{criterion.id}"], self[f"comment_{criterion.id}"]
            if comment.data and not score.errors and score.data is None:
                add_error(score, SCORE_FOR_COMMENT)
                valid = False
        return valid

    def scores(self) -> dict[int, tuple[int, str]]:
        """Criterion id → (score, comment), for the criteria scored."""
        return {c.id: (self[f"score_{c.id}"].data, self[f"comment_{c.id}"].data or "")
                for c in self.criteria if self[f"score_{c.id}"].data is not None}


def scoring_form(criteria: Sequence[CriterionLine], **kwargs: Any) -> ScoringForm:
    fields: dict[str, Any] = {"criteria": tuple(criteria)}
    for c in criteria:
        fields[f"score_{c.id}"] = FrenchIntegerField(
            f"Note « {c.label} » (0 à {SCORE_MAX})",
            validators=whole_number("Note", 0, SCORE_MAX),
            render_kw={"min": 0, "max": SCORE_MAX, "inputmode": "numeric"},
            description=f"Coefficient {c.weight}. Laissez vide si vous ne notez pas encore ce critère.")
        fields[f"comment_{c.id}"] = TextAreaField(
            f"Commentaire « {c.label} »", filters=STRIP, validators=[Optional(), max_length(2000)],
            render_kw={"rows": 3})
    form_class = type("ScoringFormOfCall", (ScoringForm,), fields)
    return form_class(**kwargs)


DECISION_CHOICES = [(UNDECIDED, DECISION_LABELS[None]),
                    *((d.value, DECISION_LABELS[d]) for d in (Decision.ACCEPTED, Decision.WAITING,
                                                              Decision.REFUSED))]


class DecisionForm(FlaskForm):
    """A decision per lot wished; a refusal needs its reasons."""

    choice_ids: Sequence[int] = ()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for choice_id in self.choice_ids:
            decision, reasons = self[f"decision_{choice_id}"], self[f"reasons_{choice_id}"]
            if decision.data == Decision.REFUSED.value and not reasons.data and not reasons.errors:
                add_error(reasons, REASONS_REQUIRED)
                valid = False
        return valid

    def decisions(self) -> list[DecisionInput]:
        inputs = []
        for choice_id in self.choice_ids:
            value = self[f"decision_{choice_id}"].data
            inputs.append(DecisionInput(choice_id=choice_id,
                                        decision=None if value in (None, UNDECIDED) else Decision(value),
                                        reasons=self[f"reasons_{choice_id}"].data or ""))
        return inputs


def decision_form(choices: Sequence[tuple[int, str, int]], **kwargs: Any) -> DecisionForm:
    """``choices``: (choice id, lot code, preference) of each lot wished."""
    fields: dict[str, Any] = {"choice_ids": tuple(choice_id for choice_id, _, _ in choices)}
    for choice_id, code, preference in choices:
        fields[f"decision_{choice_id}"] = ChoiceField(
            f"Décision sur le lot {code} ({preference_label(preference)})", coerce=str,
            choices=DECISION_CHOICES, default=UNDECIDED)
        fields[f"reasons_{choice_id}"] = TextAreaField(
            f"Motifs pour le lot {code}", filters=STRIP, validators=[Optional(), max_length(2000)],
            render_kw={"rows": 3},
            description="Obligatoires pour un refus : ils sont envoyés à la structure.")
    form_class = type("DecisionFormOfApplication", (DecisionForm,), fields)
    return form_class(**kwargs)


class NotifyForm(FlaskForm):
    """Nothing but the CSRF token: the button sends the e-mails."""
