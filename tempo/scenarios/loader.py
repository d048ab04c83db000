"""Load and validate everything under `content/`, collecting every error with file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tempo.missions import registry
from tempo.scenarios.errors import ContentError, Loc, format_loc, translate, unknown
from tempo.scenarios.files import Files, FolderFiles
from tempo.scenarios.images import EXTENSIONS, ImageRefused, process
from tempo.scenarios.schema import (
    FAMILIES,
    SLUG,
    CharactersFile,
    Content,
    Day,
    DiagnosticFile,
    ImageInfo,
    MediaFile,
    Mission,
    Offer,
    OffersFile,
    Scenario,
    ScenarioMeta,
)
from tempo.scenarios.yamlsource import Source, parse_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass
class LoadResult:
    """The validated content, or None with the errors that prevent it.

    Warnings (a flag set but never read) do not refuse the content: `tempo validate` prints them.
    """

    content: Content | None
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors


class _Collector:
    def __init__(self, files: Files) -> None:
        self.errors: list[ContentError] = []
        self.warnings: list[ContentError] = []
        self.files = files
        # Images named in media.yaml but refused (no alt text, no file…): their error is there,
        # a reference to them is not reported again as unknown.
        self.broken_images: set[str] = set()

    def add(self, source: Source, loc: Loc, message: str) -> None:
        self.errors.append(source.error(loc, message))

    def warn(self, source: Source, loc: Loc, message: str) -> None:
        self.warnings.append(source.error(loc, message))

    def invalid(self, source: Source, prefix: Loc, exc: ValidationError) -> None:
        """Record each pydantic error of `exc`, located under `prefix` in `source`."""
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            self.add(source, loc, translate(err, source.numbers.get(loc)))

    def parse(self, source: Source, model: type[M], prefix: Loc = (), data: Any = None) -> M | None:
        """Validate `data` (default: the whole file) into `model`, recording located errors."""
        try:
            return model.model_validate(source.data if data is None and not prefix else data)
        except ValidationError as exc:
            self.invalid(source, prefix, exc)
            return None


def _duplicates(source: Source, items: Iterable[tuple[Loc, str]], what: str, c: _Collector) -> None:
    seen: dict[str, int | None] = {}
    for loc, ident in items:
        if ident in seen:
            where = f" (déjà défini ligne {seen[ident]})" if seen[ident] else ""
            c.add(source, loc, f"{what} en double : {ident!r}{where}")
        else:
            seen[ident] = source.line(loc)


def _load(path: Path, root: Path, c: _Collector) -> Source | None:
    if not c.files.is_file(path):
        c.errors.append(ContentError(_rel(path, root), None, "", "fichier manquant"))
        return None
    try:
        text = c.files.read(path)
    except (OSError, UnicodeDecodeError) as exc:
        c.errors.append(ContentError(_rel(path, root), None, "", f"fichier illisible : {exc}"))
        return None
    source = parse_yaml(_rel(path, root), text)
    if isinstance(source, ContentError):
        c.errors.append(source)
        return None
    for loc, first, second in source.duplicate_keys:
        c.errors.append(
            ContentError(
                source.file,
                second,
                format_loc(loc),
                f"clé {loc[-1]!r} écrite deux fois (lignes {first} et {second}) : "
                "la seconde remplacerait la première",
            )
        )
    return source


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _load_offers(root: Path, c: _Collector) -> tuple[Source | None, list[Offer]]:
    source = _load(root / "offers.yaml", root, c)
    if source is None:
        return None, []
    parsed = c.parse(source, OffersFile)
    if parsed is None:
        return source, []
    _duplicates(
        source, ((("offers", i, "id"), o.id) for i, o in enumerate(parsed.offers)), "offre", c
    )
    return source, parsed.offers


def _load_diagnostic(
    root: Path, offer_ids: set[str] | None, c: _Collector
) -> DiagnosticFile | None:
    source = _load(root / "diagnostic.yaml", root, c)
    if source is None:
        return None
    diag = c.parse(source, DiagnosticFile)
    if diag is None:
        return None
    before = len(c.errors)
    scales = {s.id: s for s in diag.scales}
    _duplicates(
        source, ((("scales", i, "id"), s.id) for i, s in enumerate(diag.scales)), "échelle", c
    )
    for i, scale in enumerate(diag.scales):
        _duplicates(
            source,
            ((("scales", i, "options", j, "value"), o.value) for j, o in enumerate(scale.options)),
            "valeur",
            c,
        )
    _duplicates(
        source, ((("families", i, "id"), f.id) for i, f in enumerate(diag.families)), "famille", c
    )
    missing = [f for f in FAMILIES if f not in {fam.id for fam in diag.families}]
    if missing:
        c.add(source, ("families",), f"famille(s) absente(s) : {', '.join(missing)}")
    question_locs: list[tuple[Loc, str]] = []
    for i, fam in enumerate(diag.families):
        floc: Loc = ("families", i)
        question_locs.append(((*floc, "screening", "id"), fam.screening.id))
        question_locs += [
            ((*floc, "questions", j, "id"), q.id) for j, q in enumerate(fam.questions)
        ]
        for j, offer in enumerate(fam.offers):
            if offer_ids is not None and offer not in offer_ids:
                c.add(
                    source,
                    (*floc, "offers", j),
                    unknown("offre", offer, offer_ids, feminine=True),
                )
        screening_scale = scales.get(fam.screening.scale)
        if screening_scale is None:
            c.add(
                source, (*floc, "screening", "scale"), f"échelle inconnue : {fam.screening.scale!r}"
            )
        else:
            values = {o.value for o in screening_scale.options}
            for j, value in enumerate(fam.screening.opens_on):
                if value not in values:
                    c.add(
                        source,
                        (*floc, "screening", "opens_on", j),
                        f"valeur absente de l'échelle {screening_scale.id!r} : {value!r}",
                    )
        for j, q in enumerate(fam.questions):
            if q.scale not in scales:
                c.add(source, (*floc, "questions", j, "scale"), f"échelle inconnue : {q.scale!r}")
    _duplicates(source, question_locs, "question", c)
    return diag if len(c.errors) == before else None


def folder_image(files: Files, folder: Path, name: str) -> Path | None:
    """The file of image `name` in the scenario folder's `media/`, whatever its extension."""
    for ext in EXTENSIONS:
        path = folder / "media" / f"{name}.{ext}"
        if files.is_file(path):
            return path
    return None


