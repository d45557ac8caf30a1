"""French error pages; never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from core.auth.permissions import access_level_of, has_level
from core.database import session

MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas les droits nécessaires pour cette page."),
    404: ("Page introuvable", "Cette page n'existe pas, ou vous n'y avez pas accès."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible ici."),
    413: ("Envoi trop volumineux", "Le contenu envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Trop de tentatives en peu de temps. Réessayez dans quelques minutes."),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite. L'équipe en a été informée."),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default), code


def _http_error(error: HTTPException) -> tuple[str, int]:
    # abort(400, "…") gives the page its own French message; werkzeug's English default not.
    own = error.description if error.description != type(error).description else None
    return render_error(error.code or 500, own)


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        "Le formulaire a expiré ou ne provient pas de Maillage. Rechargez la page et "
        "renvoyez-le : rien n'a été enregistré.",
    )


def _server_error(error: InternalServerError) -> tuple[str, int]:
    # The failed statement left the transaction unusable (PostgreSQL, or a flush that
    # raised): without a rollback, the page's own reads (the user, the menu) would fail
    # too and Werkzeug would answer with its bare English page.
    session.rollback()
    return render_error(500)


def _page_answering_get(path: str) -> str | None:
    """The address of the page ``path`` names for a GET, if there is one the user may open.

    Only the route's access level can be judged here (not whether the record is in the
    user's reach): a page their role forbids is passed over for the one above it.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _values = adapter.match(path, method="GET")
    except RequestRedirect:  # "/partenaires" is "/partenaires/"
        return None if path.endswith("/") else _page_answering_get(path + "/")
    except HTTPException:
        return None
    level = access_level_of(current_app.view_functions[endpoint])
    if current_user.is_authenticated and level is not None and not has_level(level):
        return None
    return request.script_root + path


def nearest_page(path: str) -> str:
    """The closest address above ``path`` that a GET answers, else the dashboard.

    The address left in the browser after a form (``/personnes/7/roles``) answers only
    POST; re-opening it should lead to the page the form was on, not to an error.
    """
    parts = [part for part in path.split("/") if part]
    while parts:
        parts.pop()
        found = _page_answering_get("/" + "/".join(parts)) if parts else None
        if found:
            return found
    return url_for("members.dashboard")


def _method_not_allowed(error: MethodNotAllowed) -> Response | tuple[str, int]:
    if request.method in {"GET", "HEAD"}:
        return redirect(nearest_page(request.path), code=303)
    return render_error(405)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
