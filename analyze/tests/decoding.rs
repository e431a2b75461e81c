//! Decoding details that a sample cannot make happen on every run, on
//! traces built by hand, against the lines strace prints.

mod common;

use common::{call, capture, enter, exit, faulted, other_process_line, push, show, trace};
use format::{Body, Capture, CaptureStatus};

/// wait4 with WNOHANG that found no child ended (= 0) wrote no status:
/// strace prints the address, as measured with strace 6.1:
/// `wait4(13251, 0x7fffffffe628, WNOHANG, NULL) = 0`.
#[test]
fn a_wait_that_reaped_nothing_shows_no_status() {
    const WNOHANG: u64 = 1;
    let exited = 0u32.to_ne_bytes();
    let (_dir, trace) = trace("x86_64", |w, ts| {
        let args = [13251, 0x7fff_ffff_e628, WNOHANG, 0, 0, 0];
        call(w, ts, 61, args, vec![], (0, vec![capture(1, &exited)]));
        call(w, ts, 61, args, vec![], (13251, vec![capture(1, &exited)]));
    });
    assert_eq!(
        show(&trace),
        "wait4(13251, 0x7fffffffe628, WNOHANG, NULL) = 0\n\
         wait4(13251, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = 13251\n"
    );
}

/// An execve whose copies of its path and argv faulted (its strings on a
/// page the process never touched, which a probe cannot fault in) is
/// printed with what the exec record that follows holds, as strace prints
/// it, even when another process's line comes in between; a failed execve
/// that made no exec keeps its addresses. strace 6.1 on `samples/forker`:
/// `execve("/bin/sh", ["sh", "-c", "exit 7"], 0x7fffffffe1d8 /* 3 vars */ <unfinished ...>`.
#[test]
fn a_faulted_execve_shows_what_its_exec_record_holds() {
    const EXECVE: i64 = 59;
    let args = [
        0x5555_5555_6013,
        0x7fff_ffff_dff0,
        0x7fff_ffff_e1d8,
        0,
        0,
        0,
    ];
    let copies = || vec![faulted(0), faulted(1), capture(2, &3u32.to_ne_bytes())];
    let (_dir, trace) = trace("x86_64", |w, ts| {
        // A failed one first: it made no exec, and the next one's is not its.
        push(w, ts, 11, enter(EXECVE, args, copies()));
        push(w, ts, 11, exit(EXECVE, -2, vec![]));
        push(w, ts, 11, enter(EXECVE, args, copies()));
        other_process_line(w, ts);
        let argv = [&b"sh"[..], b"-c", b"exit 7"].map(<[u8]>::to_vec).to_vec();
        let exec = Body::Exec {
            filename: b"/bin/sh".to_vec(),
            comm: b"sh".to_vec(),
            argv,
            envp: None,
        };
        push(w, ts, 11, exec);
        // The exit's copies again read the new program's memory.
        let again = vec![capture(0, b"ELF"), capture(1, b"new")];
        push(w, ts, 11, exit(EXECVE, 0, again));
    });
    assert_eq!(
        show(&trace),
        "execve(0x555555556013, 0x7fffffffdff0, 0x7fffffffe1d8 /* 3 vars */) = -1 ENOENT (No such file or directory)\n\
         [pid    11] execve(\"/bin/sh\", [\"sh\", \"-c\", \"exit 7\"], 0x7fffffffe1d8 /* 3 vars */ <unfinished ...>\n\
         [pid    10] getpid()                    = 10\n\
         [pid    11] <... execve resumed>)       = 0\n"
    );
}

/// A buffer that faulted at enter is copied again at the exit; a line cut
/// short before that exit shows the copy too, as strace (which reads it at
/// the enter) does: `write(1, "ping", 4 <unfinished ...>`.
#[test]
fn a_line_cut_short_shows_what_the_exit_copied_again() {
    const WRITE: i64 = 1;
    let args = [1, 0x5555_5555_6004, 4, 0, 0, 0];
    let (_dir, trace) = trace("x86_64", |w, ts| {
        push(w, ts, 11, enter(WRITE, args, vec![faulted(1)]));
        other_process_line(w, ts);
        push(w, ts, 11, exit(WRITE, 4, vec![capture(1, b"ping")]));
    });
    assert_eq!(
        show(&trace),
        "[pid    11] write(1, \"ping\", 4 <unfinished ...>\n\
         [pid    10] getpid()                    = 10\n\
         [pid    11] <... write resumed>)        = 4\n"
    );
}

/// The kernel side copies execve's first 16 strings, then marks that more
/// follow; strace prints 32 (its string limit), as the exec record holds
/// them: `execve("/bin/true", ["/bin/true", "1", ..., "31", ...], ...)`.
#[test]
fn a_long_argv_comes_from_the_exec_record() {
    const EXECVE: i64 = 59;
    let args = [
        0x5555_5555_6013,
        0x7fff_ffff_dff0,
        0x7fff_ffff_e1d8,
        0,
        0,
        0,
    ];
    let argv: Vec<Vec<u8>> = std::iter::once(b"/bin/true".to_vec())
        .chain((1..=40).map(|n| n.to_string().into_bytes()))
        .collect();
    let mut copies = vec![capture(0, b"/bin/true")];
    copies.extend(argv.iter().take(16).map(|a| capture(1, a)));
    copies.push(Capture {
        status: CaptureStatus::Partial,
        ..capture(1, b"")
    });
    copies.push(capture(2, &39u32.to_ne_bytes()));
    let (_dir, trace) = trace("x86_64", |w, ts| {
        push(w, ts, 11, enter(EXECVE, args, copies));
        let exec = Body::Exec {
            filename: b"/bin/true".to_vec(),
            comm: b"true".to_vec(),
            argv: argv.clone(),
            envp: None,
        };
        push(w, ts, 11, exec);
        push(w, ts, 11, exit(EXECVE, 0, vec![]));
    });
    let shown: Vec<String> = argv[..32]
        .iter()
        .map(|a| format!("\"{}\"", String::from_utf8_lossy(a)))
        .collect();
    assert_eq!(
        show(&trace),
        format!(
            "execve(\"/bin/true\", [{}, ...], 0x7fffffffe1d8 /* 39 vars */) = 0\n",
            shown.join(", ")
        )
    );
}
