"""The `tempo` command: one module per command family, all registered on the root group here.

Imports, the rule: `tempo.launcher` patches the standard library for gevent before it imports
this package, so the command modules import Flask, SQLAlchemy, the models and the services at
their top like any module. Only two imports stay inside functions, and each says why:
- `gevent`, imported by `tempo serve` in gevent mode only: the CLI, its tests and the
  threading-mode server never load it;
- `tools.bench`, the benchmark, which lives in the checkout (tools/), not in this package.
What runs before the patch (`tempo.launcher`, `tempo.config`, `tempo/__init__.py`) imports
nothing heavy; keep it that way.
"""

from __future__ import annotations

import click

from tempo.cli import (
    bench,
    calendar,
    content,
    database,
    demo,
    documents,
    privacy,
    proofs,
    recaps,
    server,
    users,
)

COMMANDS: tuple[click.Command, ...] = (
    server.serve,
    server.scheduler,
    database.db,
    content.validate,
    content.catalogue,
    demo.demo,
    documents.qr,
    documents.kit,
    documents.export,
    users.user,
    calendar.day,
    calendar.cohort,
    recaps.recap,
    recaps.mail,
    proofs.proofs,
    privacy.purge,
    bench.bench,
)


@click.group(help="Tempo : l'aventure en équipe pour découvrir sa Mission Locale.")
def cli() -> None:
    """The root command group."""


for command in COMMANDS:
    cli.add_command(command)
