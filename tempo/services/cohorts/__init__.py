"""Cohorts: creation and settings, and the counsellor's live dashboard."""
