//! `export --parquet`: one row per call, and one per exec, exit, signal and
//! lost-events marker (`kind`), of one or more recordings, as one Parquet
//! table that DuckDB, Spark, Trino and pandas read, with `host` and `trace`
//! columns so that many recordings are one table ([`Layout::OneTable`]), or
//! one file per recording in a directory whose names carry them
//! ([`Layout::Partitioned`], see [`partition_dir`]).
//!
//! The replay's rows go into arrow's columns; at the end of a trace chunk
//! that brought enough of them, they become a row group, which a second
//! thread encodes and compresses (zstd) while the next is built. Memory is
//! bounded by a few row groups, not by the recordings. The layout
//! ([`SCHEMA_VERSION`], in the file's metadata) is documented in
//! `analyze/schema/calls.parquet.md`, in types Spark 3 reads without
//! options: signed integers (raw registers as INT64 bit patterns), times as
//! INT64 nanoseconds beside a microsecond UTC timestamp.

use std::{borrow::Cow, io::Write, path::PathBuf, sync::Arc, sync::mpsc};

use arrow_array::{
    ArrayRef, DictionaryArray, Int32Array, ListArray, RecordBatch, StringArray, StructArray,
    builder::{
        BinaryBuilder, BooleanBuilder, Int32Builder, Int64Builder, ListBuilder, NullBufferBuilder,
        OffsetBufferBuilder, StringBuilder, StringDictionaryBuilder, TimestampMicrosecondBuilder,
    },
    types::Int32Type,
};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use parquet::{
    arrow::{ArrowWriter, arrow_writer::ArrowWriterOptions},
    basic::{Compression, ZstdLevel},
    file::{
        metadata::KeyValue,
        properties::{EnabledStatistics, WriterProperties},
    },
    schema::types::ColumnPath,
};

use rustc_hash::FxHashMap;

use format::{ArchivedFileHeader, BodyRef, CaptureRef, CaptureStatus, EventRef, Trace};

use crate::{
    Call, Context, Error, Selection, ShowOptions, TraceSink, decode::signal_name,
    progress::with_progress, replay, status::ExitStatus, table::Arg,
};

/// The version of the table's layout: columns are only ever added.
pub const SCHEMA_VERSION: &str = "3";

/// A row group ends at the first end of a trace chunk once it holds this
/// many rows...
const GROUP_ROWS: usize = 64 << 10;
/// ...or here, whatever the chunks (the calls still open when a recording
/// stopped all come at its end).
const MAX_GROUP_ROWS: usize = 4 * GROUP_ROWS;

/// Where the recordings' `host` and `trace` go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Columns of the table: many recordings in one file.
    OneTable,
    /// The names of the directories the file is in (the Hive layout,
    /// [`partition_dir`]): the file has no such columns.
    Partitioned,
}

/// Where a recording's file goes in a [`Layout::Partitioned`] directory:
/// `host=NAME/trace=ID`, the host name escaped as Hive and Spark escape a
/// partition's value (`%XX` for control characters and `"#%'*/:=?\\{[]^`),
/// an empty one as `__HIVE_DEFAULT_PARTITION__` (read as NULL).
pub fn partition_dir(header: &ArchivedFileHeader) -> PathBuf {
    PathBuf::from(format!("host={}", partition_value(&header.hostname)))
        .join(format!("trace={}", header.id_text()))
}

fn partition_value(value: &str) -> String {
    if value.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".to_owned();
    }
    let escaped = |c: char| c.is_ascii_control() || "\"#%'*/:=?\\{[]^".contains(c);
    value.chars().fold(String::new(), |mut name, c| {
        if escaped(c) {
            name.push_str(&format!("%{:02X}", c as u32));
        } else {
            name.push(c);
        }
        name
    })
}

