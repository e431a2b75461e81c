//! The command line's shape: clap's derive types, their help and examples,
//! and the small parsers and conversions that go with them.

use std::{ffi::OsString, path::PathBuf};

use clap::{Args, Parser, Subcommand};

pub(super) const EXAMPLES: &str = "\
Examples:
  systrace record -o ls.bin -- ls -l /       trace ls and its children (as root)
  systrace record -o web.bin -p 1234         attach to a running process until Ctrl-C
  systrace record -a --duration 30s          every process on the machine for 30 s
  systrace trace -- ls -l /                  strace -f ls -l /, printed as it runs
  systrace show ls.bin                       print the calls, as strace -f would
  systrace show ls.bin -e trace=%file -Z     only file calls that failed
  systrace show ls.bin --thread -T           one block per thread, with durations
  systrace show ls.bin -e trace=network -qq  strace's options, after the fact
  systrace show ls.bin -ff -o ls.out         one file per thread, ls.out.TID
  systrace show --follow t.bin              a recording still being written, as it grows
  systrace show ls.bin -c -S calls           strace -c's table
  systrace stats ls.bin                      strace -c's table (time is enter to exit)
  systrace stats ls.bin --by file            opens and bytes per path, by which processes
  systrace export --perfetto ls.json ls.bin  a timeline for ui.perfetto.dev";

/// Record system calls with eBPF, replay them offline.
#[derive(Parser)]
#[command(name = "systrace", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Run a program and record every system call of it and its threads.
    Record(RecordArgs),
    /// Trace a program as strace does: record it and print its calls as it runs.
    Trace(Box<TraceArgs>),
    /// Print a recording's calls, one per line, like strace.
    Show(Box<ShowArgs>),
    /// Summarise a recording: strace -c's table, and breakdowns.
    Stats(StatsArgs),
    /// Write a recording in another tool's format.
    Export(ExportArgs),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["command", "pid", "all", "comm", "cgroup"])))]
pub(super) struct RecordArgs {
    /// Trace file to write, mode 0600 (it holds buffer contents); written as
    /// FILE.partial until the recording ends.
    #[arg(short, long, default_value = "systrace.bin")]
    pub(super) output: PathBuf,
    /// Bytes copied from each user buffer (string, I/O data, struct).
    #[arg(short = 's', long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub(super) snaplen: u32,
    /// Attach to this process (all its threads and future children); repeatable.
    #[arg(short, long, value_name = "PID")]
    pub(super) pid: Vec<u32>,
    /// Trace every process on the machine except systrace itself.
    #[arg(short, long)]
    pub(super) all: bool,
    /// Stop recording after this long (e.g. 30s, 2m, 500ms).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub(super) duration: Option<std::time::Duration>,
    /// Run the program as this user, a name or a uid (default under sudo: the
    /// user who ran sudo).
    #[arg(short, long, value_name = "USER")]
    pub(super) user: Option<String>,
    /// The kernel's ring buffer for events (a power of two from 1M to 1G; it
    /// is mapped once, so the recorder's memory grows by this). The recorder
    /// copies records out as they come and holds up to 32 MiB of them during
    /// a burst; with that, the default took the bursts of 128 busy threads.
    /// Raise it if events are lost.
    #[arg(long, value_name = "SIZE", default_value = "8M", value_parser = parse_buffer_size)]
    pub(super) buffer_size: u32,
    /// Record only these calls: -e trace=SET (or a bare SET) in show's
    /// grammar (names, %classes, /REGEX, @32/@64), chosen in the kernel
    /// before anything is copied; the last wins. Forks, execs, exits and
    /// signals are always recorded.
    #[arg(short = 'e', value_name = "EXPR")]
    pub(super) expr: Vec<String>,
    /// Trace the processes running a program of this name (the kernel's
    /// comm: its first 15 bytes), now and whenever one execs it, with their
    /// threads and children, until --duration or Ctrl-C; repeatable.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["command", "pid", "all"])]
    pub(super) comm: Vec<String>,
    /// Only tasks in this cgroup v2 or below it: a directory of the cgroup2
    /// mount, or a path below its root as /proc/PID/cgroup gives it
    /// (/system.slice/nginx.service); repeatable. Alone: every such task.
    #[arg(long, value_name = "PATH")]
    pub(super) cgroup: Vec<PathBuf>,
    /// Record each call's user stack (show -k prints it): fp, by frame
    /// pointers (exact through code built with them; glibc's wrappers are
    /// not), or dwarf, unwound with the programs' call frame info (works on
    /// distribution binaries; costs a copy of the stack per call). Each
    /// distinct stack is stored once.
    #[arg(long, value_name = "HOW", num_args = 0..=1, default_missing_value = "fp")]
    pub(super) stack: Option<StackMode>,
    /// --stack=dwarf: bytes of stack copied per call for unwinding (a
    /// multiple of 8, at most 16384; the main thread's copy also stops at
    /// the top of its stack); deeper frames are cut.
    #[arg(long, value_name = "BYTES", default_value_t = DWARF_STACK_BYTES,
          value_parser = clap::value_parser!(u32).range(8..=i64::from(capture_ebpf::MAX_STACK_BYTES)))]
    pub(super) stack_size: u32,
    /// The program to run, and its arguments.
    #[arg(last = true, value_name = "PROG ARGS")]
    pub(super) command: Vec<OsString>,
}

