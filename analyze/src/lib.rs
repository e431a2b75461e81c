//! Offline analysis of systrace recordings: needs no root and no eBPF.
//!
//! Data flow, as in ripgrep's reader/printer split: [`replay`] reads a
//! `format::Trace` in time order, pairs each thread's syscall enter with its
//! exit and resolves each call once (its name and [`table`] entry, whether the
//! view's [`Selection`] shows it, its process's descriptors as [`fds`] follows
//! them, its tasks' names and execs as [`tasks`] does, and the recording's
//! user stacks and mappings as [`stacks`] keeps them), then pushes the
//! resolved [`Call`]s and process-life events into a [`TraceSink`]; printers
//! are sinks, and read the file only to finish a line cut short whose enter
//! copy faulted (`ahead`: the rest of that call). [`Replayer`] is the same
//! replay fed one event at a time, for a recording still being written
//! (`show --follow`), whose [`Source`] is its header alone. [`table`] says,
//! per syscall, what each argument is and which decoder owns it (the
//! recorder's capture rules come from it too); [`decode`] turns arguments and
//! captured memory into strace's text; [`syscalls`] names calls and errors;
//! [`select`] parses strace's `-e` qualifiers, with strace's classes from
//! [`table::classes`].
//!
//! The sinks: the strace printer ([`print_strace`], [`print_threads`]; `-k`
//! names each frame through [`stacks`]), JSON Lines ([`print_json`]), the
//! Perfetto timeline ([`export_perfetto`]), the Parquet table of calls and
//! process-life events ([`export_parquet`]: row groups cut where the trace's
//! chunks end, encoded on a second thread),
//! `stats --by file` and `stats --by stack` (and the flame graph drawn from
//! it). The rest of [`stats`] does not replay: it counts chunks
//! in parallel and pairs the calls that straddle them when it merges the
//! counts; `stats::view` assembles what one `systrace stats` request prints.
//! [`status`] reads exit statuses for every view, and [`progress`] shows a bar
//! during long reads.

mod ahead;
pub mod decode;
pub mod fds;
mod json;
mod parquet;
mod perfetto;
mod print;
pub mod progress;
mod replay;
pub mod select;
pub mod stacks;
pub mod stats;
pub mod status;
pub mod syscalls;
pub mod table;
pub mod tasks;

pub use json::print_json;
pub use parquet::{
    Layout as ParquetLayout, SCHEMA_VERSION as PARQUET_SCHEMA_VERSION, export_parquet,
    partition_dir,
};
pub use perfetto::export_perfetto;
pub use print::{
    Clock, Precision, ShowOptions, StracePrinter, TaskPrefix, TimeFormat, print_strace,
    print_thread, print_threads, thread_texts,
};
pub use replay::{Call, Context, Replayer, Selection, Source, TraceSink, replay};

/// Errors of analysis: bad trace data or a failed write of the output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Format(#[from] format::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
