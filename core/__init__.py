"""Maillage core: ``create_app`` builds the intranet."""

from core.app import create_app

__all__ = ["create_app"]
