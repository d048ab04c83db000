/* Tempo — the service worker: the player page still opens on a weak or lost network.
   Served as /sw.js by tempo/web/player/offline.py, which puts self.TEMPO_SHELL before this file:
   {version, assets: the page's static files, pages: the play page and its rejoin card, leave:
   the « Quitter sur ce téléphone » form's URL, whose POST forgets the kept pages}.
   - install: caches every asset in the cache "tempo-shell-<version>";
   - activate: deletes the caches of earlier versions;
   - static assets: cache first (a new deployment means a new version, hence a new cache);
   - the play page: network first, the last copy when the network fails;
   - anything else (POST, /socket.io/, /console, other pages): the network, never cached.
   Its scope is /jouer (offline.js registers it there): no other page is ever under it.
   Classic script (service workers may not be modules everywhere). */
"use strict";

const SHELL = self.TEMPO_SHELL;
const CACHE = "tempo-shell-" + SHELL.version;
const PREFIX = "tempo-shell-";
const ASSETS = new Set(SHELL.assets);
const PAGES = new Set(SHELL.pages);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    // cache: "reload" skips the HTTP cache: the files of this version, not older copies.
    .then((cache) => cache.addAll(SHELL.assets.map((url) => new Request(url, { cache: "reload" })))
      // The page that registered the worker was loaded before it: keep a first copy now. Not
      // fatal (a phone whose player left gets a redirect, which is never kept).
      // Marked as the worker's own copy: the server leaves the player's one-time messages
      // (« déjà validée par Inès ») for the page they were meant for.
      .then(() => Promise.all(SHELL.pages.map((url) => fetch(new Request(url, { headers: { "X-Tempo-Shell": "1" } }))
        .then((r) => (fresh(r) ? cache.put(url, r) : null)).catch(() => null)))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.indexOf(PREFIX) === 0 && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function never(url) {
  return url.pathname.indexOf("/socket.io/") === 0 || url.pathname === "/console" || url.pathname.indexOf("/console/") === 0;
}

// A page worth keeping: a full answer of this site, not a redirect (to the home page, signed out).
const fresh = (response) => response.ok && !response.redirected && response.type === "basic";

// Network first; a good answer replaces the cached copy, a failure falls back on it.
// Kept under its path alone: /jouer?mission=… (a poster scanned again) is the same page.
function networkFirst(request, key) {
  return fetch(request).then((response) => {
    if (fresh(response)) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  }).catch(() => caches.open(CACHE).then((cache) => cache.match(key)).then((hit) => hit || Response.error()));
}

function cacheFirst(request, key) {
  return caches.open(CACHE).then((cache) => cache.match(key).then((hit) => hit || fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  })));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET") {
    // « Quitter sur ce téléphone »: the kept page shows the player's name and personal code.
    if (url.pathname === SHELL.leave) event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(SHELL.pages.map((p) => cache.delete(p)))));
    return;
  }
  if (url.origin !== self.location.origin || never(url)) return;
  if (PAGES.has(url.pathname)) event.respondWith(networkFirst(request, url.pathname));
  else if (ASSETS.has(url.pathname)) event.respondWith(cacheFirst(request, url.pathname));
});