/// Writes the calls and process-life events of `traces` as one Parquet
/// table to `out`, each recording's as its options choose them and render
/// their arguments.
pub fn export_parquet<W: Write + Send>(
    traces: &[(Trace, ShowOptions)],
    layout: Layout,
    out: W,
) -> Result<(), Error> {
    let schema = schema(layout);
    // The file's schema is Parquet's own: a reader sees strings where the
    // rows were built as dictionaries.
    let options = ArrowWriterOptions::new()
        .with_properties(properties())
        .with_skip_arrow_metadata(true);
    let mut writer =
        ArrowWriter::try_new_with_options(out, schema.clone(), options).map_err(to_error)?;
    std::thread::scope(|scope| {
        let (groups, received) = mpsc::sync_channel::<Option<RecordBatch>>(0);
        // Encoding and compressing a row group takes as long as building
        // it: a thread of its own does it meanwhile. `None` says the rows
        // are all there; without it (the rows failed) no footer is written,
        // so that a reader never takes a cut table for a whole one. It
        // returns whether it wrote the footer.
        let encoder = scope.spawn(move || -> Result<bool, Error> {
            for group in received {
                let Some(group) = group else {
                    // `finish`, not `into_inner`: a write's error stays the
                    // I/O error it was (`into_inner` turns it to text).
                    writer.finish().map_err(to_error)?;
                    writer.inner_mut().flush()?;
                    return Ok(true);
                };
                writer.write(&group).map_err(to_error)?;
                writer.flush().map_err(to_error)?;
            }
            Ok(false)
        });
        // A bar on a terminal, ticked at each chunk's end.
        let chunks = traces
            .iter()
            .map(|(trace, opts)| trace.select(&opts.events).len() as u64)
            .sum();
        let built = with_progress(chunks, |tick| {
            let mut table = Table {
                schema,
                layout,
                groups,
                host: String::new(),
                trace: String::new(),
                rows: Rows::new(),
                tick,
            };
            traces
                .iter()
                .try_for_each(|(trace, opts)| table.add(trace, opts))
                .and_then(|()| table.finish())
        });
        let encoded = encoder
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The encoder's error first: the builder's is then only that the
        // encoder stopped.
        match (encoded?, built) {
            (true, Ok(())) => Ok(()),
            (_, Err(e)) => Err(e),
            (false, Ok(())) => Err(Error::Io(std::io::Error::other("no footer written"))),
        }
    })
}

/// The text columns of few values, dictionary-encoded (building a
/// dictionary for times, registers or arguments was most of the writing).
const FEW_VALUES: [&str; 9] = [
    "host",
    "trace",
    "kind",
    "process",
    "syscall",
    "errno",
    "fd_path",
    "fd_paths.list.item",
    "buffers.list.item.status",
];

/// The other text and bytes columns.
const MANY_VALUES: [&str; 3] = ["args.list.item", "buffers.list.item.data", "detail"];

/// The writer's properties: zstd, statistics and dictionaries where a
/// reader gains by them.
fn properties() -> WriterProperties {
    let builder = FEW_VALUES
        .into_iter()
        .fold(WriterProperties::builder(), |props, column| {
            props.set_column_dictionary_enabled(column_path(column), true)
        });
    // No minimum and maximum for text: computing them took a third of the
    // writing (a comparison per value, by the crate), and what a reader
    // skips row groups by is numbers (times, pids); a recording's rows are
    // its own row groups, found by the one value of their `trace`.
    FEW_VALUES
        .into_iter()
        .chain(MANY_VALUES)
        .fold(builder, |props, column| {
            props.set_column_statistics_enabled(column_path(column), EnabledStatistics::None)
        })
        .set_dictionary_enabled(false)
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(MAX_GROUP_ROWS))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "systrace.schema".to_owned(),
            SCHEMA_VERSION.to_owned(),
        )]))
        .build()
}

fn column_path(dotted: &str) -> ColumnPath {
    ColumnPath::new(dotted.split('.').map(str::to_owned).collect())
}

