"""A minimal valid content folder written as YAML text, and helpers to break one file of it.

The files are written as literal text so that line numbers are predictable: tests assert the
exact `file:line path: message` the validator prints. Every day file starts with the same
six-line header and every mission with the same nine-line block, so in any day file:

    line 7   missions[0].id          line 12  missions[0].reward
    line 8   missions[0].type        line 13  missions[0].requires
    line 11  missions[0].character   line 14  missions[0].unlocks
                                     line 15  missions[0].params

Layout of the minimal scenario `mini` (one mission a day, two on day 1):

    day01  d01-contrat  enigma         unlocks cej
           d01-accueil  dialogue       requires d01-contrat (starts line 18)
    day02  d02-quiz     quiz           requires d01-accueil
    day03  d03-indices  split-clue     unlocks bilan-sante
    day04  d04-cadenas  code-lock
    day05  d05-enigme   enigma
    day06  d06-balises  qr-checkpoint  checkpoints cp-d06-mediatheque, cp-d06-gare
    day07  d07-photo    proof
    day08  d08-enigme   enigma
    day09  d09-rdv      appointment    unlocks permis
    day10  d10-bilan    diagnostic     requires d09-rdv
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tempo.scenarios import LoadResult, load_content
from tempo.scenarios.schema import FAMILIES

SCENARIO_DIR = "scenarios/mini"
DAYS_DIR = f"{SCENARIO_DIR}/days"


def day_file(n: int) -> str:
    """Relative path of day `n`'s file, e.g. `scenarios/mini/days/day03.yaml`."""
    return f"{DAYS_DIR}/day{n:02d}.yaml"


# --- offers.yaml: offer i starts on line 2 + 5 * i ----------------------------------------

OFFERS_YAML = """\
offers:
  - id: cej
    title: "Contrat d'Engagement Jeune"
    family: emploi
    summary: "Un accompagnement intensif vers l'emploi."
    access: "Parlez-en à votre conseiller."
  - id: bilan-sante
    title: "Bilan de santé gratuit"
    family: sante
    summary: "Un bilan complet, pris en charge."
    access: "Sur rendez-vous, à l'accueil."
  - id: permis
    title: "Aide au permis de conduire"
    family: mobilite
    summary: "Un coup de pouce pour passer le permis."
    access: "Demandez à votre conseiller."
"""

OFFER_IDS = ("cej", "bilan-sante", "permis")

# --- diagnostic.yaml: family i starts on line 13 + 12 * i --------------------------------

DIAGNOSTIC_HEADER = """\
title: "Mon auto-diagnostic"
intro: "Quelques questions pour faire le point sur ta situation."
scales:
  - id: oui-non
    options:
      - value: oui
        label: "Oui"
        need: 3
      - value: non
        label: "Non"
        need: 0
families:
"""

FAMILY_OFFER = {"emploi": "cej", "sante": "bilan-sante", "mobilite": "permis"}


def family_yaml(family: str) -> str:
    """One family block (12 lines): offers on +2, screening on +3, questions[0].scale on +11."""
    return f"""\
  - id: {family}
    title: "Famille {family}"
    offers: [{FAMILY_OFFER.get(family, "cej")}]
    screening:
      id: {family}-besoin
      text: "As-tu besoin d'aide pour : {family} ?"
      scale: oui-non
      opens_on: [oui]
    questions:
      - id: {family}-detail
        text: "Veux-tu en parler avec un conseiller ?"
        scale: oui-non
"""


DIAGNOSTIC_YAML = DIAGNOSTIC_HEADER + "".join(family_yaml(f) for f in FAMILIES)


def family_line(index: int) -> int:
    """Line of `families[index].id` in diagnostic.yaml."""
    return 13 + 12 * index


# --- scenarios/mini/ ---------------------------------------------------------------------

SCENARIO_YAML = """\
slug: mini
title: "Mini"
tagline: "Un scénario minuscule pour les tests."
version: "1.0"
company: "Horizon 2050"
story: "Une histoire très courte."
ai:
  name: "KRONOS"
  strength: 100
"""

CHARACTERS_YAML = """\
characters:
  - id: maya
    name: "Maya Diallo"
    role: "DRH d'Horizon 2050"
    voice: "Chaleureuse et précise."
    avatar: "M"
    color: "#7c3aed"
  - id: kronos
    name: "KRONOS"
    role: "L'IA antagoniste"
    voice: "Froide et chiffrée."
    avatar: "K"
    color: "#111111"
"""


def day_header(n: int) -> str:
    """The six header lines of a day file (missions start on line 7)."""
    return f"""\
day: {n}
title: "Jour {n}"
intro: "Le jour {n} commence."
unlock_at: "09:00"
recap_at: "18:00"
missions:
"""


def mission_yaml(
    mission_id: str,
    mission_type: str,
    params: str,
    *,
    requires: str = "",
    unlocks: str = "",
    character: str = "maya",
) -> str:
    """A mission block: nine fixed lines, then `params` (already indented by six spaces)."""
    return f"""\
  - id: {mission_id}
    type: {mission_type}
    title: "Mission {mission_id}"
    narrative: "Une mission pour l'équipe."
    character: {character}
    reward: 10
    requires: [{requires}]
    unlocks: [{unlocks}]
    params:
{params}"""


ENIGMA_PARAMS = """\
      question: "Qu'est-ce qui vous attend ?"
      answers: ["L'avenir", "le futur"]
"""