/// Bytes of stack `--stack=dwarf` copies per call unless told (perf's
/// default too).
pub(super) const DWARF_STACK_BYTES: u32 = 8192;

/// How `record --stack` takes a call's user stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum StackMode {
    /// By frame pointers, in the kernel (bpf_get_stackid).
    Fp,
    /// Registers and the top of the stack copied at each call, unwound by
    /// the recorder with DWARF call frame info (.eh_frame), as perf's
    /// --call-graph dwarf does.
    Dwarf,
}

/// Which calls and events a view reads (shared by show, stats and export):
/// `trace`'s options: strace's (`-p` attaches, `-s` is the string limit,
/// `-o` the output), then systrace's recording options, in long forms that
/// cannot clash with strace's.
#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["command", "attach", "all"])))]
pub(super) struct TraceArgs {
    /// Accepted: tracing follows forks already.
    #[arg(short = 'f', long = "follow-forks", action = clap::ArgAction::Count, help_heading = "Tracing")]
    pub(super) follow_forks: u8,
    /// Attach to this running process (repeatable); Ctrl-C detaches.
    #[arg(
        short = 'p',
        long = "attach",
        value_name = "PID",
        help_heading = "Tracing"
    )]
    pub(super) attach: Vec<u32>,
    /// Run the program as USER.
    #[arg(
        short = 'u',
        long = "user",
        value_name = "USER",
        help_heading = "Tracing"
    )]
    pub(super) user: Option<String>,
    #[command(flatten)]
    pub(super) select: Selection,
    #[command(flatten)]
    pub(super) format: OutputFormat,
    #[command(flatten)]
    pub(super) summary: SummaryArgs,
    /// Every process on the machine but systrace.
    #[arg(long, help_heading = "Recording (systrace's)")]
    pub(super) all: bool,
    /// Bytes copied of each user buffer (1-200).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=200), help_heading = "Recording (systrace's)")]
    pub(super) snaplen: u32,
    /// Stop after this long (e.g. 30s).
    #[arg(long, value_parser = humantime::parse_duration, help_heading = "Recording (systrace's)")]
    pub(super) duration: Option<std::time::Duration>,
    /// Keep the recording in FILE, to show again in any view (else nothing
    /// stays on disk).
    #[arg(long, value_name = "FILE", help_heading = "Recording (systrace's)")]
    pub(super) save: Option<PathBuf>,
    /// Ring buffer size (a power of two).
    #[arg(long, value_name = "SIZE", default_value = "8M", value_parser = parse_buffer_size, help_heading = "Recording (systrace's)")]
    pub(super) buffer_size: u32,
    /// The program to run, and its arguments.
    #[arg(last = true, value_name = "PROG ARGS")]
    pub(super) command: Vec<OsString>,
}

