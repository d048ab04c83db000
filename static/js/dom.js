/* Tempo — DOM helpers shared by the player page's modules. ES module, no build step. */

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

// Append children of any nesting depth: nodes as nodes, strings and numbers as text; null,
// undefined and booleans are skipped (so `cond ? node : null` reads well). Anything else is
// a bug: it is reported rather than printed as "[object …]".
function appendKids(node, kid) {
  if (kid == null || typeof kid === "boolean") return;
  if (Array.isArray(kid)) kid.forEach((k) => appendKids(node, k));
  else if (kid instanceof Node) node.append(kid);
  else if (typeof kid === "string" || typeof kid === "number") node.append(String(kid));
  else console.error("h(): child is neither a node nor text", kid);
}

// Build an element. Strings become text nodes; `html` is reserved for server-sanitised *_html fields.
export function h(tag, props, ...kids) {
  const node = document.createElement(tag);
  Object.entries(props || {}).forEach(([k, v]) => {
    if (v == null || v === false) return;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "html") node.innerHTML = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  });
  appendKids(node, kids);
  return node;
}

// Rich authored text: `<key>_html` (sanitised by the server) or, failing that, plain `<key>`.
export function rich(obj, key, tag, cls) {
  const node = h(tag || "div", { class: "prose " + (cls || "") });
  if (obj && typeof obj[key + "_html"] === "string") node.innerHTML = obj[key + "_html"];
  else if (obj && obj[key] != null) { node.textContent = obj[key]; node.classList.add("prose--plain"); }
  return node;
}
// Same for arrays such as clues_html.
export function richList(obj, key) {
  if (obj && Array.isArray(obj[key + "_html"])) return obj[key + "_html"].map((x) => ({ html: x }));
  return ((obj && obj[key]) || []).map((x) => ({ text: x }));
}

// Texts that may still hold Markdown emphasis (teasers, hints not yet rendered): drop the markers.
export const plain = (s) => String(s == null ? "" : s).replace(/\*\*(.+?)\*\*/g, "$1").replace(/(^|[\s(])\*(\S[^*]*?)\*/g, "$1$2");
export const plural = (n, one, many) => n + " " + (n > 1 ? many : one);
export const quote = (s) => "«\u00a0" + s + "\u00a0»";