/// The table's columns, in order (see `calls.parquet.md`).
fn schema(layout: Layout) -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, true);
    let int64 = |name| Field::new(name, DataType::Int64, true);
    // Columns of few values are dictionaries in memory, plain strings to
    // a reader.
    let few = |name, nullable| Field::new(name, dictionary(), nullable);
    let mut fields = match layout {
        Layout::OneTable => vec![few("host", false), few("trace", false)],
        Layout::Partitioned => vec![],
    };
    fields.extend([
        few("kind", false),
        Field::new("pid", DataType::Int32, false),
        Field::new("tid", DataType::Int32, false),
        few("process", true),
        few("syscall", true),
        int64("nr"),
        Field::new("enter_ns", DataType::Int64, false),
        int64("exit_ns"),
        int64("duration_ns"),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
    ]);
    fields.extend((0..6).map(|i| Field::new(format!("arg{i}"), DataType::Int64, true)));
    fields.extend([
        Field::new(
            "args",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
        int64("ret"),
        few("errno", true),
        few("fd_path", true),
        int64("bytes"),
        Field::new("buffers", DataType::List(buffer_item()), true),
        text("detail"),
        // Version 3.
        Field::new(
            "fd_paths",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
    ]);
    Arc::new(Schema::new(fields))
}

fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// A captured buffer: which argument, taken at the call's entry or its
/// return, how much of it, and its bytes.
fn buffer_fields() -> Fields {
    Fields::from(vec![
        Field::new("arg", DataType::Int32, false),
        Field::new("at_exit", DataType::Boolean, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("data", DataType::Binary, true),
    ])
}

fn buffer_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(buffer_fields()), false))
}

/// The row groups being made, and where they go.
struct Table<'a> {
    schema: SchemaRef,
    layout: Layout,
    groups: mpsc::SyncSender<Option<RecordBatch>>,
    /// The recording's host and id, the same in every row of a group.
    host: String,
    trace: String,
    rows: Rows,
    /// Moves the progress bar a chunk on.
    tick: &'a (dyn Fn() + Sync),
}

impl Table<'_> {
    /// Adds one recording's rows; its last ones end a row group.
    fn add(&mut self, trace: &Trace, opts: &ShowOptions) -> Result<(), Error> {
        let header = trace.header();
        self.host = header.hostname.to_string();
        self.trace = header.id_text();
        let mut sink = TraceRows {
            table: self,
            opts,
            anchor: header.clock.to_native(),
        };
        // Process names and descriptors' paths are columns of their own.
        let selection = Selection {
            follow_fds: true,
            follow_comms: true,
            ..opts.selection()
        };
        replay(trace, &selection, &mut sink)?;
        self.end_group()
    }

    fn row_done(&mut self) -> Result<(), Error> {
        self.rows.len += 1;
        if self.rows.len >= MAX_GROUP_ROWS {
            self.end_group()?;
        }
        Ok(())
    }

    /// Hands the rows so far to the encoder as a row group.
    fn end_group(&mut self) -> Result<(), Error> {
        if self.rows.len == 0 {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.rows, Rows::new());
        let source = match self.layout {
            Layout::OneTable => Some((self.host.as_str(), self.trace.as_str())),
            Layout::Partitioned => None,
        };
        let batch = rows.into_batch(&self.schema, source)?;
        self.send(Some(batch))
    }

    /// The rows are all there: the encoder writes the footer.
    fn finish(&mut self) -> Result<(), Error> {
        self.send(None)
    }

    fn send(&self, group: Option<RecordBatch>) -> Result<(), Error> {
        // A closed channel: the encoder failed, and says why when joined.
        self.groups
            .send(group)
            .map_err(|_| Error::Io(std::io::Error::other("the Parquet encoder stopped")))
    }
}

type Few = StringDictionaryBuilder<Int32Type>;

