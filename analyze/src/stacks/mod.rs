//! `show -k`: each call's user stack (`record --stack`), named as strace
//! -k names frames: the file mapped at each address, the symbol of that
//! file and the offset in it, then the file offset:
//! ` > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x5b) [0x11a5fb]`, and
//! with `-kk` the source line after it where DWARF has one. Names come from
//! the files as they are now (`symbols`), if they are still the ones
//! recorded (same build id); JIT code from the process's perf map
//! (/tmp/perf-PID.map), as perf reads it.

mod symbols;

use std::{
    cell::{Cell, RefCell},
    ffi::OsStr,
    fmt::Write as _,
    os::unix::{ffi::OsStrExt as _, fs::MetadataExt as _},
    path::{Path, PathBuf},
    rc::Rc,
};

use rustc_hash::FxHashMap;

use format::{BodyRef, Event, EventRef, Mapping};
use symbols::FileSymbols;
pub use symbols::read_regular;

/// A function's name, and an offset into it.
type Symbol = (String, u64);

/// One frame, as far as it can be named.
enum Frame {
    /// In no mapping recorded, nor in a perf map.
    Unmapped,
    /// JIT code a perf map names: the map's path, the symbol and offset.
    Jitted {
        map: String,
        name: String,
        within: u64,
    },
    /// In a file gone or rebuilt since: its path and the file offset.
    Unknown { path: String, offset: u64 },
    /// In a file as recorded, with the symbol there if it has one, and
    /// the source line (`-kk`) if DWARF has it.
    File {
        path: String,
        offset: u64,
        symbol: Option<Symbol>,
        line: Option<(String, u32)>,
    },
}

/// A mapped file as recorded: its path, build id and inode (one path may
/// have held several builds while recording).
type FileKey = (Vec<u8>, Vec<u8>, u64);

/// A perf map's symbols: start, size, name, sorted by start.
type PerfMap = Vec<(u64, u64, String)>;

/// The stacks a recording holds, and where each process had its files.
pub struct Stacks {
    /// Frames by stack id, innermost first.
    frames: FxHashMap<u32, Vec<u64>>,
    /// Each process's executable file mappings, as last recorded.
    maps: FxHashMap<u32, Vec<Mapping>>,
    /// Each mapped file's names, read once per build recorded (`None`:
    /// the file is gone or not the one recorded, which was said once).
    files: RefCell<FxHashMap<FileKey, Option<Rc<FileSymbols>>>>,
    /// Where perf maps are (/tmp), and each process's, read once.
    perf_map_dir: PathBuf,
    perf_maps: RefCell<FxHashMap<u32, Rc<PerfMap>>>,
    /// Whether a frame could not be placed yet (said once).
    unmapped: Cell<bool>,
    /// Each stack's lines as a process's calls print them, by process and
    /// stack id, until the process's mappings change: a hot loop's stack
    /// is named once.
    shown: RefCell<FxHashMap<(u32, u32), String>>,
}

impl Default for Stacks {
    fn default() -> Self {
        Self {
            frames: FxHashMap::default(),
            maps: FxHashMap::default(),
            files: RefCell::default(),
            perf_map_dir: PathBuf::from("/tmp"),
            perf_maps: RefCell::default(),
            unmapped: Cell::new(false),
            shown: RefCell::default(),
        }
    }
}

impl Stacks {
    /// Takes in what a recording says of stacks and mappings.
    pub fn event(&mut self, event: &EventRef<'_>) {
        match event.body {
            BodyRef::Stack { id, frames } => {
                self.frames
                    .insert(id, format::stack_frames(frames).collect());
            }
            BodyRef::Mappings { maps } => {
                let mut maps: Vec<Mapping> = maps.filter_map(Mapping::decode).collect();
                maps.sort_by_key(|m| m.start);
                self.maps.insert(event.pid, maps);
                self.shown.get_mut().retain(|(pid, _), _| *pid != event.pid);
            }
            _ => {}
        }
    }

    /// The id of the stack a call was made from: the one its exit carries
    /// (the first exec of the program `record` started: the new program's
    /// first instruction, where strace -k shows it), else its enter's, if
    /// one was taken.
    pub fn id(enter: &Event, exit: Option<&EventRef<'_>>) -> Option<u32> {
        if let Some(BodyRef::SysExit { captures, .. }) = exit.map(|e| &e.body)
            && let Some(capture) = captures.get(abi::ARG_STACK)
        {
            return u32::try_from(capture.value()?).ok();
        }
        let format::Body::SysEnter { captures, .. } = &enter.body else {
            return None;
        };
        let capture = captures.iter().find(|c| c.arg == abi::ARG_STACK)?;
        u32::try_from(capture.value()?).ok()
    }

