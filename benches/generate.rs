//! Large synthetic topologies for benchmarks: `sites` sites of `per_site` nodes, split into
//! network groups of `group_size` nodes; the first node of each group is its transit node,
//! and all transit nodes share one transit group. Every site is its own /24.

use std::fmt::Write as _;

pub fn topology(sites: usize, per_site: usize, group_size: usize) -> String {
    let mut text = String::with_capacity(sites * per_site * 100);
    text.push_str(
        "[cluster]\nname = \"generated\"\nversion = \"12.2.4-46412\"\nmanagement_node = \"s0000-n000\"\n\n[ntp]\nservers = [\"10.255.0.1\"]\n",
    );
    for site in 0..sites {
        let (high, low) = (site / 256, site % 256);
        let _ = write!(
            text,
            "\n[sites.s{site:04}]\nsubnet = \"10.{high}.{low}.0/24\"\n"
        );
    }
    for site in 0..sites {
        let (high, low) = (site / 256, site % 256);
        for node in 0..per_site {
            let group = node / group_size;
            let _ = write!(
                text,
                "\n[nodes.s{site:04}-n{node:03}]\nsite = \"s{site:04}\"\naddress = \"10.{high}.{low}.{}\"\nnetwork_groups = [\"s{site:04}-g{group:02}\"]\n",
                node + 1
            );
            if node % group_size == 0 {
                text.push_str("transit = true\n");
            }
        }
    }
    text
}
