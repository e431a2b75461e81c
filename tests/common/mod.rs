//! Helpers shared by the integration tests: the real binary, samples built with
//! gcc, and the rule for when recording tests may skip.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
};

/// The `systrace` binary under test.
pub fn systrace() -> Command {
    Command::new(env!("CARGO_BIN_EXE_systrace"))
}

/// Whether recording tests can run here. They need root for eBPF; without it they
/// skip, saying so, except in CI, where skipping would hide a broken recorder.
pub fn can_record() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("recording tests need root, and CI=true forbids skipping them");
    }
    eprintln!("skipping: recording needs root (eBPF); run the tests with sudo");
    false
}

/// Builds `samples/NAME.c` once per test run and returns the executable.
pub fn sample(name: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("samples");
    std::fs::create_dir_all(&out_dir).expect("samples dir");
    let source = root.join("samples").join(format!("{name}.c"));
    let exe = out_dir.join(name);
    let fresh = |exe: &Path| -> Option<bool> {
        Some(exe.metadata().ok()?.modified().ok()? >= source.metadata().ok()?.modified().ok()?)
    };
    if fresh(&exe) != Some(true) {
        let status = Command::new("gcc")
            .args(["-O1", "-pthread", "-o"])
            .arg(&exe)
            .arg(&source)
            .status()
            .expect("running gcc");
        assert!(status.success(), "gcc failed on {}", source.display());
    }
    exe
}
