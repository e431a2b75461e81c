//! `export --parquet`: one row per call, and one per exec, exit, signal and
//! lost-events marker (`kind`), of one or more recordings, as one Parquet
//! table that DuckDB, Spark, Trino and pandas read, with `host` and `trace`
//! columns so that many recordings are one table. Rows are built in arrow's
//! columns and written a row group at a time (memory bounded by a row
//! group, not by the recordings), zstd-compressed. The layout
//! ([`SCHEMA_VERSION`], in the file's metadata) is documented in
//! `analyze/schema/calls.parquet.md`, in types Spark 3 reads without
//! options: signed integers (raw registers as INT64 bit patterns), times as
//! INT64 nanoseconds beside a microsecond UTC timestamp.

use std::{io::Write, sync::Arc};

use arrow_array::{
    ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray,
    builder::{
        Int32Builder, Int64Builder, ListBuilder, StringBuilder, StringDictionaryBuilder,
        TimestampMicrosecondBuilder,
    },
    types::Int32Type,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::{
    arrow::ArrowWriter,
    basic::{Compression, ZstdLevel},
    file::{metadata::KeyValue, properties::WriterProperties},
    schema::types::ColumnPath,
};

use format::{BodyRef, EventRef, Trace};

use crate::{
    Call, Context, Error, Selection, ShowOptions, TraceSink, decode::signal_name, replay,
    status::ExitStatus, table::Arg,
};

/// The version of the table's layout: columns are only ever added.
pub const SCHEMA_VERSION: &str = "1";

/// Rows per row group.
const GROUP_ROWS: usize = 64 << 10;

/// Writes the calls and process-life events of `traces` as one Parquet
/// table to `out`, each recording's as its options choose them and render
/// their arguments.
pub fn export_parquet<W: Write + Send>(
    traces: &[(Trace, ShowOptions)],
    out: W,
) -> Result<(), Error> {
    let mut table = Table::new(out)?;
    for (trace, opts) in traces {
        let header = trace.header();
        // A row group holds one recording's rows.
        table.write_rows()?;
        table.rows.host = header.hostname.to_string();
        table.rows.trace = header.id_text();
        let mut sink = TraceRows {
            table: &mut table,
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
    }
    table.close()
}

/// The Parquet file being written, and the rows of its next row group.
struct Table<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    rows: Rows,
}

impl<W: Write + Send> Table<W> {
    fn new(out: W) -> Result<Self, Error> {
        let schema = schema();
        // Dictionaries for the columns of few values only: building one
        // for times, registers or arguments was most of the writing.
        let few_values = [
            "host", "trace", "kind", "process", "syscall", "errno", "fd_path",
        ];
        let props = few_values
            .into_iter()
            .fold(WriterProperties::builder(), |props, column| {
                props.set_column_dictionary_enabled(ColumnPath::from(column), true)
            })
            .set_dictionary_enabled(false)
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(GROUP_ROWS))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                "systrace.schema".to_owned(),
                SCHEMA_VERSION.to_owned(),
            )]))
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(to_error)?;
        Ok(Self {
            writer,
            schema,
            rows: Rows::default(),
        })
    }

    /// Writes the rows out as a row group once there are enough of them.
    fn row_done(&mut self) -> Result<(), Error> {
        self.rows.len += 1;
        if self.rows.len >= GROUP_ROWS {
            self.write_rows()?;
        }
        Ok(())
    }

    fn write_rows(&mut self) -> Result<(), Error> {
        if self.rows.len == 0 {
            return Ok(());
        }
        let batch = self.rows.batch(&self.schema)?;
        self.writer.write(&batch).map_err(to_error)?;
        self.writer.flush().map_err(to_error)
    }

    /// Writes the last rows and the file's footer, and flushes it all.
    fn close(mut self) -> Result<(), Error> {
        self.write_rows()?;
        let mut out = self.writer.into_inner().map_err(to_error)?;
        out.flush()?;
        Ok(())
    }
}

/// The table's columns, in order (see `calls.parquet.md`).
fn schema() -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, true);
    let int64 = |name| Field::new(name, DataType::Int64, true);
    // Columns of few values are dictionaries in memory, plain strings to
    // a reader.
    let few = |name, nullable| Field::new(name, dictionary(), nullable);
    let mut fields = vec![
        few("host", false),
        few("trace", false),
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
    ];
    fields.extend((0..6).map(|i| Field::new(format!("arg{i}"), DataType::Int64, true)));
    fields.extend([
        Field::new(
            "args",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
        int64("ret"),
        few("errno", true),
        text("fd_path"),
        int64("bytes"),
        text("detail"),
    ]);
    Arc::new(Schema::new(fields))
}

fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

type Few = StringDictionaryBuilder<Int32Type>;

