"""Reusable widgets of the portal."""
