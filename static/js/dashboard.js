// The live dashboard and the review queue: redraw their live part when the cohort's teams change
// (keeping open menus open), ask before destructive actions, close a menu with Escape.
(() => {
  "use strict";
  const board = document.getElementById("board");
  document.addEventListener("submit", (e) => {
    // The button pressed may ask on its own (refusing a proof, not accepting it).
    const asker = e.submitter && e.submitter.hasAttribute("data-confirm") ? e.submitter : e.target;
    const msg = asker.getAttribute && asker.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Escape closes the menu (a <details>) holding the focus and gives the focus back to its summary.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const open = document.activeElement && document.activeElement.closest("details[open]");
    if (!open) return;
    open.open = false;
    const summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
  if (!board || typeof io === "undefined") return;
  let pending = null;
  let stale = false;
  const typing = () => {
    const el = document.activeElement;
    return el && board.contains(el) && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && el.value;
  };
  // Never wipe a comment being typed: redraw once the counsellor leaves the field.
  board.addEventListener("focusout", () => { if (stale) { stale = false; refresh(); } });
  const refresh = () => {
    if (typing()) { stale = true; return; }
    if (pending) return;
    // Several events arrive together (a day opening for every team): one redraw for them all.
    pending = setTimeout(async () => {
      pending = null;
      const active = document.activeElement && document.activeElement.id;
      const res = await fetch(board.dataset.url, { credentials: "same-origin" });
      if (!res.ok) return;
      // Menus the counsellor opened stay open after the redraw.
      const opened = Array.from(board.querySelectorAll("details[open][id]"), (d) => d.id);
      board.innerHTML = await res.text();
      opened.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
      if (active && document.getElementById(active)) document.getElementById(active).focus();
    }, 150);
  };
  const socket = window.io("/console", { auth: { cohort: board.dataset.cohort } });
  socket.on("team.event", refresh);
  socket.on("presence", refresh);
  socket.on("message.sent", refresh);
  socket.on("message.read", refresh);
  socket.on("connect", () => document.body.dataset.live = "1");
})();
