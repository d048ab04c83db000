/* Tempo — form pieces shared by several mission renderers. ES module. */
import { $, html, nothing, text } from "../dom.js";

// A labelled single-line field; `o` sets the optional attributes (absent ones are left out).
export const field = (id, label, o) => html`<div class="field"><label for=${id}>${label}</label><input id=${id} type="text" data-keep
  autocomplete="off" autocapitalize=${o.autocapitalize || "off"} spellcheck="false" class=${o.cls || nothing} inputmode=${o.inputmode || nothing}
  maxlength=${o.maxlength || nothing} enterkeyhint=${o.enterkeyhint || nothing} placeholder=${o.placeholder == null ? nothing : o.placeholder}></div>`;

// A typed code as printed (« azm ndg », « AZM-NDG » → « AZMNDG »); the server normalises the same way.
export const compactCode = (raw) => raw.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toUpperCase().replace(/[^0-9A-Z]/g, "");
// Room for the spaces and dashes people type between the characters of a code.
export const codeRoom = (length) => length * 2 + 4;

export const attemptsLine = (p) => (p.attempts ? html`<p class="muted">Essais de l'équipe\u00a0: ${p.attempts}</p>` : null);

// Free-text answer (enigma, split-clue).
export function answerForm(ui, m, p) {
  if (m.status === "done") return null;
  const id = "ans-" + m.id;
  return ui.form(m, "answer", field(id, "Ta réponse", { placeholder: text(p.placeholder), enterkeyhint: "send" }), "Valider la réponse", (f) => {
    const answer = $("#" + id, f).value.trim();
    if (!answer) return ui.say(f, "Écris une réponse avant de valider.");
    ui.act(f, m, "answer", { answer: answer });
  });
}
