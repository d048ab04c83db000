/* Tempo — the studio's source editor: autosave (debounced, CSRF header) and the validator's
   messages as the author types. The server answers { ok, saved_at, errors: [{file, line, text}] }. */
(() => {
  const source = document.getElementById("source");
  const status = document.getElementById("save-status");
  const box = document.getElementById("studio-errors");
  if (!source || !status || !box) return;
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
        ul.append(li);
      });
      box.append(ul);
    }
    document.querySelectorAll("[data-file-count]").forEach((el) => {
      const n = counts[el.dataset.fileCount] || 0;
      el.textContent = n ? n + (n > 1 ? " erreurs" : " erreur") : "";
      el.classList.toggle("c-studio__count--none", !n);
    });
  }

  function save() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    show("Enregistrement…");
    fetch(source.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify({ path: source.dataset.path, text: source.value }),
    })
      .then((r) => r.json().catch(() => ({ ok: false, error: "réponse du serveur illisible (" + r.status + ")" })))
      .then((reply) => {
        if (reply.ok) {
          show("Enregistré à " + reply.saved_at);
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

  source.addEventListener("input", () => {
    clearTimeout(timer);
    show("Modifications non enregistrées…");
    timer = setTimeout(save, DELAY);
  });
  window.addEventListener("beforeunload", (e) => {
    if (timer !== null && status.textContent.startsWith("Modifications")) e.preventDefault();
  });
})();
