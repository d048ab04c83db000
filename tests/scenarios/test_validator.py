"""One test per validator rule: break the minimal content once, expect the exact printed error.

Line numbers refer to the layout documented in `builders`.
"""

from __future__ import annotations

from tempo.missions import registry
from tempo.scenarios.errors import translate
from tests.scenarios.builders import ContentDir, day_file, family_line

DAY01 = day_file(1)
DAY02 = day_file(2)
DAY03 = day_file(3)
DAY04 = day_file(4)
DAY05 = day_file(5)
DAY06 = day_file(6)
DAY07 = day_file(7)
DAY09 = day_file(9)
DAY10 = day_file(10)
META = "scenarios/mini/scenario.yaml"
DAY_8B = "scenarios/mini/days/day08b.yaml"


def only_error(content: ContentDir) -> str:
    """The single printed error of a broken folder (and the content is refused)."""
    result = content.load()
    assert result.content is None
    errors = [str(e) for e in result.errors]
    assert len(errors) == 1, errors
    return errors[0]


# --- schema and types --------------------------------------------------------------------


def test_wrong_type(content: ContentDir) -> None:
    """A text where a whole number is expected."""
    content.set_line(DAY04, 12, "    reward: beaucoup", expect="reward: 10")
    assert only_error(content) == (f"{DAY04}:12 missions[0].reward: doit être un nombre entier")


def test_missing_field(content: ContentDir) -> None:
    """A missing required field points at the mapping that lacks it."""
    content.replace(DAY04, '    narrative: "Une mission pour l\'équipe."\n', "")
    assert only_error(content) == (f"{DAY04}:7 missions[0].narrative: champ obligatoire manquant")


def test_missing_top_level_field(content: ContentDir) -> None:
    """A missing top-level field points at the first line of the file."""
    content.replace(META, 'tagline: "Un scénario minuscule pour les tests."\n', "")
    assert only_error(content) == f"{META}:1 tagline: champ obligatoire manquant"


def test_unknown_key(content: ContentDir) -> None:
    """An unknown key (a typo) is refused at its own line."""
    content.insert(DAY04, 13, "    point: 3")
    assert only_error(content) == (
        f"{DAY04}:13 missions[0].point: champ inconnu (faute de frappe ?)"
    )


def test_params_schema_error(content: ContentDir) -> None:
    """A mission's params are checked by its type's own schema."""
    content.set_line(DAY04, 17, '      code: "12"', expect='code: "4821"')
    assert only_error(content) == (
        f"{DAY04}:17 missions[0].params.code: format invalide : de 3 à 8 chiffres ou lettres "
        "majuscules sans accent (exemple : 4821)"
    )


def test_unknown_params_key(content: ContentDir) -> None:
    """An unknown key inside params is an error too."""
    content.insert(DAY04, 18, '      hint: "trop facile"')
    assert only_error(content) == (
        f"{DAY04}:18 missions[0].params.hint: champ inconnu (faute de frappe ?)"
    )


def test_type_check_issue(content: ContentDir) -> None:
    """A type's semantic check (a quiz question with no correct choice) is located in params."""
    content.replace(DAY02, "              correct: true\n", "")
    assert only_error(content) == (
        f"{DAY02}:18 missions[0].params.questions[0].choices: "
        "aucune réponse n'est marquée « correct: true »"
    )


# --- mission types and identifiers -------------------------------------------------------


def test_unknown_mission_type(content: ContentDir) -> None:
    """An unregistered type names the known ones."""
    content.set_line(DAY04, 8, "    type: padlock", expect="type: code-lock")
    known = ", ".join(registry.keys())
    assert only_error(content) == (
        f"{DAY04}:8 missions[0].type: type de mission inconnu : 'padlock' (types connus : {known})"
    )


def test_duplicate_mission_id_across_days(content: ContentDir) -> None:
    """The second definition is reported with the place of the first."""
    content.set_line(DAY05, 7, "  - id: d04-cadenas", expect="id: d05-enigme")
    assert only_error(content) == (
        f"{DAY05}:7 missions[0].id: mission en double : 'd04-cadenas' (déjà dans {DAY04}:7)"
    )


