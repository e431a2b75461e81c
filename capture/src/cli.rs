//! The command line: clap derive types, turned into plain configs before they
//! reach the engine.

use std::{ffi::OsString, io::Write as _, path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::record::{self, RecordConfig, Target};

const EXAMPLES: &str = "\
Examples:
  systrace record -o ls.bin -- ls -l /       trace ls and its children (as root)
  systrace record -o web.bin -p 1234         attach to a running process until Ctrl-C
  systrace record -a --duration 30s          every process on the machine for 30 s
  systrace show ls.bin                       print the calls, strace style";

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
#[command(group(clap::ArgGroup::new("target").required(true).args(["command", "pid", "all"])))]
struct RecordArgs {
    /// Trace file to write (created with mode 0600: it holds buffer contents).
    #[arg(short, long, default_value = "systrace.bin")]
    output: PathBuf,
    /// Bytes copied from each user buffer (string, I/O data, struct).
    #[arg(short = 's', long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=200))]
    snaplen: u32,
    /// Attach to this process (all its threads and future children); repeatable.
    #[arg(short, long, value_name = "PID")]
    pid: Vec<u32>,
    /// Trace every process on the machine except systrace itself.
    #[arg(short, long)]
    all: bool,
    /// Stop recording after this long (e.g. 30s, 2m, 500ms).
    #[arg(long, value_parser = humantime::parse_duration)]
    duration: Option<std::time::Duration>,
    /// Run the program as this user (default under sudo: the user who ran sudo).
    #[arg(short, long, value_name = "USER")]
    user: Option<String>,
    /// The program to run, and its arguments.
    #[arg(last = true, value_name = "PROG ARGS")]
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
                let target = if args.all {
                    Target::All
                } else if !args.pid.is_empty() {
                    Target::Pids(args.pid)
                } else {
                    Target::Command(args.command)
                };
                let status = record::record(RecordConfig {
                    output: args.output,
                    snaplen: args.snaplen,
                    target,
                    duration: args.duration,
                    user: args.user,
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
