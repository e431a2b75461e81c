//! Every file systrace writes, created so that another user sharing the
//! directory (think /tmp) can neither redirect it, nor pre-create it, nor read it.
//!
//! - A symlink as the last path component is never followed, except to a
//!   character device (`/dev/stdout` to a terminal): devices are written as they are.
//! - Anything else is written under `NAME.partial`, created new (O_EXCL,
//!   O_NOFOLLOW) with mode 0600 and given to the invoking user, then renamed
//!   onto NAME when complete. An existing NAME is replaced only when it is a
//!   regular file of the invoking user; another user's file, a directory or a
//!   socket is refused.
//! - A trace's partial file is what a killed recorder leaves, and what a live
//!   reader opens; any other output's partial file is removed on failure or
//!   a stop signal (`cleanup`), so no half-written export is left behind.
//! - A directory of outputs ([`OutputDir`]) is made the same way: new, as
//!   `NAME.partial`, renamed when complete.

use std::{
    ffi::OsString,
    fs::{File, OpenOptions},
    io,
    os::unix::fs::{FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _},
    path::{Path, PathBuf},
};

use anyhow::{Context as _, bail};

use crate::spawn::Invoker;

/// The in-progress name's suffix.
pub const PARTIAL: &str = ".partial";

/// What a file holds decides where it may go.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A trace (see [`Output::keep`]).
    Trace,
    /// A view's text (`show -o`, `stats -o`): may also go into the user's own FIFO.
    Text,
    /// An export (JSON).
    Export,
}

/// An output file being written.
pub struct Output {
    file: File,
    path: PathBuf,
    /// Where the data is written until `commit` renames it onto `path`;
    /// `None` for a device (or FIFO), written in place.
    partial: Option<PathBuf>,
    /// Whether an unfinished partial file stays (see [`Output::keep`]).
    keep_partial: bool,
}

/// `path` + `.partial`.
pub fn partial_name(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(PARTIAL);
    PathBuf::from(name)
}

