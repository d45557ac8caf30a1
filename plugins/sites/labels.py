"""The French words for the calls' enums, shared by the team's pages, the forms and the
e-mails (one place, so that a lot « retenu » on the page is « retenu » in the e-mail)."""

from __future__ import annotations

from plugins.sites.models_calls import Decision, Field, LegalForm

FIELD_LABELS: dict[Field, str] = {
    Field.ESS: "Économie sociale et solidaire",
    Field.CIRCULAR: "Économie circulaire",
    Field.SOCIAL: "Action sociale",
    Field.ARTISTIC: "Création artistique",
    Field.OTHER: "Autre",
}

LEGAL_FORM_LABELS: dict[LegalForm, str] = {
    LegalForm.ASSOCIATION: "Association",
    LegalForm.COOPERATIVE: "Coopérative (SCOP, SCIC)",
    LegalForm.COMPANY: "Entreprise (SARL, SAS…)",
    LegalForm.SOLE_TRADER: "Entrepreneur individuel, micro-entreprise",
    LegalForm.INFORMAL: "Collectif non déclaré",
    LegalForm.OTHER: "Autre",
}

# On the team's pages, of a lot wished: « Retenu », « Refusé »…
DECISION_LABELS: dict[Decision | None, str] = {
    None: "À décider",
    Decision.ACCEPTED: "Retenu",
    Decision.REFUSED: "Refusé",
    Decision.WAITING: "Liste d'attente",
}

# In the e-mail to the applicant: « Lot A1, votre 1er choix : retenu. »
DECISION_WORDS: dict[Decision, str] = {
    Decision.ACCEPTED: "retenu",
    Decision.REFUSED: "non retenu",
    Decision.WAITING: "sur liste d'attente",
}

DECISION_BADGES: dict[Decision | None, str] = {
    None: "badge--muted",
    Decision.ACCEPTED: "badge--ok",
    Decision.REFUSED: "badge--warn",
    Decision.WAITING: "",
}


def preference_label(preference: int) -> str:
    """« 1er choix », « 2e choix »."""
    return "1er choix" if preference == 1 else f"{preference}e choix"
