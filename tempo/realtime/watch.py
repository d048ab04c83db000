"""Team events recorded by another process reach this server's phones without a message queue.

The embedded default (one `tempo serve`, SQLite, no TEMPO_MESSAGE_QUEUE) has no channel from a
`tempo day unlock` / `tempo cohort pause` / `tempo recap` command (or a separate `tempo
scheduler`) to the connected phones. Those commands record their changes as versioned team
events (`team_event`, `team.version`), so the server only has to notice them: every
`EVENT_WATCH_SECONDS` it reads each team's version (one small query) and compares it with the
highest version it has itself sent (`Publisher.sent`). A team found behind on two consecutive
looks at the same version or later has events no one here published; they are read from the
log and published as if they had happened here (phones and dashboards, `mission.view` pushes
included). The second look leaves this process's own publishing, which follows its commit
immediately, the time to catch up; if it were late anyway, phones ignore an event whose version
they already have.

With a message queue the commands publish through it (`publish.external`) and the watcher is not
started; a `tempo serve --worker` always has a queue.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select

from tempo.extensions import db, socketio
from tempo.models import Team
from tempo.realtime.publish import Publisher, local
from tempo.services.play.teamlog import events_since

log = logging.getLogger("tempo.watch")


class EventWatch:
    """Publishes the team events other processes recorded (see the module's docstring)."""

    def __init__(self, app: Flask, publisher: Publisher = local) -> None:
        self.app = app
        self.publisher = publisher
        self.interval = float(app.config["EVENT_WATCH_SECONDS"])
        self.known: dict[int, int] = {}  # versions already in the log when watching began
        self.behind: dict[int, int] = {}  # teams behind at the last look, and their version
        self.stopped = threading.Event()

    def _versions(self) -> dict[int, int]:
        return {
            team_id: version
            for team_id, version in db.session.execute(select(Team.id, Team.version)).tuples()
        }

    def prime(self) -> None:
        """Take the log as it is now as already sent (nothing old is replayed)."""
        with self.app.app_context():
            self.known = self._versions()
            db.session.remove()

    def look(self) -> int:
        """One look at the teams' versions; publish what is missing. Returns the teams caught up."""
        caught = 0
        with self.app.app_context():
            try:
                versions = self._versions()
                behind: dict[int, int] = {}
                for team_id, version in versions.items():
                    # A team created after watching began (by a command) starts at version 0.
                    sent = max(self.known.get(team_id, 0), self.publisher.sent.get(team_id, 0))
                    if version <= sent:
                        continue
                    if team_id not in self.behind:
                        behind[team_id] = version  # maybe this process is publishing it now
                        continue
                    team = db.session.get(Team, team_id)
                    events = events_since(db.session(), team, sent) if team else None
                    self.known[team_id] = version
                    if events:
                        self.publisher.publish({team_id: events})
                        caught += 1
                self.behind = behind
            finally:
                db.session.remove()
        return caught

    def run(self) -> None:
        """Look every `interval` seconds until `stop` (a Socket.IO background task)."""
        while not self.stopped.is_set():
            socketio.sleep(self.interval)  # type: ignore[arg-type]  # stub says int; any number works
            try:
                if self.look():
                    log.debug("team events from another process sent")
            except Exception:  # a locked or restarting database: look again next time
                log.exception("watching the team events failed")

    def stop(self) -> None:
        """End the loop at its next wake-up."""
        self.stopped.set()


def start_watch(app: Flask) -> EventWatch | None:
    """Start watching in this server process, unless a message queue carries other processes'
    events or `EVENT_WATCH_SECONDS` is 0."""
    if app.config.get("MESSAGE_QUEUE") or float(app.config["EVENT_WATCH_SECONDS"]) <= 0:
        return None
    watch = EventWatch(app)
    watch.prime()
    socketio.start_background_task(watch.run)
    return watch