/// What a row is (the `kind` column, whose dictionary is [`RowKind::NAMES`]
/// in every row group: a row's key is its kind's number).
#[derive(Clone, Copy)]
enum RowKind {
    Call,
    Exec,
    Exit,
    Signal,
    Lost,
}

impl RowKind {
    const NAMES: [&str; 5] = ["call", "exec", "exit", "signal", "lost"];
}

/// A dictionary column whose values a number names (a syscall's, an
/// error's): a value's key is found by its number, and its text is looked
/// at only the first time in a row group.
#[derive(Default)]
struct Keyed {
    keys: Int32Builder,
    values: StringBuilder,
    by_number: FxHashMap<i64, i32>,
}

impl Keyed {
    fn append<S: AsRef<str>>(&mut self, number: i64, text: impl FnOnce() -> S) {
        let next = self.by_number.len() as i32;
        let key = *self.by_number.entry(number).or_insert_with(|| {
            self.values.append_value(text());
            next
        });
        self.keys.append_value(key);
    }

    fn append_null(&mut self) {
        self.keys.append_null();
    }

    fn finish(mut self) -> Result<ArrayRef, Error> {
        dictionary_array(self.keys.finish(), self.values.finish())
    }
}

fn dictionary_array(keys: Int32Array, values: StringArray) -> Result<ArrayRef, Error> {
    let array = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
        .map_err(|e| to_error(e.into()))?;
    Ok(Arc::new(array))
}

/// The rows of a row group, column by column.
struct Rows {
    len: usize,
    kind: Int32Builder,
    pid: Int32Builder,
    tid: Int32Builder,
    process: Few,
    syscall: Keyed,
    nr: Int64Builder,
    enter_ns: Int64Builder,
    exit_ns: Int64Builder,
    duration_ns: Int64Builder,
    time: TimestampMicrosecondBuilder,
    registers: [Int64Builder; 6],
    args: ListBuilder<StringBuilder>,
    ret: Int64Builder,
    errno: Keyed,
    fd_path: Few,
    fd_paths: ListBuilder<StringBuilder>,
    bytes: Int64Builder,
    buffers: Buffers,
    detail: StringBuilder,
}

impl Rows {
    /// Room for a row group, so that the columns do not grow by copying.
    fn new() -> Self {
        let rows = GROUP_ROWS + GROUP_ROWS / 2;
        let int64 = || Int64Builder::with_capacity(rows);
        let int32 = || Int32Builder::with_capacity(rows);
        let few = || Few::with_capacity(rows, 256, 4096);
        let keyed = || Keyed {
            keys: int32(),
            ..Keyed::default()
        };
        Self {
            len: 0,
            kind: int32(),
            pid: int32(),
            tid: int32(),
            process: few(),
            syscall: keyed(),
            nr: int64(),
            enter_ns: int64(),
            exit_ns: int64(),
            duration_ns: int64(),
            time: TimestampMicrosecondBuilder::with_capacity(rows),
            registers: std::array::from_fn(|_| int64()),
            args: ListBuilder::with_capacity(
                StringBuilder::with_capacity(3 * rows, 16 * rows),
                rows,
            ),
            ret: int64(),
            errno: keyed(),
            fd_path: few(),
            fd_paths: ListBuilder::with_capacity(
                StringBuilder::with_capacity(rows, 16 * rows),
                rows,
            ),
            bytes: int64(),
            buffers: Buffers::default(),
            detail: StringBuilder::new(),
        }
    }

