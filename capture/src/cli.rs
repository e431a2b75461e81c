//! The command line: clap derive types, turned into plain configs before they
//! reach the engine.

use std::{
    ffi::OsString,
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::{
    output::{Kind, Output, partial_name},
    record::{self, RecordConfig, Target},
};

const EXAMPLES: &str = "\
Examples:
  systrace record -o ls.bin -- ls -l /       trace ls and its children (as root)
  systrace record -o web.bin -p 1234         attach to a running process until Ctrl-C
  systrace record -a --duration 30s          every process on the machine for 30 s
  systrace show ls.bin                       print the calls, as strace -f would
  systrace show ls.bin -e trace=%file -Z     only file calls that failed
  systrace show ls.bin --thread -T           one block per thread, with durations
  systrace stats ls.bin                      strace -c's table (time is enter to exit)
  systrace stats ls.bin --by file            opens and bytes per path, by which processes
  systrace export --perfetto ls.json ls.bin  a timeline for ui.perfetto.dev";

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
    /// Summarise a recording: strace -c's table, and breakdowns.
    Stats(StatsArgs),
    /// Write a recording in another tool's format.
    Export(ExportArgs),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["command", "pid", "all"])))]
struct RecordArgs {
    /// Trace file to write, mode 0600 (it holds buffer contents); written as
    /// FILE.partial until the recording ends.
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
    /// Run the program as this user, a name or a uid (default under sudo: the
    /// user who ran sudo).
    #[arg(short, long, value_name = "USER")]
    user: Option<String>,
    /// The program to run, and its arguments.
    #[arg(last = true, value_name = "PROG ARGS")]
    command: Vec<OsString>,
}

/// Which calls and events a view reads (shared by show, stats and export).
#[derive(Args)]
struct Selection {
    /// Which calls, as strace's: trace=open,close, trace=!write, trace=%file.
    #[arg(short = 'e', value_name = "EXPR")]
    expr: Option<String>,
    /// Only calls that failed.
    #[arg(short = 'Z', long = "failed-only")]
    failed_only: bool,
    /// Only calls that succeeded.
    #[arg(short = 'z', long = "successful-only")]
    successful_only: bool,
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
}

#[derive(Args)]
struct ShowArgs {
    /// Trace file to read (- for standard input).
    file: PathBuf,
    /// One block per thread (or, as --thread=TID, only thread TID), each call on one line.
    #[arg(
        long,
        value_name = "TID",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "0"
    )]
    thread: Option<u32>,
    /// One JSON object per call and line: tid, pid, ts, duration_ns, name, args, ret, errno.
    #[arg(long, conflicts_with = "thread")]
    json: bool,
    #[command(flatten)]
    select: Selection,
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
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct StatsArgs {
    /// Trace file to read (- for standard input).
    file: PathBuf,
    #[command(flatten)]
    select: Selection,
    /// Rows per syscall (strace -c's table), process, thread, errno, or file
    /// (opens, bytes read and written, by which processes).
    #[arg(long, value_enum, default_value = "syscall")]
    by: ByArg,
    /// Order rows by time, calls, name or errors (largest first).
    #[arg(short = 'S', value_enum, default_value = "time")]
    sort: SortArg,
    /// Latency percentiles per syscall (p50, p90, p99, max).
    #[arg(long)]
    latency: bool,
    /// A log2 histogram of SYSCALL's latencies.
    #[arg(long, value_name = "SYSCALL")]
    hist: Option<String>,
    /// mmap's mappings: private or shared, anonymous or file-backed, sizes.
    #[arg(long)]
    mmap: bool,
    /// The opens that created temporary files (O_TMPFILE, O_CREAT|O_EXCL under /tmp).
    #[arg(long)]
    tmpfiles: bool,
    /// Everything counted, as one JSON object.
    #[arg(long)]
    json: bool,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ByArg {
    Syscall,
    Process,
    Thread,
    Errno,
    File,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Time,
    Calls,
    Name,
    Errors,
}

#[derive(Args)]
struct ExportArgs {
    /// Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing.
    #[arg(long, value_name = "OUT")]
    perfetto: PathBuf,
    /// Trace file to read (- for standard input).
    file: PathBuf,
    #[command(flatten)]
    select: Selection,
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
            Command::Stats(args) => stats(args),
            Command::Export(args) => export(args),
        }
    }
}

fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let path = &args.file;
    let trace = open_trace(path)?;
    let options = show_options(&args, &trace)?;
    write_view(path, args.output.as_deref(), Kind::Text, |out| {
        match args.thread {
            _ if args.json => analyze::print_json(&trace, &options, out),
            Some(tid) => analyze::print_threads(&trace, (tid != 0).then_some(tid), &options, out),
            None => analyze::print_strace(&trace, &options, out),
        }
    })?;
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}

