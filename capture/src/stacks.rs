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
    io::Read as _,
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
use object::{Object as _, ObjectSection as _, ObjectSegment as _, SegmentFlags};
use rustc_hash::{FxHashMap, FxHashSet};

/// Frames kept per stack at most.
const MAX_FRAMES: usize = 128;
/// Mappings start and end on pages.
const PAGE: u64 = 4096;

pub struct Stacks {
    source: Source,
    /// Stack ids already in the trace.
    written: FxHashSet<u32>,
    processes: FxHashMap<u32, Process>,
    /// What each file mapped says of itself, by path (`None`: unreadable).
    files: FxHashMap<Vec<u8>, Option<Arc<ElfFile>>>,
    /// The arguments of each thread's mmap in progress.
    mmaps: FxHashMap<u32, [u64; 6]>,
    /// The stacks made here (unwound, or an exec's first frame), by frames,
    /// and the ids they take from `first_id` on (above the kernel's).
    ids: FxHashMap<Box<[u64]>, u32>,
    first_id: u32,
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
    Unwound(Unwound),
}

/// Each thread's latest stack unwound.
#[derive(Default)]
struct Unwound {
    /// Each thread's last stack: the time of its call's enter, and its id.
    latest: FxHashMap<u32, (u64, u32)>,
    frames: Vec<u64>,
    /// Calls of the dwarf mode that went without a stack.
    missing: u64,
}

