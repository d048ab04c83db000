"""Signals sent after a service has committed, for the parts that react (scheduler, live views).

Receivers get the cohort id as the sender: `calendar_changed.connect(fn)` where
`fn(cohort_id: int, days: list[int]) -> None`. A receiver must not assume it runs in the
process that will fire the day's jobs: with several server processes it only hears its own.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A cohort was created (sender: cohort id).
cohort_created = _signals.signal("cohort-created")
#: Some days of a cohort's calendar moved (sender: cohort id; `days`: the day numbers).
calendar_changed = _signals.signal("calendar-changed")
