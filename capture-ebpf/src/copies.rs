//! Copying user memory into a record: strings, buffers, arrays, iovecs,
//! directory counts and the inodes behind descriptors.

use aya_ebpf::cty::c_void;
use aya_ebpf::helpers::bpf_get_current_task;
use aya_ebpf::helpers::generated::{
    bpf_loop, bpf_probe_read_kernel, bpf_probe_read_kernel_str, bpf_probe_read_user,
    bpf_probe_read_user_str,
};
use capture_ebpf::{
    ARG_FD_DEVICE, ARG_FD_INODES, ARG_FD_PATH, ARG_SOCKET, ARGV_PER_STEP, CaptureHeader, MAX_ARGV,
    MAX_DIRENTS, MAX_ENVP, MAX_IOVECS, MAX_SNAPLEN, NO_OFFSET, at, path_at, sock_at,
    socket_record as rec, status,
};

use crate::{maps::*, ring::*};

/// A record being assembled: the scratch buffer, the write offset, and how
/// many captures it holds. (BPF functions take at most five arguments.)
pub(crate) struct Out<'a> {
    pub(crate) buf: &'a mut Buf,
    pub(crate) off: usize,
    pub(crate) count: u32,
    /// Whether a copy of this rule faulted.
    pub(crate) faulted: bool,
    /// Captures start no later than this (the record's start plus
    /// [`LAST_CAPTURE_AT`]), so that every one fits.
    pub(crate) last: usize,
}

impl<'a> Out<'a> {
    /// The captures of a record of type `R` that starts at `base`.
    pub(crate) fn after<R>(buf: &'a mut Buf, base: usize) -> Self {
        Out {
            buf,
            off: base + size_of::<R>(),
            count: 0,
            faulted: false,
            last: base + LAST_CAPTURE_AT,
        }
    }
}

/// `args[n]`, or 0. One variable-offset stack read (allowed to a
/// privileged program), not a branch per argument: each branch was a
/// path more for the verifier to follow through the rest of the program.
pub(crate) fn arg_at(args: &[u64; 6], n: u8) -> u64 {
    let i = usize::from(n);
    if i >= args.len() {
        return 0;
    }
    // SAFETY: i < 6. Volatile, so the compiler keeps the one indexed load
    // rather than turning it back into branches.
    unsafe { core::ptr::read_volatile(args.as_ptr().add(i)) }
}

pub(crate) fn snaplen() -> u64 {
    let n = u64::from(global(&SNAPLEN));
    if n > u64::from(MAX_SNAPLEN) {
        u64::from(MAX_SNAPLEN)
    } else {
        n
    }
}

/// Writes a capture header at `out.off` and moves past it and `len` data bytes.
pub(crate) fn finish_capture(out: &mut Out, arg: u8, st: u8, len: u64) {
    let header = CaptureHeader {
        arg,
        status: st,
        _pad: 0,
        len: len as u32,
    };
    write_at(out.buf, out.off, &header);
    out.off += 8 + ((len as usize + 7) & !7);
    out.count += 1;
    out.faulted |= st == status::FAULT;
}

/// A value the program knows (not user memory): 8 bytes.
pub(crate) fn capture_value(out: &mut Out, arg: u8, value: u64) {
    if out.off > out.last {
        return;
    }
    write_at(out.buf, out.off + 8, &value);
    finish_capture(out, arg, status::COMPLETE, 8);
}

/// Copies a NUL-terminated user string (without its NUL).
pub(crate) fn capture_str(out: &mut Out, arg: u8, ptr: u64) {
    if out.off > out.last {
        return;
    }
    let at = out.off & OFF_MASK;
    let room = snaplen() + 1;
    // SAFETY: at + 8 + room < 2 * SCRATCH_BYTES; the helper checks the user pointer.
    let n = unsafe {
        bpf_probe_read_user_str(
            out.buf.as_mut_ptr().add(at + 8).cast::<c_void>(),
            room as u32,
            ptr as *const c_void,
        )
    };
    let (st, len) = if n <= 0 {
        (status::FAULT, 0)
    } else if n as u64 >= room {
        (status::PARTIAL, room - 1)
    } else {
        (status::COMPLETE, n as u64 - 1)
    };
    finish_capture(out, arg, st, len);
}

