//! Individual-level data: `events.parquet` (or `events.csv`), one row per act of a resident.
//! Each replicate streams its acts to a part file in the staging folder while it runs, in
//! row groups of bounded size; the parts are then joined in replicate order into one file,
//! byte-identical at any thread count.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use parquet::column::writer::ColumnCloseResult;
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::model::core::acts::ActKind;
use crate::model::mechanisms::all_act_kinds;
use crate::simulate::{ActSink, PersonAct};

/// The columns of the event log, in order.
pub const EVENT_COLUMNS: [&str; 7] = ["replicate", "day", "resident", "cohort", "age_band", "kind", "value"];

/// The Parquet schema of the event log.
const EVENT_SCHEMA: &str = "message events {
  REQUIRED INT32 replicate (INTEGER(32, false));
  REQUIRED INT32 day (INTEGER(32, false));
  REQUIRED INT32 resident (INTEGER(32, false));
  REQUIRED BYTE_ARRAY cohort (UTF8);
  REQUIRED BYTE_ARRAY age_band (UTF8);
  REQUIRED BYTE_ARRAY kind (UTF8);
  REQUIRED INT64 value;
}";

/// Rows kept before a row group is written: bounds a replicate's buffer to about 16 MB.
const ROW_GROUP_ROWS: usize = 1 << 20;

pub use crate::scenario::schema::AgentsFormat;

/// One buffered row (names are looked up when a row group is written).
type Row = PersonAct;

/// The first error a part writer met, reported after the run.
type FirstError = Arc<Mutex<Option<String>>>;

/// Writes the parts of one run and joins them.
pub struct EventLog {
    format: AgentsFormat,
    dir: PathBuf,
    error: FirstError,
}

impl EventLog {
    /// A log whose part files go to `dir` (the staging folder).
    pub fn new(format: AgentsFormat, dir: &Path) -> EventLog {
        EventLog { format, dir: dir.to_path_buf(), error: Arc::default() }
    }

    fn part_path(&self, replicate: u32) -> PathBuf {
        self.dir.join(format!(".events-part-{replicate:08}"))
    }

    /// The sink of replicate `replicate`.
    pub fn sink(&self, replicate: u32) -> Box<dyn ActSink> {
        Box::new(PartWriter {
            format: self.format,
            replicate,
            path: self.part_path(replicate),
            rows: Vec::new(),
            parquet: None,
            csv: None,
            error: Arc::clone(&self.error),
            names: kind_names(),
        })
    }

    /// Joins the parts of `replicates` (in that order) into `out` and removes them.
    pub fn join(&self, replicates: &[u32], out: &Path) -> anyhow::Result<()> {
        if let Some(error) = self.error.lock().map_err(|_| anyhow::anyhow!("an event writer panicked"))?.take() {
            anyhow::bail!("cannot write the event log: {error}");
        }
        let parts: Vec<PathBuf> = replicates.iter().map(|&r| self.part_path(r)).collect();
        match self.format {
            AgentsFormat::Parquet => join_parquet(EVENT_SCHEMA, &parts, out)?,
            AgentsFormat::Csv => join_csv(&EVENT_COLUMNS.join(","), &parts, out)?,
        }
        for part in parts {
            std::fs::remove_file(&part).with_context(|| format!("cannot remove {}", part.display()))?;
        }
        Ok(())
    }
}

/// The name of every kind of act, by number.
fn kind_names() -> Vec<&'static str> {
    let kinds = all_act_kinds();
    let largest = kinds.iter().map(|(ActKind(k), _)| usize::from(*k)).max().unwrap_or(0);
    let mut names = vec![""; largest + 1];
    for (ActKind(k), name) in kinds {
        names[usize::from(k)] = name;
    }
    names
}

/// One replicate's part file, written while the replicate runs.
struct PartWriter {
    format: AgentsFormat,
    replicate: u32,
    path: PathBuf,
    rows: Vec<Row>,
    parquet: Option<SerializedFileWriter<BufWriter<File>>>,
    csv: Option<BufWriter<File>>,
    error: FirstError,
    names: Vec<&'static str>,
}

impl ActSink for PartWriter {
    fn day(&mut self, _day: u32, acts: &[PersonAct]) {
        self.rows.extend_from_slice(acts);
        if self.rows.len() >= ROW_GROUP_ROWS {
            self.flush();
        }
    }

    fn finish(mut self: Box<Self>) {
        self.flush();
        let result = match self.format {
            AgentsFormat::Parquet => self.parquet_writer().and_then(|w| w.take().map_or(Ok(()), close_parquet)),
            AgentsFormat::Csv => self.csv_writer().and_then(|w| w.flush().map_err(Into::into)),
        };
        self.keep_error(result);
    }
}

impl PartWriter {
    /// Writes the buffered rows as one row group (or CSV lines).
    fn flush(&mut self) {
        let rows = std::mem::take(&mut self.rows);
        let result = match self.format {
            AgentsFormat::Parquet if rows.is_empty() => self.parquet_writer().map(|_| ()),
            AgentsFormat::Parquet => self.write_row_group(&rows),
            AgentsFormat::Csv => self.write_csv(&rows),
        };
        self.keep_error(result);
    }

    fn keep_error(&self, result: anyhow::Result<()>) {
        if let Err(error) = result
            && let Ok(mut first) = self.error.lock()
        {
            first.get_or_insert_with(|| format!("{}: {error:#}", self.path.display()));
        }
    }

