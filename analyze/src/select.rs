//! Which calls and lines a view shows: strace's `-e` qualifiers (`trace=`,
//! `status=`, `signal=`, `quiet=`, `read=`, `write=`, `decode-fds=`), parsed
//! with strace 6.1's grammar and error messages.
//!
//! Each qualifier is `NAME=[!]ITEM,ITEM...` (`all` and `none` too); a bare
//! `-e LIST` is `trace=LIST`. The same qualifier given twice: the last wins,
//! as in strace.

use std::collections::HashSet;

use crate::{
    decode::signal_name,
    syscalls,
    table::{self, classes},
};

/// A qualifier strace accepts that a recording cannot honour, or not yet.
#[derive(Debug, thiserror::Error)]
pub enum BadQualifier {
    #[error("invalid system call '{0}'")]
    Syscall(String),
    #[error("invalid status '{0}'")]
    Status(String),
    #[error("invalid signal '{0}'")]
    Signal(String),
    #[error("invalid quiet '{0}'")]
    Quiet(String),
    #[error("invalid descriptor '{0}'")]
    Descriptor(String),
    #[error("invalid decode-fds '{0}'")]
    DecodeFds(String),
    #[error("invalid qualifier '{0}'")]
    Unknown(String),
    #[error("{0}")]
    Unsupported(String),
}

/// A set of items of one qualifier: the listed ones, or all but them.
#[derive(Clone, Debug)]
pub struct Set<T> {
    items: HashSet<T>,
    negated: bool,
}

impl<T: std::hash::Hash + Eq> Set<T> {
    /// Every item.
    pub fn all() -> Self {
        Self {
            items: HashSet::new(),
            negated: true,
        }
    }

    /// No item.
    pub fn none() -> Self {
        Self {
            items: HashSet::new(),
            negated: false,
        }
    }

    pub fn contains<Q>(&self, item: &Q) -> bool
    where
        T: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.items.contains(item) != self.negated
    }

    /// Whether the set holds any of `items` (or, negated, lacks them all).
    pub fn contains_any<Q>(&self, items: &[&Q]) -> bool
    where
        T: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        items.iter().any(|item| self.items.contains(*item)) != self.negated
    }

    /// Whether the set holds every item (nothing to filter).
    pub fn is_all(&self) -> bool {
        self.negated && self.items.is_empty()
    }

    /// Whether the set holds no item.
    pub fn is_none(&self) -> bool {
        !self.negated && self.items.is_empty()
    }

    /// `[!]ITEM,ITEM...`, each item (other than `all` and `none`) turned into
    /// items by `item`.
    fn parse<E>(
        list: &str,
        mut item: impl FnMut(&str, &mut HashSet<T>) -> Result<(), E>,
    ) -> Result<Self, E> {
        // Each leading `!` negates once more (`!!write` is write).
        let rest = list.trim_start_matches('!');
        let negated = (list.len() - rest.len()) % 2 == 1;
        let mut set = Self::none();
        let mut tokens = rest.split(',').filter(|t| !t.is_empty()).peekable();
        if tokens.peek().is_none() {
            // Nothing listed: strace says `invalid ... ''`.
            item("", &mut set.items)?;
        }
        for token in tokens {
            match token {
                "all" => set = Self::all(),
                "none" => set = Self::none(),
                _ => item(token, &mut set.items)?,
            }
        }
        if negated {
            set.negated = !set.negated;
        }
        Ok(set)
    }
}

/// `-e trace=`: syscall names, `%classes`, `/regex`, `?name`, with the
/// personality suffixes `@64`, `@32` (calls made through the 32-bit ABI)
/// and `@x32` (never recorded). A name is held as given, for both ABIs, or
/// with its suffix, for one.
pub type TraceSet = Set<String>;

