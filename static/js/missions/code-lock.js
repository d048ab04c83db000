/* Tempo — the code-lock mission: clues, and a padlock opened by a short code. */
import { $, h, rich, richList } from "../dom.js";
import { attemptsLine, codeRoom, compactCode, field } from "./common.js";

export default {
  key: "code-lock", icon: "🔐", label: "Code secret",
  render: (m, p, ui) => {
    const clues = richList(p, "clues");
    const id = "code-" + m.id;
    const kind = p.numeric ? "chiffres" : "caractères";
    return [rich(p, "prompt"),
      clues.length ? [h("h3", {}, "Indices trouvés"), h("ol", { class: "clues" }, clues.map((c) => h("li", c.html != null ? { html: c.html } : { text: c.text })))] : null,
      attemptsLine(p),
      m.status === "done" ? null : ui.form(m, "code", field(id, "Code à " + p.length + " " + kind, {
        // Spaces and dashes are welcome (« 12 34 »): no pattern, and room for them.
        inputmode: p.numeric ? "numeric" : "text", maxlength: codeRoom(p.length), autocapitalize: "characters",
        class: "code-input", enterkeyhint: "send",
      }), "Essayer le code", (f) => {
        const code = compactCode($("#" + id, f).value);
        if (code.length !== p.length) return ui.say(f, "Le code fait " + p.length + " " + kind + ".");
        ui.act(f, m, "try", { code: code });
      })];
  },
};
