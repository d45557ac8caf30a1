"""Sections from templates that Flask would not escape by their name (``.txt``, none)."""
