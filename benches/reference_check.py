"""The core checks of `topoc check`, as a script would do them with tomllib and networkx:
the yardstick of `cargo bench --bench floor` (issue: check at least 30x faster than this).

Reads a topology, resolves site references, finds duplicate addresses, builds the graph of
nodes and network groups (the transit group included), reports the parts that cannot reach
each other and the transit nodes with too many nodes behind them. Prints the counts.
"""

import ipaddress
import sys
import tomllib

import networkx


def main(path):
    with open(path, "rb") as file:
        topology = tomllib.load(file)
    cluster = topology.get("cluster", {})
    transit_group = cluster.get("transit_group", "transit")
    limit = cluster.get("transit_fanout_limit", 10)
    sites = topology.get("sites", {})
    nodes = topology.get("nodes", {})
    problems = 0
    seen = {}
    graph = networkx.Graph()
    for name, node in nodes.items():
        if node.get("site") not in sites:
            problems += 1
        address = ipaddress.ip_address(node["address"])
        if address in seen:
            problems += 1
        seen[address] = name
        groups = list(node.get("network_groups", [node.get("site")]))
        if node.get("transit"):
            groups.append(transit_group)
        graph.add_node(("node", name))
        for group in groups:
            graph.add_edge(("node", name), ("group", group))
    parts = list(networkx.connected_components(graph))
    if len(parts) > 1:
        problems += len(parts)
    for name, node in nodes.items():
        if node.get("transit"):
            behind = set()
            for group in graph.neighbors(("node", name)):
                if group[1] == transit_group:
                    continue
                behind.update(n for n in graph.neighbors(group) if n != ("node", name))
            if len(behind) > limit:
                problems += 1
    print(f"{len(nodes)} nodes, {len(parts)} parts, {problems} problems")


if __name__ == "__main__":
    main(sys.argv[1])