/// Copies `len` bytes, at most the snapshot length.
pub(crate) fn capture_bytes(out: &mut Out, arg: u8, ptr: u64, len: u64) {
    if out.off > out.last {
        return;
    }
    let at = out.off & OFF_MASK;
    // SAFETY: at + 8 + MAX_SNAPLEN < 2 * SCRATCH_BYTES.
    let (st, take) = unsafe { copy_user(out.buf.as_mut_ptr().add(at + 8), ptr, len) };
    finish_capture(out, arg, st, take);
}

/// Copies `len` bytes at user address `ptr` to `dst`, at most the snapshot
/// length; returns the capture status and how many bytes were copied.
///
/// # Safety
/// `dst` must have room for MAX_SNAPLEN bytes.
pub(crate) unsafe fn copy_user(dst: *mut u8, ptr: u64, len: u64) -> (u8, u64) {
    let snap = snaplen();
    let (st, mut take) = if len > snap {
        (status::PARTIAL, snap)
    } else {
        (status::COMPLETE, len)
    };
    // Keeps the verifier sure of the bound.
    take &= 0xff;
    if take > u64::from(MAX_SNAPLEN) {
        take = u64::from(MAX_SNAPLEN);
    }
    if take == 0 {
        return (st, 0);
    }
    // SAFETY: the caller guarantees the room; the helper checks the user pointer.
    let r = unsafe { bpf_probe_read_user(dst.cast::<c_void>(), take as u32, ptr as *const c_void) };
    if r != 0 {
        (status::FAULT, 0)
    } else {
        (st, take)
    }
}

pub(crate) fn read_user_u64(ptr: u64) -> Option<u64> {
    let mut value = 0u64;
    // SAFETY: reads 8 bytes into a local; the helper checks the user pointer.
    let r =
        unsafe { bpf_probe_read_user((&raw mut value).cast::<c_void>(), 8, ptr as *const c_void) };
    (r == 0).then_some(value)
}

/// argv: each string, then an empty partial capture if more were left
/// out; ARGV_PER_STEP strings per run of the program, which tail-calls
/// itself for the next (`tally`: the strings done). Returns whether a
/// step is left. (Not a `bpf_loop` like the counts below: a string
/// copy moves the output offset the verifier must know precisely, so it
/// walked every turn of the loop again, 87K instructions.)
pub(crate) fn capture_str_array_step(out: &mut Out, arg: u8, ptr: u64, job: &mut Job) -> bool {
    let first = job.tally;
    for k in 0..ARGV_PER_STEP {
        let Some(s) = read_user_u64(ptr + 8 * u64::from(first + k)) else {
            finish_capture(out, arg, status::FAULT, 0);
            return false;
        };
        if s == 0 || out.off > out.last {
            return false;
        }
        capture_str(out, arg, s);
    }
    let next = first + ARGV_PER_STEP;
    if next < MAX_ARGV {
        job.tally = next;
        return true;
    }
    if out.off <= out.last && read_user_u64(ptr + 8 * u64::from(MAX_ARGV)).is_some_and(|s| s != 0) {
        finish_capture(out, arg, status::PARTIAL, 0);
    }
    false
}

/// envp: only how many pointers precede the NULL, as a u32.
pub(crate) fn capture_ptr_count(out: &mut Out, arg: u8, ptr: u64) {
    count(out, arg, Walk::at(ptr, 0), MAX_ENVP, count_ptr);
}

/// getdents64: how many records the `len` bytes hold, by their d_reclen.
pub(crate) fn count_dirents(out: &mut Out, arg: u8, ptr: u64, len: u64) {
    count(out, arg, Walk::at(ptr, len), MAX_DIRENTS, count_dirent);
}

/// Counts with `turn` in a `bpf_loop` of at most `turns`, whose body the
/// verifier checks once rather than once per turn, and writes the count (a
/// u32) as the capture.
fn count(out: &mut Out, arg: u8, mut walk: Walk, turns: u32, turn: WalkTurn) {
    if out.off > out.last {
        return;
    }
    // SAFETY: the callback only reaches `walk` through the pointer it is given.
    unsafe {
        bpf_loop(
            turns,
            turn as *mut c_void,
            (&raw mut walk).cast::<c_void>(),
            0,
        )
    };
    write_at(out.buf, out.off + 8, &walk.n);
    finish_capture(out, arg, walk.st, 4);
}

