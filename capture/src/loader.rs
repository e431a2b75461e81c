//! Loading the eBPF programs: globals from the kernel's BTF, the capture specs
//! from `analyze`'s syscall table, the filter, and the attachments.

use crate::kernel_btf::KernelBtf;
use abi::{CaptureKind, SizeKind};
use analyze::table::Size;
use std::{fs::File, io::Read as _};

use anyhow::{Context as _, anyhow};
use aya::{
    Ebpf, EbpfLoader,
    maps::{Array, ProgramArray},
    programs::RawTracePoint,
};
use capture_ebpf::{
    CAPTURE_MAP, CaptureSpec, CommNames, EVENTS_MAP, MAX_CGROUPS, MAX_COMMS, MAX_PENDING,
    MAX_PENDING_TARGETED, MAX_RULES, MAX_STACK_BYTES, MAX_STACKS, MAX_SYSCALLS, PENDING_MAP,
    SELECTED_MAP, SPECS_MAP, STACKS_MAP, SyscallSpec, TRACED_GROUP, TRACED_MAP, TracedGroup, at,
    call_at, globals, stack_mode,
};

/// The eBPF object built by `build.rs` from `capture-ebpf`.
static EBPF_OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/systrace"));

/// Whom to trace.
pub enum Filter {
    /// These thread groups (and, followed in the kernel, their children).
    Pids(Vec<u32>),
    /// Every process but systrace.
    All,
}

/// Loads the programs with `snaplen`, `filter` and a ring buffer of
/// `ring_bytes` (a power of two, a multiple of the page size), and attaches
/// them.
/// What the programs record beside whom (`filter`): `record -e trace=`,
/// `--comm`, `--cgroup`.
#[derive(Default)]
pub struct Choice<'a> {
    /// The calls recorded, a bit per call index (see [`call_bits`]);
    /// `None`: every call.
    pub calls: Option<&'a [u64]>,
    /// Processes followed from their exec of a program of one of these
    /// names (at most 15 bytes each, as the kernel keeps them).
    pub comms: &'a [String],
    /// Only tasks in these cgroups or below them.
    pub cgroups: &'a [Cgroup],
    /// Each call's user stack (`--stack`).
    pub stacks: Option<StackChoice>,
}

/// How `record --stack` takes each call's user stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackChoice {
    /// The kernel walks the frame pointers.
    Fp,
    /// The kernel copies the registers and `bytes` of stack at each enter,
    /// which the recorder unwinds.
    Dwarf { bytes: u32 },
}

/// A cgroup v2 directory as the kernel's helpers name it: its id (the
/// directory's inode number) and its level (0: the hierarchy's root).
#[derive(Clone, Copy, Debug)]
pub struct Cgroup {
    pub id: u64,
    pub level: u32,
}

