// The room's screen: redraws its live part on the cohort's console events (docs/protocol.md),
// keeps the celebrations' list in place so a screen reader hears only the new ones, counts the
// day down to its recap hour, and lets the counsellor show the join codes again mid-game.
import { $, $$ } from "./dom.js";

const screen = $("#screen");
const toggle = $("#show-codes");
const full = $("#fullscreen");
const live = $("#live");
let showCodes = false;

// Which part shows: the join codes while players arrive (or when asked again), else the play.
function applyPhase() {
  const root = $(".p-screen", screen);
  const phase = root ? root.dataset.phase : "";
  toggle.hidden = phase !== "play";
  const codes = phase === "arrivals" || (phase === "play" && showCodes);
  const arrivals = $("#arrivals", screen);
  const play = $("#play", screen);
  if (arrivals) arrivals.hidden = !codes;
  if (play) play.hidden = codes;
  toggle.setAttribute("aria-pressed", showCodes ? "true" : "false");
  toggle.textContent = showCodes ? toggle.dataset.on : toggle.dataset.off;
}

toggle.addEventListener("click", () => {
  showCodes = !showCodes;
  applyPhase();
});

// « 1 h 05 min 09 s » before the recap; nothing once it has passed.
function pad(n) { return String(n).padStart(2, "0"); }
function tick() {
  const timer = $("#timer", screen);
  const left = $("#timer-left", screen);
  if (!timer || !left) return;
  const end = Date.parse(timer.dataset.end);
  if (Number.isNaN(end)) { left.textContent = ""; return; }
  const seconds = Math.max(0, Math.floor((end - Date.now()) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  left.textContent = seconds === 0 ? "C’est l’heure !"
    : h > 0 ? `encore ${h} h ${pad(m)} min` : `encore ${m} min ${pad(s)} s`;
}

// Keep the live list: add the new celebrations on top (marked to appear), drop the old ones.
function mergeFeed(oldFeed, newFeed) {
  if (!oldFeed || !newFeed) return;
  const known = new Set($$("li", oldFeed).map((li) => li.dataset.id));
  const wanted = new Set($$("li", newFeed).map((li) => li.dataset.id));
  $$("li", oldFeed).forEach((li) => { if (!wanted.has(li.dataset.id)) li.remove(); });
  $$("li", newFeed).reverse().forEach((li) => {
    if (known.has(li.dataset.id)) return;
    li.classList.add("is-new");
    oldFeed.prepend(li);
  });
  newFeed.replaceWith(oldFeed);
}

let pending = null;
async function redraw() {
  const res = await fetch(screen.dataset.url, { credentials: "same-origin" });
  if (!res.ok) return;
  const next = document.createElement("template");
  next.innerHTML = await res.text();
  const oldFeed = $("#feed", screen);
  mergeFeed(oldFeed, $("#feed", next.content));
  screen.replaceChildren(next.content);
  applyPhase();
  tick();
}
function refresh() {
  // Several events arrive together (a day opening for every team): one redraw for them all.
  if (pending) return;
  pending = setTimeout(() => { pending = null; redraw(); }, 200);
}

if (document.fullscreenEnabled) {
  full.hidden = false;
  full.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen();
  });
}

applyPhase();
tick();
setInterval(tick, 1000);

if (typeof window.io !== "undefined") {
  const socket = window.io("/console", { auth: { cohort: screen.dataset.cohort } });
  for (const name of ["team.event", "presence", "message.sent"]) socket.on(name, refresh);
  // The pause and the resume reach the teams as team events; a redraw on reconnection catches
  // up with whatever happened while the screen was offline.
  socket.on("connect", () => {
    live.textContent = "En direct";
    live.dataset.state = "on";
    document.body.dataset.live = "1";
    refresh();
  });
  socket.on("disconnect", () => {
    live.textContent = "Hors ligne";
    live.dataset.state = "off";
  });
}
// A slow fallback if an event was missed (the socket is the way in): once a minute.
setInterval(refresh, 60_000);