/// A count in progress over user memory at `ptr`: `at` bytes of `len`
/// walked, `n` counted.
struct Walk {
    ptr: u64,
    len: u64,
    at: u64,
    n: u32,
    st: u8,
}

impl Walk {
    fn at(ptr: u64, len: u64) -> Self {
        Self {
            ptr,
            len,
            at: 0,
            n: 0,
            st: status::PARTIAL,
        }
    }

    /// The Walk that bpf_loop hands a turn.
    ///
    /// # Safety
    /// `walk` must be the pointer `count` gave bpf_loop.
    unsafe fn of<'a>(walk: *mut c_void) -> &'a mut Walk {
        // SAFETY: see above.
        unsafe { &mut *walk.cast::<Walk>() }
    }
}

/// One turn of a count: 0 goes on, 1 stops.
type WalkTurn = extern "C" fn(u64, *mut c_void) -> i64;

/// A pointer of an array that ends with NULL.
extern "C" fn count_ptr(_turn: u64, walk: *mut c_void) -> i64 {
    // SAFETY: bpf_loop passes the Walk `count` gave it.
    let walk = unsafe { Walk::of(walk) };
    match read_user_u64(walk.ptr + 8 * u64::from(walk.n)) {
        Some(0) => walk.st = status::COMPLETE,
        Some(_) => {
            walk.n += 1;
            return 0;
        }
        None => walk.st = status::FAULT,
    }
    1
}

/// A directory record.
extern "C" fn count_dirent(_turn: u64, walk: *mut c_void) -> i64 {
    // SAFETY: bpf_loop passes the Walk `count` gave it.
    let walk = unsafe { Walk::of(walk) };
    if walk.at >= walk.len {
        walk.st = status::COMPLETE;
        return 1;
    }
    let mut reclen = 0u16;
    // SAFETY: reads 2 bytes into a local; the helper checks the user pointer.
    let r = unsafe {
        bpf_probe_read_user(
            (&raw mut reclen).cast::<c_void>(),
            2,
            (walk.ptr + walk.at + 16) as *const c_void,
        )
    };
    if r != 0 || reclen == 0 {
        walk.st = status::FAULT;
        return 1;
    }
    walk.at += u64::from(reclen);
    walk.n += 1;
    0
}

/// The inode numbers behind the descriptors the call returned: its result
/// (`arg` is ARG_FD_INODES), or the two ints it wrote at `ptr` (pipe,
/// socketpair).
pub(crate) fn capture_fd_inodes(out: &mut Out, arg: u8, ptr: u64, ret: i64) {
    if out.off > out.last || ret < 0 {
        return;
    }
    let (first, second) = if arg == ARG_FD_INODES {
        (ret, -1)
    } else {
        let Some(pair) = read_user_u64(ptr) else {
            return finish_capture(out, ARG_FD_INODES, status::FAULT, 0);
        };
        (
            i64::from(pair as u32 as i32),
            i64::from((pair >> 32) as u32 as i32),
        )
    };
    let mut len = 0;
    for fd in [first, second] {
        if fd < 0 {
            break;
        }
        write_at(out.buf, out.off + 8 + len, &fd_inode(fd as u64));
        len += 8;
    }
    finish_capture(out, ARG_FD_INODES, status::COMPLETE, len as u64);
}

/// The inode number behind descriptor `fd` of the current task (0 when
/// the chain of kernel pointers does not lead to one).
pub(crate) fn fd_inode(fd: u64) -> u64 {
    let inode: u64 = read_kernel(fd_file(fd), global(&FILE_INODE_OFFSET));
    read_kernel(inode, global(&INODE_INO_OFFSET))
}

