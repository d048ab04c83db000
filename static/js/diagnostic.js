// Tempo — the self-diagnostic pages (server-rendered; this only helps keyboards and screen
// readers): focus moves to the new question, an unanswered question is pointed out before the
// round trip, and a sent form cannot be sent twice.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Each page load is a new question: start reading there, not at the top of the page.
    const error = document.querySelector(".diag__error");
    const target = document.querySelector("[data-autofocus]");
    if (error && error.textContent.trim()) {
      const first = document.querySelector('.diag__option input[type="radio"]');
      if (first) first.focus();
    } else if (target) {
      target.focus();
    }

    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.hasAttribute("data-require-choice") && !form.querySelector('input[type="radio"]:checked')) {
          event.preventDefault();
          const message = form.querySelector(".diag__error");
          const group = form.querySelector("fieldset");
          if (message) message.textContent = form.getAttribute("data-choice-message");
          if (group) {
            group.setAttribute("aria-invalid", "true");
            group.setAttribute("aria-describedby", "diag-error");
          }
          const radio = form.querySelector('input[type="radio"]');
          if (radio) radio.focus();
          return;
        }
        if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
        form.setAttribute("aria-busy", "true");
        const button = form.querySelector('button[type="submit"]');
        if (button) button.setAttribute("aria-disabled", "true");
      });
    });

    // Coming back with the browser's back button shows a page from its cache: make it usable.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[aria-busy]").forEach(function (form) {
        form.removeAttribute("aria-busy");
        const button = form.querySelector('button[type="submit"]');
        if (button) button.removeAttribute("aria-disabled");
      });
    });

    // A changed answer clears the « choose an answer » message.
    document.querySelectorAll('.diag__option input[type="radio"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        const message = document.querySelector(".diag__error");
        const group = radio.closest("fieldset");
        if (message) message.textContent = "";
        if (group) { group.removeAttribute("aria-invalid"); group.removeAttribute("aria-describedby"); }
      });
    });
  });
})();
