/* Tempo — the studio's phone preview, drawn by the player page's own code and never sending
   anything. The views are the server's (tempo/services/studio/preview.py):
   - a mission: its type's renderer (static/js/missions/), read-only; a dialogue is walked reply
     by reply through the steps the server played with the type's own rules;
   - a day's opening: the day card and the day's mission cards (static/js/moments.js);
   - a mission's success: the celebration dialog (moments.js, feel.js).
   `ui` stands in for play.js's page helpers. */
import { fill, html, node, nothing, picture, plural, quote, rich, withNode } from "./dom.js";
import { celebrate } from "./feel.js";
import { missionType } from "./missions/index.js";
import { dayLabel, dayLead, drawCelebration, fitIntro, missionCard, teaserLine } from "./moments.js";

const root = document.getElementById("preview");
const view = JSON.parse(root.dataset.view);
const characters = JSON.parse(root.dataset.characters);
const urls = JSON.parse(root.dataset.urls);
// The library's images the draft shows (name -> src, alt, size), as the snapshot's `media`.
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

function ui(walking, onChoose) {
  return {
    form: form, say: noop, busy: noop, isBusy: () => !walking, act: noop, actionId: () => "",
    // A dialogue's reply moves the preview's own conversation; nothing else is ever sent.
    send: (f, event, body) => { if (walking && body && body.kind === "choose") onChoose(body.data.choice); },
    handleAck: noop, http: () => Promise.resolve({}), online: () => true, refreshState: noop,
    speakerBlock: speakerBlock, toast: noop, said: () => "", who: () => "", me: () => "", players: () => [],
    call: noop, setStopScan: noop, urls: {}, csrf: "", picture: (name, cls) => picture(image(name), cls),
  };
}

