from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field

from core.auth import known_devices, passwords, reset_tokens, sessions, throttle
from core.auth.accounts import Account
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


def _throttled(page: str, form: FlaskForm, field: Field, refusal: throttle.TooManyAttempts,
               **context: object) -> Response:
    add_error(field, refusal.message)
    response = make_response(render_template(page, form=form, **context), 429)
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


def _start_attempt(kind: str, email: str, *, trusted_device: bool = True) -> throttle.LoginAttempt:
    subject = throttle.subject_key(email)
    known = trusted_device and known_devices.is_known(subject)
    return throttle.start_attempt(kind, _client_address(), email, known_device=known)


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
            try:
                attempt = _start_attempt("login", email)
            except throttle.TooManyAttempts as refusal:
                current_app.logger.warning("login throttled for address %s", _client_address())
                return _throttled("auth/login.html", form, form.email, refusal, next=_next_url())
            account = find_account(email)
            # The attempt is counted: commit now, so that SQLite's write lock is not held
            # during the deliberately slow hash check (logins would queue behind each other).
            session.commit()
            # Always verify a hash, so an unknown email costs the same time as a known one.
            valid = passwords.verify_password(
                account.password_hash if account else None, form.password.data
            )
            if account is not None and valid and account.is_active:
                return _log_in(account, attempt, form.password.data)
            add_error(form.password, BAD_CREDENTIALS)
    return render_template("auth/login.html", form=form, next=_next_url()), status


def _log_in(account: Account, attempt: throttle.LoginAttempt, password: str) -> Response:
    throttle.mark_succeeded(attempt)
    if passwords.needs_rehash(account.password_hash or ""):
        account.password_hash = passwords.hash_password(password)
    account.last_login_at = utcnow()
    sessions.open_session(account)
    session.commit()
    cookie_session.clear()
    login_user(account)
    target = _next_url()
    if target:  # the dashboard greets by name in its heading: say it only elsewhere
        flash(f"Bonjour {account.person.first_name} !", "success")
    response = redirect(target or url_for("members.dashboard"), code=303)
    known_devices.remember(response, attempt.subject)
    return response


@bp.post("/logout")
@access(Level.AUTHENTICATED)
def logout() -> Response:
    if current_user.current_session is not None:
        sessions.end_session(current_user, current_user.current_session.id)
        session.commit()
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
    # Every request counts against the limit: it is the mailbox being protected.
    try:
        _start_attempt("reset", email)
    except throttle.TooManyAttempts as refusal:
        return _throttled("auth/forgotten.html", form, form.email, refusal)
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
    # Whoever was logged in with the old password (a thief, say) is logged out.
    sessions.end_sessions(account.id)
    email = account.person.email or ""
    throttle.forgive_login_failures(email)
    session.commit()
    logout_user()
    flash("Votre mot de passe est enregistré. Vous pouvez vous connecter.", "success")
    response = see_other("auth.login")
    # Holding the mailbox is proof enough: this browser is the owner's from now on.
    known_devices.remember(response, throttle.subject_key(email))
    return response


def _account_page(form: ChangePasswordForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "auth/account.html", form=form, open_sessions=sessions.sessions_of(current_user)
    ), status


@bp.get("/compte")
@access(Level.AUTHENTICATED)
def my_account() -> tuple[str, int]:
    return _account_page(ChangePasswordForm())


@bp.post("/compte/mot-de-passe")
@access(Level.AUTHENTICATED)
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if not form.validate():
        return _account_page(form, INVALID_FORM_STATUS)
    account = session.get(Account, current_user.id)
    assert account is not None
    # Guessing the current password from a stolen session is rate-limited like a login,
    # and shares the account's budget of failures. A stolen session may come with the
    # known-device cookie: it does not spend the owner's separate budget.
    try:
        attempt = _start_attempt("login", account.person.email or "", trusted_device=False)
    except throttle.TooManyAttempts as refusal:
        return _throttled("auth/account.html", form, form.current, refusal,
                          open_sessions=sessions.sessions_of(current_user))
    if not passwords.verify_password(account.password_hash, form.current.data):
        session.commit()  # the failure is already counted
        add_error(form.current, "Mot de passe actuel incorrect.")
        return _account_page(form, INVALID_FORM_STATUS)
    throttle.mark_succeeded(attempt)
    account.password_hash = passwords.hash_password(form.password.data)
    # Other browsers still logged in with the old password are logged out.
    sessions.end_sessions(account.id, keep=current_user.current_session)
    session.commit()
    flash("Mot de passe modifié. Vos autres appareils ont été déconnectés.", "success")
    return see_other("auth.my_account")


@bp.post("/compte/appareils/<int:session_id>/deconnecter")
@access(Level.AUTHENTICATED)
def end_session(session_id: int) -> Response:
    """Log one of one's devices out (another account's session answers 404)."""
    if not sessions.end_session(current_user, session_id):
        abort(404)
    session.commit()
    current = current_user.current_session
    if current is not None and current.id == session_id:
        logout_user()
        cookie_session.clear()
        flash("Vous êtes déconnecté·e.", "info")
        return see_other("auth.login")
    flash("Cet appareil est déconnecté.", "success")
    return see_other("auth.my_account")


@bp.post("/compte/appareils/deconnecter")
@access(Level.AUTHENTICATED)
def end_all_sessions() -> Response:
    """Every session of the account ends, this one too: after a loss or a theft, one
    logs in again on the devices one still holds."""
    sessions.end_sessions(current_user.id)
    session.commit()
    logout_user()
    cookie_session.clear()
    flash("Vous êtes déconnecté·e de tous vos appareils.", "info")
    return see_other("auth.login")
