//! Starting the traced program so that it cannot run a single syscall of its own
//! before the kernel filter knows its pid: fork, switch user, hold the child on
//! a pipe until the parent has put its pid in the filter, then exec.
//!
//! This runs before any thread exists (tokio, the trace writer): forking a
//! multi-threaded process is not safe. The child only makes raw syscalls on
//! memory prepared before the fork.

use std::{
    ffi::{CStr, CString, OsStr, OsString},
    fs::File,
    io::{self, Read as _, Write as _},
    os::{fd::AsRawFd as _, unix::ffi::OsStrExt as _},
    path::{Path, PathBuf},
};

use anyhow::{Context as _, bail};

/// Whom the program runs as.
pub struct Credentials {
    pub uid: u32,
    pub gid: u32,
    groups: Vec<libc::gid_t>,
}

/// The user on whose behalf systrace runs: the one who ran sudo
/// (SUDO_UID/SUDO_GID), else the real user. Output files are theirs.
pub struct Invoker {
    pub uid: u32,
    pub gid: u32,
    /// Set under sudo.
    pub sudo: Option<Option<String>>,
}

impl Invoker {
    pub fn get() -> anyhow::Result<Self> {
        let var = |k| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
        let id = |k: &str, v: &str| {
            v.parse::<u32>().map_err(|_| {
                anyhow::anyhow!("{k}={v:?} is not a number: refusing to guess who ran sudo")
            })
        };
        match (var("SUDO_UID"), var("SUDO_GID")) {
            (None, None) => Ok(Self {
                // SAFETY: getuid and getgid have no preconditions.
                uid: unsafe { libc::getuid() },
                gid: unsafe { libc::getgid() },
                sudo: None,
            }),
            (Some(uid), Some(gid)) => Ok(Self {
                uid: id("SUDO_UID", &uid)?,
                gid: id("SUDO_GID", &gid)?,
                sudo: Some(std::env::var("SUDO_USER").ok()),
            }),
            (Some(_), None) => {
                bail!("SUDO_UID is set but SUDO_GID is not: refusing to guess who ran sudo")
            }
            (None, Some(_)) => {
                bail!("SUDO_GID is set but SUDO_UID is not: refusing to guess who ran sudo")
            }
        }
    }
}

impl Credentials {
    /// `-u USER` (a name or a numeric uid), else the user who ran sudo, else
    /// nobody in particular (the program runs as systrace does).
    pub fn for_program(user: Option<&str>) -> anyhow::Result<Option<Self>> {
        let (name, uid, gid) = match user {
            Some(user) => lookup_user(user)?,
            None => match Invoker::get()? {
                Invoker {
                    uid,
                    gid,
                    sudo: Some(name),
                } => (name, uid, gid),
                Invoker { sudo: None, .. } => return Ok(None),
            },
        };
        let groups = match name {
            Some(name) => group_list(&name, gid)?,
            None => vec![gid],
        };
        Ok(Some(Self { uid, gid, groups }))
    }
}

/// A user's name (when known), uid and primary gid, from a name or a number.
fn lookup_user(user: &str) -> anyhow::Result<(Option<String>, u32, u32)> {
    let cname = CString::new(user).context("user name contains a NUL byte")?;
    let number = user.parse::<u32>().ok();
    // SAFETY: getpwnam/getpwuid return NULL or a pointer to static storage,
    // read at once; no other thread exists yet.
    let pw = unsafe {
        match number {
            Some(uid) => libc::getpwuid(uid),
            None => libc::getpwnam(cname.as_ptr()),
        }
    };
    if pw.is_null() {
        // A uid with no passwd entry still names a user: its own group, no others.
        return match number {
            Some(uid) => Ok((None, uid, uid)),
            None => bail!("Cannot find user '{user}'"),
        };
    }
    // SAFETY: non-null result of getpwnam/getpwuid; pw_name is a C string.
    unsafe {
        let name = CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
        Ok((Some(name), (*pw).pw_uid, (*pw).pw_gid))
    }
}

fn group_list(name: &str, gid: u32) -> anyhow::Result<Vec<libc::gid_t>> {
    let cname = CString::new(name).context("user name contains a NUL byte")?;
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut count = groups.len() as libc::c_int;
    // SAFETY: `groups` holds `count` entries; getgrouplist writes at most that many.
    let r = unsafe { libc::getgrouplist(cname.as_ptr(), gid, groups.as_mut_ptr(), &mut count) };
    if r < 0 {
        bail!("user '{name}' is in too many groups");
    }
    groups.truncate(count as usize);
    Ok(groups)
}

/// A forked child blocked before exec.
pub struct HeldChild {
    pub pid: u32,
    go: File,
    exec_error: File,
}

