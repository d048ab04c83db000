/* Tempo — how a success feels on the player's phone: confetti, a short chime and a buzz.
   Motion follows prefers-reduced-motion (the CSS draws the confetti only without it); sound and
   vibration follow the page's mute switch (« Son et vibrations »), remembered on this phone.
   The chime is made with the Web Audio API (no file) and never before the player's first tap:
   browsers refuse sound without a user gesture anyway. ES module, no build step. */
import { $, html, node } from "./dom.js";

const KEY = "tempo.sound";
const COLORS = ["#7c3aed", "#f59e0b", "#16a34a", "#db2777", "#0891b2", "#ea580c"];

function stored() {
  try { return localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
}
let enabled = stored();
let gestured = false;   // a tap or a key on this page: sound may start
let audio = null;

["pointerdown", "keydown", "touchstart"].forEach((type) => {
  window.addEventListener(type, () => { gestured = true; }, { capture: true, passive: true });
});

export const reducedMotion = () => !!(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
export const soundOn = () => enabled;

// The switch in the HUD: a toggle button whose label says the current state.
export function setupSwitch(button) {
  if (!button) return;
  const draw = () => {
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    $("[data-sound-label]", button).textContent = "Son et vibrations\u00a0: " + (enabled ? "activés" : "coupés");
    $("[data-sound-icon]", button).textContent = enabled ? "🔔" : "🔕";
  };
  button.addEventListener("click", () => {
    enabled = !enabled;
    try { localStorage.setItem(KEY, enabled ? "on" : "off"); } catch (e) { /* private mode: this visit only */ }
    draw();
  });
  draw();
}

// Three rising notes, 0.45 s in all, quiet.
function chime() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx || !gestured) return;
  try {
    audio = audio || new Ctx();
    if (audio.state === "suspended") audio.resume();
    const t0 = audio.currentTime + 0.02;
    [523.25, 659.25, 783.99].forEach((freq, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "triangle";
      osc.frequency.value = freq;
      const t = t0 + i * 0.11;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.25);
    });
  } catch (e) { /* no audio device: the celebration stays silent */ }
}

// Confetti pieces in `host` (aria-hidden): positions and colours as CSS custom properties.
function confetti(host) {
  if (!host) return;
  host.textContent = "";
  for (let i = 0; i < 18; i++) {
    const piece = node(html`<span class="confetti__piece"></span>`);
    piece.style.setProperty("--x", Math.round(Math.random() * 100) + "%");
    piece.style.setProperty("--drift", Math.round(Math.random() * 80 - 40) + "px");
    piece.style.setProperty("--spin", Math.round(Math.random() * 720 - 360) + "deg");
    piece.style.setProperty("--delay", Math.round(Math.random() * 250) + "ms");
    piece.style.setProperty("--color", COLORS[i % COLORS.length]);
    host.append(piece);
  }
}

// A success: confetti (drawn by the CSS only without reduced motion), then chime and buzz
// unless the switch is off.
export function celebrate(host) {
  confetti(host);
  if (!enabled) return;
  chime();
  if (navigator.vibrate && gestured) {
    try { navigator.vibrate(reducedMotion() ? 60 : [40, 60, 80]); } catch (e) { /* not allowed here */ }
  }
}
