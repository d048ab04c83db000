"""A player's data, everything Tempo holds about them: as JSON, as a readable PDF, as a zip.

The export is what the player (from their journal) or their counsellor (from the console) hands
over on a right-of-access request. It holds only this player's rows and the team facts that name
them (their actions in the team log, their proofs); never a teammate's data.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tempo.models import (
    Booking,
    DiagnosticSession,
    Message,
    MessageRead,
    OutboundEmail,
    Player,
    PlayerRecap,
    ShardEntry,
    TeamEvent,
    WrongAttempt,
)
from tempo.services.documents.printing import (
    BRAND,
    MARGIN,
    MUTED,
    PAGE_H,
    PAGE_W,
    WHITE,
    Document,
    french_datetime,
)
from tempo.services.privacy.erasure import player_photos
from tempo.services.recaps.mailing import player_key

WIDTH = PAGE_W - 2 * MARGIN
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
BOTTOM = PAGE_H - 16


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def player_data(session: Session, player: Player, now: datetime) -> dict[str, Any]:
    """Everything Tempo holds about `player`, as a JSON-ready document."""
    team = player.team
    cohort = team.cohort
    pid = player.id
    runs = session.scalars(
        select(DiagnosticSession)
        .where(DiagnosticSession.player_id == pid)
        .order_by(DiagnosticSession.started_at)
    ).all()
    recaps = session.scalars(
        select(PlayerRecap).where(PlayerRecap.player_id == pid).order_by(PlayerRecap.day)
    ).all()
    reads = session.execute(
        select(MessageRead, Message)
        .join(Message, Message.id == MessageRead.message_id)
        .where(MessageRead.player_id == pid)
        .order_by(MessageRead.read_at)
    ).all()
    events = session.scalars(
        select(TeamEvent)
        .where(TeamEvent.team_id == team.id, TeamEvent.player_id == pid)
        .order_by(TeamEvent.version)
    ).all()
    bookings = session.scalars(
        select(Booking).where(Booking.player_id == pid).order_by(Booking.starts_at)
    ).all()
    shards = session.scalars(
        select(ShardEntry).where(ShardEntry.player_id == pid).order_by(ShardEntry.id)
    ).all()
    wrong = session.scalars(
        select(WrongAttempt).where(WrongAttempt.player_id == pid).order_by(WrongAttempt.at)
    ).all()
    keys = [player_key(pid, r.day) for r in recaps]
    mail_filter = [OutboundEmail.key.in_(keys)] if keys else []
    mail_filter += [OutboundEmail.key.like(f"booking:{b.id}:%") for b in bookings]
    mails = (
        session.scalars(
            select(OutboundEmail).where(or_(*mail_filter)).order_by(OutboundEmail.created_at)
        ).all()
        if mail_filter
        else []
    )
    return {
        "exported_at": now.isoformat(),
        "player": {
            "id": pid,
            "pseudonym": player.pseudonym,
            "first_name": player.first_name,
            "rejoin_code": player.rejoin_code,
            "absent": player.absent,
            "joined_at": _when(player.joined_at),
            "last_seen_at": _when(player.last_seen_at),
        },
        "team": {"name": team.name, "join_code": team.join_code},
        "cohort": {
            "name": cohort.name,
            "start_date": cohort.start_date.isoformat(),
            "status": str(cohort.status),
            "timezone": cohort.timezone,
        },
        "email": {
            "address": player.email,
            "consent": player.email_consent,
            "consent_at": _when(player.email_consent_at),
            "sent": [
                {
                    "subject": m.subject,
                    "to": m.to_address,
                    "status": str(m.status),
                    "queued_at": _when(m.created_at),
                    "sent_at": _when(m.sent_at),
                }
                for m in mails
            ],
        },
        "actions": [
            {
                "version": e.version,
                "type": e.type,
                "at": _when(e.created_at),
                "mission": e.payload.get("mission"),
            }
            for e in events
        ],
        "shards": [
            {
                "amount": s.amount,
                "reason": s.reason,
                "mission": s.mission_id,
                "at": _when(s.created_at),
            }
            for s in shards
        ],
        "wrong_answers": [{"mission": w.mission_id, "at": _when(w.at)} for w in wrong],
        "proof_photos": player_photos(session, player),
        "diagnostic": [
            {
                "started_at": _when(r.started_at),
                "finished_at": _when(r.finished_at),
                "mission": r.mission_id,
                "scores": r.scores,
                "answers": [
                    {"question": a.question_id, "value": a.value, "at": _when(a.answered_at)}
                    for a in r.answers
                ],
            }
            for r in runs
        ],
        "journal": [{"day": r.day, "recap": r.data, "at": _when(r.created_at)} for r in recaps],
        "bookings": [
            {
                "starts_at": _when(b.starts_at),
                "ends_at": _when(b.ends_at),
                "place": b.place,
                "counsellor": b.counsellor.display_name,
                "status": str(b.status),
                "booked_at": _when(b.created_at),
            }
            for b in bookings
        ],
        "messages_read": [
            {
                "from": m.author_name,
                "body": m.body,
                "sent_at": _when(m.created_at),
                "read_at": _when(r.read_at),
            }
            for r, m in reads
        ],
    }


def data_json(data: dict[str, Any]) -> bytes:
    """The export as pretty UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


