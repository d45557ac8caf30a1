"""Accounts, login, password links and permissions."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.auth.accounts import Account
from core.auth.views import bp
from core.database import session

__all__ = ["Account", "bp", "init_app"]


def _load_account(cookie_id: str) -> Account | None:
    account_id, _, token = cookie_id.partition(":")
    if not account_id.isdigit() or not token:
        return None
    account = session.scalar(
        select(Account).options(joinedload(Account.person)).where(Account.id == int(account_id))
    )
    if account is None or account.session_token != token or not account.is_active:
        return None
    return account


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Connectez-vous pour accéder à cette page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(_load_account)
