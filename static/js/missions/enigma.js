/* Tempo — the enigma mission: a question and a free-text answer. */
import { html, rich } from "../dom.js";
import { answerForm, attemptsLine } from "./common.js";

export default {
  key: "enigma", icon: "🧩", label: "Énigme",
  render: (m, p, ui) => html`${rich(p, "question")}${attemptsLine(p)}${answerForm(ui, m, p)}`,
};