impl HeldChild {
    /// Forks a child that will exec `command` (as `credentials`, with the
    /// `ignored` signals ignored) once released.
    pub fn spawn(
        command: &[OsString],
        credentials: Option<&Credentials>,
        ignored: &[libc::c_int],
    ) -> anyhow::Result<Self> {
        let Some(program) = command.first() else {
            bail!("no program to run");
        };
        let path = cstring(find_program(program)?.as_os_str())?;
        let args = command
            .iter()
            .map(|a| cstring(a))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        argv.push(std::ptr::null());

        let (go_read, go_write) = pipe()?;
        let (ready_read, ready_write) = pipe()?;
        let (err_read, err_write) = pipe()?;
        // SAFETY: single-threaded here; the child only makes syscalls on memory
        // prepared above (see `child`).
        match unsafe { libc::fork() } {
            -1 => Err(io::Error::last_os_error()).context("fork"),
            0 => {
                drop(go_write);
                child(
                    &path,
                    &argv,
                    credentials,
                    ignored,
                    [&go_read, &ready_write, &err_write],
                )
            }
            pid => {
                drop((go_read, ready_write, err_write));
                // The child is ready once it has switched user: those calls are
                // its own business, not part of the trace.
                let mut byte = [0u8];
                let mut ready_read = ready_read;
                if ready_read.read(&mut byte).ok() != Some(1) {
                    let mut errno = [0u8; 4];
                    return match err_read.try_clone()?.read(&mut errno) {
                        Ok(4) => Err(io::Error::from_raw_os_error(i32::from_ne_bytes(errno)))
                            .context("switching to the program's user"),
                        _ => bail!("the program's process ended before it started"),
                    };
                }
                Ok(HeldChild {
                    pid: pid as u32,
                    go: go_write,
                    exec_error: err_read,
                })
            }
        }
    }

    /// Lets the child exec, and reports whether exec worked.
    pub fn release(self) -> anyhow::Result<()> {
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
            // strace's words: "exec: Permission denied".
            Ok(4) => bail!("exec: {}", os_error_text(i32::from_ne_bytes(errno))),
            _ => Ok(()),
        }
    }
}

/// The C library's text for `errno`, without Rust's "(os error N)".
fn os_error_text(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    match text.split_once(" (os error") {
        Some((words, _)) => words.to_owned(),
        None => text,
    }
}

/// The child's side: switch user, say ready, wait for the go, exec. Never returns.
fn child(
    path: &CStr,
    argv: &[*const libc::c_char],
    credentials: Option<&Credentials>,
    ignored: &[libc::c_int],
    [go, ready, err]: [&File; 3],
) -> ! {
    // SAFETY: raw syscalls on memory prepared before fork; `_exit` on failure.
    unsafe {
        let fail = || {
            let errno = *libc::__errno_location();
            libc::write(err.as_raw_fd(), (&raw const errno).cast(), 4);
            libc::_exit(127)
        };
        // The program starts with the signal mask and dispositions systrace
        // was given (no thread has changed them yet): those systrace catches
        // are ignored again where they came ignored. SIGPIPE aside: Rust
        // ignores it before main, and an ignored signal stays ignored across
        // exec, so the program gets the default that shells give.
        for &signo in ignored {
            libc::signal(signo, libc::SIG_IGN);
        }
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        if let Some(c) = credentials
            && (libc::setgroups(c.groups.len(), c.groups.as_ptr()) != 0
                || libc::setgid(c.gid) != 0
                || libc::setuid(c.uid) != 0)
        {
            fail();
        }
        libc::write(ready.as_raw_fd(), [1u8].as_ptr().cast(), 1);
        let mut byte = 0u8;
        // EOF without a byte means systrace gave up: don't run untraced.
        if libc::read(go.as_raw_fd(), (&raw mut byte).cast(), 1) != 1 {
            libc::_exit(127);
        }
        libc::execv(path.as_ptr(), argv.as_ptr());
        fail()
    }
}

/// Looks `program` up in PATH as execvp would, with strace's error when
/// missing. A file that exists but cannot be run (a directory, no x bit) is
/// left for exec to refuse, which gives strace's "exec: Permission denied".
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
    let runnable = candidates.iter().find(|p| is_executable(p));
    runnable
        .or_else(|| candidates.iter().find(|p| p.exists()))
        .cloned()
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
fn pipe() -> anyhow::Result<(File, File)> {
    use std::os::fd::FromRawFd as _;
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid out-array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error()).context("pipe");
    }
    // SAFETY: pipe2 just returned these two fds, owned by nobody else.
    Ok(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}