pub fn load(
    snaplen: u32,
    filter: &Filter,
    choice: &Choice,
    ring_bytes: u32,
) -> anyhow::Result<Ebpf> {
    let calls = choice.calls;
    let comms = comm_words(choice.comms)?;
    let mut cgroups = [0; 2 * MAX_CGROUPS];
    anyhow::ensure!(
        choice.cgroups.len() <= MAX_CGROUPS,
        "--cgroup: at most {MAX_CGROUPS}"
    );
    for (pair, cgroup) in cgroups.chunks_mut(2).zip(choice.cgroups) {
        pair.copy_from_slice(&[cgroup.id, u64::from(cgroup.level)]);
    }
    let (stack_mode, stack_bytes) = match choice.stacks {
        None => (stack_mode::OFF, 0),
        Some(StackChoice::Fp) => (stack_mode::FP, 0),
        Some(StackChoice::Dwarf { bytes }) => (stack_mode::DWARF, bytes.min(MAX_STACK_BYTES)),
    };
    let fp = choice.stacks == Some(StackChoice::Fp);
    let vmlinux = File::open(VMLINUX).with_context(|| format!("opening {VMLINUX}"))?;
    hide_kernel_btf();
    // Where it could not be hidden, `EbpfLoader::new` parses the kernel's
    // BTF: the offsets are read meanwhile.
    let (offsets, mut loader) = std::thread::scope(|scope| {
        let offsets = scope.spawn(|| KernelOffsets::read(vmlinux));
        let loader = EbpfLoader::new();
        let offsets = offsets
            .join()
            .unwrap_or_else(|_| Err(anyhow!("reading the kernel's BTF panicked")));
        (offsets, loader)
    });
    let offsets = offsets?;
    let trace_all = u32::from(matches!(filter, Filter::All));
    let self_tgid = std::process::id();
    // The kernel wakes the reader once an eighth of the ring is full (1 MiB
    // of the default 8; it also polls every few milliseconds).
    let wakeup_bytes = u64::from(ring_bytes / 8);
    let pending = if trace_all == 1 {
        MAX_PENDING
    } else {
        MAX_PENDING_TARGETED
    };
    // Every program is a raw tracepoint reading kernel structs at the offsets
    // found above: nothing is relocated against the kernel's BTF.
    let mut ebpf = loader
        .btf(None)
        .map_max_entries(EVENTS_MAP, ring_bytes)
        .map_max_entries(PENDING_MAP, pending)
        .override_global(globals::WAKEUP_BYTES, &wakeup_bytes, true)
        .map_max_entries(TRACED_MAP, traced_groups()?)
        .override_global(globals::SNAPLEN, &snaplen, true)
        .override_global(globals::TRACE_ALL, &trace_all, true)
        .override_global(globals::SELECTING, &u32::from(calls.is_some()), true)
        .override_global(globals::STACK_MODE, &stack_mode, true)
        .override_global(globals::STACK_BYTES, &stack_bytes, true)
        .override_global(globals::IMAGE_OFFSETS, &offsets.image, true)
        // The tables a mode does not use hold nothing (their entries are
        // allocated when the map is made).
        .map_max_entries(STACKS_MAP, if fp { MAX_STACKS } else { 1 })
        .override_global(globals::COMMS, &comms, true)
        .override_global(globals::CGROUPS, &cgroups, true)
        .override_global(globals::CGROUP_OFFSETS, &offsets.cgroup, true)
        .override_global(globals::NS_OFFSETS, &offsets.ns, true)
        .override_global(globals::SELF_TGID, &self_tgid, true)
        .override_global(globals::TASK_PID, &offsets.task_pid, true)
        .override_global(globals::TASK_TGID, &offsets.task_tgid, true)
        .override_global(globals::TASK_EXIT_CODE, &offsets.task_exit_code, true)
        .override_global(globals::TASK_MM, &offsets.task_mm, true)
        .override_global(globals::MM_ARG_START, &offsets.mm_arg_start, true)
        .override_global(globals::MM_ARG_END, &offsets.mm_arg_end, true)
        .override_global(globals::MM_ENV_START, &offsets.mm_env_start, true)
        .override_global(globals::MM_ENV_END, &offsets.mm_env_end, true)
        .override_global(globals::BPRM_FILENAME, &offsets.bprm_filename, true)
        .override_global(globals::TASK_FILES, &offsets.task_files, true)
        .override_global(globals::FILES_FDT, &offsets.files_fdt, true)
        .override_global(globals::FDT_MAX_FDS, &offsets.fdt_max_fds, true)
        .override_global(globals::FDT_FD, &offsets.fdt_fd, true)
        .override_global(globals::FILE_INODE, &offsets.file_inode, true)
        .override_global(globals::INODE_INO, &offsets.inode_ino, true)
        .override_global(globals::TASK_SIGNAL, &offsets.task_signal, true)
        .override_global(globals::TASK_PENDING, &offsets.task_pending, true)
        .override_global(globals::SIGPENDING_SIGNAL, &offsets.sigpending_signal, true)
        .override_global(
            globals::SIGNAL_SHARED_PENDING,
            &offsets.signal_shared_pending,
            true,
        )
        .override_global(
            globals::SIGNAL_GROUP_EXIT_CODE,
            &offsets.signal_group_exit_code,
            true,
        )
        .override_global(globals::SIGQUEUE_INFO, &offsets.sigqueue_info, true)
        .override_global(
            globals::TASK_COMPAT_STATUS,
            &offsets.task_compat_status,
            true,
        )
        .override_global(globals::PATH_OFFSETS, &offsets.path, true)
        .override_global(globals::SOCK_OFFSETS, &offsets.sock, true)
        .load(EBPF_OBJECT)
        .context("loading the eBPF programs")?;
    fill_specs(&mut ebpf, choice.stacks.is_some())?;
    if let Some(calls) = calls {
        let mut selected: Array<_, u64> = Array::try_from(
            ebpf.map_mut(SELECTED_MAP)
                .context("selection map missing")?,
        )?;
        for (index, &word) in calls.iter().enumerate() {
            selected.set(index as u32, word, 0)?;
        }
    }
    if let Filter::Pids(pids) = filter {
        let mut traced: Array<_, TracedGroup> =
            Array::try_from(ebpf.map_mut(TRACED_MAP).context("filter map missing")?)?;
        for &pid in pids {
            let index = pid / TRACED_GROUP as u32;
            let mut group = traced
                .get(&index, 0)
                .context("pid beyond the filter's range")?;
            group[pid as usize % TRACED_GROUP] = 1;
            traced
                .set(index, group, 0)
                .context("adding a process to the filter")?;
        }
    }
    attach(&mut ebpf, choice.stacks.is_some())?;
    Ok(ebpf)
}

