"""`tempo validate` (the content folder) and `tempo catalogue` (the translation catalogue)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tempo.config import Config
from tempo.infra import catalogue as cat
from tempo.scenarios import content_root_for, load_content
from tempo.scenarios.files import PatchedFiles
from tempo.services.studio import archive


def _catalogue_files(path: Path) -> dict[str, str]:
    """offers.yaml and diagnostic.yaml of a catalogue: the studio's zip export, or a folder."""
    if path.is_dir():
        missing = [n for n in archive.CATALOGUE_NAMES if not (path / n).is_file()]
        if missing:
            raise click.UsageError(f"{path} : il manque {' et '.join(missing)}.")
        return {n: (path / n).read_text(encoding="utf-8") for n in archive.CATALOGUE_NAMES}
    try:
        return archive.read_catalogue_zip(path.read_bytes())
    except archive.ArchiveError as exc:
        raise click.UsageError(f"{path} : {exc.message}") from None


@click.command(
    help="Vérifie le contenu (offres, diagnostic, scénarios) et liste chaque erreur. Les offres "
    "sont celles du dossier (offers.yaml, diagnostic.yaml), ou celles du catalogue donné par "
    "--catalogue."
)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--catalogue",
    "catalogue_path",
    type=click.Path(exists=True, path_type=Path),
    help="Catalogue de la Mission Locale exporté du studio (zip) ou dossier contenant "
    "offers.yaml et diagnostic.yaml : il remplace ceux du dossier de contenu.",
)
def validate(path: Path | None, catalogue_path: Path | None) -> None:
    """Validate a content folder (or one scenario folder); exit 1 on any error."""
    target = path or Config.from_env().CONTENT_DIR
    if not target.exists():
        click.echo(f"Dossier introuvable : {target}", err=True)
        sys.exit(2)
    root, only = content_root_for(target)
    files = None
    if catalogue_path is not None:
        files = PatchedFiles(root, _catalogue_files(catalogue_path))
        click.echo(f"Catalogue : {catalogue_path} (à la place des offres du dossier).")
    result = load_content(root, only=only, files=files)
    for warning in result.warnings:
        click.echo(f"{warning} (avertissement)")
    if result.errors:
        for error in result.errors:
            click.echo(str(error))
        click.echo(f"{len(result.errors)} erreur(s) dans {root}.", err=True)
        sys.exit(1)
    assert result.content is not None
    if result.warnings:
        click.echo(f"{len(result.warnings)} avertissement(s) : le contenu reste valide.", err=True)
    for slug, scenario in result.content.scenarios.items():
        missions = sum(len(d.missions) for d in scenario.days)
        click.echo(f"Scénario {slug} : {len(scenario.days)} jours, {missions} missions.")
    click.echo(
        f"Contenu valide : {len(result.content.offers)} offres, "
        f"{len(result.content.diagnostic.families)} familles de diagnostic."
    )


@click.command(
    help="Met à jour le catalogue de traduction (translations/) après un changement de texte."
)
@click.option(
    "--check", is_flag=True, help="Vérifie seulement ; code 1 si le catalogue est en retard."
)
def catalogue(check: bool) -> None:
    """Extract every user-facing string and refresh translations/ (or check it is current)."""
    if check:
        late = cat.stale()
        for path in late:
            click.echo(f"En retard : {path}")
        if late:
            raise SystemExit(1)
        click.echo("Le catalogue de traduction est à jour.")
        return
    written = cat.update()
    for path in written:
        click.echo(f"Écrit : {path}")
    click.echo(f"{len(cat.extract())} textes dans le catalogue." if written else "Rien à changer.")
