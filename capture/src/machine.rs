//! Facts about this machine for the trace header.

use format::{ClockAnchor, FileHeader, Selection};

/// The header of a new recording, which keeps what `selection` says.
pub fn header(snaplen: u32, selection: Selection) -> FileHeader {
    FileHeader {
        arch: std::env::consts::ARCH.into(),
        kernel_release: proc_value("/proc/sys/kernel/osrelease"),
        hostname: proc_value("/proc/sys/kernel/hostname"),
        command: std::env::args().collect(),
        snaplen,
        clock: clock_anchor(),
        recorder: concat!("systrace ", env!("CARGO_PKG_VERSION")).into(),
        selection,
        id: [0; 16],
    }
    .with_new_id()
}

fn proc_value(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Now, on the clock events carry.
pub fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC) as u64
}

fn clock_ns(clock: libc::clockid_t) -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; both clocks always exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}

/// Reads both clocks back to back: events carry CLOCK_MONOTONIC (bpf_ktime_get_ns).
fn clock_anchor() -> ClockAnchor {
    let monotonic_ns = monotonic_ns();
    let unix_ns = clock_ns(libc::CLOCK_REALTIME);
    ClockAnchor {
        monotonic_ns,
        unix_ns,
    }
}
