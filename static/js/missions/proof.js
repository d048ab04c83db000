/* Tempo — the proof mission: a photo or a text the counsellor validates. */
import { $, html, rich, text } from "../dom.js";

// Large phone photos are shrunk before upload (prepaid data, weak signal).
function shrink(file) {
  if (!file || file.size < 1500000 || !window.createImageBitmap || !/^image\//.test(file.type)) return Promise.resolve(file);
  return createImageBitmap(file).then((bmp) => {
    const k = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
    const c = document.createElement("canvas");
    c.width = Math.round(bmp.width * k); c.height = Math.round(bmp.height * k);
    c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
    return new Promise((res) => c.toBlob((b) => res(b || file), "image/jpeg", 0.82));
  }).catch(() => file);
}

function sendProof(ui, f, m, kind) {
  const textEl = $("textarea", f);
  const fileEl = $("input[type=file]", f);
  const text = textEl ? textEl.value.trim() : "";
  const file = fileEl && fileEl.files[0];
  if (!text && !file) return ui.say(f, kind === "photo" ? "Ajoute une photo avant d'envoyer." : kind === "text" ? "Écris ton texte avant d'envoyer." : "Ajoute une photo ou écris un texte avant d'envoyer.");
  // A photo goes over HTTP, never into the outbox: too heavy to keep in the phone's storage.
  if (file && !ui.online()) return ui.say(f, "Pas de réseau\u00a0: une photo ne part qu'en ligne. Garde-la et renvoie-la dès le retour du réseau.");
  if (!file) return ui.act(f, m, "submit", { text: text }).then((ack) => { if (ack.ok) ui.say(f, "📨 Preuve envoyée\u00a0!", true); });
  ui.busy(f, true); ui.say(f, "Envoi de la photo…", true);
  return shrink(file).then((blob) => {
    const fd = new FormData();
    fd.append("photo", blob, (file.name || "photo").replace(/\.\w+$/, "") + (blob === file ? "" : ".jpg"));
    if (text) fd.append("text", text);
    fd.append("csrf_token", ui.csrf);
    fd.append("id", ui.actionId(f, "proof" + file.name + file.size + text));   // same id when the same proof is sent again
    return ui.http(ui.urls.uploadUrl.replace("__MISSION__", encodeURIComponent(m.id)), { method: "POST", body: fd });
  }).then((ack) => { ui.handleAck(f, ack); if (ack.ok) { ui.say(f, "📨 Preuve envoyée\u00a0!", true); ui.refreshState(0); } });
}

const LABELS = {
  waiting: "📝 Pas encore envoyée.", pending: "⏳ Envoyée — en attente de validation par ton conseiller ou ta conseillère.",
  accepted: "✅ Preuve acceptée\u00a0!", refused: "❌ Preuve refusée\u00a0: tu peux en envoyer une nouvelle.",
};

export default {
  key: "proof", icon: "📸", label: "Preuve",
  render: (m, p, ui) => {
    const kind = p.kind || "photo-or-text";
    const fields = html`${kind === "photo" ? null : html`<div class="field"><label for=${"ptext-" + m.id}>${kind === "text" ? "Ton texte" : "Ton texte (ou une photo ci-dessous)"}</label>
        <textarea id=${"ptext-" + m.id} rows="5" data-keep maxlength="2000"></textarea></div>`}
      ${kind === "text" ? null : html`<div class="field"><label for=${"pphoto-" + m.id}>Ta photo</label>
        <input id=${"pphoto-" + m.id} type="file" accept="image/*" capture="environment" class="file-input"></div>`}`;
    return html`${rich(p, "instructions")}
      <p class=${"notice proof-status proof-status--" + text(p.status)}>${LABELS[p.status] || p.status}</p>
      ${p.comment ? html`<p><strong>Commentaire\u00a0: </strong>${p.comment}</p>` : null}
      ${m.status === "done" || p.status === "accepted" ? null : ui.form(m, "proof", fields, p.status === "pending" ? "Remplacer ma preuve" : "Envoyer la preuve", (f) => sendProof(ui, f, m, kind))}`;
  },
};
