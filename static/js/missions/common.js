/* Tempo — form pieces shared by several mission renderers. ES module. */
import { $, h } from "../dom.js";

// A labelled single-line field.
export const field = (id, label, attrs) => h("div", { class: "field" }, h("label", { for: id }, label),
  h("input", Object.assign({ id: id, type: "text", "data-keep": true, autocomplete: "off", autocapitalize: "off", spellcheck: "false" }, attrs)));

// A typed code as printed (« azm ndg », « AZM-NDG » → « AZMNDG »); the server normalises the same way.
export const compactCode = (raw) => raw.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toUpperCase().replace(/[^0-9A-Z]/g, "");
// Room for the spaces and dashes people type between the characters of a code.
export const codeRoom = (length) => length * 2 + 4;

export const attemptsLine = (p) => (p.attempts ? h("p", { class: "muted" }, "Essais de l'équipe\u00a0: " + p.attempts) : null);

// Free-text answer (enigma, split-clue).
export function answerForm(ui, m, p) {
  if (m.status === "done") return null;
  const id = "ans-" + m.id;
  return ui.form(m, "answer", field(id, "Ta réponse", { placeholder: p.placeholder || "", enterkeyhint: "send" }), "Valider la réponse", (f) => {
    const answer = $("#" + id, f).value.trim();
    if (!answer) return ui.say(f, "Écris une réponse avant de valider.");
    ui.act(f, m, "answer", { answer: answer });
  });
}
