"""The territory's form: its name, its stage, the neighbourhoods it covers and its EBEs."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    CheckboxListField,
    ChoiceField,
    FrenchDateField,
    add_error,
    max_length,
    not_blank,
    required,
)
from plugins.tzcld.models import Stage

STAGE_LABELS = {
    Stage.EMERGING: "Projet émergent",
    Stage.CANDIDACY: "Candidature déposée",
    Stage.AUTHORISED: "Habilité",
    Stage.ENDED: "Expérimentation terminée",
}


class TerritoryForm(FlaskForm):
    name = StringField("Nom du territoire", filters=STRIP,
                       validators=[required(), not_blank, max_length(120)])
    stage = ChoiceField("Étape", coerce=str, choices=[(s.value, label) for s, label in STAGE_LABELS.items()])
    authorised_on = FrenchDateField("Habilité le", validators=[Optional()],
                                    description="Pour un territoire habilité.")
    ended_on = FrenchDateField("Terminé le", validators=[Optional()])
    neighbourhoods = CheckboxListField("Quartiers couverts", coerce=int, validators=[Optional()])
    ebes = CheckboxListField("Entreprises à but d'emploi", coerce=int, validators=[Optional()],
                             description="Les partenaires de type « EBE » de l'annuaire.")

    def validate(self, extra_validators: Any = None) -> bool:
        # Rules between fields, checked here: a field left empty skips its own validators.
        valid = super().validate(extra_validators)
        stage, authorised, ended = self.stage.data, self.authorised_on.data, self.ended_on.data
        if stage in (Stage.AUTHORISED.value, Stage.ENDED.value) and authorised is None \
                and not self.authorised_on.errors:
            add_error(self.authorised_on, "Indiquez la date d'habilitation.")
            valid = False
        if stage == Stage.ENDED.value and ended is None and not self.ended_on.errors:
            add_error(self.ended_on, "Indiquez la date de fin.")
            valid = False
        if ended and authorised and ended < authorised:
            add_error(self.ended_on, "La fin ne peut pas précéder l'habilitation.")
            valid = False
        return valid
