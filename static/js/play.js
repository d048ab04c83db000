/* Tempo — the player's phone page: state, socket, HUD, map, vault, team and the mission panel's
   shell. Each mission type draws its own play area (static/js/missions/). ES module, no build step.
   Speaks the /play Socket.IO protocol described in docs/protocol.md. */
import { $, $$, fill, html, list, markup, node, nothing, picture, plain, plural, quote, rich, text, withNode } from "./dom.js";
import { missionType } from "./missions/index.js";
import { startInbox } from "./inbox.js";
import { outbox as makeOutbox, registerWorker, showWaiting } from "./offline.js";
import { celebrate, setupSwitch } from "./feel.js";
import { STATUS, dayLabel as dayOf, dayLead, drawCelebration, fitIntro, missionCard as card } from "./moments.js";

(function () {
  "use strict";

  // crypto.randomUUID needs a secure context (https or localhost): fall back to a random v4 UUID.
  function uid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(b); else b.forEach((_, i) => { b[i] = Math.random() * 256; });
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    return Array.prototype.map.call(b, (n) => (n + 256).toString(16).slice(1)).join("").replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  }

  // ---------------------------------------------------------------- state
  const root = $("#play");
  if (!root) return;
  if (typeof window.io !== "function") { $("#conn-text").textContent = "Impossible de charger le jeu : recharge la page."; return; }
  const CSRF = ($('meta[name="csrf-token"]') || {}).content || "";
  const panel = $("#panel");      // mission dialog
  const cele = $("#celebrate");   // celebration dialog
  const S = {
    version: -1,       // last applied team version (memory only)
    snap: null,        // last snapshot, patched by events
    open: null,        // id of the mission shown in the panel
    openJson: "",      // its last rendered view, to skip needless re-renders
    fetched: {},       // mission id -> true once this player's own view of it is here (snapshot or `view`)
    notes: {},         // a line shown atop a mission's panel while open (a poster scanned again)
    syncing: false, resync: false, buffer: [],
    celebrations: [], celebrating: false, celebTimer: 0,
    msgs: {},          // form messages by form key, survive panel re-renders
    blocked: {},       // form key -> timestamp until which it is rate limited
    ticks: {},         // form key -> countdown timer
    pending: {},       // form key -> {sig, id, inflight}: a retried request keeps its action id
    stopScan: null, wasOffline: false,
    reactions: {},     // mission id -> {version, character, html}: a character's word after a wrong answer
    mapOpen: {},       // day number -> true/false once the player opened or closed a past day
    dayEnd: null,      // the day whose end screen waits for the celebrations to close
    introOpen: false,  // « Lire la suite » pressed on the day's intro
  };

  // Events whose patch is the whole state (the pause empties the open days, the resume brings
  // them back): these and unknown types fetch a snapshot; every other event patches the state.
  // A content patch (fixed texts) and a play-test's rewind change what the snapshot holds.
  const RESYNC = ["cohort.paused", "cohort.resumed", "content.patched", "sandbox.rewound"];
  const myId = () => String(S.snap && S.snap.me ? S.snap.me.id : root.dataset.me);
  const players = () => (S.snap && S.snap.players) || [];
  const missions = () => (S.snap && S.snap.missions) || [];
  const missionById = (id) => missions().find((m) => m.id === id);
  const titleOf = (id) => { const m = missionById(id); return m ? quote(m.title) : "une mission"; };
  const offerById = (id) => ((S.snap && S.snap.offers) || []).find((o) => o.id === id);
  // "Tu as réussi" / "Léa a réussi".
  // "toi" / "Léa": who did something, for a line of a mission.
  function who(by) {
    if (String(by) === myId()) return "toi";
    const p = players().find((x) => String(x.id) === String(by));
    return p ? p.pseudonym : "quelqu'un de l'équipe";
  }
  function said(by, tuVerb, otherVerb) {
    if (by != null && String(by) === myId()) return "Tu " + tuVerb;
    const p = players().find((x) => String(x.id) === String(by));
    return (p ? p.pseudonym : "Quelqu'un de l'équipe") + " " + otherVerb;
  }

  // ---------------------------------------------------------------- socket
  const socket = window.io("/play");

  // Emit with an ack; retried with the SAME payload (same action id) on timeout.
  function call(event, payload, tries) {
    return new Promise((resolve) => {
      const attempt = (left) => socket.timeout(8000).emit(event, payload, (err, ack) => {
        if (!err) return resolve(ack || { ok: false, error: { code: "empty", message: "Réponse vide du serveur." } });
        if (left > 1 && socket.connected) return attempt(left - 1);   // disconnected: no use waiting twice more
        resolve({ ok: false, error: { code: "timeout", message: "Le serveur ne répond pas. Vérifie ta connexion puis réessaie." } });
      });
      attempt(tries || 3);
    });
  }

  // Actions taken offline wait in the outbox, with their ids, until the network is back (offline.js).
  const online = () => socket.connected && navigator.onLine !== false;
  const WAITING = "📡 En attente du réseau\u00a0: ta réponse partira dès le retour du réseau.";
  const outbox = makeOutbox({
    key: "tempo.outbox." + root.dataset.me,
    online: online,
    emit: (item) => call(item.event, item.payload, 1),
    // Queued before a reload: its form, if on screen, or the message kept for when it is.
    onAck: (item, ack) => handleAck(node(html`<form data-key=${item.form}><p role="alert"></p></form>`), ack),
    onChange: showWaiting,
  });
  outbox.items().forEach((x) => {
    S.pending[x.form] = { sig: x.sig, id: x.id, inflight: true };
    S.msgs[x.form] = { text: WAITING, ok: "wait" };
  });
  registerWorker(location.pathname);

  function setConn(kind, text) {
    const p = $("#conn");
    p.className = "conn conn--" + kind;
    $("#conn-text").textContent = text || {
      connecting: "Connexion…", online: "En ligne", offline: "Hors ligne — reconnexion en cours…",
    }[kind];
  }

  socket.on("connect", () => {
    setConn("online");
    if (S.wasOffline) toast("📶 De retour en ligne\u00a0!");
    S.wasOffline = false;
    sync();
    outbox.flush();
  });
  // Opened from the worker's cache with no network: no state to show yet, say why.
  function noStateYet() {
    if (S.snap) return;
    $("#day-title").textContent = "Pas de réseau pour l'instant";
    fill($("#map"), html`<p class="muted">Les missions s'afficheront dès le retour du réseau.</p>`);
  }
  socket.on("disconnect", (reason) => {
    S.wasOffline = true;
    setConn("offline");
    if (reason === "io server disconnect") socket.connect();   // the server kicked us: try again
  });
  socket.on("connect_error", (err) => {
    const data = err && err.data;
    if (data && data.code) {
      // Refused by the server (unknown player): no automatic retry.
      setConn("refused", data.message || "Connexion refusée.");
      const p = $("#conn");
      if (!$("a", p)) p.append(" ", node(html`<a href=${root.dataset.homeUrl}>Rejoindre une équipe</a>`));
    } else {
      S.wasOffline = true;
      setConn("offline");
      noStateYet();
    }
  });
  socket.on("team.event", onTeamEvent);
  socket.on("presence", onPresence);
  socket.on("mission.view", onView);
  // Not versioned, for this player only (an appointment reminder): handed to the page's modules.
  socket.on("player.event", (ev) => {
    if (ev && typeof ev.type === "string") document.dispatchEvent(new CustomEvent("tempo:event", { detail: ev }));
  });
  // The cohort-wide opponent, after any team of the cohort completed or reset a mission.
  socket.on("cohort.ai", (p) => {
    if (!S.snap || !p || typeof p.strength !== "number") return;
    S.snap.cohort_ai = p;
    renderHud();
  });
  startInbox(socket, toast);   // counsellors' messages: `notice` and the inbox (static/js/inbox.js)

  // ---------------------------------------------------------------- versions and sync
  function sync() {
    if (S.syncing) { S.resync = true; return; }
    S.syncing = true;
    call("sync", { version: S.version }).then((ack) => {
      S.syncing = false;
      if (!ack.ok) toast((ack.error && ack.error.message) || "Synchronisation impossible.");
      else if (ack.snapshot) setSnapshot(ack.snapshot, ack.version);
      else if (S.snap) {
        (ack.events || []).forEach((ev) => { if (ev.version === S.version + 1) applyEvent(ev); });
        if (S.version !== ack.version) refreshState(0);
        // Replayed events come without the views pushed meanwhile: the open mission is asked again.
        else if ((ack.events || []).length && S.open) refreshView();
      }
      const waiting = S.buffer.splice(0).sort((a, b) => a.version - b.version);
      waiting.forEach(onTeamEvent);
      if (S.resync) { S.resync = false; sync(); }
    });
  }
  function onTeamEvent(ev) {
    if (!ev || typeof ev.version !== "number") return;
    if (S.syncing || !S.snap) { S.buffer.push(ev); return; }
    if (ev.version <= S.version) {                  // already known (replayed by a sync)…
      if (ev.version === S.version) viewsOf(ev).forEach(onView);   // …but without its views
      return;
    }
    if (ev.version === S.version + 1) { applyEvent(ev); return; }
    S.buffer.push(ev);                               // gap: catch up first
    sync();
  }

  // Full state, debounced (several events usually arrive together).
  let stateTimer = 0;
  function refreshState(delay) {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(() => {
      call("state", {}).then((ack) => {
        if (ack.ok && ack.snapshot) setSnapshot(ack.snapshot, ack.version);
      });
    }, delay == null ? 300 : delay);
  }
  function setSnapshot(snap, version) {
    const v = typeof snap.version === "number" ? snap.version : version;
    if (S.snap && v < S.version) { refreshState(); return; }  // older than what we applied
    const lastDay = storedLastDay();   // read before renderDay records today's
    S.snap = snap;
    S.version = v;
    S.fetched = {};
    snap.missions.forEach((m) => { if (m.status !== "locked") S.fetched[m.id] = true; });
    renderAll();
    missedDayEnd(lastDay);
    openAsked();
  }
  // /jouer?mission=<id> (a poster scanned again): open that mission once it is known.
  function openAsked() {
    const params = new URLSearchParams(location.search);
    const id = params.get("mission");
    if (!id || !missionById(id)) return;
    params.delete("mission");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "") + location.hash);
    // The server's line (« déjà validée par Léa ») goes on the mission, above the modal's backdrop.
    const flash = $(".flashes");
    if (flash) S.notes[id] = flash.textContent.trim();
    openMission(id);
  }

  // Apply one versioned event on the local snapshot, then tell the player.
  function applyEvent(ev) {
    S.version = ev.version;
    const snap = S.snap;
    const team = snap.team;
    const m = ev.mission ? missionById(ev.mission) : null;
    switch (ev.type) {
      case "player.joined": {
        const p = ev.player || {};
        if (!players().some((x) => String(x.id) === String(p.id))) snap.players.push({ id: p.id, pseudonym: p.pseudonym, online: true });
        if (String(p.id) !== myId()) toast("👋 " + p.pseudonym + " a rejoint l'équipe\u00a0!");
        break;
      }
      case "mission.completed":
        team.shards = ev.shards; weaken(ev.ai_strength);
        if (m) m.status = "done";   // its other new parts follow as `mission.view`
        toast("🏆 " + said(ev.by, "as", "a") + " réussi " + titleOf(ev.mission) + "\u00a0! +" + plural(ev.reward, "éclat", "éclats"), true);
        S.celebrations.push({ mission: ev.mission, reward: ev.reward, by: ev.by, offers: [] });
        delete S.reactions[ev.mission];
        if (m && S.snap.day && m.day === S.snap.day.number && dayDone(m.day)) S.dayEnd = m.day;
        scheduleCelebration();
        break;
      case "offer.unlocked": {
        const offer = ev.details || { id: ev.offer, title: ev.offer };
        if (!offerById(ev.offer)) snap.offers.push(offer);
        if (m && (m.unlocks || []).indexOf(ev.offer) < 0) m.unlocks = (m.unlocks || []).concat([ev.offer]);
        const c = S.celebrations.find((x) => x.mission === ev.mission);
        if (c) { c.offers.push(offer); scheduleCelebration(); }
        else toast("🎁 Nouvelle offre dans le coffre\u00a0: " + offer.title);
        break;
      }
      case "mission.available": {
        const known = (ev.missions || []).map(missionById).filter(Boolean);
        known.forEach((x) => { if (x.status === "locked") x.status = "available"; });
        toast("✨ " + (!known.length ? "De nouvelles missions sont disponibles\u00a0!"
          : (known.length > 1 ? "Nouvelles missions disponibles\u00a0: " : "Nouvelle mission disponible\u00a0: ") + known.map((x) => quote(x.title)).join(", ")));
        break;
      }
      case "hint.bought":
        team.shards = ev.shards;
        started(m);
        if (m && m.hints) m.hints.forEach((x) => { if (x.index === ev.index) { x.text_html = ev.text_html; x.text = ev.text; } });
        toast(ev.given
          ? "💡 Votre conseiller·ère vous offre l'indice n°" + (ev.index + 1) + " de " + titleOf(ev.mission) + "."
          : "💡 " + said(ev.by, "as", "a") + " acheté l'indice n°" + (ev.index + 1) + " de " + titleOf(ev.mission) + " (−" + ev.cost + " éclats).");
        break;
      case "mission.updated":
        started(m);
        if (m && missionType(m.type).updated) missionType(m.type).updated(ev, ui);
        break;
      case "mission.attempted":
        started(m);
        react(ev.mission, ev.version);
        if (String(ev.by) !== myId()) toast("🤔 " + said(ev.by, "as", "a") + " tenté une réponse à " + titleOf(ev.mission) + "\u00a0: pas encore ça.");
        break;
      case "checkpoint.scanned":
        started(m);
        toast("📍 " + said(ev.by, "as", "a") + " validé une balise de " + titleOf(ev.mission) + "\u00a0!");
        break;
      case "proof.submitted":
        started(m);
        toast("📸 " + said(ev.by, "as", "a") + " envoyé la preuve de " + titleOf(ev.mission) + ".");
        break;
      case "proof.reviewed":
        toast(ev.accepted ? "✅ Preuve acceptée pour " + titleOf(ev.mission) + "\u00a0!" : "❌ Preuve refusée pour " + titleOf(ev.mission) + "\u00a0: regardez le commentaire.", true);
        break;
      case "day.unlocked":   // the new day's entry and mission cards come with the event
        if (!Array.isArray(ev.missions)) { refreshState(); break; }   // an event recorded before cards were sent
        ev.missions.forEach((card) => {
          const i = snap.missions.findIndex((x) => x.id === card.id);
          if (i >= 0) snap.missions[i] = Object.assign(snap.missions[i], card); else snap.missions.push(card);
        });
        snap.missions.sort((a, b) => a.day - b.day);
        snap.days.forEach((d) => { if (d.number === ev.day) { d.open = true; d.title = ev.title || d.title; } });
        if (ev.entry && (!snap.day || snap.day.number <= ev.day)) snap.day = ev.entry;
        if (snap.cohort && snap.cohort.status === "scheduled") snap.cohort.status = "running";   // the first day starts it
        toast("🌅 Jour " + ev.day + (ev.title ? "\u00a0: " + ev.title : "") + " — de nouvelles missions vous attendent\u00a0!", true);
        break;
      case "day.closed":
        snap.days.forEach((d) => { if (d.number === ev.day) d.closed = true; });
        if (S.snap.day && S.snap.day.number === ev.day) { S.dayEnd = ev.day; if (!S.celebrations.length) scheduleCelebration(); }
        dayClosed = { day: ev.day, item: toast("🌙 Fin du jour " + ev.day + "\u00a0: bravo pour aujourd'hui\u00a0! Vous pouvez encore finir les missions en cours.") };
        break;
      case "recap.ready":   // the banner lives in recaps.js
        // The recap follows its day's close at once: one toast says both, not two stacked ones.
        if (dayClosed && dayClosed.day === ev.day) dayClosed.item.remove();
        toast("🌙 Fin du jour " + ev.day + "\u00a0: ton récap est prêt dans ton journal de bord. Vous pouvez encore finir les missions en cours.", true);
        document.dispatchEvent(new CustomEvent("tempo:recap", { detail: ev }));
        recapReady[ev.day] = true;
        if (dayEnd.open && dayEnd.dataset.day === String(ev.day)) showDayEnd(ev.day, false);
        break;
      case "cohort.paused":
        if (snap.cohort) snap.cohort.status = "paused";
        toast("⏸️ Le jeu est en pause.", true);
        break;
      case "cohort.resumed":
        if (snap.cohort) snap.cohort.status = "running";
        // The pause's refusals under the forms are over: what the player typed can be sent again.
        Object.keys(S.msgs).forEach((key) => {
          if (!(S.msgs[key] && S.msgs[key].paused)) return;
          const f = $('form[data-key="' + key + '"]');
          if (f) say(f, ""); else delete S.msgs[key];
        });
        toast("▶️ Le jeu reprend\u00a0!", true);
        break;
      case "content.patched":
        toast("✏️ Le scénario a été corrigé : les textes sont à jour.", true);
        break;
      case "mission.reset":
        if (typeof ev.shards === "number") { team.shards = ev.shards; weaken(ev.ai_strength); }
        // The statuses it changed (the missions that needed it are locked again); its view follows.
        if (ev.statuses) Object.keys(ev.statuses).forEach((id) => { const x = missionById(id); if (x) x.status = ev.statuses[id]; });
        else refreshState();
        if (m && ev.statuses) {   // the offers it unlocked are taken back with it
          const gone = m.unlocks || [];
          snap.offers = snap.offers.filter((o) => gone.indexOf(o.id) < 0);
        }
        toast("🔄 Ton conseiller ou ta conseillère a remis à zéro " + titleOf(ev.mission) + ".", true);
        break;
      case "player.moved":
        // The moved phone reconnects so that it joins its new team's room.
        if (String(ev.player) === myId()) { toast("🔀 Tu changes d'équipe !", true); setTimeout(() => location.reload(), 1500); }
        else toast("🔀 " + ev.pseudonym + " change d'équipe.");
        break;
      case "player.absent":
        if (String(ev.player) !== myId()) toast(ev.absent ? "🚪 " + ev.pseudonym + " est absent·e aujourd'hui." : "👋 " + ev.pseudonym + " est de retour !");
        break;
      case "booking.reminder": case "booking.attended": break;   // shown by their own modules
      default:
        if (RESYNC.indexOf(ev.type) < 0) refreshState();   // an event this page does not know
        break;
    }
    if (RESYNC.indexOf(ev.type) >= 0) refreshState(0);
    const viewed = viewsOf(ev).map(patchView).some((x) => x && x.id === S.open);
    document.dispatchEvent(new CustomEvent("tempo:event", { detail: ev }));
    renderHud(); renderMap(); renderVault(); renderTeam();
    if (ev.type === "day.unlocked") renderDay();   // the day's heading and intro
    const open = S.open && missionById(S.open);   // none while paused: the pause empties the map
    if (open && (!ev.mission || ev.mission === S.open || viewed)) renderPanel(open);
  }
  // The team's opponent has a new strength: the promo's one moves by as much at once (the
  // server's `cohort.ai`, which counts the other teams too, comes every few seconds at most).
  function weaken(strength) {
    const team = S.snap.team, co = S.snap.cohort_ai;
    if (typeof strength !== "number") return;
    if (co && typeof co.strength === "number" && typeof team.ai_strength === "number") {
      co.strength = Math.max(0, co.strength + strength - team.ai_strength);
    }
    team.ai_strength = strength;
  }
  // A teammate acted on an available mission: it is now in progress.
  function started(m) { if (m && m.status === "available") m.status = "in_progress"; }

  // The new parts of a mission's view, pushed after events (`status`, `hints`, `play`, `unlocks`):
  // to the team, or to this player alone for a type whose view differs per player.
  // Team-wide ones ride on the last `team.event` of their batch (`views`), per-player ones come
  // alone. Returns the patched mission.
  function patchView(p) {
    if (!S.snap || !p || !p.view) return null;
    const m = missionById(p.mission);
    if (!m) return null;
    const { play, ...rest } = p.view;
    Object.assign(m, rest);
    // A per-player mission comes in parts (`part`): the team's keys of `play`, then a player's
    // own ones; each merges into the view this phone has (none yet: it asks when opened).
    if (!p.part) { if ("play" in p.view) m.play = play; }
    else if (play && m.play && typeof m.play === "object") m.play = Object.assign({}, m.play, play);
    if (!("unlocks" in p.view) && "status" in p.view) delete m.unlocks;   // only a done mission has them
    // A mission a success just opened comes whole: no `view` to ask when it is opened.
    if (play && !p.part) S.fetched[m.id] = true;
    return m;
  }
  function viewsOf(ev) { return Array.isArray(ev.views) ? ev.views : []; }
  function onView(p) {
    const m = patchView(p);
    if (!m) return;
    renderMap();
    if (S.open === m.id) renderPanel(m);
  }

  function onPresence(p) {
    if (!S.snap || !p) return;
    const online = (p.online || []).map(String);
    const isOn = (x) => online.indexOf(String(x.id)) >= 0;
    if (Array.isArray(p.players)) S.snap.players = p.players.map((x) => Object.assign({}, x, { online: isOn(x) }));
    else S.snap.players.forEach((x) => { x.online = isOn(x); });
    if (online.some((id) => !players().some((x) => String(x.id) === id))) refreshState();   // someone we do not know yet
    renderTeam();
    // A vote's « En attente de N votes » counts the players present: redraw it (same view).
    const open = S.open && missionById(S.open);
    if (open) renderPanel(open);
    // Fragments dealt again by presence come to this player's own room as `mission.view`.
  }

  // The open mission, as this player sees it.
  let viewTimer = 0;
  function refreshView() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => {
      const id = S.open;
      if (!id) return;
      call("view", { mission: id }).then((ack) => {
        if (!ack.ok || !ack.mission || !S.snap) return;
        const list = S.snap.missions;
        const i = list.findIndex((x) => x.id === ack.mission.id);
        if (i >= 0) list[i] = ack.mission; else list.push(ack.mission);
        S.fetched[ack.mission.id] = true;
        renderMap();
        if (S.open === id) renderPanel(ack.mission);
      });
    }, 150);
  }

  // ---------------------------------------------------------------- notifications
  // The live region follows the top open dialog: outside a modal dialog, content is inert.
  function placeToasts() {
    const box = $("#toasts");
    const ends = $("#dayend");
    const host = cele.open ? cele : ends && ends.open ? ends : panel.open ? panel : root;
    if (box.parentNode !== host) host.append(box);
    return box;
  }
  let dayClosed = null;   // the « end of day » toast, replaced by the recap's
  function toast(line, important) {
    const box = placeToasts();
    const item = node(html`<p class=${"toast" + (important ? " toast--big" : "")} @click=${() => item.remove()}>${line}</p>`);   // tap to dismiss
    box.append(item);
    while (box.children.length > 2) box.firstElementChild.remove();
    setTimeout(() => item.remove(), important ? 7000 : 5000);
    return item;
  }
  // What other scripts of the page (booking.js) may use; they hear events as "tempo:event".
  window.TempoPlay = { toast: toast, me: myId, refreshView: refreshView, mission: missionById, said: said };

  // ---------------------------------------------------------------- header, day, map
  function renderAll() {
    renderHud(); renderDay(); renderAbout(); renderMap(); renderVault(); renderTeam();
    if (S.open) { const m = missionById(S.open); if (m) renderPanel(m); }
  }

  // « Jour 3 sur 5 »: scenarios last 1 to 15 days.
  function dayLabel(n) {
    return dayOf(n, (S.snap.adventure && S.snap.adventure.day_count) || (S.snap.days || []).length);
  }

  // The opponent's pre-composed sentences; the bare name when an older snapshot lacks them.
  function opponent() {
    const named = (S.snap.adventure && S.snap.adventure.opponent) || {};
    const name = named.name || S.snap.team.ai_name || "L'adversaire";
    return {
      name,
      weakens: named.weakens || name + " faiblit\u00a0!",
      about: named.about || "L'adversaire\u00a0: " + name,
    };
  }

  function renderHud() {
    const t = S.snap.team;
    $("#hud-shards").textContent = t.shards;
    // Sentences about the opponent come composed from the server (« Puissance du Brouillard »).
    const ai = opponent();
    const max = t.ai_max || Math.max(t.ai_strength, 1);
    const bar = $("#hud-ai");
    bar.max = max; bar.value = t.ai_strength;
    $("#hud-ai-label").textContent = ai.name + " — puissance restante";
    $("#hud-ai-text").textContent = t.ai_strength + " sur " + max + " (" + Math.round((100 * t.ai_strength) / max) + "\u00a0%) — chaque mission réussie l'affaiblit.";
    // The whole promo's opponent: every team's missions weaken it.
    const co = S.snap.cohort_ai;
    const coBox = $("#hud-cohort");
    coBox.hidden = !(co && co.max > 0 && co.teams > 1);
    if (!coBox.hidden) {
      const coBar = $("#hud-cohort-ai");
      coBar.max = co.max; coBar.value = Math.min(co.strength, co.max);
      $("#hud-cohort-label").textContent = ai.name + ", toute la promo\u00a0: " + num(co.strength) + " / " + num(co.max);
    }
    // The pause shows above the map and inside an open mission (a modal hides the page).
    const paused = !!(S.snap.cohort && S.snap.cohort.status === "paused");
    [$("#paused"), $("#panel-paused")].forEach((el) => {
      el.hidden = !paused;
      el.textContent = paused ? "⏸️ Le jeu est en pause\u00a0: ton conseiller ou ta conseillère le relancera bientôt." : "";
    });
  }

  const num = (n) => text(typeof n === "number" ? n.toLocaleString("fr-FR") : n);

  function renderDay() {
    const d = S.snap.day;
    const intro = $("#day-intro");
    const todays = d ? missions().filter((m) => m.day === d.number) : [];
    let lead = null;
    if (d) {
      storeLastDay(d.number);
      $("#day-kicker").textContent = dayLabel(d.number);
      $("#day-title").textContent = text(d.title);
      lead = dayLead(d, todays.length && todays.every((m) => m.status === "done"));
    } else if (S.snap.cohort && S.snap.cohort.status === "paused") {
      $("#day-kicker").textContent = "En pause";
      $("#day-title").textContent = "L'aventure reprend bientôt";
      lead = html`<p>Les missions sont en sécurité : tout ce que ton équipe a gagné t'attend à la reprise.</p>`;
    } else {
      $("#day-kicker").textContent = "Bientôt";
      $("#day-title").textContent = "L'aventure n'a pas encore commencé";
      lead = html`<p>Le premier jour s'ouvrira à l'heure prévue par ton conseiller ou ta conseillère. Reviens à ce moment-là\u00a0!</p>`;
    }
    fill(intro, lead);
    fitIntro(intro, $("#day-more"), S.introOpen);
    $("#dayend-open").hidden = !(d && (dayDone(d.number) || seenDayEnd(d.number)));
    fill($("#days"), list(S.snap.days).map((x) => html`<li class=${"days__item" + (x.open ? " days__item--open" : "")}>
      <span>Jour ${x.number}${x.title ? html` — ${x.title}` : null}</span><span class="badge">${x.open ? "🔓 Ouvert" : "🔒 À venir"}</span></li>`));
  }

  // The story, the collective goal, the opponent and the cast, behind the day card's disclosure.
  function renderAbout() {
    const a = S.snap.adventure;
    const box = $("#about-body");
    if (!box || !a) return;
    const cast = Object.values(S.snap.characters || {});
    fill(box, html`<p class="about__title"><strong>${a.title}</strong></p>
      ${a.tagline ? html`<p class="about__tagline">${a.tagline}</p>` : null}
      ${a.story_html ? html`<div class="prose">${markup(a, "story_html")}</div>` : null}
      ${a.collective_goal_html ? html`<h3>🤝 Objectif commun</h3><div class="prose">${markup(a, "collective_goal_html")}</div>` : null}
      ${a.ai_description_html ? html`<h3>🛰️ ${opponent().about}</h3><div class="prose">${markup(a, "ai_description_html")}</div>` : null}
      ${cast.length ? html`<h3>🎭 Les personnages</h3><ul class="cast">${cast.map((c) => html`<li class="cast__item" ${tint(c)}>
        ${avatar(c)}<span><strong>${c.name}</strong>${c.role
          ? html`<span class="speaker__role">${c.role}</span>` : null}${c.voice ? html`<span class="cast__voice">${c.voice}</span>` : null}</span></li>`)}</ul>` : null}`);
  }

  function renderMap() {
    const map = $("#map");
    const focused = document.activeElement && map.contains(document.activeElement) ? document.activeElement.dataset.mission : null;
    const days = list(S.snap.days).filter((d) => d.open).sort((a, b) => b.number - a.number);
    if (!days.length) { fill(map, html`<p class="muted">Aucune mission ouverte pour l'instant.</p>`); return; }
    const current = S.snap.day ? S.snap.day.number : days[0].number;
    fill(map, days.map((d) => {
      const cards = missions().filter((m) => m.day === d.number);
      const done = cards.filter((m) => m.status === "done").length;
      const id = "map-day-" + d.number;
      const count = html`<span class="mapday__count"> — ${done} sur ${cards.length} réussies</span>`;
      const grid = html`<ul class="mgrid">${cards.map((m) => html`<li>${missionCard(m)}</li>`)}</ul>`;
      if (d.number === current) {
        return html`<section class="mapday" aria-labelledby=${id}><h3 id=${id} class="mapday__title">Jour ${d.number} · ${d.title}${count}</h3>${grid}</section>`;
      }
      // Other open days fold away: a late joiner sees today's missions, not twelve screens of cards.
      return html`<details class="mapday mapday--past" data-day=${d.number} ?open=${!!S.mapOpen[d.number]} @toggle=${(e) => { S.mapOpen[d.number] = e.currentTarget.open; }}>
        <summary class="mapday__title"><span id=${id}>Jour ${d.number} · ${d.title}</span>${count}</summary>${grid}</details>`;
    }));
    if (focused) { const b = $('[data-mission="' + focused + '"]', map); if (b) b.focus(); }
  }

  const needs = (m) => list(m.requires).filter((r) => { const x = missionById(r); return !x || x.status !== "done"; }).map(titleOf);
  const missionCard = (m) => card(m, { needs: needs, open: openMission });

  // ---------------------------------------------------------------- vault and team
  function renderVault() {
    const box = $("#vault");
    const open = $$("details[open]", box).map((d) => d.dataset.offer);
    const offers = list(S.snap.offers);
    if (!offers.length) {
      fill(box, html`<p class="empty-state">🗝️ Le coffre est vide pour l'instant\u00a0: réussissez une mission ensemble pour révéler votre première offre.</p>`);
      return;
    }
    fill(box, html`<p class="muted">${plural(offers.length, "offre débloquée", "offres débloquées")}</p>
      <ul class="offers">${offers.map((o) => html`<li><details class="offer" data-offer=${o.id} ?open=${open.indexOf(o.id) >= 0}>
        <summary><span class="offer__title">${o.title}</span>${o.family ? html`<span class="offer__family">${o.family}</span>` : null}</summary>
        <p>${o.summary || ""}</p>
        ${o.access ? html`<h4>Comment y accéder</h4><p>${o.access}</p>` : null}
        ${o.bring && o.bring.length ? html`<h4>À apporter</h4><ul>${[].concat(o.bring).map((b) => html`<li>${b}</li>`)}</ul>` : null}</details></li>`)}</ul>`);
  }

  function renderTeam() {
    const all = players().slice().sort((a, b) => (b.online ? 1 : 0) - (a.online ? 1 : 0));
    const cap = S.snap.team.capacity;
    const online = all.filter((p) => p.online).length;
    $("#team-size").textContent = plural(all.length, "joueur", "joueurs") + (cap ? " sur " + cap + " places" : "") + " · " + online + " en ligne";
    fill($("#teammates"), all.map((p) => html`<li class=${"mate" + (p.online ? " mate--on" : "")}>
      <span class="mate__dot" aria-hidden="true"></span>
      <span class="mate__name">${p.pseudonym}${String(p.id) === myId() ? html`<span class="muted"> (toi)</span>` : null}</span>
      <span class="mate__state">${p.online ? "en ligne" : "hors ligne"}</span></li>`));
  }

  // ---------------------------------------------------------------- mission panel
  let opener = null;   // id of the mission card that opened the panel
  function openMission(id) {
    const m = missionById(id);
    if (!m) return;
    opener = id;
    S.open = id; S.openJson = "";
    renderPanel(m);
    if (!panel.open) panel.showModal();
    placeToasts();
    $("#panel-title").focus();
    // Fetched once: then `team.event`s and `mission.view` pushes keep it current.
    if (!S.fetched[id] || !m.play) refreshView();
  }
  function closeMission() { if (panel.open) panel.close(); }
  panel.addEventListener("close", () => {
    if (S.stopScan) S.stopScan();
    if (S.open) delete S.notes[S.open];
    S.open = null;
    placeToasts();
    const b = opener && $('[data-mission="' + opener + '"]');
    if (b) b.focus();
  });
  $("[data-close]", panel).addEventListener("click", closeMission);

  function renderPanel(m) {
    // A vote's « En attente de N votes » counts the players present: who is online is part of
    // what it draws (presence, a teammate joining), not only the mission's view.
    const voting = m.play && m.play.decision === "vote" && m.status !== "done";
    const json = JSON.stringify(m) + (voting ? JSON.stringify(players().filter((x) => x.online).map((x) => x.id)) : "");
    if (json === S.openJson) return;
    S.openJson = json;
    const body = $("#panel-body");
    // Keep what the player typed or ticked, and where the focus was.
    const kept = {};
    // A chosen photo too: a push re-rendering the panel must not drop it (input.files is settable).
    $$("[data-keep], input[type=file]", body).forEach((el) => { kept[el.id] = el.type === "radio" || el.type === "checkbox" ? el.checked : el.type === "file" ? el.files : el.value; });
    const hadFocus = body.contains(document.activeElement);
    const focusId = hadFocus ? document.activeElement.id : null;
    if (S.stopScan) S.stopScan();
    const ty = missionType(m.type);
    const st = STATUS[m.status] || STATUS.locked;
    const reaction = m.status !== "done" && m.status !== "locked" ? reactionBlock(m) : null;
    fill(body, html`<p class="kicker">${ty.icon} ${ty.label} · Jour ${m.day}</p>
      <h2 id="panel-title" tabindex="-1">${m.title}</h2>
      <p class="panel__meta"><span class=${"badge badge--" + text(m.status)}>${st[0]} ${st[1]}</span> +${plural(m.reward, "éclat", "éclats")}${m.offer_count
        ? " · révèle " + plural(m.offer_count, "offre", "offres") : ""}</p>
      ${S.notes[m.id] ? html`<p class="flash" role="status">${S.notes[m.id]}</p>` : null}
      ${ty.ownSpeaker ? null : speakerBlock(m.character)}
      ${m.image ? picture(media(m.image), "mission__image") : null}
      ${rich(m, "narrative")}
      ${m.status === "locked" ? lockedBlock(m) : html`<section class="play-area" aria-label="À toi de jouer">${!ty.render
        ? html`<p>Ce type de mission n'est pas encore pris en charge.</p>` : m.play ? ty.render(m, m.play, ui) : loadingBlock()}</section>
        ${reaction}${m.status === "done" ? doneBlock(m) : null}${hintsBlock(m)}`}`);
    Object.keys(kept).forEach((id) => {
      const el = document.getElementById(id);
      if (!el) return;
      if (el.type === "file") { if (kept[id] && kept[id].length) el.files = kept[id]; } else if (el.type === "radio" || el.type === "checkbox") el.checked = kept[id]; else el.value = kept[id];
    });
    const f = focusId && document.getElementById(focusId);
    if (f) f.focus();
    else if (hadFocus) ($("[data-focus]", body) || $("#panel-title")).focus();
  }

  // A card whose view has not arrived yet (a day's new missions come as cards; `view` follows):
  // say it is coming rather than draw an empty conversation or form.
  const loadingBlock = () => html`<p class="play-loading muted" role="status" aria-busy="true">Chargement…</p>`;

  // Who the character is comes on tap (`speaker__bio`): one line under what they say, not a wall of text before it.
  function speakerBlock(charId, line) {
    const c = charId && S.snap.characters && S.snap.characters[charId];
    if (!c) return line || null;
    return html`<div class="speaker" ${tint(c)}>
      <div class="speaker__head">${avatar(c)}
        <p class="speaker__name">${c.name}${c.role ? html`<span class="speaker__role">${c.role}</span>` : null}</p></div>
      ${line || null}
      ${c.voice ? html`<details class="speaker__bio"><summary>Qui est ${c.name}\u00a0?</summary><p>${c.voice}</p></details>` : null}</div>`;
  }
  // The scenario's images by name (the snapshot's `media`); a character's portrait replaces the
  // emoji avatar, decorative since the name is written next to it.
  const media = (name) => (name && S.snap && S.snap.media && S.snap.media[name]) || null;
  function avatar(c) {
    const img = c.image ? picture(media(c.image), "speaker__avatar speaker__avatar--img", true) : null;
    return img || html`<span class="speaker__avatar" aria-hidden="true">${c.avatar || "🙂"}</span>`;
  }
  // A character's colour on their block, through the CSSOM (no style attribute: strict CSP).
  const tint = (c) => withNode((el) => el.style.setProperty("--who", (c && typeof c.color === "string" && c.color) || "#7c3aed"));

  // ---------------------------------------------------------------- wrong answers
  // The character's word after a wrong answer: the mission's own `on_wrong`, else the
  // character's default lines in turn (by team version, so every phone shows the same one).
  function react(missionId, version) {
    const m = missionById(missionId);
    if (!m || m.status === "done") return;
    const prev = S.reactions[missionId];
    if (prev && typeof version === "number" && prev.version === version) return;   // the ack and the event of one answer
    const own = m.on_wrong && m.on_wrong.text_html ? m.on_wrong : null;
    const charId = own ? own.character : m.character;
    const c = charId && S.snap.characters && S.snap.characters[charId];
    const lines = (c && c.wrong_answer_html) || [];
    const line = own ? own.text_html : lines.length ? lines[Math.abs(version || 0) % lines.length] : null;
    if (!line) return;
    S.reactions[missionId] = { version: version, character: charId, text_html: line };
  }
  function reactionBlock(m) {
    const r = S.reactions[m.id];
    if (!r) return null;
    const block = speakerBlock(r.character, html`<div class="speaker__line reaction__line">${markup(r, "text_html")}</div>`);
    return html`<section class="wrong-reaction" role="status" aria-label="Réaction à votre réponse">${block}</section>`;
  }
  function lockedBlock(m) {
    const needs = list(m.requires).filter((r) => { const x = missionById(r); return !x || x.status !== "done"; });
    return html`<div class="notice"><p>🔒 Cette mission est encore verrouillée.</p>${needs.length
      ? html`<p>Nécessite\u00a0: ${needs.map(titleOf).join(", ")}</p>` : html`<p>Elle s'ouvrira avec son jour.</p>`}</div>`;
  }
  function doneBlock(m) {
    const offers = list(m.unlocks).map(offerById).filter(Boolean);
    return html`<div class="notice notice--ok"><p><strong>✅ Mission réussie par l'équipe\u00a0!</strong></p>
      ${offers.length ? html`<p>Offre révélée\u00a0: ${offers.map((o) => text(o.title)).join(", ")}</p>
        <button type="button" class="button button--ghost" @click=${() => showVault(offers[0].id)}>Voir dans le coffre</button>` : null}</div>`;
  }

  // ---------------------------------------------------------------- forms and actions
  // A form with a message slot (role=alert) that survives re-renders, keyed by mission + name;
  // `fields` is a template. The one node mission renderers get from the page: its message, busy
  // state and countdown are set on it directly (say, busy, tickBlocked).
  function form(m, name, fields, submitText, onSubmit) {
    const key = m.id + ":" + name;
    const msgId = "msg-" + key.replace(/[^a-z0-9-]/gi, "-");
    const msg = S.msgs[key] || {};
    // Without a submit text, the form's own buttons act (a dialogue's replies, a vote's choices).
    const f = node(html`<form class="mform" data-key=${key} novalidate @submit=${(e) => { e.preventDefault(); if (!isBusy(f)) onSubmit(f); }}>${fields}<p
      id=${msgId} class=${msgClass(msg.ok)} role="alert">${msg.text || nothing}</p>${submitText
      ? html`<button type="submit" class="button" id=${"submit-" + msgId.slice(4)}>${submitText}</button>` : null}</form>`);
    if (S.blocked[key] > Date.now()) tickBlocked(f);
    if (S.pending[key] && S.pending[key].inflight) busy(f, true);
    return f;
  }

  // The form currently on screen with the same key (the panel may have been re-rendered meanwhile).
  const live = (f) => (f.isConnected ? f : $('form[data-key="' + f.dataset.key + '"]')) || f;
  // ok: true (success), "wait" (queued until the network is back) or false (an error).
  const msgClass = (ok) => (ok === "wait" ? "form-wait" : ok ? "form-ok" : "form-error");
  function say(f, text, ok) {
    f = live(f);
    const key = f.dataset.key;
    S.msgs[key] = text ? { text: text, ok: ok === "wait" ? ok : !!ok } : null;
    const p = $('[role="alert"]', f);
    p.className = msgClass(ok);
    p.textContent = text || "";
    $$("input:not([type=radio]):not([type=checkbox]):not([type=file]), textarea", f).forEach((el) => {
      if (text && !ok) { el.setAttribute("aria-invalid", "true"); el.setAttribute("aria-describedby", p.id); }
      else el.removeAttribute("aria-invalid");
    });
  }

  // Busy or rate-limited forms use aria-disabled: a really disabled button would lose the focus.
  function busy(f, on) {
    f = live(f);
    f.setAttribute("aria-busy", on ? "true" : "false");
    $$("button", f).forEach((b) => { if (on) b.setAttribute("aria-disabled", "true"); else b.removeAttribute("aria-disabled"); });
  }
  const isBusy = (f) => f.getAttribute("aria-busy") === "true" || (S.blocked[f.dataset.key] || 0) > Date.now();

  // Disable a rate-limited form and count the seconds down on its button.
  function tickBlocked(f) {
    const key = f.dataset.key;
    const cur = (f.isConnected ? f : $('form[data-key="' + key + '"]')) || f;   // the panel may have been re-rendered
    const b = $("button[type=submit]", cur);
    if (!b) return;
    if (!b.dataset.label) b.dataset.label = b.textContent;
    const left = Math.ceil(((S.blocked[key] || 0) - Date.now()) / 1000);
    clearTimeout(S.ticks[key]);
    if (left <= 0) { delete S.blocked[key]; b.removeAttribute("aria-disabled"); b.textContent = b.dataset.label; return; }
    b.setAttribute("aria-disabled", "true");
    b.textContent = "Patiente " + left + " s";
    S.ticks[key] = setTimeout(() => tickBlocked(cur), 1000);
  }

  // A client action id per form, kept while the same request is retried after a timeout.
  function actionId(f, sig) {
    const key = f.dataset.key;
    const pend = S.pending[key];
    S.pending[key] = { sig: sig, id: pend && pend.sig === sig ? pend.id : uid(), inflight: true };
    return S.pending[key].id;
  }

  // Send an action or a hint purchase. Offline, an action waits in the outbox (same id);
  // a hint is refused: it is bought to be read at once, and the team's shards may change meanwhile.
  function send(f, event, body) {
    const sig = event + JSON.stringify(body);
    const id = actionId(f, sig);
    const payload = Object.assign({ id: id }, body);
    busy(f, true); say(f, "");
    const queue = () => {
      say(f, WAITING, "wait");
      const m = missionById(body.mission);
      return outbox.add({ id: id, event: event, payload: payload, form: f.dataset.key, sig: sig, title: m ? m.title : "" })
        .then((ack) => handleAck(f, ack));
    };
    if (event === "hint" && !online()) {
      return Promise.resolve(handleAck(f, { ok: false, error: { code: "offline", message: "Pas de réseau\u00a0: un indice s'achète en ligne, pour le lire tout de suite. Réessaie dès le retour du réseau." } }));
    }
    if (event === "action" && !online()) return queue();
    return call(event, payload).then((ack) => (event === "action" && ack.error && ack.error.code === "timeout" ? queue() : handleAck(f, ack)));
  }
  function handleAck(f, ack) {
    const key = f.dataset.key;
    const err = ack.error || {};
    if (S.pending[key]) S.pending[key].inflight = false;
    if (err.code !== "timeout") delete S.pending[key];
    busy(f, false);
    f = live(f);
    // Sent late from the outbox after a teammate solved the mission: not an error.
    const beaten = ack.late && err.code === "already_done";
    if (ack.ok) say(f, "");
    else if (beaten) { say(f, "✅ Ta réponse est partie après coup\u00a0: l'équipe avait déjà réussi cette mission.", true); refreshState(0); }
    else {
      say(f, err.message || "Ça n'a pas marché. Réessaie.");
      if (err.code === "wrong_answer" && !ack.duplicate) {
        react(key.slice(0, key.lastIndexOf(":")), ack.version);
        const open = S.open && missionById(S.open);
        if (open) renderPanel(open);
      }
      if (err.code === "cohort_paused") S.msgs[f.dataset.key].paused = true;
      if (err.code === "rate_limited" && err.retry_after) { S.blocked[f.dataset.key] = Date.now() + err.retry_after * 1000; tickBlocked(f); }
      if (err.code === "already_done" || err.code === "stale" || err.code === "mission_locked" || err.code === "cohort_paused") refreshState(0);
      // A late answer whose mission is closed: the player hears how it went.
      if (ack.late && !f.isConnected) toast("📡 Ta réponse en attente pour " + titleOf(key.slice(0, key.lastIndexOf(":"))) + "\u00a0: " + (err.message || "elle n'a pas marché."), true);
    }
    return ack;
  }
  const act = (f, m, kind, data) => send(f, "action", { mission: m.id, kind: kind, data: data });

  // What a mission type's renderer may use of the page (static/js/missions/).
  const ui = {
    form: form, say: say, busy: busy, isBusy: isBusy, send: send, act: act, actionId: actionId, handleAck: handleAck,
    http: httpJson, online: online, refreshState: refreshState, speakerBlock: speakerBlock, toast: toast, said: said, who: who, me: myId,
    players: players, call: call, picture: (name, cls) => picture(media(name), cls),
    setStopScan: (stop) => { S.stopScan = stop; }, urls: root.dataset, csrf: CSRF,
  };
  window.TempoPlay.ui = ui;   // for the browser test that renders each module with a bad view

  // ---------------------------------------------------------------- hints
  function hintsBlock(m) {
    const hints = list(m.hints);
    if (!hints.length) return null;
    // A bought hint has its text (`text_html`, like every authored Markdown field); others have null.
    const bought = (x) => x.text_html != null || x.text != null;
    const owned = hints.filter(bought);
    const next = hints.find((x) => !bought(x));
    const shards = S.snap.team.shards;
    let buy = null;
    if (next && m.status !== "done") {
      const short = shards < next.cost;
      buy = form(m, "hint", short ? html`<p class="muted">Il faut ${next.cost} éclats\u00a0: votre équipe en a ${shards}.</p>` : null,
        "Acheter l'indice (" + text(next.cost) + " éclats)", (f) => {
          if (short) return;
          if (!window.confirm("Dépenser " + text(next.cost) + " éclats de l'équipe pour l'indice n°" + (next.index + 1) + "\u00a0?")) return;
          send(f, "hint", { mission: m.id, index: next.index });
        });
      if (short) $("button[type=submit]", buy).disabled = true;
    }
    return html`<section class="hints" aria-labelledby=${"hints-" + m.id}><h3 id=${"hints-" + m.id}>💡 Indices</h3>
      ${owned.length ? html`<ol class="hints__list">${owned.map((x) => html`<li>${x.text_html != null ? html`<span>${markup(x, "text_html")}</span>` : plain(x.text)}</li>`)}</ol>`
        : html`<p class="muted">Aucun indice acheté pour cette mission.</p>`}
      ${buy}</section>`;
  }

  // ---------------------------------------------------------------- HTTP helpers (proofs, typed codes)
  function httpJson(url, init) {
    init.credentials = "same-origin";
    init.headers = Object.assign({ "X-CSRFToken": CSRF, Accept: "application/json" }, init.headers || {});
    return fetch(url, init)
      .then((r) => r.json().catch(() => ({ ok: r.ok, error: r.ok ? null : { code: "http_" + r.status, message: "Erreur du serveur (" + r.status + "). Réessaie." } })))
      .catch(() => ({ ok: false, error: { code: "timeout", message: "Impossible de joindre le serveur. Vérifie ta connexion puis réessaie." } }));
  }
  // ---------------------------------------------------------------- celebration
  let celeBack = null;
  function scheduleCelebration() {
    clearTimeout(S.celebTimer);
    S.celebTimer = setTimeout(showCelebration, 600);   // wait for the offer.unlocked events
  }

  function showCelebration() {
    if (S.celebrating || cele.open || dayEnd.open) return;
    if (!S.celebrations.length) { if (S.dayEnd != null) showDayEnd(S.dayEnd, true); return; }
    const c = S.celebrations.shift();
    S.celebrating = true;
    celeBack = document.activeElement;
    drawCelebration({ reward: c.reward, offers: c.offers,
      line: said(c.by, "as", "a") + " réussi " + titleOf(c.mission) + " pour toute l'équipe. " + opponent().weakens });
    const vaultBtn = $("#celebrate-vault");
    vaultBtn.onclick = () => { cele.close(); closeMission(); showVault(c.offers[0] && c.offers[0].id); };
    cele.showModal();
    celebrate($("#celebrate-confetti"));
    placeToasts();
    $("#celebrate-title").focus();
  }
  $("#celebrate-close").addEventListener("click", () => cele.close());
  cele.addEventListener("close", () => {
    S.celebrating = false;
    placeToasts();
    if (celeBack && celeBack.isConnected && celeBack !== document.body) celeBack.focus();
    else if (panel.open) $("#panel-title").focus();
    setTimeout(showCelebration, 300);
  });

  // ---------------------------------------------------------------- a day's end
  const dayEnd = $("#dayend");
  const dayEndKey = (n) => "tempo.dayend." + myId() + "." + n;
  function seenDayEnd(n) { try { return localStorage.getItem(dayEndKey(n)) === "1"; } catch (e) { return false; } }
  function markDayEndSeen(n) { try { localStorage.setItem(dayEndKey(n), "1"); } catch (e) { /* private mode: shown again next visit */ } }
  // The last day this phone saw as today (per player): what may have ended while it was off.
  const lastDayKey = () => "tempo.lastday." + myId();
  function storedLastDay() {
    try { const n = parseInt(localStorage.getItem(lastDayKey()), 10); return Number.isFinite(n) ? n : null; } catch (e) { return null; }
  }
  function storeLastDay(n) { try { localStorage.setItem(lastDayKey(), String(n)); } catch (e) { /* private mode */ } }
  // Ended: closed by the calendar or the counsellor, or every mission done.
  const dayEnded = (n) => dayDone(n) || list(S.snap.days).some((d) => d.number === n && d.closed);
  // On a load or a reconnection's snapshot: a day that ended since this phone last saw it (the
  // phone was off, or the page closed) shows its end once, after any celebration. Days that
  // ended before the phone ever saw them running (a first visit, a late joiner) do not.
  function missedDayEnd(lastDay) {
    const today = S.snap.day ? S.snap.day.number : null;
    if (today == null) return;
    const missed = [];
    list(S.snap.days).forEach((d) => {
      if (!d.open || d.number > today || !dayEnded(d.number) || seenDayEnd(d.number)) return;
      if (lastDay != null && d.number >= lastDay) missed.push(d.number); else markDayEndSeen(d.number);
    });
    if (!missed.length || S.dayEnd != null) return;
    const n = Math.max(...missed);
    missed.forEach((x) => { if (x !== n) markDayEndSeen(x); });   // one moment, the latest day's
    S.dayEnd = n;
    scheduleCelebration();
  }
  function dayDone(n) {
    const list = missions().filter((m) => m.day === n);
    return list.length > 0 && list.every((m) => m.status === "done");
  }
  let dayEndBack = null;
  const recapReady = {};   // day number -> its recap.ready event arrived on this page
  // What the team did on day n, how much the opponent lost, and tomorrow's teaser. `auto`:
  // shown by the game (once per day on this phone), not asked for from the day card.
  function showDayEnd(n, auto) {
    if (auto) { S.dayEnd = null; if (seenDayEnd(n)) return; }
    markDayEndSeen(n);
    const list = missions().filter((m) => m.day === n);
    const done = list.filter((m) => m.status === "done");
    const shards = done.reduce((sum, m) => sum + (m.reward || 0), 0);
    const offers = [];
    done.forEach((m) => (m.unlocks || []).forEach((id) => { const o = offerById(id); if (o && offers.indexOf(o) < 0) offers.push(o); }));
    const entry = S.snap.day && S.snap.day.number === n ? S.snap.day : null;
    const ai = opponent().name;
    $("#dayend-kicker").textContent = dayLabel(n);
    $("#dayend-title").textContent = done.length === list.length ? "Journée bouclée\u00a0!" : "Fin de journée";
    fill($("#dayend-body"), html`<p class="dayend__lead">${done.length === list.length
      ? "Toutes les missions du jour sont réussies. Bravo à toute l'équipe\u00a0!"
      : done.length + " mission" + (done.length > 1 ? "s" : "") + " sur " + list.length + " réussie" + (done.length > 1 ? "s" : "") + " aujourd'hui. Les autres restent jouables."}</p>
      <ul class="dayend__stats">
        <li><strong>💎 +${num(shards)}</strong> éclats d'avenir</li>
        <li><strong>🛰️ ${ai}</strong> a perdu ${plural(shards, "point", "points")} aujourd'hui</li>
        <li><strong>🎁 ${offers.length}</strong>${offers.length > 1 ? " offres débloquées" : " offre débloquée"}</li></ul>
      ${done.length ? html`<h3>✅ Missions réussies</h3><ul class="dayend__list">${done.map((m) => html`<li>${m.title}</li>`)}</ul>` : null}
      ${offers.length ? html`<h3>🎁 Offres débloquées</h3><ul class="dayend__list">${offers.map((o) => html`<li>${o.title}</li>`)}</ul>` : null}
      ${entry && entry.teaser ? html`<p class="teaser dayend__teaser"><strong>Demain… </strong>${plain(entry.teaser)}</p>` : null}
      ${recapReady[n] ? html`<p class="dayend__recap">📖 Ton récap du jour ${n} est prêt dans ton journal de bord.</p>` : null}`);
    dayEnd.dataset.day = String(n);
    if (!dayEnd.open) {   // not when its recap line is added to the open screen
      dayEndBack = document.activeElement;
      dayEnd.showModal();
      placeToasts();
      celebrate($("#dayend-confetti"));
      $("#dayend-title").focus();
    }
    renderDay();
  }
  $("#dayend-close").addEventListener("click", () => dayEnd.close());
  $("#dayend-open").addEventListener("click", () => { if (S.snap && S.snap.day) showDayEnd(S.snap.day.number, false); });
  dayEnd.addEventListener("close", () => {
    placeToasts();
    if (dayEndBack && dayEndBack.isConnected && dayEndBack !== document.body) dayEndBack.focus();
    setTimeout(showCelebration, 300);
  });
  $("#day-more").addEventListener("click", () => { S.introOpen = !S.introOpen; renderDay(); });
  setupSwitch($("#sound-toggle"));

  // Scroll to the vault, open one offer and move the focus there.
  function showVault(offerId) {
    const d = offerId && $('details[data-offer="' + offerId + '"]');
    const target = d ? $("summary", d) : $("#coffre");
    if (d) d.open = true;
    setTimeout(() => {
      target.scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      target.focus({ preventScroll: true });
    }, 50);
  }

  // ---------------------------------------------------------------- page bits
  // « Quitter » and « Changer mon code personnel » end sessions: both ask first.
  for (const form of document.querySelectorAll("#leave-form, #new-code-form")) {
    form.addEventListener("submit", (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  }
})();
