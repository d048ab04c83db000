/* Tempo — the quiz mission: questions with one or several right choices. */
import { $, $$, h } from "../dom.js";

export default {
  key: "quiz", icon: "❓", label: "Quiz",
  render: (m, p, ui) => {
    const qs = p.questions || [];
    const score = p.last_score != null ? h("p", { class: "notice" }, "Dernier essai\u00a0: " + p.last_score + " bonne(s) réponse(s) sur " + qs.length + ". Il en faut " + p.pass_mark + ".") : null;
    const intro = h("p", { class: "muted" }, "Répondez ensemble. Il faut " + p.pass_mark + " bonne(s) réponse(s) sur " + qs.length + " pour réussir.");
    if (m.status === "done") return [intro, h("ol", {}, qs.map((q) => h("li", {}, q.prompt)))];
    const sets = qs.map((q, qi) => {
      const type = q.multiple ? "checkbox" : "radio";
      return h("fieldset", { class: "question" },
        h("legend", {}, (qi + 1) + ". " + q.prompt, q.multiple ? h("span", { class: "muted" }, " (plusieurs réponses possibles)") : null),
        q.choices.map((c, ci) => {
          const id = "q-" + m.id + "-" + qi + "-" + ci;
          return h("div", { class: "choice" },
            h("input", { type: type, id: id, name: "q" + qi, value: ci, "data-keep": true }),
            h("label", { for: id }, c));
        }));
    });
    return [intro, score, ui.form(m, "quiz", sets, "Envoyer les réponses", (f) => {
      const answers = qs.map((q, qi) => $$('input[name="q' + qi + '"]:checked', f).map((x) => Number(x.value)));
      const missing = answers.findIndex((a) => !a.length);
      if (missing >= 0) { ui.say(f, "Réponds à la question " + (missing + 1) + " avant d'envoyer."); $('input[name="q' + missing + '"]', f).focus(); return; }
      ui.act(f, m, "submit", { answers: answers });
    })];
  },
};