def test_duplicate_offer_id(content: ContentDir) -> None:
    """Two offers with the same id."""
    content.set_line("offers.yaml", 12, "  - id: cej", expect="id: permis")
    assert only_error(content) == (
        "offers.yaml:12 offers[2].id: offre en double : 'cej' (déjà défini ligne 2)"
    )


def test_duplicate_qr_checkpoint_across_missions(content: ContentDir) -> None:
    """A checkpoint id reused by another mission of the scenario."""
    content.append(
        DAY07,
        '  - id: d07-balise\n    type: qr-checkpoint\n    title: "Balise"\n'
        '    narrative: "Encore une balise."\n    reward: 5\n    params:\n'
        "      checkpoints:\n        - id: cp-d06-gare\n"
        '          label: "La gare"\n          clue: "Encore la gare."\n'
        '          placement: "Hall de la gare"\n',
    )
    assert only_error(content) == (
        f"{DAY07}:25 missions[1].params.checkpoints[0].id: "
        f"balise QR en double : 'cp-d06-gare' (déjà dans {DAY06}:22)"
    )


# --- dangling references -----------------------------------------------------------------


def test_requires_unknown_mission(content: ContentDir) -> None:
    """`requires` names a mission that does not exist."""
    content.set_line(DAY03, 13, "    requires: [d99-boss]", expect="requires: []")
    assert only_error(content) == (
        f"{DAY03}:13 missions[0].requires[0]: mission inconnue : 'd99-boss' "
        "(connues : d01-accueil, d01-contrat, d02-quiz, d03-indices, d04-cadenas, d05-enigme, "
        "d06-balises, d07-photo, d08-enigme, d09-rdv, d10-bilan)"
    )


def test_unlocks_unknown_offer(content: ContentDir) -> None:
    """`unlocks` names an offer that does not exist."""
    content.set_line(DAY04, 14, "    unlocks: [stage]", expect="unlocks: []")
    assert only_error(content) == (
        f"{DAY04}:14 missions[0].unlocks[0]: offre inconnue : 'stage' "
        "(connues : bilan-sante, cej, permis) : elle n'est pas dans le catalogue des offres, "
        "ajoutez-la au catalogue ou retirez-la de unlocks"
    )


def test_mission_unknown_character(content: ContentDir) -> None:
    """A mission's `character` is not in characters.yaml."""
    content.set_line(DAY04, 11, "    character: zoe", expect="character: maya")
    assert only_error(content) == (
        f"{DAY04}:11 missions[0].character: personnage inconnu : 'zoe' (connus : kronos, maya)"
    )


def test_dialogue_unknown_speaker(content: ContentDir) -> None:
    """A dialogue node spoken by an unknown character."""
    content.set_line(DAY01, 38, "          speaker: zoe", expect="speaker: kronos")
    assert only_error(content) == (
        f"{DAY01}:38 missions[1].params.nodes[1].speaker: personnage inconnu : 'zoe' "
        "(connus : kronos, maya)"
    )


def test_dialogue_unknown_next_node(content: ContentDir) -> None:
    """A dialogue choice leading to a node that does not exist."""
    content.set_line(DAY01, 34, "              next: signature", expect="next: contrat")
    assert only_error(content) == (
        f"{DAY01}:34 missions[1].params.nodes[0].choices[0].next: nœud inconnu : 'signature'"
    )


def test_dialogue_unknown_start_node(content: ContentDir) -> None:
    """A dialogue starting at a node that does not exist."""
    content.set_line(DAY01, 27, "      start: salut", expect="start: bonjour")
    assert only_error(content) == f"{DAY01}:27 missions[1].params.start: nœud inconnu : 'salut'"


def test_dialogue_success_unreachable(content: ContentDir) -> None:
    """A dialogue whose only success is on a node no path from the start reaches."""
    content.set_line(DAY01, 34, "              end: retry", expect="next: contrat")
    assert only_error(content) == (
        f"{DAY01}:27 missions[1].params.start: "
        "aucun chemin depuis ce nœud n'atteint un choix « end: success »"
    )


