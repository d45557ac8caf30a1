"""Forms of the agenda pages. Times are typed in Paris time; the views convert to UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from core.agenda.events import MAX_EVENT_LENGTH, EventKind, Visibility
from core.agenda.scheduling import MAX_OCCURRENCES
from core.web.forms import (
    REQUIRED_MESSAGE,
    STRIP,
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

WHOLE_COLLECTIVE = 0  # the association choice for an event of the whole collective
NEW_PERSON = 0  # the person choice for someone not yet in Maillage


class EventForm(FlaskForm):
    title = StringField("Titre", filters=STRIP, validators=[required(), not_blank, max_length(200)])
    kind = ChoiceField("Type", choices=[(k.value, k.label) for k in EventKind])
    association_id = ChoiceField("Organisé par", coerce=int)
    visibility = ChoiceField("Visible par", choices=[(v.value, v.label) for v in Visibility])
    starts_at = FrenchDateTimeField("Début", validators=[required_input()])
    ends_at = FrenchDateTimeField("Fin", validators=[required_input()])
    partner_id = ChoiceField("Lieu : chez un partenaire", coerce=int,
                             description="Laissez « Aucun » pour un autre lieu.")
    place = StringField("Lieu : autre adresse", filters=STRIP,
                        validators=[Optional(), max_length(300)])
    description = TextAreaField("Description", filters=STRIP,
                                validators=[Optional(), max_length(5000)])
    signup = BooleanField("Inscriptions", default=True,
                          description="Décochez pour une réunion sans inscription.")
    capacity = FrenchIntegerField("Nombre de places", validators=whole_number("Places", 1, 10000))
    held_back = FrenchIntegerField(
        "Places réservées aux orientations", default=0,
        validators=whole_number("Places réservées", 0, 10000),
        description="Gardées pour les personnes inscrites par la coordination.")
    waitlist = BooleanField("Liste d'attente quand c'est complet", default=True)
    opens_at = FrenchDateTimeField("Ouverture des inscriptions", validators=[Optional()],
                                   description="Vide : dès maintenant.")
    closes_at = FrenchDateTimeField("Clôture des inscriptions", validators=[Optional()],
                                    description="Vide : jusqu'au début.")
    cutoff_hours = FrenchIntegerField(
        "Annulation possible jusqu'à (heures avant le début)", default=0,
        validators=whole_number("Délai d'annulation", 0, 720))

    def validate_ends_at(self, field: Any) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("La fin doit être après le début.")
        if field.data and self.starts_at.data and field.data - self.starts_at.data > MAX_EVENT_LENGTH:
            raise ValidationError("Un événement dure 31 jours au plus : pour plus long, "
                                  "créez une série.")

    def validate(self, extra_validators: Any = None) -> bool:
        # Checks across fields run here: an Optional() validator stops a field's own chain.
        valid = super().validate(extra_validators)
        if self.signup.data and self.capacity.data is None and not self.capacity.errors:
            add_error(self.capacity, REQUIRED_MESSAGE)
            valid = False
        return valid

    def validate_held_back(self, field: Any) -> None:
        if (self.signup.data and field.data and self.capacity.data is not None
                and field.data > self.capacity.data):
            raise ValidationError("Pas plus de places réservées que de places en tout.")

    def validate_closes_at(self, field: Any) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("La clôture doit être après l'ouverture.")
        if field.data and self.ends_at.data and field.data > self.ends_at.data:
            raise ValidationError("La clôture ne peut pas être après la fin de l'activité.")

    def validate_visibility(self, field: Any) -> None:
        if (self.association_id.data == WHOLE_COLLECTIVE
                and field.data == Visibility.ASSOCIATION.value):
            raise ValidationError("Un événement du collectif est visible par tout le collectif.")


class NewEventForm(EventForm):
    repeat_weeks = FrenchIntegerField(
        "Répéter toutes les … semaines", validators=whole_number("Répétition", 1, 52),
        description="Vide : une seule fois. 1 : chaque semaine, 2 : une semaine sur deux.")
    repeat_until = FrenchDateField("Jusqu'au", validators=[Optional()])
    repeat_count = FrenchIntegerField("Ou nombre de séances",
                                      validators=whole_number("Nombre de séances", 2, MAX_OCCURRENCES))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.repeat_weeks.data and not (self.repeat_until.errors or self.repeat_count.errors):
            problem = self._repeat_problem()
            if problem:
                add_error(self.repeat_until, problem)
                valid = False
        return valid

    def _repeat_problem(self) -> str | None:
        until, count = self.repeat_until.data, self.repeat_count.data
        if until is None and count is None:
            return "Indiquez une date de fin ou un nombre de séances."
        if until is not None and count is not None:
            return "Indiquez une date de fin ou un nombre de séances, pas les deux."
        start: datetime | None = self.starts_at.data
        if until is not None and start is not None:
            if until < start.date():
                return "La date de fin doit être après la première séance."
            if (until - start.date()).days > 7 * self.repeat_weeks.data * MAX_OCCURRENCES:
                return f"{MAX_OCCURRENCES} séances au plus : rapprochez la date de fin."
        return None


class BookForForm(FlaskForm):
    """A coordinator books someone: a person of the association, or a newcomer by name."""

    person_id = ChoiceField("Personne", coerce=int)
    first_name = StringField("Ou nouvelle personne : prénom", filters=STRIP,
                             validators=[Optional(), max_length(80)])
    last_name = StringField("Nom", filters=STRIP, validators=[Optional(), max_length(80)])
    phone = StringField("Téléphone (facultatif)", filters=STRIP, validators=[Optional(), max_length(30)])
    referral = BooleanField("Orientation (peut prendre une place réservée)", default=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if (valid and self.person_id.data == NEW_PERSON
                and not (self.last_name.data and self.first_name.data)):
            add_error(self.last_name, "Choisissez une personne, ou donnez le prénom et le nom "
                                      "d'une nouvelle personne.")
            valid = False
        return valid

