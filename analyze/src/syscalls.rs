//! Syscall and errno names for the architecture a trace was recorded on, from the
//! `syscalls` crate's tables. On x86_64, calls made through the 32-bit ABI
//! (`int $0x80`) are numbered from [`abi::COMPAT_NR_BASE`] and named from the
//! i386 table.

use abi::COMPAT_NR_BASE;
use std::borrow::Cow;

/// Where strace names a call otherwise than the kernel's headers, which the
/// `syscalls` crate follows: (arch, header's name, strace's name).
const STRACE_NAMES: &[(&str, &str, &str)] = &[("aarch64", "fstatat", "newfstatat")];

/// The name of syscall `nr` on `arch` (`std::env::consts::ARCH` spelling), as
/// strace gives it.
pub fn name(arch: &str, nr: i64) -> Option<&'static str> {
    let name = match arch {
        "x86_64" if is_compat(arch, nr) => {
            let nr = usize::try_from(nr - COMPAT_NR_BASE).ok()?;
            ::syscalls::x86::Sysno::new(nr).map(|s| s.name())
        }
        _ => native_name(arch, usize::try_from(nr).ok()?),
    }?;
    Some(
        STRACE_NAMES
            .iter()
            .find(|(a, header, _)| *a == arch && *header == name)
            .map_or(name, |(_, _, strace)| strace),
    )
}

fn native_name(arch: &str, nr: usize) -> Option<&'static str> {
    match arch {
        "x86_64" => ::syscalls::x86_64::Sysno::new(nr).map(|s| s.name()),
        "aarch64" => ::syscalls::aarch64::Sysno::new(nr).map(|s| s.name()),
        _ => None,
    }
}

/// Whether call number `nr` of an `arch` trace was made through the
/// architecture's 32-bit ABI (an i386 call on x86_64).
pub fn is_compat(arch: &str, nr: i64) -> bool {
    (COMPAT_NR_BASE..COMPAT_NR_BASE << 1).contains(&nr) && arch == "x86_64"
}

/// The place of call number `nr` in a table by number (both ABIs'
/// numbers have one; see [`abi::call_index`]).
pub fn index(nr: i64) -> Option<usize> {
    abi::call_index(nr).map(|i| i as usize)
}

/// What strace calls syscall `nr` on `arch`: its name, or `syscall_0x3e7`
/// for a number it does not know.
pub fn display_name(arch: &str, nr: i64) -> Cow<'static, str> {
    name(arch, nr).map_or_else(|| Cow::Owned(unknown(arch, nr)), Cow::Borrowed)
}

/// strace's name for a syscall number it does not know (an i386 call's
/// by its own number).
pub fn unknown(arch: &str, nr: i64) -> String {
    let nr = if is_compat(arch, nr) {
        nr - COMPAT_NR_BASE
    } else {
        nr
    };
    format!("syscall_{nr:#x}")
}

/// The number of syscall `name` on `arch`.
pub fn number(arch: &str, name: &str) -> Option<i64> {
    let name = STRACE_NAMES
        .iter()
        .find(|(a, _, strace)| *a == arch && *strace == name)
        .map_or(name, |(_, header, _)| header);
    let nr = match arch {
        "x86_64" => name.parse::<::syscalls::x86_64::Sysno>().ok()?.id(),
        "aarch64" => name.parse::<::syscalls::aarch64::Sysno>().ok()?.id(),
        _ => return None,
    };
    Some(i64::from(nr))
}

/// Whether a raw return value is an error (`-4095..0`), without naming it.
pub fn failed(ret: i64) -> bool {
    (-4095..0).contains(&ret)
}

/// Whether `name` is a syscall of any architecture this build knows.
pub fn known(name: &str) -> bool {
    ::syscalls::x86_64::Sysno::iter().any(|s| s.name() == name)
        || ::syscalls::x86::Sysno::iter().any(|s| s.name() == name)
        || ::syscalls::aarch64::Sysno::iter().any(|s| s.name() == name)
}

/// Every syscall name of every architecture this build knows, once each.
pub fn all_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ::syscalls::x86_64::Sysno::iter()
        .map(|s| s.name())
        .chain(::syscalls::x86::Sysno::iter().map(|s| s.name()))
        .chain(::syscalls::aarch64::Sysno::iter().map(|s| s.name()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// `ENOENT` for a raw return value of `-2`, as strace names errors (the
/// kernel's restart codes too); `None` if `ret` is not an error, or one
/// without a name.
pub fn errno_name(ret: i64) -> Option<&'static str> {
    if !failed(ret) {
        return None;
    }
    restart_errno(ret)
        .or_else(|| ::syscalls::Errno::new(-ret as i32).name_and_description())
        .map(|(name, _)| name)
}

/// Kernel-internal errnos that strace names when a signal interrupted a call.
pub fn restart_errno(ret: i64) -> Option<(&'static str, &'static str)> {
    Some(match -ret {
        512 => ("ERESTARTSYS", "To be restarted if SA_RESTART is set"),
        513 => ("ERESTARTNOINTR", "To be restarted"),
        514 => ("ERESTARTNOHAND", "To be restarted if no handler"),
        516 => ("ERESTART_RESTARTBLOCK", "Interrupted by signal"),
        _ => return None,
    })
}

/// `("ENOENT", "No such file or directory")` for a raw return value of `-2`, as
/// strace prints errors; `None` if `ret` is not an error. The text is the C
/// library's (what strace prints), the name the `syscalls` crate's.
pub fn errno(ret: i64) -> Option<(&'static str, String)> {
    if !failed(ret) {
        return None;
    }
    let (name, _) = ::syscalls::Errno::new(-ret as i32).name_and_description()?;
    let text = std::io::Error::from_raw_os_error(-ret as i32).to_string();
    let text = text
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_owned();
    Some((name, text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_calls_and_errors() {
        assert_eq!(super::name("x86_64", 0), Some("read"));
        assert_eq!(super::name("x86_64", 257), Some("openat"));
        assert_eq!(super::name("aarch64", 56), Some("openat"));
        assert_eq!(super::name("x86_64", -1), None);
        assert_eq!(super::display_name("x86_64", 0x3e7), "syscall_0x3e7");
        assert_eq!(super::errno(-2).map(|e| e.0), Some("ENOENT"));
        assert_eq!(
            super::errno(-9).map(|e| e.1).as_deref(),
            Some("Bad file descriptor")
        );
        assert_eq!(super::errno(3), None);
        assert_eq!(super::number("x86_64", "mmap"), Some(9));
        assert_eq!(super::number("aarch64", "mmap"), Some(222));
        assert!(super::failed(-9) && !super::failed(0x7fff_0000_0000));
    }
}