def test_diagnostic_family_unknown_offer(content: ContentDir) -> None:
    """A diagnostic family pointing to an offer that does not exist."""
    line = family_line(0) + 2
    content.set_line("diagnostic.yaml", line, "    offers: [cej, stage]", expect="offers: [cej]")
    assert only_error(content) == (
        f"diagnostic.yaml:{line} families[0].offers[1]: offre inconnue : 'stage' "
        "(connues : bilan-sante, cej, permis)"
    )


def test_diagnostic_unknown_scale(content: ContentDir) -> None:
    """A diagnostic question using a scale that does not exist."""
    line = family_line(0) + 11
    content.set_line("diagnostic.yaml", line, "        scale: sur-dix", expect="scale: oui-non")
    assert only_error(content) == (
        f"diagnostic.yaml:{line} families[0].questions[0].scale: échelle inconnue : 'sur-dix'"
    )


def test_diagnostic_missing_family(content: ContentDir) -> None:
    """Every family of the self-diagnostic must be present."""
    start = family_line(10) - 1
    lines = content.lines("diagnostic.yaml")
    content.write("diagnostic.yaml", "\n".join(lines[:start]) + "\n")
    assert only_error(content) == "diagnostic.yaml:12 families: famille(s) absente(s) : loisirs"


# --- the requires graph ------------------------------------------------------------------


def test_requires_cycle(content: ContentDir) -> None:
    """Two missions requiring each other form a cycle, reported once."""
    content.set_line(DAY01, 13, "    requires: [d01-accueil]", expect="requires: []")
    errors = content.errors()
    assert (
        f"{DAY01}:13 missions[0].requires[0]: "
        "cycle dans requires : d01-contrat -> d01-accueil -> d01-contrat"
    ) in errors
    assert sum("cycle" in e for e in errors) == 1


def test_mission_depending_on_a_cycle_is_never_available(content: ContentDir) -> None:
    """d02-quiz requires a cycle member: it is blocked (and the cycle is reported)."""
    content.set_line(DAY01, 13, "    requires: [d01-accueil]", expect="requires: []")
    assert content.errors() == [
        f"{DAY01}:13 missions[0].requires[0]: "
        "cycle dans requires : d01-contrat -> d01-accueil -> d01-contrat",
        f"{DAY02}:13 missions[0].requires: la mission 'd02-quiz' ne pourra jamais devenir "
        "disponible (elle dépend de 'd01-accueil', qui est bloquée)",
    ]


def test_requires_a_later_day(content: ContentDir) -> None:
    """A mission cannot require a mission of a later day."""
    content.set_line(DAY03, 13, "    requires: [d05-enigme]", expect="requires: []")
    assert only_error(content) == (
        f"{DAY03}:13 missions[0].requires[0]: la mission 'd05-enigme' est au jour 5 : "
        "elle ne pourra jamais être disponible au jour 3"
    )


def test_requires_itself(content: ContentDir) -> None:
    """A mission cannot require itself."""
    content.set_line(DAY04, 13, "    requires: [d04-cadenas]", expect="requires: []")
    assert only_error(content) == (
        f"{DAY04}:13 missions[0].requires[0]: une mission ne peut pas s'exiger elle-même"
    )


# --- scenario-wide rules -----------------------------------------------------------------


def test_offer_unlocked_by_no_mission(content: ContentDir) -> None:
    """Every offer must be unlocked by some mission."""
    content.set_line(DAY09, 14, "    unlocks: []", expect="unlocks: [permis]")
    assert only_error(content) == f"{META}:1: l'offre 'permis' n'est débloquée par aucune mission"


def test_missing_day_is_named(content: ContentDir) -> None:
    """Nine day files of the ten the scenario has (10 by default): the missing one is named."""
    content.delete(day_file(8))
    assert only_error(content) == f"{META}:1: il manque le jour 8 (days/day08.yaml)"


def test_day_defined_twice(content: ContentDir) -> None:
    """Eleven day files (the extra one repeats day 8)."""
    text = content.read(day_file(8)).replace("d08-enigme", "d08-bis")
    content.write("scenarios/mini/days/day08b.yaml", text)
    assert only_error(content) == f"{DAY_8B}:1 day: jour 8 déjà défini dans {day_file(8)}"


