//! Round-trip, recovery and corruption tests of the trace format.

use std::ops::ControlFlow;

use format::{
    Body, Capture, CaptureStatus, Error, Event, FileHeader, Filter, Trace, Writer, WriterOptions,
};
use proptest::prelude::*;

fn header() -> FileHeader {
    FileHeader {
        arch: "x86_64".into(),
        kernel_release: "6.18.0-test".into(),
        hostname: "box".into(),
        command: vec!["systrace".into(), "record".into(), "--".into(), "ls".into()],
        snaplen: 200,
        clock: format::ClockAnchor {
            monotonic_ns: 1_000,
            unix_ns: 1_700_000_000_000_000_000,
        },
        recorder: "test".into(),
        selection: format::Selection {
            calls: Some("trace=openat,%net".into()),
            comms: vec!["nginx".into()],
            cgroups: vec!["/sys/fs/cgroup/unified/web".into()],
            stacks: true,
        },
        id: *b"0123456789abcdef",
    }
}

/// Small chunks, so that even short streams span several.
fn small_chunks() -> WriterOptions {
    WriterOptions {
        chunk_events: 37,
        ..WriterOptions::default()
    }
}

fn write(events: &[Event], options: WriterOptions) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    let mut writer = Writer::create(&path, &header(), options).unwrap();
    for e in events {
        writer.push(e).unwrap();
    }
    let summary = writer.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    assert_eq!(summary.events, events.len() as u64);
    bytes
}

