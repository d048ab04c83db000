"""The cohort's state sentence of the console's headers, computed by the cohorts service."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from tempo.extensions import db
from tempo.models import CohortStatus
from tempo.services.cohorts.state import cohort_state, hhmm
from tests import factories


def test_before_and_at_the_first_unlock(app: Flask) -> None:
    """Day 1 announced with its date and hour; once its hour is past, the opening is pending."""
    with app.app_context(), app.test_request_context():
        cohort = factories.cohort(db.session)
        day1 = cohort.days[0]
        hour = hhmm(day1.unlock_at, cohort.timezone)
        before = cohort_state(cohort, day1.unlock_at - timedelta(hours=1))
        assert before == f"Jour 1 le lundi 23 mars 2026 à {hour}"
        assert cohort_state(cohort, day1.unlock_at) == f"{before} (ouverture en attente)"


def test_open_days_paused_and_finished(app: Flask) -> None:
    """Several open days are listed; a pause is said; every day past, then finished."""
    with app.app_context(), app.test_request_context():
        cohort = factories.cohort(db.session)
        at = cohort.days[0].unlock_at
        for day in cohort.days[:3]:
            day.unlocked_at = at
        cohort.status = CohortStatus.PAUSED
        assert cohort_state(cohort, at) == (
            "Jours 1, 2 et 3 ouverts, prochain bilan (jour 1) le lundi 23 mars 2026 à 17:00"
            " (en pause)"
        )
        cohort.status = CohortStatus.RUNNING
        for day in cohort.days:
            day.unlocked_at, day.closed_at = at, day.recap_at
        assert cohort_state(cohort, at) == "Tous les jours de jeu sont passés"
        cohort.status = CohortStatus.FINISHED
        assert cohort_state(cohort, at) == "Terminée"
