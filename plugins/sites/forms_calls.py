"""The team's forms of a call for applications and of its criteria. The lots offered are
the association's (the view sets them); those of another site than the call's, or a lot
applications already wish taken out, come back next to the lots."""

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
    add_error,
    max_length,
    not_blank,
    required,
    required_input,
    whole_number,
)

NO_LOT = "Cochez au moins un lot : c'est à eux que l'on candidate."


class CallForm(FlaskForm):
    site_id = ChoiceField("Site", coerce=int)
    title = StringField(
        "Titre de l'appel", filters=STRIP, validators=[required(), not_blank, max_length(150)],
        description="Par exemple « Bureaux et ateliers de l'ancienne école, printemps 2027 ».")
    presentation = TextAreaField(
        "Présentation", filters=STRIP, validators=[Optional(), max_length(5000)],
        description=("Ce que lisent les candidats : le lieu, les projets attendus, les visites "
                     "prévues, la durée des occupations. Le public voit aussi le nom du site, son "
                     "quartier et les lots ; jamais le propriétaire ni l'adresse exacte."))
    opens_on = FrenchDateField("Candidatures reçues à partir du", validators=[required_input()])
    closes_on = FrenchDateField("Jusqu'au", validators=[required_input()],
                                description="Le dernier jour où l'on peut candidater (inclus).")
    lot_ids = CheckboxListField("Lots proposés", coerce=int,
                                description="Les lots du site choisi ci-dessus auxquels on peut candidater.")
    published = BooleanField(
        "Publier l'appel",
        description=("Non cochée, l'appel reste un brouillon que seule l'équipe voit. Publié, il "
                     "est visible de tous à son adresse, et le formulaire ouvert entre les deux dates."))

    def __init__(self, *args: Any, lot_sites: dict[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lot_sites = lot_sites or {}  # lot id → its site's id, for the check below

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.opens_on.data, self.closes_on.data
        if start and end and end < start and not self.closes_on.errors:
            add_error(self.closes_on, "La clôture ne peut pas précéder l'ouverture.")
            valid = False
        if not self.lot_ids.errors:
            chosen = self.lot_ids.data or []
            if not chosen:
                add_error(self.lot_ids, NO_LOT)
                valid = False
            elif any(self.lot_sites.get(lot_id) != self.site_id.data for lot_id in chosen):
                add_error(self.lot_ids, "Cochez seulement des lots du site choisi.")
                valid = False
        return valid


class CriterionForm(FlaskForm):
    label = StringField("Critère", filters=STRIP, validators=[required(), not_blank, max_length(150)],
                        description="Par exemple « Ancrage dans le quartier ».")
    description = TextAreaField(
        "Ce qui est regardé", filters=STRIP, validators=[Optional(), max_length(1000)],
        description="Publié avec l'appel : les candidats savent sur quoi ils sont notés.")
    weight = FrenchIntegerField("Poids", validators=[required_input(), *whole_number("Poids", 1, 10)],
                                description=("De 1 à 10. Chaque candidature est notée de 0 à 5 sur chaque "
                                             "critère ; la note est multipliée par le poids."))
