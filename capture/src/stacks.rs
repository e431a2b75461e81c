//! `record --stack`: each distinct user stack goes to the trace once,
//! before the first call that has it, and each process's executable file
//! mappings before its first stack after they change, so that a view can
//! name each frame's file and offset later.
//!
//! Where the mappings come from: an exec's program and interpreter, at the
//! load addresses the kernel reports (`ARG_EXE`, `ARG_AUXV`), laid out by
//! their ELF program headers; each mmap that maps a file executable
//! (`ARG_MAPPED`); a fork's parent; /proc/PID/maps for a process found
//! running. Events, not /proc, so that a process that ends at once still
//! has its frames named.
//!
//! With `--stack=fp` the kernel's table holds the stacks (by id); with
//! `--stack=dwarf` the kernel sends the registers and the top of the stack
//! (`UserStack`) and [`Stacks::unwind`] unwinds them here with the files'
//! call frame info (framehop), keeping only the frames.

use std::{
    ffi::OsStr,
    os::unix::{ffi::OsStrExt as _, fs::MetadataExt as _},
    path::{Path, PathBuf},
    sync::Arc,
};

use aya::maps::{MapData, StackTraceMap};
use capture_ebpf::UserStack;
use format::{Body, Capture, CaptureStatus, Event, Mapping};
use framehop::{
    CacheNative, ExplicitModuleSectionInfo, MayAllocateDuringUnwind, Module, UnwindRegsNative,
    Unwinder as _, UnwinderNative,
};
use object::{
    Endianness, Object as _, ObjectSection as _,
    elf::{PT_INTERP, PT_LOAD},
    read::elf::{ElfFile64, ProgramHeader as _},
};
use rustc_hash::{FxHashMap, FxHashSet};

/// Frames kept per stack at most.
const MAX_FRAMES: usize = 128;
/// Mappings start and end on pages.
const PAGE: u64 = 4096;

pub struct Stacks {
    source: Source,
    /// Kernel stack ids already in the trace (`--stack=fp`).
    written: FxHashSet<u32>,
    processes: FxHashMap<u32, Process>,
    files: ElfFiles,
    /// The arguments of each thread's mmap in progress.
    mmaps: FxHashMap<u32, [u64; 6]>,
    /// The id the next stack made here takes (above the kernel's).
    next_id: u32,
    /// Frames of stacks made here and not in the trace yet, by id.
    fresh: FxHashMap<u32, Box<[u64]>>,
    /// The program systrace started, until its first exec: that execve is
    /// made by systrace's own child, whose frames mean nothing, so it
    /// carries the new program's first instruction instead, where strace
    /// shows the first exec of the program it starts.
    root: Option<u32>,
}

/// Where the stacks come from.
enum Source {
    /// `--stack=fp`: the kernel's table, by id.
    Kernel(StackTraceMap<MapData>),
    /// `--stack=dwarf`: unwound here.
    Unwound(Unwinds),
}

/// What `--stack=dwarf` keeps between a stack's copy and its call.
#[derive(Default)]
struct Unwinds {
    /// Each thread's last stack: the time of its call's enter, and its id.
    latest: FxHashMap<u32, (u64, u32)>,
    frames: Vec<u64>,
    /// Calls that went without a stack.
    missing: u64,
}

/// A process's executable mappings, its stacks, and its unwinder.
#[derive(Default)]
struct Process {
    maps: Vec<Mapping>,
    /// Whether `maps` were found at all (else /proc is read).
    known: bool,
    /// Whether the trace has `maps` as they are.
    written: bool,
    /// The stacks made here for it, by frames (forgotten with it).
    stacks: FxHashMap<Box<[u64]>, u32>,
    /// Built from `maps` when first needed after they change.
    unwinder: Option<Box<Unwinding>>,
}

struct Unwinding {
    unwinder: UnwinderNative<Section, MayAllocateDuringUnwind>,
    cache: CacheNative<MayAllocateDuringUnwind>,
}

type Section = Arc<[u8]>;