/// Parses the list of `trace=`.
pub fn parse_trace(list: &str) -> Result<TraceSet, BadQualifier> {
    Set::parse(list, |token, names| {
        let (optional, token) = match token.strip_prefix('?') {
            Some(rest) => (true, rest),
            None => (false, token),
        };
        let bad = || BadQualifier::Syscall(token.to_owned());
        let (token, personality) = match token.rsplit_once('@') {
            Some((name, p @ ("64" | "32" | "x32"))) => (name, p),
            Some(_) if !token.starts_with('/') => return Err(bad()),
            _ => (token, ""),
        };
        let (suffix, numbered_from) = match personality {
            "" => ("", 0),
            "64" => ("@64", 0),
            "32" => ("@32", abi::COMPAT_NR_BASE),
            // x32 calls are not recorded: they select none.
            _ => ("@x32", 0),
        };
        let mut add = |name: &str| {
            if suffix != "@x32" {
                names.insert(format!("{name}{suffix}"));
            }
        };
        if let Some(pattern) = token.strip_prefix('/') {
            let regex = regex::Regex::new(pattern).map_err(|_| bad())?;
            let mut matched = known_names()
                .iter()
                .filter(|n| regex.is_match(n))
                .peekable();
            if matched.peek().is_none() && !optional {
                return Err(bad());
            }
            matched.for_each(|n| add(n));
            return Ok(());
        }
        // A number: the syscall of that number on this machine's architecture
        // (in its 32-bit ABI with `@32`).
        if let Ok(nr) = token.parse::<i64>() {
            match syscalls::name(std::env::consts::ARCH, numbered_from + nr) {
                Some(name) => add(name),
                None if optional => {}
                None => return Err(bad()),
            }
            return Ok(());
        }
        let class = match token.strip_prefix('%') {
            Some(class) => classes::by_name(class),
            None => classes::by_bare_name(token),
        };
        match class {
            Some(class) => known_names()
                .iter()
                .filter(|n| classes::of(n) & class != 0)
                .for_each(|n| add(n)),
            None if table::by_name(token).is_some() || syscalls::known(token) => add(token),
            None if optional => {}
            None => return Err(bad()),
        }
        Ok(())
    })
}

/// Every syscall name of the architectures systrace decodes.
fn known_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(syscalls::all_names)
}

/// How a call ended, for `-e status=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Returned without an error.
    Successful,
    /// Returned an error.
    Failed,
    /// Never returned: exit_group, or its thread was killed in it.
    Unfinished,
    /// Returned, but what it returned was not recorded.
    Unavailable,
    /// Still in progress when the recording stopped.
    Detached,
}

/// Parses the list of `status=`.
pub fn parse_status(list: &str) -> Result<Set<Status>, BadQualifier> {
    Set::parse(list, |token, set| {
        set.insert(match token {
            "successful" => Status::Successful,
            "failed" => Status::Failed,
            "unfinished" => Status::Unfinished,
            "unavailable" => Status::Unavailable,
            "detached" => Status::Detached,
            _ => return Err(BadQualifier::Status(token.to_owned())),
        });
        Ok(())
    })
}

/// Parses the list of `signal=`: names with or without `SIG`, or numbers.
pub fn parse_signals(list: &str) -> Result<Set<u32>, BadQualifier> {
    Set::parse(list, |token, set| {
        let bad = || BadQualifier::Signal(token.to_owned());
        let signo = match token.parse::<u32>() {
            Ok(n) if (1..=64).contains(&n) => n,
            Ok(_) => return Err(bad()),
            Err(_) => {
                let name = token.to_ascii_uppercase();
                let name = name.strip_prefix("SIG").unwrap_or(&name);
                (1..=64)
                    .find(|&n| signal_name(n).strip_prefix("SIG") == Some(name))
                    .ok_or_else(bad)?
            }
        };
        set.insert(signo);
        Ok(())
    })
}

/// Messages `-e quiet=` (and `-q`) can suppress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quiet {
    Attach,
    /// `+++ exited with N +++`.
    Exit,
    PathResolution,
    Personality,
    ThreadExecve,
    Superseded,
}

/// Parses the list of `quiet=`.
pub fn parse_quiet(list: &str) -> Result<Set<Quiet>, BadQualifier> {
    Set::parse(list, |token, set| {
        set.insert(match token {
            "attach" => Quiet::Attach,
            "exit" | "exits" => Quiet::Exit,
            "path-resolution" => Quiet::PathResolution,
            "personality" => Quiet::Personality,
            "thread-execve" => Quiet::ThreadExecve,
            "superseded" => Quiet::Superseded,
            _ => return Err(BadQualifier::Quiet(token.to_owned())),
        });
        Ok(())
    })
}

/// Parses the list of `read=` or `write=`: descriptor numbers.
pub fn parse_fds(list: &str) -> Result<Set<i64>, BadQualifier> {
    Set::parse(list, |token, set| {
        match token.parse::<u32>() {
            Ok(fd) => set.insert(i64::from(fd)),
            Err(_) => return Err(BadQualifier::Descriptor(token.to_owned())),
        };
        Ok(())
    })
}

/// What `decode-fds=` names descriptors by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecodeFd {
    /// The path (or socket, pipe inode) behind each one (`-y`).
    Path,
    /// A socket's ends (`-yy`).
    Socket,
    /// A device file's kind and number (`-yy`).
    Dev,
}

