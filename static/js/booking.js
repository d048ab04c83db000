/* Tempo — the appointment mission's slot picker, confirmation and banner.
   play.js draws the mission panel and calls TempoBooking.render(mission, view); this file owns
   what is inside: it talks to /jouer/rendez-vous (JSON, CSRF header) and hears the team's events
   as "tempo:event" (booking.reminder, booking.attended). ES module, no build step. */
import { fill as draw, html, markup, node, nothing } from "./dom.js";

(function () {
  "use strict";

  const banner = document.getElementById("booking-banner");
  if (!banner) return;
  const URL = {
    status: banner.dataset.statusUrl, book: banner.dataset.bookUrl,
    move: banner.dataset.moveUrl, cancel: banner.dataset.cancelUrl,
  };
  const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const DAYS_STEP = 3;
  const STALE_MS = 20000;

  const play = () => window.TempoPlay || { toast: () => null, me: () => "", refreshView: () => {}, mission: () => null, said: () => "" };

  // ---------------------------------------------------------------- state
  const B = {
    data: null,        // last /jouer/rendez-vous answer: {open, booking, last, slots, bring}
    loadedAt: 0, loading: false, failed: false,
    mode: "pick",      // "pick", or "move" while choosing a new slot for a booking
    days: DAYS_STEP,   // how many days of slots are shown
    fetchDays: 7,      // how many days of slots are asked of the server (a week at a time)
    picked: null,      // the chosen slot id
    msg: null,         // {text, ok}: the form's message (role=alert)
    busy: false,
    focus: null,       // what to focus after the next draw
    after: null,       // index of the first day of a week being fetched (to focus it)
    mission: null, view: null,
  };

  function request(url, method, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: body ? JSON.stringify(body) : undefined,
    }).then((r) => r.json().catch(() => ({ ok: false, error: { code: "http_" + r.status, message: "Erreur du serveur (" + r.status + "). Réessaie." } })))
      .catch(() => ({ ok: false, error: { code: "offline", message: "Impossible de joindre le serveur. Vérifie ta connexion puis réessaie." } }));
  }

  function load() {
    if (B.loading) return;
    B.loading = true;
    request(URL.status + "?jours=" + B.fetchDays, "GET").then((ack) => {
      B.loading = false;
      if (!ack.ok) { B.failed = true; redraw(); return; }
      B.failed = false;
      B.data = ack; B.loadedAt = Date.now();
      if (B.picked && !ack.slots.some((s) => s.id === B.picked)) B.picked = null;
      if (!ack.booking && B.mode === "move") B.mode = "pick";
      if (B.after != null) {   // more days were asked for: focus the first new one
        const first = ack.slots.filter((s, i, all) => i === 0 || s.day !== all[i - 1].day)[B.after];
        B.focus = first ? "bk-slot-" + first.id : null;
        B.after = null;
      }
      redraw(); drawBanner();
    });
  }

  // ---------------------------------------------------------------- the panel
  function render(m, p) {
    B.mission = m; B.view = p;
    const box = node(html`<div id="bk-root" class="bk"></div>`);
    fill(box);
    if (!B.data || Date.now() - B.loadedAt > STALE_MS) load();
    return box;
  }
  function redraw() {
    const box = document.getElementById("bk-root");
    if (!box) return;
    const had = box.contains(document.activeElement) ? document.activeElement.id : null;
    fill(box);
    const target = (B.focus && document.getElementById(B.focus)) || (had && document.getElementById(had));
    B.focus = null;
    if (target) target.focus();
  }

  function fill(box) {
    const p = B.view || {};
    box.setAttribute("aria-busy", B.data ? "false" : "true");
    // The authored instructions come after the booking itself: on a phone the picker (or the
    // confirmation) is what the player came for, and it stays within reach of the thumb.
    draw(box, html`${main()}${p.instructions_html ? html`<section class="bk-about" aria-labelledby="bk-about-title">
      <h3 id="bk-about-title">À savoir</h3><div class="prose">${markup(p, "instructions_html")}</div></section>` : null}`);
  }
  function main() {
    const p = B.view || {};
    if (!B.data) {
      return B.failed
        ? html`<p class="notice">Impossible de charger les créneaux. <button type="button" class="button button--ghost" @click=${load}>Réessayer</button></p>`
        : html`<p class="muted bk-loading">Chargement des créneaux…</p>`;
    }
    const d = B.data;
    const count = p.booked_count
      ? html`<p class="muted">${p.booked_count + (p.booked_count > 1 ? " membres de l'équipe ont" : " membre de l'équipe a") + " déjà réservé."}</p>` : null;
    if (d.booking && B.mode !== "move") return html`${count}${confirmation(d.booking)}`;
    // A studio play-test offers no slot (no counsellor): its author simulates the booking from
    // the play-test's panel, and is told so rather than asked to pick a slot.
    if (d.simulated && !d.booking) {
      return (B.mission || {}).status === "done"
        ? html`${count}<p class="notice notice--ok" id="bk-simulated">✅ Rendez-vous simulé pour l'équipe (essai du studio) : aucun vrai agenda n'est touché.</p>`
        : html`${count}<p class="notice" id="bk-simulated">📅 Essai du studio : aucun vrai créneau ici. Simulez le rendez-vous de l'équipe avec « Faire jouer les coéquipiers » dans le panneau de l'essai.</p>`;
    }
    if (!d.open) return html`${count}<p class="notice">📅 La prise de rendez-vous s'ouvrira avec cette mission.</p>`;
    return html`${count}${d.last && d.last.status === "attended"
      ? html`<p class="notice notice--ok">${"🎉 Tu es venu·e à ton rendez-vous du " + d.last.when + ". Bravo\u00a0!"}</p>` : null}${d.last && d.last.status === "missed"
      ? html`<p class="notice">${"Ton rendez-vous du " + d.last.when + " n'a pas eu lieu\u00a0: choisis un nouveau créneau."}</p>` : null}${picker(d)}`;
  }

  function confirmation(b) {
    const move = () => { B.mode = "move"; B.msg = null; B.days = DAYS_STEP; B.focus = "bk-pick-title"; redraw(); };
    return html`<section class="bk-done" aria-labelledby="bk-done-title">
      <h3 id="bk-done-title" tabindex="-1">✅ Ton rendez-vous est réservé</h3>
      <p class="bk-when"><strong>${b.when}</strong>${" – " + b.end_time}</p>
      <p>${"avec " + b.counsellor}${b.place ? html`<span class="bk-where"><span aria-hidden="true"> 📍 </span>${b.place}</span>` : null}</p>
      ${b.bring && b.bring.length ? html`<h4>À apporter</h4><ul class="bk-bring">${b.bring.map((x) => html`<li>${x}</li>`)}</ul>` : null}
      <p><a class="button" href=${b.ics_url} download="rendez-vous-mission-locale.ics"><span aria-hidden="true">📅 </span>Ajouter à mon agenda</a></p>
      <p class="muted">Un lien pour gérer ce rendez-vous, même sans Tempo (garde-le pour toi)\u00a0: <a href=${b.manage_url} class="bk-link">gérer mon rendez-vous</a></p>
      ${message()}
      <div class="bk-actions"><button type="button" class="button button--ghost" id="bk-move" @click=${move}>Déplacer</button><button
        type="button" class="button button--ghost bk-cancel" id="bk-cancel" @click=${() => cancel(b)}>Annuler le rendez-vous</button></div></section>`;
  }

  function message() {
    const m = B.msg || {};
    return html`<p id="bk-msg" class=${m.ok ? "form-ok" : "form-error"} role="alert" tabindex="-1">${m.text || ""}</p>`;
  }

  function picker(d) {
    const moving = B.mode === "move";
    const slots = d.slots || [];
    const title = html`<h3 id="bk-pick-title" tabindex="-1">${moving ? "Choisis ton nouveau créneau" : "Choisis ton créneau"}</h3>`;
    if (!slots.length) {
      return html`<section class="bk-pick" aria-labelledby="bk-pick-title">${title}${message()}<p class="notice">Aucun créneau libre pour l'instant. Ton conseiller ou ta conseillère va en ouvrir\u00a0: reviens bientôt, ou demande-lui directement.</p>${moving ? keepButton() : null}</section>`;
    }
    const days = [];
    slots.forEach((s) => {
      const last = days[days.length - 1];
      if (last && last.day === s.day) last.slots.push(s); else days.push({ day: s.day, label: s.day_label, slots: [s] });
    });
    const who = unique(slots.map((s) => s.counsellor));
    const where = unique(slots.map((s) => s.place));
    const shown = days.slice(0, B.days);
    const pick = (s) => { B.picked = s.id; B.msg = null; const c = document.getElementById("bk-chosen"); if (c) c.textContent = chosenText(); };
    const more = () => {
      const before = B.days; B.days += DAYS_STEP;
      const next = days[before];
      B.focus = next ? "bk-slot-" + next.slots[0].id : null;
      if (B.days > days.length && d.more) { B.fetchDays += 7; B.after = before; load(); }   // the next week
      redraw();
    };
    // The message comes first: after "slot taken" it introduces the next free slots below it.
    return html`<section class="bk-pick" aria-labelledby="bk-pick-title">${title}
      <p class="muted">${"Les prochains créneaux libres d'abord" + (who.length === 1 ? " — avec " + who[0] : "") + (where.length === 1 && where[0] ? " · 📍 " + where[0] : "") + "."}</p>
      <form class="bk-form" novalidate aria-busy=${B.busy ? "true" : nothing} @submit=${(e) => { e.preventDefault(); submit(); }}>${message()}${shown.map((day) => html`<fieldset class="bk-day"><legend>${day.label}</legend>
        <div class="bk-slots">${day.slots.map((s) => html`<label class="bk-slot" for=${"bk-slot-" + s.id}><input type="radio" name="slot" id=${"bk-slot-" + s.id} value=${s.id}
          .checked=${B.picked === s.id} @change=${() => pick(s)}><span class="bk-slot__time">${s.time}</span>${who.length > 1
          ? html`<span class="bk-slot__who">${s.counsellor}</span>` : null}${where.length > 1 && s.place ? html`<span class="bk-slot__where">${s.place}</span>` : null}</label>`)}</div></fieldset>`)}
        ${days.length > shown.length || d.more ? html`<p><button type="button" class="button button--ghost" @click=${more}>${days.length > shown.length
          ? "Voir d'autres jours (" + (days.length - shown.length) + " de plus)" : "Voir la semaine suivante"}</button></p>` : null}
        <p id="bk-chosen" class="bk-chosen" aria-live="polite">${chosenText()}</p>
        <div class="bk-actions"><button type="submit" class="button" id="bk-submit">${moving ? "Déplacer sur ce créneau" : "Réserver ce créneau"}</button>${moving ? keepButton() : null}</div></form></section>`;
  }
  function keepButton() {
    return html`<button type="button" class="button button--ghost" @click=${() => { B.mode = "pick"; B.msg = null; B.focus = "bk-done-title"; redraw(); }}>Garder mon rendez-vous</button>`;
  }
  const unique = (xs) => xs.filter((x, i) => xs.indexOf(x) === i);
  function chosenText() {
    const s = B.picked && B.data && B.data.slots.find((x) => x.id === B.picked);
    return s ? "Créneau choisi\u00a0: " + s.day_label + " à " + s.time + " avec " + s.counsellor + "." : "";
  }

  function say(text, ok) { B.msg = text ? { text: text, ok: !!ok } : null; B.focus = "bk-msg"; redraw(); }

  function submit() {
    if (B.busy) return;
    if (!B.picked) { say("Choisis d'abord un créneau dans la liste."); return; }
    const moving = B.mode === "move";
    B.busy = true; B.msg = { text: moving ? "Déplacement…" : "Réservation…", ok: true }; redraw();
    request(moving ? URL.move : URL.book, "POST", { slot: B.picked }).then((ack) => {
      B.busy = false;
      if (ack.ok) {
        B.data.booking = ack.booking; B.data.last = null; B.mode = "pick"; B.picked = null; B.days = DAYS_STEP;
        B.msg = { text: moving ? "Ton rendez-vous est déplacé. Pense à mettre à jour ton agenda." : "", ok: true };
        B.focus = "bk-done-title";
        redraw(); drawBanner(); play().refreshView();
        B.loadedAt = 0;   // the next render fetches fresh slots
        return;
      }
      const err = ack.error || {};
      if (err.code === "slot_taken" && Array.isArray(ack.slots)) {
        // The next free slots, at once: the player picks again without reloading.
        B.data.slots = ack.slots; B.days = 99; B.picked = null;
        B.loadedAt = Date.now();
      }
      if (err.code === "already_booked") { B.loadedAt = 0; load(); }
      say(err.message || "La réservation n'a pas abouti. Réessaie.");
    });
  }

  function cancel(b) {
    if (B.busy) return;
    if (!window.confirm("Annuler ton rendez-vous du " + b.when + "\u00a0? Le créneau sera libéré pour quelqu'un d'autre.")) return;
    B.busy = true;
    request(URL.cancel, "POST", {}).then((ack) => {
      B.busy = false;
      if (!ack.ok) { say((ack.error && ack.error.message) || "L'annulation n'a pas abouti. Réessaie."); return; }
      B.data.booking = null; B.mode = "pick";
      B.msg = { text: "Ton rendez-vous est annulé. Merci d'avoir prévenu\u00a0! Tu peux en choisir un autre.", ok: true };
      B.focus = "bk-msg";
      redraw(); drawBanner(); B.loadedAt = 0; load();
    });
  }

  // ---------------------------------------------------------------- the banner
  function drawBanner() {
    const b = B.data && B.data.booking;
    banner.hidden = !b;
    banner.classList.remove("bk-banner--soon");
    if (!b) { banner.textContent = ""; return; }
    const left = Date.parse(b.start) - Date.now();
    const soon = left <= 3600e3 ? "Dans moins d'une heure\u00a0: " : left <= 86400e3 ? "Bientôt\u00a0: " : "";
    if (soon) banner.classList.add("bk-banner--soon");
    draw(banner, html`<p class="bk-banner__text"><span aria-hidden="true">📅 </span>${soon ? html`<strong>${soon}</strong>` : null}${"ton rendez-vous à la Mission Locale, " + b.when + " avec " + b.counsellor + (b.place ? " — " + b.place : "") + "."}</p><a
      class="bk-banner__link" href=${b.manage_url}>Voir ou déplacer</a>`);
  }

  // ---------------------------------------------------------------- team events
  document.addEventListener("tempo:event", (e) => {
    const ev = e.detail || {};
    const mine = String(ev.player) === String(play().me());
    const m = ev.mission && play().mission ? play().mission(ev.mission) : null;
    if (ev.type === "mission.updated" && m && m.type === "appointment" && String(ev.by) !== String(play().me())) {
      // A teammate booked: the team sees it live (the last booking completes the mission instead).
      play().toast("📅 " + play().said(ev.by, "as", "a") + " réservé son rendez-vous à la Mission Locale\u00a0!");
    } else if (ev.type === "booking.reminder" && mine) {
      const b = B.data && B.data.booking;
      const when = ev.when === "hour" ? "dans moins d'une heure" : "demain";
      play().toast("⏰ Rappel\u00a0: ton rendez-vous à la Mission Locale, c'est " + when + (b ? " à " + b.time + (b.place ? " — " + b.place : "") : "") + ".", true);
      if (b) drawBanner(); else load();
    } else if (ev.type === "booking.attended") {
      const t = play().toast(mine ? "🎉 Bravo\u00a0! Tu es allé·e à ton rendez-vous à la Mission Locale. Toute l'équipe est fière de toi\u00a0!"
        : "🎉 " + (ev.pseudonym || "Quelqu'un de l'équipe") + " est allé·e à son rendez-vous à la Mission Locale\u00a0! Bravo\u00a0!", true);
      if (t) t.classList.add("toast--party");
      if (mine) { B.loadedAt = 0; load(); }
    }
  });

  window.TempoBooking = { render: render };
  if (!banner.hidden) load();   // keep the server-drawn banner in step with the booking
})();
