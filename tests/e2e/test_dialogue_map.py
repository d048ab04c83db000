"""The studio's dialogue map in a browser: every dialogue of Tempo 2050 is drawn (as many node
boxes as the dialogue has nodes, no console error, no CSP violation) and a stranded node is
shown « bloquant ». Screenshots at laptop and phone size."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tempo.services.content.publishing import folder_files
from tempo.services.studio import archive
from tempo.services.studio.dialogue_map import story_of_files
from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.e2e.test_csp import _collect, _watched
from tests.e2e.test_studio import _assert_clean, _author, _login
from tests.live import LiveServer
from tests.web.test_dialogue_map_web import TEMPO_2050, stranded_files

pytestmark = pytest.mark.browser

TIMEOUT = 10_000


def _import(page: Page, live_server: LiveServer, files: dict[str, str], tmp: Path) -> str:
    path = tmp / "tempo-2050.zip"
    path.write_bytes(archive.write_zip("tempo-2050", files))
    assert zipfile.is_zipfile(path)
    page.goto(live_server.url + "/console/studio")
    page.locator("#import-file").set_input_files(str(path))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("link", name="Carte des dialogues")).to_be_visible(timeout=TIMEOUT)
    return page.url.split("?")[0]


def test_every_tempo_2050_dialogue_is_drawn(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    _author(live_server, "iris@ml-e2e.fr", "Iris Martin")
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _login(page, live_server, "iris@ml-e2e.fr")
    files = folder_files(TEMPO_2050)
    story = story_of_files(files)
    _import(page, live_server, files, tmp_path)
    page.get_by_role("link", name="Carte des dialogues").click()
    dialogues = story.dialogues()
    assert len(dialogues) >= 9
    for n, (day, mission) in enumerate(dialogues):
        page.get_by_role("link", name=f"Jour {day} — {mission.title}").click()
        expect(page.locator("#dmap[data-ready]")).to_be_attached(timeout=TIMEOUT)
        params = story.dialogue(mission.id)
        assert params is not None
        boxes = page.locator("#dmap svg [data-kind=node]")
        expect(boxes).to_have_count(len(params[2].nodes))
        expect(page.locator("#dmap svg [data-kind=end]").first).to_be_visible()
        expect(page.locator('#dmap svg [data-state="stranded"]')).to_have_count(0)
        _assert_clean(page)
        _collect(page, violations)
        if n == 0:
            shot(page, "dialogue-map")
            page.locator("#dmap").scroll_into_view_if_needed()
            shot(page, "dialogue-map-graph")
    assert errors == [] and violations == []
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#dmap[data-ready]")).to_be_attached(timeout=TIMEOUT)
    shot(page, "dialogue-map")


def test_a_stranded_node_is_shown_bloquant(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    _author(live_server, "noe@ml-e2e.fr", "Noé Bernard")
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    _login(page, live_server, "noe@ml-e2e.fr")
    files, start = stranded_files()
    draft = _import(page, live_server, files, tmp_path)
    page.goto(draft + "/dialogues")
    node = page.locator(f'#dmap svg [data-node="{start}"]')
    expect(node).to_have_attribute("data-state", "stranded", timeout=TIMEOUT)
    expect(node).to_contain_text("bloquant")
    expect(page.get_by_text(f"Nœud bloquant « {start} »")).to_be_visible()
    page.locator("#dmap").scroll_into_view_if_needed()
    shot(page, "dialogue-map-stranded")
    assert errors == []
