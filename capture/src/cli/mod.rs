//! The command line: clap derive types, turned into plain configs before they
//! reach the engine.

use std::{
    ffi::OsString,
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;

use crate::{
    output::{Kind, Output, OutputDir, partial_name},
    record::{self, RecordConfig, Target},
};

mod args;
mod growth;
mod options;
mod trace;

pub use args::Cli;
use args::*;
use options::{qualifiers, refuse_paths, selection, show_options};

impl Cli {
    /// Runs the command; `matches` is what `self` was parsed from, for the
    /// order of strace's qualifiers (the last of each kind wins).
    pub fn run(self, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
        let sub = matches.subcommand().map(|(_, m)| m).unwrap_or(matches);
        match self.command {
            Command::Record(args) => record(args),
            Command::Show(args) => show(*args, sub),
            Command::Trace(args) => trace::trace(*args, sub),
            Command::Stats(args) => stats(args, sub),
            Command::Export(args) => export(args, sub),
        }
    }
}

fn show(args: ShowArgs, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    args.refused.check()?;
    // Bad qualifiers are told before the trace is read.
    qualifiers(matches, true)?;
    let summary = &args.summary;
    if !args.select.paths.is_empty() && (summary.only || summary.also) {
        anyhow::bail!(
            "-P with -c/-C: the summary does not follow descriptors yet; \
             select with -e trace=, or see `systrace stats --by file`"
        );
    }
    let target = args
        .format
        .output
        .as_deref()
        .map(|o| ViewOutput::parse(o, args.format.append));
    if args.separately() && matches!(target, Some(ViewOutput::Command(_))) {
        anyhow::bail!("piping the output and -ff/--output-separately are mutually exclusive");
    }
    let path = &args.file;
    if args.follow {
        return follow(&args, matches).map(|()| ExitCode::SUCCESS);
    }
    let trace = open_trace(path)?;
    let options = show_options(&args, Some(trace.index()), matches)?;
    if options.stacks && !trace.header().selection.stacks {
        eprintln!(
            "systrace: warning: {}: recorded without stacks (record --stack): -k prints none",
            path.display()
        );
    }
    let unfollowed = analyze::fds::unfollowed_by(trace.header());
    if options.selection().follow_fds && !unfollowed.is_empty() {
        eprintln!(
            "systrace: warning: {}: descriptors are not named: the recording left out {}, \
             which close or replace them (record them too to follow descriptors)",
            path.display(),
            unfollowed.join(", ")
        );
    }
    let columns = ColumnArg::columns(&summary.columns);
    let table = || syscall_summary(&trace, &options, summary.sort.sort_by(), &columns);
    match (&args.format.output, args.separately() && !summary.only) {
        (Some(prefix), true) => {
            write_per_thread(path, prefix, args.format.append, &trace, &options)?;
            // The files hold the calls; -C's table goes to standard output.
            if summary.also {
                write_to(path, &ViewOutput::Stdout, |out| {
                    Ok(out.write_all(table()?.as_bytes())?)
                })?;
            }
        }
        _ => {
            write_to(
                path,
                target.as_ref().unwrap_or(&ViewOutput::Stdout),
                |out| {
                    if !summary.only {
                        match args.thread {
                            _ if args.json => analyze::print_json(&trace, &options, out)?,
                            Some(tid) => analyze::print_threads(
                                &trace,
                                (tid != 0).then_some(tid),
                                &options,
                                out,
                            )?,
                            None => analyze::print_strace(&trace, &options, out)?,
                        }
                    }
                    if summary.only || summary.also {
                        out.write_all(table()?.as_bytes())?;
                    }
                    Ok(())
                },
            )?;
        }
    }
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}

impl ShowArgs {
    /// -ff / --output-separately with -o PREFIX: a file per thread. Without
    /// -o, strace takes -ff as -f.
    fn separately(&self) -> bool {
        (self.follow_forks >= 2 || self.output_separately) && self.format.output.is_some()
    }
}

/// strace -c's table of the calls `options` select, as `stats` prints it.
fn syscall_summary(
    trace: &format::Trace,
    options: &analyze::ShowOptions,
    sort: analyze::stats::SortBy,
    columns: &[analyze::stats::Column],
) -> Result<String, analyze::Error> {
    use analyze::stats::{self, report};
    let plan = stats::Plan::new(
        trace,
        &options.calls,
        &options.events,
        stats::Want::default(),
    );
    let tally = stats::tally(trace, &plan, 2, &|| {})?;
    let mut text = String::new();
    report::syscall_table_with(
        &mut text,
        &tally,
        trace.header().arch.as_str(),
        sort,
        columns,
    );
    report::lost(&mut text, trace);
    Ok(text)
}

/// -ff -o PREFIX: each thread's calls (the threads --pid/--tid select),
/// whole lines without prefixes, in PREFIX.TID, as strace writes them; -A
/// appends to them.
fn write_per_thread(
    input: &Path,
    prefix: &Path,
    append: bool,
    trace: &format::Trace,
    options: &analyze::ShowOptions,
) -> anyhow::Result<()> {
    let selected = |tid: u32| {
        options
            .events
            .tids
            .as_ref()
            .is_none_or(|t| t.contains(&tid))
    };
    let tids: Vec<u32> = trace
        .index()
        .threads
        .iter()
        .map(|t| t.tid.to_native())
        .filter(|&tid| selected(tid))
        .collect();
    // With -y, one replay of every thread names the descriptors they share.
    let mut texts = match options.selection().follow_fds {
        true => Some(analyze::thread_texts(trace, &tids, options)?.into_iter()),
        false => None,
    };
    for tid in tids {
        let mut name = prefix.as_os_str().to_owned();
        name.push(format!(".{tid}"));
        let file = PathBuf::from(name);
        let target = if append {
            ViewOutput::Append(file)
        } else {
            ViewOutput::File(file)
        };
        let text = texts.as_mut().and_then(Iterator::next);
        write_to(input, &target, |out| match &text {
            Some(text) => Ok(out.write_all(text)?),
            None => analyze::print_thread(trace, tid, options, out),
        })?;
    }
    Ok(())
}

/// Where a view's text goes.
enum ViewOutput {
    Stdout,
    File(PathBuf),
    /// `-A`: appended to a file.
    Append(PathBuf),
    /// `-o |COMMAND`: piped to `sh -c COMMAND`.
    Command(OsString),
}

impl ViewOutput {
    /// strace's -o argument: a file, or `|COMMAND` / `!COMMAND`.
    fn parse(output: &Path, append: bool) -> ViewOutput {
        use std::os::unix::ffi::OsStrExt as _;
        let bytes = output.as_os_str().as_bytes();
        match bytes.first() {
            Some(b'|' | b'!') => {
                ViewOutput::Command(std::ffi::OsStr::from_bytes(&bytes[1..]).to_owned())
            }
            _ if append => ViewOutput::Append(output.to_owned()),
            _ => ViewOutput::File(output.to_owned()),
        }
    }
}

/// Runs a view into `target`: see [`write_view`]; a command gets the text on
/// its standard input and is waited for.
fn write_to(
    input: &Path,
    target: &ViewOutput,
    view: impl FnOnce(&mut dyn Write) -> Result<(), analyze::Error>,
) -> anyhow::Result<()> {
    match target {
        ViewOutput::Stdout => write_view(input, None, Kind::Text, view),
        ViewOutput::File(path) => write_view(input, Some(path), Kind::Text, view),
        ViewOutput::Append(path) => {
            let output = Output::append(path)?;
            finish_view(input, Some(path), buffered(output.file(), view))?;
            output.commit()
        }
        ViewOutput::Command(command) => {
            let mut child = std::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(command)
                .stdin(std::process::Stdio::piped())
                .spawn()
                .with_context(|| format!("running {}", command.to_string_lossy()))?;
            let written = match child.stdin.take() {
                Some(stdin) => buffered(stdin, view),
                None => Ok(()),
            };
            let status = child.wait()?;
            finish_view(input, None, written)?;
            if !status.success() {
                anyhow::bail!("{}: {status}", command.to_string_lossy());
            }
            Ok(())
        }
    }
}

/// Runs a view that reads `input` and writes to `to` (standard output when
/// `None`), in large blocks. A failed write names the output, a bad trace the
/// input; a closed pipe (`| head`) is no error, the reader has what it
/// wanted. A file is complete or not there at all.
fn write_view(
    input: &Path,
    to: Option<&Path>,
    kind: Kind,
    view: impl FnOnce(&mut dyn Write) -> Result<(), analyze::Error>,
) -> anyhow::Result<()> {
    let output = to.map(|path| Output::create(path, kind)).transpose()?;
    let written = match &output {
        Some(file) => buffered(file.file(), view),
        None => buffered(std::io::stdout().lock(), view),
    };
    finish_view(input, to, written)?;
    output.map_or(Ok(()), Output::commit)
}

/// What a view's result means: a failed write names the output, a bad trace
/// the input; a closed pipe is no error.
fn finish_view(
    input: &Path,
    to: Option<&Path>,
    written: Result<(), analyze::Error>,
) -> anyhow::Result<()> {
    match written {
        Ok(()) => {}
        Err(analyze::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(analyze::Error::Io(e)) => {
            let name = to.map_or("standard output".into(), |p| p.display().to_string());
            return Err(e).with_context(|| format!("writing {name}"));
        }
        Err(e) => return Err(e).with_context(|| format!("{}", input.display())),
    }
    Ok(())
}

fn buffered(
    out: impl Write,
    view: impl FnOnce(&mut dyn Write) -> Result<(), analyze::Error>,
) -> Result<(), analyze::Error> {
    // Lines are short and many: write them out in large blocks.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    view(&mut out)?;
    Ok(out.flush()?)
}

/// Bad input on the command line, found after clap parsed it: one line,
/// exit status 2 (as clap's own errors).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// `systrace record`: what to trace and keep, from the command line.
fn record(args: RecordArgs) -> anyhow::Result<ExitCode> {
    let keep = record::Keep {
        calls: recorded_calls(&args.expr)?,
        cgroups: args
            .cgroup
            .iter()
            .map(|path| {
                let cgroup = crate::cgroups::resolve(path).map_err(Usage)?;
                Ok((path.display().to_string(), cgroup))
            })
            .collect::<anyhow::Result<_>>()?,
        stacks: args.stack.map(|mode| match mode {
            StackMode::Fp => crate::loader::StackChoice::Fp,
            StackMode::Dwarf => crate::loader::StackChoice::Dwarf {
                bytes: args.stack_size & !7,
            },
        }),
    };
    let comms = chosen_comms(&args.comm);
    // --cgroup alone watches the whole machine for its tasks.
    let only_cgroups = comms.is_empty() && args.pid.is_empty() && args.command.is_empty();
    let target = if args.all || only_cgroups {
        Target::All
    } else if !comms.is_empty() {
        Target::Named(comms)
    } else if !args.pid.is_empty() {
        Target::Pids(args.pid)
    } else {
        Target::Command(args.command)
    };
    let recorded = record::record(RecordConfig {
        output: args.output,
        snaplen: args.snaplen,
        target,
        duration: args.duration,
        user: args.user,
        buffer_bytes: args.buffer_size,
        keep,
        started: None,
        kept: true,
    })?;
    eprintln!("{}", recorded.summary);
    Ok(ExitCode::from(recorded.status))
}

/// `--comm`'s names as the kernel keeps a command name: a longer one
/// matches on its first 15 bytes, which is said.
fn chosen_comms(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(
            |name| match name.char_indices().map(|(i, _)| i).rfind(|&i| i <= 15) {
                Some(cut) if name.len() > 15 => {
                    let kept = &name[..cut];
                    eprintln!(
                        "systrace: warning: --comm {name}: the kernel keeps a command's first 15 \
                     bytes; matching {kept}"
                    );
                    kept.to_owned()
                }
                _ => name.clone(),
            },
        )
        .collect()
}

/// `record -e`: the one qualifier a recording applies, trace= (or a bare
/// list), the last one given, as given and as parsed; `None` without one.
fn recorded_calls(exprs: &[String]) -> anyhow::Result<Option<(String, analyze::select::TraceSet)>> {
    let mut calls = None;
    for expr in exprs {
        let (name, list) = expr.split_once('=').unwrap_or(("trace", expr));
        if !matches!(name, "trace" | "t") {
            return Err(Usage(format!(
                "record -e {name}=: record selects calls only (-e trace=); show applies -e {name}="
            ))
            .into());
        }
        let set = analyze::select::parse_trace(list).map_err(|e| Usage(e.to_string()))?;
        calls = Some((expr.clone(), set));
    }
    Ok(calls)
}

/// Opens a trace to read, warning about a rebuilt index and lost events.
/// How often `show --follow` looks at its recorder when nothing was written.
const POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// `show --follow`: the recording at `args.file` (or its partial file) as its
/// chunks reach the file, through the one printer; ends once the recorder
/// finished it, or is gone.
fn follow(args: &ShowArgs, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    let summary = &args.summary;
    if args.separately() || summary.only || summary.also || args.format.output.is_some() {
        anyhow::bail!("--follow prints to standard output, without -o, -ff, -c or -C");
    }
    let options = show_options(args, None, matches)?;
    let path = &args.file;
    let partial = partial_name(path);
    let shown = path.display();
    let file = std::fs::File::open(&partial)
        .or_else(|_| std::fs::File::open(path))
        .with_context(|| format!("{shown}: no recording there, nor {}", partial.display()))?;
    let growth = growth::Growth::watch(&file);
    let follow = loop {
        if let Some(follow) =
            format::Follow::start(file.try_clone()?).with_context(|| format!("{shown}"))?
        {
            break follow;
        }
        anyhow::ensure!(
            !crate::output::writer_done(&file),
            "{shown}: the recorder stopped before writing"
        );
        growth::Growth::wait(growth.as_ref(), POLL);
    };
    write_to(path, &ViewOutput::Stdout, |out| {
        follow_into(&follow, &file, &options, out)
    })
}

/// Prints what `follow` reads of `file` until the recording is finished or
/// its recorder gone, writing each batch out as soon as it reaches the file.
fn follow_into(
    follow: &format::Follow,
    file: &std::fs::File,
    options: &analyze::ShowOptions,
    out: &mut dyn Write,
) -> Result<(), analyze::Error> {
    let growth = growth::Growth::watch(file);
    let source = analyze::Source {
        header: follow.header(),
        trace: None,
    };
    let selection = options.selection();
    let mut printer = analyze::StracePrinter::of(source, options, out);
    let mut replayer = analyze::Replayer::new(source, &selection);
    loop {
        // Whether the recorder is gone is asked before the last poll.
        let gone = crate::output::writer_done(file);
        let mut step = Ok(());
        let progress = follow.poll(|event| {
            if step.is_ok() && selection.events.wants(&event) {
                step = replayer.push(&event, &mut printer);
            }
        })?;
        step?;
        if progress == format::Progress::Finished || gone {
            break;
        }
        // A call still in progress shows its start, as strace's does.
        printer.show_open_call(replayer.context())?;
        printer.flush()?;
        growth::Growth::wait(growth.as_ref(), POLL);
    }
    replayer.finish(&mut printer)?;
    Ok(printer.flush()?)
}

fn open_trace(path: &Path) -> anyhow::Result<format::Trace> {
    let trace = open_input(path).with_context(|| format!("{}", path.display()))?;
    // First: what is missing from the recording by choice is not absent.
    let selection = &trace.header().selection;
    if !selection.is_everything() {
        eprintln!(
            "systrace: warning: {}: recorded with {}: nothing outside it was recorded",
            path.display(),
            selection_words(selection)
        );
    }
    if let Some(recovery) = trace.recovery() {
        eprintln!("systrace: warning: {}: {recovery}", path.display());
    }
    if let Some(next) = trace.concatenated() {
        eprintln!(
            "systrace: warning: {}: holds more than one trace; reading the first, \
             the next begins at byte {next} (split them with head -c {next})",
            path.display()
        );
    }
    let lost = trace.index().totals.lost.to_native();
    if lost > 0 {
        eprintln!(
            "systrace: warning: {lost} events were lost while recording; the output marks where"
        );
    }
    Ok(trace)
}

/// A recording's selection as the options that asked for it.
fn selection_words(selection: &format::ArchivedSelection) -> String {
    let calls = selection.calls.iter().map(|c| format!("-e {}", c.as_str()));
    let comms = selection
        .comms
        .iter()
        .map(|c| format!("--comm {}", c.as_str()));
    let cgroups = selection
        .cgroups
        .iter()
        .map(|c| format!("--cgroup {}", c.as_str()));
    calls
        .chain(comms)
        .chain(cgroups)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A trace file is mapped. A pipe or FIFO (`-` is standard input) is copied
/// into an anonymous file first, since a trace is read by seeking in it;
/// anything else is refused, saying what it is.
fn open_input(path: &Path) -> anyhow::Result<format::Trace> {
    use std::os::{fd::AsFd as _, unix::fs::OpenOptionsExt as _};
    let file = if path.as_os_str() == "-" {
        std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?)
    } else {
        // Not blocking in open: a FIFO without a writer would hang there.
        match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && partial_name(path).exists() => {
                anyhow::bail!(
                    "no such file; a recording still running or cut short is at {}",
                    partial_name(path).display()
                )
            }
            other => other?,
        }
    };
    let meta = file.metadata()?;
    let ty = meta.file_type();
    use std::os::unix::fs::FileTypeExt as _;
    if ty.is_file() {
        return Ok(format::Trace::from_file(&file)?);
    }
    if ty.is_fifo() || ty.is_socket() {
        return Ok(format::Trace::from_file(&copy_to_memory(file)?)?);
    }
    let what = crate::output::describe(&meta);
    if path.as_os_str() == "-" {
        anyhow::bail!(
            "standard input is {what}, not a trace: redirect or pipe a trace file into it"
        );
    }
    anyhow::bail!("is {what}, not a trace file");
}

/// The whole of a stream, in an anonymous file (memfd) that can be mapped.
fn copy_to_memory(mut stream: std::fs::File) -> anyhow::Result<std::fs::File> {
    use std::os::fd::FromRawFd as _;
    // Opened without blocking (see `open_input`); reads from now on block.
    crate::output::set_blocking(&stream)?;
    // SAFETY: memfd_create with a static name; the result is checked.
    let fd = unsafe { libc::memfd_create(c"systrace-input".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()).context("creating an anonymous file");
    }
    // SAFETY: a new descriptor nobody else owns.
    let mut copy = unsafe { std::fs::File::from_raw_fd(fd) };
    std::io::copy(&mut stream, &mut copy).context("reading the trace from the pipe")?;
    Ok(copy)
}

/// Says which corrupt chunks a view read past.
fn warn_skipped(path: &Path, trace: &format::Trace) {
    for skip in trace.skipped() {
        eprintln!("systrace: warning: {}: {skip}", path.display());
    }
}

fn stats(args: StatsArgs, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    use analyze::stats::{By, view};
    let path = &args.file;
    let (trace, qualifiers, events) =
        open_selected(path, &args.select, &args.choice, "stats", matches)?;
    let arch = trace.header().arch.as_str();
    let hist = match &args.hist {
        Some(name) => Some(
            analyze::syscalls::number(arch, name)
                .with_context(|| format!("--hist: no syscall named {name} on {arch}"))?,
        ),
        None => None,
    };
    let request = view::Request {
        by: match args.by {
            ByArg::Syscall => By::Syscall,
            ByArg::Process => By::Process,
            ByArg::Thread => By::Thread,
            ByArg::Errno => By::Errno,
            ByArg::File => By::File,
            ByArg::Stack => By::Stack,
        },
        sort: args.sort.sort_by(),
        columns: ColumnArg::columns(&args.columns),
        latency: args.latency,
        hist,
        mmap: args.mmap,
        tmpfiles: args.tmpfiles,
        json: args.json,
    };
    let text = view::render(&trace, &qualifiers.calls(), &events, &request)
        .with_context(|| format!("{}", path.display()))?;
    write_view(path, args.output.as_deref(), Kind::Text, |out| {
        Ok(out.write_all(text.as_bytes())?)
    })?;
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}

/// The trace at `path` for a view (`stats`, `export`) that counts what it
/// selects, and the selection.
/// A recording to export, and what of it (`-e trace=`, `--pid`, ...).
fn export_options(
    path: &Path,
    args: &ExportArgs,
    matches: &clap::ArgMatches,
) -> anyhow::Result<(format::Trace, analyze::ShowOptions)> {
    let (trace, qualifiers, events) =
        open_selected(path, &args.select, &args.choice, "export", matches)?;
    let options = analyze::ShowOptions {
        calls: qualifiers.calls(),
        events,
        ..analyze::ShowOptions::default()
    };
    Ok((trace, options))
}

/// `export --parquet OUT`: every recording given, as one table (one file,
/// or one per recording in a directory with `--partitioned`).
fn export_parquet(args: &ExportArgs, to: &Path, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    let traces = args
        .files
        .iter()
        .map(|path| export_options(path, args, matches))
        .collect::<anyhow::Result<Vec<_>>>()?;
    refuse_twice(&args.files, &traces)?;
    if args.partitioned {
        let mut output = OutputDir::create(to)?;
        for (path, trace) in args.files.iter().zip(&traces) {
            let name = analyze::partition_dir(trace.0.header()).join("calls.parquet");
            let file = output.create_file(&name)?;
            let written = analyze::export_parquet(
                std::slice::from_ref(trace),
                analyze::ParquetLayout::Partitioned,
                std::io::BufWriter::new(file),
            );
            finish_view(path, Some(&to.join(&name)), written)?;
        }
        output.commit()?;
    } else {
        let output = Output::create(to, Kind::Export)?;
        let written = analyze::export_parquet(
            &traces,
            analyze::ParquetLayout::OneTable,
            std::io::BufWriter::new(output.file()),
        );
        finish_view(&args.files[0], Some(to), written)?;
        output.commit()?;
    }
    for (path, (trace, _)) in args.files.iter().zip(&traces) {
        warn_skipped(path, trace);
    }
    Ok(())
}

/// One recording given twice would be counted twice.
fn refuse_twice(
    files: &[PathBuf],
    traces: &[(format::Trace, analyze::ShowOptions)],
) -> anyhow::Result<()> {
    for (i, (trace, _)) in traces.iter().enumerate() {
        let id = trace.header().id;
        if let Some(first) = traces[..i].iter().position(|(t, _)| t.header().id == id) {
            anyhow::bail!(
                "{} and {} are the same recording (trace {}): give it once",
                files[first].display(),
                files[i].display(),
                trace.header().id_text()
            );
        }
    }
    Ok(())
}

fn open_selected(
    path: &Path,
    select: &Selection,
    choice: &Choice,
    view: &str,
    matches: &clap::ArgMatches,
) -> anyhow::Result<(format::Trace, analyze::select::Qualifiers, format::Filter)> {
    refuse_paths(select, view)?;
    let trace = open_trace(path)?;
    let (qualifiers, events) = selection(select, choice, Some(trace.index()), matches, false)?;
    Ok((trace, qualifiers, events))
}

fn export(args: ExportArgs, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    let one_recording =
        args.perfetto.is_some() || args.flamegraph.is_some() || args.folded.is_some();
    if args.files.len() > 1 && one_recording {
        return Err(Usage(
            "--perfetto, --flamegraph and --folded read one recording; --parquet takes several"
                .into(),
        )
        .into());
    }
    if let Some(parquet) = &args.parquet {
        export_parquet(&args, parquet, matches)?;
    }
    if !one_recording {
        return Ok(ExitCode::SUCCESS);
    }
    let path = &args.files[0];
    let (trace, options) = export_options(path, &args, matches)?;
    if let Some(perfetto) = &args.perfetto {
        write_view(path, Some(perfetto), Kind::Export, |out| {
            analyze::export_perfetto(&trace, &options, out)
        })?;
    }
    let by_time = args.weight == WeightArg::Time;
    if args.flamegraph.is_some() || args.folded.is_some() {
        let by = analyze::stats::stacks::collect(&trace, &options.calls, &options.events)?;
        if let Some(svg) = &args.flamegraph {
            write_view(path, Some(svg), Kind::Export, |out| {
                by.flamegraph(by_time, out)
            })?;
        }
        if let Some(folded) = &args.folded {
            write_view(path, Some(folded), Kind::Export, |out| {
                by.folded(by_time)
                    .iter()
                    .try_for_each(|line| writeln!(out, "{line}"))?;
                Ok(())
            })?;
        }
        // Once written (a refused output says that alone).
        if !trace.header().selection.stacks {
            eprintln!(
                "systrace: warning: {}: recorded without stacks (record --stack): \
                 each stack is its syscall alone",
                path.display()
            );
        }
    }
    warn_skipped(path, &trace);
    Ok(ExitCode::SUCCESS)
}
