//! What `systrace stats` prints for a request: the counting it needs, then
//! the tables (or the JSON document) in order. The command line only turns
//! its options into a [`Request`].

use format::{Filter, Trace};

use super::{By, Column, Plan, SortBy, Want, files, report, tally};
use crate::{Error, progress::with_progress, select::CallFilter};

/// What `stats` is asked for, in plain terms.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The main table.
    pub by: By,
    pub sort: SortBy,
    /// The syscall table's columns (strace's `-U`).
    pub columns: Vec<Column>,
    /// Latency percentiles per syscall.
    pub latency: bool,
    /// A latency histogram of this syscall number.
    pub hist: Option<i64>,
    /// mmap's mappings.
    pub mmap: bool,
    /// The opens that created temporary files.
    pub tmpfiles: bool,
    /// Everything counted, as one JSON document instead of tables.
    pub json: bool,
}

/// The text `stats` prints for `request` over the calls and events selected.
/// Counting shows a progress bar on a terminal when it takes long.
pub fn render(
    trace: &Trace,
    calls: &CallFilter,
    events: &Filter,
    request: &Request,
) -> Result<String, Error> {
    let by = request.by;
    let want = Want {
        latency: request.latency || request.hist.is_some() || request.json,
        processes: by == By::Process || request.json,
        threads: by == By::Thread || request.json,
        errnos: by == By::Errno || request.json,
        mmap: request.mmap || request.json,
    };
    let plan = Plan::new(trace, calls, events, want);
    let tally = with_progress(trace.index().chunks.len() as u64, |tick| {
        tally(trace, &plan, 2, tick)
    })?;
    let files = if by == By::File || request.tmpfiles {
        Some(files::collect(trace, calls, events)?)
    } else {
        None
    };
    let arch = trace.header().arch.as_str();
    let sort = request.sort;
    let mut text = String::new();
    if request.json {
        let mut doc = report::json(&tally, trace, sort);
        if let Some(files) = &files {
            doc["files"] = files::json(files);
        }
        text = format!("{doc:#}\n");
        return Ok(text);
    }
    match by {
        By::Syscall => report::syscall_table_with(&mut text, &tally, arch, sort, &request.columns),
        By::Process => report::process_table(&mut text, &tally, trace, sort),
        By::Thread => report::thread_table(&mut text, &tally, trace, sort),
        By::Errno => report::errno_table(&mut text, &tally, arch),
        By::File => {
            if let Some(files) = &files {
                files::file_table(&mut text, files, trace);
            }
        }
        By::Stack => super::stacks::collect(trace, calls, events)?.table(&mut text),
    }
    if request.latency {
        text.push('\n');
        report::latency_table(&mut text, &tally, arch, sort);
    }
    if let Some(nr) = request.hist {
        text.push('\n');
        report::latency_histogram(&mut text, &tally, arch, nr);
    }
    if request.mmap {
        text.push('\n');
        report::mappings(&mut text, &tally);
    }
    if request.tmpfiles
        && let Some(files) = &files
    {
        text.push('\n');
        files::tmpfile_list(&mut text, files, trace);
    }
    report::lost(&mut text, trace);
    Ok(text)
}