/// `TRACED` entries for every tgid below the running kernel's pid_max.
fn traced_groups() -> anyhow::Result<u32> {
    let path = "/proc/sys/kernel/pid_max";
    let pid_max: u32 = std::fs::read_to_string(path)
        .with_context(|| format!("reading {path}"))?
        .trim()
        .parse()
        .with_context(|| format!("parsing {path}"))?;
    Ok(pid_max.div_ceil(TRACED_GROUP as u32))
}

/// The programs that copy user memory, one per kind of copy, tail-called by the
/// syscall programs through the CAPTURE map at the index of their `how`.
const CAPTURE_PROGRAMS: [(&str, CaptureKind); 8] = [
    ("capture_str_prog", CaptureKind::Str),
    ("capture_bytes_prog", CaptureKind::Bytes),
    ("capture_str_array_prog", CaptureKind::StrArray),
    ("capture_count_ptrs_prog", CaptureKind::CountPtrs),
    ("capture_iovecs_prog", CaptureKind::Iovecs),
    ("capture_dirents_prog", CaptureKind::CountDirents),
    ("capture_fd_inodes_prog", CaptureKind::FdInodes),
    ("capture_images_prog", CaptureKind::MappedFile),
];

/// The program only `record --stack` uses (it names the files frames are
/// in): not loaded without it, which spares its verification.
const STACKS_ONLY_PROGRAM: &str = "capture_images_prog";

/// Programs on the process-life and scheduler tracepoints, attached before
/// the syscall programs, which rely on them.
const LIFE_PROGRAMS: [&str; 6] = [
    "sched_process_fork",
    "sched_process_exec",
    "sched_process_exit",
    "sched_switch",
    "signal_deliver",
    "signal_generate",
];

/// Programs on the raw syscall tracepoints, attached last.
const SYSCALL_PROGRAMS: [&str; 2] = ["sys_enter", "sys_exit"];

