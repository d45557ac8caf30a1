"""The French words for the calls' fields, legal forms and decisions: one place for the
public form, the team's pages, the exports and the indicators."""

from __future__ import annotations

from plugins.sites.models_calls import Decision, Field, LegalForm

FIELD_LABELS = {
    Field.ESS: "Économie sociale et solidaire",
    Field.CIRCULAR: "Économie circulaire",
    Field.SOCIAL: "Action sociale",
    Field.ARTISTIC: "Création artistique",
    Field.OTHER: "Autre",
}

LEGAL_FORM_LABELS = {
    LegalForm.ASSOCIATION: "Association",
    LegalForm.COOPERATIVE: "Coopérative (SCOP, SCIC)",
    LegalForm.COMPANY: "Entreprise (SARL, SAS…)",
    LegalForm.SOLE_TRADER: "Entrepreneur individuel, micro-entreprise",
    LegalForm.INFORMAL: "Collectif non déclaré",
    LegalForm.OTHER: "Autre",
}

DECISION_LABELS = {
    Decision.ACCEPTED: "Retenue",
    Decision.REFUSED: "Non retenue",
    Decision.WAITING: "Liste d'attente",
}
