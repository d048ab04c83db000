"""Signals sent after a service has committed, for the parts that react (scheduler, live views).

Receivers get the cohort id as the sender: `calendar_changed.connect(fn)` where
`fn(cohort_id: int, days: list[int]) -> None`. A receiver must not assume it runs in the
process that will fire the day's jobs: with several server processes it only hears its own.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A cohort was created (sender: cohort id). `tempo.app` connects the scheduler: its days get jobs.
cohort_created = _signals.signal("cohort-created")
#: A cohort's calendar moved or a counsellor opened, closed, paused or resumed it (sender: cohort
#: id; `days`: the day numbers concerned, empty for a pause or a resume). `tempo.app` connects
#: the scheduler, which re-plans its jobs.
calendar_changed = _signals.signal("calendar-changed")
