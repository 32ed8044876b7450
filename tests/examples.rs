//! Every shipped example checks clean, so examples cannot rot.

mod common;

use std::path::Path;

#[test]
fn every_example_checks_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("examples exist") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let source = common::load(&path);
        let checked = common::check(&source);
        assert!(
            checked.report.diagnostics.is_empty(),
            "{} is not clean:\n{}",
            source.name,
            common::render_both(&source, &checked)
        );
        assert!(checked.model.is_some(), "{} did not resolve", source.name);
        seen += 1;
    }
    assert!(seen >= 3, "expected the three seed examples, found {seen}");
}

#[test]
fn seed_layouts_have_the_shape_the_seed_describes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let larger = common::check(&common::load(&root.join("examples/larger-cluster.toml")));
    let model = larger.model.expect("larger cluster resolves");
    let names: Vec<&str> = model
        .network_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "nynet1",
            "nynet2",
            "paderborn",
            "toknet1",
            "toknet2",
            "transit"
        ]
    );
    let updates: Vec<&str> = model
        .update_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(updates, ["newyork", "paderborn", "tokyo"]);
    let transit_nodes: Vec<&str> = model
        .node_ids()
        .filter(|&node| model.is_declared_transit(node) && model.relays(node))
        .map(|node| model.node(node).name.as_str())
        .collect();
    assert_eq!(transit_nodes, ["ny-1", "ny-6", "pb-1", "tok-1", "tok-7"]);
    assert_eq!(larger.analysis.expect("analysed").parts.len(), 1);
}
