/* Tempo — the dialogue mission: a conversation with a character, reply by reply. */
import { $, h, rich } from "../dom.js";

export default {
  key: "dialogue", icon: "💬", label: "Dialogue",
  // The character speaks inside the conversation: the panel does not introduce them first.
  ownSpeaker: true,
  render: (m, p, ui) => {
    const hist = p.history || [];
    const out = [];
    if (hist.length) {
      out.push(h("details", { class: "history" }, h("summary", {}, "Ce que l'équipe a déjà répondu (" + hist.length + ")"),
        h("ol", {}, hist.map((x) => h("li", {}, typeof x === "string" ? x : (x.choice || x.text || ""))))));
    }
    if (p.node) {
      const line = rich(p, "text", "div", "speaker__line");
      line.setAttribute("tabindex", "-1"); line.setAttribute("data-focus", "");
      out.push(ui.speakerBlock(p.speaker, line));
    }
    if (p.ended || m.status === "done") { out.push(h("p", { class: "muted" }, "Conversation terminée.")); return out; }
    const f = ui.form(m, "choose", h("p", { class: "choices__label", id: "choices-" + m.id }, "Que répondez-vous\u00a0?"), "", () => {});
    $("button[type=submit]", f).remove();
    f.insertBefore(h("div", { class: "choices", role: "group", "aria-labelledby": "choices-" + m.id },
      (p.choices || []).map((c, i) => h("button", { type: "button", class: "choice-btn", onclick: (e) => {
        if (ui.isBusy(f)) return;
        e.currentTarget.classList.add("is-picked");
        ui.send(f, "action", { mission: m.id, kind: "choose", data: { node: p.node, choice: i } });
      } }, c))), $('[role="alert"]', f));
    out.push(f);
    return out;
  },
};
