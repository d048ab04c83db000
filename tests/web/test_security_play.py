"""Issue 13, item 5: what a phone sends cannot block the server's actions, bypass the proof
limits, fill the disk with photos or grow a team's state without end."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from tempo.cli import cli
from tempo.extensions import db
from tempo.jobs import PERIODIC_JOBS
from tempo.missions.dialogue import MAX_PATH
from tempo.models import ClientAction, Cohort, MissionProgress, Role, utcnow
from tempo.services.play import proofs
from tests.conftest import Demo, cli_env
from tests.missions.mission_samples import act as mission_act
from tests.missions.mission_samples import ctx, mission
from tests.realtime.helpers import call, connect, first_of_type
from tests.web.console_kit import staff_client

PROOF = first_of_type("proof", day=6)  # a photo proof of the real content


def _open_days(app: Flask, demo: Demo, day: int) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        for d in cohort.days[:day]:
            d.unlocked_at = utcnow()
        db.session.commit()


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _send_photo(browser: FlaskClient, action_id: str | None = None) -> Any:
    data: dict[str, Any] = {"photo": (io.BytesIO(_photo()), "p.jpg")}
    if action_id:
        data["id"] = action_id
    return browser.post(f"/jouer/preuve/{PROOF.id}", data=data, content_type="multipart/form-data")


def _stored(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "instance" / "uploads" / "proofs").glob("*.jpg"))


def _review(counsellor: FlaskClient, demo: Demo, accepted: bool) -> str:
    page = counsellor.post(
        "/console/cohortes/demo/preuve",
        data={
            "team": str(demo.team_ids[0]),
            "mission": PROOF.id,
            "accepted": "1" if accepted else "0",
        },
        follow_redirects=True,
    )
    return page.get_data(as_text=True)


@pytest.fixture
def lina(app: Flask, demo: Demo) -> tuple[FlaskClient, str]:
    """A player of the first team whose days 1 to 6 are open: her browser and personal code."""
    _open_days(app, demo, 6)
    code = demo.join(0, "Lina")
    browser = app.test_client()
    browser.post("/retour", data={"rejoin": code})
    return browser, code


def test_a_phone_cannot_claim_the_id_of_a_counsellors_review(
    app: Flask, demo: Demo, lina: tuple[FlaskClient, str]
) -> None:
    """Server ids were `review-<mission>-<version>`: a phone sending that id first (with any
    action) made the counsellor's validation a « duplicate » that did nothing."""
    browser, code = lina
    sent = _send_photo(browser).get_json()
    assert sent["ok"] is True
    phone = connect(app, code)
    claimed = call(
        phone,
        "action",
        {"id": f"review-{PROOF.id}-{sent['version']}", "mission": PROOF.id, "kind": "submit"},
    )
    assert claimed["ok"] is False  # « already submitted »
    # Ids the server makes start with `~`: a phone's id may never hold it.
    forged = call(
        phone,
        "action",
        {"id": f"~review-{PROOF.id}-{sent['version']}", "mission": PROOF.id, "kind": "submit"},
    )
    assert forged["error"]["code"] == "invalid_action"
    counsellor, _ = staff_client(app, Role.ADMIN)
    assert "Preuve validée." in _review(counsellor, demo, accepted=True)
    with app.app_context():
        row = db.session.query(MissionProgress).filter_by(mission_id=PROOF.id).one()
        assert row.state["status"] == "accepted"
    phone.disconnect(namespace="/play")


def test_a_proof_over_the_socket_gets_the_limits_of_the_upload_form(
    app: Flask, demo: Demo, lina: tuple[FlaskClient, str], tmp_path: Path
) -> None:
    """The socket took 900 KB of text and a « photo » that was any string; the form cut the
    text at 2000 characters. Both now go through the mission's one check."""
    browser, code = lina
    phone = connect(app, code)
    huge = call(
        phone,
        "action",
        {"id": "p-1", "mission": PROOF.id, "kind": "submit", "data": {"text": "x" * 900_000}},
    )
    assert huge["ok"] is False and huge["error"]["code"] == "proof_too_long"
    assert "2000 au plus" in huge["error"]["message"]
    fake = call(
        phone,
        "action",
        {"id": "p-2", "mission": PROOF.id, "kind": "submit", "data": {"photo": "../../etc/x"}},
    )
    assert fake["ok"] is False and fake["error"]["code"] == "not_allowed"
    long_form = browser.post(f"/jouer/preuve/{PROOF.id}", data={"text": "y" * 2001})
    assert long_form.status_code == 400
    assert long_form.get_json()["error"]["code"] == "proof_too_long"
    with app.app_context():
        assert not db.session.query(MissionProgress).filter_by(mission_id=PROOF.id).all()
    phone.disconnect(namespace="/play")


