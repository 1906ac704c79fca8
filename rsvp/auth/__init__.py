"""Organiser accounts, per-event roles and the /manage entry: login, passwords, teams."""
