/* Tempo — the studio's phone preview: one mission drawn by the player page's own renderer
   (static/js/missions/), read-only. The view is the server's (tempo/services/studio/preview.py);
   `ui` stands in for play.js's page helpers, and nothing is ever sent. */
import { fill, html, node, nothing, picture, plural, rich, withNode } from "./dom.js";
import { missionType } from "./missions/index.js";

const root = document.getElementById("preview");
const m = JSON.parse(root.dataset.view);
const characters = JSON.parse(root.dataset.characters);
const media = JSON.parse(root.dataset.media || "{}");
const image = (name) => (name && media[name]) || null;
const noop = () => {};

// A character's colour through the CSSOM (no style attribute: strict CSP), as on the phone.
const tint = (c) => withNode((el) => el.style.setProperty("--who", (c && typeof c.color === "string" && c.color) || "#7c3aed"));

function speakerBlock(id, line) {
  const c = id && characters[id];
  if (!c) return line || null;
  return html`<div class="speaker" ${tint(c)}>
    <div class="speaker__head">${(c.image && picture(image(c.image), "speaker__avatar speaker__avatar--img", true))
      || html`<span class="speaker__avatar" aria-hidden="true">${c.avatar || "🙂"}</span>`}
      <p class="speaker__name">${c.name}${c.role ? html`<span class="speaker__role">${c.role}</span>` : null}</p></div>
    ${line || null}</div>`;
}

// A form like play.js's, whose submission does nothing.
function form(mission, name, fields, submitText) {
  return node(html`<form class="mform" data-key=${mission.id + ":" + name} novalidate @submit=${(e) => e.preventDefault()}>${fields}<p
    class="form-ok" role="alert">${nothing}</p>${submitText ? html`<button type="submit" class="button">${submitText}</button>` : null}</form>`);
}

const ui = {
  form: form, say: noop, busy: noop, isBusy: () => true, send: noop, act: noop, actionId: () => "",
  handleAck: noop, http: () => Promise.resolve({}), online: () => true, refreshState: noop,
  speakerBlock: speakerBlock, toast: noop, said: () => "", who: () => "", me: () => "", players: () => [],
  call: noop, setStopScan: noop, urls: {}, csrf: "", picture: (name, cls) => picture(image(name), cls),
};

const ty = missionType(m.type);
fill(root, html`
  <p class="kicker">${ty.icon + " " + ty.label + " · Jour " + m.day}</p>
  <h2>${m.title}</h2>
  <p class="panel__meta">${"+" + plural(m.reward, "éclat", "éclats")}</p>
  ${ty.ownSpeaker ? null : speakerBlock(m.character)}
  ${m.image ? picture(image(m.image), "mission__image") : null}
  ${rich(m, "narrative")}
  <section class="play-area" aria-label="À toi de jouer">${ty.render ? ty.render(m, m.play || {}, ui) : html`<p>Ce type de mission n'est pas pris en charge.</p>`}</section>`);
// Read-only: every control is disabled (the forms stay visible, as players see them).
root.querySelectorAll("input, textarea, select, button").forEach((el) => { el.disabled = true; });
