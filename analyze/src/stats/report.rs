//! A [`Tally`] as text (strace `-c`'s table and the other views) and as JSON.

use std::fmt::Write as _;

use format::Trace;
use rustc_hash::FxHashMap;
use serde_json::{Value, json};

use super::{Column, Histogram, Row, SortBy, Tally, latency};
use crate::syscalls::display_name;

/// Orders `rows` by `sort` (largest first, names alphabetically); ties go by
/// their key (syscall number, pid, tid).
fn sort_rows<T: Ord + Copy>(rows: &mut [(String, Row, T)], sort: SortBy) {
    rows.sort_by_key(|r| r.2);
    match sort {
        SortBy::Time => rows.sort_by_key(|r| std::cmp::Reverse(r.1.ns)),
        SortBy::MinTime => rows.sort_by_key(|r| std::cmp::Reverse(r.1.min_ns)),
        SortBy::MaxTime => rows.sort_by_key(|r| std::cmp::Reverse(r.1.max_ns)),
        SortBy::AvgTime => rows.sort_by_key(|r| std::cmp::Reverse(r.1.avg_ns())),
        SortBy::Nothing => {}
        SortBy::Calls => rows.sort_by_key(|r| std::cmp::Reverse(r.1.calls)),
        SortBy::Errors => rows.sort_by_key(|r| std::cmp::Reverse(r.1.errors)),
        SortBy::Name => rows.sort_by(|a, b| a.0.cmp(&b.0)),
    }
}

/// The syscalls that were called, by name, in number order.
fn syscall_rows(tally: &Tally, arch: &str) -> Vec<(String, Row, i64)> {
    tally
        .syscalls
        .iter()
        .enumerate()
        .filter(|(_, row)| row.calls > 0)
        .map(|(index, row)| {
            let nr = abi::call_at(index as u32);
            (display_name(arch, nr).into_owned(), *row, nr)
        })
        .collect()
}

/// strace `-c`'s table: `% time  seconds  usecs/call  calls  errors  syscall`
/// and a total, the time being enter to exit (strace's `-w`).
pub fn syscall_table(out: &mut String, tally: &Tally, arch: &str, sort: SortBy) {
    syscall_table_with(out, tally, arch, sort, &Column::DEFAULT);
}

/// strace `-c`'s table with the columns of `-U`, in their order.
pub fn syscall_table_with(
    out: &mut String,
    tally: &Tally,
    arch: &str,
    sort: SortBy,
    columns: &[Column],
) {
    let (compat, native): (Vec<_>, Vec<_>) = syscall_rows(tally, arch)
        .into_iter()
        .partition(|row| crate::syscalls::is_compat(arch, row.2));
    if !native.is_empty() || compat.is_empty() {
        rows_table(out, native, sort, columns);
    }
    // As strace -c, each ABI's calls are summed in a table of their own.
    if !compat.is_empty() {
        out.push_str("System call usage summary for 32 bit mode:\n");
        rows_table(out, compat, sort, columns);
    }
}

/// One table of strace -c's, of `rows`, with their total.
fn rows_table(
    out: &mut String,
    mut rows: Vec<(String, Row, i64)>,
    sort: SortBy,
    columns: &[Column],
) {
    sort_rows(&mut rows, sort);
    let mut total = Row::default();
    rows.iter().for_each(|row| total.merge(&row.1));
    let name_width = rows
        .iter()
        .map(|r| r.0.len() + 1)
        .max()
        .unwrap_or(0)
        .max(16);
    let line = |cells: &mut dyn FnMut(Column) -> String| {
        let mut line = columns
            .iter()
            .map(|&c| match c {
                Column::Name => format!("{:<name_width$}", cells(c)),
                _ => cells(c),
            })
            .collect::<Vec<_>>()
            .join(" ");
        line.truncate(line.trim_end().len());
        line + "\n"
    };
    out.push_str(&line(&mut |c| header(c).to_owned()));
    let rule = line(&mut |c| match c {
        Column::Name => "-".repeat(name_width),
        _ => "-".repeat(header(c).len()),
    });
    out.push_str(&rule);
    for (label, row, _) in &rows {
        out.push_str(&line(&mut |c| cell(c, row, total.ns, label)));
    }
    out.push_str(&rule);
    // The total is 100% even when no time was measured, as in strace.
    out.push_str(&line(&mut |c| match c {
        Column::TimePercent => "100.00".to_owned(),
        _ => cell(c, &total, total.ns, "total"),
    }));
}

/// A column's heading, as wide as the column.
fn header(column: Column) -> &'static str {
    match column {
        Column::TimePercent => "% time",
        Column::TotalTime => "    seconds",
        Column::MinTime => "shortest",
        Column::MaxTime => " longest",
        Column::AvgTime => " usecs/call",
        Column::Calls => "    calls",
        Column::Errors => "   errors",
        Column::Name => "syscall",
    }
}

