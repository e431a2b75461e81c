//! A trace recorded on another architecture decodes with that architecture's
//! numbers, flags and struct layouts (chosen by the trace header), whatever
//! machine reads it.

mod common;

use common::{call, capture, show, trace};

const AT_FDCWD: u64 = -100i64 as u64;

/// What `show` prints for a trace of an aarch64 program: `openat` is 56
/// there, O_DIRECTORY is 0o40000 (x86_64's O_DIRECT), `struct stat` has
/// asm-generic's layout and PROT_BTI exists.
#[test]
fn an_aarch64_trace_decodes_with_aarch64_tables() {
    let (_dir, trace) = trace("aarch64", |w, ts| {
        const O_DIRECTORY_CLOEXEC: u64 = 0o2_040_000;
        call(
            w,
            ts,
            56,
            [AT_FDCWD, 0x1000, O_DIRECTORY_CLOEXEC, 0, 0, 0],
            vec![capture(1, b"/etc\0")],
            (3, vec![]),
        );
        let mut stat = vec![0u8; 128];
        stat[16..20].copy_from_slice(&0o40755u32.to_ne_bytes());
        stat[48..56].copy_from_slice(&4096u64.to_ne_bytes());
        const AT_EMPTY_PATH: u64 = 0x1000;
        call(
            w,
            ts,
            79,
            [3, 0x2000, 0x3000, AT_EMPTY_PATH, 0, 0],
            vec![capture(1, b"\0")],
            (0, vec![capture(2, &stat)]),
        );
        const PROT_READ_EXEC_BTI: u64 = 0x15;
        const MAP_PRIVATE: u64 = 2;
        call(
            w,
            ts,
            222,
            [0, 4096, PROT_READ_EXEC_BTI, MAP_PRIVATE, 3, 0],
            vec![],
            (0xffff_8000_0000, vec![]),
        );
    });
    assert_eq!(
        show(&trace),
        "openat(AT_FDCWD, \"/etc\", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3\n\
         newfstatat(3, \"\", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0\n\
         mmap(NULL, 4096, PROT_READ|PROT_EXEC|PROT_BTI, MAP_PRIVATE, 3, 0) = 0xffff80000000\n"
    );
}
