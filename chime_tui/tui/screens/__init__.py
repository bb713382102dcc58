"""Screens: connector picker, session list, session detail, help, open by ID."""
