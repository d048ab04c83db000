"""`tempo bench`: the benchmark lives in the checkout's tools/bench, not in the package.

The options are declared here so that `tempo --help` and `tempo bench --help` need nothing from
the checkout; the run itself imports `tools.bench`, which needs the `bench` extra (aiohttp).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import click

from tempo.config import PROJECT_ROOT


def _checkout_has_bench() -> bool:
    """Whether `tools.bench` can be imported: from a checkout, with the bench extra installed."""
    if not (PROJECT_ROOT / "tools" / "bench" / "__init__.py").is_file():
        return False
    if str(PROJECT_ROOT) not in sys.path:
        # An editable install exposes the `tempo` package only; tools/ sits next to it.
        sys.path.append(str(PROJECT_ROOT))
    return importlib.util.find_spec("aiohttp") is not None


@click.command(help="Mesure Tempo en jeu réel face au transport Socket.IO nu (même charge).")
@click.option(
    "-n",
    "--players",
    default=600,
    show_default=True,
    type=click.IntRange(1),
    help="Nombre de joueurs simulés (équipes de 12).",
)
@click.option(
    "-p",
    "--period",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Chaque joueur agit toutes les P secondes.",
)
@click.option(
    "-d",
    "--duration",
    default=20.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Durée mesurée du jeu, en secondes (après l'échauffement).",
)
@click.option(
    "--warmup",
    default=None,
    type=click.FloatRange(0),
    help="Échauffement non mesuré, en secondes (défaut : une période).",
)
@click.option(
    "--reconnect-rate",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Part des joueurs qui se déconnectent puis se reconnectent une fois.",
)
@click.option(
    "-r",
    "--rounds",
    default=3,
    show_default=True,
    type=click.IntRange(1),
    help="Manches : Tempo puis le transport nu, tour à tour, R fois ; le tableau les réunit.",
)
@click.option(
    "--mix",
    type=click.Choice(["client", "light"]),
    default="client",
    show_default=True,
    help="Requêtes des téléphones : « client » rejoue celles de play.js "
    "(tools/bench/client_mix.json), « light » n'envoie que les actions et `sync`.",
)
@click.option(
    "--bare-direct",
    is_flag=True,
    help="Le transport nu écrit lui aussi ses paquets là où ils sont émis, comme tempo serve "
    "(tempo.infra.direct_send) : la comparaison à transport égal.",
)
@click.option(
    "--knee",
    is_flag=True,
    help="Cherche le coude : augmente N (300, 600, 900…) tant que le p99 reste sous 250 ms.",
)
@click.option(
    "--knee-steps",
    default="300,600,900,1200,1500,1800",
    show_default=True,
    help="Valeurs de N essayées par --knee, séparées par des virgules.",
)
@click.option(
    "--other",
    is_flag=True,
    help="Mesure aussi le premier chargement de la page joueur (Chromium sans écran).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Fichier Markdown des résultats (défaut : docs/benchmarks.md du projet).",
)
@click.option("--no-write", is_flag=True, help="N'écrit aucun fichier, affiche seulement.")
def bench(**options: Any) -> None:
    """Benchmark Tempo against the bare transport; print the table and the ratio line."""
    if not _checkout_has_bench():
        click.echo(
            "Le banc d'essai se lance depuis une copie du dépôt, avec l'extra bench "
            "(pip install -e '.[bench]').",
            err=True,
        )
        sys.exit(1)
    from tools.bench.run import main

    main(**options)