/// Loads every program, the verifier checking them side by side (it takes
/// most of start-up, and a few programs take most of that), then fills the
/// capture map and attaches them in order.
fn attach(ebpf: &mut Ebpf, stacks: bool) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let loads: Vec<_> = ebpf
            .programs_mut()
            .filter(|(name, _)| stacks || *name != STACKS_ONLY_PROGRAM)
            .map(|(name, program)| {
                let name = name.to_owned();
                scope.spawn(move || {
                    let program: &mut RawTracePoint = program
                        .try_into()
                        .with_context(|| format!("{name} is not a raw tracepoint program"))?;
                    program.load().with_context(|| format!("loading {name}"))
                })
            })
            .collect();
        loads.into_iter().try_for_each(|load| {
            load.join()
                .unwrap_or_else(|_| Err(anyhow!("loader panicked")))
        })
    })?;
    let mut captures =
        ProgramArray::try_from(ebpf.take_map(CAPTURE_MAP).context("capture map missing")?)?;
    for (name, kind) in CAPTURE_PROGRAMS {
        if !stacks && name == STACKS_ONLY_PROGRAM {
            continue;
        }
        let program: &mut RawTracePoint = ebpf
            .program_mut(name)
            .with_context(|| format!("eBPF program {name} missing"))?
            .try_into()?;
        // The descriptor-inode program also names paths and sockets.
        let kinds: &[CaptureKind] = match kind {
            CaptureKind::FdInodes => &[
                kind,
                CaptureKind::FdPath,
                CaptureKind::Cwd,
                CaptureKind::Socket,
                CaptureKind::NetlinkSocket,
            ],
            CaptureKind::MappedFile => &[kind, CaptureKind::ExecImage],
            // The iovec program also copies a msghdr's, and i386's iovecs.
            CaptureKind::Iovecs => &[kind, CaptureKind::Msghdr, CaptureKind::Iovecs32],
            _ => &[kind],
        };
        for &kind in kinds {
            captures
                .set(u32::from(kind as u8), program.fd()?, 0)
                .with_context(|| format!("registering {name}"))?;
        }
    }
    // The map must outlive this function: the programs hold it, but aya closes
    // its fd on drop, which empties a program array.
    std::mem::forget(captures);
    for name in LIFE_PROGRAMS.into_iter().chain(SYSCALL_PROGRAMS) {
        let program: &mut RawTracePoint = ebpf
            .program_mut(name)
            .with_context(|| format!("eBPF program {name} missing"))?
            .try_into()?;
        program
            .attach(name)
            .with_context(|| format!("attaching {name}"))?;
    }
    Ok(())
}

/// `--comm`'s names as the kernel compares them: 16 NUL-padded bytes each,
/// in two words.
fn comm_words(names: &[String]) -> anyhow::Result<CommNames> {
    anyhow::ensure!(names.len() <= MAX_COMMS, "--comm: at most {MAX_COMMS}");
    let mut words = [0; 2 * MAX_COMMS];
    for (pair, name) in words.chunks_mut(2).zip(names) {
        let mut bytes = [0u8; 16];
        let name = &name.as_bytes()[..name.len().min(15)];
        bytes[..name.len()].copy_from_slice(name);
        for (word, half) in pair.iter_mut().zip(bytes.chunks(8)) {
            *word = u64::from_ne_bytes(half.try_into().unwrap_or_default());
        }
    }
    Ok(words)
}

/// The calls `-e trace=SET` selects on this machine's architecture, as the
/// kernel side reads them: a bit per call index (native calls, then 32-bit
/// ones), named as `show` names them.
pub fn call_bits(set: &analyze::select::TraceSet) -> Vec<u64> {
    let calls = analyze::select::CallFilter {
        trace: set.clone(),
        ..Default::default()
    };
    let arch = std::env::consts::ARCH;
    let mut bits = vec![0u64; MAX_SYSCALLS.div_ceil(64) as usize];
    for index in 0..MAX_SYSCALLS {
        let nr = call_at(index);
        let name = analyze::syscalls::display_name(arch, nr);
        if calls.wants_syscall(&name, analyze::syscalls::is_compat(arch, nr)) {
            bits[index as usize / 64] |= 1 << (index % 64);
        }
    }
    bits
}

/// Puts each syscall's capture rules, from the table, in the SPECS map.
fn fill_specs(ebpf: &mut Ebpf, stacks: bool) -> anyhow::Result<()> {
    let mut specs: Array<_, SyscallSpec> =
        Array::try_from(ebpf.map_mut(SPECS_MAP).context("specs map missing")?)?;
    let arch = std::env::consts::ARCH;
    for index in 0..MAX_SYSCALLS {
        let Some(syscall) = analyze::table::lookup(arch, call_at(index)) else {
            continue;
        };
        let spec = wire_spec(syscall, stacks)?;
        if spec.rules > 0 {
            specs
                .set(index, spec, 0)
                .with_context(|| format!("setting the spec of {}", syscall.name))?;
        }
    }
    Ok(())
}

