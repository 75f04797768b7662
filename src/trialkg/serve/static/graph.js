/* trialkg serve: the neighbourhood view. Fetches /graph/<kind>/<key> (bounded, aggregated
   on the server), lays it out with a small force simulation and draws SVG: drag nodes,
   wheel to zoom, drag the background to pan, click a node to open its page. No library. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function layout(data, width, height) {
    // Rings by distance from the focus (children placed near their parent), then a short
    // force simulation to spread labels apart.
    var nodes = data.nodes, index = {}, adj = {}, i, j;
    nodes.forEach(function (n) { index[n.id] = n; adj[n.id] = []; });
    var links = data.edges.map(function (e) { return { s: index[e.source], t: index[e.target], type: e.type }; })
      .filter(function (l) { return l.s && l.t; });
    links.forEach(function (l) { adj[l.s.id].push(l.t); adj[l.t.id].push(l.s); });
    var focus = index[data.focus] || nodes[0], rings = [[focus]], seen = {};
    seen[focus.id] = true; focus.angle = 0;
    while (rings[rings.length - 1].length) {
      var next = [];
      rings[rings.length - 1].forEach(function (p) {
        adj[p.id].forEach(function (c) { if (!seen[c.id]) { seen[c.id] = true; c.parentAngle = p.angle || 0; next.push(c); } });
      });
      next.sort(function (a, b) { return a.parentAngle - b.parentAngle; });
      next.forEach(function (n, k) { n.angle = 2 * Math.PI * (k + 0.5) / next.length; });
      rings.push(next);
    }
    nodes.forEach(function (n) { if (!seen[n.id]) { n.angle = Math.random() * 2 * Math.PI; rings[rings.length - 1].push(n); } });
    rings.forEach(function (ring, d) {
      ring.forEach(function (n) { n.x = width / 2 + Math.cos(n.angle) * 190 * d; n.y = height / 2 + Math.sin(n.angle) * 150 * d; n.vx = 0; n.vy = 0; });
    });
    focus.fixed = true;
    for (var step = 0; step < 250; step++) {
      var alpha = 1 - step / 250;
      for (i = 0; i < nodes.length; i++) {
        for (j = i + 1; j < nodes.length; j++) {
          var a = nodes[i], b = nodes[j], dx = b.x - a.x, dy = (b.y - a.y) * 1.8, d2 = dx * dx + dy * dy + 0.01;
          if (d2 > 90000) continue;
          var f = 5000 / d2, d = Math.sqrt(d2);
          a.vx -= f * dx / d; a.vy -= f * dy / d; b.vx += f * dx / d; b.vy += f * dy / d;
        }
      }
      links.forEach(function (l) {
        var dx = l.t.x - l.s.x, dy = l.t.y - l.s.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 150) * 0.02;
        l.s.vx += f * dx / d; l.s.vy += f * dy / d; l.t.vx -= f * dx / d; l.t.vy -= f * dy / d;
      });
      nodes.forEach(function (n) {
        if (!n.fixed) { n.x += Math.max(-15, Math.min(15, n.vx * alpha)); n.y += Math.max(-15, Math.min(15, n.vy * alpha)); }
        n.vx *= 0.5; n.vy *= 0.5;
      });
    }
    return links;
  }
  function draw(box, data) {
    box.innerHTML = "";
    var width = box.clientWidth || 900, height = 560;
    var colours = {}; data.legend.forEach(function (l) { colours[l.type] = l.colour; });
    var links = layout(data, width, height);
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    data.nodes.forEach(function (n) {
      minX = Math.min(minX, n.x - 15); maxX = Math.max(maxX, n.x + 15 + 6.5 * Math.min(38, n.label.length));
      minY = Math.min(minY, n.y - 15); maxY = Math.max(maxY, n.y + 15);
    });
    // never zoom in past 1:1 (labels keep their size); zoom out to fit a large graph
    var vw = Math.max(maxX - minX, width), vh = Math.max(maxY - minY, height);
    minX -= (vw - (maxX - minX)) / 2; minY -= (vh - (maxY - minY)) / 2;
    if (vw / vh > width / height) { var h2 = vw * height / width; minY -= (h2 - vh) / 2; vh = h2; }
    else { var w2 = vh * width / height; minX -= (w2 - vw) / 2; vw = w2; }
    var svg = el("svg", { viewBox: minX + " " + minY + " " + vw + " " + vh, role: "img", "aria-label": "neighbourhood graph" }, box);
    width = vw; height = vh;
    var root = el("g", {}, svg);
    var lines = links.map(function (l) {
      var line = el("line", { stroke: "#b9c0ca", "stroke-width": 1.2 }, root);
      var t = document.createElementNS(SVG, "title"); t.textContent = l.s.label + " — " + l.type + " — " + l.t.label; line.appendChild(t);
      return line;
    });
    var groups = data.nodes.map(function (n) {
      var g = el("g", { "class": "node", "data-id": n.id, "data-type": n.type }, root);
      var r = n.id === data.focus ? 11 : (n.type === "aggregate" ? 8 : 7);
      el("circle", { r: r, fill: colours[n.type] || "#999", stroke: "#fff", "stroke-width": 1.5 }, g);
      var label = el("text", { x: r + 3, y: 4 }, g);
      label.textContent = n.label.length > 38 ? n.label.slice(0, 36) + "…" : n.label;
      var tip = document.createElementNS(SVG, "title"); tip.textContent = n.label + (n.title ? " — " + n.title : "") + (n.href ? "\n(click to open)" : ""); g.appendChild(tip);
      g.style.cursor = n.href ? "pointer" : "default";
      return { n: n, g: g };
    });
    function update() {
      links.forEach(function (l, k) { lines[k].setAttribute("x1", l.s.x); lines[k].setAttribute("y1", l.s.y); lines[k].setAttribute("x2", l.t.x); lines[k].setAttribute("y2", l.t.y); });
      groups.forEach(function (o) { o.g.setAttribute("transform", "translate(" + o.n.x + "," + o.n.y + ")"); });
    }
    update();
    var view = { x: 0, y: 0, k: 1 }, drag = null, moved = false;
    function apply() { root.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }
    function point(ev) { var r = svg.getBoundingClientRect(); return { x: minX + (ev.clientX - r.left) * width / r.width, y: minY + (ev.clientY - r.top) * height / r.height }; }
    groups.forEach(function (o) {
      o.g.addEventListener("mousedown", function (ev) { drag = { node: o.n }; moved = false; ev.stopPropagation(); });
      o.g.addEventListener("click", function () { if (!moved && o.n.href) window.location.href = o.n.href; });
    });
    svg.addEventListener("mousedown", function (ev) { var p = point(ev); drag = { pan: true, x: p.x - view.x, y: p.y - view.y }; moved = false; });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return; moved = true; var p = point(ev);
      if (drag.pan) { view.x = p.x - drag.x; view.y = p.y - drag.y; apply(); }
      else { drag.node.x = (p.x - view.x) / view.k; drag.node.y = (p.y - view.y) / view.k; update(); }
    });
    window.addEventListener("mouseup", function () { drag = null; });
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault(); var p = point(ev), k = Math.max(0.3, Math.min(4, view.k * (ev.deltaY < 0 ? 1.15 : 1 / 1.15)));
      view.x = p.x - (p.x - view.x) * k / view.k; view.y = p.y - (p.y - view.y) * k / view.k; view.k = k; apply();
    }, { passive: false });
    var legend = document.createElement("div"); legend.className = "legend";
    data.legend.forEach(function (l) { var s = document.createElement("span"); s.style.setProperty("--c", l.colour); s.textContent = l.name; legend.appendChild(s); });
    box.appendChild(legend);
    var note = document.createElement("div"); note.className = "gnote";
    note.textContent = data.nodes.length + " nodes, " + data.edges.length + " links" + (data.note ? " · " + data.note : "") + " · drag, scroll to zoom, click to open";
    box.appendChild(note);
  }
  document.querySelectorAll("[data-graph]").forEach(function (box) {
    fetch(box.getAttribute("data-graph")).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { draw(box, data); box.setAttribute("data-ready", "1"); })
      .catch(function (e) { box.textContent = "The graph could not be loaded (" + e.message + ")."; });
  });
})();