/// The `struct file` behind descriptor `fd` of the current task (0 when
/// there is none).
pub(crate) fn fd_file(fd: u64) -> u64 {
    // SAFETY: a helper without preconditions; the pointer is only read through helpers.
    let task = unsafe { bpf_get_current_task() };
    let files: u64 = read_kernel(task, global(&TASK_FILES_OFFSET));
    let fdt: u64 = read_kernel(files, global(&FILES_FDT_OFFSET));
    let max_fds: u32 = read_kernel(fdt, global(&FDT_MAX_FDS_OFFSET));
    if fdt == 0 || fd >= u64::from(max_fds) {
        return 0;
    }
    let fds: u64 = read_kernel(fdt, global(&FDT_FD_OFFSET));
    read_kernel(fds + 8 * fd, 0)
}

/// The `struct path` of the file the call's returned descriptor refers
/// to, to name under `ARG_FD_PATH` (none for a failed call; a descriptor
/// with no file is captured as a fault here).
pub(crate) fn fd_path(out: &mut Out, ret: i64) -> Option<u64> {
    if ret < 0 {
        return None;
    }
    let file = fd_file(ret as u64);
    if file == 0 {
        finish_capture(out, ARG_FD_PATH, status::FAULT, 0);
        return None;
    }
    Some(file + u64::from(path_offset(path_at::FILE_PATH)))
}

/// After `fd_path`'s name (`path`, inside its `struct file`): a device's
/// kind and number too.
pub(crate) fn capture_fd_device(out: &mut Out, path: u64) {
    let file = path - u64::from(path_offset(path_at::FILE_PATH));
    let inode: u64 = read_kernel(file, global(&FILE_INODE_OFFSET));
    let mode: u16 = read_kernel(inode, path_offset(path_at::INODE_MODE));
    if matches!(mode & S_IFMT, S_IFCHR | S_IFBLK) {
        let rdev: u32 = read_kernel(inode, path_offset(path_at::INODE_RDEV));
        capture_value(
            out,
            ARG_FD_DEVICE,
            (u64::from(mode) << 32) | u64::from(rdev),
        );
    }
}

const S_IFMT: u16 = 0o170000;
const S_IFCHR: u16 = 0o020000;
const S_IFBLK: u16 = 0o060000;
const S_IFSOCK: u16 = 0o140000;

/// The `struct path` of the current task's working directory, to name
/// under `ARG_CWD`.
pub(crate) fn cwd_path() -> u64 {
    let fs: u64 = read_kernel(current_task(), path_offset(path_at::TASK_FS));
    fs + u64::from(path_offset(path_at::FS_PWD))
}

