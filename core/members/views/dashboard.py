from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from core.agenda.queries import bookings_of_person
from core.auth.permissions import Level, access, my_roles
from core.database import session, utcnow
from core.members.associations import Association
from core.members.people import Person
from core.members.scope import people_visible_clause
from core.members.views import bp
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref, person_ref
from core.referrals.views import dashboard_block


@bp.get("/")
@access(Level.AUTHENTICATED)
def dashboard() -> str:
    roles = my_roles()
    associations = (
        session.scalars(
            select(Association).where(Association.id.in_(roles)).order_by(Association.name)
        ).all()
        if roles
        else []
    )
    people_count = session.scalar(
        select(func.count(Person.id)).where(Person.active, people_visible_clause())
    )
    host, me = get_host(), person_ref(current_user.person)
    widgets = host.render_sections([
        result
        for association in associations
        for result in host.call_for(association.id, "dashboard_widgets",
                                    association=association_ref(association), person=me)
    ])
    return render_template(
        "members/dashboard.html",
        referrals=dashboard_block(current_user.person_id),
        next_bookings=bookings_of_person(current_user.person_id, since=utcnow(), limit=3),
        my_associations=[(a, roles[a.id]) for a in associations],
        people_count=people_count,
        me=current_user.person,
        widgets=widgets,
    )