impl Output {
    /// Opens `path` for writing as described in the module docs.
    pub fn create(path: &Path, kind: Kind) -> anyhow::Result<Self> {
        let invoker = Invoker::get()?;
        let shown = path.display();
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("{shown}")),
            Ok(meta) => {
                let ty = meta.file_type();
                if ty.is_symlink() {
                    let target_is_device =
                        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device());
                    if !target_is_device {
                        bail!("{shown} is a symbolic link: refusing to follow it");
                    }
                    return Self::in_place(path, false);
                }
                if ty.is_char_device() {
                    return Self::in_place(path, false);
                }
                if ty.is_fifo() && kind == Kind::Text && meta.uid() == invoker.uid {
                    return Self::in_place(path, true);
                }
                if ty.is_dir() {
                    bail!("{shown} is a directory");
                }
                if !ty.is_file() {
                    bail!("{shown} is {}: refusing to write into it", describe(&meta));
                }
                if meta.uid() != invoker.uid {
                    bail!(
                        "{shown} belongs to another user (uid {}): refusing to replace it",
                        meta.uid()
                    );
                }
            }
        }
        let partial = partial_name(path);
        // A trace's partial file is kept (see `keep`); a view's goes, even
        // when a signal ends the process.
        let file = match kind {
            Kind::Trace => create_new(&partial, &invoker)?,
            _ => crate::cleanup::create_remembered(&partial, || create_new(&partial, &invoker))?,
        };
        Ok(Output {
            file,
            path: path.to_owned(),
            partial: Some(partial),
            keep_partial: false,
        })
    }

    /// Opens `path` to append to it (`show -A`): a new file is created as
    /// [`Output::create`] creates it; an existing one must be the invoking
    /// user's regular file, opened without following a symlink and checked
    /// once open. Devices and the user's FIFOs are written as by `create`.
    pub fn append(path: &Path) -> anyhow::Result<Self> {
        let invoker = Invoker::get()?;
        let shown = path.display();
        let meta = match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Self::create(path, Kind::Text),
            Err(e) => return Err(e).with_context(|| format!("{shown}")),
            Ok(meta) => meta,
        };
        if !meta.file_type().is_file() {
            return Self::create(path, Kind::Text);
        }
        let file = OpenOptions::new()
            .append(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .with_context(|| format!("opening {shown} to append"))?;
        let meta = file.metadata()?;
        if !meta.file_type().is_file() {
            bail!("{shown} changed while it was being opened");
        }
        if meta.uid() != invoker.uid {
            bail!(
                "{shown} belongs to another user (uid {}): refusing to append to it",
                meta.uid()
            );
        }
        // A second name for one of the user's files (a hard link planted in a
        // shared directory) must not be written through.
        if meta.nlink() != 1 {
            bail!("{shown} has other hard links: refusing to append to it");
        }
        Ok(Output {
            file,
            path: path.to_owned(),
            partial: None,
            keep_partial: false,
        })
    }

    /// A device or FIFO that exists: opened without creating anything, and
    /// checked again once open (the name may have changed in between).
    fn in_place(path: &Path, fifo: bool) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .write(true)
            // A FIFO blocks until its reader comes, as a FIFO should.
            .custom_flags(libc::O_NOCTTY | if fifo { 0 } else { libc::O_NONBLOCK })
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let ty = file.metadata()?.file_type();
        if !(ty.is_char_device() || (fifo && ty.is_fifo())) {
            bail!("{} changed while it was being opened", path.display());
        }
        if !fifo {
            set_blocking(&file)?;
        }
        Ok(Output {
            file,
            path: path.to_owned(),
            partial: None,
            keep_partial: false,
        })
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// Where the data goes until it is complete (shown in messages).
    pub fn writing_to(&self) -> &Path {
        self.partial.as_deref().unwrap_or(&self.path)
    }

    /// The file handle, for a writer that owns it (the trace writer); the
    /// name stays here, for `commit`.
    pub fn take_file(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// From now on the partial file stays if not finished: a recording has
    /// begun, and what reached it is readable.
    pub fn keep(&mut self) {
        self.keep_partial = true;
    }

    /// Gives the finished file its name.
    pub fn commit(mut self) -> anyhow::Result<()> {
        if let Some(partial) = &self.partial {
            std::fs::rename(partial, &self.path).with_context(|| {
                format!("renaming {} to {}", partial.display(), self.path.display())
            })?;
            crate::cleanup::forget(partial);
            self.partial = None;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Not committed: a recording's partial file stays (it is readable up
        // to its last chunk); a half-written view or export goes.
        if let Some(partial) = &self.partial
            && !self.keep_partial
        {
            let _ = std::fs::remove_file(partial);
            crate::cleanup::forget(partial);
        }
    }
}

/// A directory of output files being written (`export --parquet
/// --partitioned`): made new as `NAME.partial`, mode 0700, and kept the
/// running user's (root's) while it is written, so that nobody, not even
/// the user who ran sudo, can swap a directory inside for a symlink; what is
/// inside is made through the descriptors of the directories it is in,
/// never by name. Once complete the whole is renamed onto NAME, which must
/// not exist, and given to the invoking user through those descriptors.
/// Removed if not finished.
pub struct OutputDir {
    path: PathBuf,
    partial: Option<PathBuf>,
    invoker: Invoker,
    /// The partial directory, open and locked: another systrace leaves it be.
    root: File,
    /// Every directory and file made inside, open, to be given away.
    made: Vec<File>,
}

impl OutputDir {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let invoker = Invoker::get()?;
        // `out/` is `out`, not a directory to make `.partial` in.
        let path: PathBuf = path.components().collect();
        let shown = path.display();
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("{shown}")),
            Ok(meta) => bail!(
                "{shown} exists ({}): give a new directory's name",
                describe(&meta)
            ),
        }
        let partial = partial_name(&path);
        let root = crate::cleanup::create_remembered(&partial, || {
            match make_root(&partial) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    remove_stale_dir(&partial)?;
                    make_root(&partial)
                }
                made => made,
            }
            .with_context(|| format!("creating {}", partial.display()))
        })?;
        Ok(Self {
            partial: Some(partial),
            path,
            invoker,
            root,
            made: Vec::new(),
        })
    }

    /// Creates the file `relative` (with the directories it is in) inside.
    pub fn create_file(&mut self, relative: &Path) -> anyhow::Result<File> {
        let shown = || self.path.join(relative).display().to_string();
        let mut dir = self.root.try_clone()?;
        for part in relative.parent().into_iter().flat_map(Path::components) {
            let name = part.as_os_str();
            let made = mkdir_at(&dir, name).with_context(|| format!("creating {}", shown()))?;
            dir = open_at(&dir, name, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
            if made {
                exact_dir_mode(&dir)?;
                self.made.push(dir.try_clone()?);
            }
        }
        let name = relative.file_name().unwrap_or_default();
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
        let file =
            open_at(&dir, name, flags, 0o600).with_context(|| format!("creating {}", shown()))?;
        self.made.push(file.try_clone()?);
        Ok(file)
    }

    /// Gives the finished directory its name (never over one that appeared
    /// meanwhile), then to the invoking user.
    pub fn commit(mut self) -> anyhow::Result<()> {
        if let Some(partial) = &self.partial {
            rename_new(partial, &self.path).with_context(|| {
                format!("renaming {} to {}", partial.display(), self.path.display())
            })?;
            crate::cleanup::forget(partial);
            self.partial = None;
        }
        let Invoker { uid, gid, .. } = self.invoker;
        for file in self.made.iter().chain([&self.root]) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid))
                .with_context(|| format!("giving {} to its user", self.path.display()))?;
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if let Some(partial) = &self.partial {
            let _ = std::fs::remove_dir_all(partial);
            crate::cleanup::forget(partial);
        }
    }
}