/// One cell of strace -c's table.
fn cell(column: Column, row: &Row, total_ns: u64, label: &str) -> String {
    let short = |ns: u64| {
        let us = ns.saturating_add(500) / 1000;
        format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
    };
    match column {
        Column::TimePercent => format!("{:>6.2}", percent(row.ns, total_ns)),
        Column::TotalTime => seconds(row.ns),
        Column::MinTime => format!("{:>8}", short(row.min_ns)),
        Column::MaxTime => format!("{:>8}", short(row.max_ns)),
        Column::AvgTime => format!("{:>11}", row.avg_ns() / 1000),
        Column::Calls => format!("{:>9}", row.calls),
        Column::Errors if row.errors == 0 => " ".repeat(9),
        Column::Errors => format!("{:>9}", row.errors),
        Column::Name => label.to_owned(),
    }
}

/// Latency percentiles per syscall, in microseconds.
pub fn latency_table(out: &mut String, tally: &Tally, arch: &str, sort: SortBy) {
    let mut rows = syscall_rows(tally, arch);
    sort_rows(&mut rows, sort);
    let _ = writeln!(
        out,
        "{:>9} {:>11} {:>11} {:>11} {:>11} syscall",
        "calls", "p50 us", "p90 us", "p99 us", "max us"
    );
    for (label, row, nr) in rows {
        let (_, Some(h)) = tally.row(nr) else {
            continue;
        };
        let us = |ns: u64| format!("{:.3}", ns as f64 / 1000.0);
        let _ = writeln!(
            out,
            "{:>9} {:>11} {:>11} {:>11} {:>11} {label}",
            row.calls,
            us(h.percentile(0.5)),
            us(h.percentile(0.9)),
            us(h.percentile(0.99)),
            us(h.max()),
        );
    }
}

/// `comm` of each process, as the index knows it (looked up per row, so
/// built once: `-a` traces have many processes).
pub(super) fn commands(trace: &Trace) -> FxHashMap<u32, String> {
    trace
        .index()
        .processes
        .iter()
        .map(|p| {
            (
                p.pid.to_native(),
                String::from_utf8_lossy(&p.comm).into_owned(),
            )
        })
        .collect()
}

/// Calls, errors and time per process.
pub fn process_table(out: &mut String, tally: &Tally, trace: &Trace, sort: SortBy) {
    let comms = commands(trace);
    let mut rows: Vec<(String, Row, u32)> = tally
        .processes
        .iter()
        .map(|(&pid, row)| (comms.get(&pid).cloned().unwrap_or_default(), *row, pid))
        .collect();
    sort_rows(&mut rows, sort);
    let total = tally.total();
    let _ = writeln!(
        out,
        "% time     seconds     calls    errors     pid command"
    );
    for (comm, row, pid) in rows {
        let _ = writeln!(out, "{} {pid:>7} {comm}", shares(&row, &total));
    }
}

/// `% time  seconds  calls  errors` of a row, as the per-process and
/// per-thread tables start.
fn shares(row: &Row, total: &Row) -> String {
    format!(
        "{:>6.2} {} {:>9} {:>9}",
        percent(row.ns, total.ns),
        seconds(row.ns),
        row.calls,
        row.errors
    )
}

/// Seconds with microseconds, rounded as strace rounds them: `   0.001628`.
fn seconds(ns: u64) -> String {
    let us = ns.saturating_add(500) / 1000;
    format!("{:>4}.{:06}", us / 1_000_000, us % 1_000_000)
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Calls, errors, time and events lost per thread.
pub fn thread_table(out: &mut String, tally: &Tally, trace: &Trace, sort: SortBy) {
    let comms = commands(trace);
    let lost: FxHashMap<u32, u64> = trace
        .index()
        .threads
        .iter()
        .map(|t| (t.tid.to_native(), t.lost.to_native()))
        .collect();
    let mut rows: Vec<(String, Row, (u32, u32))> = tally
        .threads
        .iter()
        .map(|(&tid, &(pid, row))| {
            (
                comms.get(&pid).cloned().unwrap_or_default(),
                row,
                (tid, pid),
            )
        })
        .collect();
    sort_rows(&mut rows, sort);
    let total = tally.total();
    let _ = writeln!(
        out,
        "% time     seconds     calls    errors     tid     pid     lost command"
    );
    for (comm, row, (tid, pid)) in rows {
        let lost = lost.get(&tid).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{} {tid:>7} {pid:>7} {lost:>8} {comm}",
            shares(&row, &total)
        );
    }
}

/// Failed calls by syscall and error, most frequent first.
pub fn errno_table(out: &mut String, tally: &Tally, arch: &str) {
    let mut rows: Vec<(&(i64, i64), &u64)> = tally.errnos.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "{:>9} {:<16} error", "calls", "syscall");
    for (&(nr, errno), count) in rows {
        let error = match crate::syscalls::errno(-errno) {
            Some((name, text)) => format!("{name} ({text})"),
            None => errno.to_string(),
        };
        let _ = writeln!(out, "{count:>9} {:<16} {error}", display_name(arch, nr));
    }
}

