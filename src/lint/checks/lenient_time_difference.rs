use crate::finding::level::Level;
use crate::finding::{Class, Finding, Scope, declare_lint};
use crate::lint::Context;
use crate::model::{Located, MAX_CLOCK_DIFFERENCE, Settings};

declare_lint! {
    /// An allowed time difference above the vendor's two minutes.
    ///
    /// "If the times get out of sync (more than 2 minutes), CM communication will fail"
    /// (seed: Central Management); nodes whose clocks differ more are refused with
    /// "405 - time difference too high". Allowing more than two minutes
    /// (`allowed_time_difference`) hides clocks that are already wrong instead of fixing
    /// them, and configuration may be taken from the node with the wrong time.
    ///
    /// Keep `allowed_time_difference` at two minutes or less, and give every node NTP.
    "lenient-time-difference",
    Class::Lint(Level::Warn),
    Scope::Swg
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let model = context.model;
    push(findings, &model.cluster.settings, "the cluster", None);
    for node in model.nodes.iter().filter(|node| node.settings.is_some()) {
        let whose = format!("node `{}`", node.name);
        push(findings, node.settings(), &whose, Some(&node.name));
    }
}

fn push(findings: &mut Vec<Finding>, settings: &Settings, whose: &str, node: Option<&str>) {
    let Some(Located { value, span }) = &settings.allowed_time_difference else {
        return;
    };
    if *value <= MAX_CLOCK_DIFFERENCE {
        return;
    }
    findings.push(
        Finding::new(
            &LINT,
            *span,
            format!(
                "{whose} allows clocks to differ by {}, more than the vendor's two minutes",
                humantime::format_duration(*value)
            ),
        )
        .label("above two minutes")
        .help("set `allowed_time_difference` to \"2m\" or less, and keep the clocks in sync with NTP")
        .nodes(node.map(str::to_owned)),
    );
}
