/* Tempo — the QR checkpoint mission: find codes placed in the city, scan or type them. */
import { $, html, list, node, rich } from "../dom.js";
import { codeRoom, compactCode, field } from "./common.js";

// A typed code goes to the same URL as a scanned one, as JSON.
function postCode(ui, f, code) {
  if (!ui.online()) return ui.say(f, "Pas de réseau\u00a0: un code se valide en ligne. Garde-le et réessaie dès le retour du réseau.");
  ui.busy(f, true); ui.say(f, "");
  return ui.http(ui.urls.checkpointUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code: code }) })
    .then((ack) => {
      ui.handleAck(f, ack);
      // Already validated by a teammate: not an error, the checkpoint and its story are shown.
      if (ack.ok) { ui.say(f, ack.already ? "✅ " + ack.message : "✅ Code accepté\u00a0!", true); ui.refreshState(0); }
    });
}

// In-app scanner, where the browser can detect QR codes; the phone's camera app works anywhere.
function scannerBlock(ui) {
  const md = navigator.mediaDevices;
  if (!("BarcodeDetector" in window) || !md || !md.getUserMedia) return null;
  const box = node(html`<div class="scanner"><button type="button" class="button button--ghost">📷 Scanner dans Tempo</button><video
    class="scanner__video" playsinline hidden aria-label="Image de la caméra"></video><p class="muted" role="status"></p></div>`);
  const [btn, video, status] = box.children;
  video.muted = true;
  let stream = null; let timer = 0;
  const stop = () => {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null; video.hidden = true; btn.textContent = "📷 Scanner dans Tempo";
    ui.setStopScan(null);
  };
  const found = (raw) => {
    let url = null;
    try { url = new URL(raw, location.href); } catch { url = null; }
    if (url && url.origin === location.origin && url.pathname.indexOf("/q/") === 0) { stop(); status.textContent = "QR code trouvé, validation…"; location.href = url.href; return true; }
    status.textContent = "Ce QR code n'est pas une balise Tempo. Cherche encore\u00a0!";
    return false;
  };
  btn.addEventListener("click", () => {
    if (stream) return stop();
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    md.getUserMedia({ video: { facingMode: "environment" } }).then((s) => {
      stream = s; ui.setStopScan(stop);
      video.srcObject = s; video.hidden = false; btn.textContent = "Arrêter la caméra";
      status.textContent = "Vise le QR code.";
      return video.play();
    }).then(function loop() {
      if (!stream) return;
      detector.detect(video).then((codes) => {
        if (codes.length && found(codes[0].rawValue)) return;
        timer = setTimeout(loop, 300);
      }).catch(() => { timer = setTimeout(loop, 500); });
    }).catch(() => { stop(); status.textContent = "Impossible d'ouvrir la caméra. Utilise l'appareil photo du téléphone ou tape le code."; });
  });
  return box;
}

export default {
  key: "qr-checkpoint", icon: "📍", label: "Mission en ville",
  render: (m, p, ui) => {
    const cps = list(p.checkpoints);
    const done = cps.filter((c) => c.scanned).length;
    // Posters print « AZM NDG »: in the typed code, spaces, dashes and lower case are accepted as typed.
    return html`<p class="muted">${done} balise(s) validée(s) sur ${cps.length}${p.ordered ? " — à trouver dans l'ordre." : "."}</p>
      <ol class="checkpoints">${cps.map((c) => html`<li class=${"checkpoint" + (c.scanned ? " checkpoint--ok" : "")}>
        <p class="checkpoint__label"><strong>${c.label}</strong> <span class=${"badge badge--" + (c.scanned ? "done" : "available")}>${c.scanned ? "✅ Validée" + (c.by != null ? " par " + ui.who(c.by) : "") : "🔎 À trouver"}</span></p>
        ${c.image && ui.picture ? ui.picture(c.image, "checkpoint__image") : null}
        ${rich(c, "clue")}${c.scanned ? rich(c, "message") : null}</li>`)}</ol>
      ${m.status === "done" ? null : html`
        <h3>Scanner avec l'appareil photo</h3>
        <p>Quand tu trouves le QR code imprimé, scanne-le avec l'appareil photo de ton téléphone\u00a0: il ouvre Tempo et valide la balise pour toute l'équipe.</p>
        ${scannerBlock(ui)}
        ${ui.form(m, "cpcode", field("cp-" + m.id, "Ou tape le code à 6 caractères écrit sous le QR code", { maxlength: codeRoom(6), autocapitalize: "characters", cls: "code-input" }), "Valider le code", (f) => {
          const code = compactCode($("#cp-" + m.id, f).value);
          if (code.length !== 6) return ui.say(f, "Le code fait 6 caractères.");
          postCode(ui, f, code);
        })}`}`;
  },
};
