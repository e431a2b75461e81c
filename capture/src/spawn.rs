//! Starting the traced program so that it cannot run a single syscall of its own
//! before the kernel filter knows its pid: fork, hold the child on a pipe, add the
//! pid to the filter, then let it exec.
//!
//! This runs before any thread exists (tokio, the trace writer): forking a
//! multi-threaded process is not safe.

use std::{
    ffi::{CString, OsStr, OsString},
    io,
    os::{fd::AsRawFd as _, unix::ffi::OsStrExt as _},
    path::{Path, PathBuf},
};

use anyhow::{Context as _, bail};

/// A forked child blocked before exec.
pub struct HeldChild {
    pub pid: u32,
    go: std::fs::File,
    exec_error: std::fs::File,
}

impl HeldChild {
    /// Forks a child that will exec `command` once released.
    pub fn spawn(command: &[OsString]) -> anyhow::Result<Self> {
        let Some(program) = command.first() else {
            bail!("no program to run");
        };
        let path = find_program(program)?;
        // Everything the child needs is allocated before fork.
        let path = cstring(path.as_os_str())?;
        let args = command
            .iter()
            .map(|a| cstring(a))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        argv.push(std::ptr::null());

        let (go_read, go_write) = pipe()?;
        let (err_read, err_write) = pipe()?;
        // SAFETY: single-threaded here; the child only calls async-signal-safe
        // functions (read, execv, write, _exit) on memory prepared above.
        match unsafe { libc::fork() } {
            -1 => Err(io::Error::last_os_error()).context("fork"),
            0 => unsafe {
                let mut byte = 0u8;
                libc::close(go_write.as_raw_fd());
                // EOF without a byte means systrace gave up: don't run untraced.
                if libc::read(go_read.as_raw_fd(), (&raw mut byte).cast(), 1) == 1 {
                    libc::execv(path.as_ptr(), argv.as_ptr());
                }
                let errno = *libc::__errno_location();
                libc::write(err_write.as_raw_fd(), (&raw const errno).cast(), 4);
                libc::_exit(127)
            },
            pid => Ok(HeldChild {
                pid: pid as u32,
                go: go_write,
                exec_error: err_read,
            }),
        }
    }

    /// Lets the child exec, and reports whether exec worked.
    pub fn release(self) -> anyhow::Result<()> {
        use std::io::{Read as _, Write as _};
        let HeldChild {
            mut go,
            mut exec_error,
            ..
        } = self;
        go.write_all(&[1]).context("releasing the traced program")?;
        drop(go);
        let mut errno = [0u8; 4];
        // The error pipe closes on a successful exec (O_CLOEXEC): EOF means it ran.
        match exec_error.read(&mut errno) {
            Ok(4) => {
                Err(io::Error::from_raw_os_error(i32::from_ne_bytes(errno))).context("exec failed")
            }
            _ => Ok(()),
        }
    }
}

/// Looks `program` up in PATH as execvp would, with strace's error when missing.
fn find_program(program: &OsStr) -> anyhow::Result<PathBuf> {
    let candidates: Vec<PathBuf> = if program.as_bytes().contains(&b'/') {
        vec![PathBuf::from(program)]
    } else {
        let path =
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .collect()
    };
    candidates
        .into_iter()
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "Can't stat '{}': No such file or directory",
                program.to_string_lossy()
            )
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn cstring(s: &OsStr) -> anyhow::Result<CString> {
    CString::new(s.as_bytes())
        .with_context(|| format!("{} contains a NUL byte", s.to_string_lossy()))
}

/// A close-on-exec pipe.
fn pipe() -> anyhow::Result<(std::fs::File, std::fs::File)> {
    use std::os::fd::FromRawFd as _;
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid out-array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error()).context("pipe");
    }
    // SAFETY: pipe2 just returned these two fds, owned by nobody else.
    Ok(unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    })
}