    /// The rows as a batch, with `host` and `trace` columns if `source`
    /// gives them.
    fn into_batch(
        mut self,
        schema: &SchemaRef,
        source: Option<(&str, &str)>,
    ) -> Result<RecordBatch, Error> {
        let same = |value: &str| {
            let keys = Int32Array::from(vec![0; self.len]);
            dictionary_array(keys, StringArray::from(vec![value]))
        };
        let mut columns: Vec<ArrayRef> = match source {
            Some((host, trace)) => vec![same(host)?, same(trace)?],
            None => vec![],
        };
        columns.extend([
            dictionary_array(
                self.kind.finish(),
                StringArray::from(RowKind::NAMES.to_vec()),
            )?,
            Arc::new(self.pid.finish()),
            Arc::new(self.tid.finish()),
            Arc::new(self.process.finish()),
            self.syscall.finish()?,
            Arc::new(self.nr.finish()),
            Arc::new(self.enter_ns.finish()),
            Arc::new(self.exit_ns.finish()),
            Arc::new(self.duration_ns.finish()),
            Arc::new(self.time.finish().with_timezone("UTC")),
        ]);
        columns.extend(
            self.registers
                .iter_mut()
                .map(|r| Arc::new(r.finish()) as ArrayRef),
        );
        columns.extend([
            Arc::new(self.args.finish()) as ArrayRef,
            Arc::new(self.ret.finish()),
            self.errno.finish()?,
            Arc::new(self.fd_path.finish()),
            Arc::new(self.bytes.finish()),
            self.buffers.finish()?,
            Arc::new(self.detail.finish()),
            Arc::new(self.fd_paths.finish()),
        ]);
        RecordBatch::try_new(schema.clone(), columns).map_err(|e| to_error(e.into()))
    }
}

/// The `buffers` column: a list of captured buffers per row, built as its
/// parts (offsets, validity, the fields of the items).
struct Buffers {
    offsets: OffsetBufferBuilder<i32>,
    valid: NullBufferBuilder,
    arg: Int32Builder,
    at_exit: BooleanBuilder,
    status: StringBuilder,
    data: BinaryBuilder,
}

impl Default for Buffers {
    fn default() -> Self {
        Self {
            offsets: OffsetBufferBuilder::new(GROUP_ROWS),
            valid: NullBufferBuilder::new(GROUP_ROWS),
            arg: Int32Builder::default(),
            at_exit: BooleanBuilder::default(),
            status: StringBuilder::default(),
            data: BinaryBuilder::default(),
        }
    }
}

impl Buffers {
    /// A row's buffers: what the call's enter and exit captured of its
    /// arguments (not what the recorder notes beside them, such as
    /// descriptors' paths, which are columns of their own).
    fn append_call(&mut self, call: &Call<'_>) {
        let mut count = 0;
        let entered = match &call.enter.body {
            format::Body::SysEnter { captures, .. } => captures.as_slice(),
            _ => &[],
        };
        let entered = entered.iter().map(|c| {
            let capture = CaptureRef {
                arg: c.arg,
                status: c.status,
                data: &c.data,
            };
            (false, capture)
        });
        let returned = match call.exit.map(|exit| exit.body) {
            Some(BodyRef::SysExit { captures, .. }) => Some(captures),
            _ => None,
        };
        let returned = returned.into_iter().flatten().map(|c| (true, c));
        for (at_exit, capture) in entered.chain(returned) {
            if capture.arg >= 6 {
                continue;
            }
            self.arg.append_value(i32::from(capture.arg));
            self.at_exit.append_value(at_exit);
            let (status, data) = match capture.status {
                CaptureStatus::Complete => ("complete", Some(capture.data)),
                CaptureStatus::Partial => ("partial", Some(capture.data)),
                CaptureStatus::Fault => ("fault", None),
            };
            self.status.append_value(status);
            self.data.append_option(data);
            count += 1;
        }
        self.offsets.push_length(count);
        self.valid.append_non_null();
    }

    fn append_null(&mut self) {
        self.offsets.push_length(0);
        self.valid.append_null();
    }