# Day 1, mission 1 starts on line 18: start on 27, nodes[0] on 29 (choices[0].next on 34),
# nodes[1] on 37 (speaker on 38).
DIALOGUE_PARAMS = """\
      start: bonjour
      nodes:
        - id: bonjour
          speaker: maya
          text: "Bienvenue chez Horizon 2050 !"
          choices:
            - text: "Merci, on a hâte."
              next: contrat
            - text: "On repassera."
              end: retry
        - id: contrat
          speaker: kronos
          text: "SIGNEZ LE CONTRAT."
          choices:
            - text: "On le lit d'abord."
              set_flags: [contrat-lu]
              end: success
"""

QUIZ_PARAMS = """\
      questions:
        - prompt: "Combien de jours dure la période d'essai du jeu ?"
          choices:
            - text: "Dix"
              correct: true
            - text: "Deux"
"""

SPLIT_CLUE_PARAMS = """\
      question: "Quel mot forment vos fragments ?"
      fragments: ["SAN", "TÉ"]
      answers: ["santé"]
"""

CODE_LOCK_PARAMS = """\
      prompt: "Ouvrez le casier."
      code: "4821"
"""

# Day 6: checkpoints[0].id on line 18, checkpoints[1].id on line 22.
QR_PARAMS = """\
      ordered: true
      checkpoints:
        - id: cp-d06-mediatheque
          label: "La médiathèque"
          clue: "Là où dorment les livres."
          placement: "Hall d'accueil de la médiathèque"
        - id: cp-d06-gare
          label: "La gare"
          clue: "Là où partent les trains."
          placement: "Panneau des départs, hall de la gare"
"""

PROOF_PARAMS = """\
      kind: photo
      instructions: "Prenez en photo votre badge."
"""

APPOINTMENT_PARAMS = """\
      instructions: "Réservez un rendez-vous avec votre conseiller."
"""

DIAGNOSTIC_PARAMS = """\
      instructions: "Faites votre auto-diagnostic de fin d'aventure."
"""

DAY_MISSIONS: dict[int, str] = {
    1: mission_yaml("d01-contrat", "enigma", ENIGMA_PARAMS, unlocks="cej")
    + mission_yaml(
        "d01-accueil", "dialogue", DIALOGUE_PARAMS, requires="d01-contrat", character="kronos"
    ),
    2: mission_yaml("d02-quiz", "quiz", QUIZ_PARAMS, requires="d01-accueil"),
    3: mission_yaml("d03-indices", "split-clue", SPLIT_CLUE_PARAMS, unlocks="bilan-sante"),
    4: mission_yaml("d04-cadenas", "code-lock", CODE_LOCK_PARAMS),
    5: mission_yaml("d05-enigme", "enigma", ENIGMA_PARAMS),
    6: mission_yaml("d06-balises", "qr-checkpoint", QR_PARAMS),
    7: mission_yaml("d07-photo", "proof", PROOF_PARAMS),
    8: mission_yaml("d08-enigme", "enigma", ENIGMA_PARAMS),
    9: mission_yaml("d09-rdv", "appointment", APPOINTMENT_PARAMS, unlocks="permis"),
    10: mission_yaml("d10-bilan", "diagnostic", DIAGNOSTIC_PARAMS, requires="d09-rdv"),
}

FILES: dict[str, str] = {
    "offers.yaml": OFFERS_YAML,
    "diagnostic.yaml": DIAGNOSTIC_YAML,
    f"{SCENARIO_DIR}/scenario.yaml": SCENARIO_YAML,
    f"{SCENARIO_DIR}/characters.yaml": CHARACTERS_YAML,
    **{day_file(n): day_header(n) + DAY_MISSIONS[n] for n in range(1, 11)},
}


@dataclass
class ContentDir:
    """A content folder on disk with helpers to edit one file before loading it."""

    root: Path

    def path(self, rel: str) -> Path:
        """Absolute path of a file given relative to the content root."""
        return self.root / rel

    def read(self, rel: str) -> str:
        """Text of a file."""
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        """Create or overwrite a file."""
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def delete(self, rel: str) -> None:
        """Remove a file or folder."""
        target = self.path(rel)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def replace(self, rel: str, old: str, new: str) -> None:
        """Replace `old`, which must occur exactly once in the file, by `new`."""
        text = self.read(rel)
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times in {rel}"
        self.write(rel, text.replace(old, new))

    def lines(self, rel: str) -> list[str]:
        """The file's lines, without line ends."""
        return self.read(rel).splitlines()

    def line(self, rel: str, number: int) -> str:
        """Line `number` (1-based)."""
        return self.lines(rel)[number - 1]

    def set_line(self, rel: str, number: int, text: str, *, expect: str | None = None) -> None:
        """Replace line `number` (1-based); `expect` guards against editing the wrong line."""
        lines = self.lines(rel)
        if expect is not None:
            assert expect in lines[number - 1], f"{rel}:{number} is {lines[number - 1]!r}"
        lines[number - 1] = text
        self.write(rel, "\n".join(lines) + "\n")

    def insert(self, rel: str, number: int, text: str) -> None:
        """Insert `text` (one or more lines) so that it starts on line `number` (1-based)."""
        lines = self.lines(rel)
        lines[number - 1 : number - 1] = text.rstrip("\n").split("\n")
        self.write(rel, "\n".join(lines) + "\n")

    def append(self, rel: str, text: str) -> None:
        """Add `text` at the end of the file."""
        self.write(rel, self.read(rel) + text)

    def load(self) -> LoadResult:
        """Load and validate the folder."""
        return load_content(self.root)

    def errors(self) -> list[str]:
        """The printed errors, in the loader's order."""
        return [str(e) for e in self.load().errors]


def build_content(root: Path) -> ContentDir:
    """Write the minimal valid content folder under `root` and return it."""
    content = ContentDir(root)
    for rel, text in FILES.items():
        content.write(rel, text)
    return content