#: The PDF's sections: the export's key and its French title.
def _sections() -> list[tuple[str, str]]:
    return [
        ("player", _("Moi")),
        ("team", _("Mon équipe")),
        ("cohort", _("Ma session")),
        ("email", _("Mon e-mail et mon accord")),
        ("actions", _("Mes actions dans le jeu")),
        ("shards", _("Éclats d'avenir gagnés ou dépensés")),
        ("wrong_answers", _("Mauvaises réponses")),
        ("proof_photos", _("Mes photos de preuve")),
        ("diagnostic", _("Mes auto-diagnostics et mes réponses")),
        ("journal", _("Mon journal de bord")),
        ("bookings", _("Mes rendez-vous")),
        ("messages_read", _("Messages lus")),
    ]


def _labels() -> dict[str, str]:
    """The export's keys as the PDF names them."""
    return {
        "id": _("numéro"),
        "pseudonym": _("pseudo"),
        "first_name": _("prénom"),
        "rejoin_code": _("code personnel"),
        "absent": _("absent·e"),
        "joined_at": _("arrivée"),
        "last_seen_at": _("dernière visite"),
        "name": _("nom"),
        "join_code": _("code d'équipe"),
        "start_date": _("début"),
        "status": _("état"),
        "address": _("adresse"),
        "consent": _("accord"),
        "consent_at": _("accord donné le"),
        "sent": _("e-mails"),
        "subject": _("objet"),
        "to": _("à"),
        "queued_at": _("préparé le"),
        "sent_at": _("envoyé le"),
        "version": _("numéro dans le journal de l'équipe"),
        "type": _("action"),
        "at": _("le"),
        "mission": _("mission"),
        "amount": _("éclats"),
        "reason": _("raison"),
        "started_at": _("commencé le"),
        "finished_at": _("terminé le"),
        "scores": _("scores par thème"),
        "answers": _("réponses"),
        "question": _("question"),
        "value": _("réponse"),
        "day": _("jour"),
        "recap": _("récap"),
        "ends_at": _("fin"),
        "starts_at": _("début"),
        "place": _("lieu"),
        "counsellor": _("conseiller ou conseillère"),
        "booked_at": _("réservé le"),
        "from": _("de"),
        "body": _("message"),
        "read_at": _("lu le"),
        "timezone": _("fuseau horaire"),
    }


def _lines(value: Any, tz: str, indent: str = "") -> list[str]:
    """A JSON value as readable lines (« clé : valeur »)."""
    if isinstance(value, dict):
        labels = _labels()
        out = []
        for key, item in value.items():
            label = labels.get(key, key)
            if isinstance(item, dict | list) and item:
                out.append(f"{indent}{label} :")
                out += _lines(item, tz, indent + "    ")
            else:
                out.append(f"{indent}{label} : {_scalar(item, tz)}")
        return out
    if isinstance(value, list):
        if not value:
            return [f"{indent}{_('(rien)')}"]
        out = []
        for number, item in enumerate(value, 1):
            if isinstance(item, dict | list):
                out.append(f"{indent}#{number}")
                out += _lines(item, tz, indent + "    ")
            else:
                out.append(f"{indent}• {_scalar(item, tz)}")
        return out
    return [f"{indent}{_scalar(value, tz)}"]


def _scalar(value: Any, tz: str) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    if isinstance(value, str) and _ISO.match(value):
        moment = datetime.fromisoformat(value)
        return french_datetime(moment, tz) if moment.tzinfo else value
    return str(value)


def data_pdf(data: dict[str, Any], now: datetime) -> bytes:
    """The export as a readable A4 PDF, section by section."""
    name = str(data["player"]["pseudonym"])
    tz = str(data["cohort"].get("timezone") or "Europe/Paris")
    doc = Document(
        _("Données de %(name)s", name=name), _("Mes données Tempo — %(name)s", name=name), now
    )
    doc.add_page()
    doc.band(0, 28)
    doc.line_of(MARGIN, 5, WIDTH, _("Mes données Tempo"), 22, bold=True, color=WHITE)
    doc.line_of(
        MARGIN,
        16,
        WIDTH,
        _("%(name)s · exportées le %(day)s", name=name, day=now.date()),
        10.5,
        color=WHITE,
    )
    y = 34.0
    y = (
        doc.paragraph(
            MARGIN,
            y,
            WIDTH,
            _(
                "Tout ce que Tempo garde à ton sujet. Le fichier JSON joint contient les mêmes "
                "données."
            ),
            9.5,
            color=MUTED,
        )
        + 3
    )
    for key, title in _sections():
        if y + 14 > BOTTOM:
            doc.add_page()
            y = MARGIN
        doc.line_of(MARGIN, y, WIDTH, title, 12.5, bold=True, color=BRAND)
        y += 8
        for line in _lines(data.get(key), tz):
            height = doc.paragraph_height(WIDTH, line, 8.5)
            if y + height > BOTTOM:
                doc.add_page()
                y = MARGIN
            y = doc.paragraph(MARGIN, y, WIDTH, line, 8.5)
        y += 3
    return doc.to_bytes()


def data_zip(data: dict[str, Any], now: datetime, photos: Path) -> bytes:
    """The JSON, the PDF and the player's proof photos in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mes-donnees.json", data_json(data))
        archive.writestr("mes-donnees.pdf", data_pdf(data, now))
        for name in data["proof_photos"]:
            path = photos / name
            if path.is_file():
                archive.write(path, f"photos/{name}")
    return buffer.getvalue()
