/* Tempo — the studio's source view: CodeMirror 6 (YAML highlighting, static/vendor/codemirror/)
   over the <textarea>, which stays the fallback when the bundle cannot load. Every change goes
   back into the textarea with an `input` event: studio.js autosaves it as before. */
const textarea = document.getElementById("source");
if (textarea && textarea.dataset.editor) {
  import(textarea.dataset.editor)
    .then(({ mountYamlEditor }) => {
      const view = mountYamlEditor(textarea, {
        "aria-label": "Source de " + textarea.dataset.path,
        "aria-describedby": textarea.getAttribute("aria-describedby") || "",
      });
      textarea.editor = view;   // for scripts that fill the source (the browser tests)
      // The visible label now names the editor: a click on it focuses the code.
      const label = document.querySelector('label[for="source"]');
      if (label) label.addEventListener("click", (e) => { e.preventDefault(); view.focus(); });
    })
    .catch(() => {});   // the plain textarea keeps working
}
