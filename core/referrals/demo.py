"""The core's demo referrals: the demo association's, one in each state, sent by its
coordinator. Written as rows (their links are random and e-mailed to no one: loading the
demo sends nothing)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.agenda.clock import paris_today
from core.auth.tokens import digest, new_token
from core.database import session, utcnow
from core.members import Association, Person
from core.partners import Partner, PartnerService
from core.partners.vocabulary import Barrier
from core.referrals.models import Referral, ReferralEvent
from core.referrals.vocabulary import ReferralStatus as S

# (first name of the person, partner, service, reason, barriers, status, sent days ago,
#  answered days after sending, note)
REFERRALS = [
    ("Karim", "Mission Locale de Plaine Commune", "Contrat d'engagement jeune",
     "Karim, 22 ans, sans formation depuis deux ans : il souhaite entrer en CEJ.",
     [Barrier.TRAINING, Barrier.MONEY], S.SENT, 3, None, ""),
    ("Sandrine", "Centre social des Courtillières", "Halte-garderie à horaires souples",
     "Sandrine reprend un emploi à temps partiel en horaires décalés : garde de son fils de 2 ans.",
     [Barrier.CHILDCARE], S.SENT, 10, None, ""),
    ("Mamadou", "Chantier d'insertion Bâti'Cité", "Premières heures en chantier",
     "Mamadou souhaite découvrir le second œuvre du bâtiment avant une formation.",
     [Barrier.TRAINING], S.ACCEPTED, 6, 2, ""),
    ("Julie", "France Travail Saint-Denis", "Atelier numérique de l'agence",
     "Julie doit actualiser sa situation en ligne seule : atelier numérique.",
     [Barrier.DIGITAL, Barrier.ADMINISTRATIVE], S.DONE, 30, 4, ""),
    ("Yasmine", "CCAS de Pantin", "Domiciliation administrative",
     "Yasmine est hébergée chez un tiers et n'a pas d'adresse pour son courrier.",
     [Barrier.ADMINISTRATIVE, Barrier.HOUSING], S.REFUSED, 12, 5,
     "Domiciliation réservée aux habitants de Pantin : voir le CCAS de Saint-Denis."),
    ("Karim", "Ville d'Aubervilliers — service emploi", "Aide à la mobilité (tickets, vélos)",
     "Karim a besoin d'un vélo pour rejoindre un stage à Aubervilliers.",
     [Barrier.MOBILITY], S.EXPIRED, 45, None, ""),
    ("Julie", "Mission Locale de Plaine Commune", "Point santé jeunes",
     "Bilan de santé avant l'entrée en formation.", [Barrier.HEALTH], S.WITHDRAWN, 20, None,
     "Julie a trouvé un rendez-vous par elle-même."),
]


def load_referrals(association: Association) -> None:
    people = {p.first_name: p.id for p in session.scalars(
        select(Person).where(Person.memberships.any(association_id=association.id)))}
    referent = session.scalar(select(Person.id).where(Person.email == "coordination@exemple.org"))
    partners = {p.name: p for p in session.scalars(select(Partner))}
    services = {(s.partner_id, s.name): s.id for s in session.scalars(select(PartnerService))}
    now, today = utcnow(), paris_today()
    expiry = timedelta(days=30)
    for (first, partner_name, service_name, reason, barriers, status, sent_ago, answered_after,
         note) in REFERRALS:
        partner = partners[partner_name]
        sent = now - timedelta(days=sent_ago)
        answered = sent + timedelta(days=answered_after) if answered_after is not None else None
        referral = Referral(
            association_id=association.id, person_id=people[first], partner_id=partner.id,
            service_id=services.get((partner.id, service_name)), referent_id=referent,
            reason=reason, recipient_email=partner.contacts[0].email if partner.contacts else "",
            status=status, sent_at=sent, answered_at=answered, reminded_at=None,
            refusal_reason=note if status is S.REFUSED else "",
            appointment_on=today + timedelta(days=5) if status is S.ACCEPTED
            else (answered.date() + timedelta(days=7) if status is S.DONE and answered else None),
            token_digest=digest(new_token()), token_expires_at=sent + expiry,
        )
        referral.barriers = barriers
        events = [ReferralEvent(status=S.SENT, at=sent, by_person_id=referent)]
        if status in (S.ACCEPTED, S.DONE):
            events.append(ReferralEvent(status=S.ACCEPTED, at=answered))
        if status is S.DONE:
            referral.closed_at = answered + timedelta(days=8) if answered else now
            events.append(ReferralEvent(status=S.DONE, at=referral.closed_at, by_person_id=referent))
        if status is S.REFUSED:
            referral.closed_at = answered
            events.append(ReferralEvent(status=S.REFUSED, at=answered, note=note))
        if status is S.EXPIRED:
            referral.closed_at = sent + expiry
            events.append(ReferralEvent(status=S.EXPIRED, at=referral.closed_at))
        if status is S.WITHDRAWN:
            referral.closed_at = sent + timedelta(days=2)
            events.append(ReferralEvent(status=S.WITHDRAWN, at=referral.closed_at,
                                        by_person_id=referent, note=note))
        referral.events = events
        session.add(referral)
    session.flush()
