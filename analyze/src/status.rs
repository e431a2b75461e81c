//! How a task ended, from the wait(2)-style status its exit record carries:
//! the one place that reads it, for every view.

use std::fmt;

use crate::decode::signal_name;

/// A task's exit status, as wait(2) encodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitStatus(pub i32);

impl ExitStatus {
    /// The signal that killed the task, if one did.
    pub fn signal(self) -> Option<u32> {
        let signo = (self.0 & 0x7f) as u32;
        (signo != 0).then_some(signo)
    }

    /// Whether the signal that killed it dumped core.
    pub fn core_dumped(self) -> bool {
        self.signal().is_some() && self.0 & 0x80 != 0
    }
}

/// `exited with N` or `killed by SIGNAME`, as strace's `+++` lines say it.
impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.signal() {
            None => write!(f, "exited with {}", (self.0 >> 8) & 0xff),
            Some(signo) => write!(f, "killed by {}", signal_name(signo)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exits_and_kills() {
        assert_eq!(ExitStatus(7 << 8).to_string(), "exited with 7");
        assert_eq!(ExitStatus(7 << 8).signal(), None);
        let killed = ExitStatus(9);
        assert_eq!(
            (killed.to_string(), killed.signal(), killed.core_dumped()),
            ("killed by SIGKILL".to_owned(), Some(9), false)
        );
        assert!(ExitStatus(0x80 | 11).core_dumped());
    }
}
