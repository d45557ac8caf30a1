from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, Length

from core.auth.passwords import MAX_LENGTH, MIN_LENGTH
from core.web.forms import email_address, max_length, required

PASSWORD_LENGTH_MESSAGE = (
    f"Le mot de passe doit compter entre {MIN_LENGTH} et {MAX_LENGTH} caractères."
)


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[required(), max_length(254)])
    password = PasswordField("Mot de passe", validators=[required(), max_length(MAX_LENGTH)])


class ForgottenPasswordForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[required(), *email_address()])


def _new_password() -> PasswordField:
    return PasswordField(
        "Nouveau mot de passe",
        description=f"Au moins {MIN_LENGTH} caractères.",
        validators=[
            required(),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )


def _confirmation() -> PasswordField:
    return PasswordField(
        "Confirmer le mot de passe",
        validators=[required(), EqualTo("password", message="Les deux mots de passe diffèrent.")],
    )


class NewPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _confirmation()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Mot de passe actuel", validators=[required(), max_length(MAX_LENGTH)]
    )
    password = _new_password()
    confirm = _confirmation()
