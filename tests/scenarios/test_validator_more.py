"""The stricter validator rules and the flexible scenario shape: break the minimal content once,
expect the exact printed error (line numbers follow the layout documented in `builders`)."""

from __future__ import annotations

from tempo.scenarios.errors import unknown
from tempo.scenarios.schema import Antagonist
from tests.scenarios.builders import ContentDir, day_file, mission_yaml
from tests.scenarios.test_validator import only_error

DAY01 = day_file(1)
DAY03 = day_file(3)
DAY04 = day_file(4)
DAY09 = day_file(9)
META = "scenarios/mini/scenario.yaml"
CONTRAT_CHOICE = '            - text: "On le lit d\'abord."\n'


# --- YAML --------------------------------------------------------------------------------


def test_key_written_twice(content: ContentDir) -> None:
    """The second `reward:` would silently win: both lines are named."""
    content.insert(DAY04, 13, "    reward: 50")
    assert only_error(content) == (
        f"{DAY04}:13 missions[0].reward: clé 'reward' écrite deux fois (lignes 12 et 13) : "
        "la seconde remplacerait la première"
    )


def test_bare_time_is_told_to_be_quoted(content: ContentDir) -> None:
    """YAML 1.1 reads a bare 10:00 as the number 600: the author is told to quote it."""
    content.set_line(DAY04, 4, "unlock_at: 10:00", expect='unlock_at: "09:00"')
    assert only_error(content) == (
        f'{DAY04}:4 unlock_at: doit être un texte : mettez la valeur entre guillemets ("10:00")'
    )


def test_bare_code_is_told_to_be_quoted(content: ContentDir) -> None:
    """A padlock code typed as a number, inside a mission's params."""
    content.set_line(DAY04, 17, "      code: 5312", expect='code: "4821"')
    assert only_error(content) == (
        f"{DAY04}:17 missions[0].params.code: doit être un texte : "
        'mettez la valeur entre guillemets ("5312")'
    )


def test_syntax_error_does_not_cascade(content: ContentDir) -> None:
    """Day 9 is unreadable: its offer, its appointment and the mission day 10 requires are not
    reported missing; only the syntax error is."""
    content.set_line(DAY09, 12, "    reward: 10: 5", expect="reward: 10")
    assert only_error(content) == (
        f"{DAY09}:12: erreur de syntaxe YAML : mapping values are not allowed here"
    )


# --- references --------------------------------------------------------------------------


def test_known_ids_are_truncated() -> None:
    """A long list of known ids stops after twelve."""
    ids = [f"m{n:02d}" for n in range(20)]
    assert unknown("mission", "zz", ids, feminine=True) == (
        "mission inconnue : 'zz' (connues : m00, m01, m02, m03, m04, m05, m06, m07, m08, m09, "
        "m10, m11, …)"
    )
    assert unknown("personnage", "zoe", []) == "personnage inconnu : 'zoe' (aucun n'est défini)"


def test_unknown_counsellor_lists_characters(content: ContentDir) -> None:
    """The counsellor's character must exist."""
    content.append(META, "counsellor: ines\n")
    assert only_error(content) == (
        f"{META}:10 counsellor: personnage inconnu : 'ines' (connus : kronos, maya)"
    )


# --- days --------------------------------------------------------------------------------


def test_recap_before_unlock(content: ContentDir) -> None:
    """A day's recap cannot come before it opens."""
    content.set_line(DAY04, 5, 'recap_at: "08:00"', expect='recap_at: "18:00"')
    assert only_error(content) == (
        f"{DAY04}:5 recap_at: le bilan du jour (08:00) doit venir après son ouverture "
        "(unlock_at: 09:00)"
    )


def test_declared_days_missing(content: ContentDir) -> None:
    """Twelve days declared, ten written: each missing day is named."""
    content.append(META, "days: 12\n")
    assert content.errors() == [
        f"{META}:1: il manque le jour 11 (days/day11.yaml)",
        f"{META}:1: il manque le jour 12 (days/day12.yaml)",
    ]


def test_day_beyond_the_declared_count(content: ContentDir) -> None:
    """Nine days declared, a tenth written."""
    content.append(META, "days: 9\n")
    assert only_error(content) == (
        f"{day_file(10)}:1 day: jour 10 au-delà des 9 jours du scénario (days dans scenario.yaml)"
    )


def test_at_most_fifteen_days(content: ContentDir) -> None:
    """The declared count is bounded."""
    content.append(META, "days: 16\n")
    assert only_error(content) == f"{META}:10 days: doit être inférieur ou égal à 15"


def test_a_three_day_scenario_is_valid(content: ContentDir) -> None:
    """A short adventure: three days, the appointment and the diagnostic on the last one."""
    for n in range(4, 11):
        content.delete(day_file(n))
    content.append(META, "days: 3\n")
    content.set_line(META, 9, "  strength: 50", expect="strength: 100")
    content.append(
        DAY03,
        mission_yaml(
            "d03-rdv",
            "appointment",
            '      instructions: "Prenez rendez-vous."\n',
            unlocks="permis",
        )
        + mission_yaml(
            "d03-bilan", "diagnostic", '      instructions: "Le bilan."\n', requires="d03-rdv"
        ),
    )
    result = content.load()
    assert [str(e) for e in result.errors] == []
    assert result.content is not None
    assert [d.day for d in result.content.scenarios["mini"].days] == [1, 2, 3]


# --- offers ------------------------------------------------------------------------------


