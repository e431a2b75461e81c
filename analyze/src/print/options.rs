//! What `show` is asked to print beyond decoding: prefixes, timestamps,
//! summaries and strace's other options, and the clock text they need.

use format::Filter;

use crate::{
    Selection,
    decode::Options,
    select::{CallFilter, Quiet, Set, TraceSet},
};

/// How `show` prints, beyond decoding: strace's options applied at show time.
#[derive(Clone, Debug)]
pub struct ShowOptions {
    pub decode: Options,
    /// `-e trace=`, `-e status=` (`-Z`, `-z`).
    pub calls: CallFilter,
    pub time: TimeFormat,
    /// `-T`: the time spent in each call.
    pub durations: Option<Precision>,
    /// `--pid`/`--tid`, `--since`/`--until`.
    pub events: Filter,
    /// `-a`: the column at which ` = result` starts.
    pub result_column: usize,
    /// `-n`: each call's number, `[  NR] `, before its name.
    pub syscall_numbers: bool,
    /// `-i`: each line's user instruction pointer, `[00007f...] `.
    pub instruction_pointers: bool,
    /// How lines name their task.
    pub prefix: TaskPrefix,
    /// Tasks by their ids in their own pid namespaces (`--ns-pids`), where
    /// the recording knows them, not the machine's.
    pub ns_pids: bool,
    /// `-k`: each call's user stack under its line, where recorded.
    pub stacks: bool,
    /// `-kk`: each frame's source line too, where DWARF has it.
    pub stack_lines: bool,
    /// `-e signal=`: which `--- SIG... ---` lines print.
    pub signals: Set<u32>,
    /// `-e quiet=`, `-q`: which messages do not.
    pub quiet: Set<Quiet>,
    /// `-e read=`, `-e write=`: descriptors whose data is dumped in hex.
    pub dump_reads: Set<i64>,
    pub dump_writes: Set<i64>,
    /// `-P`: only calls that name one of these paths, or use a descriptor
    /// that refers to one.
    pub paths: Vec<Vec<u8>>,
    /// `-e raw=`: calls printed undecoded, their registers in hex.
    pub raw: TraceSet,
    /// `-e abbrev=`, `-e verbose=` (see [`Options`]).
    pub abbrev: TraceSet,
    pub verbose: TraceSet,
}

impl ShowOptions {
    /// How call `name` is decoded: `-e abbrev=` and `-e verbose=` name calls.
    pub fn decoding(&self, name: &str) -> Options {
        Options {
            abbrev: self.abbrev.contains(name),
            deref: self.verbose.contains(name),
            ..self.decode
        }
    }

    /// What a replay for these options reads, shows and follows: descriptors
    /// are followed for `-y` and `-P`.
    pub fn selection(&self) -> Selection<'_> {
        Selection {
            events: &self.events,
            calls: &self.calls,
            paths: &self.paths,
            follow_fds: self.decode.fd_paths
                || self.decode.fd_sockets
                || self.decode.fd_devices
                || !self.paths.is_empty(),
            follow_comms: self.decode.pid_comms,
        }
    }
}

impl Default for ShowOptions {
    fn default() -> Self {
        Self {
            decode: Options::default(),
            calls: CallFilter::default(),
            time: TimeFormat::default(),
            durations: None,
            events: Filter::default(),
            result_column: 40,
            syscall_numbers: false,
            instruction_pointers: false,
            prefix: TaskPrefix::Terminal,
            ns_pids: false,
            stacks: false,
            stack_lines: false,
            signals: Set::all(),
            quiet: Set::none(),
            dump_reads: Set::none(),
            dump_writes: Set::none(),
            paths: Vec::new(),
            raw: Set::none(),
            abbrev: Set::all(),
            verbose: Set::all(),
        }
    }
}

/// How each line names its task, as strace -f does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskPrefix {
    /// `[pid  1234] ` once more than one task is traced (strace on a terminal).
    Terminal,
    /// `1234  ` on every line (strace -f -o FILE).
    File,
    /// None (one thread's own file, strace -ff).
    None,
}

/// strace's `-t`, `-tt`, `-ttt` (`--absolute-timestamps`) and `-r`
/// (`--relative-timestamps`): either, both or neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeFormat {
    /// The time of day or Unix time of each line.
    pub absolute: Option<(Clock, Precision)>,
    /// The time since the previous line.
    pub relative: Option<Precision>,
}

/// Which clock `-t` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The local time of day (`-t`, `-tt`).
    Time,
    /// Seconds since the epoch (`-ttt`).
    Unix,
}

/// How finely a time is printed: strace's s, ms, us, ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    S,
    Ms,
    Us,
    Ns,
}

impl Precision {
    /// strace's name of a precision.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "s" => Precision::S,
            "ms" => Precision::Ms,
            "us" => Precision::Us,
            "ns" => Precision::Ns,
            _ => return None,
        })
    }

    /// `.123` for ms, nothing for s: the fraction of a second, truncated.
    pub(super) fn fraction(self, nanos: u64) -> String {
        match self {
            Precision::S => String::new(),
            Precision::Ms => format!(".{:03}", nanos / 1_000_000),
            Precision::Us => format!(".{:06}", nanos / 1000),
            Precision::Ns => format!(".{nanos:09}"),
        }
    }

    /// A duration: seconds, then the fraction.
    pub(super) fn duration(self, ns: u64, width: usize) -> String {
        format!(
            "{:>width$}{}",
            ns / 1_000_000_000,
            self.fraction(ns % 1_000_000_000)
        )
    }
}

/// Wall-clock text of `unix_ns` (local time of day or Unix time), then a space.
pub(super) fn clock(unix_ns: i64, clock: Clock, precision: Precision) -> String {
    let secs = unix_ns.div_euclid(1_000_000_000);
    let nanos = unix_ns.rem_euclid(1_000_000_000) as u32;
    let fraction = precision.fraction(u64::from(nanos));
    match clock {
        Clock::Unix => format!("{secs}{fraction} "),
        Clock::Time => match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(utc) => {
                let local = utc.with_timezone(&chrono::Local);
                format!("{}{fraction} ", local.format("%H:%M:%S"))
            }
            None => String::new(),
        },
    }
}
