/* Tempo — DOM helpers shared by the player page's modules. ES module, no build step.
   Pages render with lit-html (static/vendor/lit-html/), through this module's `html` tag only: it
   hands lit-html nothing it would print as "[object …]", "true" or "NaN" (see `safe`). */
import { html as litHtml, nothing, noChange, render } from "../vendor/lit-html/lit-html.js";
import { Directive, directive } from "../vendor/lit-html/directive.js";
import { unsafeHTML } from "../vendor/lit-html/directives/unsafe-html.js";

export { nothing };
export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

// What a template may receive: text, finite numbers, templates, nodes, lit-html directives,
// event listeners, arrays of these; null and undefined show nothing. A boolean is a value only
// inside a tag (`?hidden=${x}`); between tags it shows nothing, so `cond && html`…`` reads well.
// Anything else (an object, NaN) is a bug: reported, never printed.
function safe(v, inTag) {
  if (v == null || typeof v === "string" || typeof v === "function" || typeof v === "symbol") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : bad(v);
  if (typeof v === "boolean") return inTag ? v : nothing;
  if (v instanceof Node || v._$litType$ !== undefined || v._$litDirective$ !== undefined) return v;
  if (Array.isArray(v)) return inTag ? bad(v) : v.map((x) => safe(x, false));
  return bad(v);
}
function bad(v) {
  console.error("html: a value is neither text nor a template", v);
  return nothing;
}

// The only template tag of the page's modules (ESLint forbids importing lit-html elsewhere).
export function html(strings, ...values) {
  let inTag = false;
  return litHtml(strings, ...values.map((v, i) => {
    const s = strings[i];
    const lt = s.lastIndexOf("<");
    const gt = s.lastIndexOf(">");
    if (lt > gt) inTag = true; else if (gt > lt) inTag = false;
    return safe(v, inTag);
  }));
}

// Replace a container's content with a template, built afresh (nothing kept from the last render).
export function fill(container, tpl) {
  const frag = document.createDocumentFragment();
  render(tpl, frag);
  container.replaceChildren(frag);
  return container;
}
// A template's first element as a node, for what is handled imperatively (forms, toasts, clocks).
export function node(tpl) {
  const frag = document.createDocumentFragment();
  render(tpl, frag);
  return frag.firstElementChild;
}

// `<p ${withNode((el) => …)}>`: hands the rendered element to a function (a ticking clock, a
// colour set through the CSSOM since the strict CSP refuses style attributes).
class WithNode extends Directive {
  render() { return nothing; }
  update(part, [fn]) { fn(part.element); return noChange; }
}
export const withNode = directive(WithNode);

// A server-sanitised Markdown field: the only way into the page for HTML, and only for `*_html`
// keys (docs/security.md). Anything but a string shows nothing.
export function markup(obj, key) {
  if (!key.endsWith("_html")) throw new Error("markup(): only *_html fields hold sanitised HTML, not " + key);
  const v = obj ? obj[key] : null;
  return typeof v === "string" ? unsafeHTML(v) : nothing;
}

// Rich authored text: `<key>_html` (sanitised by the server) or, failing that, plain `<key>`.
// `focus`: the element the panel focuses after a re-render (a dialogue's new line).
export function rich(obj, key, cls, focus) {
  const isHtml = obj != null && typeof obj[key + "_html"] === "string";
  const text = !isHtml && obj != null ? obj[key] : null;
  const klass = "prose " + (cls || "") + (text != null ? " prose--plain" : "");
  const body = isHtml ? markup(obj, key + "_html") : text;
  return focus ? html`<div class=${klass} tabindex="-1" data-focus>${body}</div>` : html`<div class=${klass}>${body}</div>`;
}
// Same for arrays such as clues_html: one entry (sanitised HTML or text) per item.
export function richList(obj, key) {
  if (obj && Array.isArray(obj[key + "_html"])) return obj[key + "_html"].map((x) => markup({ x_html: x }, "x_html"));
  const list = obj && obj[key];
  return Array.isArray(list) ? list : [];
}

// Texts that may still hold Markdown emphasis (teasers, hints not yet rendered): drop the markers.
export const plain = (s) => text(s).replace(/\*\*(.+?)\*\*/g, "$1").replace(/(^|[\s(])\*(\S[^*]*?)\*/g, "$1$2");
// Text of a value meant to be text: strings and finite numbers; anything else is "".
export const text = (v) => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : "");
// A list meant to be a list ([] for anything else): what a template maps over.
export const list = (v) => (Array.isArray(v) ? v : []);
export const plural = (n, one, many) => text(n) + " " + (n > 1 ? many : one);
export const quote = (s) => "«\u00a0" + text(s) + "\u00a0»";

// An image of the scenario's library (`info`: the snapshot's `media` entry): its size reserved
// before it loads, its alternative text read to people who cannot see it (none when decorative).
export function picture(info, cls, decorative) {
  if (!info || typeof info.src !== "string") return null;
  return html`<img class=${cls} src=${info.src} alt=${decorative ? "" : text(info.alt)} width=${text(info.width)} height=${text(info.height)} loading="lazy" decoding="async">`;
}