def test_reposted_and_refused_photos_leave_no_file(
    app: Flask, demo: Demo, lina: tuple[FlaskClient, str], tmp_path: Path
) -> None:
    """A re-posted proof (same id) kept a second file, a refused one kept its photo forever."""
    browser, _code = lina
    first = _send_photo(browser, "proof-a")
    again = _send_photo(browser, "proof-a")  # the phone retries: the same action
    assert first.get_json()["ok"] is True and again.get_json().get("duplicate") is True
    assert len(_stored(tmp_path)) == 1
    counsellor, _ = staff_client(app, Role.ADMIN)
    assert "Preuve refusée." in _review(counsellor, demo, accepted=False)
    assert _stored(tmp_path) == []
    assert _send_photo(browser, "proof-b").get_json()["ok"] is True
    assert len(_stored(tmp_path)) == 1  # the new photo, waiting for review


def test_the_sweep_deletes_old_photos_no_proof_needs(
    app: Flask,
    demo: Demo,
    lina: tuple[FlaskClient, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Orphans (from before this fix, or a crash between storing and recording) are swept by
    the scheduler's `proofs:sweep` job and by `tempo proofs sweep`; pending photos stay, and so
    do photos younger than the grace period (an upload in flight)."""
    browser, _code = lina
    assert _send_photo(browser).get_json()["ok"] is True
    folder = tmp_path / "instance" / "uploads" / "proofs"
    (kept,) = _stored(tmp_path)
    old, recent = folder / ("a" * 32 + ".jpg"), folder / ("b" * 32 + ".jpg")
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    other = folder / "notes.txt"  # not a name Tempo gives: never touched
    other.write_text("x")
    two_hours_ago = time.time() - 7200
    for path in (folder / kept, old, other):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert "proofs:sweep" in PERIODIC_JOBS
    with app.app_context():
        removed = proofs.sweep_orphans(db.session(), folder, utcnow())
    assert removed == [old.name]
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept, recent.name, "notes.txt"])
    os.utime(recent, (two_hours_ago, two_hours_ago))
    cli_env(monkeypatch, tmp_path / "instance")
    result = CliRunner().invoke(cli, ["proofs", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 photo(s) inutilisée(s) supprimée(s)." in result.output
    assert not recent.exists() and (folder / kept).exists()


def test_a_dialogue_path_keeps_only_its_latest_steps() -> None:
    """A team looping on « retry » grew its state (and every snapshot) without end."""
    from tests.missions.test_dialogue import RAW

    dialogue = mission("dialogue")
    params = dialogue.parse(RAW)
    state = dialogue.initial_state(params)
    for _ in range(MAX_PATH * 3):
        state = dialogue.handle(params, state, mission_act("choose", choice=1), ctx()).state
    assert len(state["path"]) == MAX_PATH
    assert state["node"] == "accueil"


def test_refused_actions_are_not_stored(app: Flask, demo: Demo) -> None:
    """Each refused action stored a row: a phone looping on refusals grew the table."""
    phone = connect(app, demo.join(0, "Lina"))
    locked = first_of_type("proof", day=6)  # no day is open yet
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ClientAction))
    for n in range(30):
        reply = call(
            phone,
            "action",
            {"id": f"r-{n}", "mission": locked.id, "kind": "submit", "data": {"text": "x"}},
        )
        assert reply["ok"] is False and reply["error"]["code"] == "mission_locked"
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(ClientAction))
    assert after == before
    phone.disconnect(namespace="/play")
