//! `stats --by file` and `stats --tmpfiles`: per path, who opened it and how
//! many bytes went through it; and the opens that created temporary files.
//! Descriptors are followed in call order (by [`replay`]), so this view
//! replays the trace rather than counting chunks in parallel.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use format::{EventRef, Filter, Trace};

use crate::{
    Call, Context, Error, Selection, TraceSink,
    decode::{CallView, Options, flags::Table},
    fds, replay,
    select::CallFilter,
    table::{self, Arg, FdEffect, Io},
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

struct Collector {
    stats: FileStats,
}

/// An open's path (joined to its directory descriptor) and flags.
fn open_of(view: &CallView<'_>) -> Option<(String, u64)> {
    let syscall = view.syscall;
    let flags = match syscall.fds {
        FdEffect::Creates => ["O_CREAT", "O_WRONLY", "O_TRUNC"]
            .iter()
            .filter_map(|name| view.xlat.open.value_of(name))
            .fold(0, |all, flag| all | flag),
        // Unless they are in a struct (openat2).
        FdEffect::Opens => view.args[syscall.arg_index(Arg::Flags(table::Flags::Open))?],
        _ => return None,
    };
    let path = fds::open_path(view)?;
    Some((String::from_utf8_lossy(&path).into_owned(), flags))
}

/// Whether an open with `flags` of `path` creates a temporary file: O_TMPFILE,
/// or O_CREAT|O_EXCL under /tmp (`open`: the architecture's open flags).
fn is_tmpfile(path: &str, flags: u64, open: &Table) -> bool {
    let flag = |name| open.value_of(name).unwrap_or(0);
    let (tmpfile, create) = (flag("O_TMPFILE"), flag("O_CREAT") | flag("O_EXCL"));
    (tmpfile != 0 && flags & tmpfile == tmpfile)
        || (flags & create == create && path.starts_with("/tmp/"))
}

impl TraceSink for Collector {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        let Some(view) = call.view().filter(|_| call.shown) else {
            return Ok(());
        };
        let enter = call.enter;
        let ret = view.result().unwrap_or(-1);
        if let Some((path, flags)) = open_of(&view) {
            if ret >= 0 && is_tmpfile(&path, flags, &view.xlat.open) {
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
        if let Some(io) = view.syscall.io().filter(|_| ret > 0) {
            let fd = i64::from(view.args[0] as u32 as i32);
            let path = match call.fds.and_then(|t| t.get(&fd)) {
                Some(entry) => String::from_utf8_lossy(&entry.name).into_owned(),
                None => format!("<fd {fd}>"),
            };
            let row = self.stats.files.entry(path).or_default();
            match io {
                Io::Read => row.bytes_read += ret as u64,
                Io::Write => row.bytes_written += ret as u64,
            }
            row.pids.insert(enter.pid);
        }
        Ok(())
    }

    fn event(&mut self, _event: &EventRef<'_>, _: &Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Replays `trace` and collects what happened per file.
pub fn collect(trace: &Trace, calls: &CallFilter, events: &Filter) -> Result<FileStats, Error> {
    let mut collector = Collector {
        stats: FileStats::default(),
    };
    let selection = Selection {
        events,
        calls,
        paths: &[],
        follow_fds: true,
        follow_comms: false,
    };
    replay(trace, &selection, &mut collector)?;
    Ok(collector.stats)
}

/// `comm[pid]` of each process, for the tables.
fn who(comms: &rustc_hash::FxHashMap<u32, String>, pids: &BTreeSet<u32>) -> String {
    pids.iter()
        .map(|pid| format!("{}[{pid}]", comms.get(pid).map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Per path: opens (failed), bytes read and written, and by which processes;
/// most opened first.
pub fn file_table(out: &mut String, stats: &FileStats, trace: &Trace) {
    let comms = super::report::commands(trace);
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
            who(&comms, &row.pids)
        );
    }
}

/// The opens that created temporary files, one per line with its process.
pub fn tmpfile_list(out: &mut String, stats: &FileStats, trace: &Trace) {
    let comms = super::report::commands(trace);
    if stats.tmpfiles.is_empty() {
        let _ = writeln!(out, "no temporary files were created");
    }
    for tmp in &stats.tmpfiles {
        let pids = BTreeSet::from([tmp.pid]);
        let _ = writeln!(out, "{} {}", who(&comms, &pids), tmp.line);
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
    use crate::decode::xlat::{AARCH64, X86_64};
    use format::{Body, Capture, CaptureStatus, Event, FileHeader, Writer, WriterOptions};

    /// One call of process 10 (x86_64 numbers), with the path it names.
    fn call(
        w: &mut Writer,
        ts: &mut u64,
        nr: i64,
        args: [u64; 6],
        path: Option<(u8, &str)>,
        ret: i64,
    ) {
        let captures = path
            .map(|(arg, p)| Capture {
                arg,
                status: CaptureStatus::Complete,
                data: p.as_bytes().to_vec(),
            })
            .into_iter()
            .collect();
        let mut event = |body| {
            *ts += 10;
            w.push(&Event {
                tid: 10,
                pid: 10,
                cpu: 0,
                ts: *ts,
                body,
            })
            .unwrap();
        };
        event(Body::SysEnter { nr, args, captures });
        event(Body::SysExit {
            nr,
            ret,
            captures: vec![],
        });
    }

    /// Bytes go to the path the descriptor had when they moved: relative
    /// opens are joined to their directory, and a number reused by a call the
    /// tracker does not name, a dup2 or a close_range forgets the old path.
    #[test]
    fn bytes_follow_descriptors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let header = FileHeader {
            arch: "x86_64".into(),
            ..FileHeader::default()
        };
        let mut w = Writer::create(&path, &header, WriterOptions::default()).unwrap();
        let ts = &mut 0;
        const AT_FDCWD: u64 = -100i64 as u64;
        call(
            &mut w,
            ts,
            257,
            [AT_FDCWD, 1, 0o200000, 0, 0, 0],
            Some((1, "/etc")),
            3,
        );
        call(&mut w, ts, 257, [3, 1, 0, 0, 0, 0], Some((1, "passwd")), 4);
        call(&mut w, ts, 0, [4, 1, 100, 0, 0, 0], None, 100);
        call(&mut w, ts, 290, [0, 0, 0, 0, 0, 0], None, 5);
        call(&mut w, ts, 33, [5, 4, 0, 0, 0, 0], None, 4);
        call(&mut w, ts, 1, [4, 1, 8, 0, 0, 0], None, 8);
        call(&mut w, ts, 436, [3, 10, 0, 0, 0, 0], None, 0);
        call(&mut w, ts, 1, [4, 1, 2, 0, 0, 0], None, 2);
        w.finish().unwrap();
        let trace = Trace::open(&path).unwrap();
        let stats = collect(&trace, &CallFilter::default(), &Filter::default()).unwrap();
        let row = |p: &str| stats.files.get(p).cloned().unwrap_or_default();
        assert_eq!(
            (row("/etc/passwd").opens, row("/etc/passwd").bytes_read),
            (1, 100)
        );
        assert!(!stats.files.contains_key("passwd"), "{:?}", stats.files);
        assert_eq!(row("anon_inode:[eventfd]").bytes_written, 8);
        assert_eq!(row("<fd 4>").bytes_written, 2);
    }

    #[test]
    fn temporary_files_are_recognised() {
        let (x86, arm) = (&X86_64.open, &AARCH64.open);
        const O_CREAT_EXCL: u64 = 0o300;
        assert!(is_tmpfile("/home", 0o20_200_002, x86));
        assert!(is_tmpfile("/tmp/x", O_CREAT_EXCL | 1, x86));
        assert!(!is_tmpfile("/home/x", O_CREAT_EXCL | 1, x86));
        assert!(!is_tmpfile("/tmp/x", 0o100 | 1, x86));
        // O_DIRECTORY alone shares a bit with O_TMPFILE.
        assert!(!is_tmpfile("/tmp", 0o200_000, x86));
        assert!(is_tmpfile("/home", 0o20_040_002, arm));
        assert!(!is_tmpfile("/home", 0o20_040_002, x86));
    }
}