    fn parquet_writer(&mut self) -> anyhow::Result<&mut Option<SerializedFileWriter<BufWriter<File>>>> {
        if self.parquet.is_none() {
            let file = File::create(&self.path)?;
            let schema = Arc::new(parse_message_type(EVENT_SCHEMA)?);
            self.parquet = Some(SerializedFileWriter::new(BufWriter::new(file), schema, writer_properties())?);
        }
        Ok(&mut self.parquet)
    }

    fn csv_writer(&mut self) -> anyhow::Result<&mut BufWriter<File>> {
        if self.csv.is_none() {
            self.csv = Some(BufWriter::new(File::create(&self.path)?));
        }
        Ok(self.csv.as_mut().expect("just opened"))
    }

    fn write_row_group(&mut self, rows: &[Row]) -> anyhow::Result<()> {
        let names = self.names.clone();
        let replicate = self.replicate as i32;
        let text = |name: &str| ByteArray::from(name.as_bytes().to_vec());
        let cohorts = crate::model::Cohort::ALL.map(|c| text(c.name()));
        let bands = crate::model::AgeBand::ALL.map(|a| text(a.name()));
        let kinds: Vec<ByteArray> = names.iter().map(|name| text(name)).collect();
        let writer = self.parquet_writer()?.as_mut().expect("just opened");
        let mut group = writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            match index {
                0 => column.typed::<Int32Type>().write_batch(&vec![replicate; rows.len()], None, None)?,
                1 => column.typed::<Int32Type>().write_batch(&ints(rows, |r| r.day), None, None)?,
                2 => column.typed::<Int32Type>().write_batch(&ints(rows, |r| r.person), None, None)?,
                3 => column.typed::<ByteArrayType>().write_batch(
                    &pick(rows, &cohorts, |r| r.cohort as u8),
                    None,
                    None,
                )?,
                4 => column.typed::<ByteArrayType>().write_batch(
                    &pick(rows, &bands, |r| r.age_band as u8),
                    None,
                    None,
                )?,
                5 => column.typed::<ByteArrayType>().write_batch(&pick(rows, &kinds, |r| r.kind.0), None, None)?,
                _ => column.typed::<Int64Type>().write_batch(&values(rows), None, None)?,
            };
            column.close()?;
            index += 1;
        }
        group.close()?;
        Ok(())
    }

    fn write_csv(&mut self, rows: &[Row]) -> anyhow::Result<()> {
        let (names, replicate) = (self.names.clone(), self.replicate);
        let out = self.csv_writer()?;
        for row in rows {
            let (cohort, band, kind) = (row.cohort.name(), row.age_band.name(), names[usize::from(row.kind.0)]);
            let (day, resident, value) = (row.day, row.person, value_of(row));
            writeln!(out, "{replicate},{day},{resident},{cohort},{band},{kind},{value}")?;
        }
        Ok(())
    }
}

/// How linli writes Parquet: statistics per column chunk, no page index (parts are joined by
/// copying column chunks, which carry no index), row groups of at most [`ROW_GROUP_ROWS`].
pub(super) fn writer_properties() -> Arc<WriterProperties> {
    let created_by = format!("linli {}", crate::VERSION);
    Arc::new(
        WriterProperties::builder()
            .set_created_by(created_by)
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_offset_index_disabled(true)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build(),
    )
}

fn close_parquet(writer: SerializedFileWriter<BufWriter<File>>) -> anyhow::Result<()> {
    writer.close()?;
    Ok(())
}

fn ints(rows: &[Row], f: impl Fn(&Row) -> u32) -> Vec<i32> {
    rows.iter().map(|r| f(r) as i32).collect()
}

fn pick(rows: &[Row], names: &[ByteArray], f: impl Fn(&Row) -> u8) -> Vec<ByteArray> {
    rows.iter().map(|r| names[usize::from(f(r))].clone()).collect()
}

fn values(rows: &[Row]) -> Vec<i64> {
    rows.iter().map(value_of).collect()
}

/// An act's value as written: -1 for "none" (`u64::MAX`, a grievance with no merchant).
fn value_of(act: &PersonAct) -> i64 {
    i64::try_from(act.value).unwrap_or(-1)
}

/// Joins Parquet parts of schema `schema` by copying their row groups' column chunks, in
/// order (no re-encoding).
pub(super) fn join_parquet(schema: &str, parts: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let schema = Arc::new(parse_message_type(schema)?);
    let file = File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut writer = SerializedFileWriter::new(BufWriter::new(file), schema, writer_properties())?;
    for part in parts {
        let input = File::open(part).with_context(|| format!("cannot read {}", part.display()))?;
        let metadata = ParquetMetaDataReader::new().parse_and_finish(&input)?;
        for group in metadata.row_groups() {
            let mut out_group = writer.next_row_group()?;
            for column in group.columns() {
                let close = ColumnCloseResult {
                    bytes_written: column.compressed_size() as u64,
                    rows_written: group.num_rows() as u64,
                    metadata: column.clone(),
                    bloom_filter: None,
                    column_index: None,
                    offset_index: None,
                };
                out_group.append_column(&input, close)?;
            }
            out_group.close()?;
        }
    }
    writer.close()?;
    Ok(())
}

/// Joins CSV parts (those that exist) under one header line.
pub(super) fn join_csv(header: &str, parts: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let file = File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut out_file = BufWriter::new(file);
    writeln!(out_file, "{header}")?;
    for part in parts {
        if part.exists() {
            let mut input = File::open(part).with_context(|| format!("cannot read {}", part.display()))?;
            std::io::copy(&mut input, &mut out_file)?;
        }
    }
    out_file.flush()?;
    Ok(())
}
