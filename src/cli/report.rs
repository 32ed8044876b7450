//! `topoc report`: the interactive HTML report for architects.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use topoc::emit::report_html::{MARKER, html};

use super::common::{Needs, resolved};
use super::error::{Error, Exit};

#[derive(Debug, clap::Args)]
pub(super) struct ReportArgs {
    /// The topology file
    file: PathBuf,
    /// Where to write the page (`-`: standard output)
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Replace a file that is not an earlier topoc report
    #[arg(long)]
    force: bool,
}

pub(super) fn run_report(args: &ReportArgs) -> Result<Exit, Error> {
    let resolved = match resolved(&args.file, Needs::Model)? {
        Ok(resolved) => resolved,
        Err(exit) => return Ok(exit),
    };
    let page = html(&resolved.model, &resolved.analysis, &resolved.report);
    if args.output == Path::new("-") {
        super::common::write_stdout(&page)?;
        return Ok(Exit::Clean);
    }
    if !args.force && !replaceable(&args.output) {
        return Err(Error::NotAReport(args.output.clone()));
    }
    write_whole(&args.output, page.as_bytes()).map_err(|error| Error::Create {
        path: args.output.clone(),
        error,
    })?;
    eprintln!(
        "wrote `{}`: {} nodes, {} kB",
        args.output.display(),
        resolved.model.nodes.len(),
        page.len().div_ceil(1000)
    );
    Ok(Exit::Clean)
}

/// Whether `path` may be written: nothing there, or an earlier report (its first line).
fn replaceable(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Err(error) => error.kind() == std::io::ErrorKind::NotFound,
        Ok(metadata) if !metadata.is_file() => false,
        Ok(_) => {
            let mut start = vec![0; MARKER.len()];
            std::fs::File::open(path)
                .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut start))
                .is_ok_and(|()| start == MARKER.as_bytes())
        }
    }
}

/// `bytes` as the whole of `path`: written beside it, then renamed over it, so that a
/// reader never sees half a page.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}
