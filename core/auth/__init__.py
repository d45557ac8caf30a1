"""Accounts, login, server-side sessions, password links and permissions."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from core.auth.accounts import Account
from core.auth.sessions import load_account
from core.auth.views import bp

__all__ = ["Account", "bp", "init_app"]


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Connectez-vous pour accéder à cette page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_account)
