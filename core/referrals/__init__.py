"""Referrals (orientations) to partners' services: one engine for the core and every plugin."""
