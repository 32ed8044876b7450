//! `topoc man`: the manual pages, one for `topoc` and one for every subcommand
//! (`topoc-check.1`, `topoc-ca-rotate.1`, …), each with its EXIT STATUS and EXAMPLES.

use std::path::PathBuf;

use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};
use topoc::finding::plural;

use super::common::write_stdout;
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Exit status: 0 when the pages are written, 2 when they cannot be.\n\n\
    Examples:\n  topoc man | man -l -\n  topoc man --dir /usr/local/share/man/man1"
)]
pub(super) struct ManArgs {
    /// Write every page (`topoc.1` and one per subcommand) into DIR instead of printing
    /// `topoc.1`
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// What a page says about how its command ends, and how it is used: by page name.
const NOTES: &[(&str, &str, &[&str])] = &[
    (
        "topoc",
        "0 on success; 1 when a topology has findings at error level, `build --check` finds drift, `route` finds no route, `what-if` loses pairs, `probe` sees a check fail or `certs` a certificate that does not fit; 2 on a usage, input or I/O error; 3 from `diff --exit-code` when the topologies differ.",
        &["topoc check cluster.toml", "topoc build cluster.toml"],
    ),
    (
        "topoc-check",
        "0 when no file has a finding at error level; 1 when one has; 2 when a file cannot be read or a flag is wrong (the worst over all the files).",
        &[
            "topoc check cluster.toml",
            "topoc check --format sarif cluster.toml > topoc.sarif",
            "git show HEAD:cluster.toml | topoc check - --stdin-filename cluster.toml",
        ],
    ),
    (
        "topoc-build",
        "0 when the output is written (with --check: up to date); 1 when the topology has findings at error level, the output drifted (--check), or plaintext keys would land in git with --deny-warnings; 2 on a usage, key material or I/O error, with nothing written.",
        &[
            "topoc build cluster.toml",
            "topoc build --check cluster.toml",
            "TOPOC_AGE_KEY=\"$(cat ci.key)\" topoc build cluster.toml",
        ],
    ),
    (
        "topoc-graph",
        "0 when the picture is printed; 1 when the topology has findings at error level; 2 on a usage error.",
        &["topoc graph cluster.toml | dot -Tsvg > cluster.svg"],
    ),
    (
        "topoc-report",
        "0 when the page is written (findings are in it); 1 when the topology does not resolve; 2 on a usage or I/O error, or when the output file is not an earlier report (without --force).",
        &[
            "topoc report cluster.toml -o report.html",
            "topoc report cluster.toml -o report.html && xdg-open report.html",
        ],
    ),
    (
        "topoc-certs",
        "0 when every certificate fits the topology; 1 when one does not (a name missing, another CA, a different ca.pem, an error-level expiry); 2 on a usage or input error.",
        &[
            "topoc certs cluster.toml",
            "topoc certs cluster.toml --valid-for 90d --format json",
        ],
    ),
    (
        "topoc-ca",
        "As its subcommand.",
        &["topoc ca rotate cluster.toml"],
    ),
    (
        "topoc-ca-rotate",
        "0 when the CA is replaced; 1 when the topology has errors; 2 when the CA is kept outside topoc, or on a key material or I/O error.",
        &["topoc ca rotate cluster.toml && topoc build cluster.toml"],
    ),
    (
        "topoc-import-seg",
        "0 when the topology is printed; 2 when the file cannot be read or imported.",
        &["topoc import-seg AppClusterDirectory.xml > cluster.toml"],
    ),
    (
        "topoc-schema",
        "0.",
        &["topoc schema > topology.schema.json"],
    ),
    (
        "topoc-init",
        "0 when the files are written; 2 when one exists already or cannot be written.",
        &["topoc init demo && cd demo && topoc build topology.toml"],
    ),
    (
        "topoc-route",
        "0 when a route exists; 1 when there is none or the topology has errors; 2 on a usage error.",
        &["topoc route cluster.toml tok-2 ny-2"],
    ),
    (
        "topoc-what-if",
        "0 when every surviving pair still reaches each other; 1 when pairs lose contact or the topology has errors; 2 on a usage error.",
        &[
            "topoc what-if cluster.toml --down tok-1",
            "topoc what-if cluster.toml --each",
        ],
    ),
    (
        "topoc-matrix",
        "0 when the matrix is printed; 1 when the topology has errors; 2 on a usage error.",
        &["topoc matrix cluster.toml"],
    ),
    (
        "topoc-diff",
        "0 when NEW has no error (with --exit-code: and nothing changes); 1 when NEW has errors; 2 on a usage or input error; 3 with --exit-code when the topologies differ.",
        &[
            "topoc diff old.toml new.toml",
            "topoc diff --exit-code old.toml new.toml",
        ],
    ),
    (
        "topoc-plan",
        "As its subcommands.",
        &[
            "topoc plan join cluster.toml",
            "topoc plan upgrade cluster.toml --to 12.2.6",
        ],
    ),
    (
        "topoc-plan-join",
        "0 when the plan is printed; 1 when the topology has errors; 2 on a usage error.",
        &["topoc plan join cluster.toml --format json"],
    ),
    (
        "topoc-plan-upgrade",
        "0 when the plan is printed; 1 when the topology has errors; 2 on a version that is not complete, a downgrade without --allow-downgrade, or a usage error.",
        &["topoc plan upgrade cluster.toml --to 12.2.6-48000"],
    ),
    (
        "topoc-probe",
        "0 when every check passes; 1 when any fails; 2 on a usage or input error.",
        &[
            "topoc probe cluster.toml --from proxy1a --ntp",
            "topoc probe cluster.toml --listen proxy2b --bind 127.0.0.2",
        ],
    ),
    (
        "topoc-secrets",
        "As its subcommands.",
        &["topoc secrets status cluster.toml --identity ci.key"],
    ),
    (
        "topoc-secrets-encrypt",
        "0 when every plaintext secret is encrypted; 1 when the topology has errors; 2 without recipients, or on an I/O error.",
        &["topoc secrets encrypt cluster.toml"],
    ),
    (
        "topoc-secrets-rekey",
        "0 when every encrypted secret is encrypted anew; 1 when the topology has errors; 2 without recipients or an identity that opens them.",
        &["topoc secrets rekey cluster.toml --identity ci.key"],
    ),
    (
        "topoc-secrets-status",
        "0 when the state is printed; 1 when the topology has errors; 2 on an I/O error.",
        &["topoc secrets status cluster.toml --format json"],
    ),
    (
        "topoc-completions",
        "0.",
        &["topoc completions bash > /etc/bash_completion.d/topoc"],
    ),
    (
        "topoc-man",
        "0 when the pages are written; 2 when they cannot be.",
        &["topoc man --dir /usr/local/share/man/man1"],
    ),
    (
        "topoc-explain",
        "0 when the code is explained; 2 when no code has that name.",
        &["topoc explain unreachable-nodes", "topoc explain --list"],
    ),
];

pub(super) fn run_man(args: &ManArgs, command: Command) -> Result<Exit, Error> {
    let mut command = without_help_subcommands(command);
    command.build();
    let Some(dir) = &args.dir else {
        write_stdout(&String::from_utf8_lossy(&page(&command)?))?;
        return Ok(Exit::Clean);
    };
    std::fs::create_dir_all(dir).map_err(|error| Error::CreateDir {
        path: dir.clone(),
        error,
    })?;
    let mut pages = Vec::new();
    every_command(&command, &mut pages);
    for command in &pages {
        let path = dir.join(format!("{}.1", display_name(command)));
        std::fs::write(&path, page(command)?).map_err(|error| Error::Create { path, error })?;
    }
    write_stdout(&format!(
        "wrote {} to `{}`\n",
        plural(pages.len() as u64, "page"),
        dir.display()
    ))?;
    Ok(Exit::Clean)
}

/// `command` without the `help` subcommands clap adds, which have no page of their own
/// (`--help` is on every page).
fn without_help_subcommands(command: Command) -> Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(command.disable_help_subcommand(true), |command, name| {
            command.mut_subcommand(name, without_help_subcommands)
        })
}

