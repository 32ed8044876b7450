//! `topoc plan join` and `topoc plan upgrade`: the order to add the nodes in, and the
//! vendor's upgrade procedure, for this cluster.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use topoc::emit::runbook;
use topoc::model::values;
use topoc::plan::{join, upgrade};

use super::common::{Needs, resolved, write_json, write_stdout};
use super::error::{Error, Exit};

#[derive(Debug, Subcommand)]
pub(super) enum PlanCommand {
    /// The order in which to add the nodes, each from a node already in the cluster, with
    /// the checks to run first
    Join(JoinArgs),
    /// The vendor's upgrade procedure for this cluster: every node out, upgraded, back in
    Upgrade(UpgradeArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlanFormat {
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub(super) struct JoinArgs {
    /// The topology file
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    format: PlanFormat,
}

#[derive(Debug, clap::Args)]
pub(super) struct UpgradeArgs {
    /// The topology file
    file: PathBuf,
    /// The version to upgrade to, such as `12.2.6` or `12.2.6-48000`
    #[arg(long, value_name = "VERSION")]
    to: String,
    /// Plan going to an older version than the cluster runs
    #[arg(long)]
    allow_downgrade: bool,
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    format: PlanFormat,
}

pub(super) fn run_join(args: &JoinArgs) -> Result<Exit, Error> {
    let model = match resolved(&args.file, Needs::Clean)? {
        Ok(resolved) => resolved.model,
        Err(exit) => return Ok(exit),
    };
    match args.format {
        PlanFormat::Json => write_json(&join::plan(&model))?,
        PlanFormat::Markdown => write_stdout(&runbook::join_plan(&model))?,
    }
    Ok(Exit::Clean)
}

pub(super) fn run_upgrade(args: &UpgradeArgs) -> Result<Exit, Error> {
    let to = values::version(&args.to).map_err(Error::BadVersion)?;
    let model = match resolved(&args.file, Needs::Clean)? {
        Ok(resolved) => resolved.model,
        Err(exit) => return Ok(exit),
    };
    // What the cluster runs: its version, else the highest a node states.
    let current = model
        .cluster
        .version
        .as_ref()
        .map(|v| v.value.clone())
        .or_else(|| {
            model
                .nodes
                .iter()
                .filter_map(|node| node.version.as_ref().map(|v| v.value.clone()))
                .max_by(|a, b| values::compare_versions(a, b))
        });
    if let Some(current) = current
        && values::compare_versions(&to, &current).is_lt()
        && !args.allow_downgrade
    {
        return Err(Error::Downgrade { from: current, to });
    }
    let plan = upgrade::plan(&model, &to);
    match args.format {
        PlanFormat::Json => write_json(&plan)?,
        PlanFormat::Markdown => write_stdout(&upgrade::markdown(&model, &plan))?,
    }
    Ok(Exit::Clean)
}