/// Translates the table's capture rules into the kernel side's terms (those
/// that name stack frames only for `stacks`).
fn wire_spec(syscall: &analyze::table::Syscall, stacks: bool) -> anyhow::Result<SyscallSpec> {
    let mut spec = SyscallSpec::default();
    for rule in syscall
        .captures()
        .filter(|r| stacks || !r.kind.for_stacks())
    {
        let slot = spec
            .rule
            .get_mut(spec.rules as usize)
            .ok_or_else(|| anyhow!("{} has more than {MAX_RULES} capture rules", syscall.name))?;
        // The table and the programs share the vocabulary (the `abi` crate):
        // only the size's parts are packed here.
        let when = rule.at as u8;
        let (size_kind, size_arg, size) = match rule.size {
            Size::Fixed(n) => (SizeKind::Fixed, 0, n),
            Size::Arg(a) => (SizeKind::Arg, a, 0),
            Size::Ret => (SizeKind::Ret, 0, 0),
            Size::ArgTimes(a, n) => (SizeKind::ArgTimes, a, n),
            Size::FdSet(a) => (SizeKind::FdSet, a, 0),
        };
        *slot = CaptureSpec {
            arg: rule.arg,
            at: when,
            how: rule.kind as u8,
            size_kind: size_kind as u8,
            size_arg,
            part: rule.part,
            size,
        };
        let bit = 1 << spec.rules;
        if when & at::ENTER != 0 {
            spec.enter_rules |= bit;
        }
        if when & at::EXIT != 0 {
            spec.exit_rules |= bit;
            if syscall.writes_when_failed() {
                spec.failed_exit_rules |= bit;
            }
        }
        spec.rules += 1;
    }
    Ok(spec)
}

/// Field offsets the kernel side needs, from /sys/kernel/btf/vmlinux (CO-RE by hand).
struct KernelOffsets {
    task_pid: u32,
    task_tgid: u32,
    task_exit_code: u32,
    task_mm: u32,
    mm_arg_start: u32,
    mm_arg_end: u32,
    mm_env_start: u32,
    mm_env_end: u32,
    /// `mm_struct.exe_file` and `.saved_auxv`.
    image: [u32; 2],
    bprm_filename: u32,
    task_files: u32,
    files_fdt: u32,
    fdt_max_fds: u32,
    fdt_fd: u32,
    file_inode: u32,
    inode_ino: u32,
    task_signal: u32,
    task_pending: u32,
    sigpending_signal: u32,
    signal_shared_pending: u32,
    signal_group_exit_code: u32,
    sigqueue_info: u32,
    task_compat_status: u32,
    path: capture_ebpf::PathOffsets,
    sock: capture_ebpf::SockOffsets,
    cgroup: capture_ebpf::CgroupOffsets,
    ns: [u32; 3],
}

/// The kernel's BTF, where the struct offsets come from.
const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

/// aya's `EbpfLoader::new` parses all of the kernel's BTF, and nothing in its
/// API skips that, although these programs (raw tracepoints, loaded with
/// `.btf(None)`) never use it: 20-30 ms, most of start-up, and 10 MiB. In a
/// mount namespace of systrace's own, with an empty tmpfs over the directory,
/// it finds none. The program was forked before, so it is not in the
/// namespace, and nothing else of the recorder looks there. Best effort:
/// where this is not allowed, aya parses as usual.
fn hide_kernel_btf() {
    // SAFETY: plain syscalls with constant, NUL-terminated arguments. The
    // process has one thread here (unshare refuses CLONE_NEWNS otherwise).
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return;
        }
        // First make every mount private: one made over a shared mount would
        // propagate back to the machine's namespace.
        let none = c"none".as_ptr();
        let (no_type, no_data) = (std::ptr::null(), std::ptr::null());
        if libc::mount(
            none,
            c"/".as_ptr(),
            no_type,
            libc::MS_REC | libc::MS_PRIVATE,
            no_data,
        ) != 0
        {
            return;
        }
        let flags = libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
        libc::mount(
            none,
            c"/sys/kernel/btf".as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            no_data,
        );
    }
}