// ------------------------------------------------------------------------------------ mission
function drawMission(m) {
  const walk = m.walk;
  let at = walk ? walk.start : null;
  let steps = [];   // the replies walked, as the conversation's history shows them
  let stuck = false;

  function choose(i) {
    const here = walk.views[at];
    const next = walk.moves[at][i];
    if (!next) { stuck = true; draw(); return; }
    steps = steps.concat([{ choice: here.choices[i], reaction_html: walk.views[next].reaction_html || null }]);
    at = next;
    draw();
    const line = root.querySelector(".speaker__line, .reaction");
    if (line) line.scrollIntoView({ block: "nearest" });
  }

  function restart() { at = walk.start; steps = []; stuck = false; draw(); }

  // The flags this dialogue's replies depend on, as the team's earlier missions may have set
  // them: ticking one starts the conversation again with it (the server plays the new walk).
  function flagsBox() {
    if (!walk || !walk.read.length) return null;
    const set = (name, on) => {
      const chosen = walk.flags.filter((f) => f !== name).concat(on ? [name] : []);
      const u = new URL(window.location.href);
      u.searchParams.set("drapeaux", chosen.join(","));
      window.location.assign(u.toString());
    };
    return html`<fieldset class="preview-flags"><legend>Drapeaux déjà posés par l'équipe (missions précédentes)</legend>
      ${walk.read.map((f) => html`<label class="preview-flags__item"><input type="checkbox" ?checked=${walk.flags.indexOf(f) >= 0}
        @change=${(e) => set(f, e.currentTarget.checked)}> ${f}</label>`)}</fieldset>`;
  }

  function draw() {
    const play = walk ? { ...walk.views[at], history: steps } : (m.play || {});
    const ended = !!(walk && play.ended);
    const mission = ended ? { ...m, status: "done" } : m;
    const ty = missionType(m.type);
    fill(root, html`
      <p class="kicker">${ty.icon + " " + ty.label + " · Jour " + m.day}</p>
      <h2>${m.title}</h2>
      <p class="panel__meta">${"+" + plural(m.reward, "éclat", "éclats")}</p>
      ${ty.ownSpeaker ? null : speakerBlock(m.character)}
      ${m.image ? picture(image(m.image), "mission__image") : null}
      ${rich(m, "narrative")}
      <section class="play-area" aria-label="À toi de jouer">${ty.render ? ty.render(mission, play, ui(!!walk, choose)) : html`<p>Ce type de mission n'est pas pris en charge.</p>`}</section>
      ${flagsBox()}
      ${stuck ? html`<p class="notice">L'aperçu s'arrête ici : ce dialogue a trop de chemins pour être parcouru en entier.</p>` : null}
      ${walk && (steps.length || stuck) ? html`<p class="preview-tools">
        <button type="button" class="button button--ghost" @click=${restart}>Recommencer la conversation</button>
        ${ended ? html`<a class="button" href=${urls.celebration}>Voir la célébration</a>` : null}</p>` : null}`);
    // Read-only: every control is disabled except a dialogue's replies (the forms stay visible).
    root.querySelectorAll(".play-area input, .play-area textarea, .play-area select, .play-area button").forEach((el) => {
      el.disabled = !(walk && el.classList.contains("choice-btn"));
    });
  }
  draw();
}

// ------------------------------------------------------------------------------------ a day
function drawDay(v) {
  const d = v.day;
  let open = false;
  const titleOf = (id) => quote(v.titles[id] || id);
  // A mission card opens that mission's own preview.
  const openMission = (id) => {
    const i = v.missions.findIndex((m) => m.id === id);
    if (i >= 0) window.location.assign(urls.day + "&mission=" + i);
  };
  const needs = (m) => (m.requires || []).map(titleOf);
  fill(root, html`
    <section id="jour" class="card" aria-labelledby="day-title">
      <p class="kicker">${dayLabel(d.number, v.count)}</p>
      <h2 id="day-title">${d.title}</h2>
      <div id="day-intro" class="prose day__intro">${dayLead(d, false)}</div>
      <p class="day__more"><button type="button" class="linkish" id="day-more" aria-controls="day-intro" aria-expanded="false" hidden
        @click=${() => { open = !open; fitIntro(root.querySelector("#day-intro"), root.querySelector("#day-more"), open); }}>Lire la suite</button></p>
    </section>
    <section id="missions" aria-labelledby="missions-title">
      <h2 id="missions-title" class="section-title">Carte des missions</h2>
      <section class="mapday" aria-labelledby="map-day"><h3 id="map-day" class="mapday__title">Jour ${d.number} · ${d.title}<span
        class="mapday__count"> — 0 sur ${v.missions.length} réussies</span></h3>
        <ul class="mgrid">${v.missions.map((m) => html`<li>${missionCard(m, { needs: needs, open: openMission })}</li>`)}</ul></section>
    </section>
    ${d.teaser ? html`<section class="card preview-later">
      <p class="kicker">Quand toutes les missions du jour sont réussies, la carte du jour ajoute\u00a0:</p>
      <div class="prose">${teaserLine(d)}</div></section>` : null}`);
  fitIntro(root.querySelector("#day-intro"), root.querySelector("#day-more"), open);
}

// ------------------------------------------------------------------------------------ a success
function drawSuccess(c) {
  const dialog = document.getElementById("celebrate");
  const show = () => {
    drawCelebration({ reward: c.reward, offers: c.offers,
      line: "Tu as réussi " + quote(c.title) + " pour toute l'équipe. " + c.weakens });
    if (!dialog.open) dialog.showModal();
    celebrate(document.getElementById("celebrate-confetti"));
    document.getElementById("celebrate-title").focus();
  };
  fill(root, html`<section class="card"><h2>${c.title}</h2><p class="muted">Réussie par l'équipe\u00a0: voici ce que chaque téléphone affiche.</p>
    <button type="button" class="button" @click=${show}>Revoir la célébration</button></section>`);
  document.getElementById("celebrate-close").addEventListener("click", () => dialog.close());
  document.getElementById("celebrate-vault").addEventListener("click", () => dialog.close());
  show();
}

const moment = root.dataset.moment;
if (moment === "jour") drawDay(view);
else if (moment === "reussite") drawSuccess(view);
else drawMission(view);
