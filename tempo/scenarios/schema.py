"""Pydantic models of the authored content: offers, diagnostic, scenario, characters, days."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

SLUG = r"^[a-z0-9][a-z0-9-]*$"
HOUR = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
#: The longest adventure a scenario may describe, in game days.
MAX_DAYS = 15

# The 11 families of the self-diagnostic; every offer belongs to one of them.
FAMILIES: tuple[str, ...] = (
    "emploi",
    "formation",
    "orientation",
    "sante",
    "logement",
    "mobilite",
    "argent",
    "numerique",
    "droits",
    "citoyennete",
    "loisirs",
)
Family = Literal[
    "emploi",
    "formation",
    "orientation",
    "sante",
    "logement",
    "mobilite",
    "argent",
    "numerique",
    "droits",
    "citoyennete",
    "loisirs",
]

# Working-life skills a mission exercises (shown in recaps and in the final bilan).
Skill = Literal[
    "instructions", "punctuality", "asking-for-help", "teamwork", "communication", "initiative"
]


def N_(text: str) -> str:
    """Mark a French string for the translation catalogue; it is translated where it is shown."""
    return text


SKILL_LABELS: dict[str, str] = {
    "instructions": N_("Suivre les consignes"),
    "punctuality": N_("Ponctualité"),
    "asking-for-help": N_("Demander de l'aide"),
    "teamwork": N_("Travail d'équipe"),
    "communication": N_("Communication"),
    "initiative": N_("Prise d'initiative"),
}


class Model(BaseModel):
    """Content models refuse unknown keys: a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- offers.yaml -------------------------------------------------------------------------


class Offer(Model):
    """One of the Mission Locale's service offers."""

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    family: Family
    summary: str = Field(min_length=1)
    access: str = Field(min_length=1)
    bring: list[str] = Field(default_factory=list)


class OffersFile(Model):
    """`content/offers.yaml`."""

    offers: list[Offer] = Field(min_length=1)


# --- diagnostic.yaml ---------------------------------------------------------------------


class ScaleOption(Model):
    """An answer option; `need` (0–3) says how much it signals a need for support.

    A `skip` option (« je préfère ne pas répondre ») is a way of not answering: it is kept as
    the player's answer but never scored, so it neither raises nor lowers a family's need.
    """

    value: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    need: int = Field(ge=0, le=3)
    skip: bool = False


class Scale(Model):
    """A reusable answer scale."""

    id: str = Field(pattern=SLUG)
    options: list[ScaleOption] = Field(min_length=2)


class Question(Model):
    """A detailed question of a family."""

    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=1)
    scale: str


class Screening(Question):
    """The family's first question: its answer opens or skips the detailed questions."""

    opens_on: list[str] = Field(min_length=1)


class DiagnosticFamily(Model):
    """A theme of the self-diagnostic and the offers it points to."""

    id: Family
    title: str = Field(min_length=1)
    intro: str | None = None
    offers: list[str] = Field(min_length=1)
    screening: Screening
    questions: list[Question] = Field(min_length=1)


class DiagnosticFile(Model):
    """`content/diagnostic.yaml`."""

    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    scales: list[Scale] = Field(min_length=1)
    families: list[DiagnosticFamily] = Field(min_length=1)


# --- scenarios/<slug>/ -------------------------------------------------------------------


class Antagonist(Model):
    """The opponent the team must weaken (an AI, a fog, a storm…): each shard earned removes one
    point of strength.

    `article` and `gender` let sentences about it be correct French: « Le Brouillard faiblit »,
    « la puissance du Brouillard », « KRONOS faiblit », « la puissance de KRONOS ».
    """

    name: str = Field(min_length=1)
    strength: int = Field(ge=1)
    description: str | None = None
    article: Literal["", "le", "la", "l'"] = ""
    gender: Literal["m", "f"] = "m"

    @property
    def the_name(self) -> str:
        """The name with its article, inside a sentence: « le Brouillard », « KRONOS »."""
        if self.article in ("", "l'"):
            return f"{self.article}{self.name}"
        return f"{self.article} {self.name}"

    @property
    def subject(self) -> str:
        """The name starting a sentence: « Le Brouillard », « L'Ombre », « KRONOS »."""
        return self.the_name[:1].upper() + self.the_name[1:]

    @property
    def of_name(self) -> str:
        """« de » + the name: « du Brouillard », « de la Nuit », « de l'Ombre », « d'ADA »."""
        if self.article == "le":
            return f"du {self.name}"
        if self.article:
            return f"de {self.the_name}"
        return f"d'{self.name}" if self.name[:1].lower() in "aeiouyhàâéèêîôû" else f"de {self.name}"

    def phrases(self) -> dict[str, str]:
        """Pre-composed French sentences about the opponent, for the player's page."""
        weakened = "affaiblie" if self.gender == "f" else "affaibli"
        return {
            "name": self.subject,
            "weakens": f"{self.subject} faiblit\u00a0!",
            "power": f"Puissance {self.of_name}",
            "defeated": f"{self.subject} est à zéro\u00a0!",
            "about": f"L'adversaire\u00a0: {self.the_name}",
            "weakened": f"{self.subject} est {weakened}",
        }


