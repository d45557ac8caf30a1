"""The fixed lists partners are described with (labels in French)."""

from __future__ import annotations

from enum import StrEnum


class PartnerKind(StrEnum):
    MISSION_LOCALE = "mission_locale"
    FRANCE_TRAVAIL = "france_travail"
    CCAS = "ccas"
    SOCIAL_CENTRE = "social_centre"
    INSERTION_STRUCTURE = "insertion_structure"
    EBE = "ebe"
    LOCAL_AUTHORITY = "local_authority"
    FUNDER = "funder"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    PartnerKind.MISSION_LOCALE: "Mission Locale",
    PartnerKind.FRANCE_TRAVAIL: "France Travail",
    PartnerKind.CCAS: "CCAS",
    PartnerKind.SOCIAL_CENTRE: "Centre social",
    PartnerKind.INSERTION_STRUCTURE: "Structure d'insertion (SIAE)",
    PartnerKind.EBE: "Entreprise à but d'emploi (EBE)",
    PartnerKind.LOCAL_AUTHORITY: "Collectivité territoriale",
    PartnerKind.FUNDER: "Financeur",
    PartnerKind.OTHER: "Autre",
}


class Barrier(StrEnum):
    """Barriers to employment (freins périphériques) a service helps lift."""

    HOUSING = "housing"
    MOBILITY = "mobility"
    HEALTH = "health"
    CHILDCARE = "childcare"
    FRENCH_LANGUAGE = "french_language"
    DIGITAL = "digital"
    ADMINISTRATIVE = "administrative"
    MONEY = "money"
    TRAINING = "training"

    @property
    def label(self) -> str:
        return BARRIER_LABELS[self]


BARRIER_LABELS = {
    Barrier.HOUSING: "Logement",
    Barrier.MOBILITY: "Mobilité",
    Barrier.HEALTH: "Santé",
    Barrier.CHILDCARE: "Garde d'enfants",
    Barrier.FRENCH_LANGUAGE: "Langue française",
    Barrier.DIGITAL: "Numérique",
    Barrier.ADMINISTRATIVE: "Démarches administratives",
    Barrier.MONEY: "Budget, ressources",
    Barrier.TRAINING: "Formation",
}
