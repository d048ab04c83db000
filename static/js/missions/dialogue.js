/* Tempo — the dialogue mission: a conversation with a character, reply by reply. */
import { $, h, quote, rich } from "../dom.js";

// The character's reaction to the team's last reply, said by the speaker of that reply's node.
function reactionBlock(p, ui) {
  if (!p.reaction_html) return null;
  const line = rich(p, "reaction", "div", "reaction__line");
  return h("div", { class: "reaction" }, ui.speakerBlock(p.reaction_speaker, h("div", {},
    p.reaction_to ? h("p", { class: "reaction__to" }, "Vous avez répondu\u00a0: " + quote(p.reaction_to)) : null,
    line)));
}

export default {
  key: "dialogue", icon: "💬", label: "Dialogue",
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
    const f = ui.form(m, "choose", h("p", { class: "choices__label", id: "choices-" + m.id }, "Que répondez-vous\u00a0?"), "", () => {});
    $("button[type=submit]", f).remove();
    f.insertBefore(h("div", { class: "choices", role: "group", "aria-labelledby": "choices-" + m.id },
      (p.choices || []).map((c, i) => h("button", { type: "button", class: "choice-btn", onclick: (e) => {
        if (ui.isBusy(f)) return;
        e.currentTarget.classList.add("is-picked");
        ui.send(f, "action", { mission: m.id, kind: "choose", data: { node: p.node, choice: i } });
      } }, c))), $('[role="alert"]', f));
    out.push(f);
    return out.filter(Boolean);
  },
};
