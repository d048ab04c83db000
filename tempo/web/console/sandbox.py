"""The studio's play-tests (`/console/studio/essais/<id>`) and patches to running cohorts
(`/console/studio/<draft>/correctif`): thin routes over `services.studio.sandbox` and
`services.studio.patches`."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.jobs import folders_of
from tempo.models import Cohort, Role
from tempo.realtime.presence import presence
from tempo.realtime.publish import publish
from tempo.services.content.games import cohort_game
from tempo.services.errors import ServiceError
from tempo.services.play import actions, proofs, sessions
from tempo.services.studio import drafts as studio
from tempo.services.studio import patches, sandbox
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, me
from tempo.web.console.dashboard import STATUS_LABELS

NAV.update(
    {
        "console.sandbox_panel": "studio",
        "console.sandbox_list": "studio",
        "console.studio_patch": "studio",
    }
)


def _pin(cohort: Cohort) -> list[int]:
    """Count the simulated teammates present (again after a restart); the team's online list."""
    team_id = sandbox.team(cohort).id
    presence.pin(team_id, [p.id for p in sandbox.bots(cohort)])
    return presence.online(team_id)


def _mine(cohort_id: int) -> Cohort:
    try:
        return sandbox.sandbox_of(db.session(), me(), cohort_id)
    except ServiceError:
        abort(404)


@bp.post("/studio/essais")
@staff_required(Role.AUTHOR)
def sandbox_new() -> ResponseReturnValue:
    """« Tester »: a play-test of a draft (form field `draft`) or a version (`version`)."""
    try:
        draft_id = int(request.form["draft"]) if request.form.get("draft") else None
        version_id = int(request.form["version"]) if request.form.get("version") else None
        bots = int(request.form.get("bots", "3"))
    except ValueError:
        abort(400)
    back = request.referrer or url_for("console.studio_home")
    try:
        cohort = sandbox.create(
            db.session(),
            me(),
            now(),
            content_dir=current_app.config["CONTENT_DIR"],
            draft_id=draft_id,
            version_id=version_id,
            bot_count=bots,
        )
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return redirect(back)
    _pin(cohort)
    flash(_("Essai prêt : ouvrez votre téléphone d'essai, puis faites jouer vos coéquipiers."))
    return redirect(url_for("console.sandbox_panel", cohort_id=cohort.id))


@bp.get("/studio/essais/<int:cohort_id>")
@staff_required(Role.AUTHOR)
def sandbox_panel(cohort_id: int) -> ResponseReturnValue:
    """The control panel: the days, each open mission with its buttons, the teammates."""
    cohort = _mine(cohort_id)
    online = _pin(cohort)
    game = cohort_game(cohort)
    team = sandbox.team(cohort)
    state = actions.team_state(db.session(), team, now())
    statuses = game.statuses(state)
    opened = sorted(state.open_days)
    # The latest open day first: that is where the author is playing.
    days = [
        (
            number,
            [
                {
                    "id": mission_id,
                    "title": game.missions[mission_id].title,
                    "type": game.types[mission_id].label,
                    "bots": game.types[mission_id].key in sandbox.BOT_TYPES,
                    "status": statuses[mission_id],
                    "status_label": STATUS_LABELS.get(statuses[mission_id], statuses[mission_id]),
                }
                for mission_id in game.missions
                if game.day_of[mission_id] == number
            ],
        )
        for number in reversed(opened)
    ]
    return render_template(
        "console/sandbox.html",
        codes=sandbox.checkpoint_codes(cohort, current_app.config["SECRET_KEY"]),
        pending=sandbox.pending_proofs(db.session(), cohort),
        cohort=cohort,
        team=team,
        bots=sandbox.bots(cohort),
        online=online,
        days=days,
        opened=opened,
        notes=session.pop("sandbox_notes", None),
    )


@bp.get("/studio/essais")
@staff_required(Role.AUTHOR)
def sandbox_list() -> ResponseReturnValue:
    """The author's play-tests."""
    return render_template(
        "console/sandboxes.html", sandboxes=sandbox.my_sandboxes(db.session(), me())
    )


@bp.post("/studio/essais/<int:cohort_id>/jouer")
@staff_required(Role.AUTHOR)
def sandbox_play(cohort_id: int) -> ResponseReturnValue:
    """Give this browser the author's player session (the staff session stays), open /jouer."""
    cohort = _mine(cohort_id)
    token = sessions.open_session(db.session(), sandbox.author_player(cohort).id, now())
    session[sessions.PLAYER_KEY] = token
    return redirect(url_for("play.game"))


