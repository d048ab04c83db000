/* Tempo — the studio's phone preview: one mission drawn by the player page's own renderer
   (static/js/missions/), read-only. The view is the server's (tempo/services/studio/preview.py);
   `ui` stands in for play.js's page helpers, and nothing is ever sent. */
import { h, plural, rich } from "./dom.js";
import { missionType } from "./missions/index.js";

const root = document.getElementById("preview");
const m = JSON.parse(root.dataset.view);
const characters = JSON.parse(root.dataset.characters);
const noop = () => {};

function speakerBlock(id, line) {
  const c = id && characters[id];
  if (!c) return line || null;
  const block = h("div", { class: "speaker" },
    h("div", { class: "speaker__head" },
      h("span", { class: "speaker__avatar", "aria-hidden": "true" }, c.avatar),
      h("p", { class: "speaker__name" }, c.name, h("span", { class: "speaker__role" }, c.role))),
    line || null);
  block.style.setProperty("--who", c.color);
  return block;
}

// A form like play.js's, whose submission does nothing.
function form(mission, name, fields, submitText) {
  const f = h("form", { class: "mform", "data-key": mission.id + ":" + name, novalidate: true },
    fields, h("p", { class: "form-ok", role: "alert" }, ""), h("button", { type: "submit", class: "button" }, submitText));
  f.addEventListener("submit", (e) => e.preventDefault());
  return f;
}

const ui = {
  form: form, say: noop, busy: noop, isBusy: () => true, send: noop, act: noop, actionId: () => "",
  handleAck: noop, http: () => Promise.resolve({}), online: () => true, refreshState: noop,
  speakerBlock: speakerBlock, toast: noop, said: () => "", who: () => "", me: () => "", players: () => [],
  call: noop, setStopScan: noop, urls: {}, csrf: "",
};

const ty = missionType(m.type);
root.append(...[
  h("p", { class: "kicker" }, ty.icon + " " + ty.label + " · Jour " + m.day),
  h("h2", {}, m.title),
  h("p", { class: "panel__meta" }, "+" + plural(m.reward, "éclat", "éclats")),
  ty.ownSpeaker ? null : speakerBlock(m.character),
  rich(m, "narrative"),
  h("section", { class: "play-area", "aria-label": "À toi de jouer" },
    ty.render ? ty.render(m, m.play || {}, ui) : h("p", {}, "Ce type de mission n'est pas pris en charge.")),
].filter(Boolean));
// Read-only: every control is disabled (the forms stay visible, as players see them).
root.querySelectorAll("input, textarea, select, button").forEach((el) => { el.disabled = true; });
