//! clone and clone3: named arguments, as strace prints them.

use std::fmt::Write as _;

use format::CaptureStatus;

use crate::decode::{CallView, Consts, structs};

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

impl CallView<'_> {
    /// clone is printed with named arguments, those its flags make meaningful:
    /// `clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x...)`:
    /// the printed arguments in `range` (by their place in that list).
    pub(super) fn render_clone(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        consts: Consts,
    ) {
        let [flags, stack, parent_tid, child_tid, tls, _] = self.args;
        let mut parts = vec![format!(
            "child_stack={}",
            if stack == 0 {
                "NULL".to_owned()
            } else {
                format!("{stack:#x}")
            }
        )];
        let mut f = String::new();
        consts.clone_flags(&mut f, flags);
        parts.push(format!("flags={f}"));
        if flags & (CLONE_PARENT_SETTID | CLONE_PIDFD) != 0 {
            parts.push(format!("parent_tid={parent_tid:#x}"));
        }
        if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
            parts.push(format!("child_tidptr={child_tid:#x}"));
        }
        if flags & CLONE_SETTLS != 0 {
            parts.push(format!("tls={tls:#x}"));
        }
        for (k, part) in parts.iter().enumerate().take(range.end).skip(range.start) {
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str(part);
        }
    }

    /// clone3's `struct clone_args` at enter (part 0), then at exit what the
    /// kernel wrote through it and the size (part 1):
    /// `clone3({flags=CLONE_VM|..., ..., tls=0x...} => {parent_tid=[1234]}, 88)`.
    pub(super) fn render_clone3(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        consts: Consts,
    ) {
        if range.contains(&0) {
            self.clone3_args(out, consts);
        }
        if range.contains(&1) {
            self.clone3_written(out);
            let _ = write!(out, ", {}", self.args[1]);
        }
    }

    /// clone3's arguments one by one (`--json`): the struct with what was
    /// written through it, and the size.
    pub(super) fn clone3_arg_texts(&self, consts: Consts) -> Vec<String> {
        let mut args = String::new();
        self.clone3_args(&mut args, consts);
        self.clone3_written(&mut args);
        vec![args, self.args[1].to_string()]
    }

    fn clone3_args(&self, out: &mut String, consts: Consts) {
        match self
            .enter_mem(0)
            .filter(|m| m.status != CaptureStatus::Fault)
        {
            Some(m) if clone_args(out, consts, m.data).is_some() => {}
            _ => super::super::pointer(out, self.args[0]),
        }
    }

    /// ` => {parent_tid=[1234]}`: the child's tid, which the kernel wrote at
    /// parent_tid, once the call returned it.
    fn clone3_written(&self, out: &mut String) {
        let flags = self.enter_mem(0).and_then(|m| structs::u64_at(m.data, 0));
        if let (Some(ret), Some(flags)) = (self.ret(), flags)
            && ret > 0
            && flags & CLONE_PARENT_SETTID != 0
        {
            let _ = write!(out, " => {{parent_tid=[{ret}]}}");
        }
    }
}

/// `{flags=..., child_tid=0x..., parent_tid=0x..., exit_signal=0,
/// stack=0x..., stack_size=0x..., tls=0x...}`: the fields the flags make
/// meaningful, as strace prints them.
fn clone_args(out: &mut String, consts: Consts, b: &[u8]) -> Option<()> {
    let field = |k: usize| structs::u64_at(b, 8 * k);
    let [
        flags,
        pidfd,
        child_tid,
        parent_tid,
        exit_signal,
        stack,
        stack_size,
        tls,
    ] = [
        field(0)?,
        field(1)?,
        field(2)?,
        field(3)?,
        field(4)?,
        field(5)?,
        field(6)?,
        field(7)?,
    ];
    out.push_str("{flags=");
    consts.clone_flags(out, flags);
    let address = |out: &mut String, name: &str, value: u64| {
        let _ = write!(out, ", {name}=");
        super::super::pointer(out, value);
    };
    if flags & CLONE_PIDFD != 0 {
        address(out, "pidfd", pidfd);
    }
    if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        address(out, "child_tid", child_tid);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        address(out, "parent_tid", parent_tid);
    }
    out.push_str(", exit_signal=");
    consts.signal(out, exit_signal as u32);
    address(out, "stack", stack);
    out.push_str(", stack_size=");
    super::super::hex(out, stack_size);
    if flags & CLONE_SETTLS != 0 {
        address(out, "tls", tls);
    }
    if flags & CLONE_INTO_CGROUP != 0 {
        let _ = write!(out, ", cgroup={}", field(10)?);
    }
    out.push('}');
    Some(())
}
