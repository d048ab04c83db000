/* Tempo — playing in the street on a weak network (docs/features.md, « Hors ligne »).
   - registerWorker(): the service worker (/sw.js) that keeps the play page's shell in a cache;
   - outbox(): the actions taken while offline, kept in localStorage per player, sent again in
     order with their ids once the network is back (the server applies an id once: a resend
     after a lost acknowledgement is harmless). ES module. */
import { $$, fill, html } from "./dom.js";

export function registerWorker(scope) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  // After the page's load, so the worker's downloads never slow the first screen.
  const go = () => navigator.serviceWorker.register("/sw.js", { scope: scope }).catch(() => {});
  if (document.readyState === "complete") go(); else window.addEventListener("load", go, { once: true });
}

const plural = (n, one, many) => (n > 1 ? many : one);

// What the banner says about the waiting actions (one per mission title, in order).
export function waitingText(items) {
  const n = items.length;
  if (!n) return "";
  const titles = [];
  items.forEach((x) => { if (x.title && titles.indexOf(x.title) < 0) titles.push(x.title); });
  return "📡 " + n + " " + plural(n, "réponse en attente", "réponses en attente") +
    (titles.length ? " (" + titles.map((t) => "« " + t + " »").join(", ") + ")" : "") + "\u00a0: " +
    plural(n, "elle sera envoyée", "elles seront envoyées") + " dès le retour du réseau.";
}

/* The outbox of one player.
   opts: {key: localStorage key, emit(item) -> Promise<ack> (one try; ack.error.code "timeout"
   when the network failed again), online() -> bool, onAck(item, ack): an item restored from
   storage (after a reload) got its answer, onChange(items)}.
   An item is {id, event, payload, form, sig, title}. */
export function outbox(opts) {
  let items = read();
  const waiters = {};   // item id -> resolve, for the items queued by this page
  let flushing = false;
  let retry = 0;

  function read() {
    try {
      const raw = JSON.parse(window.localStorage.getItem(opts.key) || "[]");
      return Array.isArray(raw) ? raw.filter((x) => x && typeof x.id === "string" && x.payload) : [];
    } catch {
      return [];
    }
  }
  function save() {
    try {
      if (items.length) window.localStorage.setItem(opts.key, JSON.stringify(items));
      else window.localStorage.removeItem(opts.key);
    } catch {
      // Private browsing or a full storage: the queue still lives as long as the page.
    }
    opts.onChange(items.slice());
  }

  // Queue an item (once per id); the promise resolves with its acknowledgement, whenever it comes.
  function add(item) {
    if (!items.some((x) => x.id === item.id)) { items.push(item); save(); }
    // Still connected but the server did not answer (a weak signal): try again a little later.
    if (opts.online()) { clearTimeout(retry); retry = setTimeout(flush, 10000); }
    return new Promise((resolve) => { waiters[item.id] = resolve; });
  }

  // Send the waiting items one by one, in order; stop at the first network failure.
  function flush() {
    if (flushing || !items.length || !opts.online()) return;
    flushing = true;
    clearTimeout(retry);
    const item = items[0];
    opts.emit(item).then((ack) => {
      flushing = false;
      if (ack && ack.error && ack.error.code === "timeout") {
        retry = setTimeout(flush, 10000);   // still too weak: try again a little later
        return;
      }
      items = items.filter((x) => x.id !== item.id);
      save();
      const late = Object.assign({ late: true }, ack);
      if (waiters[item.id]) { waiters[item.id](late); delete waiters[item.id]; }
      else opts.onAck(item, late);
      flush();
    });
  }

  window.addEventListener("online", flush);
  // Another tab of the same player sent or queued something: follow it.
  window.addEventListener("storage", (e) => { if (e.key === opts.key) { items = read(); opts.onChange(items.slice()); } });
  setTimeout(() => opts.onChange(items.slice()), 0);
  return { add: add, flush: flush, items: () => items.slice() };
}

// Show the waiting items in every [data-outbox] banner of the page (the map's and the open mission's).
// The regions stay in the page (role=status): a screen reader hears the line when it appears.
export function showWaiting(items) {
  const text = waitingText(items);
  $$("[data-outbox]").forEach((el) => {
    if (el.textContent === text) return;
    fill(el, text ? html`<p class="banner banner--wait">${text}</p>` : null);
  });
}
