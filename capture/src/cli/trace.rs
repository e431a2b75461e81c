//! `systrace trace`: strace's command. It records as `record` does, and a
//! thread follows the recording as it is written (`show --follow`'s reader)
//! and prints strace's text through the one printer: on standard error, or
//! to `-o FILE`. The recording stays only with `--save FILE`.

use std::{
    fs::File,
    io::Write as _,
    path::PathBuf,
    process::ExitCode,
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::Context as _;

use super::{args::TraceArgs, follow_into, options::view_options, syscall_summary};
use crate::{
    output::{Kind, Output},
    record::{self, RecordConfig, Target},
};

pub(super) fn trace(args: TraceArgs, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    let choice = super::args::Choice::default();
    let options = view_options(&args.select, &choice, &args.format, false, None, matches)?;
    let piped = args
        .format
        .output
        .as_deref()
        .is_some_and(|o| o.as_os_str().as_encoded_bytes().starts_with(b"|"));
    if piped {
        anyhow::bail!("trace -o: a file; pipe standard error instead");
    }
    // The text's file is made before anything runs: one refused (a
    // symlink, another user's file) stops here.
    let text = args
        .format
        .output
        .as_deref()
        .map(|path| Output::create(path, Kind::Text))
        .transpose()?;
    let text_file = text.as_ref().map(|t| t.take_file()).transpose()?;
    let scratch = match &args.save {
        Some(_) => None,
        None => Some(Scratch::new()?),
    };
    let recording = match (&args.save, &scratch) {
        (Some(save), _) => save.clone(),
        (None, Some(scratch)) => scratch.0.join("trace.bin"),
        (None, None) => unreachable!("a scratch directory without --save"),
    };
    let target = if args.all {
        Target::All
    } else if !args.attach.is_empty() {
        Target::Pids(args.attach.clone())
    } else {
        Target::Command(args.command.clone())
    };
    // The printer runs on a thread of its own once the recorder hands it
    // the file; what it did comes back by the channel.
    let (printed, done) = mpsc::channel();
    let printer_options = options.clone();
    let attached = args.attach.clone();
    let lines = !args.summary.only;
    let started = move |file: File| {
        std::thread::spawn(move || {
            let result = print(file, &printer_options, lines, text_file, &attached);
            let _ = printed.send(result);
        });
    };
    let recorded = record::record(RecordConfig {
        output: recording.clone(),
        snaplen: args.snaplen,
        target,
        duration: args.duration,
        user: args.user.clone(),
        buffer_bytes: args.buffer_size,
        keep: record::Keep {
            // -k, as strace -k: unwound with the programs' call frame info,
            // which works on binaries built without frame pointers.
            stacks: (options.stacks).then_some(crate::loader::StackChoice::Dwarf {
                bytes: super::args::DWARF_STACK_BYTES,
            }),
            ..record::Keep::default()
        },
        started: Some(Box::new(started)),
        kept: args.save.is_some(),
    });
    // The recorder is done with the file (or failed): the printer ends
    // once it printed the rest.
    let recorded_at = Instant::now();
    let printed = done.recv().unwrap_or(Ok(()));
    let behind = recorded_at.elapsed();
    let recorded = recorded?;
    printed?;
    for pid in &args.attach {
        eprintln!("strace: Process {pid} detached");
    }
    let summary = &args.summary;
    if summary.only || summary.also {
        let trace = format::Trace::open(&recording)?;
        let columns = super::args::ColumnArg::columns(&summary.columns);
        let table = syscall_summary(&trace, &options, summary.sort.sort_by(), &columns)?;
        // Where the lines go, as strace -c -o puts it.
        match &text {
            Some(text) => text
                .file()
                .write_all(table.as_bytes())
                .context("writing the output")?,
            None => eprint!("{table}"),
        }
    }
    if let Some(text) = text {
        text.commit()?;
    }
    // Nothing is lost to a slow output (the printer reads the recording at
    // its own pace), but the lines came late: say so.
    let late = match behind > LATE {
        true => format!(
            "; the output ran {:.1} s behind the program (slower than it: -o FILE keeps up)",
            behind.as_secs_f64()
        ),
        false => String::new(),
    };
    eprintln!("{}{late}", recorded.summary);
    drop(scratch);
    Ok(ExitCode::from(recorded.status))
}

/// How long printing may go on after the recording ended before the
/// summary says the output fell behind (its last chunk takes moments).
const LATE: Duration = Duration::from_millis(500);

/// Follows the recording in `file` and prints it (without `lines`, `-c`:
/// nothing as it runs), until the recorder finished it or is gone.
fn print(
    file: File,
    options: &analyze::ShowOptions,
    lines: bool,
    text: Option<File>,
    attached: &[u32],
) -> anyhow::Result<()> {
    for pid in attached {
        eprintln!("strace: Process {pid} attached");
    }
    // The recorder's descriptor writes; read through one of our own (its
    // lock, apart from the recorder's, tells when the recorder is done).
    let file = {
        use std::os::fd::AsRawFd as _;
        File::open(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .context("reading the recording")?
    };
    let follow =
        format::Follow::start(file.try_clone()?)?.context("the recording has no header")?;
    if !lines {
        while follow.poll(|_| {})? == format::Progress::Growing
            && !crate::output::writer_done(&file)
        {
            std::thread::sleep(super::POLL);
        }
        return Ok(());
    }
    let mut out: Box<dyn std::io::Write> = match text {
        Some(file) => Box::new(std::io::BufWriter::new(file)),
        None => Box::new(std::io::BufWriter::new(std::io::stderr().lock())),
    };
    follow_into(&follow, &file, options, &mut out)?;
    out.flush().context("writing the output")
}

/// A directory of our own for a recording nobody keeps: created by
/// mkdtemp (mode 0700, never one that existed), removed with what is in it.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Self> {
        use std::os::unix::ffi::OsStringExt as _;
        let mut template = std::env::temp_dir()
            .join("systrace-trace-XXXXXX")
            .into_os_string()
            .into_vec();
        template.push(0);
        // SAFETY: a NUL-terminated template that mkdtemp fills in place.
        let made = unsafe { libc::mkdtemp(template.as_mut_ptr().cast()) };
        if made.is_null() {
            return Err(std::io::Error::last_os_error()).context("making a scratch directory");
        }
        template.pop();
        Ok(Scratch(PathBuf::from(std::ffi::OsString::from_vec(
            template,
        ))))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
