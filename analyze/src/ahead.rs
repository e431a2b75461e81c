//! The rest of a call, read ahead in the trace, for a line printed before
//! its exit.
//!
//! strace reads a call's input memory at its enter. The recording may have
//! failed to: a page the process has not touched yet is not in its memory,
//! and a probe cannot fault it in. The kernel side then copies it again at
//! the exit, and an execve's path and argv are in the exec record that
//! follows (the old memory is gone by its exit). A line printed whole at the
//! exit has both at hand; one cut short (`<unfinished ...>`) is printed
//! before they come, so they are read ahead, only then: this decodes chunks.

use format::{BodyRef, Capture, CaptureStatus, Event, Filter, Trace};

use crate::tasks::{Exec, exec_of};

/// What the rest of a call holds for its enter's faulted copies.
#[derive(Default)]
pub struct Ahead {
    /// The exit's captures (its copies again of what faulted at enter).
    pub retried: Vec<Capture>,
    /// The exec the call made, for an execve.
    pub exec: Option<Exec>,
}

/// Whether the line of the call `enter` started needs the call's rest: a
/// copy at its enter faulted.
pub fn reads_ahead(enter: &Event) -> bool {
    match &enter.body {
        format::Body::SysEnter { captures, .. } => {
            captures.iter().any(|c| c.status == CaptureStatus::Fault)
        }
        _ => false,
    }
}

/// The rest of the call `enter` started, if a copy of its faulted (None
/// otherwise, or when nothing of it follows).
pub fn look_ahead(trace: &Trace, enter: &Event) -> Option<Ahead> {
    let format::Body::SysEnter { nr, .. } = &enter.body else {
        return None;
    };
    if !reads_ahead(enter) {
        return None;
    }
    let rest = Filter {
        tids: Some(vec![enter.tid]),
        since: Some(enter.ts),
        until: None,
    };
    let mut ahead = Ahead::default();
    for i in trace.select(&rest) {
        // A chunk that does not decode: the replay itself reports it.
        let chunk = trace.chunk(i).ok()?;
        let after = chunk
            .events()
            .filter(|e| rest.wants(e))
            .skip_while(|e| e.ts == enter.ts && matches!(e.body, BodyRef::SysEnter { .. }));
        for event in after {
            match event.body {
                BodyRef::Exec {
                    filename,
                    argv,
                    envp,
                    ..
                } => ahead.exec = Some(exec_of(filename, argv, envp)),
                BodyRef::SysExit {
                    nr: exit_nr,
                    captures,
                    ..
                } => {
                    if exit_nr == *nr {
                        ahead.retried = captures
                            .map(|c| Capture {
                                arg: c.arg,
                                status: c.status,
                                data: c.data.to_vec(),
                            })
                            .collect();
                    }
                    return Some(ahead);
                }
                BodyRef::SysEnter { .. } | BodyRef::TaskExit { .. } => return Some(ahead),
                _ => {}
            }
        }
    }
    Some(ahead)
}
