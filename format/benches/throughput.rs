//! `cargo bench -p format`: write and read throughput and bytes per syscall on disk,
//! for a `dd bs=1`-like stream and a mixed one. Prints figures; asserts nothing.
//!
//! Targets (issue 2): dd-like <= 4 bytes per syscall, read >= 30M events/s on two
//! threads, write >= 5M events/s on the producer's core.

use std::{path::Path, time::Instant};

use format::{
    Body, Capture, CaptureStatus, Event, FileHeader, Filter, Trace, Writer, WriterOptions,
};

/// xorshift64*: deterministic, dependency-free noise for timestamps.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Roughly normal around `mean` with spread `sd` (sum of four uniforms).
    fn around(&mut self, mean: u64, sd: u64) -> u64 {
        let sum: u64 = (0..4).map(|_| self.next() % (sd * 3 + 1)).sum();
        (mean + sum / 2).saturating_sub(sd * 3)
    }

    /// Now and then the scheduler or a page fault makes a call much slower.
    fn step(&mut self, mean: u64, sd: u64) -> u64 {
        let base = self.around(mean, sd);
        if self.next().is_multiple_of(100) {
            base + self.next() % 50_000
        } else {
            base
        }
    }
}

fn captured(arg: u8, data: &[u8], snaplen: usize) -> Capture {
    let status = if data.len() > snaplen {
        CaptureStatus::Partial
    } else {
        CaptureStatus::Complete
    };
    Capture {
        arg,
        status,
        data: data[..data.len().min(snaplen)].to_vec(),
    }
}

/// `dd if=/dev/zero of=/dev/null bs=1`: read(0, buf, 1) = 1; write(1, buf, 1) = 1.
fn dd_stream(syscalls: usize) -> Vec<Event> {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let mut ts = 1_000_000_000;
    let mut events = Vec::with_capacity(syscalls * 2);
    let buf = 0x55d0_c3a2_1000u64;
    for i in 0..syscalls {
        let (nr, fd) = if i % 2 == 0 { (0, 0) } else { (1, 1) };
        let args = [fd, buf, 1, 0x7ffd_8a2c_11f0, 0, 0x7f3a_1c02_4e80];
        let data = captured(1, &[0], 200);
        let event = |ts, body| Event {
            tid: 4242,
            pid: 4242,
            cpu: 3,
            ts,
            body,
        };
        ts += noise.step(180, 20);
        let in_buf = if nr == 1 { vec![data.clone()] } else { vec![] };
        events.push(event(
            ts,
            Body::SysEnter {
                nr,
                args,
                captures: in_buf,
            },
        ));
        ts += noise.step(250, 25);
        let out_buf = if nr == 0 { vec![data] } else { vec![] };
        events.push(event(
            ts,
            Body::SysExit {
                nr,
                ret: 1,
                captures: out_buf,
            },
        ));
    }
    events
}

