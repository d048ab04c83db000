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

// « encore 2 j 05 h », « encore 1 h 05 min », « encore 4 min 09 s »; then it is time.
function pad(n) { return String(n).padStart(2, "0"); }
function countdown(seconds) {
  if (seconds <= 0) return "C’est l’heure du bilan !";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `encore ${d} j ${pad(h)} h`;
  if (h > 0) return `encore ${h} h ${pad(m)} min`;
  return `encore ${m} min ${pad(seconds % 60)} s`;
}
function tick() {
  const timer = $("#timer", screen);
  const left = $("#timer-left", screen);
  if (!timer || !left) return;
  const end = Date.parse(timer.dataset.end);
  left.textContent = Number.isNaN(end) ? "" : countdown(Math.floor((end - Date.now()) / 1000));
}

// Keep the live list in the page (a screen reader hears only its additions): add the new
// celebrations on top, marked to appear once, and drop the ones that left the list.
function mergeFeed(feed, fresh) {
  const known = new Set($$("li", feed).map((li) => li.dataset.id));
  const wanted = new Set($$("li", fresh).map((li) => li.dataset.id));
  $$("li", feed).forEach((li) => { if (!wanted.has(li.dataset.id)) li.remove(); });
  $$("li", fresh).reverse().forEach((li) => {
    if (known.has(li.dataset.id)) return;
    li.classList.add("is-new");
    li.addEventListener("animationend", () => li.classList.remove("is-new"), { once: true });
    feed.prepend(li);
  });
}

// Redraw part by part while the phase stays the same (focus, the feed and the QR images stay
// in place); a new phase (a pause, a day opening) redraws the whole screen.
function swap(next) {
  const root = $(".p-screen", screen);
  const fresh = $(".p-screen", next);
  if (!root || !fresh || root.dataset.phase !== fresh.dataset.phase) {
    screen.replaceChildren(next);
    return;
  }
  $$("[data-part]", fresh).forEach((part) => {
    const old = $(`[data-part="${part.dataset.part}"]`, root);
    if (!old) return;
    if (part.dataset.part === "feed") mergeFeed(old, part);
    else old.replaceChildren(...part.childNodes);
  });
  const feed = $("#feed", root);
  const empty = $("#feed-empty", root);
  if (feed && empty) empty.hidden = feed.children.length > 0;
}

let pending = null;
async function redraw() {
  const res = await fetch(screen.dataset.url, { credentials: "same-origin" });
  if (!res.ok) return;
  const next = document.createElement("template");
  next.innerHTML = await res.text();
  swap(next.content);
  applyPhase();
  tick();
}
function refresh() {
  // Several events arrive together (a day opening for every team): one redraw for them all.
  if (pending) return;
  pending = setTimeout(() => { pending = null; redraw(); }, 400);
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
