//! The command line: clap derive types, turned into plain configs before they
//! reach the engine.

use std::{ffi::OsString, io::Write as _, path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::record::{self, RecordConfig};

const EXAMPLES: &str = "\
Examples:
  systrace record -o ls.bin -- ls -l /     trace ls (run as root)
  systrace show ls.bin                     print the calls, strace style";

/// Record system calls with eBPF, replay them offline.
#[derive(Parser)]
#[command(name = "systrace", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program and record every system call of it and its threads.
    Record(RecordArgs),
    /// Print a recording's calls, one per line, like strace.
    Show(ShowArgs),
}

#[derive(Args)]
struct RecordArgs {
    /// Trace file to write.
    #[arg(short, long, default_value = "systrace.bin")]
    output: PathBuf,
    /// The program to run, and its arguments.
    #[arg(required = true, last = true, value_name = "PROG ARGS")]
    command: Vec<OsString>,
}

#[derive(Args)]
struct ShowArgs {
    /// Trace file to read.
    file: PathBuf,
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Record(args) => {
                let status = record::record(RecordConfig {
                    output: args.output,
                    command: args.command,
                })?;
                Ok(ExitCode::from(status))
            }
            Command::Show(args) => show(&args.file),
        }
    }
}

fn show(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let trace = format::Trace::open(path).with_context(|| format!("{}", path.display()))?;
    if let Some(recovery) = trace.recovery() {
        eprintln!("systrace: warning: {}: {recovery}", path.display());
    }
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::new(stdout);
    match analyze::print_strace(&trace, &mut out).and_then(|()| Ok(out.flush()?)) {
        Err(analyze::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.with_context(|| format!("{}", path.display()))?,
    }
    Ok(ExitCode::SUCCESS)
}
