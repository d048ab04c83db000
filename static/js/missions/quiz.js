/* Tempo — the quiz mission: questions with one or several right choices. */
import { $, $$, html, list, markup, plural, text } from "../dom.js";
import { announce, names, roundData, status, tally, voting } from "./vote.js";

// A proposed answer set as people read it: « 1. Vrai · 2. Un contrat, Une formation ».
const summary = (qs, answers) => list(answers).map((a, qi) => (qi + 1) + ". " + list(a).map((ci) => text(qs[qi] && list(qs[qi].choices)[ci]) || "?").join(", ")).join(" · ");

// Alone online, a proposal is the decision: the button says so.
const alone = (ui) => !ui.players().some((x) => x.online && String(x.id) !== ui.me());

// The team's proposals of this round, each with its voters and a button to vote for it.
function proposals(m, p, ui) {
  const qs = list(p.questions);
  const groups = tally(p);
  if (!groups.length) return null;
  const f = ui.form(m, "vote", html`<h3 class="vote__title" id=${"props-" + m.id}>🗳️ Propositions de l'équipe</h3>
    <ul class="vote__list" aria-labelledby=${"props-" + m.id}>${groups.map((g) => {
    const mine = g.players.indexOf(ui.me()) >= 0;
    return html`<li class=${"vote__item" + (mine ? " vote__item--mine" : "")}>
      <p class="vote__answers">${summary(qs, g.choice)}</p>
      <p class="vote__voters">${plural(g.players.length, "vote", "votes")}\u00a0: ${names(g.players, ui)}</p>
      <button type="button" class="button button--ghost" aria-pressed=${mine ? "true" : "false"} @click=${() => {
        if (ui.isBusy(f) || mine) return;
        ui.send(f, "action", { mission: m.id, kind: "vote", data: Object.assign({ answers: g.choice }, roundData(p)) });
      }}>${mine ? "✅ Ton vote" : "Voter pour ces réponses"}</button></li>`;
  })}</ul>
    ${status(m, p, ui)}`, "", () => {});
  return f;
}

// After a submission (never before: the server sends nothing else), whether the team got the
// question right last time and its authored explanation.
function feedback(q) {
  if (q.answered_right == null && !q.explanation_html) return null;
  const verdict = q.answered_right == null ? null
    : q.answered_right ? html`<p class="quiz__verdict quiz__verdict--ok">✅ Bonne réponse</p>`
      : html`<p class="quiz__verdict quiz__verdict--ko">❌ Réponse à revoir</p>`;
  return html`<div class=${"quiz__feedback" + (q.answered_right === false ? " quiz__feedback--ko" : "")}>${verdict}${q.explanation_html
    ? html`<div class="prose quiz__explanation">${markup(q, "explanation_html")}</div>` : null}</div>`;
}

export default {
  key: "quiz", icon: "❓", label: "Quiz",
  // A teammate's proposal, announced in the page's live region.
  updated: (ev, ui) => {
    const m = window.TempoPlay && window.TempoPlay.mission(ev.mission);
    if (ev.vote && ev.vote.answers) announce(ev, ui, m && m.play ? summary(m.play.questions || [], ev.vote.answers) : "de nouvelles réponses");
  },
  render: (m, p, ui) => {
    const qs = list(p.questions);
    const score = p.last_score != null && m.status !== "done"
      ? html`<p class="notice" role="status">Dernier essai\u00a0: ${plural(p.last_score, "bonne réponse", "bonnes réponses")} sur ${qs.length}. Il en faut ${p.pass_mark}. Lisez les explications sous les questions, puis réessayez.</p>`
      : null;
    const vote = voting(p);
    const intro = html`<p class="muted">${vote ? "Chacun propose ses réponses, l'équipe vote. Il faut " : "Répondez ensemble. Il faut "}${p.pass_mark} bonne(s) réponse(s) sur ${qs.length} pour réussir.</p>`;
    if (m.status === "done") return html`${intro}<ol class="quiz__done">${qs.map((q) => html`<li><p class="quiz__prompt">${q.prompt}</p>${feedback(q)}</li>`)}</ol>`;
    const sets = qs.map((q, qi) => {
      const type = q.multiple ? "checkbox" : "radio";
      return html`<fieldset class="question">
        <legend>${qi + 1}. ${q.prompt}${q.multiple ? html`<span class="muted"> (plusieurs réponses possibles)</span>` : null}</legend>
        ${list(q.choices).map((c, ci) => {
          const id = "q-" + m.id + "-" + qi + "-" + ci;
          return html`<div class="choice"><input type=${type} id=${id} name=${"q" + qi} value=${ci} data-keep><label for=${id}>${c}</label></div>`;
        })}
        ${feedback(q)}</fieldset>`;
    });
    return html`${intro}${score}${vote ? proposals(m, p, ui) : null}${ui.form(m, "quiz", sets, vote && !alone(ui) ? "Proposer ces réponses" : "Envoyer les réponses", (f) => {
      const answers = qs.map((q, qi) => $$('input[name="q' + qi + '"]:checked', f).map((x) => Number(x.value)));
      const missing = answers.findIndex((a) => !a.length);
      if (missing >= 0) { ui.say(f, "Réponds à la question " + (missing + 1) + " avant d'envoyer."); $('input[name="q' + missing + '"]', f).focus(); return; }
      if (vote) ui.act(f, m, "vote", Object.assign({ answers: answers }, roundData(p)));
      else ui.act(f, m, "submit", { answers: answers });
    })}`;
  },
};
