/* Tempo — the studio's editors: autosave (debounced, CSRF header) and the validator's messages
   as the author types, for the source (#source, or CodeMirror over it) and for the generated form
   (#studio-form, whose messages also sit under their field). The server answers
   { ok, saved_at, errors: [{file, line, text, field}] }. */
(() => {
  const source = document.getElementById("source");
  const form = document.getElementById("studio-form");
  const status = document.getElementById("save-status");
  const box = document.getElementById("studio-errors");
  if (!(source || form) || !status || !box) return;
  const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const DELAY = 800;
  let timer = null;
  let inFlight = false;
  let again = false;

  function show(text, kind) {
    status.textContent = text;
    status.classList.toggle("c-save-status--error", kind === "error");
  }

  function fileLink(file, line) {
    const a = document.createElement("a");
    a.href = box.dataset.fileUrl + "?fichier=" + encodeURIComponent(file);
    a.textContent = line ? file + " (ligne " + line + ")" : file;
    return a;
  }

  function render(errors) {
    box.replaceChildren();
    const counts = {};
    if (!errors.length) {
      const p = document.createElement("p");
      p.className = "c-ok";
      p.textContent = "Aucune erreur : ce brouillon peut être publié.";
      box.append(p);
    } else {
      const ul = document.createElement("ul");
      ul.className = "c-errors";
      errors.forEach((e) => {
        const li = document.createElement("li");
        if (e.file) counts[e.file] = (counts[e.file] || 0) + 1;
        if (e.file === box.dataset.current) li.className = "c-errors__here";
        const code = document.createElement("code");
        code.textContent = e.text;
        li.append(code);
        if (e.file && e.file !== box.dataset.current) {
          li.append(" ", fileLink(e.file, e.line));
        }
        if (form && e.field && e.file === box.dataset.current) {
          const a = document.createElement("a");
          a.href = "#f-" + e.field;
          a.textContent = "voir le champ";
          li.append(" ", a);
        }
        ul.append(li);
      });
      box.append(ul);
    }
    if (form) placeOnFields(errors);
    // « Tester » needs a draft without errors: follow the validator as the author types.
    document.querySelectorAll("[data-needs-valid]").forEach((button) => {
      button.disabled = errors.length > 0;
      const hint = document.getElementById(button.getAttribute("aria-describedby"));
      if (hint) hint.hidden = !errors.length;
    });
    document.querySelectorAll("[data-file-count]").forEach((el) => {
      const n = counts[el.dataset.fileCount] || 0;
      el.textContent = n ? n + (n > 1 ? " erreurs" : " erreur") : "";
      el.classList.toggle("c-studio__count--none", !n);
    });
  }

  // Each message under the field it concerns (its `field`, the validator's path of a form field).
  function placeOnFields(errors) {
    form.querySelectorAll("[data-errors-for]").forEach((slot) => slot.replaceChildren());
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    errors.forEach((e) => {
      if (!e.field || e.file !== box.dataset.current) return;
      const slot = document.getElementById("f-" + e.field + "-error");
      const control = document.getElementById("f-" + e.field);
      if (!slot) return;
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = e.message;
      slot.append(p);
      if (control) control.setAttribute("aria-invalid", "true");
    });
  }

  function request() {
    if (form) return { url: form.action, body: new FormData(form), type: null };
    return { url: source.dataset.saveUrl, body: JSON.stringify({ path: source.dataset.path, text: source.value }), type: "application/json" };
  }

  function save() {
    timer = null;
    if (inFlight) { again = true; return; }
    inFlight = true;
    show("Enregistrement…");
    const req = request();
    const headers = { Accept: "application/json", "X-CSRFToken": CSRF };
    if (req.type) headers["Content-Type"] = req.type;
    fetch(req.url, { method: "POST", credentials: "same-origin", headers: headers, body: req.body })
      .then((r) => r.json().catch(() => ({ ok: false, error: "réponse du serveur illisible (" + r.status + ")" })))
      .then((reply) => {
        if (reply.ok) {
          // Typed meanwhile: those changes are not saved yet, the next save says when they are.
          if (timer === null && !again) show("Enregistré à " + reply.saved_at);
          render(reply.errors || []);
          const title = document.getElementById("draft-title");
          if (title && reply.title) title.textContent = reply.title;
        } else {
          show("Erreur : " + (reply.error || "enregistrement refusé"), "error");
        }
      })
      .catch(() => show("Erreur : impossible de joindre le serveur, nouvel essai à la prochaine frappe.", "error"))
      .finally(() => {
        inFlight = false;
        if (again) { again = false; save(); }
      });
  }

  function changed() {
    clearTimeout(timer);
    show("Modifications non enregistrées…");
    timer = setTimeout(save, DELAY);
  }
  (form || source).addEventListener("input", changed);
  if (form) {
    form.addEventListener("change", changed);
    // « Ajouter » / « Retirer » post the whole form: no autosave may race them.
    form.addEventListener("submit", () => { clearTimeout(timer); timer = null; });
  }
  // Changes made from here on are saved (the form is inert to autosave until this runs).
  (form || source).dataset.autosave = "on";
  window.addEventListener("beforeunload", (e) => {
    if (timer !== null && status.textContent.startsWith("Modifications")) e.preventDefault();
  });
})();
