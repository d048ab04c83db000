/* Tempo — the quiz mission: questions with one or several right choices. */
import { $, $$, h, plural } from "../dom.js";

// After a submission (never before: the server sends nothing else), whether the team got the
// question right last time and its authored explanation.
function feedback(q) {
  if (q.answered_right == null && !q.explanation_html) return null;
  const verdict = q.answered_right == null ? null
    : q.answered_right ? h("p", { class: "quiz__verdict quiz__verdict--ok" }, "✅ Bonne réponse")
      : h("p", { class: "quiz__verdict quiz__verdict--ko" }, "❌ Réponse à revoir");
  return h("div", { class: "quiz__feedback" + (q.answered_right === false ? " quiz__feedback--ko" : "") },
    verdict, q.explanation_html ? h("div", { class: "prose quiz__explanation", html: q.explanation_html }) : null);
}

export default {
  key: "quiz", icon: "❓", label: "Quiz",
  render: (m, p, ui) => {
    const qs = p.questions || [];
    const score = p.last_score != null && m.status !== "done"
      ? h("p", { class: "notice", role: "status" }, "Dernier essai\u00a0: " + plural(p.last_score, "bonne réponse", "bonnes réponses") + " sur " + qs.length + ". Il en faut " + p.pass_mark + ". Lisez les explications sous les questions, puis réessayez.")
      : null;
    const intro = h("p", { class: "muted" }, "Répondez ensemble. Il faut " + p.pass_mark + " bonne(s) réponse(s) sur " + qs.length + " pour réussir.");
    if (m.status === "done") return [intro, h("ol", { class: "quiz__done" }, qs.map((q) => h("li", {}, h("p", { class: "quiz__prompt" }, q.prompt), feedback(q))))];
    const sets = qs.map((q, qi) => {
      const type = q.multiple ? "checkbox" : "radio";
      return h("fieldset", { class: "question" },
        h("legend", {}, (qi + 1) + ". " + q.prompt, q.multiple ? h("span", { class: "muted" }, " (plusieurs réponses possibles)") : null),
        q.choices.map((c, ci) => {
          const id = "q-" + m.id + "-" + qi + "-" + ci;
          return h("div", { class: "choice" },
            h("input", { type: type, id: id, name: "q" + qi, value: ci, "data-keep": true }),
            h("label", { for: id }, c));
        }),
        feedback(q));
    });
    return [intro, score, ui.form(m, "quiz", sets, "Envoyer les réponses", (f) => {
      const answers = qs.map((q, qi) => $$('input[name="q' + qi + '"]:checked', f).map((x) => Number(x.value)));
      const missing = answers.findIndex((a) => !a.length);
      if (missing >= 0) { ui.say(f, "Réponds à la question " + (missing + 1) + " avant d'envoyer."); $('input[name="q' + missing + '"]', f).focus(); return; }
      ui.act(f, m, "submit", { answers: answers });
    })];
  },
};
