/* Tempo — the studio's dialogue map: fetch one dialogue's graph (JSON route), lay it out with
   dagre (static/vendor/dagre, global `dagre`) and draw it as SVG. Nodes are coloured AND marked
   in words by reachability; success and retry ends get their own end nodes and line styles.
   The page carries the same graph as a nested list for screen readers. */
(() => {
  const box = document.getElementById("dmap");
  if (!box || !window.dagre) return;
  const SVG = "http://www.w3.org/2000/svg";
  const NODE_W = 240;
  const LINE = 16;
  const STATE_WORDS = { unreachable: "inaccessible", stranded: "bloquant" };

  function say(text) {
    const p = document.createElement("p");
    p.className = "muted";
    p.id = "dmap-status";
    p.textContent = text;
    box.replaceChildren(p);
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (parent) parent.append(node);
    return node;
  }

  // Cut `text` into lines of at most `width` characters (at most `max` lines, the last with …).
  function wrap(text, width, max) {
    const lines = [];
    let line = "";
    text.split(/\s+/).forEach((word) => {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    if (lines.length > max) {
      lines.length = max;
      lines[max - 1] = lines[max - 1].replace(/.?$/, "…");
    }
    return lines;
  }

  function flagsLine(edge) {
    const parts = [];
    if (edge.if_flags.length) parts.push("si " + edge.if_flags.join(", "));
    if (edge.unless_flags.length) parts.push("sauf si " + edge.unless_flags.join(", "));
    if (edge.set_flags.length) parts.push("pose " + edge.set_flags.join(", "));
    return parts.join(" · ");
  }

  function text(parent, x, y, lines, cls) {
    const t = el("text", { x, y, class: cls || "" }, parent);
    lines.forEach((line, i) => {
      const span = el("tspan", { x, dy: i ? LINE : 0 }, t);
      span.textContent = line;
    });
    return t;
  }

  function draw(data) {
    const g = new window.dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70, edgesep: 20, marginx: 12, marginy: 12 });
    data.nodes.forEach((n) => {
      const lines = wrap(n.short, 31, 3);
      const badge = [n.start ? "départ" : "", STATE_WORDS[n.state] || ""].filter(Boolean);
      g.setNode(n.id, {
        kind: "node",
        data: n,
        lines,
        badge: badge.join(" · "),
        width: NODE_W,
        height: 30 + LINE * lines.length + (badge.length ? LINE : 0),
      });
    });
    const ends = { success: "Fin : réussite", retry: "Recommencer depuis le départ" };
    data.edges.forEach((e, i) => {
      let target = e.to;
      if (e.end) {
        target = "__end_" + e.end;
        if (!g.hasNode(target)) {
          g.setNode(target, { kind: "end", end: e.end, lines: [ends[e.end]], width: 200, height: 34 });
        }
      }
      const lines = wrap("« " + e.short + " »", 30, 2);
      const flags = flagsLine(e);
      if (flags) lines.push(flags.length > 40 ? flags.slice(0, 39) + "…" : flags);
      g.setEdge(e.from, target, { data: e, lines, width: 210, height: LINE * lines.length + 4, labelpos: "c" }, "c" + i);
    });
    window.dagre.layout(g);
    const size = g.graph();
    const svg = el("svg", {
      class: "c-dmap__svg",
      width: Math.ceil(size.width),
      height: Math.ceil(size.height),
      viewBox: "0 0 " + Math.ceil(size.width) + " " + Math.ceil(size.height),
      "aria-hidden": "true",
      focusable: "false",
    });
    const defs = el("defs", {}, svg);
    ["plain", "success", "retry"].forEach((kind) => {
      const m = el("marker", {
        id: "dmap-arrow-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
      }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", class: "c-dmap-arrow c-dmap-arrow--" + kind }, m);
    });
    const edgesLayer = el("g", { class: "c-dmap-edges" }, svg);
    g.edges().forEach((ref) => {
      const edge = g.edge(ref);
      const kind = edge.data.end || "plain";
      const d = edge.points.map((p, i) => (i ? "L" : "M") + p.x.toFixed(1) + "," + p.y.toFixed(1)).join(" ");
      const group = el("g", { class: "c-dmap-edge c-dmap-edge--" + kind, "data-from": ref.v, "data-to": ref.w }, edgesLayer);
      el("path", { d, "marker-end": "url(#dmap-arrow-" + kind + ")" }, group);
      const h = LINE * edge.lines.length + 4;
      el("rect", { x: edge.x - edge.width / 2, y: edge.y - h / 2, width: edge.width, height: h, rx: 4, class: "c-dmap-edge__bg" }, group);
      const t = text(group, edge.x, edge.y - h / 2 + LINE - 3, edge.lines, "c-dmap-edge__label");
      if (edge.lines.length > 1 && flagsLine(edge.data)) t.lastChild.setAttribute("class", "c-dmap-edge__flags");
    });
    const nodesLayer = el("g", { class: "c-dmap-nodes" }, svg);
    g.nodes().forEach((id) => {
      const n = g.node(id);
      const x = n.x - n.width / 2;
      const y = n.y - n.height / 2;
      if (n.kind === "end") {
        const group = el("g", { class: "c-dmap-end c-dmap-end--" + n.end, "data-kind": "end" }, nodesLayer);
        el("rect", { x, y, width: n.width, height: n.height, rx: 17 }, group);
        text(group, n.x, n.y + 5, n.lines, "c-dmap-end__label");
        return;
      }
      const state = n.data.state;
      const group = el("g", {
        class: "c-dmap-node c-dmap-node--" + state + (n.data.start ? " c-dmap-node--start" : ""),
        "data-kind": "node", "data-node": id, "data-state": state,
      }, nodesLayer);
      el("rect", { x, y, width: n.width, height: n.height, rx: 8, class: "c-dmap-node__box" }, group);
      if (state === "stranded") {
        el("rect", { x: x + 4, y: y + 4, width: n.width - 8, height: n.height - 8, rx: 5, class: "c-dmap-node__inner" }, group);
      }
      const head = el("text", { x: x + 12, y: y + 20, class: "c-dmap-node__speaker" }, group);
      head.textContent = n.data.speaker_name + " — " + id;
      text(group, x + 12, y + 20 + LINE, n.lines, "c-dmap-node__text");
      if (n.badge) {
        const b = el("text", { x: x + 12, y: y + 20 + LINE * (n.lines.length + 1), class: "c-dmap-node__badge" }, group);
        b.textContent = "[" + n.badge + "]";
      }
      const title = el("title", {}, group);
      title.textContent = n.data.speaker_name + " : « " + n.data.text + " »";
    });
    box.replaceChildren(svg);
    box.dataset.nodes = String(data.nodes.length);
    box.dataset.ready = "1";
  }

  fetch(box.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((r) => r.json().then((body) => ({ ok: r.ok, body })))
    .then(({ ok, body }) => {
      if (!ok || !body.ok) {
        say("Le graphe n'a pas pu être chargé : " + (body.error || "erreur du serveur") + ".");
        return;
      }
      draw(body);
    })
    .catch(() => say("Le graphe n'a pas pu être chargé : vérifiez la connexion et rechargez la page."));
})();