impl KernelOffsets {
    fn read(vmlinux: File) -> anyhow::Result<Self> {
        let bytes = BtfBytes::of(vmlinux)?;
        let btf = KernelBtf::parse(&bytes).with_context(|| format!("parsing {VMLINUX}"))?;
        let offset = |strukt: &str, member: &str| btf.member_offset(strukt, member);
        Ok(Self {
            task_pid: offset("task_struct", "pid")?,
            task_tgid: offset("task_struct", "tgid")?,
            task_exit_code: offset("task_struct", "exit_code")?,
            task_mm: offset("task_struct", "mm")?,
            mm_arg_start: offset("mm_struct", "arg_start")?,
            mm_arg_end: offset("mm_struct", "arg_end")?,
            mm_env_start: offset("mm_struct", "env_start")?,
            mm_env_end: offset("mm_struct", "env_end")?,
            image: [
                offset("mm_struct", "exe_file")?,
                offset("mm_struct", "saved_auxv")?,
            ],
            bprm_filename: offset("linux_binprm", "filename")?,
            task_files: offset("task_struct", "files")?,
            files_fdt: offset("files_struct", "fdt")?,
            fdt_max_fds: offset("fdtable", "max_fds")?,
            fdt_fd: offset("fdtable", "fd")?,
            file_inode: offset("file", "f_inode")?,
            inode_ino: offset("inode", "i_ino")?,
            task_signal: offset("task_struct", "signal")?,
            task_pending: offset("task_struct", "pending")?,
            sigpending_signal: offset("sigpending", "signal")?,
            signal_shared_pending: offset("signal_struct", "shared_pending")?,
            signal_group_exit_code: offset("signal_struct", "group_exit_code")?,
            sigqueue_info: offset("sigqueue", "info")?,
            path: path_offsets(&btf)?,
            ns: [
                offset("task_struct", "thread_pid")?,
                offset("pid", "level")?,
                offset("pid", "numbers")?,
            ],
            cgroup: [
                offset("task_struct", "cgroups")?,
                offset("css_set", "dfl_cgrp")?,
                offset("cgroup", "level")?,
                offset("cgroup", "ancestors")?,
                offset("cgroup", "kn")?,
                offset("kernfs_node", "id")?,
            ],
            sock: sock_offsets(&btf),
            task_compat_status: if cfg!(target_arch = "x86_64") {
                offset("task_struct", "thread_info")? + offset("thread_info", "status")?
            } else {
                0
            },
        })
    }
}

/// The offsets a path is named by (see [`capture_ebpf::path_at`]).
fn path_offsets(btf: &KernelBtf) -> anyhow::Result<capture_ebpf::PathOffsets> {
    use capture_ebpf::path_at::*;
    let offset = |strukt: &str, member: &str| btf.member_offset(strukt, member);
    let mut offsets = [0; COUNT];
    offsets[FILE_PATH] = offset("file", "f_path")?;
    offsets[PATH_MNT] = offset("path", "mnt")?;
    offsets[PATH_DENTRY] = offset("path", "dentry")?;
    offsets[DENTRY_PARENT] = offset("dentry", "d_parent")?;
    offsets[DENTRY_NAME] = offset("dentry", "d_name")? + offset("qstr", "name")?;
    offsets[VFSMOUNT_ROOT] = offset("vfsmount", "mnt_root")?;
    offsets[MOUNT_MNT] = offset("mount", "mnt")?;
    offsets[MOUNT_PARENT] = offset("mount", "mnt_parent")?;
    offsets[MOUNT_MOUNTPOINT] = offset("mount", "mnt_mountpoint")?;
    offsets[TASK_FS] = offset("task_struct", "fs")?;
    offsets[FS_PWD] = offset("fs_struct", "pwd")?;
    offsets[FS_ROOT] = offset("fs_struct", "root")?;
    offsets[INODE_MODE] = offset("inode", "i_mode")?;
    offsets[INODE_RDEV] = offset("inode", "i_rdev")?;
    Ok(offsets)
}