/// Four threads of a build-like program: openat/newfstatat/read/mmap/close with
/// real-looking paths, stat structs and file data.
fn mixed_stream(syscalls: usize) -> Vec<Event> {
    let mut noise = Noise(0x1234_5678_9abc_def1);
    let mut ts = 1_000_000_000;
    let mut events = Vec::with_capacity(syscalls * 2);
    let dirs = [
        "/usr/include/linux/",
        "/usr/include/x86_64-linux-gnu/bits/",
        "/usr/lib/python3/",
    ];
    let text: Vec<u8> = b"#ifndef _LINUX_TYPES_H\n#define _LINUX_TYPES_H\n#include <asm/types.h>\n"
        .iter()
        .cycle()
        .take(4096)
        .copied()
        .collect();
    for i in 0..syscalls {
        let tid = 7000 + (noise.next() % 4) as u32;
        let file = noise.next() % 5000;
        let path = format!("{}file_{file}.h\0", dirs[(file % 3) as usize]);
        let fd = 3 + noise.next() % 8;
        let (nr, args, enter_caps, ret, exit_caps): (
            i64,
            [u64; 6],
            Vec<Capture>,
            i64,
            Vec<Capture>,
        ) = match i % 5 {
            0 => (
                257,
                [(-100i64) as u64, 0x7ffc_0000 + file, 0o2_000_000, 0, 0, 0],
                vec![captured(1, path.as_bytes(), 200)],
                fd as i64,
                vec![],
            ),
            1 => {
                let mut stat = [0u8; 144];
                stat[48..56].copy_from_slice(&(file * 37).to_le_bytes());
                stat[24..28].copy_from_slice(&0o100644u32.to_le_bytes());
                (
                    262,
                    [fd, 0x5634_0000, 0x7ffc_1000, 0x1000, 0, 0],
                    vec![],
                    0,
                    vec![captured(2, &stat, 200)],
                )
            }
            2 => {
                let len = (noise.next() % 4096) as usize;
                (
                    0,
                    [fd, 0x5634_2000, 4096, 0, 0, 0],
                    vec![],
                    len as i64,
                    vec![captured(1, &text[..len], 200)],
                )
            }
            3 => (
                9,
                [0, 0x2000 * (1 + file % 16), 1, 2, fd, 0],
                vec![],
                0x7f00_0000_0000 + (file << 12) as i64,
                vec![],
            ),
            _ => (
                3,
                [fd, 0, 0, 0, 0, 0],
                vec![],
                if file.is_multiple_of(50) { -9 } else { 0 },
                vec![],
            ),
        };
        let event = |ts, body| Event {
            tid,
            pid: 7000,
            cpu: tid % 2,
            ts,
            body,
        };
        ts += noise.step(800, 200);
        events.push(event(
            ts,
            Body::SysEnter {
                nr,
                args,
                captures: enter_caps,
            },
        ));
        ts += noise.step(1500, 400);
        events.push(event(
            ts,
            Body::SysExit {
                nr,
                ret,
                captures: exit_caps,
            },
        ));
    }
    events
}

fn header() -> FileHeader {
    FileHeader {
        arch: std::env::consts::ARCH.into(),
        snaplen: 200,
        recorder: "bench".into(),
        ..FileHeader::default()
    }
}

fn run(name: &str, events: &[Event], path: &Path) {
    let start = Instant::now();
    let mut writer = Writer::create(path, &header(), WriterOptions::default()).expect("create");
    for event in events {
        writer.push(event).expect("push");
    }
    let pushed = start.elapsed();
    let summary = writer.finish().expect("finish");
    let written = start.elapsed();

    let trace = Trace::open(path).expect("open");
    let start = Instant::now();
    let counts = trace
        .map_chunks(&Filter::default(), 2, |chunk| {
            chunk.events().fold(0u64, |n, e| n + 1 + (e.ts & 1))
        })
        .expect("read");
    let read = start.elapsed();
    let read_events: u64 = counts.iter().sum::<u64>();
    if std::env::var_os("BENCH_DETAIL").is_some() {
        let start = Instant::now();
        trace
            .map_chunks(&Filter::default(), 2, |chunk| chunk.len())
            .expect("decode");
        eprintln!(
            "decode only: {:.1} M events/s",
            summary.events as f64 / start.elapsed().as_secs_f64() / 1e6
        );
    }
    assert!(read_events >= summary.events);

    let n = events.len() as f64;
    println!(
        "{name:>8}: {:>9} events | write {:>5.1} M events/s (producer {:>5.1} M/s) | read {:>5.1} M events/s (2 threads) | {:>5.2} bytes/syscall | {} chunks, {} bytes",
        events.len(),
        n / written.as_secs_f64() / 1e6,
        n / pushed.as_secs_f64() / 1e6,
        summary.events as f64 / read.as_secs_f64() / 1e6,
        summary.bytes as f64 / summary.syscalls as f64,
        summary.chunks,
        summary.bytes,
    );
}

fn main() {
    // `cargo test --benches` runs this with --test-ish flags; a short run is enough then.
    let quick = std::env::args().any(|a| a == "--quick" || a == "--test");
    let syscalls = if quick { 100_000 } else { 5_000_000 };
    let dir = std::env::temp_dir().join(format!("systrace-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    run("dd-like", &dd_stream(syscalls), &dir.join("dd.bin"));
    run("mixed", &mixed_stream(syscalls / 5), &dir.join("mixed.bin"));
    let _ = std::fs::remove_dir_all(&dir);
}
