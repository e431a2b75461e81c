//! `stats --by file` and `stats --tmpfiles`: per path, who opened it and how
//! many bytes went through it; and the opens that created temporary files.
//! Descriptors are followed in call order ([`FdTracker`]), so this view
//! replays the trace rather than counting chunks in parallel.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use format::{EventRef, Filter, Trace};

use crate::{
    Call, Error, TraceSink,
    decode::{CallView, Options},
    fds::{self, FdTracker},
    replay,
    select::CallFilter,
    table::{self, Io},
};

/// What happened to one path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileRow {
    pub opens: u64,
    pub failed_opens: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    /// Processes that opened it or moved data through it.
    pub pids: BTreeSet<u32>,
}

/// An open that created a temporary file: O_TMPFILE, or O_CREAT|O_EXCL under /tmp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TmpFile {
    pub pid: u32,
    pub tid: u32,
    /// The call as `show` prints it.
    pub line: String,
}

#[derive(Debug, Default)]
pub struct FileStats {
    /// By path as the program named it; descriptors with no recorded open
    /// (inherited ones) as `<fd N>`.
    pub files: BTreeMap<String, FileRow>,
    pub tmpfiles: Vec<TmpFile>,
}

const O_CREAT: u64 = 0o100;
const O_EXCL: u64 = 0o200;
const O_TMPFILE: u64 = 0o20_200_000;
const AT_FDCWD: i64 = -100;

struct Collector<'a> {
    arch: &'a str,
    calls: &'a CallFilter,
    fds: FdTracker,
    stats: FileStats,
}

impl Collector<'_> {
    /// An open's path, its flags, and the directory it is relative to when
    /// that is a descriptor whose path is known.
    fn open_of(&self, view: &CallView<'_>, pid: u32) -> Option<(String, u64)> {
        let (path_arg, flags) = match view.syscall.name {
            "open" => (0, view.args[1]),
            "creat" => (0, O_CREAT | 0o1001),
            "openat" => (1, view.args[2]),
            _ => return None,
        };
        let path = String::from_utf8_lossy(&view.path(path_arg)?).into_owned();
        let dirfd = i64::from(view.args[0] as u32 as i32);
        let path = match self.fds.name(pid, dirfd) {
            Some(dir) if path_arg == 1 && dirfd != AT_FDCWD && !path.starts_with('/') => {
                format!("{}/{path}", String::from_utf8_lossy(dir))
            }
            _ => path,
        };
        Some((path, flags))
    }
}

/// Whether an open with `flags` of `path` creates a temporary file.
fn is_tmpfile(path: &str, flags: u64) -> bool {
    flags & O_TMPFILE == O_TMPFILE
        || (flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL && path.starts_with("/tmp/"))
}

impl TraceSink for Collector<'_> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        let enter = call.enter;
        let format::Body::SysEnter { nr, .. } = enter.body else {
            return Ok(());
        };
        let Some(syscall) = table::lookup(self.arch, nr) else {
            return Ok(());
        };
        let Some(mut view) = CallView::new(syscall, enter, call.exit) else {
            return Ok(());
        };
        view.fds = self.fds.table(enter.pid);
        let ret = view.result().unwrap_or(-1);
        if self.calls.wants_name(syscall.name) && self.calls.wants_result(view.result()) {
            if let Some((path, flags)) = self.open_of(&view, enter.pid) {
                if ret >= 0 && is_tmpfile(&path, flags) {
                    let mut line = String::new();
                    view.render_line(&mut line, &Options::default());
                    self.stats.tmpfiles.push(TmpFile {
                        pid: enter.pid,
                        tid: enter.tid,
                        line,
                    });
                }
                let row = self.stats.files.entry(path).or_default();
                row.opens += 1;
                row.failed_opens += u64::from(ret < 0);
                row.pids.insert(enter.pid);
            }
            if let Some(io) = syscall.io().filter(|_| ret > 0) {
                let fd = i64::from(view.args[0] as u32 as i32);
                let path = match self.fds.name(enter.pid, fd) {
                    Some(name) => String::from_utf8_lossy(name).into_owned(),
                    None => format!("<fd {fd}>"),
                };
                let row = self.stats.files.entry(path).or_default();
                match io {
                    Io::Read => row.bytes_read += ret as u64,
                    Io::Write => row.bytes_written += ret as u64,
                }
                row.pids.insert(enter.pid);
            }
        }
        let changes = fds::changes(&view);
        self.fds.apply(enter.pid, changes);
        Ok(())
    }

    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error> {
        self.fds.event(event);
        Ok(())
    }
}

