"""Cohorts: creation and settings, their state sentence, and the counsellor's live dashboard."""