impl Stacks {
    /// Stacks from the kernel's table; `root`: the program systrace
    /// started, if it did.
    pub fn from_kernel(table: StackTraceMap<MapData>, root: Option<u32>) -> Self {
        Self::new(Source::Kernel(table), root)
    }

    /// Stacks unwound here; `root`: the program systrace started, if it did.
    pub fn unwound(root: Option<u32>) -> Self {
        Self::new(Source::Unwound(Unwinds::default()), root)
    }

    fn new(source: Source, root: Option<u32>) -> Self {
        let next_id = match source {
            Source::Kernel(_) => capture_ebpf::MAX_STACKS,
            Source::Unwound(_) => 0,
        };
        Self {
            source,
            written: FxHashSet::default(),
            processes: FxHashMap::default(),
            files: ElfFiles::default(),
            mmaps: FxHashMap::default(),
            next_id,
            fresh: FxHashMap::default(),
            root,
        }
    }

    /// Calls `--stack=dwarf` recorded without a stack: the ring had no
    /// room for its copy, it went through the 32-bit ABI, or it began
    /// before recording did.
    pub fn missing(&self) -> u64 {
        match &self.source {
            Source::Unwound(unwinds) => unwinds.missing,
            Source::Kernel(_) => 0,
        }
    }

    /// Follows `event`'s effect on its process's mappings, and hands `out`
    /// what the trace needs before it: for a call's enter (or an exec's
    /// exit), its stack the first time, and its process's mappings as they
    /// are now.
    pub fn before(&mut self, event: &mut Event, mut out: impl FnMut(Event)) {
        let id = match &event.body {
            Body::Exec { .. } => {
                self.processes.insert(event.pid, Process::default());
                return;
            }
            &Body::Fork { child_pid, .. } if child_pid != event.pid => {
                let parent = self.process(event.pid);
                let child = Process {
                    maps: parent.maps.clone(),
                    known: parent.known,
                    ..Process::default()
                };
                self.processes.insert(child_pid, child);
                return;
            }
            &Body::SysEnter { nr, args, .. } => {
                if nr == libc::SYS_mmap {
                    self.mmaps.insert(event.tid, args);
                }
                let stack = self.stack_of(event);
                if self.root == Some(event.pid) && is_exec(nr) {
                    strip_stack(event);
                    return;
                }
                stack
            }
            Body::SysExit { .. } => self.exited(event),
            Body::TaskExit { .. } => {
                self.ended(event.pid, event.tid);
                return;
            }
            _ => return,
        };
        let Some(id) = id else {
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
        let process = self.process(event.pid);
        if !process.written {
            process.written = true;
            out(like(Body::Mappings {
                maps: process.maps.clone(),
            }));
        }
        let frames = match (self.fresh.remove(&id), &self.source) {
            (Some(frames), _) => Some(frames.into_vec()),
            (None, Source::Kernel(table)) if self.written.insert(id) => table
                .get(&id, 0)
                .ok()
                .map(|stack| stack.frames().iter().map(|f| f.ip).collect()),
            (None, _) => None,
        };
        if let Some(frames) = frames {
            out(like(Body::Stack { id, frames }));
        }
    }

    /// The id of the stack of the call `enter` starts: the kernel's, or the
    /// one unwound for it, which the enter then carries (`ARG_STACK`).
    fn stack_of(&mut self, enter: &mut Event) -> Option<u32> {
        let Source::Unwound(unwinds) = &mut self.source else {
            return self.kernel_stack_of(enter);
        };
        let Some((_, id)) = unwinds
            .latest
            .remove(&enter.tid)
            .filter(|(ts, _)| *ts == enter.ts)
        else {
            unwinds.missing += 1;
            return None;
        };
        carry_stack(enter, id);
        Some(id)
    }

    /// `--stack=fp`: the id of the kernel's stack the enter names, or of
    /// its instruction pointer alone where the kernel found no frame
    /// pointer (`STACK_IP_ONLY`), which the enter then carries instead.
    fn kernel_stack_of(&mut self, enter: &mut Event) -> Option<u32> {
        let Body::SysEnter { captures, .. } = &mut enter.body else {
            return None;
        };
        let value = |arg| captures.iter().find(|c| c.arg == arg)?.value();
        let stack = value(abi::ARG_STACK)?;
        if stack != abi::STACK_IP_ONLY {
            return u32::try_from(stack).ok();
        }
        let ip = value(abi::ARG_IP)?;
        captures.retain(|c| c.arg != abi::ARG_STACK);
        let id = self.local_id(enter.pid, &[ip]);
        carry_stack(enter, id);
        Some(id)
    }

    /// Forgets what a task that ended left: its mmap in progress, its last
    /// stack, and, at the end of its process's main thread, the process
    /// (recording the whole machine sees many come and go).
    fn ended(&mut self, pid: u32, tid: u32) {
        self.mmaps.remove(&tid);
        if let Source::Unwound(unwinds) = &mut self.source {
            unwinds.latest.remove(&tid);
        }
        if tid == pid {
            self.processes.remove(&pid);
        }
    }

    /// The id stack `frames` of process `pid` has here, new or not.
    fn local_id(&mut self, pid: u32, frames: &[u64]) -> u32 {
        let process = self.processes.entry(pid).or_default();
        if let Some(&id) = process.stacks.get(frames) {
            return id;
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let frames: Box<[u64]> = frames.into();
        process.stacks.insert(frames.clone(), id);
        self.fresh.insert(id, frames);
        id
    }

    /// A call's exit: an mmap that mapped a file executable, or an exec's
    /// new program, changes the process's mappings. The root's first exec
    /// carries the new program's first frame as its stack (see `root`),
    /// whose id this returns.
    fn exited(&mut self, exit: &mut Event) -> Option<u32> {
        let Body::SysExit { nr, ret, captures } = &exit.body else {
            return None;
        };
        let path = |arg| {
            captures
                .iter()
                .find(|c| c.arg == arg && c.status == CaptureStatus::Complete)
                .map(|c| analyze::decode::kernel_path(&c.data))
        };
        if *nr == libc::SYS_mmap {
            let args = self.mmaps.remove(&exit.tid);
            if let (Some(args), Some(path)) = (args, path(abi::ARG_MAPPED)) {
                let start = *ret as u64;
                let end = start.saturating_add(args[1]).next_multiple_of(PAGE);
                let map = self.mapping(path, start, end, args[5]);
                self.process(exit.pid).add(map);
            }
            return None;
        }
        let exe = path(abi::ARG_EXE)?;
        let auxv: Vec<u64> = captures
            .iter()
            .filter(|c| c.arg == abi::ARG_AUXV)
            .filter_map(Capture::value)
            .collect();
        let &[entry, base] = auxv.as_slice() else {
            return None;
        };
        // Nothing laid out (a program not read, or a 32-bit one, whose
        // auxiliary vector is laid out otherwise): /proc at its first stack.
        let (maps, start) = self.exec_mappings(exe, entry, base);
        let mut process = Process::default();
        for map in maps {
            process.add(map);
        }
        self.processes.insert(exit.pid, process);
        self.root.take_if(|root| *root == exit.pid)?;
        let id = self.local_id(exit.pid, &[start]);
        carry_stack(exit, id);
        Some(id)
    }

    /// The executable mappings an exec made: the program's, where its entry
    /// point landed, and its interpreter's at `base`; and where the new
    /// program starts (the interpreter's entry point, if it has one).
    fn exec_mappings(&mut self, exe: Vec<u8>, entry: u64, base: u64) -> (Vec<Mapping>, u64) {
        let Some(program) = self.files.get(&exe) else {
            return (Vec::new(), entry);
        };
        let mut maps = loaded(exe, &program, entry.wrapping_sub(program.entry));
        let mut start = entry;
        if let Some(interp) = program.interp.clone().filter(|_| base != 0) {
            let path = interp.as_os_str().as_bytes().to_vec();
            if let Some(file) = self.files.get(&path) {
                maps.extend(loaded(path, &file, base));
                start = base.wrapping_add(file.entry);
            }
        }
        (maps, start)
    }

    fn mapping(&mut self, path: Vec<u8>, start: u64, end: u64, offset: u64) -> Mapping {
        let file = self.files.get(&path);
        let (build_id, device, inode) = file
            .map(|f| (f.build_id.clone(), f.device, f.inode))
            .unwrap_or_default();
        Mapping {
            start,
            end,
            offset,
            build_id,
            device,
            inode,
            path,
        }
    }

    /// Process `pid`'s mappings: for one found running, as /proc has them.
    fn process(&mut self, pid: u32) -> &mut Process {
        let known = self.processes.get(&pid).is_some_and(|p| p.known);
        if !known {
            let maps = proc_mappings(pid)
                .into_iter()
                .map(|(path, start, end, offset)| self.mapping(path, start, end, offset))
                .collect();
            let process = self.processes.entry(pid).or_default();
            process.maps = maps;
            process.known = true;
            process.written = false;
            process.unwinder = None;
        }
        self.processes.entry(pid).or_default()
    }

    /// `--stack=dwarf`: unwinds a `UserStack` record (`bytes`) with its
    /// process's mappings as they are now (the kernel wrote it at its
    /// call's enter, after every earlier call of its thread), for the enter
    /// to take up (see [`Stacks::before`]).
    pub fn unwind(&mut self, bytes: &[u8]) {
        let Some(record) = crate::wire::read::<UserStack>(bytes, 0) else {
            return;
        };
        let header = record.header;
        let end = size_of::<UserStack>() + record.len as usize;
        let Some(stack) = bytes.get(size_of::<UserStack>()..end) else {
            return;
        };
        let Source::Unwound(unwinds) = &mut self.source else {
            return;
        };
        let mut frames = std::mem::take(&mut unwinds.frames);
        frames.clear();
        self.process(header.tgid);
        if let Some(process) = self.processes.get_mut(&header.tgid) {
            let files = &mut self.files;
            process
                .unwinder
                .get_or_insert_with(|| Box::new(Unwinding::over(&process.maps, files)))
                .unwind(&record, stack, &mut frames);
        }
        let id = self.local_id(header.tgid, &frames);
        if let Source::Unwound(unwinds) = &mut self.source {
            unwinds.frames = frames;
            unwinds.latest.insert(header.tid, (header.ts, id));
        }
    }
}

/// The executable segments of `file` at `path`, loaded `bias` from its
/// addresses.
fn loaded(path: Vec<u8>, file: &ElfFile, bias: u64) -> Vec<Mapping> {
    file.loads
        .iter()
        .filter(|load| load.executable)
        .map(|load| Mapping {
            start: bias.wrapping_add(load.address) & !(PAGE - 1),
            end: bias
                .wrapping_add(load.address.saturating_add(load.size))
                .next_multiple_of(PAGE),
            offset: load.offset & !(PAGE - 1),
            build_id: file.build_id.clone(),
            device: file.device,
            inode: file.inode,
            path: path.clone(),
        })
        .collect()
}

fn is_exec(nr: i64) -> bool {
    nr == libc::SYS_execve || nr == libc::SYS_execveat
}

/// Takes the stack off a call's enter (`ARG_STACK`).
fn strip_stack(event: &mut Event) {
    if let Body::SysEnter { captures, .. } = &mut event.body {
        captures.retain(|c| c.arg != abi::ARG_STACK);
    }
}

/// Puts stack `id` on `event`, a call's enter or exit (`ARG_STACK`).
fn carry_stack(event: &mut Event, id: u32) {
    if let Body::SysEnter { captures, .. } | Body::SysExit { captures, .. } = &mut event.body {
        captures.push(Capture {
            arg: abi::ARG_STACK,
            status: CaptureStatus::Complete,
            data: u64::from(id).to_ne_bytes().to_vec(),
        });
    }
}

impl Process {
    /// Adds `map`, in place of whatever it overlaps (mapped over).
    fn add(&mut self, map: Mapping) {
        self.maps
            .retain(|m| m.end <= map.start || map.end <= m.start);
        let at = self.maps.partition_point(|m| m.start < map.start);
        self.maps.insert(at, map);
        self.known = true;
        self.written = false;
        self.unwinder = None;
    }
}

impl Unwinding {
    /// An unwinder over the executable mappings `maps`.
    fn over(maps: &[Mapping], files: &mut ElfFiles) -> Self {
        let mut unwinder = UnwinderNative::new();
        for map in maps {
            let Some(file) = files.get(&map.path) else {
                continue;
            };
            // Where the file's own addresses start in the process: the
            // mapping's start less the address its file offset has, in the
            // executable segment it maps (lld puts a read-only one before
            // it on the same page).
            let Some(load) = file.loads.iter().find(|l| {
                l.executable
                    && l.offset & !(PAGE - 1) <= map.offset
                    && map.offset < l.offset.saturating_add(l.file_size)
            }) else {
                continue;
            };
            let bias = map
                .start
                .wrapping_add(load.offset)
                .wrapping_sub(load.address)
                .wrapping_sub(map.offset);
            let name = String::from_utf8_lossy(&map.path).into_owned();
            unwinder.add_module(Module::new(
                name,
                map.start..map.end,
                bias,
                file.unwind.clone(),
            ));
        }
        Self {
            unwinder,
            cache: CacheNative::new(),
        }
    }

    /// The frames of the call whose registers and stack are `record` and
    /// `stack`, innermost first, into `frames`.
    fn unwind(&mut self, record: &UserStack, stack: &[u8], frames: &mut Vec<u64>) {
        let sp = record.sp;
        let mut read_stack = |addr: u64| {
            let at = usize::try_from(addr.checked_sub(sp).ok_or(())?).map_err(|_| ())?;
            let word = stack.get(at..at.checked_add(8).ok_or(())?).ok_or(())?;
            Ok(u64::from_ne_bytes(word.try_into().map_err(|_| ())?))
        };
        let mut iter = self.unwinder.iter_frames(
            record.ip,
            registers(record),
            &mut self.cache,
            &mut read_stack,
        );
        while let Ok(Some(frame)) = iter.next() {
            frames.push(frame.address());
            if frames.len() == MAX_FRAMES {
                break;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn registers(record: &UserStack) -> UnwindRegsNative {
    UnwindRegsNative::new(record.ip, record.sp, record.fp)
}

#[cfg(target_arch = "aarch64")]
fn registers(record: &UserStack) -> UnwindRegsNative {
    UnwindRegsNative::new(record.lr, record.sp, record.fp)
}

/// The ELF files mapped so far, each read once while it stays the same
/// file (a path rebuilt while recording is read again).
#[derive(Default)]
struct ElfFiles {
    by_path: FxHashMap<Vec<u8>, (Stamp, Option<Arc<ElfFile>>)>,
}

/// What tells one file at a path from another: device, inode, size and
/// modification time.
type Stamp = (u64, u64, u64, i64, i64);

impl ElfFiles {
    /// The file at `path`, if it is a 64-bit ELF file that can be read.
    fn get(&mut self, path: &[u8]) -> Option<Arc<ElfFile>> {
        let path_ref = Path::new(OsStr::from_bytes(path));
        let stat = std::fs::metadata(path_ref).ok()?;
        let stamp = (
            stat.dev(),
            stat.ino(),
            stat.size(),
            stat.mtime(),
            stat.mtime_nsec(),
        );
        match self.by_path.get(path) {
            Some((known, file)) if *known == stamp => file.clone(),
            _ => {
                let file = ElfFile::read(path_ref, stat.dev(), stat.ino()).map(Arc::new);
                self.by_path.insert(path.to_vec(), (stamp, file.clone()));
                file
            }
        }
    }
}

/// What a mapped ELF file says of itself: what names and places its frames
/// (build id, loadable segments, entry point, interpreter) and what unwinds
/// through them (its call frame info).
struct ElfFile {
    build_id: Vec<u8>,
    /// Its device and inode numbers, read with it.
    device: u64,
    inode: u64,
    loads: Vec<Load>,
    entry: u64,
    interp: Option<PathBuf>,
    unwind: ExplicitModuleSectionInfo<Section>,
}

/// A PT_LOAD segment: its address (as linked), file offset, size in the
/// file and in memory.
struct Load {
    address: u64,
    offset: u64,
    file_size: u64,
    size: u64,
    executable: bool,
}

impl ElfFile {
    /// The file at `path`, whose device and inode are `device` and
    /// `inode`; `None` if it is not a regular file (of at most a size: see
    /// `analyze::stacks::read_regular`) or not a 64-bit ELF file.
    fn read(path: &Path, device: u64, inode: u64) -> Option<Self> {
        let data = analyze::stacks::read_regular(path)?;
        let elf = ElfFile64::<Endianness>::parse(&*data).ok()?;
        let endian = elf.endian();
        const PF_X: u32 = 1;
        let loads = elf
            .elf_program_headers()
            .iter()
            .filter(|ph| ph.p_type(endian) == PT_LOAD)
            .map(|ph| Load {
                address: ph.p_vaddr(endian),
                offset: ph.p_offset(endian),
                file_size: ph.p_filesz(endian),
                size: ph.p_memsz(endian),
                executable: ph.p_flags(endian) & PF_X != 0,
            })
            .collect();
        // The interpreter the kernel loads: PT_INTERP's (not a section's).
        let interp = elf
            .elf_program_headers()
            .iter()
            .find(|ph| ph.p_type(endian) == PT_INTERP)
            .and_then(|ph| ph.data(endian, &*data).ok())
            .map(|name| PathBuf::from(OsStr::from_bytes(crate::wire::until_nul(name))))
            .map(|path| std::fs::canonicalize(&path).unwrap_or(path));
        let section = |name: &str| {
            let section = elf.section_by_name(name)?;
            let range = section.address()..section.address().saturating_add(section.size());
            let data: Option<Section> = section.data().ok().map(Arc::from);
            Some((range, data))
        };
        let (eh_frame_svma, eh_frame) = section(".eh_frame").unzip();
        let (eh_frame_hdr_svma, eh_frame_hdr) = section(".eh_frame_hdr").unzip();
        Some(Self {
            build_id: elf.build_id().ok().flatten().unwrap_or_default().to_vec(),
            device,
            inode,
            loads,
            entry: elf.entry(),
            interp,
            unwind: ExplicitModuleSectionInfo {
                base_svma: 0,
                // Where its code is, but not the code: at a call's enter
                // and at return addresses no frame is in a prologue, which
                // is what framehop reads code for (libc's would cost
                // megabytes per file).
                text_svma: section(".text").map(|(range, _)| range),
                got_svma: section(".got").map(|(range, _)| range),
                eh_frame_svma,
                eh_frame: eh_frame.flatten(),
                eh_frame_hdr_svma,
                eh_frame_hdr: eh_frame_hdr.flatten(),
                debug_frame: section(".debug_frame").and_then(|(_, data)| data),
                ..Default::default()
            },
        })
    }
}

/// The files process `pid` has mapped executable, from /proc (none if it
/// is gone): path, start, end, file offset.
fn proc_mappings(pid: u32) -> Vec<(Vec<u8>, u64, u64, u64)> {
    let Ok(maps) = std::fs::read(format!("/proc/{pid}/maps")) else {
        return Vec::new();
    };
    maps.split(|&b| b == b'\n')
        .filter_map(|line| {
            // start-end perms offset dev inode path (which may hold spaces)
            let mut fields = line.splitn(6, |&b| b == b' ');
            let text = |f: &[u8]| std::str::from_utf8(f).ok().map(str::to_owned);
            let (range, perms, offset) = (
                text(fields.next()?)?,
                text(fields.next()?)?,
                text(fields.next()?)?,
            );
            let path = fields.nth(2)?.trim_ascii_start();
            if !perms.contains('x') || !path.starts_with(b"/") {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            let hex = |s: &str| u64::from_str_radix(s, 16).ok();
            Some((path.to_vec(), hex(start)?, hex(end)?, hex(&offset)?))
        })
        .collect()
}
