/* Tempo — the join page: offer another generated pseudonym without reloading the page. */
document.getElementById("another")?.addEventListener("click", async (event) => {
  const response = await fetch(event.currentTarget.dataset.url);
  if (response.ok) {
    const field = document.getElementById("pseudonym");
    field.value = (await response.json()).pseudonym;
    field.focus();
  }
});
