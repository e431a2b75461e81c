//! `record --cgroup`: naming a cgroup v2 directory as the kernel's helpers
//! name it (its id and its level), from a path in the mounted hierarchy or
//! a cgroup path as /proc/PID/cgroup gives it.

use std::{
    os::unix::fs::MetadataExt as _,
    path::{Path, PathBuf},
};

use crate::loader::Cgroup;

/// The cgroup `given` names: a directory of the cgroup v2 hierarchy (where
/// /proc/mounts has it), by its path there (`/sys/fs/cgroup/unified/web`)
/// or below its root (`/system.slice/nginx.service`, as /proc/PID/cgroup
/// writes it). Why not, in one line, otherwise.
pub fn resolve(given: &Path) -> Result<Cgroup, String> {
    let mount = cgroup2_mount().ok_or_else(|| {
        format!(
            "--cgroup {}: no cgroup v2 hierarchy is mounted (cgroup2 in /proc/mounts)",
            given.display()
        )
    })?;
    let below_root = given
        .strip_prefix("/")
        .ok()
        .map(|rest| mount.join(rest))
        .filter(|p| !given.starts_with(&mount) && p.is_dir());
    let path = below_root.unwrap_or_else(|| given.to_owned());
    let dir =
        std::fs::canonicalize(&path).map_err(|e| format!("--cgroup {}: {e}", given.display()))?;
    let Ok(relative) = dir.strip_prefix(&mount) else {
        return Err(format!(
            "--cgroup {}: not in the cgroup v2 hierarchy (mounted at {})",
            given.display(),
            mount.display()
        ));
    };
    let meta = std::fs::metadata(&dir).map_err(|e| format!("--cgroup {}: {e}", given.display()))?;
    if !meta.is_dir() || !dir.join("cgroup.procs").exists() {
        return Err(format!("--cgroup {}: not a cgroup", given.display()));
    }
    Ok(Cgroup {
        id: meta.ino(),
        level: relative.components().count() as u32,
    })
}

/// Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup/unified` on
/// a hybrid layout, `/sys/fs/cgroup` on a unified one).
fn cgroup2_mount() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (_, at, kind) = (fields.next()?, fields.next()?, fields.next()?);
        (kind == "cgroup2").then(|| PathBuf::from(at))
    })
}
