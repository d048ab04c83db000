/* Tempo — the code-lock mission: clues, and a padlock opened by a short code. */
import { $, html, rich, richList } from "../dom.js";
import { attemptsLine, codeRoom, compactCode, field } from "./common.js";

export default {
  key: "code-lock", icon: "🔐", label: "Code secret",
  render: (m, p, ui) => {
    const clues = richList(p, "clues");
    const id = "code-" + m.id;
    const kind = p.numeric ? "chiffres" : "caractères";
    const length = Number.isInteger(p.length) ? p.length : 0;
    return html`${rich(p, "prompt")}
      ${clues.length ? html`<h3>Indices trouvés</h3><ol class="clues">${clues.map((c) => html`<li>${c}</li>`)}</ol>` : null}
      ${attemptsLine(p)}
      ${m.status === "done" ? null : ui.form(m, "code", field(id, "Code à " + length + " " + kind, {
        // Spaces and dashes are welcome (« 12 34 »): no pattern, and room for them.
        inputmode: p.numeric ? "numeric" : "text", maxlength: codeRoom(length), autocapitalize: "characters",
        cls: "code-input", enterkeyhint: "send",
      }), "Essayer le code", (f) => {
        const code = compactCode($("#" + id, f).value);
        if (code.length !== length) return ui.say(f, "Le code fait " + length + " " + kind + ".");
        ui.act(f, m, "try", { code: code });
      })}`;
  },
};
