//! `systrace`: record a program's system calls with eBPF, replay them offline.
//!
//! Data flow: [`cli`] turns the command line into plain configs; [`record`] forks
//! the program held on a pipe ([`spawn`]), notes what it (or each process
//! attached) already has open ([`files`]), has [`loader`] load the eBPF programs
//! built from `capture-ebpf` (embedded at build time by `build.rs`) with the
//! capture rules of `analyze`'s syscall table, lets the program run, has
//! [`reader`] copy ring-buffer records out on a thread of its own, and turns
//! them into events ([`wire`]), put back in time order ([`reorder`]), for a
//! `format::Writer`; with `--stack`, [`stacks`] follows each process's
//! mappings and adds the stacks (unwinding `--stack=dwarf`'s copies) before
//! the calls that have them. `show` hands a
//! `format::Trace` to the printers of `analyze`. Errors travel up as `anyhow`
//! errors to [`main`], the one place that prints them and picks the exit code.

mod cgroups;
mod cleanup;
mod cli;
mod files;
mod kernel_btf;
mod loader;
mod machine;
mod output;
mod reader;
mod record;
mod reorder;
mod ring;
mod spawn;
mod stacks;
mod wire;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.run(&matches) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("systrace: {err:#}");
            // Like strace: 2 when the environment can't trace at all; like
            // clap: 2 for bad input on the command line.
            if err.is::<record::Unsupported>() || err.is::<cli::Usage>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
