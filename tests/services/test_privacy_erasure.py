"""Erasing a player leaves nothing of them anywhere under the instance; the statistics stay."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import inspect, select, text

from tempo.extensions import db
from tempo.models import (
    Booking,
    ClientAction,
    Cohort,
    DiagnosticAnswer,
    DiagnosticSession,
    MailStatus,
    Message,
    MessageRead,
    MissionProgress,
    MissionStatus,
    OutboundAttachment,
    OutboundEmail,
    Player,
    PlayerRecap,
    ShardEntry,
    Team,
    WrongAttempt,
    utcnow,
)
from tempo.services.content.games import cohort_game
from tempo.services.documents import exports
from tempo.services.play.proofs import photo_folder, store_photo
from tempo.services.play.teamlog import record_event
from tempo.services.privacy import export
from tempo.services.privacy.erasure import Folders, erase_player
from tempo.services.recaps import email_consent
from tempo.services.recaps.mailing import card_folder
from tests import factories
from tests.conftest import Demo

PSEUDO = "Zorglubette"
EMAIL = "zorglubette.secret@example.net"
ANSWER = "dort-chez-un-ami-zq"
TEAMMATE = "Quetzalina"


def folders(app: Flask) -> Folders:
    return Folders(photo_folder(app.config["TEMPO_CONFIG"].INSTANCE_DIR), card_folder(app))


def populate(app: Flask, demo: Demo) -> dict[str, Any]:
    """A player with every kind of data Tempo keeps, and a teammate."""
    demo.join(0, PSEUDO)
    demo.join(0, TEAMMATE)
    now = utcnow()
    s = db.session
    me = s.scalar(select(Player).where(Player.pseudonym == PSEUDO))
    mate = s.scalar(select(Player).where(Player.pseudonym == TEAMMATE))
    assert me is not None and mate is not None
    team = me.team
    cohort = s.get(Cohort, demo.cohort_id)
    assert cohort is not None
    email_consent.subscribe(s, me.id, EMAIL, True, now)
    pid = me.id
    run = DiagnosticSession(
        player_id=pid,
        scenario_version_id=cohort.scenario_version_id,
        started_at=now,
        updated_at=now,
        finished_at=now,
        scores={"logement": 3},
    )
    run.answers.append(DiagnosticAnswer(question_id="logement-1", value=ANSWER, answered_at=now))
    s.add(run)
    s.add(
        PlayerRecap(
            player_id=pid,
            team_id=team.id,
            cohort_id=cohort.id,
            day=1,
            data={"pseudonym": PSEUDO, "missions": []},
        )
    )
    mail = OutboundEmail(
        key=f"recap:player:{pid}:day:1",
        to_address=EMAIL,
        subject=f"Ton récap, {PSEUDO}",
        text_body=f"Bonjour {PSEUDO}",
        html_body=f"<p>Bonjour {PSEUDO}</p>",
        status=MailStatus.SENT,
        next_attempt_at=now,
        sent_at=now,
    )
    mail.attachments.append(
        OutboundAttachment(filename="carte.png", content_type="image/png", data=PSEUDO.encode())
    )
    s.add(mail)
    s.add(
        OutboundEmail(
            key="recap:digest:cohort:1:day:1:staff:1",
            to_address="c@example.org",
            subject="Digest",
            text_body=f"À relancer : {PSEUDO}, {TEAMMATE}.",
            status=MailStatus.SENT,
            next_attempt_at=now,
            sent_at=now,
        )
    )
    folder = photo_folder(app.config["TEMPO_CONFIG"].INSTANCE_DIR)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    photo = store_photo(buffer, folder, max_pixels=10_000_000)
    mission_id = next(iter(cohort_game(cohort).missions))
    progress = s.scalar(
        select(MissionProgress).where(
            MissionProgress.team_id == team.id, MissionProgress.mission_id == mission_id
        )
    ) or MissionProgress(team_id=team.id, mission_id=mission_id, state={})
    s.add(progress)
    progress.status = MissionStatus.DONE
    progress.completed_at = now
    progress.completed_by_id = pid
    progress.state = {
        "status": "accepted",
        "submission": {"by": str(pid), "text": f"moi {PSEUDO}", "photo": photo},
    }
    s.add(
        ShardEntry(
            team_id=team.id,
            player_id=pid,
            mission_id=progress.mission_id,
            amount=7,
            reason="mission",
        )
    )
    team.shards += 7
    record_event(
        s, team, "mission.completed", {"mission": progress.mission_id, "by": str(pid)}, now, pid
    )
    s.add(
        ClientAction(
            team_id=team.id,
            client_action_id="x1",
            player_id=pid,
            reply={"me": {"id": pid, "pseudonym": PSEUDO}},
        )
    )
    s.add(WrongAttempt(team_id=team.id, player_id=pid, mission_id="m", at=now))
    staff = factories.staff(s)
    s.add(
        Booking(
            player_id=pid,
            cohort_id=cohort.id,
            staff_id=staff.id,
            mission_id="rdv",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, minutes=30),
            place="Mission Locale",
            token="tok-zorg",
        )
    )
    to_team = Message(
        cohort_id=cohort.id,
        team_id=team.id,
        author_name="Conseillère",
        body=f"Bravo {PSEUDO} et {TEAMMATE} !",
    )
    to_me = Message(
        cohort_id=cohort.id,
        player_id=pid,
        author_name="Conseillère",
        body="Un mot pour toi seul·e.",
    )
    s.add_all([to_team, to_me])
    s.flush()
    s.add_all(
        [
            MessageRead(message_id=to_team.id, player_id=pid),
            MessageRead(message_id=to_me.id, player_id=pid),
            MessageRead(message_id=to_team.id, player_id=mate.id),
        ]
    )
    s.commit()
    return {"pid": pid, "mate": mate.id, "team": team.id, "photo": folder / photo}


def team_totals(cohort_id: int, team_id: int) -> tuple[str, str, str]:
    """(missions done, éclats balance, éclats earned) of a team in the teams CSV."""
    cohort = db.session.get(Cohort, cohort_id)
    assert cohort is not None
    name = db.session.get(Team, team_id).name  # type: ignore[union-attr]
    rows = list(
        csv.reader(
            io.StringIO(
                exports.teams_csv(exports.cohort_stats(db.session, cohort, utcnow())).decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    header, row = rows[0], next(r for r in rows[1:] if r[1] == name)
    pick = [header.index(h) for h in ("Missions réussies", "Éclats (solde)", "Éclats gagnés")]
    return row[pick[0]], row[pick[1]], row[pick[2]]


def database_dump() -> str:
    """Every value of every row of every table, as text."""
    engine = db.engine
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out.append(bytes(value).decode("latin-1"))
                    else:
                        out.append(str(value))
    return "\n".join(out)


def files_holding(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for base, _dirs, names in os.walk(root):
        for name in names:
            path = Path(base) / name
            data = path.read_bytes()
            if any(n in data or n in name.encode() for n in needles):
                found.append(str(path))
    return found


def test_erasure_leaves_nothing_of_the_player_and_keeps_the_statistics(
    app: Flask, demo: Demo
) -> None:
    with app.app_context():
        ids = populate(app, demo)
        before = team_totals(demo.cohort_id, ids["team"])
        assert PSEUDO in database_dump() and EMAIL in database_dump()
        assert ids["photo"].is_file()

        erased = erase_player(db.session, ids["pid"], folders(app), utcnow())
        db.session.remove()

        assert erased.photos == 1 and erased.team_id == ids["team"]
        dump = database_dump()
        for needle in (PSEUDO, EMAIL, ANSWER, ids["photo"].name):
            assert needle not in dump, needle
        assert TEAMMATE in dump  # a teammate's data is theirs: kept
        assert not ids["photo"].exists()
        assert db.session.get(Player, ids["pid"]) is None
        assert team_totals(demo.cohort_id, ids["team"]) == before
        instance = app.config["TEMPO_CONFIG"].INSTANCE_DIR
        assert files_holding(instance, [PSEUDO.encode(), EMAIL.encode(), ANSWER.encode()]) == []


def test_the_export_holds_the_player_and_not_a_teammate(app: Flask, demo: Demo) -> None:
    with app.app_context():
        ids = populate(app, demo)
        me = db.session.get(Player, ids["pid"])
        assert me is not None
        data = export.player_data(db.session, me, utcnow())
        raw = export.data_json(data).decode()
        for needle in (
            PSEUDO,
            EMAIL,
            ANSWER,
            ids["photo"].name,
            "Mission Locale",
            "Un mot pour toi seul·e.",
        ):
            assert needle in raw, needle
        assert TEAMMATE not in raw.replace(f"Bravo {PSEUDO} et {TEAMMATE} !", "")
        assert data["email"]["sent"][0]["to"] == EMAIL
        pdf = export.data_pdf(data, utcnow())
        assert pdf.startswith(b"%PDF")
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        page_text = "".join(
            document[i].get_textpage().get_text_range() for i in range(len(document))
        )
        assert PSEUDO in page_text and ANSWER in page_text
        bitmap = document[0].render(scale=0.5).to_pil().convert("L")
        assert bitmap.getextrema()[0] < 128  # ink on the page: not blank
        zipped = export.data_zip(data, utcnow(), ids["photo"].parent)
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
        assert f"photos/{ids['photo'].name}" in names and "mes-donnees.pdf" in names


def test_withdrawing_consent_deletes_the_players_mail(app: Flask, demo: Demo) -> None:
    """Sent or queued, the player's e-mails lose address and body when they withdraw."""
    with app.app_context():
        ids = populate(app, demo)
        assert email_consent.withdraw(db.session, ids["pid"]) is True
        dump = database_dump()
        assert EMAIL not in dump
        assert f"Bonjour {PSEUDO}" not in dump  # the recap's body went with it
        assert "À relancer" in dump  # the counsellor's digest is theirs
