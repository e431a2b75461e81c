//! The command line: clap derive types, turned into plain configs before they
//! reach the engine.

use std::{ffi::OsString, io::Write, path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::record::{self, RecordConfig, Target};

const EXAMPLES: &str = "\
Examples:
  systrace record -o ls.bin -- ls -l /       trace ls and its children (as root)
  systrace record -o web.bin -p 1234         attach to a running process until Ctrl-C
  systrace record -a --duration 30s          every process on the machine for 30 s
  systrace show ls.bin                       print the calls, as strace -f would
  systrace show ls.bin -e trace=%file -Z     only file calls that failed
  systrace show ls.bin --thread -T           one block per thread, with durations";

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
    /// One block per thread (or only thread TID), each call on one line.
    #[arg(long, value_name = "TID", num_args = 0..=1, default_missing_value = "0")]
    thread: Option<u32>,
    /// Which calls to show, as strace's: trace=open,close, trace=!write, trace=%file.
    #[arg(short = 'e', value_name = "EXPR")]
    expr: Option<String>,
    /// Only calls that failed.
    #[arg(short = 'Z', long = "failed-only")]
    failed_only: bool,
    /// Only calls that succeeded.
    #[arg(short = 'z', long = "successful-only")]
    successful_only: bool,
    /// Longest string printed.
    #[arg(short = 's', long = "string-limit", default_value_t = 32)]
    strsize: usize,
    /// File descriptors with the path (or socket, pipe) they refer to.
    #[arg(short = 'y')]
    fd_paths: bool,
    /// Strings with unprintable bytes in hex (-xx: every string in hex).
    #[arg(short = 'x', action = clap::ArgAction::Count)]
    hex: u8,
    /// Prefix lines with the time of day (-tt: with microseconds, -ttt: epoch seconds).
    #[arg(short = 't', action = clap::ArgAction::Count)]
    time: u8,
    /// Prefix lines with the time since the previous one.
    #[arg(short = 'r')]
    relative: bool,
    /// Show the time spent in each call.
    #[arg(short = 'T')]
    durations: bool,
    /// Only this process (its threads); repeatable.
    #[arg(long = "pid", value_name = "PID")]
    pids: Vec<u32>,
    /// Only this thread; repeatable.
    #[arg(long = "tid", value_name = "TID")]
    tids: Vec<u32>,
    /// Only events this long after the recording's first one (e.g. 1.5s).
    #[arg(long, value_parser = humantime::parse_duration)]
    since: Option<std::time::Duration>,
    /// Only events up to this long after the recording's first one.
    #[arg(long, value_parser = humantime::parse_duration)]
    until: Option<std::time::Duration>,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
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
            Command::Show(args) => show(args),
        }
    }
}

fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let path = &args.file;
    let trace = format::Trace::open(path).with_context(|| format!("{}", path.display()))?;
    if let Some(recovery) = trace.recovery() {
        eprintln!("systrace: warning: {}: {recovery}", path.display());
    }
    let lost = trace.index().totals.lost.to_native();
    if lost > 0 {
        eprintln!(
            "systrace: warning: {lost} events were lost while recording; the output marks where"
        );
    }
    let options = show_options(&args, &trace)?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(file) => Box::new(
            std::fs::File::create(file).with_context(|| format!("creating {}", file.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    // Lines are short and many: write them out in large blocks.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut out);
    let printed = match args.thread {
        Some(tid) => analyze::print_threads(&trace, (tid != 0).then_some(tid), &options, &mut out),
        None => analyze::print_strace(&trace, &options, &mut out),
    };
    match printed.and_then(|()| Ok(out.flush()?)) {
        // `| head` closed the pipe: the reader has what it wanted.
        Err(analyze::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.with_context(|| format!("{}", path.display()))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The printer's options from the command line (and the trace, for --pid).
fn show_options(args: &ShowArgs, trace: &format::Trace) -> anyhow::Result<analyze::ShowOptions> {
    let mut calls = match &args.expr {
        Some(expr) => analyze::select::CallFilter::parse(expr)?,
        None => analyze::select::CallFilter::default(),
    };
    calls.failed_only = args.failed_only;
    calls.successful_only = args.successful_only;
    let time = match (args.relative, args.time) {
        (true, _) => analyze::TimeFormat::Relative,
        (false, 0) => analyze::TimeFormat::None,
        (false, 1) => analyze::TimeFormat::Seconds,
        (false, 2) => analyze::TimeFormat::Micros,
        (false, _) => analyze::TimeFormat::Epoch,
    };
    let index = trace.index();
    let mut tids = args.tids.clone();
    for pid in &args.pids {
        tids.extend(
            index
                .threads
                .iter()
                .filter(|t| t.pid == *pid)
                .map(|t| t.tid.to_native()),
        );
    }
    let start = index.totals.first_ts.to_native();
    let offset = |d: std::time::Duration| start.saturating_add(d.as_nanos() as u64);
    Ok(analyze::ShowOptions {
        decode: analyze::decode::Options {
            strsize: args.strsize,
            hex: match args.hex {
                0 => analyze::decode::Hex::Never,
                1 => analyze::decode::Hex::NonPrintable,
                _ => analyze::decode::Hex::Always,
            },
            fd_paths: args.fd_paths,
        },
        calls,
        time,
        durations: args.durations,
        events: format::Filter {
            tids: (!args.pids.is_empty() || !args.tids.is_empty()).then_some(tids),
            since: args.since.map(offset),
            until: args.until.map(offset),
        },
    })
}
