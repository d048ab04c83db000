/* Tempo — the moments of a day as the player's phone draws them: the day card's heading and
   intro, a mission's card on the map, and the celebration of a mission success. Shared by the
   player page (play.js) and the studio's phone preview (studio-preview.js), so that an author
   previews exactly what players will see. ES module, no build step. */
import { $, fill, html, list, markup, nothing, plain, plural, text } from "./dom.js";
import { missionType } from "./missions/index.js";

export const STATUS = {
  locked: ["🔒", "Verrouillée"], available: ["✨", "Disponible"],
  in_progress: ["⏳", "En cours"], done: ["✅", "Réussie"],
};

// « Jour 3 sur 5 »: scenarios last 1 to 15 days.
export const dayLabel = (n, count) => "Jour " + n + (count ? " sur " + count : "");

// « Demain… » and the day's teaser.
export const teaserLine = (d) => (d.teaser ? html`<p class="teaser"><strong>Demain… </strong>${plain(d.teaser)}</p>` : null);

// The day card's text: the intro, then the teaser once `teaser` is true (the day is done).
export const dayLead = (d, teaser) => html`${markup(d, "intro_html")}${teaser ? teaserLine(d) : null}`;

// « Lire la suite » only when the intro is longer than its shortened height (phones).
export function fitIntro(intro, more, open) {
  intro.classList.toggle("day__intro--open", open);
  more.hidden = true;
  requestAnimationFrame(() => {
    more.hidden = !open && intro.scrollHeight <= intro.clientHeight + 2;
    more.textContent = open ? "Réduire" : "Lire la suite";
    more.setAttribute("aria-expanded", open ? "true" : "false");
  });
}

// A mission's card on the map. `o.needs(m)`: the titles of the missions it still waits for;
// `o.open(id)`: what a tap does.
export function missionCard(m, o) {
  const st = STATUS[m.status] || STATUS.locked;
  const ty = missionType(m.type);
  const needs = m.status === "locked" ? o.needs(m) : [];
  return html`<button type="button" class=${"mcard mcard--" + text(m.status)} data-mission=${m.id} @click=${() => o.open(m.id)}>
    <span class="mcard__top"><span class="mcard__type"><span aria-hidden="true">${ty.icon} </span>${ty.label}</span><span class=${"badge badge--" + text(m.status)}><span aria-hidden="true">${st[0]} </span>${st[1]}</span></span>
    <span class="mcard__title">${m.title}</span>
    <span class="mcard__meta">+${plural(m.reward, "éclat", "éclats")}${m.offer_count ? " · révèle " + plural(m.offer_count, "offre", "offres") : ""}</span>
    ${needs.length ? html`<span class="mcard__req">Nécessite\u00a0: ${needs.join(", ")}</span>` : null}</button>`;
}

// An offer's summary in one line: its first sentence (the full text stays in the vault).
export function oneLine(value) {
  const t = plain(value).replace(/\s+/g, " ").trim();
  const m = t.match(/^.+?[.!?…](?=\s|$)/);
  return m ? m[0] : t;
}

// The celebration dialog's content (templates/_celebrate.html): « Mission réussie ! +30 éclats »,
// `c.line` (who succeeded, and how the opponent weakens) and the offers it unlocked.
export function drawCelebration(c) {
  const offers = list(c.offers);
  $("#celebrate-title").textContent = "Mission réussie\u00a0! +" + plural(c.reward, "éclat", "éclats");
  $("#celebrate-text").textContent = c.line;
  fill($("#celebrate-offers"), offers.length ? html`<h3>${offers.length > 1 ? "Offres débloquées" : "Offre débloquée"}</h3>
    <ul class="celebrate__list">${offers.map((x) => html`<li><strong>🎁 ${x.title}</strong>${x.summary ? html`<p class="celebrate__line">${oneLine(x.summary)}</p>` : null}</li>`)}</ul>
    <p class="celebrate__more">Tout le détail t'attend dans le coffre.</p>` : nothing);
  $("#celebrate-vault").hidden = !offers.length;
}