fn read_all(trace: &Trace) -> Vec<Event> {
    let mut out = Vec::new();
    trace
        .for_each(&Filter::default(), 2, |e| {
            out.push(e.to_owned());
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

fn capture() -> impl Strategy<Value = Capture> + Clone {
    let data = prop_oneof![
        Just(vec![]),
        prop::collection::vec(any::<u8>(), 200),
        prop::collection::vec(any::<u8>(), 0..200),
    ];
    (0u8..6, 0u8..3, data).prop_map(|(arg, status, data)| {
        let status = CaptureStatus::try_from(status).unwrap();
        let data = if status == CaptureStatus::Fault {
            vec![]
        } else {
            data
        };
        Capture { arg, status, data }
    })
}

fn body() -> impl Strategy<Value = Body> {
    let captures = prop::collection::vec(capture(), 0..3);
    let bytes = prop::collection::vec(any::<u8>(), 0..40);
    prop_oneof![
        4 => (any::<i64>(), any::<[u64; 6]>(), captures.clone())
            .prop_map(|(nr, args, captures)| Body::SysEnter { nr, args, captures }),
        4 => (any::<i64>(), any::<i64>(), captures)
            .prop_map(|(nr, ret, captures)| Body::SysExit { nr, ret, captures }),
        1 => (any::<u32>(), any::<u32>())
            .prop_map(|(child_tid, child_pid)| Body::Fork { child_tid, child_pid }),
        1 => (
            bytes.clone(),
            bytes.clone(),
            prop::collection::vec(bytes.clone(), 0..4),
            prop::option::of((prop::collection::vec(bytes.clone(), 0..4), any::<bool>())),
        )
            .prop_map(|(filename, comm, argv, envp)| Body::Exec {
                filename,
                comm,
                argv,
                envp: envp.map(|(vars, cut)| format::Environment { vars, cut }),
            }),
        1 => any::<i32>().prop_map(|status| Body::TaskExit { status }),
        1 => (any::<i32>(), any::<i32>(), any::<i32>(), bytes.clone())
            .prop_map(|(signo, code, errno, info)| Body::Signal { signo, code, errno, info }),
        1 => any::<u64>().prop_map(|count| Body::Lost { count }),
        1 => (
            bytes.clone(),
            prop::collection::vec((any::<i32>(), any::<u64>(), bytes), 0..4),
        )
            .prop_map(|(cwd, fds)| Body::Files {
                cwd,
                fds: fds
                    .into_iter()
                    .map(|(fd, device, name)| format::OpenFile { fd, device, name })
                    .collect(),
            }),
    ]
}

/// Streams with many threads and non-monotonic timestamps (CPUs race).
fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = (
        1u32..50,
        any::<u32>(),
        0u32..64,
        -5_000i64..1_000_000,
        body(),
    );
    prop::collection::vec(event, 0..300).prop_map(|raw| {
        let mut ts = 1_000_000_000u64;
        raw.into_iter()
            .map(|(tid, pid_salt, cpu, step, body)| {
                ts = ts.saturating_add_signed(step);
                Event {
                    tid,
                    pid: tid + pid_salt % 2,
                    cpu,
                    ts,
                    body,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_streams_round_trip_exactly(events in events()) {
        let bytes = write(&events, small_chunks());
        let trace = Trace::from_slice(&bytes).unwrap();
        prop_assert!(trace.recovery().is_none());
        prop_assert_eq!(read_all(&trace), events.clone());
        prop_assert_eq!(trace.index().totals.events.to_native(), events.len() as u64);
        prop_assert_eq!(trace.header().snaplen.to_native(), 200);
        let selection = &trace.header().selection;
        prop_assert_eq!(selection.calls.as_deref(), Some("trace=openat,%net"));
        prop_assert_eq!(selection.cgroups[0].as_str(), "/sys/fs/cgroup/unified/web");
    }

    #[test]
    fn a_file_cut_anywhere_keeps_its_complete_chunks(events in events(), cut in any::<prop::sample::Index>()) {
        let bytes = write(&events, small_chunks());
        let full = Trace::from_slice(&bytes).unwrap();
        let at = cut.index(bytes.len());
        check_cut(&bytes, &full, at);
    }
}

/// Cuts `bytes` at `at` and checks the reader keeps exactly the chunks that end
/// before the cut.
fn check_cut(bytes: &[u8], full: &Trace, at: usize) {
    let kept_chunks: Vec<_> = full
        .index()
        .chunks
        .iter()
        .take_while(|c| chunk_end(c) <= at as u64)
        .collect();
    match Trace::from_slice(&bytes[..at]) {
        Ok(cut) => {
            let recovery = cut.recovery().expect("a cut file is recovered");
            assert_eq!(recovery.chunks, kept_chunks.len(), "cut at {at}");
            let expected: u32 = kept_chunks.iter().map(|c| c.events.to_native()).sum();
            assert_eq!(read_all(&cut).len(), expected as usize, "cut at {at}");
            assert_eq!(cut.index().totals.events.to_native(), u64::from(expected));
        }
        // Only a cut inside the preamble or header loses everything.
        Err(Error::Empty | Error::NotATrace | Error::Corrupt { offset: 0 | 32, .. }) => {
            assert!(kept_chunks.is_empty())
        }
        Err(e) => panic!("cut at {at}: {e}"),
    }
}

fn chunk_end(c: &format::ArchivedChunkEntry) -> u64 {
    c.offset.to_native() + 48 + 4 * c.tids.len() as u64 + u64::from(c.compressed_len.to_native())
}

fn sample_stream(n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| Event {
            tid: 100 + (i % 3) as u32,
            pid: 100,
            cpu: (i % 2) as u32,
            ts: 5_000 + i as u64 * 700,
            body: if i % 2 == 0 {
                Body::SysEnter {
                    nr: 1,
                    args: [1, 0x7ffd_0000, 5, 0, 0, 0],
                    captures: vec![Capture {
                        arg: 1,
                        status: CaptureStatus::Complete,
                        data: b"hello".to_vec(),
                    }],
                }
            } else {
                Body::SysExit {
                    nr: 1,
                    ret: 5,
                    captures: vec![],
                }
            },
        })
        .collect()
}

#[test]
fn a_file_cut_at_every_chunk_boundary_keeps_the_chunks_before_it() {
    let bytes = write(&sample_stream(1000), small_chunks());
    let full = Trace::from_slice(&bytes).unwrap();
    assert!(full.index().chunks.len() > 20);
    for c in full.index().chunks.iter() {
        let start = c.offset.to_native() as usize;
        let end = chunk_end(c) as usize;
        for at in [start, start + 1, end - 1, end] {
            check_cut(&bytes, &full, at);
        }
    }
}

#[test]
fn every_flipped_byte_is_an_error_or_a_recovery_never_a_panic() {
    let bytes = write(&sample_stream(300), small_chunks());
    for at in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x5a;
        match Trace::from_slice(&bad) {
            Err(e) => assert!(e.to_string().contains("offset"), "{e}"),
            Ok(trace) => {
                // A readable index: every chunk either decodes or names its offset.
                for i in 0..trace.index().chunks.len() {
                    if let Err(e) = trace.chunk(i) {
                        assert!(matches!(e, Error::Corrupt { .. }), "{e}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_newer_major_version_is_refused_clearly() {
    let mut bytes = write(&sample_stream(10), WriterOptions::default());
    let newer = format::VERSION_MAJOR + 1;
    bytes[8..10].copy_from_slice(&newer.to_le_bytes());
    let crc = crc32fast::hash(&bytes[..28]);
    bytes[28..32].copy_from_slice(&crc.to_le_bytes());
    let err = Trace::from_slice(&bytes).err().unwrap();
    assert!(
        matches!(err, Error::Version { major, .. } if major == newer),
        "{err}"
    );
    assert!(
        err.to_string().contains(&format!("version {newer}.0")),
        "{err}"
    );
}

/// Files of earlier versions are read: a recording of version 2 (the
/// golden tests' `hello`), its header in the layout before selections (read
/// as one that kept everything), its events whole.
#[test]
fn a_version_2_file_is_read() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/hello.bin");
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[8..10], [2, 0]);
    let trace = Trace::from_slice(&bytes).unwrap();
    let header = trace.header();
    assert_eq!(header.arch.as_str(), "x86_64");
    assert!(header.selection.is_everything());
    // An id derived from its header: the same at every reading.
    let again = Trace::from_slice(&bytes).unwrap();
    assert_eq!(header.id, again.header().id);
    assert_ne!(header.id, [0; 16]);
    assert_eq!(header.id_text().len(), 36);
    let events = read_all(&trace);
    assert_eq!(events.len() as u64, trace.index().totals.events.to_native());
    assert!(events.iter().any(|e| matches!(e.body, Body::Exec { .. })));
}

#[test]
fn every_flipped_byte_before_the_chunks_is_an_error() {
    let bytes = write(&sample_stream(10), WriterOptions::default());
    let first_chunk = Trace::from_slice(&bytes).unwrap().index().chunks[0]
        .offset
        .to_native() as usize;
    let header_end = first_chunk - (first_chunk % 16);
    for at in 0..header_end {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        let Err(e) = Trace::from_slice(&bad) else {
            // Padding after the header is not covered, and need not be.
            continue;
        };
        let text = e.to_string();
        assert!(
            text.contains("checksum") || matches!(e, Error::NotATrace) || text.contains("offset"),
            "byte {at}: {text}"
        );
    }
}

#[test]
fn a_trailer_pointing_past_the_end_is_an_error_not_an_overflow() {
    let mut bytes = write(&sample_stream(10), WriterOptions::default());
    let trailer = bytes.len() - 32;
    bytes[trailer..trailer + 8].copy_from_slice(&0xffff_ffff_ffff_ffe0u64.to_le_bytes());
    let err = Trace::from_slice(&bytes).err().unwrap();
    assert!(
        err.to_string()
            .contains("index does not end at the trailer"),
        "{err}"
    );
    // The fuzz regressions keep the input that used to panic.
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/index-offset-overflow"
    );
    let _ = Trace::from_slice(&std::fs::read(corpus).unwrap());
}

#[test]
fn a_corrupt_chunk_is_skipped_and_reported_and_the_rest_read() {
    let events = sample_stream(1000);
    let bytes = write(&events, small_chunks());
    let good = Trace::from_slice(&bytes).unwrap();
    let chunks = &good.index().chunks;
    let victim = &chunks[3];
    let mut bad = bytes.clone();
    // A byte inside the chunk's compressed payload.
    bad[chunk_end(victim) as usize - 5] ^= 0x10;
    let trace = Trace::from_slice(&bad).unwrap();
    let read = read_all(&trace);
    assert_eq!(
        read.len(),
        events.len() - victim.events.to_native() as usize
    );
    let skipped = trace.skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].offset, victim.offset.to_native());
    assert_eq!(
        skipped[0].events,
        Some(u64::from(victim.events.to_native()))
    );
    assert!(
        skipped[0].to_string().contains("events from +"),
        "{}",
        skipped[0]
    );
    // map_chunks too (what stats uses).
    let counted: usize = trace
        .map_chunks(&Filter::default(), 2, |c| c.len())
        .unwrap()
        .iter()
        .sum();
    assert_eq!(counted, read.len());

    // Without an index (a cut file), the scan goes past the bad chunk.
    let cut = &bad[..bad.len() - 40];
    let trace = Trace::from_slice(cut).unwrap();
    assert!(!trace.skipped().is_empty());
    assert!(trace.index().chunks.len() >= chunks.len() - 2);
}

#[test]
fn concatenated_traces_read_as_the_first() {
    let first = write(&sample_stream(100), small_chunks());
    let second = write(&sample_stream(50), small_chunks());
    let glued = [first.clone(), second].concat();
    let trace = Trace::from_slice(&glued).unwrap();
    assert_eq!(trace.concatenated(), Some(first.len() as u64));
    assert_eq!(
        read_all(&trace),
        read_all(&Trace::from_slice(&first).unwrap())
    );
}

#[test]
fn filters_select_chunks_by_thread_and_time() {
    let events = sample_stream(2000);
    let bytes = write(&events, small_chunks());
    let trace = Trace::from_slice(&bytes).unwrap();
    let (since, until) = (events[500].ts, events[700].ts);
    let filter = Filter {
        tids: Some(vec![101]),
        since: Some(since),
        until: Some(until),
    };
    let selected = trace.select(&filter);
    assert!(
        selected.len() < trace.index().chunks.len() / 4,
        "{selected:?}"
    );
    let mut got = Vec::new();
    trace
        .for_each(&filter, 2, |e| {
            got.push(e.to_owned());
            ControlFlow::Continue(())
        })
        .unwrap();
    let expected: Vec<_> = events[500..=700]
        .iter()
        .filter(|e| e.tid == 101)
        .cloned()
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn index_describes_threads_processes_and_lost_events() {
    let at = |ts, tid, pid, body| Event {
        tid,
        pid,
        cpu: 0,
        ts,
        body,
    };
    let events = vec![
        at(
            10,
            7,
            7,
            Body::Fork {
                child_tid: 8,
                child_pid: 8,
            },
        ),
        at(
            11,
            7,
            7,
            Body::Fork {
                child_tid: 9,
                child_pid: 7,
            },
        ),
        at(
            12,
            8,
            8,
            Body::Exec {
                filename: b"/bin/ls".to_vec(),
                comm: b"ls".to_vec(),
                argv: vec![b"ls".to_vec(), b"-l".to_vec()],
                envp: Some(format::Environment {
                    vars: vec![b"HOME=/root".to_vec()],
                    cut: true,
                }),
            },
        ),
        at(13, 9, 7, Body::Lost { count: 3 }),
        at(
            13,
            7,
            7,
            Body::Files {
                cwd: b"/tmp".to_vec(),
                fds: vec![format::OpenFile {
                    fd: 1,
                    device: 0o020666 << 32 | 1 << 20 | 3,
                    name: b"/dev/null".to_vec(),
                }],
            },
        ),
        at(14, 8, 8, Body::TaskExit { status: 2 << 8 }),
        at(15, 9, 7, Body::TaskExit { status: 0 }),
        at(16, 7, 7, Body::TaskExit { status: 9 }),
    ];
    let trace = Trace::from_slice(&write(&events, WriterOptions::default())).unwrap();
    let index = trace.index();
    let ls = index.processes.iter().find(|p| p.pid == 8).unwrap();
    assert_eq!((ls.ppid.to_native(), ls.comm.as_slice()), (7, &b"ls"[..]));
    assert_eq!(ls.argv.len(), 2);
    assert_eq!(ls.exit_status.as_ref().map(|s| s.to_native()), Some(2 << 8));
    assert_eq!(index.threads.len(), 3);
    assert_eq!(index.totals.lost.to_native(), 3);
    assert_eq!(
        (
            index.lost[0].tid.to_native(),
            index.lost[0].count.to_native()
        ),
        (9, 3)
    );
}

#[test]
fn a_writer_flushes_a_quiet_block_once_its_first_event_is_as_old_as_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    let options = WriterOptions {
        flush_interval: std::time::Duration::from_millis(50),
        ..WriterOptions::default()
    };
    let mut writer = Writer::create(&path, &header(), options).unwrap();
    let events = sample_stream(10);
    for e in &events {
        writer.push(e).unwrap();
    }
    // Not yet: the first event is younger than the interval.
    let first = events[0].ts;
    writer.flush_if_due(first + 49_000_000).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let written =
        |bytes: &[u8]| Trace::from_slice(bytes).map_or(0, |t| t.index().totals.events.to_native());
    assert_eq!(written(&std::fs::read(&path).unwrap()), 0);
    writer.flush_if_due(first + 50_000_000).unwrap();
    // Wait for the background thread, then read the file as a crash would leave it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let bytes = std::fs::read(&path).unwrap();
        if written(&bytes) == 10 {
            assert!(Trace::from_slice(&bytes).unwrap().recovery().is_some());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "chunk never reached the file"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::mem::forget(writer);
}

/// A follower of a file being written reads each chunk once it is whole,
/// never a torn one, and the finished file to its end: grown byte by byte
/// in steps, it hands out exactly the events written, in order, once each.
#[test]
fn a_follower_reads_whole_chunks_as_the_file_grows() {
    use std::io::Write as _;
    let events = sample_stream(300);
    let bytes = write(&events, small_chunks());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.bin");
    let mut file = std::fs::File::create(&path).unwrap();
    let reader = || std::fs::File::open(&path).unwrap();
    let mut written = 0;
    let follow = loop {
        if let Some(follow) = format::Follow::start(reader()).unwrap() {
            break follow;
        }
        let step = 7.min(bytes.len() - written);
        file.write_all(&bytes[written..written + step]).unwrap();
        written += step;
    };
    let mut seen = Vec::new();
    let mut progress = format::Progress::Growing;
    while written < bytes.len() {
        let step = 997.min(bytes.len() - written);
        file.write_all(&bytes[written..written + step]).unwrap();
        written += step;
        progress = follow.poll(|e| seen.push(e.to_owned())).unwrap();
        // Only whole chunks: what was handed out is a prefix of the stream.
        assert_eq!(seen[..], events[..seen.len()]);
    }
    assert_eq!(progress, format::Progress::Finished);
    assert_eq!(seen, events);
    // Nothing more once finished.
    follow.poll(|e| seen.push(e.to_owned())).unwrap();
    assert_eq!(seen.len(), events.len());
}

/// A recording's id is written as drawn, and each new one is another.
#[test]
fn a_recording_keeps_its_id() {
    let bytes = write(&sample_stream(3), WriterOptions::default());
    let trace = Trace::from_slice(&bytes).unwrap();
    assert_eq!(&trace.header().id, b"0123456789abcdef");
    let (one, two) = (header().with_new_id(), header().with_new_id());
    assert_ne!(one.id, two.id);
}
