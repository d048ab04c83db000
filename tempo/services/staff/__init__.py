"""Counsellor and author accounts."""