/// strace's filtering options.
#[derive(Args)]
#[command(next_help_heading = "Filtering (as strace's)")]
pub(super) struct Selection {
    /// A qualifier: trace=SET (or a bare SET), status=SET, signal=SET,
    /// quiet=SET, read=FDS, write=FDS, decode-fds=path, raw=SET. SET is
    /// [!]ITEM,ITEM... or all or none; trace= items are names, %classes
    /// (file, network, process, memory, signal, desc, ipc also bare),
    /// /REGEX, ?NAME (ignored if unknown), each with @64, @32 or @x32. The
    /// last of each qualifier wins, as in strace.
    #[arg(short = 'e', value_name = "EXPR", action = clap::ArgAction::Append)]
    pub(super) expr: Vec<String>,
    /// -e trace=SET.
    #[arg(long = "trace", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) trace: Vec<String>,
    /// -e status=SET: successful, failed, unfinished, unavailable, detached.
    #[arg(long = "status", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) status: Vec<String>,
    /// -e signal=SET: which signal lines print.
    #[arg(long = "signal", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) signal: Vec<String>,
    /// Only calls that failed (-e status=failed).
    #[arg(short = 'Z', long = "failed-only", action = clap::ArgAction::Count)]
    pub(super) failed_only: u8,
    /// Only calls that succeeded (-e status=successful).
    #[arg(short = 'z', long = "successful-only", action = clap::ArgAction::Count)]
    pub(super) successful_only: u8,
    /// Only calls that name PATH or use a descriptor that refers to it, as the
    /// recorded opens left them; repeatable.
    #[arg(short = 'P', long = "trace-path", value_name = "PATH")]
    pub(super) paths: Vec<PathBuf>,
}

/// systrace's own choice of the events a view of a whole recording reads.
#[derive(Args, Default)]
#[command(next_help_heading = "Selection (systrace's)")]
pub(super) struct Choice {
    /// Only this process (its threads); repeatable.
    #[arg(long = "pid", value_name = "PID")]
    pub(super) pids: Vec<u32>,
    /// Only this thread; repeatable.
    #[arg(long = "tid", value_name = "TID")]
    pub(super) tids: Vec<u32>,
    /// Only events this long after the recording's first one (e.g. 1.5s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub(super) since: Option<std::time::Duration>,
    /// Only events up to this long after the recording's first one.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub(super) until: Option<std::time::Duration>,
}

impl Choice {
    pub(super) fn is_empty(&self) -> bool {
        self.pids.is_empty() && self.tids.is_empty() && self.since.is_none() && self.until.is_none()
    }
}

/// `show`'s options: strace's, grouped as strace's manual groups them, then
/// systrace's own views.
#[derive(Args)]
pub(super) struct ShowArgs {
    /// Trace file to read (- for standard input).
    pub(super) file: PathBuf,
    /// Accepted: recordings follow forks already. -ff with -o PREFIX writes
    /// each thread to PREFIX.TID, as strace does.
    #[arg(short = 'f', long = "follow-forks", action = clap::ArgAction::Count, help_heading = "Tracing")]
    pub(super) follow_forks: u8,
    /// With -o PREFIX: each thread to its own file, PREFIX.TID (as -ff).
    #[arg(long = "output-separately", help_heading = "Tracing")]
    pub(super) output_separately: bool,
    #[command(flatten)]
    pub(super) select: Selection,
    #[command(flatten)]
    pub(super) choice: Choice,
    #[command(flatten)]
    pub(super) format: OutputFormat,
    #[command(flatten)]
    pub(super) summary: SummaryArgs,
    #[command(flatten)]
    pub(super) refused: Refused,
    /// One block per thread (or, as --thread=TID, only thread TID), each call on one line.
    #[arg(
        long,
        value_name = "TID",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "0",
        help_heading = "Views (systrace's)"
    )]
    pub(super) thread: Option<u32>,
    /// One JSON object per call and line: tid, pid, ts, duration_ns, name, args, ret, errno.
    #[arg(long, conflicts_with = "thread", help_heading = "Views (systrace's)")]
    pub(super) json: bool,
    /// Print a recording that `systrace record` is still writing (FILE, or its
    /// FILE.partial), as its events reach the file, until it is finished.
    #[arg(long, conflicts_with_all = ["thread", "json"], help_heading = "Views (systrace's)")]
    pub(super) follow: bool,
}

/// strace's `-X`: how named constants print.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum ConstStyle {
    /// `O_RDONLY|O_CLOEXEC`.
    Abbrev,
    /// `0x80000`.
    Raw,
    /// `0x80000 /* O_RDONLY|O_CLOEXEC */`.
    Verbose,
}

impl From<ConstStyle> for analyze::decode::Style {
    fn from(style: ConstStyle) -> Self {
        match style {
            ConstStyle::Abbrev => Self::Abbrev,
            ConstStyle::Raw => Self::Raw,
            ConstStyle::Verbose => Self::Verbose,
        }
    }
}