/// A socket's ends as the kernel has them (see `abi::socket_record`): the
/// socket the call returned (`arg` is ARG_SOCKET) or descriptor `fd`,
/// whether or not the call using it succeeded; with `netlink_only`, none
/// for another family.
pub(crate) fn capture_socket(out: &mut Out, arg: u8, fd: u64, ret: i64, netlink_only: bool) {
    if out.off > out.last || (arg == ARG_SOCKET && ret < 0) {
        return;
    }
    let fd = if arg == ARG_SOCKET { ret as u64 } else { fd };
    // A failed call's descriptor may be another kind of file, whose
    // private data is not a socket (a call that succeeded had a socket).
    let file = fd_file(fd);
    if ret < 0 {
        let inode: u64 = read_kernel(file, global(&FILE_INODE_OFFSET));
        let mode: u16 = read_kernel(inode, path_offset(path_at::INODE_MODE));
        if mode & S_IFMT != S_IFSOCK {
            return;
        }
    }
    let socket: u64 = read_sock(file, sock_at::FILE_PRIVATE);
    let sk: u64 = read_sock(socket, sock_at::SOCKET_SK);
    if sk == 0 {
        return finish_capture(out, ARG_SOCKET, status::FAULT, 0);
    }
    let family: u16 = read_sock(sk, sock_at::FAMILY);
    if netlink_only && family != AF_NETLINK {
        return;
    }
    let at = out.off + 8;
    write_at(out.buf, at + rec::FAMILY, &family);
    for (to, from) in [
        (rec::TYPE, sock_at::TYPE),
        (rec::PROTOCOL, sock_at::PROTOCOL),
        (rec::LOCAL_PORT, sock_at::LOCAL_PORT),
        (rec::REMOTE_PORT, sock_at::REMOTE_PORT),
    ] {
        write_at(out.buf, at + to, &read_sock::<u16>(sk, from));
    }
    write_at(out.buf, at + rec::INODE, &socket_ino(socket));
    let (mut portid, mut peer, mut path_len) = (0u32, 0u64, 0u64);
    let (mut local, mut remote) = ([0u8; 16], [0u8; 16]);
    match family {
        AF_INET => {
            local[..4].copy_from_slice(&read_sock::<[u8; 4]>(sk, sock_at::LOCAL_V4));
            remote[..4].copy_from_slice(&read_sock::<[u8; 4]>(sk, sock_at::REMOTE_V4));
        }
        AF_INET6 => {
            local = read_sock(sk, sock_at::LOCAL_V6);
            remote = read_sock(sk, sock_at::REMOTE_V6);
        }
        AF_NETLINK => portid = read_sock(sk, sock_at::NETLINK_PORTID),
        AF_UNIX => {
            // The peer's inode: kept in its sock where the kernel does,
            // otherwise (or before) through its socket, which a closed
            // peer no longer has.
            let peer_sk: u64 = read_sock(sk, sock_at::UNIX_PEER);
            peer = read_sock(peer_sk, sock_at::SOCK_INO);
            if peer == 0 {
                peer = socket_ino(read_sock(peer_sk, sock_at::SOCK_SOCKET));
            }
            path_len = copy_unix_path(out, at + rec::UNIX_PATH, read_sock(sk, sock_at::UNIX_ADDR));
        }
        _ => {}
    }
    write_at(out.buf, at + rec::NETLINK_PORTID, &portid);
    write_at(out.buf, at + rec::PEER_INODE, &peer);
    write_at(out.buf, at + rec::LOCAL_ADDR, &local);
    write_at(out.buf, at + rec::REMOTE_ADDR, &remote);
    finish_capture(
        out,
        ARG_SOCKET,
        status::COMPLETE,
        rec::UNIX_PATH as u64 + path_len,
    );
}

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;

/// A bound unix socket's `sun_path` (its address less the family), copied
/// to `at`; its length.
fn copy_unix_path(out: &mut Out, at: usize, addr: u64) -> u64 {
    if addr == 0 {
        return 0;
    }
    let len: i32 = read_sock(addr, sock_at::UNIX_ADDR_LEN);
    let len = (len as u64).saturating_sub(2);
    let len = if len > rec::UNIX_PATH_MAX as u64 {
        rec::UNIX_PATH_MAX as u64
    } else {
        len
    };
    let name: u64 = match global(&SOCK_OFFSETS[sock_at::UNIX_ADDR_NAME]) {
        NO_OFFSET => return 0,
        offset => addr + u64::from(offset) + 2,
    };
    // SAFETY: at most 127 bytes at an offset below 2 * SCRATCH_BYTES, in a
    // buffer of three; the helper checks the kernel pointer.
    let r = unsafe {
        bpf_probe_read_kernel(
            out.buf.as_mut_ptr().add(at & OFF_MASK).cast::<c_void>(),
            (len & 0x7f) as u32,
            name as *const c_void,
        )
    };
    if r == 0 { len & 0x7f } else { 0 }
}

/// The inode number of `struct socket` at `socket` (which sits right
/// before its inode in a `struct socket_alloc`).
fn socket_ino(socket: u64) -> u64 {
    if socket == 0 {
        return 0;
    }
    read_sock(socket, sock_at::SOCKET_INO)
}

/// The value at `ptr` plus socket offset `at` (the default where the kernel
/// lacks the member or the pointer is null).
fn read_sock<T: Default + Copy>(ptr: u64, at: usize) -> T {
    match global(&SOCK_OFFSETS[at % sock_at::COUNT]) {
        NO_OFFSET => T::default(),
        _ if ptr == 0 => T::default(),
        offset => read_kernel(ptr, offset),
    }
}

pub(crate) fn current_task() -> u64 {
    // SAFETY: a helper without preconditions.
    unsafe { bpf_get_current_task() }
}

pub(crate) fn path_offset(at: usize) -> u32 {
    global(&PATH_OFFSETS[at % path_at::COUNT])
}

