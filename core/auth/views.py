from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth import passwords, reset_tokens, throttle
from core.auth.accounts import Account, new_session_token
from core.auth.forms import ChangePasswordForm, ForgottenPasswordForm, LoginForm, NewPasswordForm
from core.auth.permissions import Level, access
from core.database import session, utcnow
from core.mail import send_mail
from core.members.people import Person
from core.web.forms import INVALID_FORM_STATUS, add_error
from core.web.security import is_safe_redirect
from core.web.views import external_url, see_other

bp = Blueprint("auth", __name__, template_folder="templates")

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
TOO_MANY = "Trop de tentatives en peu de temps. Réessayez dans quelques minutes."
RESET_SENT = (
    "Si un compte correspond à cette adresse, un e-mail vient d'être envoyé avec un lien "
    "pour choisir un mot de passe. Pensez à regarder dans les indésirables."
)


def _client_address() -> str:
    return (request.remote_addr or "inconnue")[:64]


def _next_url() -> str | None:
    target = request.values.get("next")
    return target if is_safe_redirect(target) else None


def find_account(email: str) -> Account | None:
    return session.scalar(
        select(Account).join(Person).where(Person.email == email.strip().lower())
    )


@bp.route("/login", methods=["GET", "POST"])
@access(Level.PUBLIC)
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_next_url() or url_for("members.dashboard"))
    form = LoginForm()
    status = 200
    if form.is_submitted():
        status = INVALID_FORM_STATUS
        if form.validate():
            email = form.email.data.strip().lower()
            address = _client_address()
            attempt = throttle.start_attempt("login", address, email)
            if attempt is None:
                current_app.logger.warning("login throttled for address %s", address)
                add_error(form.email, TOO_MANY)
                return render_template("auth/login.html", form=form, next=_next_url()), 429
            account = find_account(email)
            # The attempt is counted: commit now, so that SQLite's write lock is not held
            # during the deliberately slow hash check (logins would queue behind each other).
            session.commit()
            # Always verify a hash, so an unknown email costs the same time as a known one.
            valid = passwords.verify_password(
                account.password_hash if account else None, form.password.data
            )
            if account is not None and valid and account.is_active:
                throttle.mark_succeeded(attempt)
                if passwords.needs_rehash(account.password_hash or ""):
                    account.password_hash = passwords.hash_password(form.password.data)
                account.last_login_at = utcnow()
                session.commit()
                cookie_session.clear()
                login_user(account)
                flash(f"Bonjour {account.person.first_name} !", "success")
                return redirect(_next_url() or url_for("members.dashboard"), code=303)
            add_error(form.password, BAD_CREDENTIALS)
    return render_template("auth/login.html", form=form, next=_next_url()), status


@bp.post("/logout")
@access(Level.AUTHENTICATED)
def logout() -> Response:
    logout_user()
    cookie_session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return see_other("auth.login")


def send_password_link(account: Account, *, invitation: bool) -> None:
    token = reset_tokens.issue_token(account)
    link = external_url("auth.reset_password", token=token)
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    if invitation:
        subject = "Votre accès à l'intranet Maillage"
        intro = "Un compte a été ouvert pour vous sur l'intranet Maillage du collectif."
    else:
        subject = "Choisir un nouveau mot de passe Maillage"
        intro = "Une demande de nouveau mot de passe a été faite pour votre compte Maillage."
    body = (
        f"Bonjour {account.person.first_name},\n\n{intro}\n"
        f"Pour choisir votre mot de passe, ouvrez ce lien (valable {minutes} minutes, "
        f"une seule fois) :\n\n{link}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"
    )
    send_mail(account.person.email or "", subject, body)


@bp.route("/mot-de-passe/oublie", methods=["GET", "POST"])
@access(Level.PUBLIC)
def forgotten_password() -> Response | tuple[str, int]:
    form = ForgottenPasswordForm()
    if not form.is_submitted():
        return render_template("auth/forgotten.html", form=form), 200
    if not form.validate():
        return render_template("auth/forgotten.html", form=form), INVALID_FORM_STATUS
    email = form.email.data.strip().lower()
    address = _client_address()
    # Every request counts against the limit: it is the mailbox being protected.
    if throttle.start_attempt("reset", address, email) is None:
        add_error(form.email, TOO_MANY)
        return render_template("auth/forgotten.html", form=form), 429
    account = find_account(email)
    if account is not None and account.person.active:
        send_password_link(account, invitation=False)
    session.commit()
    flash(RESET_SENT, "info")
    return see_other("auth.login")


@bp.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
@access(Level.PUBLIC)
def reset_password(token: str) -> Response | tuple[str, int]:
    if reset_tokens.find_valid_token(token) is None:
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    if not form.is_submitted():
        return render_template("auth/reset.html", form=form), 200
    if not form.validate():
        return render_template("auth/reset.html", form=form), INVALID_FORM_STATUS
    account = reset_tokens.consume_token(token)
    if account is None:
        session.rollback()
        return render_template("auth/link_invalid.html"), 404
    account.password_hash = passwords.hash_password(form.password.data)
    account.session_token = new_session_token()
    throttle.forgive_login_failures(account.person.email or "")
    session.commit()
    logout_user()
    flash("Votre mot de passe est enregistré. Vous pouvez vous connecter.", "success")
    return see_other("auth.login")


@bp.get("/compte")
@access(Level.AUTHENTICATED)
def my_account() -> str:
    return render_template("auth/account.html", form=ChangePasswordForm())


@bp.post("/compte/mot-de-passe")
@access(Level.AUTHENTICATED)
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if not form.validate():
        return render_template("auth/account.html", form=form), INVALID_FORM_STATUS
    account = session.get(Account, current_user.id)
    assert account is not None
    # Guessing the current password from a stolen session is rate-limited like a login,
    # and shares the account's budget of failures.
    attempt = throttle.start_attempt("login", _client_address(), account.person.email or "")
    if attempt is None:
        add_error(form.current, TOO_MANY)
        return render_template("auth/account.html", form=form), 429
    if not passwords.verify_password(account.password_hash, form.current.data):
        session.commit()  # the failure is already counted
        add_error(form.current, "Mot de passe actuel incorrect.")
        return render_template("auth/account.html", form=form), INVALID_FORM_STATUS
    throttle.mark_succeeded(attempt)
    account.password_hash = passwords.hash_password(form.password.data)
    # Other browsers still logged in with the old password are logged out.
    account.session_token = new_session_token()
    session.commit()
    login_user(account)
    flash("Mot de passe modifié.", "success")
    return see_other("auth.my_account")