    /// The frames of the stack a call was made from (see [`Stacks::id`]).
    pub fn of(&self, enter: &Event, exit: Option<&EventRef<'_>>) -> Option<&[u64]> {
        self.frames.get(&Self::id(enter, exit)?).map(Vec::as_slice)
    }

    /// strace -k's lines for the stack a call was made from (see
    /// [`Stacks::id`]), with each frame's source line for `lines` (`-kk`);
    /// nothing if none was recorded.
    pub fn write_call(
        &self,
        out: &mut String,
        enter: &Event,
        exit: Option<&EventRef<'_>>,
        lines: bool,
    ) {
        let Some(id) = Self::id(enter, exit) else {
            return;
        };
        let key = (enter.pid, id);
        if let Some(text) = self.shown.borrow().get(&key) {
            out.push_str(text);
            return;
        }
        let Some(frames) = self.frames.get(&id) else {
            return;
        };
        let mut text = String::new();
        self.write(&mut text, enter.pid, frames, lines);
        out.push_str(&text);
        self.shown.borrow_mut().insert(key, text);
    }

    /// strace -k's lines for `frames` of process `pid`, with the source
    /// line of each frame after it for `lines` (`-kk`).
    pub fn write(&self, out: &mut String, pid: u32, frames: &[u64], lines: bool) {
        for &ip in frames {
            let _ = match self.frame(pid, ip, lines) {
                Frame::Unmapped => writeln!(out, " > ?? [{ip:#x}]"),
                Frame::Jitted { map, name, within } => {
                    writeln!(out, " > {map}({name}+{within:#x}) [{ip:#x}]")
                }
                Frame::Unknown { path, offset } => writeln!(out, " > {path}(??) [{offset:#x}]"),
                Frame::File {
                    path,
                    offset,
                    symbol,
                    line,
                } => {
                    let _ = match symbol {
                        Some((name, within)) => {
                            write!(out, " > {path}({name}+{within:#x}) [{offset:#x}]")
                        }
                        None => write!(out, " > {path}() [{offset:#x}]"),
                    };
                    match line {
                        Some((file, line)) => writeln!(out, " {file}:{line}"),
                        None => writeln!(out),
                    }
                }
            };
        }
    }

    /// A short name for each of `frames` of process `pid`, outermost first,
    /// as flame graphs and folded stacks show them: the function, else the
    /// file's name and offset.
    pub fn names(&self, pid: u32, frames: &[u64]) -> Vec<String> {
        let base = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
        frames
            .iter()
            .rev()
            .map(|&ip| match self.frame(pid, ip, false) {
                Frame::File {
                    symbol: Some((name, _)),
                    ..
                }
                | Frame::Jitted { name, .. } => name,
                Frame::File { path, offset, .. } | Frame::Unknown { path, offset } => {
                    format!("{}+{offset:#x}", base(&path))
                }
                Frame::Unmapped => format!("{ip:#x}"),
            })
            .collect()
    }

    /// What is known of the frame at `ip` of process `pid` (with its
    /// source line for `lines`). A frame in no recorded mapping nor perf
    /// map: its process ended before the recorder read its mappings, or the
    /// frame pointers led astray (said once, on standard error).
    fn frame(&self, pid: u32, ip: u64, lines: bool) -> Frame {
        let maps = self.maps.get(&pid).map(Vec::as_slice).unwrap_or_default();
        let at = maps.partition_point(|m| m.start <= ip);
        let Some(map) = at.checked_sub(1).map(|i| &maps[i]).filter(|m| ip < m.end) else {
            return self.jitted(pid, ip).unwrap_or_else(|| {
                if !self.unmapped.replace(true) {
                    eprintln!(
                        "systrace: warning: stack frames in no recorded mapping print as ?? \
                         (first in process {pid}): the process ended before the recorder read \
                         its mappings, or a frame pointer led astray"
                    );
                }
                Frame::Unmapped
            });
        };
        let offset = ip - map.start + map.offset;
        let path = String::from_utf8_lossy(&map.path).into_owned();
        let Some(file) = self.file(map) else {
            return Frame::Unknown { path, offset };
        };
        let symbol = file
            .function(offset)
            .map(|(name, within)| (name.to_owned(), within));
        // A return address is past its call: the call's line is before it.
        let line = lines.then(|| file.line(offset.saturating_sub(1))).flatten();
        Frame::File {
            path,
            offset,
            symbol,
            line,
        }
    }