/// The partial directory, new, mode 0700 whatever the umask; returned open
/// and locked.
fn make_root(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().mode(0o700).create(path)?;
    let dir = open_dir(path)?;
    // SAFETY: geteuid has no preconditions.
    if dir.metadata()?.uid() != unsafe { libc::geteuid() } {
        return Err(io::Error::other("replaced while it was being made"));
    }
    exact_dir_mode(&dir)?;
    lock(&dir)?;
    Ok(dir)
}

/// A directory made here is 0700, whatever the umask took away.
fn exact_dir_mode(dir: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    dir.set_permissions(std::fs::Permissions::from_mode(0o700))
}

fn open_dir(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
}

/// mkdirat(2) of `name` in `dir`, mode 0700: whether it was made (false:
/// it was there).
fn mkdir_at(dir: &File, name: &std::ffi::OsStr) -> io::Result<bool> {
    use std::os::fd::AsRawFd as _;
    let name = c_name(name)?;
    // SAFETY: a NUL-terminated name and a descriptor we own.
    if unsafe { libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), 0o700) } == 0 {
        return Ok(true);
    }
    match io::Error::last_os_error() {
        e if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        e => Err(e),
    }
}

/// openat(2) of `name` in `dir`, never through a symlink; `mode` made
/// exact (the umask only takes bits away).
fn open_at(dir: &File, name: &std::ffi::OsStr, flags: i32, mode: u32) -> io::Result<File> {
    use std::os::fd::{AsRawFd as _, FromRawFd as _};
    let name = c_name(name)?;
    let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: a NUL-terminated name and a descriptor we own.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags, mode) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor openat just gave us.
    let file = unsafe { File::from_raw_fd(fd) };
    if flags & libc::O_CREAT != 0 {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    Ok(file)
}