def _folder_media(folder: Path, root: Path, c: _Collector) -> dict[str, ImageInfo]:
    """A scenario folder's own library: `media.yaml` (name → alternative text) and `media/`."""
    if not c.files.is_file(folder / "media.yaml"):
        return {}
    source = _load(folder / "media.yaml", root, c)
    parsed = c.parse(source, MediaFile) if source else None
    if source is None or parsed is None:
        return {}
    found: dict[str, ImageInfo] = {}
    for name, alt in parsed.images.items():
        loc: Loc = ("images", name)
        c.broken_images.add(name)
        if not re.fullmatch(SLUG, name) or len(name) > 64:
            c.add(source, loc, f"nom d'image refusé : {name!r} (minuscules, chiffres et tirets)")
            continue
        if not alt.strip():
            c.add(
                source,
                loc,
                "texte alternatif manquant : décrivez l'image pour qui ne la voit pas",
            )
            continue
        path = folder_image(c.files, folder, name)
        if path is None:
            c.add(source, loc, f"fichier introuvable : media/{name}.jpg, .png ou .webp")
            continue
        try:
            image = process(c.files.read_bytes(path))
        except OSError as exc:
            c.add(source, loc, f"{_rel(path, root)} illisible : {exc}")
            continue
        except ImageRefused as exc:
            c.add(source, loc, f"{_rel(path, root)} : {exc.message}")
            continue
        c.broken_images.discard(name)
        found[name] = ImageInfo(
            alt=alt.strip(),
            width=image.width,
            height=image.height,
            sha256=image.sha256,
            content_type=image.content_type,
        )
    return found