@bp.post("/studio/essais/<int:cohort_id>/action")
@staff_required(Role.AUTHOR)
def sandbox_action(cohort_id: int) -> ResponseReturnValue:
    """One panel button: bots' turn, go to day N, reset a mission, restart, delete."""
    cohort = _mine(cohort_id)
    online = _pin(cohort)
    what = request.form.get("action", "")
    mission_id = request.form.get("mission", "")
    target = url_for("console.sandbox_panel", cohort_id=cohort.id)
    try:
        if what == "bots":
            turn = sandbox.play_bots(db.session(), cohort, mission_id, online, now())
            publish(turn.broadcasts, cohort.id)
            session["sandbox_notes"] = {"mission": mission_id, "lines": turn.notes}
        elif what == "day":
            publish(sandbox.go_to_day(db.session(), cohort, int(request.form["day"]), now()))
            flash(_("Vous êtes au jour %(n)s.", n=int(request.form["day"])))
        elif what in ("accept", "refuse"):
            folder = proofs.photo_folder(current_app.config["TEMPO_CONFIG"].INSTANCE_DIR)
            accepted = what == "accept"
            publish(sandbox.review_proof(db.session(), cohort, mission_id, accepted, now(), folder))
            flash(_("Preuve validée.") if accepted else _("Preuve refusée."))
        elif what == "reset":
            publish(sandbox.reset_mission(db.session(), cohort, mission_id, now()))
            flash(_("Mission remise à zéro."))
        elif what == "restart":
            publish(sandbox.restart(db.session(), cohort, now()))
            flash(_("L'essai recommence au jour 1."))
        elif what == "delete":
            presence.pin(sandbox.team(cohort).id, [])
            sandbox.delete(db.session(), me(), cohort.id, folders_of(current_app), now())
            flash(_("Essai supprimé."))
            return redirect(url_for("console.studio_home"))
        else:
            abort(400)
    except (KeyError, ValueError):
        abort(400)
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
    return redirect(target)


@bp.route("/studio/<int:draft_id>/correctif", methods=["GET", "POST"])
@staff_required(Role.AUTHOR)
def studio_patch(draft_id: int) -> ResponseReturnValue:
    """« Corriger les versions en cours »: check the draft against a running version, apply."""
    try:
        draft = studio.draft_of(db.session(), me(), draft_id)
    except ServiceError:
        abort(404)
    versions = patches.patchable_versions(db.session(), draft.slug)
    content_dir = current_app.config["CONTENT_DIR"]
    if request.method == "POST":
        try:
            patch, out = patches.apply(
                db.session(), me(), draft.id, int(request.form["version"]), content_dir, now()
            )
        except (KeyError, ValueError):
            abort(400)
        except ServiceError as exc:
            flash(_("Refusé : %(message)s", message=exc.message), "error")
            return redirect(url_for("console.studio_patch", draft_id=draft.id))
        publish(out)
        patched = [db.session.get(Cohort, i) for i in patch.details["cohorts"]]
        tests = sum(1 for c in patched if c is not None and c.sandbox_owner_id is not None)
        real = len(patched) - tests
        # Play-tests of the version are patched too; they are counted apart from real cohorts.
        flash(
            _(
                "Correctif appliqué à %(n)s cohorte(s) et %(t)s essai(s) : version %(v)s.",
                n=real,
                t=tests,
                v=patch.patched_version.number,
            )
            if tests
            else _(
                "Correctif appliqué à %(n)s cohorte(s) : version %(v)s.",
                n=real,
                v=patch.patched_version.number,
            )
        )
        return redirect(url_for("console.studio_version", version_id=patch.patched_version_id))
    chosen = request.args.get("version", type=int) or (versions[0].id if versions else None)
    check = None
    if chosen is not None:
        try:
            _base, check, _patched = patches.preview(
                db.session(), me(), draft.id, chosen, content_dir
            )
        except ServiceError as exc:
            flash(_("Refusé : %(message)s", message=exc.message), "error")
    return render_template(
        "console/studio_patch.html",
        draft=draft,
        versions=versions,
        chosen=chosen,
        check=check,
        cohorts={
            v.id: [
                c for c in patches.running_cohorts(db.session(), v) if c.sandbox_owner_id is None
            ]
            for v in versions
        },
    )