/// Replays `trace` and collects what happened per file.
pub fn collect(trace: &Trace, calls: &CallFilter, events: &Filter) -> Result<FileStats, Error> {
    let mut collector = Collector {
        arch: &trace.header().arch,
        calls,
        fds: FdTracker::default(),
        stats: FileStats::default(),
    };
    replay(trace, events, &mut collector)?;
    Ok(collector.stats)
}

/// `comm[pid]` of each process, for the tables.
fn who(trace: &Trace, pids: &BTreeSet<u32>) -> String {
    let index = trace.index();
    pids.iter()
        .map(|pid| {
            let comm = index
                .processes
                .iter()
                .find(|p| p.pid == *pid)
                .map(|p| String::from_utf8_lossy(&p.comm).into_owned())
                .unwrap_or_default();
            format!("{comm}[{pid}]")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Per path: opens (failed), bytes read and written, and by which processes;
/// most opened first.
pub fn file_table(out: &mut String, stats: &FileStats, trace: &Trace) {
    let mut rows: Vec<(&String, &FileRow)> = stats.files.iter().collect();
    rows.sort_by(|a, b| {
        (b.1.opens, b.1.bytes_read + b.1.bytes_written)
            .cmp(&(a.1.opens, a.1.bytes_read + a.1.bytes_written))
    });
    let _ = writeln!(
        out,
        "{:>7} {:>7} {:>12} {:>12}  path  (processes)",
        "opens", "failed", "read", "written"
    );
    for (path, row) in rows {
        let _ = writeln!(
            out,
            "{:>7} {:>7} {:>12} {:>12}  {path}  ({})",
            row.opens,
            row.failed_opens,
            row.bytes_read,
            row.bytes_written,
            who(trace, &row.pids)
        );
    }
}

/// The opens that created temporary files, one per line with its process.
pub fn tmpfile_list(out: &mut String, stats: &FileStats, trace: &Trace) {
    if stats.tmpfiles.is_empty() {
        let _ = writeln!(out, "no temporary files were created");
    }
    for tmp in &stats.tmpfiles {
        let pids = BTreeSet::from([tmp.pid]);
        let _ = writeln!(out, "{} {}", who(trace, &pids), tmp.line);
    }
}

/// The files and temporary files, for `stats --json`.
pub fn json(stats: &FileStats) -> serde_json::Value {
    serde_json::json!({
        "paths": stats.files.iter().map(|(path, row)| serde_json::json!({
            "path": path,
            "opens": row.opens,
            "failed_opens": row.failed_opens,
            "bytes_read": row.bytes_read,
            "bytes_written": row.bytes_written,
            "pids": row.pids,
        })).collect::<Vec<_>>(),
        "tmpfiles": stats.tmpfiles.iter().map(|t| serde_json::json!({
            "pid": t.pid,
            "tid": t.tid,
            "call": t.line,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_recognised() {
        assert!(is_tmpfile("/home", 0o20_200_002));
        assert!(is_tmpfile("/tmp/x", O_CREAT | O_EXCL | 1));
        assert!(!is_tmpfile("/home/x", O_CREAT | O_EXCL | 1));
        assert!(!is_tmpfile("/tmp/x", O_CREAT | 1));
        // O_DIRECTORY alone shares a bit with O_TMPFILE.
        assert!(!is_tmpfile("/tmp", 0o200_000));
    }
}
