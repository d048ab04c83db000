/* Tempo — the dialogue mission: a conversation with a character, reply by reply. */
import { html, list, markup, plural, quote, rich, text } from "../dom.js";
import { announce, names, status, tally, voting } from "./vote.js";

// The character's reaction to the team's last reply, said by the speaker of that reply's node.
function reactionBlock(p, ui) {
  if (!p.reaction_html) return null;
  return html`<div class="reaction">${ui.speakerBlock(p.reaction_speaker, html`<div>
    ${p.reaction_to ? html`<p class="reaction__to">Vous avez répondu\u00a0: ${quote(p.reaction_to)}</p>` : null}
    ${rich(p, "reaction", "reaction__line")}</div>`)}</div>`;
}

// A reply as a big button; in vote mode it shows who proposed it, the player's own vote pressed.
// `form()` is the form holding the buttons, once built.
function choiceButton(m, p, ui, form, reply, i) {
  if (!voting(p)) {
    return html`<button type="button" class="choice-btn" @click=${(e) => {
      if (ui.isBusy(form())) return;
      e.currentTarget.classList.add("is-picked");
      ui.send(form(), "action", { mission: m.id, kind: "choose", data: { node: p.node, choice: i } });
    }}>${reply}</button>`;
  }
  const group = tally(p).find((g) => g.choice === i);
  const ids = group ? group.players : [];
  const mine = ids.indexOf(ui.me()) >= 0;
  return html`<button type="button" class=${"choice-btn choice-btn--vote" + (mine ? " is-picked" : "")} aria-pressed=${mine ? "true" : "false"} @click=${() => {
    if (ui.isBusy(form()) || mine) return;
    ui.send(form(), "action", { mission: m.id, kind: "vote", data: { node: p.node, choice: i } });
  }}><span class="choice-btn__text">${reply}</span>${ids.length
    ? html`<span class="choice-btn__votes">🗳️ ${plural(ids.length, "vote", "votes")} : ${names(ids, ui)}</span>` : null}</button>`;
}

export default {
  key: "dialogue", icon: "💬", label: "Dialogue",
  // A teammate's proposal, announced in the page's live region.
  updated: (ev, ui) => { if (ev.vote) announce(ev, ui, quote(ev.vote.text)); },
  // The character speaks inside the conversation: the panel does not introduce them first.
  ownSpeaker: true,
  render: (m, p, ui) => {
    const hist = list(p.history);
    const history = hist.length ? html`<details class="history"><summary>Ce que l'équipe a déjà répondu (${hist.length})</summary>
      <ol>${hist.map((x) => html`<li>${typeof x === "string" ? x : text(x && (x.choice || x.text))}${x && x.reaction_html
        ? html`<div class="history__reaction prose muted">${markup(x, "reaction_html")}</div>` : null}</li>`)}</ol></details>` : null;
    const ended = p.ended || m.status === "done";
    // The reaction answers the reply just made: before the next line, or after the last one.
    const line = p.node ? ui.speakerBlock(p.speaker, rich(p, "text", "speaker__line", true)) : null;
    if (ended) return html`${history}${line}${reactionBlock(p, ui)}<p class="muted">Conversation terminée.</p>`;
    // No line to answer yet (a view still on its way): never an empty conversation.
    if (!p.node || !list(p.choices).length) return html`${history}<p class="play-loading muted" role="status" aria-busy="true">Chargement…</p>`;
    const vote = voting(p);
    const label = vote ? "Que proposez-vous\u00a0? L'équipe vote." : "Que répondez-vous\u00a0?";
    const f = ui.form(m, "choose", html`<p class="choices__label" id=${"choices-" + m.id}>${label}</p>
      <div class="choices" role="group" aria-labelledby=${"choices-" + m.id}>${list(p.choices).map((c, i) => choiceButton(m, p, ui, () => f, c, i))}</div>
      ${vote ? status(m, p, ui) : null}`, "", () => {});
    return html`${history}${reactionBlock(p, ui)}${line}${f}`;
  },
};
