"""The studio's dialogue map: the page and its JSON route, for a draft and a published version."""

from __future__ import annotations

import io
import re

from flask import Flask

from tempo.config import PROJECT_ROOT
from tempo.models import Role
from tempo.services.content.publishing import folder_files
from tempo.services.studio import archive
from tests.web.console_kit import staff_client, text

TEMPO_2050 = PROJECT_ROOT / "content" / "scenarios" / "tempo-2050"


def _import(client, files: dict[str, str], slug: str = "tempo-2050") -> str:  # type: ignore[no-untyped-def]
    data = archive.write_zip(slug, files)
    response = client.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(data), f"{slug}.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    return str(response.headers["Location"])


def stranded_files() -> tuple[dict[str, str], str]:
    """Tempo 2050's sources where every choice of day 1's dialogue (from its start node on)
    needs a flag nobody sets; and that start node's id."""
    files = folder_files(TEMPO_2050)
    day = files["days/day01.yaml"]
    start = re.search(r"start: ([a-z0-9-]+)", day)
    assert start is not None
    choices = day.index("choices:", day.index(f"- id: {start.group(1)}"))
    indent = re.search(r"\n( *)- text:", day[choices:])
    assert indent is not None
    pad = indent.group(1)
    tail = day[choices:].replace(f"{pad}- text:", f"{pad}- if_flags: [jamais-pose]\n{pad}  text:")
    files["days/day01.yaml"] = day[:choices] + tail
    return files, start.group(1)


def test_the_map_json_lists_every_node_with_its_reachability(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _import(alice, folder_files(TEMPO_2050))
    assert "Carte des dialogues" in text(alice.get(page))
    html = text(alice.get(page + "/dialogues"))
    links = re.findall(r'href="\?mission=([a-z0-9-]+)"', html)
    assert len(links) == 9
    for mission_id in links:
        body = alice.get(f"{page}/dialogues/{mission_id}.json").get_json()
        assert body["ok"] and body["mission"]["id"] == mission_id
        assert {n["state"] for n in body["nodes"]} == {"reachable"}
        assert len(body["edges"]) >= len(body["nodes"])
        assert any(e["end"] == "success" for e in body["edges"])
    missing = alice.get(f"{page}/dialogues/nope.json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "Ce dialogue n'existe pas."
    bob, _ = staff_client(app, Role.AUTHOR, "Bob")
    assert bob.get(f"{page}/dialogues/{links[0]}.json").status_code == 404
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.get(page + "/dialogues").status_code == 403


def test_a_stranded_node_is_marked_bloquant(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    files, start = stranded_files()
    page = _import(alice, files)
    html = text(alice.get(page + "/dialogues"))
    mission = re.findall(r'href="\?mission=([a-z0-9-]+)"', html)[0]
    body = alice.get(f"{page}/dialogues/{mission}.json").get_json()
    node = next(n for n in body["nodes"] if n["id"] == start)
    assert node["state"] == "stranded"
    assert node["stranded_when"] == "'jamais-pose' est absent"
    assert body["analysis"]["never_set"] == ["jamais-pose"]
    assert "Nœud bloquant « accueil » : aucun choix n'est visible quand 'jamais-pose'" in html
    assert "[bloquant quand 'jamais-pose' est absent]" in html


def test_a_published_version_has_its_map(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _import(alice, folder_files(TEMPO_2050))
    response = alice.post(page + "/publier", data={"changelog": "Première"})
    assert response.status_code == 302
    version = str(response.headers["Location"])
    assert "Carte des dialogues" in text(alice.get(version))
    html = text(alice.get(version + "/dialogues"))
    assert "Version texte" in html and "Nœud" in html
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.get(version + "/dialogues").status_code == 200
