/* Tempo — the dialogue mission: a conversation with a character, reply by reply. */
import { $, h, plural, quote, rich } from "../dom.js";
import { announce, names, status, tally, voting } from "./vote.js";

// The character's reaction to the team's last reply, said by the speaker of that reply's node.
function reactionBlock(p, ui) {
  if (!p.reaction_html) return null;
  const line = rich(p, "reaction", "div", "reaction__line");
  return h("div", { class: "reaction" }, ui.speakerBlock(p.reaction_speaker, h("div", {},
    p.reaction_to ? h("p", { class: "reaction__to" }, "Vous avez répondu\u00a0: " + quote(p.reaction_to)) : null,
    line)));
}

// A reply as a big button; in vote mode it shows who proposed it, the player's own vote pressed.
function choiceButton(m, p, ui, f, text, i) {
  if (!voting(p)) {
    return h("button", { type: "button", class: "choice-btn", onclick: (e) => {
      if (ui.isBusy(f)) return;
      e.currentTarget.classList.add("is-picked");
      ui.send(f, "action", { mission: m.id, kind: "choose", data: { node: p.node, choice: i } });
    } }, text);
  }
  const group = tally(p).find((g) => g.choice === i);
  const ids = group ? group.players : [];
  const mine = ids.indexOf(ui.me()) >= 0;
  return h("button", { type: "button", class: "choice-btn choice-btn--vote" + (mine ? " is-picked" : ""), "aria-pressed": mine ? "true" : "false",
    onclick: () => {
      if (ui.isBusy(f) || mine) return;
      ui.send(f, "action", { mission: m.id, kind: "vote", data: { node: p.node, choice: i } });
    } },
  h("span", { class: "choice-btn__text" }, text),
  ids.length ? h("span", { class: "choice-btn__votes" }, "🗳️ " + plural(ids.length, "vote", "votes") + " : " + names(ids, ui)) : null);
}

export default {
  key: "dialogue", icon: "💬", label: "Dialogue",
  // A teammate's proposal, announced in the page's live region.
  updated: (ev, ui) => { if (ev.vote) announce(ev, ui, quote(ev.vote.text)); },
  // The character speaks inside the conversation: the panel does not introduce them first.
  ownSpeaker: true,
  render: (m, p, ui) => {
    const hist = p.history || [];
    const out = [];
    if (hist.length) {
      out.push(h("details", { class: "history" }, h("summary", {}, "Ce que l'équipe a déjà répondu (" + hist.length + ")"),
        h("ol", {}, hist.map((x) => h("li", {}, typeof x === "string" ? x : (x.choice || x.text || ""),
          x && x.reaction_html ? h("div", { class: "history__reaction prose muted", html: x.reaction_html }) : null)))));
    }
    const ended = p.ended || m.status === "done";
    // The reaction answers the reply just made: before the next line, or after the last one.
    if (!ended) out.push(reactionBlock(p, ui));
    if (p.node) {
      const line = rich(p, "text", "div", "speaker__line");
      line.setAttribute("tabindex", "-1"); line.setAttribute("data-focus", "");
      out.push(ui.speakerBlock(p.speaker, line));
    }
    if (ended) { out.push(reactionBlock(p, ui), h("p", { class: "muted" }, "Conversation terminée.")); return out.filter(Boolean); }
    const vote = voting(p);
    const label = vote ? "Que proposez-vous\u00a0? L'équipe vote." : "Que répondez-vous\u00a0?";
    const f = ui.form(m, "choose", h("p", { class: "choices__label", id: "choices-" + m.id }, label), "", () => {});
    $("button[type=submit]", f).remove();
    f.insertBefore(h("div", { class: "choices", role: "group", "aria-labelledby": "choices-" + m.id },
      (p.choices || []).map((c, i) => choiceButton(m, p, ui, f, c, i))), $('[role="alert"]', f));
    if (vote) f.insertBefore(status(m, p, ui), $('[role="alert"]', f));
    out.push(f);
    return out.filter(Boolean);
  },
};
