"""Mission-type plugins (pure) and their registry keyed by stable strings."""

from tempo.missions import registry
from tempo.missions.appointment import appointment
from tempo.missions.base import Action, MissionContext, MissionError, MissionType, Outcome
from tempo.missions.code_lock import code_lock
from tempo.missions.diagnostic import diagnostic
from tempo.missions.dialogue import dialogue
from tempo.missions.enigma import enigma
from tempo.missions.proof import proof
from tempo.missions.qr_checkpoint import qr_checkpoint
from tempo.missions.quiz import quiz
from tempo.missions.split_clue import split_clue

for _type in (
    enigma,
    quiz,
    dialogue,
    split_clue,
    code_lock,
    qr_checkpoint,
    proof,
    appointment,
    diagnostic,
):
    registry.register(_type)

__all__ = ["Action", "MissionContext", "MissionError", "MissionType", "Outcome", "registry"]
