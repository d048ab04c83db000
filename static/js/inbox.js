/* Tempo — the phone's inbox of counsellors' messages (« Messages d'Inès »). ES module.
   Asks the server for the stored messages on every (re)connection (`inbox`), adds the ones that
   arrive (`notice`), and tells the server they are read when the player opens it (`inbox.read`).
   Protocol in docs/protocol.md. */
import { $, fill, html, plural } from "./dom.js";

export function startInbox(socket, toast) {
  const dialog = $("#inbox");
  const button = $("#inbox-open");
  if (!dialog || !button) return;
  const body = $("#inbox-body");
  const count = $("#inbox-count");
  const title = button.dataset.title || "Messages";
  let messages = [];      // newest first: {id, from, message, at, at_label, read}
  let loaded = false;
  let back = null;

  // Read: read before, or shown in the inbox open now (it keeps its « Nouveau » mark until closed).
  const unread = () => messages.filter((m) => !m.read && !m.opened).length;

  function renderCount() {
    const n = unread();
    count.hidden = !n;
    count.textContent = n ? String(n) : "";
    button.setAttribute("aria-label", title + (n ? " — " + plural(n, "message non lu", "messages non lus") : ""));
    button.classList.toggle("inbox__open--unread", n > 0);
  }

  function renderList() {
    if (!loaded) { fill(body, html`<p class="muted">Chargement des messages…</p>`); return; }
    if (!messages.length) {
      fill(body, html`<p class="muted">Aucun message pour le moment. Les messages de ton conseiller ou ta conseillère arriveront ici.</p>`);
      return;
    }
    fill(body, html`<ol class="inbox__list">${messages.map((m) => html`<li class=${"inbox__item" + (m.read ? "" : " inbox__item--new")} data-message=${m.id}>
      <p class="inbox__meta">${m.read ? null : html`<span class="badge inbox__new">Nouveau</span>`}<strong>${m.from || "Ton conseiller ou ta conseillère"}</strong> · <time datetime=${m.at}>${m.at_label || ""}</time></p>
      <p class="inbox__text">${m.message || ""}</p></li>`)}</ol>`);
  }

  function render() { renderCount(); if (dialog.open) renderList(); }

  // Tell the server (idempotent); the list keeps its « Nouveau » marks until the inbox closes.
  // If the server does not record it (offline), the next load shows them unread again.
  function markRead() {
    const fresh = messages.filter((m) => !m.read && !m.opened);
    if (!fresh.length) return;
    fresh.forEach((m) => { m.opened = true; });
    socket.timeout(8000).emit("inbox.read", { messages: fresh.map((m) => m.id) }, () => {});
    renderCount();
  }

  function load() {
    socket.timeout(8000).emit("inbox", {}, (err, ack) => {
      if (err || !ack || !ack.ok) return;
      messages = ack.messages || [];
      loaded = true;
      render();
      if (dialog.open) markRead();
    });
  }

  socket.on("connect", load);
  // A message arrives: a toast says so, the inbox keeps it.
  socket.on("notice", (n) => {
    if (!n) return;
    toast("📣 " + (n.from ? n.from + "\u00a0: " : "") + n.message, true);
    if (n.id == null || messages.some((m) => m.id === n.id)) return;
    messages.unshift(Object.assign({ read: false }, n));
    render();
    if (dialog.open) markRead();
  });

  button.addEventListener("click", () => {
    back = document.activeElement;
    renderList();
    dialog.showModal();
    $("#inbox-title").focus();
    markRead();
  });
  $("#inbox-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    messages.forEach((m) => { if (m.opened) m.read = true; });
    renderCount();
    if (back && back.isConnected) back.focus();
  });
  renderCount();
}
