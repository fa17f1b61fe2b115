/* surveillance-kg HTML view. Reads the graph from the element #kg-data and builds every
   element with createElement/textContent: data never goes through innerHTML. */
(function () {
  "use strict";
  var view = window.kgView = {ready: false, readyAt: null, shownNodes: 0, shownEdges: 0,
                              marks: {}};
  var DASHES = {active: false, ended: [8, 6], proposed: [2, 5], paused: [12, 4, 2, 4]};
  var DASH_SCALE = 0.3;  // below this zoom, dashes would cost thousands of segments per line
  var FADED = {background: "#eeeeee", border: "#dddddd"};
  var HINT = "Click a node or a relationship to see amounts, dates and every source with its quote.";
  var money = new Intl.NumberFormat("en-US", {style: "currency", currency: "USD",
                                              maximumFractionDigits: 0});
  var progress = document.getElementById("kg-progress");

  function unpack(text) {  // large graphs: gzip + base64
    var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  function failed(error) {
    progress.textContent = "This page cannot show the graph (" + error.message +
      "). Open it in a current Chrome, Edge, Firefox or Safari.";
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }
  function safeUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }
  function words(type) { return String(type).replace(/_/g, " "); }
  function status(e) { return e.s || "active"; }
  function swatch(kind) {
    var box = svg("svg", {width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": "true"});
    var shapes = {
      dot: ["circle", {cx: 8, cy: 8, r: 6}], square: ["rect", {x: 2, y: 2, width: 12, height: 12}],
      diamond: ["polygon", {points: "8,1 15,8 8,15 1,8"}],
      triangle: ["polygon", {points: "8,1 15,14 1,14"}],
      box: ["rect", {x: 1, y: 4, width: 14, height: 8, rx: 2}]};
    var shape = shapes[kind.shape] || shapes.dot;
    box.appendChild(svg(shape[0], Object.assign({fill: kind.colour}, shape[1])));
    return box;
  }
  function line(colour, dashes) {
    var box = svg("svg", {width: 28, height: 10, "aria-hidden": "true"});
    var attrs = {x1: 1, y1: 5, x2: 27, y2: 5, stroke: colour, "stroke-width": 2.5};
    if (dashes) attrs["stroke-dasharray"] = dashes.join(" ");
    box.appendChild(svg("line", attrs));
    return box;
  }

  function start(data) {
    view.marks.data = performance.now();
    var N = data.nodes, E = data.edges, big = N.length > 800 || E.length > 2000;
    // Physics steps: about the same total work at any size (a step costs ~ nodes × log nodes).
    var steps = Math.round(Math.min(800, Math.max(30, (big ? 150000 : 120000) / Math.max(N.length, 1))));
    var state = {kinds: {}, relations: {}, statuses: {}, from: "", to: "", undated: true};
    function kindOf(i) { return data.kinds[N[i].k]; }

    // ---------------------------------------------------------- vis data
    var degree = new Int32Array(N.length), pairs = {}, dashed = true;
    E.forEach(function (e) { degree[e.f]++; degree[e.t]++; });
    var groups = {}, baseColour = data.kinds.map(function (kind) {
      return {background: kind.colour, border: kind.colour,
              highlight: {background: kind.colour, border: "#111111"}};
    });
    data.kinds.forEach(function (kind, k) { groups["k" + k] = {shape: kind.shape, color: baseColour[k]}; });
    var nodes = new vis.DataSet(N.map(function (n, i) {
      return {id: i, label: n.n, group: "k" + n.k, size: n.s, x: n.x, y: n.y};
    }));
    var edgeColour = data.relations.map(function (r) {
      return {color: r.colour, highlight: r.colour, hover: r.colour, inherit: false};
    });
    var edges = new vis.DataSet(E.map(function (e, i) {
      var key = Math.min(e.f, e.t) + "-" + Math.max(e.f, e.t), k = pairs[key] = (pairs[key] || 0) + 1;
      var edge = {id: i, from: e.f, to: e.t, color: edgeColour[e.y],
                  label: words(data.relations[e.y].name) + (e.s ? " (" + e.s + ")" : "")};
      if (e.s) edge.dashes = DASHES[e.s];
      if (e.m) edge.width = 1.5 + Math.max(0, Math.log10(e.m) - 3) * 0.6;
      if (!big && k > 1) {
        edge.smooth = {enabled: true, type: k % 2 ? "curvedCW" : "curvedCCW",
                       roundness: 0.12 * Math.ceil((k - 1) / 2)};
      }
      return edge;
    }));

    // ------------------------------------------------- legend = filters
    function toggle(fieldset, group, name, picture, count) {
      var label = el("label"), box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = name;
      state[group][name] = true;
      box.addEventListener("change", function () {
        state[group][name] = box.checked;
        label.classList.toggle("kg-off", !box.checked);
        apply();
      });
      label.append(box, picture, el("span", "", words(name)), el("span", "kg-count", count));
      document.getElementById(fieldset).appendChild(label);
    }
    function counts(list, key) {
      var found = {};
      list.forEach(function (item) { var k = key(item); found[k] = (found[k] || 0) + 1; });
      return found;
    }
    var kindCount = counts(N, function (n) { return n.k; });
    var relCount = counts(E, function (e) { return e.y; });
    var statusCount = counts(E, status);
    data.kinds.forEach(function (kind, i) {
      toggle("kg-kinds", "kinds", kind.name, swatch(kind), kindCount[i] || 0);
    });
    data.relations.forEach(function (rel, i) {
      toggle("kg-relations", "relations", rel.name, line(rel.colour), relCount[i] || 0);
    });
    data.statuses.forEach(function (s) {
      toggle("kg-statuses", "statuses", s, line("#555555", DASHES[s]), statusCount[s] || 0);
    });
    ["from", "to"].forEach(function (end) {
      document.getElementById("kg-" + end).addEventListener("input", function (event) {
        state[end] = event.target.validity.valid ? event.target.value.trim() : "";
        apply();
      });
    });
    document.getElementById("kg-undated").addEventListener("change", function (event) {
      state.undated = event.target.checked;
      apply();
    });

    // ----------------------------------------------------------- filters
    function dateOk(d) {  // dates are as precise as known: compare the common prefix
      if (!d) return state.undated;
      var from = state.from, to = state.to, w;
      if (from) { w = Math.min(d.length, from.length); if (d.slice(0, w) < from.slice(0, w)) return false; }
      if (to) { w = Math.min(d.length, to.length); if (d.slice(0, w) > to.slice(0, w)) return false; }
      return true;
    }
    var edgeShown = E.map(function () { return true; }), nodeShown = N.map(function () { return true; });
    function apply() {
      var deg = new Int32Array(N.length), nodeUpdates = [], edgeUpdates = [], shownE = 0, shownN = 0;
      E.forEach(function (e, i) {
        var show = state.kinds[kindOf(e.f).name] && state.kinds[kindOf(e.t).name] &&
          state.relations[data.relations[e.y].name] && state.statuses[status(e)] && dateOk(e.d);
        if (show) { deg[e.f]++; deg[e.t]++; shownE++; }
        if (show !== edgeShown[i]) { edgeShown[i] = show; edgeUpdates.push({id: i, hidden: !show}); }
      });
      N.forEach(function (n, i) {
        var show = Boolean(state.kinds[data.kinds[n.k].name]) && (deg[i] > 0 || degree[i] === 0);
        if (show) shownN++;
        if (show !== nodeShown[i]) { nodeShown[i] = show; nodeUpdates.push({id: i, hidden: !show}); }
      });
      nodes.update(nodeUpdates);
      edges.update(edgeUpdates);
      view.shownNodes = shownN;
      view.shownEdges = shownE;
      document.getElementById("kg-count").textContent = "Showing " + shownN + " of " + N.length +
        " nodes and " + shownE + " of " + E.length + " relationships.";
    }

    // ----------------------------------------------------------- network
    var network = view.network = new vis.Network(document.getElementById("kg-graph"),
                                                  {nodes: nodes, edges: edges}, {
      layout: {improvedLayout: N.length <= 150, randomSeed: 7},
      groups: groups,
      nodes: {borderWidth: 1, font: {color: "#222222", size: 14, strokeWidth: 3, strokeColor: "#ffffff"}},
      edges: {arrows: {to: {enabled: true, scaleFactor: 0.6}}, smooth: false, width: 1.5,
              selectionWidth: 2,
              font: {size: 11, align: "horizontal", color: "#444444", strokeWidth: 3, strokeColor: "#ffffff"}},
      interaction: {hover: false, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: false},
      physics: {enabled: N.length > 0, solver: "barnesHut", minVelocity: 1, maxVelocity: 40,
                barnesHut: {theta: big ? 2.0 : 0.5, gravitationalConstant: big ? -3000 : -6000,
                            centralGravity: 0.3, springLength: big ? 80 : 150,
                            springConstant: 0.04, damping: 0.5, avoidOverlap: big ? 0 : 0.3},
                stabilization: {enabled: true, updateInterval: 20, fit: true,
                               iterations: steps}}
    });
    view.marks.network = performance.now();
    function showDashes() {  // dashes only where they can be seen, see DASH_SCALE
      var want = network.getScale() >= DASH_SCALE, changes = [];
      if (want === dashed) return;
      dashed = want;
      E.forEach(function (e, i) { if (e.s) changes.push({id: i, dashes: want ? DASHES[e.s] : false}); });
      edges.update(changes);
    }
    function ready() {
      if (view.ready) return;
      network.setOptions({physics: {enabled: false}});
      if (N.length) network.moveTo({scale: network.getScale() * 0.9});  // room for outer labels
      showDashes();
      view.ready = true;
      view.readyAt = performance.now();
      if (progress) progress.remove();
      document.body.setAttribute("data-kg-ready", "1");
    }
    network.on("stabilizationProgress", function (p) {
      progress.textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", ready);
    network.once("stabilized", ready);
    network.on("zoom", showDashes);
    if (N.length === 0) {
      progress.textContent = "Nothing to show: no relationship from a loaded source matches this view.";
      progress = null;
      ready();
    }

    // ---------------------------------------------- neighbourhood highlight
    var faded = false;
    function highlight(keepNodes, keepEdges) {
      var nodeUpdates = [], edgeUpdates = [];
      N.forEach(function (n, i) {
        var on = !keepNodes || keepNodes.has(i);
        if (faded || !on) {
          nodeUpdates.push({id: i, color: on ? baseColour[n.k] : FADED,
                            font: {color: on ? "#222222" : "#bbbbbb", strokeWidth: on ? 3 : 0}});
        }
      });
      E.forEach(function (e, i) {
        var on = !keepEdges || keepEdges.has(i);
        if (faded || !on) {
          edgeUpdates.push({id: i, color: on ? edgeColour[e.y] : {color: "#e5e5e5", inherit: false},
                            font: {color: on ? "#444444" : "rgba(0,0,0,0)", strokeWidth: on ? 3 : 0}});
        }
      });
      faded = Boolean(keepNodes);
      nodes.update(nodeUpdates);
      edges.update(edgeUpdates);
    }

    // ----------------------------------------------------------- details
    var panel = document.getElementById("kg-details");
    function show(children) {
      panel.replaceChildren.apply(panel, children);
      panel.scrollTop = 0;
    }
    function nodeButton(i) {
      var b = el("button", "kg-link", N[i].n);
      b.type = "button";
      b.addEventListener("click", function () { selectNode(i, true); });
      return b;
    }
    function facts(rows) {
      var dl = el("dl");
      rows.forEach(function (r) {
        if (r[1] !== undefined && r[1] !== null && r[1] !== "") dl.append(el("dt", "", r[0]), el("dd", "", r[1]));
      });
      return dl;
    }
    function sourceItem(index, quotes) {
      var src = data.sources[index] || {t: "unknown source"}, li = el("li"), url = src.u && safeUrl(src.u);
      var title = url ? el("a", "", src.t) : el("strong", "", src.t);
      if (url) {
        title.href = url;
        title.target = "_blank";
        title.rel = "noopener noreferrer";
        title.referrerPolicy = "no-referrer";
      }
      li.append(title, el("div", "kg-meta", [src.k, src.o, src.d].filter(Boolean).join(" · ")));
      if (url) li.append(el("div", "kg-meta", url));
      quotes.forEach(function (q) {
        li.append(el("blockquote", "", "“" + data.strings[q[0]] + "”"));
        if (data.strings[q[1]]) li.append(el("div", "kg-rule", "read by rule " + data.strings[q[1]]));
      });
      return li;
    }
    function showEdge(i) {
      var e = E[i], rel = data.relations[e.y], quotes = {}, order = e.o.slice();
      (e.c || []).forEach(function (c) {
        if (order.indexOf(c[0]) < 0) order.push(c[0]);
        (quotes[c[0]] = quotes[c[0]] || []).push([c[1], c[2]]);
      });
      var head = el("h2"), list = el("ol");
      head.append(nodeButton(e.f), " ", line(rel.colour, DASHES[status(e)]), " " + words(rel.name) + " → ",
                  nodeButton(e.t));
      order.forEach(function (s) { list.append(sourceItem(s, quotes[s] || [])); });
      var parts = [head, el("span", "kg-badge kg-" + status(e), status(e)),
        facts([["Relationship", words(rel.name)], ["Status", status(e)], ["Product", e.p],
               ["Amount", e.m !== undefined ? money.format(e.m) : null], ["Start date", e.d],
               ["From", N[e.f].n + " (" + kindOf(e.f).name + ")"],
               ["To", N[e.t].n + " (" + kindOf(e.t).name + ")"]])];
      if (e.r) parts.push(el("p", "kg-hint", "From the surveillance-kg reference registry, not from a loaded source."));
      parts.push(el("h3", "", "Sources (" + order.length + ")"), list);
      show(parts);
    }
    function showNode(i) {
      var n = N[i], mine = [], list = el("ul");
      E.forEach(function (e, j) { if (e.f === i || e.t === i) mine.push(j); });
      mine.slice(0, 300).forEach(function (j) {
        var e = E[j], type = words(data.relations[e.y].name), li = el("li");
        var b = el("button", "kg-link", e.f === i ? type + " → " + N[e.t].n : N[e.f].n + " " + type + " →");
        b.type = "button";
        b.addEventListener("click", function () { selectEdge(j); });
        li.append(b, " ", el("span", "kg-badge kg-" + status(e), status(e)));
        list.append(li);
      });
      if (mine.length > 300) list.append(el("li", "kg-hint", "and " + (mine.length - 300) + " more"));
      show([el("h2", "", n.n), el("span", "kg-badge", kindOf(i).name),
            facts([["Also known as", (n.a || []).join("; ")], ["Categories", (n.c || []).join("; ")],
                   ["Registry", n.u ? "not in the reference registry (name as the source wrote it)"
                                    : "in the reference registry"]]),
            el("div", "kg-iri", n.i), el("h3", "", "Relationships (" + mine.length + ")"), list]);
    }
    function selectNode(i, move) {
      var keep = new Set([i]);
      network.selectNodes([i]);
      network.getConnectedNodes(i).forEach(function (j) { keep.add(j); });
      highlight(keep, new Set(network.getConnectedEdges(i)));
      showNode(i);
      if (move) network.focus(i, {scale: Math.max(network.getScale(), 1.0), animation: {duration: 400}});
    }
    function selectEdge(j) {
      network.selectEdges([j]);
      highlight(new Set([E[j].f, E[j].t]), new Set([j]));
      showEdge(j);
    }
    network.on("click", function (p) {
      if (p.nodes.length) selectNode(p.nodes[0], false);
      else if (p.edges.length) selectEdge(p.edges[0]);
      else { highlight(null, null); show([el("p", "kg-hint", HINT)]); }
    });

    // ------------------------------------------------------------ search
    function norm(text) {
      return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    }
    var names = [], seen = new Set(), datalist = document.getElementById("kg-names");
    N.forEach(function (n, i) {
      [n.n].concat(n.a || []).forEach(function (name) {
        names.push([norm(name), i]);
        if (!seen.has(name)) {
          seen.add(name);
          var option = el("option");
          option.value = name;
          datalist.append(option);
        }
      });
    });
    function find(query) {  // exact name or alias first, then prefix, then anywhere
      var q = norm(query), tests = [
        function (s) { return s === q; },
        function (s) { return s.indexOf(q) === 0; },
        function (s) { return s.indexOf(q) >= 0; }];
      if (!q) return null;
      for (var t = 0; t < tests.length; t++) {
        var hits = names.filter(function (x) { return tests[t](x[0]); });
        if (hits.length) return (hits.find(function (x) { return nodeShown[x[1]]; }) || hits[0])[1];
      }
      return null;
    }
    document.getElementById("kg-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var query = document.getElementById("kg-search").value, i = find(query);
      var note = document.getElementById("kg-search-status");
      if (i === null) { note.textContent = "No node is called “" + query + "”."; return; }
      note.textContent = nodeShown[i] ? "Found " + N[i].n : N[i].n + " is hidden by the filters";
      selectNode(i, nodeShown[i]);
    });
    apply();
  }

  var element = document.getElementById("kg-data");
  if (element.type === "application/json") {
    start(JSON.parse(element.textContent));
  } else {
    try { unpack(element.textContent).then(start).catch(failed); } catch (error) { failed(error); }
  }
})();
