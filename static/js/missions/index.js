/* Tempo — the client registry of mission types, keyed by the same strings as the server's
   (tempo/missions/registry.py). Each module exports {key, icon, label, render(m, view, ui)}
   and may declare `ownSpeaker` or `updated(event, ui)` (called on `mission.updated`; the new view
   itself arrives as a `mission.view` push). */
import appointment from "./appointment.js";
import codeLock from "./code-lock.js";
import diagnostic from "./diagnostic.js";
import dialogue from "./dialogue.js";
import enigma from "./enigma.js";
import proof from "./proof.js";
import qrCheckpoint from "./qr-checkpoint.js";
import quiz from "./quiz.js";
import splitClue from "./split-clue.js";

const TYPES = [enigma, quiz, dialogue, splitClue, codeLock, qrCheckpoint, proof, appointment, diagnostic];

export const MISSION_TYPES = Object.fromEntries(TYPES.map((t) => [t.key, t]));

// What the page shows for a type it does not know (a newer server).
export const UNKNOWN_TYPE = { key: "", icon: "🎯", label: "Mission", render: null };

export const missionType = (key) => MISSION_TYPES[key] || UNKNOWN_TYPE;