/// Parses the list of `decode-fds=`.
pub fn parse_decode_fds(list: &str) -> Result<Set<DecodeFd>, BadQualifier> {
    Set::parse(list, |token, set| {
        set.insert(match token {
            "path" => DecodeFd::Path,
            "socket" => DecodeFd::Socket,
            "dev" => DecodeFd::Dev,
            "pidfd" => {
                return Err(BadQualifier::Unsupported(format!(
                    "decode-fds={token} is not decoded yet; path, socket and dev are"
                )));
            }
            _ => return Err(BadQualifier::DecodeFds(token.to_owned())),
        });
        Ok(())
    })
}

/// Every `-e` qualifier a view honours, after the last of each kind won.
#[derive(Clone, Debug)]
pub struct Qualifiers {
    pub trace: TraceSet,
    pub status: Set<Status>,
    pub signal: Set<u32>,
    pub quiet: Set<Quiet>,
    pub read: Set<i64>,
    pub write: Set<i64>,
    /// `decode-fds=path`: `Some(true)`; `none`: `Some(false)`; not given: `None`.
    pub decode_fds: Set<DecodeFd>,
    /// `raw=`: calls printed undecoded, their registers in hex.
    pub raw: TraceSet,
    /// `abbrev=` (`-v` is `abbrev=none`): calls whose large structs show in part.
    pub abbrev: TraceSet,
    /// `verbose=`: calls whose structs show at all.
    pub verbose: TraceSet,
}

impl Default for Qualifiers {
    fn default() -> Self {
        Self {
            trace: Set::all(),
            status: Set::all(),
            signal: Set::all(),
            quiet: Set::none(),
            read: Set::none(),
            write: Set::none(),
            decode_fds: Set::none(),
            raw: Set::none(),
            abbrev: Set::all(),
            verbose: Set::all(),
        }
    }
}

impl Qualifiers {
    /// The calls they select.
    pub fn calls(&self) -> CallFilter {
        CallFilter {
            trace: self.trace.clone(),
            status: self.status.clone(),
        }
    }

    /// Applies one `-e EXPR`, `NAME=LIST` or a bare `LIST` (`trace=LIST`).
    pub fn apply(&mut self, expr: &str) -> Result<(), BadQualifier> {
        let (name, list) = expr.split_once('=').unwrap_or(("trace", expr));
        match name {
            "trace" | "t" => self.trace = parse_trace(list)?,
            "status" => self.status = parse_status(list)?,
            "signal" | "signals" | "s" => self.signal = parse_signals(list)?,
            "quiet" | "silent" | "silence" | "q" => self.quiet = parse_quiet(list)?,
            "read" | "reads" | "r" => self.read = parse_fds(list)?,
            "write" | "writes" | "w" => self.write = parse_fds(list)?,
            "decode-fds" | "decode-fd" => self.decode_fds = parse_decode_fds(list)?,
            "raw" | "x" => self.raw = parse_trace(list)?,
            "abbrev" | "a" => self.abbrev = parse_trace(list)?,
            "verbose" | "v" => self.verbose = parse_trace(list)?,
            "inject" | "fault" => {
                return Err(BadQualifier::Unsupported(format!(
                    "-e {name}= tampers with a running program; a recording can only be read"
                )));
            }
            "kvm" => {
                return Err(BadQualifier::Unsupported(
                    "-e kvm= needs the live program; a recording has no vcpu state".into(),
                ));
            }
            _ => return Err(BadQualifier::Unknown(name.to_owned())),
        }
        Ok(())
    }
}

/// Which calls a view shows: `-e trace=` by name, `-e status=` by how they
/// ended.
#[derive(Clone, Debug)]
pub struct CallFilter {
    pub trace: TraceSet,
    pub status: Set<Status>,
}

impl Default for CallFilter {
    fn default() -> Self {
        Self {
            trace: Set::all(),
            status: Set::all(),
        }
    }
}

impl CallFilter {
    /// Parses one `-e` expression that selects calls (`trace=` or a bare list).
    pub fn parse(expr: &str) -> Result<Self, BadQualifier> {
        let mut qualifiers = Qualifiers::default();
        qualifiers.apply(expr)?;
        Ok(Self {
            trace: qualifiers.trace,
            status: qualifiers.status,
        })
    }

    /// Whether the 64-bit syscall `name` is shown (before looking at its result).
    pub fn wants_name(&self, name: &str) -> bool {
        self.wants_syscall(name, false)
    }

