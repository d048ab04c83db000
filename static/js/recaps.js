/* Tempo — daily recaps: share or save a recap card (journal), confirmations, and the player
   page's « recap ready » banner. Vanilla ES2019, no build step. */
(function () {
  "use strict";

  // Forms that change something for good ask first (journal: stop e-mails; console: close a day).
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!form.matches || !form.matches("form[data-recap-confirm], .journal form[data-confirm]")) return;
    const message = form.getAttribute("data-recap-confirm") || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) e.preventDefault();
  });

  // ---------------------------------------------------------------- sharing a card
  // Web Share API with the image as a file when the phone can share files; otherwise the
  // download link next to the button does the job (the button stays hidden).
  const canShareFiles = () => {
    if (!navigator.share || !navigator.canShare || typeof File !== "function") return false;
    try { return navigator.canShare({ files: [new File([""], "x.png", { type: "image/png" })] }); }
    catch (err) { return false; }
  };
  if (canShareFiles()) {
    document.querySelectorAll("[data-share]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => share(button));
    });
  }

  function say(button, text) {
    const box = button.closest("[data-share-box]");
    const status = box && box.querySelector("[role=status]");
    if (status) status.textContent = text;
  }

  async function share(button) {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    say(button, "Préparation de la carte…");
    try {
      const response = await fetch(button.dataset.share, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const blob = await response.blob();
      const file = new File([blob], button.dataset.name || "tempo.png", { type: "image/png" });
      await navigator.share({ files: [file], title: button.dataset.title, text: button.dataset.text });
      say(button, "Carte partagée\u00a0!");
    } catch (err) {
      if (err && err.name === "AbortError") say(button, "");   // the player closed the share sheet
      else say(button, "Partage impossible ici : utilise « Télécharger ma carte ».");
    } finally {
      button.removeAttribute("aria-busy");
    }
  }

  // ---------------------------------------------------------------- player page banner
  // play.js dispatches `tempo:recap` when the team event `recap.ready` arrives.
  document.addEventListener("tempo:recap", (e) => {
    const banner = document.getElementById("recap-ready");
    if (!banner || !e.detail) return;
    const text = banner.querySelector("[data-recap-text]");
    if (text) text.textContent = "📖 Ton récap du jour " + e.detail.day + " est prêt\u00a0!";
    banner.hidden = false;
  });
})();