/// strace's output format options.
#[derive(Args)]
#[command(next_help_heading = "Output format (as strace's)")]
pub(super) struct OutputFormat {
    /// Column at which results start (at most 65536).
    #[arg(
        short = 'a',
        long = "columns",
        value_name = "COLUMN",
        default_value_t = 40,
        value_parser = clap::value_parser!(u32).range(0..=65536)
    )]
    pub(super) column: u32,
    /// Longest string printed.
    #[arg(short = 's', long = "string-limit", default_value_t = 32)]
    pub(super) strsize: usize,
    /// Strings with unprintable bytes in hex (-xx: every string in hex).
    #[arg(short = 'x', action = clap::ArgAction::Count)]
    pub(super) hex: u8,
    /// non-ascii (-x) or all (-xx).
    #[arg(long = "strings-in-hex", value_name = "WHICH", num_args = 0..=1, require_equals = true, default_missing_value = "all")]
    pub(super) strings_in_hex: Option<String>,
    /// Descriptors with the path (or socket, pipe) they refer to.
    #[arg(short = 'y', action = clap::ArgAction::Count)]
    pub(super) fd_paths: u8,
    /// Constants by name (abbrev), by number (raw) or both (verbose).
    #[arg(
        short = 'X',
        long = "const-print-style",
        value_name = "FORMAT",
        value_enum,
        default_value_t = ConstStyle::Abbrev
    )]
    pub(super) const_style: ConstStyle,
    /// -e raw=SET: these calls undecoded, their arguments in hex.
    #[arg(long = "raw", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) raw: Vec<String>,
    /// Unabbreviated structs and arrays, the environment of execve (-e abbrev=none).
    #[arg(short = 'v', long = "no-abbrev", action = clap::ArgAction::Count)]
    pub(super) no_abbrev: u8,
    /// -e abbrev=SET: these calls' large structs shown in part (the default: all).
    #[arg(long = "abbrev", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) abbrev: Vec<String>,
    /// -e verbose=SET: these calls' structs shown, the others' as addresses (default: all).
    #[arg(long = "verbose", value_name = "SET", action = clap::ArgAction::Append)]
    pub(super) verbose: Vec<String>,
    /// -e decode-fds=SET: path.
    #[arg(long = "decode-fds", value_name = "SET", num_args = 0..=1, require_equals = true, default_missing_value = "path", action = clap::ArgAction::Append)]
    pub(super) decode_fds: Vec<String>,
    /// Pids with their command name, 1234<sh> (as --decode-pids=comm).
    #[arg(short = 'Y')]
    pub(super) pid_comms: bool,
    /// comm (as -Y).
    #[arg(long = "decode-pids", value_name = "WHAT", require_equals = true)]
    pub(super) decode_pids: Option<String>,
    /// Prefix lines with the time of day (-tt: with microseconds, -ttt: epoch seconds).
    #[arg(short = 't', action = clap::ArgAction::Count)]
    pub(super) time: u8,
    /// [format:]time|unix|none[,[precision:]s|ms|us|ns] (-t, -tt, -ttt).
    #[arg(long = "absolute-timestamps", value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "time")]
    pub(super) absolute_timestamps: Option<String>,
    /// Prefix lines with the time since the previous one.
    #[arg(short = 'r')]
    pub(super) relative: bool,
    /// -r, to PRECISION: s, ms, us (default) or ns.
    #[arg(long = "relative-timestamps", value_name = "PRECISION", num_args = 0..=1, require_equals = true, default_missing_value = "us")]
    pub(super) relative_timestamps: Option<String>,
    /// Show the time spent in each call.
    #[arg(short = 'T')]
    pub(super) durations: bool,
    /// -T, to PRECISION: s, ms, us (default) or ns.
    #[arg(long = "syscall-times", value_name = "PRECISION", num_args = 0..=1, require_equals = true, default_missing_value = "us")]
    pub(super) syscall_times: Option<String>,
    /// Each call's number before its name, [  NR].
    #[arg(short = 'n', long = "syscall-number")]
    pub(super) syscall_numbers: bool,
    /// The user instruction pointer of each call, [00007f...].
    #[arg(short = 'i', long = "instruction-pointer")]
    pub(super) instruction_pointer: bool,
    /// Tasks by their ids in their own pid namespaces (what a container
    /// sees, what its logs say), where the recording has them, instead of
    /// the machine's.
    #[arg(long = "ns-pids")]
    pub(super) ns_pids: bool,
    /// Each call's user stack under its line, as strace -k prints it
    /// (recordings made with `record --stack`); -kk: each frame's source
    /// file and line after it, where DWARF (the file's or its debug file's)
    /// has them.
    #[arg(short = 'k', long = "stack-trace", visible_alias = "stack-traces", action = clap::ArgAction::Count)]
    pub(super) stack_trace: u8,
    /// Suppress messages (-q: attach, personality; -qq: also exits; -qqq: all).
    #[arg(short = 'q', action = clap::ArgAction::Count)]
    pub(super) quiet: u8,
    /// -e quiet=SET: attach, exit, path-resolution, personality,
    /// thread-execve, superseded.
    #[arg(long = "quiet", value_name = "SET", num_args = 0..=1, require_equals = true, default_missing_value = "attach,personality", action = clap::ArgAction::Append)]
    pub(super) quiet_set: Vec<String>,
    /// -e read=FDS: dump the data read from these descriptors (as captured).
    #[arg(long = "read", value_name = "FDS", action = clap::ArgAction::Append)]
    pub(super) read: Vec<String>,
    /// -e write=FDS: dump the data written to these descriptors (as captured).
    #[arg(long = "write", value_name = "FDS", action = clap::ArgAction::Append)]
    pub(super) write: Vec<String>,
    /// Write to FILE instead of standard output, each line prefixed with its
    /// pid as strace -f -o writes it; |COMMAND (or !COMMAND) pipes to a command.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Append to the -o FILE (only a regular file of yours, never through a symlink).
    #[arg(short = 'A', long = "output-append-mode", requires = "output")]
    pub(super) append: bool,
}

