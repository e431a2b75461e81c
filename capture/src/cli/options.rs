//! From the command line's selection, timestamp and decoding flags to
//! `analyze`'s plain options: strace's qualifiers in the order given, the
//! events a view reads, and how `show` prints.

use analyze::select::DecodeFd;
use anyhow::Context as _;

use super::args::*;

/// The printer's options from the command line (and the trace, for --pid).
/// `index`: the recording's, none for one still being written (`--follow`).
pub(super) fn show_options(
    args: &ShowArgs,
    index: Option<&format::ArchivedIndex>,
    matches: &clap::ArgMatches,
) -> anyhow::Result<analyze::ShowOptions> {
    view_options(
        &args.select,
        &args.choice,
        &args.format,
        args.separately(),
        index,
        matches,
    )
}

/// The same from the option groups `show` and `trace` share; `separately`:
/// a file per thread (`-ff -o`).
pub(super) fn view_options(
    select: &Selection,
    choice: &Choice,
    format: &OutputFormat,
    separately: bool,
    index: Option<&format::ArchivedIndex>,
    matches: &clap::ArgMatches,
) -> anyhow::Result<analyze::ShowOptions> {
    let (qualifiers, events) = selection(select, choice, index, matches, true)?;
    use analyze::{Clock, Precision};
    let absolute = match (format.time, &format.absolute_timestamps) {
        (0, Some(spec)) => absolute_timestamps(spec)?,
        (0, None) => None,
        (1, _) => Some((Clock::Time, Precision::S)),
        (2, _) => Some((Clock::Time, Precision::Us)),
        (_, _) => Some((Clock::Unix, Precision::Us)),
    };
    let relative = match &format.relative_timestamps {
        Some(p) => Some(precision("--relative-timestamps", p)?),
        None => format.relative.then_some(Precision::Us),
    };
    let durations = match &format.syscall_times {
        Some(p) => Some(precision("--syscall-times", p)?),
        None => format.durations.then_some(Precision::Us),
    };
    let time = analyze::TimeFormat { absolute, relative };
    let hex = match (format.hex, format.strings_in_hex.as_deref()) {
        (0, None) => analyze::decode::Hex::Never,
        (1, None) | (_, Some("non-ascii")) => analyze::decode::Hex::NonPrintable,
        (_, None | Some("all")) => analyze::decode::Hex::Always,
        (_, Some(other)) => anyhow::bail!("--strings-in-hex={other}: use non-ascii or all"),
    };
    match format.decode_pids.as_deref() {
        None | Some("comm") => {}
        Some("pidns") => anyhow::bail!("--decode-pids=pidns: namespace pids are not recorded yet"),
        Some(other) => anyhow::bail!("invalid --decode-pids '{other}': use comm"),
    }
    let prefix = match format.output.as_deref() {
        _ if separately => analyze::TaskPrefix::None,
        // As strace -f -o writes a file (or a pipe): the pid on every line.
        Some(_) => analyze::TaskPrefix::File,
        None => analyze::TaskPrefix::Terminal,
    };
    let mut paths: Vec<Vec<u8>> = Vec::new();
    for path in &select.paths {
        use std::os::unix::ffi::OsStrExt as _;
        paths.push(path.as_os_str().as_bytes().to_vec());
        // Also as resolved here, which is what -y names descriptors by.
        if let Ok(real) = std::fs::canonicalize(path)
            && real != *path
        {
            if !qualifiers
                .quiet
                .contains(&analyze::select::Quiet::PathResolution)
            {
                eprintln!(
                    "systrace: Requested path \"{}\" resolved into \"{}\"",
                    path.display(),
                    real.display()
                );
            }
            paths.push(real.as_os_str().as_bytes().to_vec());
        }
    }
    Ok(analyze::ShowOptions {
        decode: analyze::decode::Options {
            strsize: format.strsize,
            hex,
            fd_paths: qualifiers.decode_fds.contains(&DecodeFd::Path),
            fd_sockets: qualifiers.decode_fds.contains(&DecodeFd::Socket),
            fd_devices: qualifiers.decode_fds.contains(&DecodeFd::Dev),
            pid_comms: format.pid_comms || format.decode_pids.is_some(),
            consts: format.const_style.into(),
            ..Default::default()
        },
        calls: qualifiers.calls(),
        time,
        durations,
        events,
        result_column: format.column as usize,
        syscall_numbers: format.syscall_numbers,
        instruction_pointers: format.instruction_pointer,
        prefix,
        ns_pids: format.ns_pids,
        stacks: format.stack_trace > 0,
        stack_lines: format.stack_trace > 1,
        signals: qualifiers.signal,
        quiet: qualifiers.quiet,
        dump_reads: qualifiers.read,
        dump_writes: qualifiers.write,
        paths,
        raw: qualifiers.raw,
        abbrev: qualifiers.abbrev,
        verbose: qualifiers.verbose,
    })
}

