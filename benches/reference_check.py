"""The core checks of `topoc check`, as a script would do them with tomllib and networkx:
the yardstick of `cargo bench --bench floor` (issue: check at least 30x faster than this).

It mirrors what `topoc check` does on every run of a web gateway topology with the default
lint levels, each check the way a script would write it:

- names are names (letters, digits, hyphens: `invalid-value`), and sites exist
  (`unknown-reference`);
- addresses parse, are unique (`duplicate-address`) and lie in their site's subnet
  (`address-outside-subnet`); FQDNs are unique (`duplicate-fqdn`);
- the graph of nodes and network groups (the transit group included): the parts that
  cannot reach each other (`unreachable-nodes`) and the nodes whose loss cuts it
  (articulation points, which topoc's analysis finds on every run);
- transit nodes with too many nodes behind them (`transit-fanout`), nodes in several groups
  not declared transit (`undeclared-transit`), groups with one member
  (`lonely-network-group`), large groups without a transit node (`flat-network-group`) and
  non-transit groups that span sites (`cross-site-network-group`).

Prints the counts.
"""

import ipaddress
import re
import sys
import tomllib

import networkx

NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def main(path):
    with open(path, "rb") as file:
        topology = tomllib.load(file)
    cluster = topology.get("cluster", {})
    transit_group = cluster.get("transit_group", "transit")
    limit = cluster.get("transit_fanout_limit", 10)
    sites = topology.get("sites", {})
    nodes = topology.get("nodes", {})
    problems = 0
    subnets = {}
    for name, site in sites.items():
        if not NAME.match(name):
            problems += 1
        if "subnet" in site:
            subnets[name] = ipaddress.ip_network(site["subnet"])
    seen = {}
    fqdns = {}
    members = {}
    node_groups = {}
    graph = networkx.Graph()
    for name, node in nodes.items():
        if not NAME.match(name):
            problems += 1
        site = node.get("site")
        if site not in sites:
            problems += 1
        address = ipaddress.ip_address(node["address"])
        if address in seen:
            problems += 1
        seen[address] = name
        if site in subnets and address not in subnets[site]:
            problems += 1
        fqdn = node.get("fqdn")
        if fqdn is not None:
            if fqdn.lower() in fqdns:
                problems += 1
            fqdns[fqdn.lower()] = name
        groups = [group.lower() for group in node.get("network_groups", [site])]
        problems += sum(1 for group in groups if not NAME.match(group))
        if node.get("transit"):
            groups.append(transit_group)
        elif len(groups) > 1:
            problems += 1
        node_groups[name] = groups
        graph.add_node(("node", name))
        for group in groups:
            graph.add_edge(("node", name), ("group", group))
            members.setdefault(group, []).append(name)
    parts = list(networkx.connected_components(graph))
    if len(parts) > 1:
        problems += len(parts)
    cut = [vertex for vertex in networkx.articulation_points(graph) if vertex[0] == "node"]
    for group, names in members.items():
        if group == transit_group:
            continue
        if len(names) == 1:
            problems += 1
        relays = [n for n in names if nodes[n].get("transit")]
        if len(names) > limit and not relays:
            problems += 1
        if not relays and len({nodes[n].get("site") for n in names}) > 1:
            problems += 1
    for name, node in nodes.items():
        if node.get("transit"):
            behind = set()
            for group in node_groups[name]:
                if group == transit_group:
                    continue
                behind.update(n for n in members[group] if n != name)
            if len(behind) > limit:
                problems += 1
    print(f"{len(nodes)} nodes, {len(parts)} parts, {len(cut)} cut nodes, {problems} problems")


if __name__ == "__main__":
    main(sys.argv[1])