/// strace's statistics options (time is enter to exit: strace's -w).
#[derive(Args)]
#[command(next_help_heading = "Statistics (as strace's)")]
pub(super) struct SummaryArgs {
    /// Print strace -c's table instead of the calls.
    #[arg(short = 'c', long = "summary-only")]
    pub(super) only: bool,
    /// Print the calls, then strace -c's table.
    #[arg(short = 'C', long = "summary", conflicts_with = "only")]
    pub(super) also: bool,
    /// Accepted: systrace's summary always measures wall time, enter to exit.
    #[arg(short = 'w', long = "summary-wall-clock")]
    pub(super) wall_clock: bool,
    /// Order the table by time, min-time, max-time, avg-time, calls, errors,
    /// name or nothing.
    #[arg(
        short = 'S',
        long = "summary-sort-by",
        value_enum,
        default_value = "time"
    )]
    pub(super) sort: SortArg,
    /// The table's columns: time-percent, total-time, min-time, max-time,
    /// avg-time, calls, errors, name.
    #[arg(
        short = 'U',
        long = "summary-columns",
        value_name = "COLUMNS",
        value_delimiter = ',',
        value_enum
    )]
    pub(super) columns: Vec<ColumnArg>,
}

/// strace options that cannot apply to a recording, or not yet: each gives a
/// one-line error saying why and what to use instead.
#[derive(Args)]
#[command(next_help_heading = "strace options a recording cannot take (refused, saying why)")]
pub(super) struct Refused {
    /// Attach: use `systrace record -p PID`; --pid PID selects a process here.
    #[arg(short = 'p', long = "attach", value_name = "PID")]
    pub(super) attach: Vec<String>,
    /// Run as USER: use `systrace record -u USER`.
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub(super) user: Option<String>,
    /// Environment: set it when recording (`systrace record -- env VAR=VAL prog`).
    #[arg(short = 'E', long = "env", value_name = "VAR=VAL")]
    pub(super) env: Vec<String>,
    /// Detach on execve: select with --since/--until or --pid instead.
    #[arg(short = 'b', long = "detach-on", value_name = "SYSCALL")]
    pub(super) detach_on: Option<String>,
    /// Daemonize the tracer: nothing runs at show time.
    #[arg(short = 'D', long = "daemonize", action = clap::ArgAction::Count)]
    pub(super) daemonize: u8,
    /// Seccomp filtering: recordings are filtered with -e trace= when shown.
    #[arg(long = "seccomp-bpf")]
    pub(super) seccomp_bpf: bool,
    /// Interruptibility of the tracer: nothing runs at show time.
    #[arg(short = 'I', long = "interruptible", value_name = "N")]
    pub(super) interruptible: Option<String>,
    /// Tracing overhead: systrace measures wall time and subtracts nothing.
    #[arg(
        short = 'O',
        long = "summary-syscall-overhead",
        value_name = "OVERHEAD"
    )]
    pub(super) overhead: Option<String>,
    /// strace's own debug output: none at show time.
    #[arg(short = 'd', long = "debug")]
    pub(super) debug: bool,
}