def _load_scenario(
    folder: Path,
    root: Path,
    offers: Sequence[Offer] | None,
    c: _Collector,
    media: Mapping[str, ImageInfo] | None = None,
) -> Scenario | None:
    before = len(c.errors)
    library = dict(media) if media is not None else _folder_media(folder, root, c)
    used: set[str] = set()
    meta_src = _load(folder / "scenario.yaml", root, c)
    meta = c.parse(meta_src, ScenarioMeta) if meta_src else None
    if meta_src and meta and meta.slug != folder.name:
        c.add(meta_src, ("slug",), f"doit être le nom du dossier : {folder.name!r}")
    chars_src = _load(folder / "characters.yaml", root, c)
    chars = c.parse(chars_src, CharactersFile) if chars_src else None
    if chars_src and chars:
        _duplicates(
            chars_src,
            ((("characters", i, "id"), ch.id) for i, ch in enumerate(chars.characters)),
            "personnage",
            c,
        )
        for i, ch in enumerate(chars.characters):
            if ch.image:
                _check_image(chars_src, ("characters", i, "image"), ch.image, library, used, c)
    day_files = c.files.yaml_files(folder / "days")
    days: list[tuple[Source, Day]] = []
    # Files that could not be read as a day: the checks of the whole scenario (offers covered,
    # days present, rewards…) would only repeat their error in a misleading way.
    broken: list[Path] = []
    for path in day_files:
        src = _load(path, root, c)
        day = c.parse(src, Day) if src else None
        if src and day:
            days.append((src, day))
            if day.recap_at <= day.unlock_at:
                c.add(
                    src,
                    ("recap_at",),
                    f"le bilan du jour ({day.recap_at}) doit venir après son ouverture "
                    f"(unlock_at: {day.unlock_at})",
                )
        else:
            broken.append(path)
    numbers: dict[int, str] = {}
    for src, day in days:
        if day.day in numbers:
            c.add(src, ("day",), f"jour {day.day} déjà défini dans {numbers[day.day]}")
        elif meta is not None and day.day > meta.days:
            c.add(
                src,
                ("day",),
                f"jour {day.day} au-delà des {meta.days} jours du scénario "
                "(days dans scenario.yaml)",
            )
        numbers[day.day] = src.file
    if meta_src is not None and meta is not None:
        for n in range(1, meta.days + 1):
            expected = folder / "days" / f"day{n:02d}.yaml"
            if n not in numbers and expected not in broken:
                c.add(meta_src, (), f"il manque le jour {n} (days/{expected.name})")
    character_ids = {ch.id for ch in chars.characters} if chars else None
    counsellor = meta.counsellor if meta else None
    if meta_src and counsellor and character_ids is not None and counsellor not in character_ids:
        c.add(meta_src, ("counsellor",), unknown("personnage", counsellor, character_ids))
    scenario = _ScenarioChecks(days, character_ids, offers, meta_src, meta, c, library, used)
    scenario.unreadable = "\n".join(_text_of(c.files, p) for p in broken)
    scenario.check_missions()
    if not broken:
        scenario.check_whole()
    if len(c.errors) != before or meta is None or chars is None:
        return None
    return Scenario(
        meta=meta,
        characters=chars.characters,
        days=sorted((d for _, d in days), key=lambda d: d.day),
        media={name: library[name] for name in sorted(used)},
    )


def _check_image(
    source: Source,
    loc: Loc,
    name: str,
    library: Mapping[str, ImageInfo],
    used: set[str],
    c: _Collector,
) -> None:
    """An image reference must name an image of the library (the known names are listed)."""
    if name in library:
        used.add(name)
    elif name not in c.broken_images:
        c.add(source, loc, unknown("image", name, library, feminine=True))


Located = tuple[Source, Loc, Day, Mission]


