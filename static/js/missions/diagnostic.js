/* Tempo — the diagnostic mission: the diagnostic itself runs on its own pages (templates/diagnostic/). */
import { html, plural, rich } from "../dom.js";

export default {
  key: "diagnostic", icon: "🧭", label: "Diagnostic",
  // A teammate finishing their run is news for the others.
  updated: (ev, ui) => { if (String(ev.by) !== ui.me()) ui.toast("🧭 " + ui.said(ev.by, "as", "a") + " terminé son auto-diagnostic."); },
  render: (m, p, ui) => html`${rich(p, "instructions")}
    ${p.completed ? html`<p class="notice notice--ok">✅ Tu as terminé ton auto-diagnostic.</p>` : null}
    ${p.completed_count > 0 ? html`<p class="muted">${plural(p.completed_count, "membre de l'équipe l'a", "membres de l'équipe l'ont")} terminé.</p>` : null}
    ${p.completed
      ? html`<p><a class="button" href=${p.moment === "closing" ? ui.urls.bilanUrl : ui.urls.resultsUrl}>${p.moment === "closing" ? "Voir mon bilan Tempo" : "Voir mes résultats"}</a></p>`
      : html`<p><a class="button" href=${ui.urls.diagnosticUrl}>🧭 Faire mon auto-diagnostic</a></p>`}`,
};
