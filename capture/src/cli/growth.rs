//! Waiting for a file that a recorder appends to: inotify wakes a follower
//! as soon as bytes land (a chunk is printed within moments of reaching the
//! file), and a timeout lets it look at the recorder regardless.

use std::{
    fs::File,
    os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd},
    time::Duration,
};

/// An inotify instance watching one file for writes.
pub(super) struct Growth(OwnedFd);

impl Growth {
    /// Watches the file open as `file`; `None` where inotify is not to be
    /// had (callers then wait the whole timeout).
    pub(super) fn watch(file: &File) -> Option<Self> {
        // SAFETY: plain syscalls; the descriptor is owned once made.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just made and is ours.
        let growth = Growth(unsafe { OwnedFd::from_raw_fd(fd) });
        // The file itself, however it was reached (renamed, or a path that
        // now names another file).
        let path = format!("/proc/self/fd/{}\0", file.as_raw_fd());
        // SAFETY: a NUL-terminated path; the mask is constant.
        let watched = unsafe {
            libc::inotify_add_watch(
                fd,
                path.as_ptr().cast(),
                libc::IN_MODIFY | libc::IN_CLOSE_WRITE,
            )
        };
        (watched >= 0).then_some(growth)
    }

    /// Waits until the file was written to since the last wait, or
    /// `timeout` passed.
    pub(super) fn wait(growth: Option<&Self>, timeout: Duration) {
        let Some(Growth(fd)) = growth else {
            std::thread::sleep(timeout);
            return;
        };
        let mut poll = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one pollfd, ours; then a read into a buffer of ours, which
        // drains what woke us (the descriptor does not block).
        unsafe {
            if libc::poll(&mut poll, 1, millis) > 0 {
                let mut events = [0u8; 4096];
                while libc::read(fd.as_raw_fd(), events.as_mut_ptr().cast(), events.len()) > 0 {}
            }
        }
    }
}