class ScenarioMeta(Model):
    """`scenario.yaml`: the scenario's identity and story."""

    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    tagline: str = Field(min_length=1)
    version: str = Field(min_length=1)
    story: str = Field(min_length=1)
    company: str = Field(min_length=1)
    # The opponent; `opponent:` is accepted as another name for `ai:` (it need not be an AI).
    ai: Antagonist = Field(validation_alias=AliasChoices("ai", "opponent"))
    #: How many game days the scenario has (days/day01.yaml … one file a day).
    days: int = Field(default=10, ge=1, le=MAX_DAYS)
    #: The offers the scenario reveals: `all` (every offer of offers.yaml) or a list of ids.
    offers: Literal["all"] | list[str] = Field(default="all", json_schema_extra={"x-ref": "offer"})
    collective_goal: str | None = None
    #: Éclats each team starts with, so that a first hint is affordable exactly when beginners
    #: are stuck. A gift, not earnings: the ledger of earned éclats does not count it.
    starting_shards: int = Field(default=0, ge=0, le=1000)
    # The character who stands for the real counsellor (an id of characters.yaml): the phones'
    # inbox of counsellors' messages is named after them (« Messages d'Inès »).
    counsellor: str | None = Field(
        default=None, pattern=SLUG, json_schema_extra={"x-ref": "character"}
    )


def image_field(description: str) -> Any:
    """An optional reference to an image of the library, by name (a picker in the studio)."""
    return Field(
        default=None,
        pattern=SLUG,
        max_length=64,
        description=description,
        json_schema_extra={"x-ref": "media"},
    )


class ImageInfo(Model):
    """What a scenario knows of an image it shows: its alternative text, size and fingerprint.

    The bytes are frozen apart (a version's images), found by the image's name.
    """

    alt: str = Field(min_length=1)
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    sha256: str
    content_type: str


class MediaFile(Model):
    """`media.yaml` of a scenario folder: each image of `media/` with its alternative text."""

    images: dict[str, str] = Field(default_factory=dict)


class Character(Model):
    """A recurring character with a voice of their own."""

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    voice: str = Field(min_length=1)
    avatar: str = Field(min_length=1, max_length=8)
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    #: Lines the character says after a team's wrong answer (Markdown), taken in turn, when the
    #: mission has no `on_wrong` of its own.
    wrong_answer: list[str] = Field(default_factory=list)
    #: A portrait shown instead of the emoji avatar.
    image: str | None = image_field(N_("Portrait : nom d'une image de la bibliothèque"))


class CharactersFile(Model):
    """`characters.yaml`."""

    characters: list[Character] = Field(min_length=1)


class Hint(Model):
    """A hint the team can buy with shards."""

    text: str = Field(min_length=1)
    cost: int = Field(ge=0, le=50)


class WrongReaction(Model):
    """What a character says under the form after a wrong answer to one mission (Markdown)."""

    text: str = Field(min_length=1)
    #: Who says it (an id of characters.yaml); the mission's own character when absent.
    character: str | None = Field(default=None, json_schema_extra={"x-ref": "character"})


class Mission(Model):
    """A mission: common fields plus its type's own `params` (checked by the type's schema)."""

    id: str = Field(pattern=SLUG)
    type: str
    title: str = Field(min_length=1)
    narrative: str = Field(min_length=1)
    # `x-ref`: the field holds ids of characters, missions or offers; the studio's forms offer
    # the known ones (tempo/services/studio/forms.py), the validator checks them.
    character: str | None = Field(default=None, json_schema_extra={"x-ref": "character"})
    reward: int = Field(ge=0, le=100)
    requires: list[str] = Field(default_factory=list, json_schema_extra={"x-ref": "mission"})
    unlocks: list[str] = Field(default_factory=list, json_schema_extra={"x-ref": "offer"})
    skills: list[Skill] = Field(default_factory=list)
    hints: list[Hint] = Field(default_factory=list)
    #: The reaction to a wrong answer; without it, the character's `wrong_answer` lines.
    on_wrong: WrongReaction | None = None
    #: An illustration shown above the mission's story.
    image: str | None = image_field(N_("Illustration : nom d'une image de la bibliothèque"))
    params: dict[str, Any] = Field(default_factory=dict)


class Day(Model):
    """`days/dayNN.yaml`: one game day."""

    day: int = Field(ge=1, le=MAX_DAYS)
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    unlock_at: str = Field(pattern=HOUR)
    recap_at: str = Field(pattern=HOUR)
    weekend: bool = False
    teaser: str | None = None
    missions: list[Mission] = Field(min_length=1)


class Scenario(Model):
    """A whole scenario, assembled from its folder."""

    meta: ScenarioMeta
    characters: list[Character]
    days: list[Day]
    #: The images the scenario shows (missions, characters, checkpoints), by name.
    media: dict[str, ImageInfo] = Field(default_factory=dict)

    def missions(self) -> list[tuple[Day, Mission]]:
        """Every mission with its day, in day order."""
        return [(day, m) for day in self.days for m in day.missions]


class Content(Model):
    """Everything under `content/`: what a scenario version freezes."""

    offers: list[Offer]
    diagnostic: DiagnosticFile
    scenarios: dict[str, Scenario]
