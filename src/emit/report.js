// topoc report: draws the topology the data describes, and answers questions about it.
// No request leaves the page; every position comes from topoc, so the picture is the same
// on every run. Deep links: #node=NAME, #route=A,B, #search=TEXT, #click=NAME.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const svg = document.getElementById("picture");
  const details = document.getElementById("details");
  const nodes = data.nodes;
  const byName = new Map();
  nodes.forEach((node, index) => byName.set(node.name, index));
  const siteByName = new Map();
  data.sites.forEach((site, index) => siteByName.set(site.name, index));
  const open = data.sites.map(() => !data.collapsed);
  let selected = null;
  let view = { x: 0, y: 0, w: data.width, h: data.height };

  function element(name, attributes, parent) {
    const made = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) made.setAttribute(key, value);
    if (parent) parent.appendChild(made);
    return made;
  }
  function html(tag, text, parent, className) {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    if (parent) parent.appendChild(made);
    return made;
  }

  // Where a node is drawn: its own place, or its site's centre while the site is closed.
  function place(index) {
    const node = nodes[index];
    if (open[node.site]) return [node.x, node.y];
    const site = data.sites[node.site];
    return [site.x + site.w / 2, site.y + site.h / 2 + 8];
  }

  const viewport = element("g", { id: "viewport" }, svg);
  const siteLayer = element("g", { class: "sites" }, viewport);
  const edgeLayer = element("g", { class: "edges" }, viewport);
  const routeLayer = element("g", { class: "route" }, viewport);
  const hubLayer = element("g", { class: "hubs" }, viewport);
  const nodeLayer = element("g", { class: "nodes" }, viewport);

  const siteShapes = data.sites.map((site, index) => {
    const group = element("g", { class: "site", "data-site": site.name }, siteLayer);
    element("rect", { x: site.x, y: site.y, width: site.w, height: site.h, rx: 10 }, group);
    const title = element("text", { x: site.x + 10, y: site.y + 18, class: "site-title" }, group);
    title.textContent = (open[index] ? "▾ " : "▸ ") + site.name + " (" + site.nodes.length + ")";
    const closed = element("g", { class: "closed" }, group);
    element("circle", { cx: site.x + site.w / 2, cy: site.y + site.h / 2 + 8, r: 18 }, closed);
    const count = element("text", { x: site.x + site.w / 2, y: site.y + site.h / 2 + 13, "text-anchor": "middle" }, closed);
    count.textContent = site.nodes.length;
    title.addEventListener("click", () => toggleSite(index));
    closed.addEventListener("click", () => toggleSite(index));
    return { group, title, closed };
  });

  const edges = [];
  data.groups.forEach((group, g) => {
    if (group.members.length < 2) return;
    group.members.forEach((member) => {
      const line = element("line", { stroke: group.color, "data-group": group.name }, edgeLayer);
      edges.push({ line, member, g });
    });
    const hub = element("rect", {
      x: group.x - 5, y: group.y - 5, width: 10, height: 10,
      fill: group.color, transform: "rotate(45 " + group.x + " " + group.y + ")",
      class: group.transit ? "hub transit" : "hub",
    }, hubLayer);
    element("title", {}, hub).textContent = "network group " + group.name;
  });

  const nodeShapes = nodes.map((node, index) => {
    const classes = ["node"];
    if (node.transit) classes.push("transit");
    if (index === data.management) classes.push("management");
    const group = element("g", { class: classes.join(" "), "data-name": node.name }, nodeLayer);
    if (index === data.management) element("circle", { r: 15, class: "ring" }, group);
    if (node.transit) element("rect", { x: -10, y: -10, width: 20, height: 20, rx: 3 }, group);
    else element("circle", { r: 10 }, group);
    const label = element("text", { y: 22, "text-anchor": "middle" }, group);
    label.textContent = node.name;
    group.addEventListener("click", (event) => {
      event.stopPropagation();
      if (event.shiftKey && selected !== null && selected !== index) showRoute(selected, index);
      else select(index);
    });
    return group;
  });

  function draw() {
    data.sites.forEach((site, index) => {
      siteShapes[index].title.textContent = (open[index] ? "▾ " : "▸ ") + site.name + " (" + site.nodes.length + ")";
      siteShapes[index].closed.style.display = open[index] ? "none" : "";
    });
    nodeShapes.forEach((shape, index) => {
      const [x, y] = place(index);
      shape.setAttribute("transform", "translate(" + x + " " + y + ")");
      shape.style.display = open[nodes[index].site] ? "" : "none";
    });
    edges.forEach(({ line, member, g }) => {
      const [x, y] = place(member);
      line.setAttribute("x1", x);
      line.setAttribute("y1", y);
      line.setAttribute("x2", data.groups[g].x);
      line.setAttribute("y2", data.groups[g].y);
    });
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  }

  function toggleSite(index) {
    open[index] = !open[index];
    draw();
  }

  function focus(index) {
    const node = nodes[index];
    if (!open[node.site]) {
      open[node.site] = true;
    }
    const w = Math.min(view.w, 900);
    const h = (w * view.h) / view.w;
    view = { x: node.x - w / 2, y: node.y - h / 2, w, h };
    draw();
  }

  function chip(groupIndex, parent) {
    const group = data.groups[groupIndex];
    const made = html("span", group.name, parent, "chip");
    made.style.borderColor = group.color;
    return made;
  }

  function nodeLink(index, parent) {
    const link = html("a", nodes[index].name, parent);
    link.href = "#node=" + encodeURIComponent(nodes[index].name);
    return link;
  }

  function peersOf(index) {
    const peers = new Set();
    nodes[index].groups.forEach((g) => data.groups[g].members.forEach((m) => { if (m !== index) peers.add(m); }));
    return [...peers].sort((a, b) => a - b);
  }

  function routeToManagement(index) {
    const route = [index];
    let at = index;
    while (nodes[at].previous !== null && nodes[at].previous !== undefined && route.length <= nodes.length) {
      at = nodes[at].previous;
      route.push(at);
    }
    return route;
  }

  // Breadth-first over node → its groups → their members: the fewest hops.
  function routeBetween(from, to) {
    const previous = new Map([[from, null]]);
    const groupSeen = new Set();
    const queue = [from];
    while (queue.length) {
      const at = queue.shift();
      if (at === to) break;
      for (const g of nodes[at].groups) {
        if (groupSeen.has(g)) continue;
        groupSeen.add(g);
        for (const member of data.groups[g].members) {
          if (!previous.has(member)) {
            previous.set(member, at);
            queue.push(member);
          }
        }
      }
    }
    if (!previous.has(to)) return null;
    const route = [to];
    while (previous.get(route[route.length - 1]) !== null) route.push(previous.get(route[route.length - 1]));
    return route.reverse();
  }

  function highlight(route) {
    routeLayer.replaceChildren();
    nodeShapes.forEach((shape) => shape.classList.remove("on-route", "selected"));
    if (!route) return;
    for (let i = 0; i + 1 < route.length; i++) {
      const [x1, y1] = place(route[i]);
      const [x2, y2] = place(route[i + 1]);
      element("line", { x1, y1, x2, y2 }, routeLayer);
    }
    route.forEach((index) => nodeShapes[index].classList.add("on-route"));
  }

  function showList(title, route, parent) {
    html("h3", title, parent);
    const list = html("ol", undefined, parent, "route");
    route.forEach((index) => nodeLink(index, html("li", undefined, list)));
  }

  function select(index) {
    selected = index;
    const node = nodes[index];
    focus(index);
    details.replaceChildren();
    html("h2", node.name, details);
    const facts = html("dl", undefined, details);
    const fact = (term, value) => { html("dt", term, facts); html("dd", value, facts); };
    fact("site", data.sites[node.site].name);
    fact("address", node.address + (node.nat ? " (NAT " + node.nat + ")" : ""));
    if (node.transit) fact("role", "transit node");
    if (index === data.management) fact("role", "management node");
    html("h3", "network groups", details);
    const chips = html("p", undefined, details);
    if (node.groups.length === 0) chips.textContent = "none";
    node.groups.forEach((g) => chip(g, chips));
    const peers = peersOf(index);
    html("h3", "peers (" + peers.length + ")", details);
    const peerList = html("p", undefined, details, "peers");
    peers.slice(0, 60).forEach((peer) => { nodeLink(peer, peerList); peerList.append(" "); });
    if (peers.length > 60) peerList.append("and " + (peers.length - 60) + " more");
    html("h3", "if it fails", details);
    html("p", node.cuts > 0
      ? "its failure alone cuts " + node.cuts + " pair" + (node.cuts === 1 ? "" : "s") + " of other nodes apart"
      : "no other node loses contact", details, node.cuts > 0 ? "cuts" : "");
    if (data.management !== null && index !== data.management) {
      if (node.hops === null) {
        html("p", "cannot reach the management node", details, "cuts");
        highlight(null);
      } else {
        const route = routeToManagement(index);
        showList("route to the management node (" + node.hops + " hop" + (node.hops === 1 ? "" : "s") + ")", route, details);
        highlight(route);
      }
    } else {
      highlight(null);
    }
    nodeShapes[index].classList.add("selected");
  }

  function showRoute(from, to) {
    const route = routeBetween(from, to);
    details.replaceChildren();
    html("h2", nodes[from].name + " → " + nodes[to].name, details);
    if (!route) {
      html("p", "no route: they share no chain of network groups", details, "cuts");
      highlight(null);
      return;
    }
    showList("route (" + (route.length - 1) + " hop" + (route.length === 2 ? "" : "s") + ")", route, details);
    highlight(route);
    nodeShapes[from].classList.add("selected");
  }

  // Search: nodes and sites whose name holds the text.
  const search = document.getElementById("search");
  const results = document.getElementById("results");
  function find(text) {
    results.replaceChildren();
    const wanted = text.trim().toLowerCase();
    if (!wanted) return [];
    const found = [];
    nodes.forEach((node, index) => { if (node.name.includes(wanted)) found.push(["node", index]); });
    data.sites.forEach((site, index) => { if (site.name.includes(wanted)) found.push(["site", index]); });
    found.slice(0, 20).forEach(([kind, index]) => {
      const item = html("li", (kind === "node" ? nodes[index].name : "site " + data.sites[index].name), results);
      item.dataset.kind = kind;
      item.addEventListener("click", () => (kind === "node" ? select(index) : openSite(index)));
    });
    return found;
  }
  function openSite(index) {
    open[index] = true;
    const site = data.sites[index];
    const w = Math.max(site.w + 120, 400);
    const h = (w * data.height) / data.width;
    view = { x: site.x - 60, y: site.y - 60, w, h };
    draw();
  }
  search.addEventListener("input", () => find(search.value));
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const found = find(search.value);
    if (found.length) (found[0][0] === "node" ? select : openSite)(found[0][1]);
  });

  // The findings, each leading to its node or site.
  const findings = document.getElementById("findings");
  html("h2", data.findings.length ? "findings (" + data.findings.length + ")" : "no findings", findings);
  const list = html("ul", undefined, findings);
  data.findings.forEach((finding) => {
    const item = html("li", undefined, list, finding.severity);
    html("code", finding.code, item);
    item.append(" " + finding.message);
    const node = finding.nodes.map((name) => byName.get(name)).find((index) => index !== undefined);
    const site = finding.sites.map((name) => siteByName.get(name)).find((index) => index !== undefined);
    if (node !== undefined) item.addEventListener("click", () => select(node));
    else if (site !== undefined) item.addEventListener("click", () => openSite(site));
  });

  // How far the nodes are from the management node.
  const summary = document.getElementById("summary");
  html("h2", "route lengths from " + (data.management !== null ? nodes[data.management].name : "the first node"), summary);
  const table = html("table", undefined, summary);
  const most = Math.max(1, ...data.hops.map(([, count]) => count));
  data.hops.forEach(([hops, count]) => {
    const row = html("tr", undefined, table);
    html("td", hops + " hop" + (hops === 1 ? "" : "s"), row);
    const bar = html("td", undefined, row);
    html("span", undefined, bar, "bar").style.width = Math.round((100 * count) / most) + "px";
    html("td", String(count), row);
  });
  if (data.unreachable) html("p", data.unreachable + " node(s) cannot reach it", summary, "cuts");

  // Pan by dragging, zoom with the wheel around the pointer.
  let drag = null;
  svg.addEventListener("mousedown", (event) => { drag = { x: event.clientX, y: event.clientY, view: { ...view } }; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (event) => {
    if (!drag) return;
    const scale = view.w / svg.clientWidth;
    view.x = drag.view.x - (event.clientX - drag.x) * scale;
    view.y = drag.view.y - (event.clientY - drag.y) * scale;
    draw();
  });
  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const px = view.x + ((event.clientX - box.left) / box.width) * view.w;
    const py = view.y + ((event.clientY - box.top) / box.height) * view.h;
    const factor = event.deltaY > 0 ? 1.2 : 1 / 1.2;
    view = { x: px - (px - view.x) * factor, y: py - (py - view.y) * factor, w: view.w * factor, h: view.h * factor };
    draw();
  }, { passive: false });

  function followHash() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const [command, value] = [hash.split("=")[0], hash.slice(hash.indexOf("=") + 1)];
    if (command === "node" && byName.has(value)) select(byName.get(value));
    if (command === "click" && byName.has(value)) {
      const index = byName.get(value);
      open[nodes[index].site] = true;
      draw();
      nodeShapes[index].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
    if (command === "route") {
      const [from, to] = value.split(",").map((name) => byName.get(name));
      if (from !== undefined && to !== undefined) showRoute(from, to);
    }
    if (command === "search") {
      search.value = value;
      find(value);
    }
  }
  window.addEventListener("hashchange", followHash);
  draw();
  followHash();
  document.body.dataset.ready = "true";
})();
