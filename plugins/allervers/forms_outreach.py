"""Forms of the outreach part: an action, a tally (a few taps on a phone), an identified
contact (only with the person's consent).

Choices offered from the database (team, partners, neighbourhoods) are set by the view: a
value that is not offered — another association's person, a typed id — is refused with a
French message, never looked up."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import ListWidget, RadioInput

from core.plugin_api import (
    STRIP,
    CheckboxListField,
    ChoiceField,
    ConsentField,
    FrenchDateField,
    FrenchDateTimeField,
    FrenchIntegerField,
    max_length,
    not_blank,
    paris_to_utc,
    paris_today,
    required,
    required_input,
    whole_number,
)
from plugins.allervers.models_outreach import AgeBand, Gender, PlaceKind, Request
from plugins.allervers.outreach import (
    AGE_LABELS,
    GENDER_LABELS,
    PLACE_LABELS,
    REQUEST_LABELS,
    SITUATIONS,
    ActionFields,
    ContactFields,
    TallyFields,
)

END_BEFORE_START = "La fin doit être après le début."
TOO_LONG = "Une action dure au plus 24 heures : découpez-la en plusieurs."
CONSENT_MISSING = ("Sans l'accord de la personne, rien n'est enregistré : cochez la case une "
                   "fois qu'elle l'a donné.")
CONSENT_IN_FUTURE = "L'accord ne peut être daté d'un jour à venir."
CONSENT_BEFORE_ACTION = "L'accord ne peut être antérieur à l'action où la personne a été rencontrée."
MAX_HOURS = 24


def optional_id(value: Any) -> int | None:
    """The empty first option reads as None; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(value)


class OptionalChoiceField(ChoiceField):
    """A drop-down list that may be left on its empty first option (« Aucun »)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flags.required = False

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            return
        super().pre_validate(form)


class RadioChoiceField(ChoiceField):
    """One choice among a few, drawn as large buttons (the tally's template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = RadioInput()


class ActionForm(FlaskForm):
    starts_at = FrenchDateTimeField("Début", validators=[required_input()],
                                    description="Date et heure de Paris.")
    ends_at = FrenchDateTimeField("Fin", validators=[required_input()],
                                  description="Date et heure de Paris.")
    place_kind = ChoiceField("Type de lieu", choices=[(k.value, v) for k, v in PLACE_LABELS.items()])
    place = StringField("Lieu", filters=STRIP, validators=[required(), max_length(200)],
                        description="Par exemple : place du marché, parvis de la gare.")
    neighbourhood_id = OptionalChoiceField("Quartier", coerce=optional_id)
    member_ids = CheckboxListField("Équipe", coerce=int,
                                   description="Les personnes de l'association qui y vont.")
    partner_ids = CheckboxListField("Partenaires présents", coerce=int)
    notes = TextAreaField("Notes", filters=STRIP, validators=[Optional(), max_length(2000)],
                          description="Rien qui permette de reconnaître une personne rencontrée.")

    def offer(self, people: list[Any], partners: list[Any], neighbourhoods: list[Any]) -> None:
        self.member_ids.choices = [(p.id, f"{p.first_name} {p.last_name}".strip()) for p in people]
        self.partner_ids.choices = [(p.id, p.name) for p in partners]
        self.neighbourhood_id.choices = [("", "— Aucun —")] + [
            (n.id, f"{n.name} ({n.city})" if n.city else n.name) for n in neighbourhoods]

    def validate_ends_at(self, field: Any) -> None:
        start = self.starts_at.data
        if field.data is None or start is None:
            return
        if field.data <= start:
            raise ValidationError(END_BEFORE_START)
        if (paris_to_utc(field.data) - paris_to_utc(start)).total_seconds() > MAX_HOURS * 3600:
            raise ValidationError(TOO_LONG)

    def fields_typed(self) -> ActionFields:
        return ActionFields(
            starts_at=paris_to_utc(self.starts_at.data), ends_at=paris_to_utc(self.ends_at.data),
            place_kind=PlaceKind(self.place_kind.data), place=self.place.data or "",
            neighbourhood_id=self.neighbourhood_id.data, notes=self.notes.data or "",
            member_ids=frozenset(self.member_ids.data or ()),
            partner_ids=frozenset(self.partner_ids.data or ()))


class TallyForm(FlaskForm):
    age_band = RadioChoiceField("Âge", choices=[(k.value, v) for k, v in AGE_LABELS.items()])
    gender = RadioChoiceField("Genre, si la personne l'a dit",
                              choices=[(k.value, v) for k, v in GENDER_LABELS.items()],
                              default=Gender.NOT_STATED.value)
    situations = CheckboxListField("Situation", choices=list(SITUATIONS.items()),
                                   description="Ce que la conversation a appris, rien de plus.")
    request = RadioChoiceField("Demande", choices=[(k.value, v) for k, v in REQUEST_LABELS.items()],
                               default=Request.NOTHING.value)

    def fields_typed(self) -> TallyFields:
        return TallyFields(age_band=AgeBand(self.age_band.data), gender=Gender(self.gender.data),
                           situations=frozenset(self.situations.data or ()),
                           request=Request(self.request.data))


class ContactEditForm(FlaskForm):
    name = StringField("Prénom ou surnom", filters=STRIP,
                       validators=[required(), not_blank, max_length(80)])
    reach = StringField("Comment la joindre", filters=STRIP,
                        validators=[required(), not_blank, max_length(200)],
                        description="Un téléphone, une adresse, un réseau social…")
    age_at_first_contact = FrenchIntegerField("Âge dit", validators=whole_number("Âge", 10, 99),
                                              description="L'âge que la personne a donné, si elle l'a donné.")

    def fields_typed(self) -> ContactFields:
        return ContactFields(name=self.name.data or "", reach=self.reach.data or "",
                             age_at_first_contact=self.age_at_first_contact.data)


class ContactForm(ContactEditForm):
    """A new contact: the consent fields come first in the checks — without them nothing is
    saved, not even the name."""

    consent = ConsentField("La personne a donné son accord", CONSENT_MISSING,
                           description="Pour que l'association garde son prénom et le moyen de la joindre.")
    consent_explained = TextAreaField("Ce qui lui a été expliqué", filters=STRIP,
                                      validators=[required(), not_blank, max_length(2000)],
                                      description="Par exemple : pourquoi, qui le verra, combien de temps, "
                                                  "et qu'elle peut demander l'effacement.")
    consent_on = FrenchDateField("Date de l'accord", validators=[required_input()])
    tally_id = HiddenField()

    def validate_consent_on(self, field: Any) -> None:
        if field.data is not None and field.data > paris_today():
            raise ValidationError(CONSENT_IN_FUTURE)
