/* Tempo — forms with a `data-confirm` question ask it before they are sent. */
document.querySelectorAll("form[data-confirm]").forEach((f) => f.addEventListener("submit", (e) => {
  if (!window.confirm(f.dataset.confirm)) e.preventDefault();
}));
