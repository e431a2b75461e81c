//! DuckDB for the tests and benches that ask an engine of others: its
//! Python package, installed when missing into a virtual environment under
//! target/ (the system's Python is left alone), as capture/build.rs installs
//! bpf-linker.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// A Python with the `duckdb` package, in target/'s own virtual
/// environment (the system's Python is left alone).
pub fn python() -> PathBuf {
    // Tests run side by side: one installs, the others wait for it.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("duckdb-venv");
    let python = venv.join("bin/python");
    let has_duckdb = |python: &Path| {
        Command::new(python)
            .args(["-c", "import duckdb"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_duckdb(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(made.unwrap().success(), "making {}", venv.display());
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "duckdb"])
            .status();
        assert!(pip.unwrap().success(), "installing duckdb");
    }
    python
}