/// strace's --absolute-timestamps=[[format:]FORMAT][,[precision:]PRECISION];
/// `None` for format none.
fn absolute_timestamps(spec: &str) -> anyhow::Result<Option<(analyze::Clock, analyze::Precision)>> {
    let (mut clock, mut precision) = (Some(analyze::Clock::Time), analyze::Precision::S);
    for item in spec.split(',').filter(|i| !i.is_empty()) {
        let (key, value) = match item.split_once(':') {
            Some((key @ ("format" | "precision"), value)) => (Some(key), value),
            Some(_) => anyhow::bail!("invalid --absolute-timestamps '{item}'"),
            None => (None, item),
        };
        match (key, value) {
            (None | Some("format"), "none") => clock = None,
            (None | Some("format"), "time") => clock = Some(analyze::Clock::Time),
            (None | Some("format"), "unix") => clock = Some(analyze::Clock::Unix),
            (None | Some("precision"), p) => {
                precision = self::precision("--absolute-timestamps", p)?
            }
            _ => anyhow::bail!("invalid --absolute-timestamps '{item}'"),
        }
    }
    Ok(clock.map(|c| (c, precision)))
}

/// strace's precisions: s, ms, us, ns.
fn precision(option: &str, name: &str) -> anyhow::Result<analyze::Precision> {
    analyze::Precision::parse(name)
        .with_context(|| format!("invalid {option} precision '{name}': use s, ms, us or ns"))
}

/// strace's qualifiers in command-line order: every `-e`, the long options
/// that stand for one (`--trace=`, `--status=`, ...) and the short flags
/// (`-z`, `-Z`, `-q`, `-y`). The last of each kind wins, as in strace.
fn ordered_qualifiers(matches: &clap::ArgMatches, show: bool) -> Vec<String> {
    use clap::parser::ValueSource;
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let mut all: Vec<(usize, String)> = Vec::new();
    let mut values = |id: &str, prefix: &str| {
        if given(id)
            && let (Some(indices), Some(values)) =
                (matches.indices_of(id), matches.get_many::<String>(id))
        {
            all.extend(
                indices
                    .zip(values)
                    .map(|(i, v)| (i, format!("{prefix}{v}"))),
            );
        }
    };
    values("expr", "");
    values("trace", "trace=");
    values("status", "status=");
    values("signal", "signal=");
    if show {
        values("quiet_set", "quiet=");
        values("read", "read=");
        values("write", "write=");
        values("decode_fds", "decode-fds=");
        values("raw", "raw=");
        values("abbrev", "abbrev=");
        values("verbose", "verbose=");
    }
    // Counted flags (-qq): clap keeps the place of their last occurrence.
    let mut flags = |id: &str, expr: &dyn Fn(u8) -> String| {
        if given(id)
            && let Some(last) = matches.indices_of(id).and_then(|mut i| i.next_back())
        {
            all.push((last, expr(matches.get_count(id))));
        }
    };
    flags("failed_only", &|_| "status=failed".into());
    flags("successful_only", &|_| "status=successful".into());
    if show {
        flags("fd_paths", &|count| {
            match count {
                1 => "decode-fds=path",
                _ => "decode-fds=all",
            }
            .into()
        });
        flags("no_abbrev", &|_| "abbrev=none".into());
        flags("quiet", &|count| {
            match count {
                1 => "quiet=attach,personality",
                2 => "quiet=attach,personality,exit",
                _ => "quiet=all",
            }
            .into()
        });
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, expr)| expr).collect()
}

/// -P is `show`'s: the other views do not follow descriptors to paths yet.
pub(super) fn refuse_paths(select: &Selection, view: &str) -> anyhow::Result<()> {
    if select.paths.is_empty() {
        return Ok(());
    }
    anyhow::bail!("-P is for show: {view} does not follow descriptors to paths yet")
}

/// The qualifiers, applied in command-line order.
pub(super) fn qualifiers(
    matches: &clap::ArgMatches,
    show: bool,
) -> anyhow::Result<analyze::select::Qualifiers> {
    let mut qualifiers = analyze::select::Qualifiers::default();
    for expr in ordered_qualifiers(matches, show) {
        qualifiers.apply(&expr)?;
    }
    Ok(qualifiers)
}

/// The qualifiers (`-e`, `-z`, `-Z`, ...) and events (`--pid`, `--tid`,
/// `--since`, `--until`) a view reads. Choosing events takes the
/// recording's index (a recording still being written has none yet).
pub(super) fn selection(
    select: &Selection,
    choice: &Choice,
    index: Option<&format::ArchivedIndex>,
    matches: &clap::ArgMatches,
    show: bool,
) -> anyhow::Result<(analyze::select::Qualifiers, format::Filter)> {
    if u16::from(select.failed_only) + u16::from(select.successful_only) > 1 {
        eprintln!(
            "systrace: Only the last of -z/--successful-only/-Z/--failed-only options will \
             take effect. See status qualifier for more complex filters."
        );
    }
    let qualifiers = qualifiers(matches, show)?;
    let Some(index) = index else {
        if !choice.is_empty() {
            anyhow::bail!(
                "--pid, --tid, --since and --until choose from a whole recording: \
                 not with --follow"
            );
        }
        return Ok((qualifiers, format::Filter::default()));
    };
    let mut tids = choice.tids.clone();
    for pid in &choice.pids {
        tids.extend(
            index
                .threads
                .iter()
                .filter(|t| t.pid == *pid)
                .map(|t| t.tid.to_native()),
        );
    }
    let start = index.totals.first_ts.to_native();
    let offset = |d: std::time::Duration| {
        start.saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    };
    let events = format::Filter {
        tids: (!choice.pids.is_empty() || !choice.tids.is_empty()).then_some(tids),
        since: choice.since.map(offset),
        until: choice.until.map(offset),
    };
    Ok((qualifiers, events))
}