/// `command` and every subcommand below it but `help`, depth first.
fn every_command<'c>(command: &'c Command, pages: &mut Vec<&'c Command>) {
    pages.push(command);
    for sub in command.get_subcommands() {
        if sub.get_name() != "help" && !sub.is_hide_set() {
            every_command(sub, pages);
        }
    }
}

/// The page's name: `topoc`, `topoc-check`, `topoc-ca-rotate`.
fn display_name(command: &Command) -> &str {
    command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
}

/// The page of `command`: clap's sections, then EXIT STATUS and EXAMPLES.
fn page(command: &Command) -> Result<Vec<u8>, Error> {
    let man = Man::new(command.clone())
        .source(format!("topoc {}", env!("CARGO_PKG_VERSION")))
        .manual("topoc manual");
    let mut buffer = Vec::new();
    let mut render = || -> std::io::Result<()> {
        man.render_title(&mut buffer)?;
        man.render_name_section(&mut buffer)?;
        man.render_synopsis_section(&mut buffer)?;
        man.render_description_section(&mut buffer)?;
        man.render_options_section(&mut buffer)?;
        if command.has_subcommands() {
            man.render_subcommands_section(&mut buffer)?;
        }
        notes(display_name(command)).to_writer(&mut buffer)?;
        if command.get_version().is_some() {
            man.render_version_section(&mut buffer)?;
        }
        Ok(())
    };
    render().map_err(Error::Man)?;
    Ok(buffer)
}

/// EXIT STATUS and EXAMPLES of the page `name`.
fn notes(name: &str) -> Roff {
    let (exit, examples) = NOTES
        .iter()
        .find(|(page, _, _)| *page == name)
        .map_or(("See topoc(1).", &[][..]), |(_, exit, examples)| {
            (*exit, *examples)
        });
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(exit)]);
    roff.control("SH", ["EXAMPLES"]);
    for example in examples {
        roff.control("PP", []);
        roff.text([bold(*example)]);
    }
    roff
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn every_command_has_its_exit_status_and_examples() {
        let mut command = without_help_subcommands(super::super::Cli::command());
        command.build();
        let mut pages = Vec::new();
        every_command(&command, &mut pages);
        let names: Vec<&str> = pages.iter().map(|page| display_name(page)).collect();
        for name in &names {
            let noted = NOTES.iter().find(|(page, _, _)| page == name);
            assert!(
                noted.is_some_and(|(_, _, examples)| !examples.is_empty()),
                "`{name}` needs its exit status and examples"
            );
        }
        for (page, _, _) in NOTES {
            assert!(names.contains(page), "`{page}` is no command any more");
        }
    }
}
