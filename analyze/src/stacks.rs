//! `show -k`: each call's user stack (`record --stack=fp`), named as strace
//! -k names frames: the file mapped at each address, the symbol of that
//! file and the offset in it, then the file offset:
//! ` > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x5b) [0x11a5fb]`.
//! Symbols come from the files' symbol tables, read now (blazesym): a
//! frame takes the nearest function symbol before it, as strace's does.

use std::{cell::RefCell, ffi::OsStr, fmt::Write as _, os::unix::ffi::OsStrExt as _};

use blazesym::{
    SymType,
    inspect::{
        Inspector,
        source::{Elf, Source},
    },
};
use rustc_hash::FxHashMap;

use format::{BodyRef, Event, EventRef, Mapping};

/// A function's name, and an offset into it.
type Symbol = (String, u64);
/// A file's function symbols: (file offset, name), sorted.
type Functions = Vec<(u64, String)>;

/// One frame, as far as it can be named.
enum Frame {
    /// In no mapping recorded.
    Unmapped,
    /// In a file gone or rebuilt since: its path and the file offset.
    Unknown { path: String, offset: u64 },
    /// In a file as recorded, with the symbol there if it has one.
    File {
        path: String,
        offset: u64,
        symbol: Option<Symbol>,
    },
}

/// The stacks a recording holds, and where each process had its files.
pub struct Stacks {
    /// Frames by stack id, innermost first.
    frames: FxHashMap<u32, Vec<u64>>,
    /// Each process's executable file mappings, as last recorded.
    maps: FxHashMap<u32, Vec<Mapping>>,
    inspector: Inspector,
    /// Each file's function symbols by file offset, read once.
    tables: RefCell<FxHashMap<Vec<u8>, Functions>>,
    /// Whether a frame could not be placed yet (said once).
    unmapped: std::cell::Cell<bool>,
    /// Whether each file mapped is still the one recorded, by path.
    files: RefCell<FxHashMap<Vec<u8>, bool>>,
}

