"""What an action reads along with its team on SQLite agrees with the separate statements."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from tempo.extensions import db
from tempo.infra.prepared import PreparedSqlite
from tempo.models import MissionProgress, Player, utcnow
from tempo.services.play import actions
from tests.conftest import Demo
from tests.realtime.helpers import first_of_type


def test_the_lock_statement_reads_the_missions_and_wrong_answers_as_their_own_would(
    app: Flask, demo: Demo
) -> None:
    """After a success, wrong answers and a re-dealt row without start: the missions' rows and
    the n-th recent wrong answers read by `_LOCK_TEAM_SQLITE` equal `_progress_of` and
    `_RECENT_WRONG`."""
    code = demo.join(0, "Alice")
    enigma = first_of_type("enigma")
    now = utcnow()
    with app.app_context():
        session = db.session()
        player = session.scalar(select(Player).where(Player.rejoin_code == code))
        assert player is not None
        team_id = player.team_id
        for i in range(3):
            actions.perform(session, player, f"w{i}", enigma.id, "answer", {"answer": "non"}, now)
        actions.perform(
            session, player, "ok", enigma.id, "answer", {"answer": enigma.params["answers"][0]}, now
        )
        # A row a re-deal wrote before any play: no start, no completion.
        session.add(MissionProgress(team_id=team_id, mission_id="redealt", state={"k": [1, "é"]}))
        session.commit()
        if db.engine.dialect.name != "sqlite":
            return  # PostgreSQL runs the separate statements only
        limits = actions.Limits(per_player=2, per_team=3)
        params = {"player_id": player.id, "now": now, "client_action_id": "none"}
        window = actions._wrong_window(now + timedelta(seconds=1), limits)
        connection = session.connection()
        row = connection.execute(actions._LOCK_TEAM_SQLITE, {**params, **window}).one()
        # The action runs it on the DBAPI cursor (tempo.infra.prepared): the same row.
        prepared = PreparedSqlite(connection)
        assert prepared._shape(actions._LOCK_TEAM_SQLITE, {**params, **window}) is not None
        assert prepared.execute(actions._LOCK_TEAM_SQLITE, {**params, **window}).one() == row
        records, rows = actions._progress_of(connection, team_id)
        assert actions._progress_in(row.progress) == (records, rows)
        assert rows["redealt"].started is False and rows[enigma.id].completed is True
        assert records[enigma.id].completed_by == str(player.id)
        separate = connection.execute(
            actions._RECENT_WRONG, {"player_id": player.id, "team_id": team_id, **window}
        ).one()
        assert (row.wrong_player, row.wrong_team) == tuple(separate)
        assert row.wrong_player is not None and row.wrong_player.tzinfo is not None
        # And the wait they give is the same whichever way they were read.
        assert actions._retry_after(connection, row, player.id, now, limits) == (
            actions._retry_after(connection, _Team(team_id), player.id, now, limits)
        )
        session.rollback()


class _Team:
    """A team row as PostgreSQL's lock statement returns it (no wrong answers read along)."""

    _fields = ("id",)

    def __init__(self, team_id: int) -> None:
        self.id = team_id
