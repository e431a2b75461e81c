//! `stats --by stack` and `export --flamegraph`: calls (or time in calls)
//! per distinct user stack (`record --stack`), from a replay, so that each
//! stack is named with its process's mappings when it was taken.

use std::{collections::BTreeSet, fmt::Write as _, io::Write};

use rustc_hash::FxHashMap;

use format::{EventRef, Filter, Trace};

use crate::{
    Call, Context, Error, Selection, TraceSink, replay, select::CallFilter, stacks::Stacks,
};

/// What the calls of one stack came to.
#[derive(Default)]
struct Row {
    calls: u64,
    errors: u64,
    ns: u64,
    syscalls: BTreeSet<String>,
    /// strace -k's lines for it.
    lines: String,
    /// Its frames' short names, outermost first.
    names: Vec<String>,
}

/// Calls by stack id (`None`: calls without one).
#[derive(Default)]
pub struct ByStack {
    rows: FxHashMap<Option<u32>, Row>,
}

impl TraceSink for ByStack {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let id = Stacks::id(call.enter, call.exit.as_ref());
        let row = self.rows.entry(id).or_insert_with(|| {
            let mut row = Row::default();
            let stacks = &call.context.stacks;
            if let Some(frames) = stacks.of(call.enter, call.exit.as_ref()) {
                stacks.write(&mut row.lines, call.enter.pid, frames, false);
                row.names = stacks.names(call.enter.pid, frames);
            }
            row
        });
        row.calls += 1;
        let ret = call.ret();
        row.errors += u64::from(ret.is_some_and(crate::syscalls::failed));
        let exit_ts = call.exit.map_or(call.enter.ts, |e| e.ts);
        row.ns += exit_ts.saturating_sub(call.enter.ts);
        if !row.syscalls.contains(call.name.as_ref()) {
            row.syscalls.insert(call.name.to_string());
        }
        Ok(())
    }

    fn event(&mut self, _: &EventRef<'_>, _: &Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Counts the selected calls of `trace` by stack.
pub fn collect(trace: &Trace, calls: &CallFilter, events: &Filter) -> Result<ByStack, Error> {
    let mut by = ByStack::default();
    let selection = Selection {
        events,
        calls,
        paths: &[],
        follow_fds: false,
        follow_comms: false,
    };
    replay(trace, &selection, &mut by)?;
    Ok(by)
}

impl ByStack {
    /// Most calls first.
    fn sorted(&self) -> Vec<(&Option<u32>, &Row)> {
        let mut rows: Vec<_> = self.rows.iter().collect();
        rows.sort_by_key(|(_, row)| std::cmp::Reverse((row.calls, row.ns)));
        rows
    }

    /// The table: calls, errors, seconds and syscalls of each stack, then
    /// its frames as strace -k prints them.
    pub fn table(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{:>9} {:>9} {:>11}  syscalls",
            "calls", "errors", "seconds"
        );
        for (id, row) in self.sorted() {
            let names: Vec<&str> = row.syscalls.iter().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "{:>9} {:>9} {:>11.6}  {}",
                row.calls,
                row.errors,
                row.ns as f64 / 1e9,
                names.join(", ")
            );
            match id {
                Some(_) => out.push_str(&row.lines),
                None => out.push_str(" > (no stack recorded)\n"),
            }
            out.push('\n');
        }
    }

    /// The folded stacks (`frame;frame;syscall count`, outermost first),
    /// weighted by calls or by nanoseconds in calls: what inferno and
    /// speedscope read.
    pub fn folded(&self, by_time: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for row in self.rows.values() {
            let weight = if by_time { row.ns } else { row.calls };
            if weight == 0 {
                continue;
            }
            let mut frames = row.names.clone();
            frames.push(row.syscalls.iter().cloned().collect::<Vec<_>>().join("/"));
            lines.push(format!("{} {weight}", frames.join(";")));
        }
        lines.sort();
        lines
    }
}

impl ByStack {
    /// A flame graph (SVG, inferno's) of the calls by stack.
    pub fn flamegraph(&self, by_time: bool, out: &mut dyn Write) -> Result<(), Error> {
        let folded = self.folded(by_time);
        let mut options = inferno::flamegraph::Options::default();
        options.title = match by_time {
            true => "Time in syscalls, by user stack".into(),
            false => "Syscalls, by user stack".into(),
        };
        options.count_name = match by_time {
            true => "ns".into(),
            false => "calls".into(),
        };
        inferno::flamegraph::from_lines(&mut options, folded.iter().map(String::as_str), out)?;
        Ok(())
    }
}
