//! `record --stack=fp`: each distinct user stack goes to the trace once,
//! read from the kernel's stack table the first time a call names it, and a
//! process's executable file mappings (from /proc) at its first stack after
//! each exec, so that a view can name each frame's file and offset later.

use aya::maps::{MapData, StackTraceMap};
use format::{Body, Event, Mapping};
use rustc_hash::{FxHashMap, FxHashSet};

pub struct Stacks {
    table: StackTraceMap<MapData>,
    /// Stack ids already in the trace.
    written: FxHashSet<u32>,
    /// Processes whose mappings are in the trace since their last exec.
    mapped: FxHashSet<u32>,
    /// Build ids of the files mapped so far, by path.
    build_ids: FxHashMap<String, Vec<u8>>,
}

impl Stacks {
    pub fn new(table: StackTraceMap<MapData>) -> Self {
        Self {
            table,
            written: FxHashSet::default(),
            mapped: FxHashSet::default(),
            build_ids: FxHashMap::default(),
        }
    }

    /// Hands `out` what the trace needs before `event`: for a call's enter,
    /// its stack the first time, and its process's mappings at its first
    /// stack since an exec.
    pub fn before(&mut self, event: &Event, mut out: impl FnMut(Event)) {
        if let Body::Exec { .. } = event.body {
            self.mapped.remove(&event.pid);
            return;
        }
        let Some(id) = analyze::stacks::Stacks::id(event) else {
            return;
        };
        // Beside the call: its task, CPU and time.
        let like = |body| Event {
            tid: event.tid,
            pid: event.pid,
            cpu: event.cpu,
            ts: event.ts,
            body,
        };
        if self.mapped.insert(event.pid) {
            out(like(Body::Mappings {
                maps: executable_mappings(event.pid, &mut self.build_ids),
            }));
        }
        if self.written.insert(id)
            && let Ok(stack) = self.table.get(&id, 0)
        {
            let frames = stack.frames().iter().map(|f| f.ip).collect();
            out(like(Body::Stack { id, frames }));
        }
    }
}

/// The files process `pid` has mapped executable, from /proc (none if it
/// is gone), each with its build id (`build_ids` caches them by path).
fn executable_mappings(pid: u32, build_ids: &mut FxHashMap<String, Vec<u8>>) -> Vec<Mapping> {
    let Ok(maps) = std::fs::read_to_string(format!("/proc/{pid}/maps")) else {
        return Vec::new();
    };
    maps.lines()
        .filter_map(|line| {
            // start-end perms offset dev inode path (which may hold spaces)
            let mut fields = line.splitn(6, ' ');
            let (range, perms, offset) = (fields.next()?, fields.next()?, fields.next()?);
            let path = fields.nth(2)?.trim_start();
            if !perms.contains('x') || !path.starts_with('/') {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            let hex = |s: &str| u64::from_str_radix(s, 16).ok();
            let build_id = build_ids
                .entry(path.to_owned())
                .or_insert_with(|| {
                    blazesym::helper::read_elf_build_id(path)
                        .ok()
                        .flatten()
                        .map(|id| id.into_owned())
                        .unwrap_or_default()
                })
                .clone();
            Some(Mapping {
                start: hex(start)?,
                end: hex(end)?,
                offset: hex(offset)?,
                build_id,
                path: path.as_bytes().to_vec(),
            })
        })
        .collect()
}