/// The offsets a socket's ends are read through (see
/// [`capture_ebpf::sock_at`]): [`capture_ebpf::NO_OFFSET`] for a member
/// this kernel lacks (a family built as a module has its structs in the
/// module's BTF), whose fields then read as zero.
fn sock_offsets(btf: &KernelBtf) -> capture_ebpf::SockOffsets {
    use capture_ebpf::sock_at::*;
    let offset = |path: &[(&str, &str)]| -> u32 {
        path.iter()
            .map(|(strukt, member)| btf.member_offset(strukt, member))
            .sum::<anyhow::Result<u32>>()
            .unwrap_or(capture_ebpf::NO_OFFSET)
    };
    let mut offsets = [capture_ebpf::NO_OFFSET; COUNT];
    offsets[FILE_PRIVATE] = offset(&[("file", "private_data")]);
    offsets[SOCKET_SK] = offset(&[("socket", "sk")]);
    offsets[FAMILY] = offset(&[("sock_common", "skc_family")]);
    offsets[LOCAL_PORT] = offset(&[("sock_common", "skc_num")]);
    offsets[REMOTE_PORT] = offset(&[("sock_common", "skc_dport")]);
    offsets[LOCAL_V4] = offset(&[("sock_common", "skc_rcv_saddr")]);
    offsets[REMOTE_V4] = offset(&[("sock_common", "skc_daddr")]);
    offsets[LOCAL_V6] = offset(&[("sock_common", "skc_v6_rcv_saddr")]);
    offsets[REMOTE_V6] = offset(&[("sock_common", "skc_v6_daddr")]);
    offsets[TYPE] = offset(&[("sock", "sk_type")]);
    offsets[PROTOCOL] = offset(&[("sock", "sk_protocol")]);
    offsets[SOCK_SOCKET] = offset(&[("sock", "sk_socket")]);
    offsets[SOCKET_INO] = offset(&[("socket_alloc", "vfs_inode"), ("inode", "i_ino")]);
    offsets[UNIX_PEER] = offset(&[("unix_sock", "peer")]);
    offsets[UNIX_ADDR] = offset(&[("unix_sock", "addr")]);
    offsets[UNIX_ADDR_LEN] = offset(&[("unix_address", "len")]);
    offsets[UNIX_ADDR_NAME] = offset(&[("unix_address", "name")]);
    offsets[NETLINK_PORTID] = offset(&[("netlink_sock", "portid")]);
    offsets[SOCK_INO] = offset(&[("sock", "sk_ino")]);
    offsets
}

/// The kernel's BTF in memory. Mapped where the kernel allows it (6.16 and
/// later): its own pages, nothing copied, where reading it into the heap cost
/// 5-10 ms of page faults; read otherwise.
enum BtfBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl BtfBytes {
    fn of(mut vmlinux: File) -> anyhow::Result<Self> {
        // SAFETY: the kernel never changes its BTF while it runs, and this
        // mapping is read-only and private (the kernel refuses a shared one).
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().map_copy_read_only(&vmlinux) } {
            return Ok(Self::Mapped(map));
        }
        let mut bytes = Vec::new();
        vmlinux
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {VMLINUX}"))?;
        Ok(Self::Read(bytes))
    }
}

impl std::ops::Deref for BtfBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Mapped(map) => map,
            Self::Read(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_fits_the_kernel_side() {
        for syscall in analyze::table::TABLE {
            let spec = wire_spec(syscall, true).unwrap();
            assert_eq!(
                spec.rules as usize,
                syscall.captures().count(),
                "{}",
                syscall.name
            );
        }
        let read = wire_spec(analyze::table::by_name("read").unwrap(), false).unwrap();
        assert_eq!((read.rules, read.enter_rules, read.exit_rules), (1, 0, 1));
        assert_eq!(
            (read.rule[0].arg, read.rule[0].size_kind),
            (1, SizeKind::Ret as u8)
        );
        // poll: its array both ways; ppoll: the array and timeout both ways,
        // the signal mask at enter.
        let ppoll = wire_spec(analyze::table::by_name("ppoll").unwrap(), false).unwrap();
        assert_eq!((ppoll.enter_rules, ppoll.exit_rules), (0b111, 0b011));
        // pipe2: the two ints, then the inodes behind them, at exit.
        let pipe2 = wire_spec(analyze::table::by_name("pipe2").unwrap(), false).unwrap();
        assert_eq!((pipe2.enter_rules, pipe2.exit_rules), (0, 0b11));
        assert_eq!(pipe2.rule[1].how, CaptureKind::FdInodes as u8);
    }
}