/// Runs a view that reads `input` and writes to `to` (standard output when
/// `None`), in large blocks. A failed write names the output, a bad trace the
/// input; a closed pipe (`| head`) is no error, the reader has what it
/// wanted. A file is complete or not there at all.
fn write_view(
    input: &Path,
    to: Option<&Path>,
    kind: Kind,
    view: impl FnOnce(&mut dyn Write) -> Result<(), analyze::Error>,
) -> anyhow::Result<()> {
    let output = to.map(|path| Output::create(path, kind)).transpose()?;
    let written = match &output {
        Some(file) => buffered(file.file(), view),
        None => buffered(std::io::stdout().lock(), view),
    };
    match written {
        Ok(()) => {}
        Err(analyze::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(analyze::Error::Io(e)) => {
            let name = to.map_or("standard output".into(), |p| p.display().to_string());
            return Err(e).with_context(|| format!("writing {name}"));
        }
        Err(e) => return Err(e).with_context(|| format!("{}", input.display())),
    }
    output.map_or(Ok(()), Output::commit)
}

fn buffered(
    out: impl Write,
    view: impl FnOnce(&mut dyn Write) -> Result<(), analyze::Error>,
) -> Result<(), analyze::Error> {
    // Lines are short and many: write them out in large blocks.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    view(&mut out)?;
    Ok(out.flush()?)
}

/// Opens a trace to read, warning about a rebuilt index and lost events.
fn open_trace(path: &Path) -> anyhow::Result<format::Trace> {
    let trace = open_input(path).with_context(|| format!("{}", path.display()))?;
    if let Some(recovery) = trace.recovery() {
        eprintln!("systrace: warning: {}: {recovery}", path.display());
    }
    if let Some(next) = trace.concatenated() {
        eprintln!(
            "systrace: warning: {}: holds more than one trace; reading the first, \
             the next begins at byte {next} (split them with head -c {next})",
            path.display()
        );
    }
    let lost = trace.index().totals.lost.to_native();
    if lost > 0 {
        eprintln!(
            "systrace: warning: {lost} events were lost while recording; the output marks where"
        );
    }
    Ok(trace)
}

/// A trace file is mapped. A pipe or FIFO (`-` is standard input) is copied
/// into an anonymous file first, since a trace is read by seeking in it;
/// anything else is refused, saying what it is.
fn open_input(path: &Path) -> anyhow::Result<format::Trace> {
    use std::os::{fd::AsFd as _, unix::fs::OpenOptionsExt as _};
    let file = if path.as_os_str() == "-" {
        std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?)
    } else {
        // Not blocking in open: a FIFO without a writer would hang there.
        match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && partial_name(path).exists() => {
                anyhow::bail!(
                    "no such file; a recording still running or cut short is at {}",
                    partial_name(path).display()
                )
            }
            other => other?,
        }
    };
    let meta = file.metadata()?;
    let ty = meta.file_type();
    use std::os::unix::fs::FileTypeExt as _;
    if ty.is_file() {
        return Ok(format::Trace::from_file(&file)?);
    }
    if ty.is_fifo() || ty.is_socket() {
        return Ok(format::Trace::from_file(&copy_to_memory(file)?)?);
    }
    let what = crate::output::describe(&meta);
    if path.as_os_str() == "-" {
        anyhow::bail!(
            "standard input is {what}, not a trace: redirect or pipe a trace file into it"
        );
    }
    anyhow::bail!("is {what}, not a trace file");
}

/// The whole of a stream, in an anonymous file (memfd) that can be mapped.
fn copy_to_memory(mut stream: std::fs::File) -> anyhow::Result<std::fs::File> {
    use std::os::fd::FromRawFd as _;
    // Opened without blocking (see `open_input`); reads from now on block.
    crate::output::set_blocking(&stream)?;
    // SAFETY: memfd_create with a static name; the result is checked.
    let fd = unsafe { libc::memfd_create(c"systrace-input".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()).context("creating an anonymous file");
    }
    // SAFETY: a new descriptor nobody else owns.
    let mut copy = unsafe { std::fs::File::from_raw_fd(fd) };
    std::io::copy(&mut stream, &mut copy).context("reading the trace from the pipe")?;
    Ok(copy)
}

/// Says which corrupt chunks a view read past.
fn warn_skipped(path: &Path, trace: &format::Trace) {
    for skip in trace.skipped() {
        eprintln!("systrace: warning: {}: {skip}", path.display());
    }
}

fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    use analyze::stats::{self, By, SortBy, report};
    let path = &args.file;
    let trace = open_trace(path)?;
    let (calls, events) = selection(&args.select, &trace)?;
    let arch = trace.header().arch.as_str().to_owned();
    let sort = match args.sort {
        SortArg::Time => SortBy::Time,
        SortArg::Calls => SortBy::Calls,
        SortArg::Name => SortBy::Name,
        SortArg::Errors => SortBy::Errors,
    };
    let by = match args.by {
        ByArg::Syscall => By::Syscall,
        ByArg::Process => By::Process,
        ByArg::Thread => By::Thread,
        ByArg::Errno => By::Errno,
        ByArg::File => By::File,
    };
    let hist = match &args.hist {
        Some(name) => Some(
            analyze::syscalls::number(&arch, name)
                .with_context(|| format!("--hist: no syscall named {name} on {arch}"))?,
        ),
        None => None,
    };
    let want = stats::Want {
        latency: args.latency || hist.is_some() || args.json,
        processes: by == By::Process || args.json,
        threads: by == By::Thread || args.json,
        errnos: by == By::Errno || args.json,
        mmap: args.mmap || args.json,
    };
    let plan = stats::Plan::new(&trace, &calls, &events, want);
    let tally = with_progress(trace.index().chunks.len() as u64, |tick| {
        stats::tally(&trace, &plan, 2, tick)
    })
    .with_context(|| format!("{}", path.display()))?;
    let files = if by == By::File || args.tmpfiles {
        Some(
            stats::files::collect(&trace, &calls, &events)
                .with_context(|| format!("{}", path.display()))?,
        )
    } else {
        None
    };
    let mut text = String::new();
    if args.json {
        let mut doc = report::json(&tally, &trace, sort);
        if let Some(files) = &files {
            doc["files"] = stats::files::json(files);
        }
        text = serde_json::to_string_pretty(&doc)? + "\n";
    } else {
        match by {
            By::Syscall => report::syscall_table(&mut text, &tally, &arch, sort),
            By::Process => report::process_table(&mut text, &tally, &trace, sort),
            By::Thread => report::thread_table(&mut text, &tally, &trace, sort),
            By::Errno => report::errno_table(&mut text, &tally, &arch),
            By::File => {
                if let Some(files) = &files {
                    stats::files::file_table(&mut text, files, &trace);
                }
            }
        }
        if args.latency {
            text.push('\n');
            report::latency_table(&mut text, &tally, &arch, sort);
        }
        if let Some(nr) = hist {
            text.push('\n');
            report::latency_histogram(&mut text, &tally, &arch, nr);
        }
        if args.mmap {
            text.push('\n');
            report::mappings(&mut text, &tally);
        }
        if args.tmpfiles
            && let Some(files) = &files
        {
            text.push('\n');
            stats::files::tmpfile_list(&mut text, files, &trace);
        }
        report::lost(&mut text, &trace);
    }
    write_view(path, args.output.as_deref(), Kind::Text, |out| {
        Ok(out.write_all(text.as_bytes())?)
    })?;
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}

/// Runs `work` with a progress bar on stderr, shown once it has run for a
/// second and only on a terminal; `work` ticks it once per chunk of `total`.
fn with_progress<T>(total: u64, work: impl FnOnce(&(dyn Fn() + Sync)) -> T) -> T {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal as _;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} chunks, {eta} left") {
        bar.set_style(style);
    }
    let start = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    let tick = || {
        bar.inc(1);
        if terminal
            && start.elapsed() > std::time::Duration::from_secs(1)
            && !shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let result = work(&tick);
    bar.finish_and_clear();
    result
}

fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let path = &args.file;
    let trace = open_trace(path)?;
    let (calls, events) = selection(&args.select, &trace)?;
    let options = analyze::ShowOptions {
        calls,
        events,
        ..analyze::ShowOptions::default()
    };
    write_view(path, Some(&args.perfetto), Kind::Export, |out| {
        analyze::export_perfetto(&trace, &options, out)
    })?;
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}

/// The printer's options from the command line (and the trace, for --pid).
fn show_options(args: &ShowArgs, trace: &format::Trace) -> anyhow::Result<analyze::ShowOptions> {
    let (calls, events) = selection(&args.select, trace)?;
    let time = match (args.relative, args.time) {
        (true, _) => analyze::TimeFormat::Relative,
        (false, 0) => analyze::TimeFormat::None,
        (false, 1) => analyze::TimeFormat::Seconds,
        (false, 2) => analyze::TimeFormat::Micros,
        (false, _) => analyze::TimeFormat::Epoch,
    };
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
        events,
    })
}

/// The calls (`-e`, `-Z`, `-z`) and events (`--pid`, `--tid`, `--since`,
/// `--until`) a view reads.
fn selection(
    select: &Selection,
    trace: &format::Trace,
) -> anyhow::Result<(analyze::select::CallFilter, format::Filter)> {
    let mut calls = match &select.expr {
        Some(expr) => analyze::select::CallFilter::parse(expr)?,
        None => analyze::select::CallFilter::default(),
    };
    calls.failed_only = select.failed_only;
    calls.successful_only = select.successful_only;
    let index = trace.index();
    let mut tids = select.tids.clone();
    for pid in &select.pids {
        tids.extend(
            index
                .threads
                .iter()
                .filter(|t| t.pid == *pid)
                .map(|t| t.tid.to_native()),
        );
    }
    let start = index.totals.first_ts.to_native();
    let offset = |d: std::time::Duration| {
        start.saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    };
    let events = format::Filter {
        tids: (!select.pids.is_empty() || !select.tids.is_empty()).then_some(tids),
        since: select.since.map(offset),
        until: select.until.map(offset),
    };
    Ok((calls, events))
}
