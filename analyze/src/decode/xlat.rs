//! Each architecture's flag tables, constants and struct offsets, generated
//! by `analyze/build.rs` from the data files in `analyze/xlat/`. A trace's
//! header names its architecture, which picks one ([`Xlat::of`]).

use super::flags::Table;

include!(concat!(env!("OUT_DIR"), "/xlat.rs"));

impl Xlat {
    /// The tables of `arch` (as a trace header names it); x86_64's for an
    /// architecture without tables.
    pub fn of(arch: &str) -> &'static Xlat {
        ALL.iter()
            .copied()
            .find(|x| x.arch == arch)
            .unwrap_or(&X86_64)
    }
}