fn c_name(name: &std::ffi::OsStr) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt as _;
    std::ffi::CString::new(name.as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// Removes the partial directory an export left when it was killed, if it
/// is ours (root's: nobody else could have put anything in it) and no live
/// systrace holds its lock.
fn remove_stale_dir(path: &Path) -> anyhow::Result<()> {
    let shown = path.display();
    let Ok(old) = open_dir(path) else {
        let meta = std::fs::symlink_metadata(path)?;
        bail!(
            "{shown} exists and is {}: refusing to use it",
            describe(&meta)
        );
    };
    // SAFETY: geteuid has no preconditions.
    check_stale(path, &old, unsafe { libc::geteuid() })?;
    std::fs::remove_dir_all(path).with_context(|| format!("removing the stale {shown}"))
}

/// Whether the leftover partial file or directory `old`, open, may go: it
/// is `owner`'s, and no live systrace holds its lock.
fn check_stale(path: &Path, old: &File, owner: u32) -> anyhow::Result<()> {
    let shown = path.display();
    let uid = old.metadata()?.uid();
    if uid != owner {
        bail!("{shown} exists and belongs to another user (uid {uid}): refusing to use it");
    }
    if lock(old).is_err() {
        bail!("{shown} is being written by another systrace");
    }
    Ok(())
}

/// rename(2), failing if `to` exists (even as an empty directory, which a
/// plain rename would replace).
fn rename_new(from: &Path, to: &Path) -> io::Result<()> {
    let (from, to) = (c_name(from.as_os_str())?, c_name(to.as_os_str())?);
    // SAFETY: two NUL-terminated paths that outlive the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if done != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Creates `path` new: never through a symlink, never into an existing file.
/// A partial file of the invoking user's that no recorder holds any more (one
/// was killed) is replaced.
fn create_new(path: &Path, invoker: &Invoker) -> anyhow::Result<File> {
    let open = || {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
    };
    let file = match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            remove_stale(path, invoker)?;
            open()
        }
        other => other,
    }
    .with_context(|| format!("creating {}", path.display()))?;
    // The umask may have taken bits away, never added any: make it exact.
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("setting the mode of {}", path.display()))?;
    std::os::unix::fs::fchown(&file, Some(invoker.uid), Some(invoker.gid))
        .with_context(|| format!("giving {} to its user", path.display()))?;
    lock(&file).with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

/// Removes a leftover partial file, if it is the invoking user's regular file
/// and no live recorder holds its lock.
fn remove_stale(path: &Path, invoker: &Invoker) -> anyhow::Result<()> {
    let shown = path.display();
    let old = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("{shown} exists and cannot be opened"))?;
    let meta = old.metadata()?;
    if !meta.file_type().is_file() {
        bail!(
            "{shown} exists and is {}: refusing to use it",
            describe(&meta)
        );
    }
    check_stale(path, &old, invoker.uid)?;
    std::fs::remove_file(path).with_context(|| format!("removing the stale {shown}"))
}

/// An exclusive lock, held as long as the file is open: tells a second
/// systrace that this partial file is in use.
fn lock(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd as _;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether the systrace writing a trace file is done with it (finished or
/// gone): its exclusive lock (see `lock`) no longer stands against a
/// shared one taken through `file`, a descriptor of the reader's own.
pub fn writer_done(file: &File) -> bool {
    use std::os::fd::AsRawFd as _;
    // SAFETY: flock on a descriptor the caller owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) == 0 }
}

/// Clears O_NONBLOCK, set to open a device or FIFO without hanging.
pub fn set_blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd as _;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// "a FIFO", "a socket", ...: what a file that is no regular file is.
pub fn describe(meta: &std::fs::Metadata) -> &'static str {
    let ty = meta.file_type();
    if ty.is_dir() {
        "a directory"
    } else if ty.is_fifo() {
        "a FIFO"
    } else if ty.is_socket() {
        "a socket"
    } else if ty.is_char_device() {
        "a character device"
    } else if ty.is_block_device() {
        "a block device"
    } else if ty.is_symlink() {
        "a symbolic link"
    } else {
        "a regular file"
    }
}
