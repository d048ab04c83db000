"""Recap e-mails: each consenting player's recap with its card, and the counsellors' digest.

Closing a day only writes the recaps (fast, in the closing transaction). Afterwards
`queue_pending` — the scheduler leader's `recaps:mail` job, also called by `tempo recap` —
finds the closed days whose e-mails are not queued yet (`RecapDigest.mailed_at` empty), draws
the cards and builds the messages outside any transaction, then queues them all in one short
transaction and marks the day done. Each message has its own idempotency key, so a crash
between the two, or two callers at once, still queue each message once; the mail outbox then
delivers them one by one with retries (`tempo.services.mail.outbox`).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.infra.transactions import lock_row, write_transaction
from tempo.models import Cohort, Player, PlayerRecap, RecapDigest
from tempo.services.mail.outbox import Attachment, queue_email
from tempo.services.recaps import produce as recaps
from tempo.services.recaps.cards import cached_card
from tempo.services.recaps.email_consent import unsubscribe_token, wants_recaps

log = logging.getLogger("tempo.recaps")


def player_key(player_id: int, day: int) -> str:
    """The idempotency key of a player's recap e-mail for one day."""
    return f"recap:player:{player_id}:day:{day}"


def digest_key(cohort_id: int, day: int, staff_id: int) -> str:
    """The idempotency key of a counsellor's digest e-mail for one day of a cohort."""
    return f"recap:digest:cohort:{cohort_id}:day:{day}:staff:{staff_id}"


def card_folder(app: Flask) -> Path:
    """Where drawn recap cards are kept (shared by the journal and the e-mails)."""
    return Path(app.config["TEMPO_CONFIG"].INSTANCE_DIR) / "cards"


@dataclass(frozen=True)
class Links:
    """Absolute URLs for e-mails (TEMPO_PUBLIC_URL)."""

    base: str
    secret: str

    def journal(self, day: int | None = None) -> str:
        """The player's journal, at one day."""
        return f"{self.base}/journal" + (f"#jour-{day}" if day else "")

    def unsubscribe(self, player: Player) -> str:
        """The « stop » link of a player's e-mails."""
        return f"{self.base}/recaps/arret/{unsubscribe_token(self.secret, player)}"

    def digest(self, cohort: Cohort, day: int) -> str:
        """The console's recap page of a cohort, at one day."""
        return f"{self.base}/console/cohortes/{cohort.slug}/recaps#jour-{day}"


@dataclass(frozen=True)
class Message:
    """A message ready to queue."""

    key: str
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    player_id: int | None = None  # a player's recap (their consent is checked again)


def _render(template: str, **context: object) -> str:
    # The bare Jinja environment: e-mails are built outside requests (scheduler, CLI), so the
    # web pages' context processors, which read the request, must not run.
    return str(current_app.jinja_env.get_template(template).render(**context))


# --- the player's recap ----------------------------------------------------------------------


def team_summary(view: recaps.RecapView) -> str:
    """« ton équipe Alpha a réussi 2 missions, gagné 21 éclats d'avenir et découvert 1 offre »."""
    return _(
        "%(missions)s, %(shards)s et %(offers)s",
        missions=ngettext(
            "%(num)d mission réussie", "%(num)d missions réussies", len(view.missions)
        ),
        shards=ngettext(
            "%(num)d éclat d'avenir gagné", "%(num)d éclats d'avenir gagnés", view.shards_earned
        ),
        offers=ngettext(
            "%(num)d offre de la Mission Locale découverte",
            "%(num)d offres de la Mission Locale découvertes",
            len(view.offers),
        ),
    )


def player_message(view: recaps.RecapView, player: Player, card: bytes, links: Links) -> Message:
    """A player's recap e-mail: plain text, HTML, and the day's card attached."""
    lines = recaps.personal_lines(view)
    subject = _("Tempo — ton récap du jour %(n)s : %(title)s", n=view.day, title=view.title)
    text = [
        _("Bonjour %(name)s,", name=view.pseudonym or player.pseudonym),
        "",
        _(
            "Jour %(n)s sur %(total)s — %(title)s",
            n=view.day,
            total=view.days_total,
            title=view.title,
        ),
        _("Ton équipe %(team)s : %(summary)s.", team=view.team_name, summary=team_summary(view)),
        _(
            "%(ai)s : encore %(left)s sur %(max)s.",
            ai=view.ai_name,
            left=view.ai_strength,
            max=view.ai_max,
        ),
        "",
        _("Toi, ce jour-là :"),
        *(f"- {line}" for line in lines),
        "",
        _("Missions réussies par l'équipe :"),
        *(
            [f"- {m.title} (+{m.reward})" for m in view.missions]
            or [_("- aucune ce jour-là : elles vous attendent toujours.")]
        ),
        "",
    ]
    if view.offers:
        text.append(_("Offres débloquées — comment en profiter pour de vrai :"))
        for offer in view.offers:
            text += [
                "",
                f"* {offer['title']}",
                f"  {offer['summary']}",
                "  " + _("Comment y accéder : %(access)s", access=offer["access"]),
            ]
            if offer.get("bring"):
                text.append("  " + _("À apporter : %(items)s", items=", ".join(offer["bring"])))
        text.append("")
    if view.teaser:
        heading = _("À suivre…") if view.next_day else _("Et maintenant…")
        text += [f"{heading} {view.teaser}", ""]
    text += [
        _("Ta carte du jour est jointe à ce message : partage-la si tu veux !"),
        _("Ton journal de bord : %(url)s", url=links.journal(view.day)),
        "",
        "—",
        _(
            "Tu reçois ce message parce que tu l'as demandé dans Tempo. "
            "Pour ne plus le recevoir : %(url)s",
            url=links.unsubscribe(player),
        ),
    ]
    html = _render(
        "email/recap.html",
        view=view,
        lines=lines,
        summary=team_summary(view),
        journal_url=links.journal(view.day),
        unsubscribe_url=links.unsubscribe(player),
        subject=subject,
    )
    return Message(
        key=player_key(player.id, view.day),
        to=str(player.email),
        subject=subject,
        text="\n".join(text),
        html=html,
        attachments=(
            Attachment(filename=f"tempo-jour-{view.day}.png", content_type="image/png", data=card),
        ),
        player_id=player.id,
    )


