//! A trace recorded on another architecture decodes with that architecture's
//! numbers, flags and struct layouts (chosen by the trace header), whatever
//! machine reads it.

use analyze::{ShowOptions, print_strace};
use format::{Body, Capture, CaptureStatus, Event, FileHeader, Trace, Writer, WriterOptions};

const AT_FDCWD: u64 = -100i64 as u64;

/// One call of task 10: its enter (with `enter` captured) and exit.
fn call(
    w: &mut Writer,
    ts: &mut u64,
    nr: i64,
    args: [u64; 6],
    enter: Vec<Capture>,
    exit: (i64, Vec<Capture>),
) {
    let mut push = |body| {
        *ts += 1000;
        w.push(&Event {
            tid: 10,
            pid: 10,
            cpu: 0,
            ts: *ts,
            body,
        })
        .unwrap();
    };
    push(Body::SysEnter {
        nr,
        args,
        captures: enter,
    });
    push(Body::SysExit {
        nr,
        ret: exit.0,
        captures: exit.1,
    });
}

fn capture(arg: u8, data: &[u8]) -> Capture {
    Capture {
        arg,
        status: CaptureStatus::Complete,
        data: data.to_vec(),
    }
}

/// What `show` prints for a trace of an aarch64 program: `openat` is 56
/// there, O_DIRECTORY is 0o40000 (x86_64's O_DIRECT), `struct stat` has
/// asm-generic's layout and PROT_BTI exists.
#[test]
fn an_aarch64_trace_decodes_with_aarch64_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arm.bin");
    let header = FileHeader {
        arch: "aarch64".into(),
        ..FileHeader::default()
    };
    let mut w = Writer::create(&path, &header, WriterOptions::default()).unwrap();
    let ts = &mut 0;
    const O_DIRECTORY_CLOEXEC: u64 = 0o2_040_000;
    call(
        &mut w,
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
        &mut w,
        ts,
        79,
        [3, 0x2000, 0x3000, AT_EMPTY_PATH, 0, 0],
        vec![capture(1, b"\0")],
        (0, vec![capture(2, &stat)]),
    );
    const PROT_READ_EXEC_BTI: u64 = 0x15;
    const MAP_PRIVATE: u64 = 2;
    call(
        &mut w,
        ts,
        222,
        [0, 4096, PROT_READ_EXEC_BTI, MAP_PRIVATE, 3, 0],
        vec![],
        (0xffff_8000_0000, vec![]),
    );
    w.finish().unwrap();

    let trace = Trace::open(&path).unwrap();
    let mut out = Vec::new();
    print_strace(&trace, &ShowOptions::default(), &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "openat(AT_FDCWD, \"/etc\", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3\n\
         newfstatat(3, \"\", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0\n\
         mmap(NULL, 4096, PROT_READ|PROT_EXEC|PROT_BTI, MAP_PRIVATE, 3, 0) = 0xffff80000000\n"
    );
}