@dataclass
class _ScenarioChecks:
    """Cross-file checks of one scenario's missions."""

    days: list[tuple[Source, Day]]
    character_ids: set[str] | None
    offers: Sequence[Offer] | None
    meta_src: Source | None
    meta: ScenarioMeta | None
    c: _Collector
    library: Mapping[str, ImageInfo]
    used: set[str]
    located: dict[str, Located] = field(default_factory=dict)
    types_seen: set[str] = field(default_factory=set)
    # Dialogue flags: where each is set and where each is read (if_flags / unless_flags).
    flags_set: dict[str, tuple[Source, Loc]] = field(default_factory=dict)
    flags_read: dict[str, tuple[Source, Loc]] = field(default_factory=dict)
    # The text of the day files that could not be read: a mission required from another day and
    # written there is not reported as unknown (the syntax error is the one to fix).
    unreadable: str = ""

    def _unreadable(self, mission_id: str) -> bool:
        return re.search(rf"\b{re.escape(mission_id)}\b", self.unreadable) is not None

    def check_missions(self) -> None:
        """Ids, characters, params, offers and the `requires` graph of every mission."""
        c = self.c
        checkpoints: dict[str, str] = {}
        offer_ids = {o.id for o in self.offers} if self.offers is not None else None
        for src, day in self.days:
            for i, mission in enumerate(day.missions):
                loc: Loc = ("missions", i)
                if mission.id in self.located:
                    other = self.located[mission.id]
                    c.add(
                        src,
                        (*loc, "id"),
                        f"mission en double : {mission.id!r} (déjà dans {other[0].file}:"
                        f"{other[0].line((*other[1], 'id'))})",
                    )
                else:
                    self.located[mission.id] = (src, loc, day, mission)
                if (
                    self.character_ids is not None
                    and mission.character
                    and mission.character not in self.character_ids
                ):
                    c.add(
                        src,
                        (*loc, "character"),
                        unknown("personnage", mission.character, self.character_ids),
                    )
                if mission.image:
                    _check_image(src, (*loc, "image"), mission.image, self.library, self.used, c)
                self._check_on_wrong(src, loc, mission)
                self._check_params(src, loc, mission, checkpoints)
                self.types_seen.add(mission.type)
                if offer_ids is not None:
                    for j, offer_id in enumerate(mission.unlocks):
                        if offer_id not in offer_ids:
                            c.add(
                                src,
                                (*loc, "unlocks", j),
                                unknown("offre", offer_id, offer_ids, feminine=True)
                                + " : elle n'est pas dans le catalogue des offres, ajoutez-la "
                                "au catalogue ou retirez-la de unlocks",
                            )
        located = self.located
        for mission_id, (src, loc, day, mission) in located.items():
            for j, req in enumerate(mission.requires):
                if req == mission_id:
                    c.add(src, (*loc, "requires", j), "une mission ne peut pas s'exiger elle-même")
                elif req not in located and not self._unreadable(req):
                    c.add(
                        src,
                        (*loc, "requires", j),
                        unknown("mission", req, located, feminine=True),
                    )
                elif req in located and located[req][2].day > day.day:
                    c.add(
                        src,
                        (*loc, "requires", j),
                        f"la mission {req!r} est au jour {located[req][2].day} : elle ne pourra "
                        f"jamais être disponible au jour {day.day}",
                    )
        blocked = _check_graph(located, c, {r for r in _required(located) if self._unreadable(r)})
        for mission_id, (src, loc, _day, _mission) in located.items():
            if mission_id in blocked:
                c.add(
                    src,
                    (*loc, "requires"),
                    f"la mission {mission_id!r} ne pourra jamais devenir disponible "
                    f"(elle dépend de {blocked[mission_id]!r}, qui est bloquée)",
                )

    def check_whole(self) -> None:
        """What the scenario as a whole must offer: offers covered, an appointment and a
        diagnostic, enough éclats to defeat the opponent, every flag read is set somewhere."""
        c, meta_src, meta = self.c, self.meta_src, self.meta
        if meta_src is None or meta is None or not self.days:
            return
        self._check_offers(meta_src, meta)
        for key, label in (("appointment", "de rendez-vous"), ("diagnostic", "d'auto-diagnostic")):
            if key not in self.types_seen:
                c.add(
                    meta_src,
                    (),
                    f"le scénario doit contenir au moins une mission {label} (type: {key})",
                )
        total = sum(m.reward for _, _, _, m in self.located.values())
        if total < meta.ai.strength:
            c.add(
                meta_src,
                (_opponent_key(meta_src), "strength"),
                f"les récompenses de toutes les missions totalisent {total} éclats : "
                f"pas assez pour vaincre {meta.ai.the_name} (puissance {meta.ai.strength})",
            )
        for flag, (src, loc) in self.flags_read.items():
            if flag not in self.flags_set:
                c.add(
                    src,
                    loc,
                    f"le drapeau {flag!r} est lu ici mais aucun choix ne le pose "
                    "(set_flags) : cette condition ne changera jamais",
                )
        for flag, (src, loc) in self.flags_set.items():
            if flag not in self.flags_read:
                c.warn(
                    src,
                    loc,
                    f"le drapeau {flag!r} est posé mais aucune condition ne le lit "
                    "(if_flags, unless_flags)",
                )

    def _check_offers(self, meta_src: Source, meta: ScenarioMeta) -> None:
        if self.offers is None:
            return
        offer_ids = {o.id for o in self.offers}
        if meta.offers == "all":
            covered = [o.id for o in self.offers]
        else:
            covered = []
            for j, offer_id in enumerate(meta.offers):
                if offer_id not in offer_ids:
                    self.c.add(
                        meta_src,
                        ("offers", j),
                        unknown("offre", offer_id, offer_ids, feminine=True),
                    )
                else:
                    covered.append(offer_id)
        unlocked = {o for _, _, _, m in self.located.values() for o in m.unlocks}
        for offer_id in covered:
            if offer_id not in unlocked:
                self.c.add(meta_src, (), f"l'offre {offer_id!r} n'est débloquée par aucune mission")
        if meta.offers == "all":
            return
        for src, loc, _, mission in self.located.values():
            for j, offer_id in enumerate(mission.unlocks):
                if offer_id in offer_ids and offer_id not in covered:
                    self.c.add(
                        src,
                        (*loc, "unlocks", j),
                        f"l'offre {offer_id!r} n'est pas parmi les offres du scénario "
                        "(offers dans scenario.yaml)",
                    )

    def _check_on_wrong(self, src: Source, loc: Loc, mission: Mission) -> None:
        """The character who reacts to a wrong answer: the `on_wrong`'s own, or the mission's."""
        wrong = mission.on_wrong
        if wrong is None:
            return
        who = wrong.character or mission.character
        if who is None:
            self.c.add(
                src,
                (*loc, "on_wrong"),
                "on_wrong : indiquez qui réagit (character), la mission n'a pas de personnage",
            )
        elif self.character_ids is not None and who not in self.character_ids:
            self.c.add(
                src,
                (*loc, "on_wrong", "character"),
                unknown("personnage", who, self.character_ids),
            )

    def _check_params(
        self, src: Source, loc: Loc, mission: Mission, checkpoints: dict[str, str]
    ) -> None:
        c = self.c
        mission_type = registry.get(mission.type)
        if mission_type is None:
            c.add(
                src,
                (*loc, "type"),
                f"type de mission inconnu : {mission.type!r} "
                f"(types connus : {', '.join(registry.keys())})",
            )
            return
        ploc: Loc = (*loc, "params")
        try:
            params = mission_type.parse(mission.params)
        except ValidationError as exc:
            c.invalid(src, ploc, exc)
            return
        for issue in mission_type.check(params):
            c.add(src, (*ploc, *issue.loc), issue.message)
        refs = mission_type.references(params)
        if self.character_ids is not None:
            for rloc, ident in refs.characters:
                if ident not in self.character_ids:
                    c.add(src, (*ploc, *rloc), unknown("personnage", ident, self.character_ids))
        for rloc, ident in refs.checkpoints:
            where = f"{src.file}:{src.line((*ploc, *rloc))}"
            if ident in checkpoints and checkpoints[ident] != where:
                c.add(
                    src,
                    (*ploc, *rloc),
                    f"balise QR en double : {ident!r} (déjà dans {checkpoints[ident]})",
                )
            else:
                checkpoints[ident] = where
        for rloc, name in refs.images:
            _check_image(src, (*ploc, *rloc), name, self.library, self.used, c)
        for rloc, flag in refs.flags_set:
            self.flags_set.setdefault(flag, (src, (*ploc, *rloc)))
        for rloc, flag in refs.flags_read:
            self.flags_read.setdefault(flag, (src, (*ploc, *rloc)))