    /// Whether syscall `name` is shown, made through the 32-bit ABI
    /// (`compat`) or the 64-bit one.
    pub fn wants_syscall(&self, name: &str, compat: bool) -> bool {
        let suffix = if compat { "@32" } else { "@64" };
        self.trace.contains_any(&[name, &format!("{name}{suffix}")])
    }

    /// Whether a call that returned `ret` (None: never returned) is shown.
    pub fn wants_result(&self, ret: Option<i64>) -> bool {
        self.status.contains(&match ret {
            Some(ret) if syscalls::failed(ret) => Status::Failed,
            Some(_) => Status::Successful,
            None => Status::Unfinished,
        })
    }

    /// Whether the call `name` that returned `ret` is shown: by both tests.
    pub fn wants_call(&self, name: &str, ret: Option<i64>) -> bool {
        self.wants_name(name) && self.wants_result(ret)
    }

    /// Whether only some outcomes are shown: then a call is printed whole,
    /// once its outcome is known, as strace does.
    pub fn by_status(&self) -> bool {
        !self.status.is_all()
    }
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
        assert!(
            f.wants_name("syscall_0x3e7"),
            "unknown numbers are not write"
        );
        assert!(CallFilter::parse("trace=nosuchcall").is_err());
        assert!(
            CallFilter::parse("trace=?nosuchcall,read")
                .unwrap()
                .wants_name("read")
        );
        let z = CallFilter::parse("status=failed").unwrap();
        assert!(z.wants_result(Some(-2)) && !z.wants_result(Some(3)));
        assert!(!z.wants_result(None));
    }

    #[test]
    fn strace_s_grammar() {
        let f = CallFilter::parse("network").unwrap();
        assert!(f.wants_name("connect") && !f.wants_name("read"));
        let f = CallFilter::parse("/^get(p|u)id$").unwrap();
        assert!(f.wants_name("getpid") && f.wants_name("getuid") && !f.wants_name("getppid"));
        assert!(CallFilter::parse("none").unwrap().trace.is_none());
        assert!(CallFilter::parse("!all").unwrap().trace.is_none());
        assert!(CallFilter::parse("read@64").unwrap().wants_name("read"));
        assert!(!CallFilter::parse("read@32").unwrap().wants_name("read"));
        let f = CallFilter::parse("read@32,4@32,close").unwrap();
        assert!(f.wants_syscall("read", true) && f.wants_syscall("write", true));
        assert!(!f.wants_syscall("write", false) && !f.wants_syscall("read", false));
        assert!(f.wants_syscall("close", true) && f.wants_syscall("close", false));
        let f = CallFilter::parse("!read@64").unwrap();
        assert!(!f.wants_syscall("read", false) && f.wants_syscall("read", true));
        assert!(CallFilter::parse("read@16").is_err());
        assert!(CallFilter::parse("!!write").unwrap().wants_name("write"));
        assert!(!CallFilter::parse("!!write").unwrap().wants_name("read"));
        assert!(CallFilter::parse("trace=").is_err());
        assert!(CallFilter::parse("trace=read,").unwrap().wants_name("read"));
        assert!(CallFilter::parse("/^zzz").is_err());
        assert!(
            CallFilter::parse("?/^zzz,close")
                .unwrap()
                .wants_name("close")
        );
        assert!(CallFilter::parse("999").is_err());
        if std::env::consts::ARCH == "x86_64" {
            let f = CallFilter::parse("0,3").unwrap();
            assert!(f.wants_name("read") && f.wants_name("close") && !f.wants_name("write"));
        }
        let f = CallFilter::parse("%%stat").unwrap();
        assert!(f.wants_name("statx") && f.wants_name("fstat") && !f.wants_name("statfs"));
        let mut q = Qualifiers::default();
        q.apply("trace=open").unwrap();
        q.apply("trace=close").unwrap();
        assert!(q.trace.contains("close") && !q.trace.contains("open"));
        q.apply("signal=!CHLD,9").unwrap();
        assert!(!q.signal.contains(&17) && !q.signal.contains(&9) && q.signal.contains(&2));
        assert_eq!(
            q.apply("status=foo").unwrap_err().to_string(),
            "invalid status 'foo'"
        );
        assert_eq!(
            q.apply("signal=FOO").unwrap_err().to_string(),
            "invalid signal 'FOO'"
        );
        q.apply("read=3,4").unwrap();
        assert!(q.read.contains(&3) && !q.read.contains(&5));
        assert!(q.apply("inject=all:error=ENOSYS").is_err());
    }
}