    fn finish(mut self) -> Result<ArrayRef, Error> {
        let items = StructArray::try_new(
            buffer_fields(),
            vec![
                Arc::new(self.arg.finish()),
                Arc::new(self.at_exit.finish()),
                Arc::new(self.status.finish()),
                Arc::new(self.data.finish()),
            ],
            None,
        )
        .map_err(|e| to_error(e.into()))?;
        let list = ListArray::try_new(
            buffer_item(),
            self.offsets.finish(),
            Arc::new(items),
            self.valid.finish(),
        )
        .map_err(|e| to_error(e.into()))?;
        Ok(Arc::new(list))
    }
}

/// One recording's rows, as its replay hands them over.
struct TraceRows<'a, 't> {
    table: &'a mut Table<'t>,
    opts: &'a ShowOptions,
    anchor: format::ClockAnchor,
}

impl TraceRows<'_, '_> {
    /// The columns every row has: what kind, which task, when.
    fn common(&mut self, kind: RowKind, pid: u32, tid: u32, ts: u64, process: Option<&str>) {
        let rows = &mut self.table.rows;
        let unix_ns = self.anchor.unix_ns(ts);
        rows.kind.append_value(kind as i32);
        rows.pid.append_value(pid as i32);
        rows.tid.append_value(tid as i32);
        rows.process.append_option(process);
        rows.enter_ns.append_value(unix_ns);
        rows.time.append_value(unix_ns.div_euclid(1000));
    }

    fn call_row(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        self.row_of(call)
    }

    fn row_of(&mut self, call: &Call<'_>) -> Result<(), Error> {
        let enter = call.enter;
        let process = call.context.tasks.comm(enter.tid);
        self.common(RowKind::Call, enter.pid, enter.tid, enter.ts, process);
        let rows = &mut self.table.rows;
        rows.syscall.append(call.nr, || &call.name);
        rows.nr.append_value(call.nr);
        let exit_ns = call.exit.map(|e| self.anchor.unix_ns(e.ts));
        rows.exit_ns.append_option(exit_ns);
        rows.duration_ns
            .append_option(call.exit.map(|e| e.ts.saturating_sub(enter.ts) as i64));
        let registers = match &enter.body {
            format::Body::SysEnter { args, .. } => Some(args),
            _ => None,
        };
        for (i, column) in rows.registers.iter_mut().enumerate() {
            column.append_option(registers.map(|args| args[i] as i64));
        }
        let texts = rows.args.values();
        match call.view() {
            Some(view) => view.each_arg_text(&self.opts.decoding(&call.name), |text| {
                texts.append_value(text)
            }),
            None => registers
                .into_iter()
                .flatten()
                .for_each(|value| texts.append_value(format!("{value:#x}"))),
        }
        rows.args.append(true);
        let ret = call.ret();
        rows.ret.append_option(ret);
        match ret.filter(|&r| crate::syscalls::failed(r)) {
            // An error without a name is its number.
            Some(error) => rows
                .errno
                .append(error, || match crate::syscalls::errno_name(error) {
                    Some(name) => Cow::Borrowed(name),
                    None => Cow::Owned((-error).to_string()),
                }),
            None => rows.errno.append_null(),
        }
        let paths = rows.fd_paths.values();
        let mut first = None;
        for (i, path) in fd_paths(call).enumerate() {
            paths.append_option(path.as_deref());
            if i == 0 {
                first = path;
            }
        }
        rows.fd_paths.append(true);
        rows.fd_path.append_option(first.as_deref());
        let moved = call
            .syscall
            .and_then(|s| s.io())
            .and(ret)
            .filter(|r| *r >= 0);
        rows.bytes.append_option(moved);
        rows.buffers.append_call(call);
        rows.detail.append_null();
        self.table.row_done()
    }

