/* Run by test_mission_render.py through page.evaluate: imports each mission module and renders
   it into a box of its own with the page's real `ui` (window.TempoPlay.ui), once per bad value
   standing where text or a number is expected; returns what went wrong. */
async () => {
  const dom = await import("/static/js/dom.js");
  const { MISSION_TYPES } = await import("/static/js/missions/index.js");
  const ui = window.TempoPlay.ui;
  // What JSON may bring (and NaN, which a client-side sum could make).
  const BAD = [{ a: 1 }, [{ b: 2 }, null], null, undefined, NaN, [[{ c: 3 }]], true, {}];
  const views = (x) => ({
    enigma: { question: x, question_html: x, attempts: x, placeholder: x },
    quiz: { decision: "vote", pass_mark: x, last_score: x, vote_round: 1, seconds_left: x,
      votes: [{ player: x, choice: [[0]] }, { player: ui.me(), choice: [[1]] }],
      questions: [{ prompt: x, multiple: x, choices: [x, "Oui"], explanation_html: x, answered_right: false }] },
    dialogue: { decision: "vote", node: "n1", vote_round: "n1", seconds_left: x, speaker: x, text: x, text_html: x,
      choices: [x, "Bonjour"], votes: [{ player: x, choice: 0 }], reaction_html: "<p>Merci.</p>", reaction_to: x,
      reaction_speaker: x, history: [x, { choice: x, reaction_html: x }, { text: x }] },
    "split-clue": { question_html: x, fragment_count: x, attempts: x, placeholder: x,
      fragments: [{ index: x, text: x }, { index: 2, text_html: x }] },
    "code-lock": { prompt: x, prompt_html: x, clues_html: [x, "<p>Indice</p>"], numeric: x, length: x, attempts: x },
    "qr-checkpoint": { ordered: x, checkpoints: [{ label: x, clue: x, clue_html: x, scanned: true, by: x, message_html: x },
      { label: "Balise", clue: x, scanned: false }] },
    proof: { kind: x, status: x, comment: x, instructions_html: x },
    appointment: { instructions: x, instructions_html: x },
    diagnostic: { instructions: x, completed: x, completed_count: x, moment: x },
  });
  const out = [];
  for (const [i, x] of BAD.entries()) {
    const all = views(x);
    for (const [type, mod] of Object.entries(MISSION_TYPES)) {
      if (type === "appointment") continue;   // booking.js's own page fetches its slots
      const box = document.createElement("section");
      box.className = "hostile";
      document.body.append(box);
      const m = { id: "t" + i + "-" + type, type: type, status: i % 2 ? "done" : "in_progress", title: x, day: 1, play: all[type] };
      try {
        dom.fill(box, mod.render(m, all[type], ui));
      } catch (e) {
        out.push(type + " with value " + i + " threw " + e);
      }
      const seen = box.innerText;
      for (const leak of ["[object", "undefined", "NaN", "null"]) {
        if (seen.indexOf(leak) >= 0) out.push(type + " with value " + i + " shows " + leak + ": " + seen);
      }
      box.remove();
    }
  }
  return out;
}
