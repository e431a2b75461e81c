//! Builds `capture-ebpf` for the bpf target so that `src/main.rs` can embed it.
//!
//! The eBPF build needs nightly's `rust-src` and `bpf-linker`; on a fresh machine
//! neither is there, so this script installs them first (once; later builds only
//! check, which takes well under a second).

use std::process::Command;

use anyhow::{Context as _, anyhow, bail};
use aya_build::{Package, Toolchain};

/// bpf-linker's newest release needs LLVM 23; this one loads nightly's LLVM 22.
const BPF_LINKER_VERSION: &str = "0.10.4";

fn main() -> anyhow::Result<()> {
    ensure_rust_src()?;
    ensure_bpf_linker()?;
    // aya-build forwards the nested cargo's output as warnings, which cargo then
    // replays on every later build: keep that cargo quiet (errors still show).
    // SAFETY: build scripts are single-threaded here; nothing reads env concurrently.
    unsafe { std::env::set_var("CARGO_TERM_QUIET", "true") };

    let metadata = cargo_metadata::MetadataCommand::new()
        .no_deps()
        .exec()
        .context("cargo metadata")?;
    let ebpf = metadata
        .packages
        .into_iter()
        .find(|p| p.name.as_str() == "capture-ebpf")
        .ok_or_else(|| anyhow!("capture-ebpf is not in the workspace"))?;
    let root_dir = ebpf
        .manifest_path
        .parent()
        .ok_or_else(|| anyhow!("capture-ebpf has no directory"))?;
    aya_build::build_ebpf(
        [Package {
            name: ebpf.name.as_str(),
            root_dir: root_dir.as_str(),
            ..Default::default()
        }],
        Toolchain::default(),
    )
}

fn ensure_rust_src() -> anyhow::Result<()> {
    let installed = run_output(
        "rustup",
        &["component", "list", "--installed", "--toolchain", "nightly"],
    )?;
    if installed.lines().any(|l| l.starts_with("rust-src")) {
        return Ok(());
    }
    // On stderr, not as a cargo warning: cargo would replay a warning on every build.
    eprintln!("installing nightly's rust-src (needed to build the eBPF programs)");
    run(
        "rustup",
        &["component", "add", "rust-src", "--toolchain", "nightly"],
    )
}

fn ensure_bpf_linker() -> anyhow::Result<()> {
    let version = Command::new("bpf-linker").arg("--version").output();
    if let Ok(out) = version
        && String::from_utf8_lossy(&out.stdout).contains(BPF_LINKER_VERSION)
    {
        return Ok(());
    }
    eprintln!("installing bpf-linker {BPF_LINKER_VERSION} (about two minutes, once)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let spec = format!("bpf-linker@{BPF_LINKER_VERSION}");
    let mut cmd = Command::new(cargo);
    cmd.args(["install", &spec, "--locked"]);
    // The build script's environment describes *this* build; the install is its own.
    for key in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(key);
    }
    let status = cmd.status().context("running cargo install bpf-linker")?;
    if !status.success() {
        bail!("`cargo install {spec} --locked` failed: {status}");
    }
    Ok(())
}

fn run_output(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program} {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    run_output(program, args).map(drop)
}
