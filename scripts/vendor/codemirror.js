// Entry of static/vendor/codemirror/codemirror.js (rebuilt by scripts/build-vendor): the studio's
// source editor, CodeMirror 6 with YAML highlighting, mounted over a <textarea> kept in sync.
import { basicSetup, EditorView } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { keymap } from "@codemirror/view";

// Replace `textarea` by an editor; the textarea keeps the text and gets an `input` event per change.
// Tab indents (Escape, then Tab, leaves the editor: CodeMirror's own rule).
export function mountYamlEditor(textarea, attributes) {
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      yaml(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of(attributes || {}),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }),
    ],
  });
  textarea.after(view.dom);
  textarea.hidden = true;
  return view;
}
