"""The anonymous tally of an action, for its volunteers and up: a few taps on a phone, one
INSERT, back to the empty form with the count.

Routes (under /p/allervers/<association>/):

- GET, POST actions/<id>/comptage             tally              volunteers and up
- POST      actions/<id>/comptage/annuler     tally_undo         volunteers and up

« Annuler le dernier » undoes the last tally this user saved on this action in the last
minutes: its id is kept in the user's own (signed) session, so the tally row itself says
nothing of who counted — nor of whom.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, render_template
from flask import session as browser
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    see_other,
    session,
    utcnow,
)
from plugins.allervers import TITLE
from plugins.allervers.forms_outreach import TallyForm
from plugins.allervers.models_outreach import OutreachAction
from plugins.allervers.outreach import (
    SITUATIONS,
    UNDO_WINDOW,
    record_tally,
    tally_count,
    undo_tally,
)
from plugins.allervers.views import bp, team
from plugins.allervers.views.actions import action_or_404

LAST_TALLY = "allervers_last_tally"


def _last_tally(action_id: int, now: datetime) -> int | None:
    """The id of the tally this user may still undo on this action, if any."""
    kept = browser.get(LAST_TALLY)
    if not isinstance(kept, dict) or kept.get("action") != action_id:
        return None
    try:
        at = datetime.fromisoformat(str(kept.get("at")))
        tally_id = int(kept["id"])
    except (KeyError, TypeError, ValueError):
        return None
    return tally_id if now - at <= UNDO_WINDOW else None


def _render(current: AssociationRef, action: OutreachAction, form: TallyForm, status: int,
            now: datetime) -> tuple[str, int]:
    return render_template("allervers/tally_form.html", title=TITLE, association=current,
                           action=action, form=form, count=tally_count(action.id),
                           last_tally=_last_tally(action.id, now), situations=SITUATIONS), status


@bp.route("/<association>/actions/<int:action_id>/comptage", methods=["GET", "POST"])
@access(Level.MEMBER)
def tally(association: str, action_id: int) -> Response | tuple[str, int]:
    current = team()
    action = action_or_404(current, action_id)
    form = TallyForm()
    now = utcnow()
    if form.validate_on_submit():
        tally_id = record_tally(current.id, action.id, form.fields_typed())
        session.commit()
        browser[LAST_TALLY] = {"action": action.id, "id": tally_id, "at": now.isoformat()}
        flash("Personne comptée.", "success")
        return see_other("allervers.tally", association=current.slug, action_id=action.id)
    return _render(current, action, form, INVALID_FORM_STATUS if form.errors else 200, now)


@bp.post("/<association>/actions/<int:action_id>/comptage/annuler")
@access(Level.MEMBER)
def tally_undo(association: str, action_id: int) -> Response:
    current = team()
    action = action_or_404(current, action_id)
    now = utcnow()
    tally_id = _last_tally(action.id, now)
    if tally_id is not None and undo_tally(current.id, action.id, tally_id, now):
        session.commit()
        flash("Le dernier comptage est annulé.", "success")
    else:
        flash("Rien à annuler : seul votre dernier comptage des dernières minutes peut l'être.", "warning")
    browser.pop(LAST_TALLY, None)
    return see_other("allervers.tally", association=current.slug, action_id=action.id)
