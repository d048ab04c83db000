"""Patches: correcting texts and accepted answers of the cohorts running a published version.

`check` is a pure comparison of two frozen scenarios: a patch may change text fields (titles,
narratives, intros, hints' text, dialogue lines and reactions, quiz prompts, explanations and
choices, clues…) and add accepted answers (`answers` lists), never the structure (missions, ids,
types, requires, unlocks, rewards, codes, flags…).

`apply` freezes the patched content as a **new numbered version** and moves the running
cohorts of the base version onto it, rather than editing the frozen content in place: versions
stay immutable, so every per-process cache keyed by version id (`games.VersionCache`, in every
server process) is right without being told, and the diff between the two versions shows the
correction. Each moved team gets a `content.patched` event (phones reload their state once), and
a `scenario_patch` row records who applied what and when, shown on the cohorts' dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, CohortStatus, ScenarioPatch, ScenarioVersion, StaffAccount, Team
from tempo.scenarios.schema import Scenario
from tempo.services.content import publishing
from tempo.services.events import Broadcasts
from tempo.services.play.teamlog import lock_team, record_event
from tempo.services.studio import catalogue, media
from tempo.services.studio.drafts import StudioError, draft_of, valid_content

#: Fields whose text a patch may correct, with the word the audit line uses.
TEXT_FIELDS: dict[str, str] = {
    "title": "titre",
    "narrative": "récit",
    "intro": "introduction",
    "text": "texte",
    "prompt": "question",
    "question": "question",
    "explanation": "explication",
    "reaction": "réaction",
    "fragments": "fragments",
    "clue": "indice",
    "clues": "indices",
    "instructions": "consignes",
    "message": "message",
    "label": "libellé",
    "placeholder": "exemple de réponse",
    "placement": "emplacement",
    "teaser": "annonce du lendemain",
    "story": "histoire",
    "tagline": "accroche",
    "description": "description",
    "role": "rôle",
    "voice": "voix",
    "name": "nom",
    "wrong_answer": "réactions aux erreurs",
    "bring": "choses à apporter",
    "collective_goal": "objectif collectif",
    "company": "entreprise",
    "article": "article",
}
#: How a refusal names a structural change of a mission's common field.
_STRUCTURE: dict[str, str] = {
    "reward": "a une nouvelle récompense",
    "requires": "a d'autres prérequis",
    "unlocks": "débloque d'autres offres",
    "type": "change de type",
    "skills": "travaille d'autres compétences",
    "cost": "a un indice au coût différent",
    "code": "a un autre code",
    "next": "change l'enchaînement du dialogue",
}


@dataclass
class PatchCheck:
    """What a draft changes against its base version: text lines, or why it is not a patch."""

    changes: list[str] = field(default_factory=list)
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        """True when the change is a patch (texts and added answers only)."""
        return self.refusal is None


class _NotAPatch(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where} {what}")


def check(before: dict[str, Any], after: dict[str, Any]) -> PatchCheck:
    """Compare two frozen scenarios (`version.content["scenario"]`); pure."""
    out = PatchCheck()
    try:
        _walk(before, after, "", "le scénario", out.changes)
    except _NotAPatch as exc:
        return PatchCheck(
            refusal=f"Le patch change la structure : {exc}. Publiez une nouvelle version."
        )
    return out


def _where(node: dict[str, Any], where: str, key: str) -> str:
    if "id" in node and "type" in node and "reward" in node:
        return f"la mission {node['id']}"
    if key == "characters" or ("id" in node and "voice" in node):
        return f"le personnage {node.get('id', '')}".strip()
    if "day" in node and "missions" in node:
        return f"le jour {node['day']}"
    return where


def _set_keys(node: dict[str, Any], other: dict[str, Any]) -> set[str]:
    """The keys of `node`, but those absent from `other` whose value is empty."""
    return {k for k, v in node.items() if k in other or v not in (None, {}, [])}


def _walk(old: Any, new: Any, key: str, where: str, changes: list[str]) -> None:
    if key == "answers" and isinstance(old, list) and isinstance(new, list):
        if not set(map(str, old)) <= set(map(str, new)):
            raise _NotAPatch(where, "retire une réponse acceptée")
        added = [a for a in new if a not in old]
        if added:
            changes.append(f"{where} : réponses acceptées ajoutées ({', '.join(map(str, added))})")
        return
    if isinstance(old, dict) and isinstance(new, dict):
        here = _where(old, where, key)
        if old.get("id") != new.get("id"):
            raise _NotAPatch(here, f"devient {new.get('id')}")
        # A field added to the models since the base was frozen (an `image`, the `media` of a
        # scenario) is absent from the old copy: absent and empty are the same.
        keys = _set_keys(old, new)
        if keys != _set_keys(new, old):
            extra = sorted(keys ^ _set_keys(new, old))[0]
            raise _NotAPatch(here, _STRUCTURE.get(extra, f"ajoute ou retire « {extra} »"))
        for k in keys:
            _walk(old[k], new[k], k, here, changes)
        return
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            ids = {i.get("id") for i in old if isinstance(i, dict)} ^ {
                i.get("id") for i in new if isinstance(i, dict)
            }
            ids.discard(None)
            if ids and key == "missions":
                raise _NotAPatch(f"la mission {sorted(map(str, ids))[0]}", "est ajoutée ou retirée")
            raise _NotAPatch(where, _STRUCTURE.get(key, f"change le nombre de « {key} »"))
        before = len(changes)
        for a, b in zip(old, new, strict=True):
            _walk(a, b, key, where, changes)
        if key in TEXT_FIELDS and len(changes) > before:
            # One line for a list of texts (fragments, clues…), not one per item.
            del changes[before:]
            changes.append(f"{where} : {TEXT_FIELDS[key]} corrigé·es")
        return
    if old == new:
        return
    if isinstance(old, str) and isinstance(new, str) and key in TEXT_FIELDS:
        line = f"{where} : {TEXT_FIELDS[key]} corrigé·e"
        if line not in changes:
            changes.append(line)
        return
    raise _NotAPatch(where, _STRUCTURE.get(key, f"change « {key} »"))


# --- applying -------------------------------------------------------------------------------


def running_cohorts(session: Session, version: ScenarioVersion) -> list[Cohort]:
    """The cohorts (play-tests included) still playing `version`."""
    return list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.scenario_version_id == version.id,
                Cohort.status != CohortStatus.FINISHED,
            )
            .order_by(Cohort.id)
        )
    )


def patchable_versions(session: Session, slug: str) -> list[ScenarioVersion]:
    """The numbered versions of `slug` that running cohorts play, the most recent first."""
    playing = select(Cohort.scenario_version_id).where(Cohort.status != CohortStatus.FINISHED)
    return list(
        session.scalars(
            select(ScenarioVersion)
            .where(
                ScenarioVersion.slug == slug,
                ScenarioVersion.number.is_not(None),
                ScenarioVersion.id.in_(playing),
            )
            .order_by(ScenarioVersion.number.desc())
        )
    )


def preview(
    session: Session, owner: StaffAccount, draft_id: int, version_id: int, content_dir: Path
) -> tuple[ScenarioVersion, PatchCheck, dict[str, Any]]:
    """The base version, what the draft changes against it, and the patched frozen content."""
    draft = draft_of(session, owner, draft_id)
    base = session.get(ScenarioVersion, version_id)
    if base is None or base.number is None or base.slug != draft.slug:
        raise StudioError("not-found", "Choisissez une version publiée de ce scénario.")
    content = valid_content(
        draft, content_dir, catalogue.files_base(session, content_dir), media.index(session)
    )
    scenario = publishing.frozen_copy(content, draft.slug)["scenario"]
    # Only the scenario is patched: the offers and diagnostic stay those the version froze.
    return base, check(base.content["scenario"], scenario), {**base.content, "scenario": scenario}


def apply(
    session: Session,
    owner: StaffAccount,
    draft_id: int,
    version_id: int,
    content_dir: Path,
    now: datetime,
) -> tuple[ScenarioPatch, Broadcasts]:
    """Apply the draft's texts to the running cohorts of version `version_id` (see module)."""
    with write_transaction(session):
        base, result, patched = preview(session, owner, draft_id, version_id, content_dir)
        if result.refusal is not None:
            raise StudioError("not-a-patch", result.refusal)
        if not result.changes:
            raise StudioError(
                "unchanged",
                f"Rien à corriger : ce brouillon a le texte de la version {base.number}.",
            )
        cohorts = running_cohorts(session, base)
        if not cohorts:
            raise StudioError(
                "no-cohort", f"Aucune cohorte en cours ne joue la version {base.number}."
            )
        draft = draft_of(session, owner, draft_id)
        digest = publishing.frozen_digest(patched)
        version = session.scalar(
            select(ScenarioVersion).where(
                ScenarioVersion.slug == base.slug, ScenarioVersion.content_hash == digest
            )
        )
        last = publishing.last_version(session, base.slug)
        summary = "; ".join(result.changes)
        changelog = f"Correctif de la version {base.number} : {summary}"[:300]
        if version is None:
            version = ScenarioVersion(
                slug=base.slug,
                label=base.label,
                title=str(patched["scenario"]["meta"]["title"])[:200],
                content_hash=digest,
                content=patched,
                published_at=now,
                files=dict(draft.files),
            )
            session.add(version)
        if version.number is None:
            version.number = (last.number or 0) + 1 if last is not None else 1
            version.changelog, version.author_id = changelog, owner.id
        session.flush()
        media.copy_frozen(session, base, version)
        media.freeze_from_library(session, version, Scenario.model_validate(patched["scenario"]))
        if publishing.current_versions(session).get(base.slug) == base.id:
            publishing.make_current(session, version, now)
        out: Broadcasts = {}
        for cohort in cohorts:
            cohort.scenario_version_id = version.id
            team_ids = session.scalars(select(Team.id).where(Team.cohort_id == cohort.id))
            for team_id in sorted(team_ids):
                team = lock_team(session, team_id)
                assert team is not None
                out[team_id] = [
                    record_event(
                        session,
                        team,
                        "content.patched",
                        {"scenario_version": version.number, "changes": result.changes},
                        now,
                    )
                ]
        patch = ScenarioPatch(
            base_version_id=base.id,
            patched_version_id=version.id,
            author_id=owner.id,
            applied_at=now,
            details={"changes": result.changes, "cohorts": [c.id for c in cohorts]},
        )
        session.add(patch)
        session.flush()
    return patch, out


def patches_of(session: Session, cohort: Cohort) -> list[ScenarioPatch]:
    """The patches applied to a cohort, the most recent first (for its dashboard)."""
    rows = session.scalars(
        select(ScenarioPatch).order_by(ScenarioPatch.applied_at.desc(), ScenarioPatch.id.desc())
    )
    return [p for p in rows if cohort.id in p.details.get("cohorts", [])]
