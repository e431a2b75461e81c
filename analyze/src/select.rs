//! Which calls a view shows: strace's `-e trace=`, `-Z` and `-z`.

use std::collections::HashSet;

use crate::table::{self, class};

/// A parsed `-e trace=` expression plus the success filters.
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    /// Syscall names and classes; `None`: every call.
    names: Option<HashSet<String>>,
    classes: u16,
    negated: bool,
    /// `-Z`: only calls that failed.
    pub failed_only: bool,
    /// `-z`: only calls that succeeded.
    pub successful_only: bool,
}

/// A `-e trace=` expression that names nothing strace knows.
#[derive(Debug, thiserror::Error)]
#[error("invalid system call or class '{0}' in -e trace=")]
pub struct BadExpression(String);

impl CallFilter {
    /// Parses `trace=LIST`, `LIST` (names and `%classes`, `!` to negate).
    pub fn parse(expr: &str) -> Result<Self, BadExpression> {
        let list = expr.strip_prefix("trace=").unwrap_or(expr);
        let (negated, list) = match list.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, list),
        };
        let mut names = HashSet::new();
        let mut classes = 0;
        for item in list.split(',').filter(|i| !i.is_empty()) {
            match item.strip_prefix('%') {
                Some(c) => classes |= class_bit(c).ok_or_else(|| BadExpression(item.to_owned()))?,
                None if table::by_name(item).is_some() || crate::syscalls::known(item) => {
                    names.insert(item.to_owned());
                }
                None => return Err(BadExpression(item.to_owned())),
            }
        }
        Ok(Self {
            names: Some(names),
            classes,
            negated,
            ..Self::default()
        })
    }

    /// Whether syscall `name` is shown (before looking at its result).
    pub fn wants_name(&self, name: &str) -> bool {
        let Some(names) = &self.names else {
            return true;
        };
        let in_class = table::by_name(name).is_some_and(|s| s.class & self.classes != 0);
        (names.contains(name) || in_class) != self.negated
    }

    /// Whether a call that returned `ret` (None: never returned) is shown.
    pub fn wants_result(&self, ret: Option<i64>) -> bool {
        let failed = ret.is_some_and(crate::syscalls::failed);
        !(self.failed_only && !failed || self.successful_only && failed)
    }

    /// Whether the call `name` that returned `ret` is shown: by both tests.
    pub fn wants_call(&self, name: &str, ret: Option<i64>) -> bool {
        self.wants_name(name) && self.wants_result(ret)
    }
}

fn class_bit(name: &str) -> Option<u16> {
    Some(match name {
        "file" => class::FILE,
        "network" | "net" => class::NETWORK,
        "process" => class::PROCESS,
        "memory" => class::MEMORY,
        "signal" => class::SIGNAL,
        "desc" => class::DESC,
        "ipc" => class::IPC,
        "creds" => class::CREDS,
        "clock" => class::CLOCK,
        "stat" => class::STAT,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classes_and_negation() {
        let f = CallFilter::parse("trace=openat,%memory").unwrap();
        assert!(f.wants_name("openat") && f.wants_name("mmap") && !f.wants_name("read"));
        let f = CallFilter::parse("!write").unwrap();
        assert!(!f.wants_name("write") && f.wants_name("read"));
        assert!(CallFilter::parse("trace=nosuchcall").is_err());
        let z = CallFilter {
            failed_only: true,
            ..CallFilter::default()
        };
        assert!(z.wants_result(Some(-2)) && !z.wants_result(Some(3)));
    }
}