    fn event_row(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        let (kind, detail) = match &event.body {
            BodyRef::Exec { argv, .. } => {
                let argv: Vec<_> = (*argv).map(String::from_utf8_lossy).collect();
                (RowKind::Exec, argv.join(" "))
            }
            &BodyRef::TaskExit { status } => (RowKind::Exit, ExitStatus(status).to_string()),
            &BodyRef::Signal { signo, .. } => (RowKind::Signal, signal_name(signo as u32)),
            &BodyRef::Lost { count } => (RowKind::Lost, format!("{count} events lost")),
            _ => return Ok(()),
        };
        let process = context.tasks.comm(event.tid);
        self.common(kind, event.pid, event.tid, event.ts, process);
        let rows = &mut self.table.rows;
        rows.syscall.append_null();
        rows.nr.append_null();
        rows.exit_ns.append_null();
        rows.duration_ns.append_null();
        rows.registers.iter_mut().for_each(|r| r.append_null());
        rows.args.append_null();
        rows.ret.append_null();
        rows.errno.append_null();
        rows.fd_path.append_null();
        rows.fd_paths.append_null();
        rows.bytes.append_null();
        rows.buffers.append_null();
        rows.detail.append_value(detail);
        self.table.row_done()
    }
}

impl TraceSink for TraceRows<'_, '_> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.call_row(call)
    }

    /// A row with no result (exit_group).
    fn unreturned(&mut self, call: &Call<'_>, _end: &EventRef<'_>) -> Result<(), Error> {
        self.call_row(call)
    }

    /// A row with no result: its exit was lost.
    fn unavailable(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.call_row(call)
    }

    /// A row with no result: still in progress when the recording stopped
    /// (a table has it unless `-e status=` leaves `detached` out; strace's
    /// text prints it only when asked).
    fn detached(&mut self, call: &Call<'_>) -> Result<(), Error> {
        let wanted = self
            .opts
            .calls
            .status
            .contains(&crate::select::Status::Detached);
        if !call.selected || !wanted {
            return Ok(());
        }
        self.row_of(call)
    }

    fn event(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        self.event_row(event, context)
    }

    /// Row groups end where chunks do, so that each holds a stretch of the
    /// recording's time.
    fn chunk_end(&mut self) -> Result<(), Error> {
        (self.table.tick)();
        if self.table.rows.len >= GROUP_ROWS {
            self.table.end_group()?;
        }
        Ok(())
    }
}

/// What each of the call's descriptor arguments refers to, as `-y` names
/// it, in argument order: `None` where that is not known (or AT_FDCWD).
fn fd_paths<'a>(call: &Call<'a>) -> impl Iterator<Item = Option<Cow<'a, str>>> {
    let fds = call.fds;
    let args = match &call.enter.body {
        format::Body::SysEnter { args, .. } => Some(args),
        _ => None,
    };
    let descriptors = call
        .syscall
        .into_iter()
        .flat_map(|s| s.args.iter().enumerate());
    descriptors
        .filter(|(_, arg)| matches!(arg, Arg::Fd | Arg::DirFd))
        .map(move |(at, _)| {
            let fd = args?[at] as i32 as i64;
            let entry = fds?.get(&fd).filter(|_| fd != crate::fds::AT_FDCWD)?;
            Some(String::from_utf8_lossy(&entry.name))
        })
}

/// A write's own I/O error as it was (`No space left on device`), others
/// as I/O errors of their own.
fn to_error(e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::Io(*io),
                Err(other) => Error::Io(std::io::Error::other(other)),
            }
        }
        e => Error::Io(std::io::Error::other(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::partition_value;

    #[test]
    fn host_names_are_escaped_as_hive_escapes_them() {
        for (host, name) in [
            ("vm", "vm"),
            ("build-7.example.com", "build-7.example.com"),
            ("", "__HIVE_DEFAULT_PARTITION__"),
            ("a b", "a b"),
            ("héte", "héte"),
            ("x/y", "x%2Fy"),
            ("a=b:c?", "a%3Db%3Ac%3F"),
            ("50%", "50%25"),
            ("tab\there", "tab%09here"),
            ("[x]^{y}", "%5Bx%5D%5E%7By}"),
        ] {
            assert_eq!(partition_value(host), name, "{host:?}");
        }
    }
}
