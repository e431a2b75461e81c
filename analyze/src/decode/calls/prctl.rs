//! prctl: the arguments its option uses, in strace's forms.

use format::CaptureStatus;

use crate::decode::{CallView, Consts, Mem, Options, hex, push_int, strings};

/// One printed argument after the option.
enum Part {
    /// As the table types it.
    Arg(usize),
    /// The name PR_SET_NAME reads, copied at enter.
    Name(usize),
    /// The name PR_GET_NAME writes, copied at exit.
    NameWritten(usize),
    Number(usize),
    Address(usize),
    Signal(usize),
    Capability(usize),
    Dumpable(usize),
    /// PR_CAP_AMBIENT's operation, and its capability where it takes one.
    AmbientOp(usize),
    AmbientCapability(usize),
}

use Part::*;

/// What option `option` prints after itself; none for an option without a
/// form of its own (its four arguments in hex).
fn parts(option: u64) -> Option<&'static [Part]> {
    Some(match option {
        // PR_SET_PDEATHSIG, PR_GET_PDEATHSIG
        1 => &[Signal(1)],
        2 => &[Address(1)],
        // PR_GET_DUMPABLE, PR_SET_DUMPABLE
        3 => &[],
        4 => &[Dumpable(1)],
        // PR_SET_NAME, PR_GET_NAME
        15 => &[Name(1)],
        16 => &[NameWritten(1)],
        // PR_GET_SECCOMP, PR_GET_SECUREBITS, PR_GET_TIMERSLACK
        21 | 27 | 30 => &[],
        // PR_CAPBSET_READ, PR_CAPBSET_DROP
        23 | 24 => &[Capability(1)],
        // PR_SET_TIMERSLACK, PR_SET_CHILD_SUBREAPER
        29 | 36 => &[Number(1)],
        37 => &[Address(1)],
        // PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS: the unused ones too
        38 | 39 => &[Number(1), Number(2), Number(3), Number(4)],
        // PR_CAP_AMBIENT
        47 => &[AmbientOp(1), AmbientCapability(2), Address(3), Address(4)],
        _ => return None,
    })
}

/// PR_GET_DUMPABLE.
const PR_GET_DUMPABLE: u64 = 3;

impl CallView<'_> {
    /// `prctl(PR_SET_NAME, "fid-sec")`: the printed arguments in `range` (by
    /// their place in that list).
    pub(super) fn render_prctl(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        opts: &Options,
    ) {
        let option = self.args[0];
        let consts = self.consts(opts);
        let own = parts(option);
        let generic = [Arg(0), Address(1), Address(2), Address(3), Address(4)];
        let printed: Vec<&Part> = match own {
            Some(parts) => std::iter::once(&Arg(0)).chain(parts).collect(),
            None => generic.iter().collect(),
        };
        for (k, part) in printed
            .into_iter()
            .enumerate()
            .take(range.end)
            .skip(range.start)
        {
            if k > 0 {
                out.push_str(", ");
            }
            let value = |i: usize| self.args[i];
            match *part {
                Arg(i) => self.render_arg(out, i, opts),
                Name(i) => self.render_name(out, self.enter_mem(i as u8), value(i), opts),
                NameWritten(i) => {
                    let written = self.ret().filter(|&r| r >= 0).and(self.exit_mem(i as u8));
                    self.render_name(out, written, value(i), opts);
                }
                Number(i) => push_int(out, value(i)),
                Address(i) => hex(out, value(i)),
                Signal(i) => consts.signal(out, value(i) as u32),
                Capability(i) => consts.table(out, &self.xlat.capabilities, value(i)),
                Dumpable(i) => consts.table(out, &self.xlat.suid_dump, value(i)),
                AmbientOp(i) => consts.table(out, &self.xlat.pr_cap_ambient, value(i)),
                // IS_SET, RAISE and LOWER name a capability.
                AmbientCapability(i) if (1..=3).contains(&value(1)) => {
                    consts.table(out, &self.xlat.capabilities, value(i));
                }
                AmbientCapability(i) => hex(out, value(i)),
            }
        }
    }

    /// A task's name, up to its NUL, or its address when not copied.
    fn render_name(&self, out: &mut String, name: Option<Mem<'_>>, address: u64, opts: &Options) {
        match name.filter(|m| m.status != CaptureStatus::Fault) {
            Some(m) => {
                let name = m.data.split(|&b| b == 0).next().unwrap_or_default();
                strings::c_string(out, name, false, opts.strsize, opts.hex);
            }
            None => crate::decode::pointer(out, address),
        }
    }

    /// PR_GET_DUMPABLE's result: `1 (SUID_DUMP_USER)`.
    pub(super) fn render_prctl_ret(&self, out: &mut String, ret: i64) -> bool {
        if self.args[0] != PR_GET_DUMPABLE {
            return false;
        }
        push_int(out, ret);
        out.push_str(" (");
        // strace names it in every style.
        Consts::abbrev(self.xlat).table(out, &self.xlat.suid_dump, ret as u64);
        out.push(')');
        true
    }
}
