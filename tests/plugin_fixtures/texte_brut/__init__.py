"""Sections from templates that Flask would not escape by their name (``.txt``, none), and
one kept for coordinators."""