/// A log2 histogram of one syscall's latencies, in nanoseconds.
pub fn latency_histogram(out: &mut String, tally: &Tally, arch: &str, nr: i64) {
    let (_, Some(hist)) = tally.row(nr) else {
        let _ = writeln!(out, "{}: no calls", display_name(arch, nr));
        return;
    };
    let _ = writeln!(
        out,
        "{}: latency in ns, {} calls",
        display_name(arch, nr),
        hist.count()
    );
    latency::draw(out, hist);
}

/// mmap's mappings: how many were private or shared, anonymous or backed by a
/// file, and a log2 histogram of their sizes.
pub fn mappings(out: &mut String, tally: &Tally) {
    let m = &tally.mappings;
    let all = m.sizes.count();
    let share = |n: u64| percent(n, all);
    let _ = writeln!(
        out,
        "mmap: {all} mappings: {} private ({:.1}%), {} shared ({:.1}%); \
         {} anonymous, {} file-backed",
        m.private,
        share(m.private),
        m.shared,
        share(m.shared),
        m.anonymous,
        m.file_backed,
    );
    let _ = writeln!(out, "sizes in bytes:");
    latency::draw(out, &m.sizes);
}

/// A footer naming the threads that lost events, if any did.
pub fn lost(out: &mut String, trace: &Trace) {
    let index = trace.index();
    let total = index.totals.lost.to_native();
    if total == 0 {
        return;
    }
    let threads: Vec<String> = index
        .threads
        .iter()
        .filter(|t| t.lost.to_native() > 0)
        .map(|t| format!("tid {}: {}", t.tid, t.lost))
        .collect();
    let _ = writeln!(out, "lost: {total} events ({})", threads.join(", "));
}

fn row_json(row: &Row) -> Value {
    json!({
        "calls": row.calls,
        "errors": row.errors,
        "seconds": row.ns as f64 / 1e9,
    })
}

fn histogram_json(h: &Histogram) -> Value {
    json!({
        "p50_ns": h.percentile(0.5),
        "p90_ns": h.percentile(0.9),
        "p99_ns": h.percentile(0.99),
        "max_ns": h.max(),
    })
}

/// Everything counted, as one JSON object (the schema is in the README).
pub fn json(tally: &Tally, trace: &Trace, sort: SortBy) -> Value {
    let arch = trace.header().arch.as_str();
    let mut rows = syscall_rows(tally, arch);
    sort_rows(&mut rows, sort);
    let syscalls: Vec<Value> = rows
        .iter()
        .map(|(label, row, nr)| {
            let mut v = row_json(row);
            v["name"] = json!(label);
            if crate::syscalls::is_compat(arch, *nr) {
                v["abi"] = json!("i386");
            }
            if let (_, Some(h)) = tally.row(*nr) {
                v["latency"] = histogram_json(h);
            }
            v
        })
        .collect();
    let mut doc = json!({
        "syscalls": syscalls,
        "total": row_json(&tally.total()),
        "lost": trace.index().threads.iter().filter(|t| t.lost.to_native() > 0)
            .map(|t| json!({"tid": t.tid.to_native(), "count": t.lost.to_native()}))
            .collect::<Vec<_>>(),
    });
    if !tally.processes.is_empty() {
        let comms = commands(trace);
        let mut pids: Vec<_> = tally.processes.iter().collect();
        pids.sort_by_key(|(pid, _)| **pid);
        doc["processes"] = pids
            .into_iter()
            .map(|(&pid, row)| {
                let mut v = row_json(row);
                v["pid"] = json!(pid);
                v["command"] = json!(comms.get(&pid));
                v
            })
            .collect();
    }
    if !tally.threads.is_empty() {
        let mut tids: Vec<_> = tally.threads.iter().collect();
        tids.sort_by_key(|(tid, _)| **tid);
        doc["threads"] = tids
            .into_iter()
            .map(|(&tid, (pid, row))| {
                let mut v = row_json(row);
                v["tid"] = json!(tid);
                v["pid"] = json!(pid);
                v
            })
            .collect();
    }
    if !tally.errnos.is_empty() {
        let mut errors: Vec<_> = tally.errnos.iter().collect();
        errors.sort();
        doc["errors"] = errors
            .into_iter()
            .map(|(&(nr, errno), &count)| {
                let name_of = crate::syscalls::errno(-errno).map(|e| e.0);
                json!({"syscall": display_name(arch, nr), "errno": name_of, "calls": count})
            })
            .collect();
    }
    let m = &tally.mappings;
    if m.sizes.count() > 0 {
        doc["mmap"] = json!({
            "mappings": m.sizes.count(),
            "private": m.private,
            "shared": m.shared,
            "anonymous": m.anonymous,
            "file_backed": m.file_backed,
            "sizes": m.sizes.log2().iter()
                .map(|(start, count)| json!({"from": start, "count": count}))
                .collect::<Vec<_>>(),
        });
    }
    doc
}