def test_no_appointment_mission(content: ContentDir) -> None:
    """A scenario needs a counsellor appointment mission."""
    content.set_line(DAY09, 8, "    type: proof", expect="type: appointment")
    assert only_error(content) == (
        f"{META}:1: le scénario doit contenir au moins une mission de rendez-vous "
        "(type: appointment)"
    )


def test_no_diagnostic_mission(content: ContentDir) -> None:
    """A scenario needs a self-diagnostic mission."""
    content.set_line(DAY10, 8, "    type: proof", expect="type: diagnostic")
    assert only_error(content) == (
        f"{META}:1: le scénario doit contenir au moins une mission d'auto-diagnostic "
        "(type: diagnostic)"
    )


# --- YAML syntax -------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line(content: ContentDir) -> None:
    """A YAML syntax error is reported at the offending line."""
    content.set_line(DAY05, 12, "    reward: 10: 5", expect="reward: 10")
    assert only_error(content) == (
        f"{DAY05}:12: erreur de syntaxe YAML : mapping values are not allowed here"
    )


def test_missing_file(content: ContentDir) -> None:
    """A missing required file is named."""
    content.delete("scenarios/mini/characters.yaml")
    assert only_error(content) == "scenarios/mini/characters.yaml: fichier manquant"


# --- acceptance --------------------------------------------------------------------------


def test_errors_in_three_files_are_all_reported(content: ContentDir) -> None:
    """Syntax error, wrong type and dangling reference in three files: all located, no content."""
    content.set_line(DAY05, 12, "    reward: 10: 5", expect="reward: 10")
    content.set_line(DAY04, 12, "    reward: beaucoup", expect="reward: 10")
    content.set_line(DAY03, 13, "    requires: [d99-boss]", expect="requires: []")
    result = content.load()
    assert result.content is None
    assert not result.ok
    assert [(e.file, e.line) for e in result.errors] == [(DAY03, 13), (DAY04, 12), (DAY05, 12)]
    assert [str(e) for e in result.errors] == [
        f"{DAY03}:13 missions[0].requires[0]: mission inconnue : 'd99-boss' "
        "(connues : d01-accueil, d01-contrat, d02-quiz, d03-indices, d06-balises, d07-photo, "
        "d08-enigme, d09-rdv, d10-bilan)",
        f"{DAY04}:12 missions[0].reward: doit être un nombre entier",
        f"{DAY05}:12: erreur de syntaxe YAML : mapping values are not allowed here",
    ]


def test_on_wrong_unknown_character(content: ContentDir) -> None:
    """A mission's wrong-answer reaction said by a character not in characters.yaml."""
    content.insert(DAY04, 15, "    on_wrong:\n      character: zoe\n      text: Raté !")
    assert only_error(content) == (
        f"{DAY04}:16 missions[0].on_wrong.character: personnage inconnu : 'zoe' "
        "(connus : kronos, maya)"
    )


def test_on_wrong_needs_a_text(content: ContentDir) -> None:
    """`on_wrong` without its text is refused by the schema; with it (and the mission's own
    character by default) the content loads."""
    content.insert(DAY04, 15, "    on_wrong:\n      character: maya")
    assert "missions[0].on_wrong.text" in only_error(content)
    content.set_line(DAY04, 16, "      text: Raté, on recommence !", expect="character: maya")
    assert content.load().content is not None


def test_character_wrong_answer_lines(content: ContentDir) -> None:
    """Characters may carry default wrong-answer lines (the last character here)."""
    text = content.read("scenarios/mini/characters.yaml")
    content.write("scenarios/mini/characters.yaml", text + '    wrong_answer: ["Pas encore !"]\n')
    assert content.load().content is not None


def test_patterns_are_said_in_words() -> None:
    """An id or an hour that does not fit: the message says what to type, never a regex."""

    def said(pattern: str) -> str:
        return translate({"type": "string_pattern_mismatch", "ctx": {"pattern": pattern}})

    assert said(r"^[a-z0-9][a-z0-9-]*$") == (
        "format invalide : minuscules sans accent, chiffres et tirets, sans espace "
        "(exemple : ma-mission-2)"
    )
    assert said(r"^([01][0-9]|2[0-3]):[0-5][0-9]$") == (
        "format invalide : une heure HH:MM, de 00:00 à 23:59 (exemple : 09:30)"
    )
