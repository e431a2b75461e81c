//! What a view leaves when Ctrl-C (or SIGTERM) stops it: nothing. Each
//! partial output a view is writing (`show -o`, `stats -o`, `export`) is
//! remembered here; the first stop signal wakes a thread that removes them
//! and then lets the signal end the process as it would have.
//!
//! A signal handler may only do async-signal-safe work, so it writes the
//! signal's number to a pipe; the thread reading it does the removing. The
//! handler is installed only over the default action: `record` and `trace`
//! catch the same signals to stop recording in their own way (theirs
//! replaces this one), and a command started in the background, which
//! ignores SIGINT, goes on ignoring it.

use std::{
    fs::File,
    io::Read as _,
    os::fd::FromRawFd as _,
    path::{Path, PathBuf},
    sync::{
        Mutex, Once,
        atomic::{AtomicI32, Ordering},
    },
};

/// The partial files and directories being written.
static PARTIALS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The pipe's write end, for the handler.
static WAKE: AtomicI32 = AtomicI32::new(-1);

const STOP_SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

/// Makes the partial output `partial` (a file, or a directory) with
/// `create`, and removes it, and all in it, if a stop signal ends the
/// process before [`forget`]. The list is held meanwhile: a signal that
/// comes while it is being made waits for it to be on the list.
pub fn create_remembered<T, E>(
    partial: &Path,
    create: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(install);
    let mut partials = lock();
    let made = create()?;
    partials.push(partial.to_owned());
    Ok(made)
}

/// `partial` is finished (renamed) or removed already.
pub fn forget(partial: &Path) {
    lock().retain(|p| p != partial);
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the list leaves it usable.
    PARTIALS.lock().unwrap_or_else(|e| e.into_inner())
}

extern "C" fn on_stop(signo: libc::c_int) {
    let byte = signo as u8;
    // SAFETY: write(2) is async-signal-safe; the buffer is a local.
    unsafe { libc::write(WAKE.load(Ordering::Relaxed), (&raw const byte).cast(), 1) };
}

fn install() {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return;
    }
    // SAFETY: the read end is ours alone from here on; the write end stays
    // open for the process's life, for the handler.
    let mut wakes = unsafe { File::from_raw_fd(fds[0]) };
    WAKE.store(fds[1], Ordering::Relaxed);
    let spawned = std::thread::Builder::new()
        .name("cleanup".into())
        .spawn(move || {
            let mut signo = [0u8];
            if wakes.read_exact(&mut signo).is_ok() {
                remove_all_and_die(libc::c_int::from(signo[0]));
            }
        });
    if spawned.is_err() {
        return;
    }
    for signo in STOP_SIGNALS {
        if disposition_is_default(signo) {
            // SAFETY: installs a handler that only calls write(2).
            unsafe { libc::signal(signo, on_stop as *const () as libc::sighandler_t) };
        }
    }
}

fn disposition_is_default(signo: libc::c_int) -> bool {
    // SAFETY: an all-zero sigaction is valid to be filled in.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: reads the current action without changing it.
    let read = unsafe { libc::sigaction(signo, std::ptr::null(), &mut old) };
    read == 0 && old.sa_sigaction == libc::SIG_DFL
}

fn remove_all_and_die(signo: libc::c_int) -> ! {
    for partial in lock().drain(..) {
        // The view goes on writing meanwhile: a file it adds to a directory
        // being removed makes one try fail.
        for _ in 0..3 {
            let removed = match std::fs::symlink_metadata(&partial) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&partial),
                Ok(_) => std::fs::remove_file(&partial),
                Err(_) => break,
            };
            if removed.is_ok() {
                break;
            }
        }
    }
    // SAFETY: back to the default action, then the signal itself: the
    // process ends as the signal would have ended it.
    unsafe {
        libc::signal(signo, libc::SIG_DFL);
        libc::raise(signo);
    }
    std::process::exit(128 + signo)
}
