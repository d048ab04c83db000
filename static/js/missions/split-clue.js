/* Tempo — the split-clue mission: each present player holds some fragments of the answer. */
import { h, rich } from "../dom.js";
import { answerForm, attemptsLine } from "./common.js";

export default {
  key: "split-clue", icon: "🧠", label: "Indices partagés",
  // Fragments are dealt among the players present: a presence change may hand you a departed
  // teammate's, never take yours (docs/protocol.md, "Split-clue fragments"). The server pushes
  // this player's own view after a change (`view_per_player` in tempo/missions/split_clue.py).
  render: (m, p, ui) => {
    const frags = p.fragments || [];
    const n = p.fragment_count || frags.length;
    return [
      rich(p, "question"),
      frags.length
        ? h("ul", { class: "fragments" }, frags.map((fr) => h("li", { class: "fragment" },
          h("p", { class: "fragment__label" }, h("strong", {}, "🧩 Ton fragment n°" + fr.index + " sur " + n),
            h("span", { class: "fragment__tip" }, " — partage-le à voix haute avec ton équipe")),
          rich(fr, "text"))))
        : h("p", { class: "notice" }, "Pas de fragment pour toi cette fois\u00a0: écoute ceux de tes coéquipiers et aide à assembler la réponse."),
      h("p", { class: "muted" }, "Les " + n + " fragments sont répartis entre les joueurs présents. Il vous les faut tous\u00a0!"),
      attemptsLine(p), answerForm(ui, m, p)];
  },
};