impl Refused {
    /// The first refused option given, as its one-line error.
    pub(super) fn check(&self) -> anyhow::Result<()> {
        let why = if !self.attach.is_empty() {
            "-p: show reads a recording; attach with `systrace record -p PID`, select a process here with --pid PID"
        } else if self.user.is_some() {
            "-u: show runs no program; run it as a user with `systrace record -u USER`"
        } else if !self.env.is_empty() {
            "-E: show runs no program; set the environment when recording: `systrace record -- env VAR=VAL PROG`"
        } else if self.detach_on.is_some() {
            "-b: a recording cannot detach; select calls with --since/--until, --pid or -e trace="
        } else if self.daemonize > 0 {
            "-D: show runs no tracer to daemonize"
        } else if self.seccomp_bpf {
            "--seccomp-bpf: show filters the recording itself; select calls with -e trace="
        } else if self.interruptible.is_some() {
            "-I: show runs no tracer that signals could interrupt"
        } else if self.overhead.is_some() {
            "-O: systrace measures each call from enter to exit in the kernel; there is no tracer overhead to subtract"
        } else if self.debug {
            "-d: strace's debug output has no equivalent; errors are printed as they happen"
        } else {
            return Ok(());
        };
        anyhow::bail!("{why}")
    }
}

#[derive(Args)]
pub(super) struct StatsArgs {
    /// Trace file to read (- for standard input).
    pub(super) file: PathBuf,
    #[command(flatten)]
    pub(super) select: Selection,
    #[command(flatten)]
    pub(super) choice: Choice,
    /// Rows per syscall (strace -c's table), process, thread, errno, or file
    /// (opens, bytes read and written, by which processes).
    #[arg(long, value_enum, default_value = "syscall")]
    pub(super) by: ByArg,
    /// Order rows by time, min-time, max-time, avg-time, calls, errors
    /// (largest first), name or nothing (syscall number).
    #[arg(short = 'S', value_enum, default_value = "time")]
    pub(super) sort: SortArg,
    /// The syscall table's columns, as strace's -U: time-percent,
    /// total-time, min-time, max-time, avg-time, calls, errors, name.
    #[arg(short = 'U', value_name = "COLUMNS", value_delimiter = ',', value_enum)]
    pub(super) columns: Vec<ColumnArg>,
    /// Latency percentiles per syscall (p50, p90, p99, max).
    #[arg(long)]
    pub(super) latency: bool,
    /// A log2 histogram of SYSCALL's latencies.
    #[arg(long, value_name = "SYSCALL")]
    pub(super) hist: Option<String>,
    /// mmap's mappings: private or shared, anonymous or file-backed, sizes.
    #[arg(long)]
    pub(super) mmap: bool,
    /// The opens that created temporary files (O_TMPFILE, O_CREAT|O_EXCL under /tmp).
    #[arg(long)]
    pub(super) tmpfiles: bool,
    /// Everything counted, as one JSON object.
    #[arg(long)]
    pub(super) json: bool,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum ByArg {
    Syscall,
    Process,
    Thread,
    Errno,
    File,
    Stack,
}

/// What `export --flamegraph` weighs stacks by.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum WeightArg {
    Calls,
    Time,
}

/// strace's -S keys (and their aliases).
#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum SortArg {
    #[value(alias = "time-total", alias = "total-time", alias = "time_total")]
    Time,
    #[value(alias = "shortest", alias = "time-min", alias = "min_time")]
    MinTime,
    #[value(alias = "longest", alias = "time-max", alias = "max_time")]
    MaxTime,
    #[value(alias = "time-avg", alias = "avg_time")]
    AvgTime,
    #[value(alias = "count")]
    Calls,
    #[value(alias = "syscall", alias = "syscall-name")]
    Name,
    #[value(alias = "error")]
    Errors,
    #[value(alias = "none")]
    Nothing,
}

impl SortArg {
    pub(super) fn sort_by(self) -> analyze::stats::SortBy {
        use analyze::stats::SortBy;
        match self {
            SortArg::Time => SortBy::Time,
            SortArg::MinTime => SortBy::MinTime,
            SortArg::MaxTime => SortBy::MaxTime,
            SortArg::AvgTime => SortBy::AvgTime,
            SortArg::Calls => SortBy::Calls,
            SortArg::Name => SortBy::Name,
            SortArg::Errors => SortBy::Errors,
            SortArg::Nothing => SortBy::Nothing,
        }
    }
}

