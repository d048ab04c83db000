/* Tempo — the split-clue mission: each present player holds some fragments of the answer. */
import { html, list, rich } from "../dom.js";
import { answerForm, attemptsLine } from "./common.js";

export default {
  key: "split-clue", icon: "🧠", label: "Indices partagés",
  // Fragments are dealt among the players present: a presence change may hand you a departed
  // teammate's, never take yours (docs/protocol.md, "Split-clue fragments"). The server pushes
  // this player's own view after a change (`view_per_player` in tempo/missions/split_clue.py).
  render: (m, p, ui) => {
    const frags = list(p.fragments);
    const n = p.fragment_count || frags.length;
    return html`${rich(p, "question")}
      ${frags.length
        ? html`<ul class="fragments">${frags.map((fr) => html`<li class="fragment">
            <p class="fragment__label"><strong>🧩 Ton fragment n°${fr.index} sur ${n}</strong><span class="fragment__tip"> — partage-le à voix haute avec ton équipe</span></p>
            ${rich(fr, "text")}</li>`)}</ul>`
        : html`<p class="notice">Pas de fragment pour toi cette fois\u00a0: écoute ceux de tes coéquipiers et aide à assembler la réponse.</p>`}
      <p class="muted">Les ${n} fragments sont répartis entre les joueurs présents. Il vous les faut tous\u00a0!</p>
      ${attemptsLine(p)}${answerForm(ui, m, p)}`;
  },
};