# --- the counsellors' digest -------------------------------------------------------------------


def digest_message(
    cohort: Cohort, day: recaps.DigestDay, to: str, staff_id: int, links: Links
) -> Message:
    """A counsellor's digest of one closed day: every team's recap."""
    subject = _("Tempo — récap du jour %(n)s de « %(cohort)s »", n=day.day, cohort=cohort.name)
    text = [
        _("Jour %(n)s — %(title)s (%(cohort)s)", n=day.day, title=day.title, cohort=cohort.name),
        _(
            "Toutes équipes : %(missions)s, %(shards)s, %(offers)s.",
            missions=ngettext("%(num)d mission réussie", "%(num)d missions réussies", day.missions),
            shards=ngettext("%(num)d éclat gagné", "%(num)d éclats gagnés", day.shards),
            offers=ngettext("%(num)d offre découverte", "%(num)d offres découvertes", day.offers),
        ),
        "",
    ]
    for team in day.teams:
        offers = ", ".join(o["title"] for o in team.offers) or _("aucune")
        text += [
            f"* {team.team_name}",
            "  "
            + _(
                "%(missions)s, +%(shards)s éclats, %(hints)s, "
                "%(active)s joueur(s) actif(s) sur %(n)s",
                missions=ngettext(
                    "%(num)d mission réussie", "%(num)d missions réussies", len(team.missions)
                ),
                shards=team.shards_earned,
                hints=ngettext("%(num)d indice", "%(num)d indices", team.hints),
                active=team.active_players,
                n=team.players,
            ),
            "  " + _("Offres découvertes : %(offers)s", offers=offers),
        ]
    text += ["", _("Le détail dans la console : %(url)s", url=links.digest(cohort, day.day))]
    html = _render(
        "email/digest.html",
        cohort=cohort,
        day=day,
        console_url=links.digest(cohort, day.day),
        subject=subject,
    )
    return Message(
        key=digest_key(cohort.id, day.day, staff_id),
        to=to,
        subject=subject,
        text="\n".join(text),
        html=html,
    )


# --- queueing ------------------------------------------------------------------------------------


def _messages(session: Session, digest: RecapDigest, links: Links, folder: Path) -> list[Message]:
    cohort = session.get(Cohort, digest.cohort_id)
    if cohort is None:
        return []
    out: list[Message] = []
    rows = session.execute(
        select(PlayerRecap, Player)
        .join(Player, Player.id == PlayerRecap.player_id)
        .where(PlayerRecap.cohort_id == cohort.id, PlayerRecap.day == digest.day)
        .where(Player.email_consent.is_(True), Player.email.is_not(None))
        .order_by(PlayerRecap.id)
    ).all()
    for own, player in rows:
        if not wants_recaps(player):
            continue
        view = recaps.player_view(session, own, player.pseudonym)
        if view is None:
            continue
        card = cached_card(folder, f"player-{own.id}", functools.partial(recaps.card_of, view))
        out.append(player_message(view, player, card, links))
    days = recaps.digests(session, cohort, digest.day)
    if days:
        for staff in cohort.counsellors:
            if staff.active and staff.email:
                out.append(digest_message(cohort, days[0], staff.email, staff.id, links))
    return out


def queue_day(session: Session, digest_id: int, now: datetime, links: Links, folder: Path) -> int:
    """Queue one closed day's e-mails (once); the number of messages newly queued."""
    digest = session.get(RecapDigest, digest_id)
    if digest is None or digest.mailed_at is not None:
        return 0
    # Cards are drawn and messages built before the write transaction: it stays short.
    messages = _messages(session, digest, links, folder)
    queued = 0
    with write_transaction(session):
        locked = lock_row(session, RecapDigest, RecapDigest.id == digest_id)
        if locked is None or locked.mailed_at is not None:
            return 0
        # The messages were built outside this transaction: a player who withdrew meanwhile,
        # or changed address, gets nothing (their next recap goes to the new address).
        asked = [m.player_id for m in messages if m.player_id is not None]
        consenting = {
            player_id: email
            for player_id, email in session.execute(
                select(Player.id, Player.email).where(
                    Player.id.in_(asked), Player.email_consent.is_(True)
                )
            )
        }
        for m in messages:
            if m.player_id is not None and consenting.get(m.player_id) != m.to:
                continue
            queued += queue_email(
                session,
                key=m.key,
                to=m.to,
                subject=m.subject,
                text=m.text,
                html=m.html,
                attachments=m.attachments,
                now=now,
            )
        locked.mailed_at = now
    return queued


def queue_pending(session: Session, now: datetime, links: Links, folder: Path) -> int:
    """Queue the e-mails of every closed day not yet mailed; the number of messages queued."""
    pending = session.scalars(
        select(RecapDigest.id).where(RecapDigest.mailed_at.is_(None)).order_by(RecapDigest.id)
    ).all()
    session.rollback()
    return sum(queue_day(session, digest_id, now, links, folder) for digest_id in pending)


def links_for(app: Flask) -> Links:
    """The e-mails' links from the app's configuration (TEMPO_PUBLIC_URL)."""
    return Links(
        base=str(app.config["PUBLIC_URL_BASE"]).rstrip("/"), secret=app.config["SECRET_KEY"]
    )
