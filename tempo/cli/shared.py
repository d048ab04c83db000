"""What several command modules share: the app, the cohort by slug, telling connected phones."""

from __future__ import annotations

import dataclasses

import click
from flask import Flask
from sqlalchemy import inspect, select

from tempo import create_app
from tempo.config import Config, WeakSecretKey, check_secret_key
from tempo.extensions import db as sqla
from tempo.models import Cohort
from tempo.realtime import publish
from tempo.services.events import Broadcasts


def make_app(**overrides: object) -> Flask:
    """The application for one command: the environment's settings with `overrides` applied."""
    cfg = dataclasses.replace(Config.from_env(), **overrides)  # type: ignore[arg-type]
    try:
        return create_app(cfg)
    except WeakSecretKey as exc:
        raise click.ClickException(str(exc)) from None


def require_strong_secret(cfg: Config) -> None:
    """Stop with the French explanation when TEMPO_SECRET_KEY is an example or too short."""
    try:
        check_secret_key(cfg.SECRET_KEY)
    except WeakSecretKey as exc:
        raise click.ClickException(str(exc)) from None


def cohort_by_slug(slug: str) -> Cohort:
    """The cohort with this slug (in an app context), or a French error listing the known ones."""
    if not inspect(sqla.engine).has_table("cohort"):
        raise click.ClickException(
            "La base de données n'est pas encore créée : lancez « tempo db upgrade » "
            "(ou « tempo demo » pour la cohorte de démonstration)."
        )
    cohort = sqla.session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        known = sqla.session.scalars(select(Cohort.slug).order_by(Cohort.slug)).all()
        listing = (
            f"cohortes existantes : {', '.join(known)}"
            if known
            else "aucune cohorte n'existe ; « tempo demo » crée la cohorte de démonstration"
        )
        raise click.ClickException(f"Cohorte inconnue : {slug} ({listing}).")
    return cohort


def announce(app: Flask, broadcasts: Broadcasts) -> None:
    """Tell connected phones through the message queue, or say that they will see it later."""
    if not broadcasts:
        return
    publisher = publish.external(app)
    if publisher is None:
        click.echo(
            "Sans file de messages (TEMPO_MESSAGE_QUEUE), le serveur « tempo serve » en marche "
            "prévient les téléphones et tableaux de bord connectés d'ici une à deux secondes."
        )
        return
    publisher.publish(broadcasts)
    click.echo(f"Téléphones prévenus en direct ({len(broadcasts)} équipe(s)).")