def _text_of(files: Files, path: Path) -> str:
    """A broken file's text, for the ids it names; nothing when it cannot even be read."""
    try:
        return files.read(path)
    except (OSError, UnicodeDecodeError):
        return ""


def _required(located: dict[str, Located]) -> set[str]:
    return {r for _, _, _, m in located.values() for r in m.requires if r not in located}


def _opponent_key(source: Source) -> str:
    """`opponent` when the author wrote it instead of `ai`."""
    return "opponent" if isinstance(source.data, dict) and "opponent" in source.data else "ai"


def _check_graph(
    located: dict[str, Located], c: _Collector, unreadable: set[str]
) -> dict[str, str]:
    """Report `requires` cycles; return missions blocked by a cycle or a missing mission.

    Missions in `unreadable` are written in a day file with a syntax error: not missing.
    """
    graph = {
        mid: [r for r in m.requires if r in located and r != mid]
        for mid, (_, _, _, m) in located.items()
    }
    state: dict[str, int] = {}
    in_cycle: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                if not in_cycle.intersection(cycle):
                    src, loc, _, mission = located[nxt]
                    j = mission.requires.index(cycle[1]) if cycle[1] in mission.requires else 0
                    c.add(src, (*loc, "requires", j), "cycle dans requires : " + " -> ".join(cycle))
                in_cycle.update(cycle)
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])
    # Blocked: depends, directly or not, on a cycle member or an unknown mission (already reported).
    broken = set(in_cycle) | {
        mid
        for mid, (_, _, _, m) in located.items()
        if any((r not in located and r not in unreadable) or r == mid for r in m.requires)
    }
    blocked: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for mid, reqs in graph.items():
            if mid in broken or mid in blocked:
                continue
            culprit = next((r for r in reqs if r in broken or r in blocked), None)
            if culprit is not None:
                blocked[mid] = culprit
                changed = True
    return blocked