/// A process's executable mappings, and its unwinder over them.
#[derive(Default)]
struct Process {
    maps: Vec<Mapping>,
    /// Whether `maps` were found at all (else /proc is read).
    known: bool,
    /// Whether the trace has `maps` as they are.
    written: bool,
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
        Self::new(Source::Unwound(Unwound::default()), root)
    }

    fn new(source: Source, root: Option<u32>) -> Self {
        let first_id = match source {
            Source::Kernel(_) => capture_ebpf::MAX_STACKS,
            Source::Unwound(_) => 0,
        };
        Self {
            source,
            ids: FxHashMap::default(),
            first_id,
            fresh: FxHashMap::default(),
            root,
            written: FxHashSet::default(),
            processes: FxHashMap::default(),
            files: FxHashMap::default(),
            mmaps: FxHashMap::default(),
        }
    }

    /// Calls `--stack=dwarf` recorded without a stack (the ring had no
    /// room for its copy, or the call began before recording did).
    pub fn missing(&self) -> u64 {
        match &self.source {
            Source::Unwound(unwound) => unwound.missing,
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
        if !self.written.insert(id) {
            return;
        }
        let frames = match (self.fresh.remove(&id), &self.source) {
            (Some(frames), _) => Some(frames.into_vec()),
            (None, Source::Kernel(table)) => table
                .get(&id, 0)
                .ok()
                .map(|stack| stack.frames().iter().map(|f| f.ip).collect()),
            (None, Source::Unwound(_)) => None,
        };
        if let Some(frames) = frames {
            out(like(Body::Stack { id, frames }));
        }
    }

    /// The id of the stack of the call `enter` starts: the kernel's, or the
    /// one unwound for it, which the enter then carries (`ARG_STACK`).
    fn stack_of(&mut self, enter: &mut Event) -> Option<u32> {
        let Source::Unwound(unwound) = &mut self.source else {
            return self.kernel_stack_of(enter);
        };
        let Some((_, id)) = unwound
            .latest
            .remove(&enter.tid)
            .filter(|(ts, _)| *ts == enter.ts)
        else {
            unwound.missing += 1;
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
        let value = |arg| {
            let capture = captures.iter().find(|c| c.arg == arg)?;
            Some(u64::from_ne_bytes(capture.data.get(..8)?.try_into().ok()?))
        };
        let stack = value(abi::ARG_STACK)?;
        if stack != abi::STACK_IP_ONLY {
            return u32::try_from(stack).ok();
        }
        let ip = value(abi::ARG_IP)?;
        captures.retain(|c| c.arg != abi::ARG_STACK);
        let id = self.local_id(&[ip]);
        carry_stack(enter, id);
        Some(id)
    }

    /// Forgets what a task that ended left: its mmap in progress, its last
    /// stack, and, at the end of its process's main thread, the process
    /// (recording the whole machine sees many come and go).
    fn ended(&mut self, pid: u32, tid: u32) {
        self.mmaps.remove(&tid);
        if let Source::Unwound(unwound) = &mut self.source {
            unwound.latest.remove(&tid);
        }
        if tid == pid {
            self.processes.remove(&pid);
        }
    }

    /// The id stack `frames` has here, new or not.
    fn local_id(&mut self, frames: &[u64]) -> u32 {
        if let Some(&id) = self.ids.get(frames) {
            return id;
        }
        let id = self.first_id + self.ids.len() as u32;
        let frames: Box<[u64]> = frames.into();
        self.ids.insert(frames.clone(), id);
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
                let map = self.mapping(path, start, start.saturating_add(args[1]), args[5]);
                self.process(exit.pid).add(map);
            }
            return None;
        }
        let exe = path(abi::ARG_EXE)?;
        let auxv: Vec<u64> = captures
            .iter()
            .filter(|c| c.arg == abi::ARG_AUXV)
            .filter_map(|c| Some(u64::from_ne_bytes(c.data.get(..8)?.try_into().ok()?)))
            .collect();
        let &[entry, base] = auxv.as_slice() else {
            return None;
        };
        let (maps, start) = self.exec_mappings(exe, entry, base);
        let process = self.process(exit.pid);
        *process = Process {
            known: true,
            ..Process::default()
        };
        for map in maps {
            process.add(map);
        }
        self.root.take_if(|root| *root == exit.pid)?;
        let id = self.local_id(&[start]);
        carry_stack(exit, id);
        Some(id)
    }

    /// The executable mappings an exec made: the program's, where its entry
    /// point landed, and its interpreter's at `base`; and where the new
    /// program starts (the interpreter's entry point, if it has one).
    fn exec_mappings(&mut self, exe: Vec<u8>, entry: u64, base: u64) -> (Vec<Mapping>, u64) {
        let Some(program) = self.file(&exe) else {
            return (Vec::new(), entry);
        };
        let mut maps = self.loaded(exe, &program, entry.wrapping_sub(program.entry));
        let mut start = entry;
        if let Some(interp) = program.interp.clone().filter(|_| base != 0) {
            let path = interp.as_os_str().as_bytes().to_vec();
            if let Some(file) = self.file(&path) {
                maps.extend(self.loaded(path, &file, base));
                start = base.wrapping_add(file.entry);
            }
        }
        (maps, start)
    }

    /// The executable segments of `file`, loaded `bias` from its addresses.
    fn loaded(&self, path: Vec<u8>, file: &ElfFile, bias: u64) -> Vec<Mapping> {
        file.loads
            .iter()
            .filter(|load| load.executable)
            .map(|load| Mapping {
                start: bias.wrapping_add(load.address) & !(PAGE - 1),
                end: bias
                    .wrapping_add(load.address + load.size)
                    .next_multiple_of(PAGE),
                offset: load.offset & !(PAGE - 1),
                build_id: file.build_id.clone(),
                device: file.device,
                inode: file.inode,
                path: path.clone(),
            })
            .collect()
    }

    fn mapping(&mut self, path: Vec<u8>, start: u64, end: u64, offset: u64) -> Mapping {
        let file = self.file(&path);
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

    /// What the file at `path` says of itself, read once.
    fn file(&mut self, path: &[u8]) -> Option<Arc<ElfFile>> {
        self.files
            .entry(path.to_vec())
            .or_insert_with(|| ElfFile::read(Path::new(OsStr::from_bytes(path))).map(Arc::new))
            .clone()
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
        let Some(record) = read_record(bytes) else {
            return;
        };
        let header = record.header;
        let end = size_of::<UserStack>() + record.len as usize;
        let Some(stack) = bytes.get(size_of::<UserStack>()..end) else {
            return;
        };
        self.process(header.tgid);
        let files = &mut self.files;
        let Some(process) = self.processes.get_mut(&header.tgid) else {
            return;
        };
        let unwinding = process
            .unwinder
            .get_or_insert_with(|| Box::new(Unwinding::over(&process.maps, files)));
        let Source::Unwound(unwound) = &mut self.source else {
            return;
        };
        let mut frames = std::mem::take(&mut unwound.frames);
        frames.clear();
        unwinding.unwind(&record, stack, &mut frames);
        let id = self.local_id(&frames);
        let Source::Unwound(unwound) = &mut self.source else {
            return;
        };
        unwound.frames = frames;
        unwound.latest.insert(header.tid, (header.ts, id));
    }
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
    fn over(maps: &[Mapping], files: &mut FxHashMap<Vec<u8>, Option<Arc<ElfFile>>>) -> Self {
        let mut unwinder = UnwinderNative::new();
        for map in maps {
            let file = files.entry(map.path.clone()).or_insert_with(|| {
                ElfFile::read(Path::new(OsStr::from_bytes(&map.path))).map(Arc::new)
            });
            let Some(file) = file else {
                continue;
            };
            // Where the file's own addresses start in the process: the
            // mapping's start less the address its file offset has.
            let Some(load) = file.loads.iter().find(|l| {
                l.offset & !(PAGE - 1) <= map.offset && map.offset < l.offset + l.file_size
            }) else {
                continue;
            };
            let bias = (map.start + load.offset)
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
            let at = addr.checked_sub(sp).ok_or(())? as usize;
            let word = stack.get(at..at + 8).ok_or(())?;
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

fn read_record(bytes: &[u8]) -> Option<UserStack> {
    let bytes = bytes.get(..size_of::<UserStack>())?;
    // SAFETY: UserStack is plain old data, and `bytes` holds one.
    Some(unsafe { bytes.as_ptr().cast::<UserStack>().read_unaligned() })
}

/// What a mapped ELF file says of itself: what names and places its frames
/// (build id, loadable segments, entry point, interpreter) and what unwinds
/// through them (its call frame info, and its code for the prologues).
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
    /// `None` if it cannot be read or is not ELF.
    fn read(path: &Path) -> Option<Self> {
        let mut file = std::fs::File::open(path).ok()?;
        let stat = file.metadata().ok()?;
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        let elf = object::File::parse(&*data).ok()?;
        const PF_X: u32 = 1;
        let loads = elf
            .segments()
            .filter_map(|segment| {
                let SegmentFlags::Elf { p_flags } = segment.flags() else {
                    return None;
                };
                let (offset, file_size) = segment.file_range();
                Some(Load {
                    address: segment.address(),
                    offset,
                    file_size,
                    size: segment.size(),
                    executable: p_flags & PF_X != 0,
                })
            })
            .collect();
        let section = |name: &str| {
            let section = elf.section_by_name(name)?;
            let range = section.address()..section.address() + section.size();
            let data: Option<Section> = section.data().ok().map(Arc::from);
            Some((range, data))
        };
        let (text_svma, text) = section(".text").unzip();
        let (eh_frame_svma, eh_frame) = section(".eh_frame").unzip();
        let (eh_frame_hdr_svma, eh_frame_hdr) = section(".eh_frame_hdr").unzip();
        let interp = section(".interp")
            .and_then(|(_, data)| data)
            .map(|name| PathBuf::from(OsStr::from_bytes(until_nul(&name))))
            .map(|path| std::fs::canonicalize(&path).unwrap_or(path));
        Some(Self {
            build_id: elf.build_id().ok().flatten().unwrap_or_default().to_vec(),
            device: stat.dev(),
            inode: stat.ino(),
            loads,
            entry: elf.entry(),
            interp,
            unwind: ExplicitModuleSectionInfo {
                base_svma: 0,
                text_svma,
                text: text.flatten(),
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

fn until_nul(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// The files process `pid` has mapped executable, from /proc (none if it
/// is gone): path, start, end, file offset.
fn proc_mappings(pid: u32) -> Vec<(Vec<u8>, u64, u64, u64)> {
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
            Some((
                path.as_bytes().to_vec(),
                hex(start)?,
                hex(end)?,
                hex(offset)?,
            ))
        })
        .collect()
}