/// A path being named, from its last component up (see `ARG_FD_PATH`):
/// where the walk stands, the task's root it stops at, and where the
/// next name goes in the scratch buffer.
/// (Where the next name goes, and where names must end, are kept in the
/// CPU's job, `carry` and `tally`: values the verifier does not follow, so
/// that it checks the step once, not once per place it could write.)
struct PathWalk {
    dentry: u64,
    vfsmnt: u64,
    root_dentry: u64,
    root_mnt: u64,
    st: u8,
}

/// Names the `struct path` at kernel address `path` as the kernel's d_path
/// does: each dentry's name up to its mount's root, then on from where that
/// mount is mounted, up to the task's root. A `bpf_loop`, so that the
/// verifier checks one step.
pub(crate) fn capture_path(out: &mut Out, arg: u8, path: u64) {
    if out.off > out.last {
        return;
    }
    let fs: u64 = read_kernel(current_task(), path_offset(path_at::TASK_FS));
    let root = fs + u64::from(path_offset(path_at::FS_ROOT));
    let start = (out.off + 8) as u64;
    let Ok((_, job)) = job_slots() else {
        return;
    };
    job.carry = start;
    job.tally = (start + snaplen()) as u32;
    let mut walk = PathWalk {
        dentry: read_kernel(path, path_offset(path_at::PATH_DENTRY)),
        vfsmnt: read_kernel(path, path_offset(path_at::PATH_MNT)),
        root_dentry: read_kernel(root, path_offset(path_at::PATH_DENTRY)),
        root_mnt: read_kernel(root, path_offset(path_at::PATH_MNT)),
        st: status::PARTIAL,
    };
    // SAFETY: the callback only reaches `walk` through the pointer it is given.
    unsafe {
        bpf_loop(
            MAX_PATH_DEPTH,
            path_step as *mut c_void,
            (&raw mut walk).cast::<c_void>(),
            0,
        )
    };
    let Ok((_, job)) = job_slots() else {
        return;
    };
    let len = job.carry.saturating_sub(start) & 0xff;
    job.carry = 0;
    job.tally = 0;
    finish_capture(out, arg, walk.st, len);
}

/// Components followed at most (mount crossings count as one each).
const MAX_PATH_DEPTH: u32 = 64;

/// One step of a path's walk: 0 goes on, 1 stops.
extern "C" fn path_step(_turn: u64, walk: *mut c_void) -> i64 {
    // SAFETY: bpf_loop passes the PathWalk `capture_path` gave it.
    let walk = unsafe { &mut *walk.cast::<PathWalk>() };
    if walk.dentry == 0 || walk.dentry == walk.root_dentry && walk.vfsmnt == walk.root_mnt {
        walk.st = status::COMPLETE;
        return 1;
    }
    let mnt_root: u64 = read_kernel(walk.vfsmnt, path_offset(path_at::VFSMOUNT_ROOT));
    if walk.dentry == mnt_root {
        // At the root of a mount: go on from where it is mounted.
        let mount = walk.vfsmnt - u64::from(path_offset(path_at::MOUNT_MNT));
        let parent: u64 = read_kernel(mount, path_offset(path_at::MOUNT_PARENT));
        if parent == mount || parent == 0 {
            walk.st = status::COMPLETE;
            return 1;
        }
        walk.dentry = read_kernel(mount, path_offset(path_at::MOUNT_MOUNTPOINT));
        walk.vfsmnt = parent + u64::from(path_offset(path_at::MOUNT_MNT));
        return 0;
    }
    let parent: u64 = read_kernel(walk.dentry, path_offset(path_at::DENTRY_PARENT));
    let name: u64 = read_kernel(walk.dentry, path_offset(path_at::DENTRY_NAME));
    if parent == walk.dentry {
        walk.st = status::COMPLETE;
        return 1;
    }
    let Ok((buf, job)) = job_slots() else {
        return 1;
    };
    let at = job.carry;
    let room = u64::from(job.tally).saturating_sub(at);
    // SAFETY: at most 255 bytes at an offset below 2 * SCRATCH_BYTES, in a
    // buffer of three; the helper checks the kernel pointer.
    let n = unsafe {
        bpf_probe_read_kernel_str(
            buf.as_mut_ptr()
                .add(at as usize & OFF_MASK)
                .cast::<c_void>(),
            (room & 0xff) as u32,
            name as *const c_void,
        )
    };
    if n <= 0 {
        walk.st = if room <= 1 {
            status::PARTIAL
        } else {
            status::FAULT
        };
        return 1;
    }
    job.carry = at + n as u64;
    if n as u64 >= room {
        walk.st = status::PARTIAL;
        return 1;
    }
    walk.dentry = parent;
    0
}