def load_content(
    root: Path,
    only: Path | None = None,
    files: Files | None = None,
    media: Mapping[str, ImageInfo] | None = None,
) -> LoadResult:
    """Load `root` (a content folder); `only` restricts scenarios to one folder.

    `files` reads the tree (default: the disk); a studio draft is loaded from memory.
    `media` is the image library (the studio's); without it, each scenario folder's
    `media.yaml` and `media/` are its library.
    """
    c = _Collector(files or FolderFiles())
    root = root.resolve()
    offers_src, offers = _load_offers(root, c)
    offers_ok = offers_src is not None and not c.errors
    diag = _load_diagnostic(root, {o.id for o in offers} if offers_ok else None, c)
    scenarios: dict[str, Scenario] = {}
    folders = [only.resolve()] if only else c.files.folders(root / "scenarios")
    if not folders:
        c.errors.append(ContentError("scenarios/", None, "", "aucun scénario trouvé"))
    for folder in folders:
        scenario = _load_scenario(folder, root, offers if offers_ok else None, c, media)
        if scenario is not None:
            scenarios[scenario.meta.slug] = scenario
    warnings = sorted(set(c.warnings), key=_order)
    if c.errors or diag is None:
        return LoadResult(None, sorted(set(c.errors), key=_order), warnings)
    return LoadResult(Content(offers=offers, diagnostic=diag, scenarios=scenarios), [], warnings)


def _order(e: ContentError) -> tuple[str, int, str]:
    return (e.file, e.line or 0, e.message)


def content_root_for(path: Path) -> tuple[Path, Path | None]:
    """Accept a content folder or one scenario folder; return (content root, scenario or None)."""
    path = path.resolve()
    if (path / "scenario.yaml").is_file() and path.parent.name == "scenarios":
        return path.parent.parent, path
    return path, None