/// strace's -U columns (and their aliases).
#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum ColumnArg {
    #[value(alias = "time_percent", alias = "percent", alias = "time-pct")]
    TimePercent,
    #[value(alias = "time-total", alias = "total_time", alias = "time")]
    TotalTime,
    #[value(alias = "shortest", alias = "time-min", alias = "min_time")]
    MinTime,
    #[value(alias = "longest", alias = "time-max", alias = "max_time")]
    MaxTime,
    #[value(alias = "time-avg", alias = "avg_time")]
    AvgTime,
    #[value(alias = "count")]
    Calls,
    #[value(alias = "error")]
    Errors,
    #[value(alias = "syscall", alias = "syscall-name")]
    Name,
}

impl ColumnArg {
    /// The columns asked for, or strace's default ones.
    pub(super) fn columns(asked: &[ColumnArg]) -> Vec<analyze::stats::Column> {
        match asked {
            [] => analyze::stats::Column::DEFAULT.to_vec(),
            some => some.iter().map(|c| c.column()).collect(),
        }
    }

    pub(super) fn column(self) -> analyze::stats::Column {
        use analyze::stats::Column;
        match self {
            ColumnArg::TimePercent => Column::TimePercent,
            ColumnArg::TotalTime => Column::TotalTime,
            ColumnArg::MinTime => Column::MinTime,
            ColumnArg::MaxTime => Column::MaxTime,
            ColumnArg::AvgTime => Column::AvgTime,
            ColumnArg::Calls => Column::Calls,
            ColumnArg::Errors => Column::Errors,
            ColumnArg::Name => Column::Name,
        }
    }
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("view").required(true).multiple(true).args(["perfetto", "flamegraph", "folded", "parquet"])))]
pub(super) struct ExportArgs {
    /// Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing.
    #[arg(long, value_name = "OUT")]
    pub(super) perfetto: Option<PathBuf>,
    /// A flame graph (SVG) of the calls by user stack (`record --stack`).
    #[arg(long, value_name = "OUT.svg")]
    pub(super) flamegraph: Option<PathBuf>,
    /// The same as folded stacks (`frame;frame;syscall count` lines), which
    /// speedscope, inferno and flamegraph.pl read.
    #[arg(long, value_name = "OUT.txt")]
    pub(super) folded: Option<PathBuf>,
    /// What a flame graph's (or the folded stacks') widths count: calls, or
    /// time in calls (nanoseconds).
    #[arg(long, value_enum, default_value = "calls")]
    pub(super) weight: WeightArg,
    /// A Parquet table of every call and process-life event (one row
    /// each), of one or more recordings: see analyze/schema/calls.parquet.md.
    #[arg(long, value_name = "OUT.parquet")]
    pub(super) parquet: Option<PathBuf>,
    /// --parquet's OUT is a new directory, one file per recording in the
    /// Hive layout Spark, Trino and DuckDB read as one table:
    /// OUT/host=HOST/trace=ID/calls.parquet (host and trace are its names).
    #[arg(long, requires = "parquet")]
    pub(super) partitioned: bool,
    /// Trace files to read (- for standard input); only --parquet takes
    /// more than one.
    #[arg(required = true, num_args = 1..)]
    pub(super) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) select: Selection,
    #[command(flatten)]
    pub(super) choice: Choice,
}

/// `--buffer-size`: `16M`, `64m`, `1G`, `1048576`; a power of two from 1 MiB
/// to 1 GiB.
pub(super) fn parse_buffer_size(text: &str) -> Result<u32, String> {
    let (digits, shift) = match text.as_bytes().last() {
        Some(b'k' | b'K') => (&text[..text.len() - 1], 10),
        Some(b'm' | b'M') => (&text[..text.len() - 1], 20),
        Some(b'g' | b'G') => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let bytes = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_shl(shift).filter(|b| b >> shift == n))
        .ok_or_else(|| format!("{text}: not a size (16M, 1G, 1048576)"))?;
    if !bytes.is_power_of_two() || !(1 << 20..=1 << 30).contains(&bytes) {
        return Err(format!("{text}: a power of two from 1M to 1G"));
    }
    Ok(bytes as u32)
}