impl Default for Stacks {
    fn default() -> Self {
        Self {
            frames: FxHashMap::default(),
            maps: FxHashMap::default(),
            inspector: Inspector::new(),
            tables: RefCell::default(),
            unmapped: Default::default(),
            files: RefCell::default(),
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
            }
            _ => {}
        }
    }

    /// The id of the stack a call was made from: the one its exit carries
    /// (a successful exec's: the new program's first instruction, where
    /// strace -k shows it), else its enter's, if one was taken.
    pub fn id(enter: &Event, exit: Option<&EventRef<'_>>) -> Option<u32> {
        if let Some(BodyRef::SysExit { captures, .. }) = exit.map(|e| &e.body)
            && let Some(capture) = captures.get(abi::ARG_STACK)
        {
            return stack_id(capture.data);
        }
        let format::Body::SysEnter { captures, .. } = &enter.body else {
            return None;
        };
        stack_id(&captures.iter().find(|c| c.arg == abi::ARG_STACK)?.data)
    }

    /// The frames of the stack a call was made from (see [`Stacks::id`]).
    pub fn of(&self, enter: &Event, exit: Option<&EventRef<'_>>) -> Option<&[u64]> {
        self.frames.get(&Self::id(enter, exit)?).map(Vec::as_slice)
    }

    /// strace -k's lines for `frames` of process `pid`.
    pub fn write(&self, out: &mut String, pid: u32, frames: &[u64]) {
        for &ip in frames {
            let _ = match self.frame(pid, ip) {
                Frame::Unmapped => writeln!(out, " > ?? [{ip:#x}]"),
                Frame::Unknown { path, offset } => writeln!(out, " > {path}(??) [{offset:#x}]"),
                Frame::File {
                    path,
                    offset,
                    symbol: Some((name, within)),
                } => writeln!(out, " > {path}({name}+{within:#x}) [{offset:#x}]"),
                Frame::File { path, offset, .. } => writeln!(out, " > {path}() [{offset:#x}]"),
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
            .map(|&ip| match self.frame(pid, ip) {
                Frame::File {
                    symbol: Some((name, _)),
                    ..
                } => name,
                Frame::File { path, offset, .. } | Frame::Unknown { path, offset } => {
                    format!("{}+{offset:#x}", base(&path))
                }
                Frame::Unmapped => format!("{ip:#x}"),
            })
            .collect()
    }

    /// What is known of the frame at `ip` of process `pid`. A frame in no
    /// recorded mapping: its process ended before the recorder read its
    /// mappings, or the frame pointers led astray (said once, on standard
    /// error).
    fn frame(&self, pid: u32, ip: u64) -> Frame {
        let maps = self.maps.get(&pid).map(Vec::as_slice).unwrap_or_default();
        let at = maps.partition_point(|m| m.start <= ip);
        let Some(map) = at.checked_sub(1).map(|i| &maps[i]).filter(|m| ip < m.end) else {
            if !self.unmapped.replace(true) {
                eprintln!(
                    "systrace: warning: stack frames in no recorded mapping print as ?? \
                     (first in process {pid}): the process ended before the recorder read \
                     its mappings, or a frame pointer led astray"
                );
            }
            return Frame::Unmapped;
        };
        let offset = ip - map.start + map.offset;
        let path = String::from_utf8_lossy(&map.path).into_owned();
        if !self.same_file(map) {
            return Frame::Unknown { path, offset };
        }
        let symbol = self.name(&map.path, offset);
        Frame::File {
            path,
            offset,
            symbol,
        }
    }

    /// Whether the file `map` maps is, on disk now, the one recorded (its
    /// build id, where one was recorded): else its frames cannot be named,
    /// which is said once, with why.
    fn same_file(&self, map: &Mapping) -> bool {
        if let Some(&same) = self.files.borrow().get(&map.path) {
            return same;
        }
        let path = OsStr::from_bytes(&map.path);
        let why = match blazesym::helper::read_elf_build_id(path) {
            Err(_) => Some("it is gone, or not readable"),
            Ok(now) if !map.build_id.is_empty() && now.as_deref() != Some(&map.build_id[..]) => {
                Some("its build id is not the one recorded")
            }
            Ok(_) => None,
        };
        if let Some(why) = why {
            eprintln!(
                "systrace: warning: {}: frames print as ??: {why}",
                path.to_string_lossy()
            );
        }
        self.files
            .borrow_mut()
            .insert(map.path.clone(), why.is_none());
        why.is_none()
    }

    /// The function symbol at or before file offset `offset` of the file at
    /// `path`, and the offset past it: the nearest preceding one whatever
    /// its size, as strace -k (libdw) names a frame.
    fn name(&self, path: &[u8], offset: u64) -> Option<Symbol> {
        let mut tables = self.tables.borrow_mut();
        let table = tables
            .entry(path.to_vec())
            .or_insert_with(|| self.functions(path));
        let at = table.partition_point(|(start, _)| *start <= offset);
        let (start, name) = table.get(at.checked_sub(1)?)?;
        Some((name.clone(), offset - start))
    }

    /// The function symbols of the file at `path` by file offset, sorted
    /// (none if it cannot be read).
    fn functions(&self, path: &[u8]) -> Functions {
        let mut elf = Elf::new(OsStr::from_bytes(path));
        elf.debug_syms = false;
        let mut table = Vec::new();
        let _ = self.inspector.for_each(&Source::Elf(elf), |sym| {
            if let (SymType::Function, Some(at)) = (sym.sym_type, sym.file_offset) {
                table.push((at, sym.name.to_string()));
            }
            std::ops::ControlFlow::Continue(())
        });
        table.sort_unstable();
        table
    }
}

/// A stack id capture's value (`abi::ARG_STACK`).
fn stack_id(data: &[u8]) -> Option<u32> {
    u32::try_from(u64::from_ne_bytes(data.get(..8)?.try_into().ok()?)).ok()
}
