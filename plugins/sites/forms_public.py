"""The public application form, as visitors without an account fill it: the organisation
and its project, the lots wished in order of preference, a contact, up to three files, the
consent to what is kept, and a field hidden from people that only robots fill.

The lots are the call's: ``application_form`` builds the form with one list per
preference (« 1er choix », « 2e choix »…), as many as the call has lots, five at most.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from core.plugin_api import (
    STRIP,
    ChoiceField,
    ConsentField,
    FrenchIntegerField,
    UploadField,
    add_error,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    required,
    required_input,
    whole_number,
)
from plugins.sites.labels import FIELD_LABELS, LEGAL_FORM_LABELS

ATTACHMENT_KINDS = ("pdf", "jpeg", "png")
ATTACHMENT_MAX = 5 * 1024 * 1024  # « 5 Mo » each
ATTACHMENTS = 3
MOST_WISHES = 5  # wish_1 … wish_5 below
NONE = 0  # a list of lots left on « Aucun »
# Named as nothing a browser fills in by itself, and labelled for the people who meet it
# anyway (a screen reader): robots fill every field they find.
HONEYPOT = "verification"
PICK = "Choisissez dans la liste"
NO_CONSENT = "Cochez cette case pour envoyer votre candidature."
ATTACHMENT_HINT = "PDF, JPEG ou PNG, 5 Mo au plus."


def ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


class WishField(ChoiceField):
    """A lot wished at one rank; « Aucun » (``NONE``) leaves it empty. Only the first is
    required; the form checks the rest (no lot twice, no gap)."""

    def __init__(self, *args: Any, first: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flags.required = first

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            self.data = NONE  # the list sent empty: nothing chosen at this rank
        super().pre_validate(form)


class ApplicationForm(FlaskForm):
    organisation = StringField("Nom de votre structure ou de votre projet", filters=STRIP,
                               validators=[required(), not_blank, max_length(150)])
    legal_form = ChoiceField("Forme juridique", coerce=str,
                             choices=[("", PICK), *((k.value, v) for k, v in LEGAL_FORM_LABELS.items())])
    field = ChoiceField("Domaine d'activité", coerce=str,
                        choices=[("", PICK), *((k.value, v) for k, v in FIELD_LABELS.items())])
    project = TextAreaField("Votre projet", filters=STRIP,
                            validators=[required(), not_blank, max_length(5000)],
                            description=("Ce que vous ferez dans les lieux, pour qui, avec qui, et "
                                         "depuis quand le projet existe. 5 000 caractères au plus."))
    for_the_neighbourhood = TextAreaField(
        "Pour le quartier", filters=STRIP, validators=[required(), not_blank, max_length(3000)],
        description=("Les emplois, les activités ouvertes aux habitants, les partenariats prévus "
                     "dans le quartier. 3 000 caractères au plus."))
    jobs = FrenchIntegerField("Nombre d'emplois prévus sur le site",
                              validators=[required_input(), *whole_number("Emplois", 0, 500)],
                              description="Salariés, contrats aidés, apprentis ; 0 si aucun pour l'instant.")
    # As many as the call has lots, five at most: application_form() removes the others.
    wish_1 = WishField("1er choix", coerce=int, first=True)
    wish_2 = WishField("2e choix", coerce=int)
    wish_3 = WishField("3e choix", coerce=int)
    wish_4 = WishField("4e choix", coerce=int)
    wish_5 = WishField("5e choix", coerce=int)
    contact_name = StringField("Votre nom et prénom", filters=STRIP,
                               validators=[required(), not_blank, max_length(120)])
    contact_email = StringField("Votre adresse e-mail", filters=STRIP,
                                validators=[required(), *optional_email()],
                                description="Vous y recevrez la confirmation, puis la réponse.")
    contact_phone = StringField("Votre téléphone (facultatif)", filters=STRIP, validators=optional_phone())
    attachment_1 = UploadField("Pièce jointe 1 (facultative)", kinds=ATTACHMENT_KINDS,
                               max_bytes=ATTACHMENT_MAX, description=ATTACHMENT_HINT)
    attachment_2 = UploadField("Pièce jointe 2 (facultative)", kinds=ATTACHMENT_KINDS,
                               max_bytes=ATTACHMENT_MAX, description=ATTACHMENT_HINT)
    attachment_3 = UploadField("Pièce jointe 3 (facultative)", kinds=ATTACHMENT_KINDS,
                               max_bytes=ATTACHMENT_MAX, description=ATTACHMENT_HINT)
    consent = ConsentField("J'accepte que ces informations soient conservées ainsi", NO_CONSENT)
    verification = StringField("Laissez ce champ vide : il sert à repérer les envois automatiques",
                               validators=[Optional()])

    wishes: list[WishField]

    @property
    def attachments(self) -> list[Any]:
        return [self.attachment_1, self.attachment_2, self.attachment_3]

    def wished(self) -> list[int]:
        """The lots wished, by preference (valid form only)."""
        return [wish.data for wish in self.wishes if wish.data != NONE]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.wishes or any(wish.errors for wish in self.wishes):
            return False
        first, *rest = self.wishes
        if first.data == NONE:
            add_error(first, "Choisissez au moins un lot.")
            return False
        seen = {first.data: 1}
        for rank, wish in enumerate(rest, start=2):
            if wish.data == NONE:
                continue
            if self.wishes[rank - 2].data == NONE:
                add_error(self.wishes[rank - 2], f"Indiquez votre {ordinal(rank - 1)} choix avant le "
                                                 f"{ordinal(rank)}, ou laissez les suivants sur « Aucun ».")
                valid = False
            elif wish.data in seen:
                add_error(wish, f"Ce lot est déjà votre {ordinal(seen[wish.data])} choix : "
                                "choisissez-en un autre ou « Aucun ».")
                valid = False
            seen.setdefault(wish.data, rank)
        return valid


def application_form(lots: list[tuple[int, str]]) -> ApplicationForm:
    """The form for a call opening ``lots`` (id, label): one list per preference."""
    ranks = min(len(lots), MOST_WISHES)
    form = ApplicationForm()
    for rank in range(ranks + 1, MOST_WISHES + 1):
        del form[f"wish_{rank}"]
    form.wishes = [form[f"wish_{rank}"] for rank in range(1, ranks + 1)]
    for rank, wish in enumerate(form.wishes, start=1):
        wish.choices = [(NONE, "Choisissez un lot" if rank == 1 else "Aucun"), *lots]
    return form