    /// The names of the file `map` maps, if it is, on disk now, the one
    /// recorded (its build id, or without one its device and inode, where
    /// recorded): else its frames cannot be named, which is said once,
    /// with why.
    fn file(&self, map: &Mapping) -> Option<Rc<FileSymbols>> {
        let key = (map.path.clone(), map.build_id.clone(), map.inode);
        if let Some(file) = self.files.borrow().get(&key) {
            return file.clone();
        }
        let path = Path::new(OsStr::from_bytes(&map.path));
        let stat = std::fs::metadata(path).ok();
        let why = match (symbols::build_id(path), stat) {
            (None, _) | (_, None) => Some("it is gone, or not readable"),
            (Some(now), _) if !map.build_id.is_empty() && now != map.build_id => {
                Some("its build id is not the one recorded")
            }
            // Without a build id, the file itself must be the one mapped.
            (Some(_), Some(stat))
                if map.build_id.is_empty()
                    && map.inode != 0
                    && (stat.dev(), stat.ino()) != (map.device, map.inode) =>
            {
                Some("it is not the file recorded (another inode)")
            }
            _ => None,
        };
        if let Some(why) = why {
            eprintln!(
                "systrace: warning: {}: frames print as ??: {why}",
                path.display()
            );
        }
        let file = why.is_none().then(|| Rc::new(FileSymbols::read(path)));
        self.files.borrow_mut().insert(key, file.clone());
        file
    }

    /// The frame at `ip` of process `pid` as its perf map names it (JIT
    /// code), if it has one that does.
    fn jitted(&self, pid: u32, ip: u64) -> Option<Frame> {
        let path = self.perf_map_dir.join(format!("perf-{pid}.map"));
        let map = self
            .perf_maps
            .borrow_mut()
            .entry(pid)
            .or_insert_with(|| Rc::new(read_perf_map(&path)))
            .clone();
        let at = map.partition_point(|(start, _, _)| *start <= ip);
        let (start, size, name) = map.get(at.checked_sub(1)?)?;
        (ip - start < *size).then(|| Frame::Jitted {
            map: path.display().to_string(),
            name: name.clone(),
            within: ip - start,
        })
    }
}

/// A perf map (`START SIZE NAME` lines, hex), sorted; none if it is
/// missing, not a plain file, or owned by someone other than us or root
/// (as perf refuses it: anyone may write to /tmp).
fn read_perf_map(path: &Path) -> PerfMap {
    let owned = std::fs::symlink_metadata(path).is_ok_and(|m| {
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        m.file_type().is_file() && (m.uid() == me || m.uid() == 0)
    });
    let Some(text) = owned.then(|| std::fs::read_to_string(path).ok()).flatten() else {
        return Vec::new();
    };
    let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    let mut map: PerfMap = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, ' ');
            let start = hex(fields.next()?)?;
            let size = hex(fields.next()?)?;
            Some((start, size, fields.next()?.trim_end().to_owned()))
        })
        .collect();
    map.sort_by_key(|(start, _, _)| *start);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame in no mapping, in JIT code a perf map names: named as perf
    /// names it; a map someone else could have planted (a symlink) is not
    /// read.
    #[test]
    fn jitted_frames_take_their_names_from_the_perf_map() {
        let dir = tempfile::tempdir().unwrap();
        let stacks = Stacks {
            perf_map_dir: dir.path().to_owned(),
            ..Stacks::default()
        };
        std::fs::write(
            dir.path().join("perf-42.map"),
            "7f0000002000 80 LazyCompile:*fib /app/fib.js:1\n7f0000001000 100 Builtin:Call\n",
        )
        .unwrap();
        let mut text = String::new();
        stacks.write(&mut text, 42, &[0x7f00_0000_1010, 0x7f00_0000_2040], false);
        let map = dir.path().join("perf-42.map").display().to_string();
        assert_eq!(
            text,
            format!(
                " > {map}(Builtin:Call+0x10) [0x7f0000001010]\n \
                 > {map}(LazyCompile:*fib /app/fib.js:1+0x40) [0x7f0000002040]\n"
            )
        );
        assert_eq!(
            stacks.names(42, &[0x7f00_0000_1010]),
            ["Builtin:Call".to_owned()]
        );
        // Past a symbol's end, and a planted map: unnamed.
        std::os::unix::fs::symlink(
            dir.path().join("perf-42.map"),
            dir.path().join("perf-43.map"),
        )
        .unwrap();
        text.clear();
        stacks.write(&mut text, 42, &[0x7f00_0000_1100], false);
        stacks.write(&mut text, 43, &[0x7f00_0000_1010], false);
        assert_eq!(text, " > ?? [0x7f0000001100]\n > ?? [0x7f0000001010]\n");
    }
}
