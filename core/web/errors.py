"""French error pages; never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