def test_offers_subset_is_valid(content: ContentDir) -> None:
    """A scenario may cover some offers only: the others need no mission."""
    content.append(META, "offers: [cej, bilan-sante]\n")
    content.set_line(DAY09, 14, "    unlocks: []", expect="unlocks: [permis]")
    assert content.errors() == []


def test_offer_outside_the_scenario(content: ContentDir) -> None:
    """A mission unlocks an offer the scenario does not cover."""
    content.append(META, "offers: [cej, bilan-sante]\n")
    assert only_error(content) == (
        f"{DAY09}:14 missions[0].unlocks[0]: l'offre 'permis' n'est pas parmi les offres du "
        "scénario (offers dans scenario.yaml)"
    )


def test_covered_offer_unlocked_by_no_mission(content: ContentDir) -> None:
    """A covered offer still needs a mission that unlocks it."""
    content.append(META, "offers: [cej, bilan-sante, permis]\n")
    content.set_line(DAY09, 14, "    unlocks: []", expect="unlocks: [permis]")
    assert only_error(content) == f"{META}:1: l'offre 'permis' n'est débloquée par aucune mission"


def test_covered_offer_unknown(content: ContentDir) -> None:
    """The covered offers exist."""
    content.append(META, "offers: [cej, bilan-sante, permis, stage]\n")
    assert only_error(content) == (
        f"{META}:10 offers[3]: offre inconnue : 'stage' (connues : bilan-sante, cej, permis)"
    )


# --- the opponent ------------------------------------------------------------------------


def test_rewards_cannot_defeat_the_opponent(content: ContentDir) -> None:
    """Eleven missions of 10 éclats cannot bring 200 points of strength down."""
    content.set_line(META, 9, "  strength: 200", expect="strength: 100")
    assert only_error(content) == (
        f"{META}:9 ai.strength: les récompenses de toutes les missions totalisent 110 éclats : "
        "pas assez pour vaincre KRONOS (puissance 200)"
    )


def test_opponent_alias_with_article(content: ContentDir) -> None:
    """`opponent:` names a non-AI opponent; messages use its article."""
    content.replace(
        META,
        'ai:\n  name: "KRONOS"\n  strength: 100\n',
        'opponent:\n  name: "Brouillard"\n  article: "le"\n  strength: 200\n',
    )
    assert only_error(content) == (
        f"{META}:10 opponent.strength: les récompenses de toutes les missions totalisent "
        "110 éclats : pas assez pour vaincre le Brouillard (puissance 200)"
    )


def test_opponent_phrases() -> None:
    """The sentences the player's page shows are correct French for each article."""
    fog = Antagonist(name="Brouillard", article="le", strength=1)
    assert fog.phrases() == {
        "name": "Le Brouillard",
        "weakens": "Le Brouillard faiblit\u00a0!",
        "power": "Puissance du Brouillard",
        "defeated": "Le Brouillard est à zéro\u00a0!",
        "about": "L'adversaire\u00a0: le Brouillard",
        "weakened": "Le Brouillard est affaibli",
    }
    night = Antagonist(name="Nuit", article="la", gender="f", strength=1)
    assert (night.of_name, night.phrases()["weakened"]) == ("de la Nuit", "La Nuit est affaiblie")
    shadow = Antagonist(name="Ombre", article="l'", gender="f", strength=1)
    assert (shadow.subject, shadow.of_name) == ("L'Ombre", "de l'Ombre")
    kronos = Antagonist(name="KRONOS", strength=1)
    assert (kronos.subject, kronos.of_name) == ("KRONOS", "de KRONOS")
    assert Antagonist(name="ADA", strength=1).of_name == "d'ADA"


# --- dialogue flags and nodes ------------------------------------------------------------


def test_flag_set_but_never_read_is_a_warning(content: ContentDir) -> None:
    """`contrat-lu` is set by the minimal dialogue and read nowhere: a warning, not an error."""
    result = content.load()
    assert result.ok
    assert result.content is not None
    assert [str(w) for w in result.warnings] == [
        f"{DAY01}:42 missions[1].params.nodes[1].choices[0].set_flags[0]: le drapeau "
        "'contrat-lu' est posé mais aucune condition ne le lit (if_flags, unless_flags)"
    ]


def test_flag_read_but_never_set(content: ContentDir) -> None:
    """A choice shown only with a flag nobody sets."""
    content.insert(DAY01, 35, "              if_flags: [badge-ok]")
    assert only_error(content) == (
        f"{DAY01}:35 missions[1].params.nodes[0].choices[0].if_flags[0]: le drapeau 'badge-ok' "
        "est lu ici mais aucun choix ne le pose (set_flags) : cette condition ne changera jamais"
    )


def test_node_whose_choices_flags_all_hide(content: ContentDir) -> None:
    """The only choice of a node needs a flag: without it the team is stranded."""
    content.replace(
        DAY01, CONTRAT_CHOICE, CONTRAT_CHOICE + "              unless_flags: [contrat-lu]\n"
    )
    assert only_error(content) == (
        f"{DAY01}:40 missions[1].params.nodes[1].choices: aucun choix n'est visible quand "
        "'contrat-lu' est posé : l'équipe serait bloquée (ajoutez un choix sans condition)"
    )


def test_unreachable_node(content: ContentDir) -> None:
    """A node no choice leads to."""
    content.append(
        DAY01,
        '        - id: perdu\n          speaker: maya\n          text: "Personne ne vient."\n'
        '          choices:\n            - text: "Tant pis."\n              end: retry\n',
    )
    assert only_error(content) == (
        f"{DAY01}:44 missions[1].params.nodes[2].id: nœud inaccessible : aucun choix n'y mène "
        "depuis le départ 'bonjour'"
    )