/// The rows of a row group, column by column; all of one recording (its
/// `host` and `trace`, the same in every row, are made at the end).
#[derive(Default)]
struct Rows {
    len: usize,
    host: String,
    trace: String,
    kind: Few,
    pid: Int32Builder,
    tid: Int32Builder,
    process: Few,
    syscall: Few,
    nr: Int64Builder,
    enter_ns: Int64Builder,
    exit_ns: Int64Builder,
    duration_ns: Int64Builder,
    time: TimestampMicrosecondBuilder,
    registers: [Int64Builder; 6],
    args: ListBuilder<StringBuilder>,
    ret: Int64Builder,
    errno: Few,
    fd_path: StringBuilder,
    bytes: Int64Builder,
    detail: StringBuilder,
}

impl Rows {
    /// The rows so far as a batch; the builders start over.
    fn batch(&mut self, schema: &SchemaRef) -> Result<RecordBatch, Error> {
        let utc = |b: &mut TimestampMicrosecondBuilder| b.finish().with_timezone("UTC");
        let same = |value: &str| -> ArrayRef {
            let keys = Int32Array::from(vec![0; self.len]);
            let values = Arc::new(StringArray::from(vec![value]));
            Arc::new(DictionaryArray::<Int32Type>::new(keys, values))
        };
        let mut columns: Vec<ArrayRef> = vec![
            same(&self.host),
            same(&self.trace),
            Arc::new(self.kind.finish()),
            Arc::new(self.pid.finish()),
            Arc::new(self.tid.finish()),
            Arc::new(self.process.finish()),
            Arc::new(self.syscall.finish()),
            Arc::new(self.nr.finish()),
            Arc::new(self.enter_ns.finish()),
            Arc::new(self.exit_ns.finish()),
            Arc::new(self.duration_ns.finish()),
            Arc::new(utc(&mut self.time)),
        ];
        columns.extend(
            self.registers
                .iter_mut()
                .map(|r| Arc::new(r.finish()) as ArrayRef),
        );
        columns.extend([
            Arc::new(self.args.finish()) as ArrayRef,
            Arc::new(self.ret.finish()),
            Arc::new(self.errno.finish()),
            Arc::new(self.fd_path.finish()),
            Arc::new(self.bytes.finish()),
            Arc::new(self.detail.finish()),
        ]);
        self.len = 0;
        RecordBatch::try_new(schema.clone(), columns).map_err(|e| to_error(e.into()))
    }
}

/// One recording's rows, as its replay hands them over.
struct TraceRows<'a, W: Write + Send> {
    table: &'a mut Table<W>,
    opts: &'a ShowOptions,
    anchor: format::ClockAnchor,
}

impl<W: Write + Send> TraceRows<'_, W> {
    /// The columns every row has: where, what kind, which task, when.
    fn common(&mut self, kind: &str, pid: u32, tid: u32, ts: u64, process: Option<&str>) {
        let rows = &mut self.table.rows;
        let unix_ns = self.anchor.unix_ns(ts);
        rows.kind.append_value(kind);
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
        let enter = call.enter;
        let process = call.context.tasks.comm(enter.tid);
        self.common("call", enter.pid, enter.tid, enter.ts, process);
        let rows = &mut self.table.rows;
        rows.syscall.append_value(&call.name);
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
        rows.errno
            .append_option(ret.and_then(crate::syscalls::errno).map(|(name, _)| name));
        rows.fd_path.append_option(fd_path(call));
        let moved = call
            .syscall
            .and_then(|s| s.io())
            .and(ret)
            .filter(|r| *r >= 0);
        rows.bytes.append_option(moved);
        rows.detail.append_null();
        self.table.row_done()
    }

    fn event_row(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        let (kind, detail) = match &event.body {
            BodyRef::Exec { argv, .. } => {
                let argv: Vec<_> = (*argv).map(String::from_utf8_lossy).collect();
                ("exec", argv.join(" "))
            }
            &BodyRef::TaskExit { status } => ("exit", ExitStatus(status).to_string()),
            &BodyRef::Signal { signo, .. } => ("signal", signal_name(signo as u32)),
            &BodyRef::Lost { count } => ("lost", format!("{count} events lost")),
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
        rows.bytes.append_null();
        rows.detail.append_value(detail);
        self.table.row_done()
    }
}

impl<W: Write + Send> TraceSink for TraceRows<'_, W> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.call_row(call)
    }

    /// A row with no result (exit_group).
    fn unreturned(&mut self, call: &Call<'_>, _end: &EventRef<'_>) -> Result<(), Error> {
        self.call_row(call)
    }

    fn event(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        self.event_row(event, context)
    }
}

/// What the call's first descriptor argument refers to, as `-y` names it.
fn fd_path(call: &Call<'_>) -> Option<String> {
    let (syscall, fds) = (call.syscall?, call.fds?);
    let format::Body::SysEnter { args, .. } = &call.enter.body else {
        return None;
    };
    let at = syscall
        .args
        .iter()
        .position(|a| matches!(a, Arg::Fd | Arg::DirFd))?;
    let fd = args[at] as i32 as i64;
    let entry = fds.get(&fd).filter(|_| fd != crate::fds::AT_FDCWD)?;
    Some(String::from_utf8_lossy(&entry.name).into_owned())
}

fn to_error(e: parquet::errors::ParquetError) -> Error {
    Error::Io(std::io::Error::other(e))
}
