/* Tempo — team votes shared by the dialogue and the quiz (`decision: vote`, docs/protocol.md,
   "Votes"). A tap is a proposal; teammates see who proposed what live (`mission.view` pushes),
   the majority of the players present decides, or the most voted choice when the time is up:
   each phone showing the round then asks the server to `decide` (idempotent). */
import { html, list, plural, withNode } from "../dom.js";

export const voting = (p) => p && p.decision === "vote";

// The round's votes grouped by choice, in the order each choice was first proposed.
export function tally(p) {
  const groups = [];
  list(p.votes).forEach((v) => {
    const key = JSON.stringify(v.choice);
    let g = groups.find((x) => x.key === key);
    if (!g) { g = { key: key, choice: v.choice, players: [] }; groups.push(g); }
    g.players.push(String(v.player));
  });
  return groups;
}

// Who voted, as people read it: « toi, Léa ».
export const names = (ids, ui) => ids.map((id) => ui.who(id)).join(", ");

// How many more votes the leading choice needs for a majority of the teammates online.
function waiting(p, ui) {
  const online = ui.players().filter((x) => x.online).map((x) => String(x.id));
  if (online.indexOf(ui.me()) < 0) online.push(ui.me());
  const top = Math.max(0, ...tally(p).map((g) => g.players.filter((id) => online.indexOf(id) >= 0).length));
  return Math.max(1, Math.floor(online.length / 2) + 1 - top);
}

// When each round's time is up, on this phone's clock: from `seconds_left` as received.
const deadlines = new Map();
const asked = new Set();
function deadline(m, p) {
  const key = m.id + "/" + p.vote_round;
  if (p.seconds_left == null) { deadlines.delete(key); return null; }
  const at = Date.now() + p.seconds_left * 1000;
  const known = deadlines.get(key);
  // A later push may correct the estimate; keep the earlier one within a second's jitter.
  if (known == null || Math.abs(known - at) > 1500) deadlines.set(key, at);
  return deadlines.get(key);
}

// The status line under the choices: the votes awaited and the time left, ticking each second
// (as text, in a polite region that announces only the votes awaited, not every second). At
// zero this phone asks for the decision, once per round.
export function status(m, p, ui) {
  const votes = list(p.votes).length;
  const need = waiting(p, ui);
  const at = votes ? deadline(m, p) : null;
  const line = votes ? "En attente de " + plural(need, "vote", "votes") + " pour décider." : "Proposez une réponse\u00a0: la majorité des présents décide.";
  if (at == null) return html`<p class="vote__status" role="status">${line}</p>`;
  return html`<p class="vote__status" role="status">${line} <span class="vote__clock" aria-live="off" ${withNode((clock) => ticking(clock, m, p, ui, at))}></span></p>`;
}
function ticking(clock, m, p, ui, at) {
  const key = m.id + "/" + p.vote_round + "@" + at;
  const tick = () => {
    if (!clock.isConnected && clock.dataset.started) return;
    clock.dataset.started = "1";
    const left = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    clock.textContent = left ? "Décision dans " + left + "\u00a0s." : "Temps écoulé\u00a0: décision…";
    if (!left) {
      if (!asked.has(key)) {
        asked.add(key);
        // A small random wait, so that not every phone asks at the same instant.
        setTimeout(() => ui.call("action", { id: "decide-" + m.id + "-" + ui.me() + "-" + Date.now(), mission: m.id, kind: "decide", data: roundData(p) }, 1), Math.random() * 800);
      }
      return;
    }
    setTimeout(tick, 1000);
  };
  tick();
}

// What identifies the round in a vote: the dialogue's node, the quiz's attempt number.
export const roundData = (p) => (typeof p.vote_round === "number" ? { round: p.vote_round } : { node: p.vote_round });

// « Léa propose : … » for teammates, in the page's live region (its toasts).
export function announce(ev, ui, what) {
  if (!ev.vote || String(ev.by) === ui.me()) return;
  ui.toast("🗳️ " + ui.who(ev.by) + " propose\u00a0: " + what);
}