/// sendmsg/recvmsg's `struct msghdr` at `ptr`, one step per run of the
/// program (see `CaptureKind::Msghdr`): the header, its name, its control
/// data, then its iovecs as `capture_iovec_step` copies them. Only the
/// header unless `whole`. Returns whether a step is left.
pub(crate) fn capture_msghdr_step(
    out: &mut Out,
    arg: u8,
    ptr: u64,
    whole: bool,
    job: &mut Job,
) -> bool {
    const NAME: u64 = 0;
    const NAMELEN: u64 = 8;
    const IOV: u64 = 16;
    const IOVLEN: u64 = 24;
    const CONTROL: u64 = 32;
    const CONTROLLEN: u64 = 40;
    const HEADER_STEPS: u32 = 3;
    let field = |at: u64| read_user_u64(ptr + at).unwrap_or(0);
    match job.step {
        0 => capture_bytes(out, arg, ptr, 56),
        1 => capture_bytes(out, arg, field(NAME), field(NAMELEN) & 0xffff_ffff),
        2 => capture_bytes(out, arg, field(CONTROL), field(CONTROLLEN)),
        _ => {
            // The iovecs' own steps, numbered from 0.
            job.step -= HEADER_STEPS;
            let more = capture_iovec_step(out, arg, field(IOV), field(IOVLEN), false, job);
            job.step += HEADER_STEPS;
            return more;
        }
    }
    job.step += 1;
    whole
}

/// readv/writev, one step per run of the program: step 0 copies the
/// iovec array (up to MAX_IOVECS; i386's iovecs are 8 bytes, not 16),
/// step k the data of iovec k-1, cut at what the call moved. The program
/// tail-calls itself for the next step, so the verifier checks one step
/// instead of a loop of them (most of start-up went there). Returns
/// whether a step is left. (Inlined: a BPF function takes at most five
/// arguments.)
#[inline(always)]
pub(crate) fn capture_iovec_step(
    out: &mut Out,
    arg: u8,
    ptr: u64,
    iovcnt: u64,
    i386: bool,
    job: &mut Job,
) -> bool {
    let width = if i386 { 8 } else { 16 };
    let n = if iovcnt > u64::from(MAX_IOVECS) {
        u64::from(MAX_IOVECS)
    } else {
        iovcnt
    };
    let step = u64::from(job.step);
    if step == 0 {
        capture_bytes(out, arg, ptr, n * width);
        // carry: the bytes the call moved that are still to be shown.
        job.carry = if job.when == u32::from(at::EXIT) {
            job.ret as u64
        } else {
            u64::MAX
        };
    } else {
        let i = step - 1;
        let entry = ptr + width * i;
        let (Some(base), Some(len)) = (if i386 {
            let pair = read_user_u64(entry);
            (pair.map(|p| p & 0xffff_ffff), pair.map(|p| p >> 32))
        } else {
            (read_user_u64(entry), read_user_u64(entry + 8))
        }) else {
            return false;
        };
        let len = if len > job.carry { job.carry } else { len };
        job.carry -= len;
        capture_bytes(out, arg, base, len);
    }
    job.step += 1;
    step < n && job.carry != 0
}

pub(crate) fn read_kernel<T: Default + Copy>(ptr: u64, offset: u32) -> T {
    let mut value = T::default();
    // SAFETY: reads into a local; the helper checks the kernel pointer.
    unsafe {
        bpf_probe_read_kernel(
            (&raw mut value).cast::<c_void>(),
            size_of::<T>() as u32,
            (ptr + u64::from(offset)) as *const c_void,
        )
    };
    value
}
