//! Individual-level data per resident and year: `residents.parquet` (or `residents.csv`), one
//! row per resident and calendar year they lived here, with their home, their acts of the year
//! and their state at its end. Each replicate writes a part file as it finishes; the parts are
//! joined in replicate order, so the file is byte-identical at any thread count.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use parquet::data_type::{ByteArray, ByteArrayType, FloatType, Int32Type, Int64Type};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::agents::{AgentsFormat, join_csv, join_parquet, writer_properties};
use crate::model::mechanisms::all_act_kinds;
use crate::simulate::{PersonYears, Tally, YearEnd};

/// The columns before the acts: who, which year, where they live, when they came and went.
const FIXED: [(&str, &str); 11] = [
    ("replicate", "REQUIRED INT32 replicate (INTEGER(32, false))"),
    ("resident", "REQUIRED INT32 resident (INTEGER(32, false))"),
    ("year", "REQUIRED INT32 year"),
    ("cohort", "REQUIRED BYTE_ARRAY cohort (UTF8)"),
    ("age_band", "REQUIRED BYTE_ARRAY age_band (UTF8)"),
    ("household", "REQUIRED INT32 household (INTEGER(32, false))"),
    ("building", "REQUIRED INT32 building (INTEGER(32, false))"),
    ("compound", "REQUIRED INT32 compound (INTEGER(32, false))"),
    ("moved_in_day", "REQUIRED INT32 moved_in_day"),
    ("moved_out_day", "OPTIONAL INT32 moved_out_day"),
    ("tenure_days", "REQUIRED INT32 tenure_days"),
];

/// The state columns, at the end of the year (empty for a resident who had moved out).
const STATES: [&str; 5] = ["trust", "attachment", "habit", "intrinsic", "awareness"];

fn state(end: &YearEnd, k: usize) -> f32 {
    [end.trust, end.attachment, end.habit, end.intrinsic, end.awareness][k]
}

/// The name of each tally's column: the kind of act (a count), or `<kind>_sum` (points).
fn tally_names() -> Vec<String> {
    let kinds = all_act_kinds();
    let name = |t: &Tally| kinds.iter().find(|(k, _)| *k == t.kind).map_or("unknown", |(_, n)| n);
    Tally::every_kind().iter().map(|t| if t.sum { format!("{}_sum", name(t)) } else { name(t).to_string() }).collect()
}

/// Every column name, in order.
pub fn columns() -> Vec<String> {
    let fixed = FIXED.iter().map(|(name, _)| name.to_string());
    fixed.chain(tally_names()).chain(STATES.iter().map(|s| s.to_string())).collect()
}

fn schema() -> String {
    let mut lines: Vec<String> = FIXED.iter().map(|(_, line)| format!("  {line};")).collect();
    lines.extend(tally_names().iter().map(|name| format!("  REQUIRED INT64 {name};")));
    lines.extend(STATES.iter().map(|name| format!("  OPTIONAL FLOAT {name};")));
    format!("message residents {{\n{}\n}}", lines.join("\n"))
}

/// One column's values, with definition levels for optional columns (0 = empty).
enum Values {
    Int(Vec<i32>, Option<Vec<i16>>),
    Long(Vec<i64>),
    Text(Vec<ByteArray>),
    Float(Vec<f32>, Vec<i16>),
}

/// The rows of one replicate's table, column by column.
struct Table {
    columns: Vec<Values>,
    rows: usize,
}

fn table(replicate: u32, people: &PersonYears) -> Table {
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for p in 0..people.persons().len() {
        rows.extend((0..people.years.len()).filter(|&y| people.lived_here_in(p, y)).map(|y| (p, y)));
    }
    let ints = |f: &dyn Fn(usize, usize) -> i32| Values::Int(rows.iter().map(|&(p, y)| f(p, y)).collect(), None);
    let text = |f: &dyn Fn(usize) -> &'static str| {
        Values::Text(rows.iter().map(|&(p, _)| ByteArray::from(f(p).as_bytes().to_vec())).collect())
    };
    let person = |p: usize| &people.persons()[p];
    let record_from = people.record_from();
    let moved_in = |p: usize| person(p).move_in_day - record_from;
    let moved_out: Vec<Option<i32>> = rows.iter().map(|&(p, _)| people.left_on(p).map(|d| d as i32)).collect();
    let mut columns = vec![
        ints(&|_, _| replicate as i32),
        ints(&|p, _| p as i32),
        ints(&|_, y| people.years[y]),
        text(&|p| person(p).cohort.name()),
        text(&|p| person(p).age_band.name()),
        ints(&|p, _| person(p).household as i32),
        ints(&|p, _| person(p).building as i32),
        ints(&|p, _| person(p).compound as i32),
        ints(&|p, _| moved_in(p)),
        Values::Int(moved_out.iter().flatten().copied().collect(), Some(levels(moved_out.iter().map(Option::is_some)))),
        ints(&|p, y| {
            let (_, last) = people.year_days(y);
            let end = people.left_on(p).map_or(last as i32, |left| left.min(last) as i32);
            end - moved_in(p)
        }),
    ];
    for tally in Tally::every_kind() {
        let t = people.position(tally);
        let value = |p, y| t.map_or(0, |t| people.value(p, y, t) as i64);
        columns.push(Values::Long(rows.iter().map(|&(p, y)| value(p, y)).collect()));
    }
    for k in 0..STATES.len() {
        let ends: Vec<Option<YearEnd>> = rows.iter().map(|&(p, y)| people.year_end(p, y)).collect();
        let values = ends.iter().flatten().map(|end| state(end, k)).collect();
        columns.push(Values::Float(values, levels(ends.iter().map(Option::is_some))));
    }
    Table { columns, rows: rows.len() }
}

fn levels(present: impl Iterator<Item = bool>) -> Vec<i16> {
    present.map(i16::from).collect()
}

/// Writes each replicate's part and joins them.
pub struct ResidentsTable {
    format: AgentsFormat,
    dir: PathBuf,
    error: Arc<Mutex<Option<String>>>,
}

impl ResidentsTable {
    /// A table whose part files go to `dir` (the staging folder).
    pub fn new(format: AgentsFormat, dir: &Path) -> ResidentsTable {
        ResidentsTable { format, dir: dir.to_path_buf(), error: Arc::default() }
    }

    /// The file the table is written to.
    pub fn file_name(&self) -> &'static str {
        match self.format {
            AgentsFormat::Parquet => "residents.parquet",
            AgentsFormat::Csv => "residents.csv",
        }
    }

    fn part_path(&self, replicate: u32) -> PathBuf {
        self.dir.join(format!(".residents-part-{replicate:08}"))
    }

    /// Writes replicate `replicate`'s rows to its part file (an error is reported by `join`).
    pub fn write_part(&self, replicate: u32, people: &PersonYears) {
        let path = self.part_path(replicate);
        let table = table(replicate, people);
        let result = match self.format {
            AgentsFormat::Parquet => write_parquet(&path, &table),
            AgentsFormat::Csv => write_csv(&path, &table),
        };
        if let Err(error) = result
            && let Ok(mut first) = self.error.lock()
        {
            first.get_or_insert_with(|| format!("{}: {error:#}", path.display()));
        }
    }

    /// Joins the parts of `replicates` (in that order) into `out` and removes them.
    pub fn join(&self, replicates: &[u32], out: &Path) -> anyhow::Result<()> {
        if let Some(error) = self.error.lock().map_err(|_| anyhow::anyhow!("a residents writer panicked"))?.take() {
            anyhow::bail!("cannot write the residents table: {error}");
        }
        let parts: Vec<PathBuf> = replicates.iter().map(|&r| self.part_path(r)).collect();
        match self.format {
            AgentsFormat::Parquet => join_parquet(&schema(), &parts, out)?,
            AgentsFormat::Csv => join_csv(&columns().join(","), &parts, out)?,
        }
        for part in parts {
            std::fs::remove_file(&part).with_context(|| format!("cannot remove {}", part.display()))?;
        }
        Ok(())
    }
}

fn write_parquet(path: &Path, table: &Table) -> anyhow::Result<()> {
    let schema = Arc::new(parse_message_type(&schema())?);
    let mut writer = SerializedFileWriter::new(BufWriter::new(File::create(path)?), schema, writer_properties())?;
    let mut group = writer.next_row_group()?;
    let mut values = table.columns.iter();
    while let Some(mut column) = group.next_column()? {
        match values.next().context("a column without values")? {
            Values::Int(v, levels) => column.typed::<Int32Type>().write_batch(v, levels.as_deref(), None)?,
            Values::Long(v) => column.typed::<Int64Type>().write_batch(v, None, None)?,
            Values::Text(v) => column.typed::<ByteArrayType>().write_batch(v, None, None)?,
            Values::Float(v, levels) => column.typed::<FloatType>().write_batch(v, Some(levels), None)?,
        };
        column.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}

fn write_csv(path: &Path, table: &Table) -> anyhow::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    // Optional columns hold only their present values: walk them with a cursor each.
    let mut cursors = vec![0usize; table.columns.len()];
    for row in 0..table.rows {
        let mut fields = Vec::with_capacity(table.columns.len());
        for (c, values) in table.columns.iter().enumerate() {
            fields.push(field(values, row, &mut cursors[c]));
        }
        writeln!(out, "{}", fields.join(","))?;
    }
    out.flush()?;
    Ok(())
}

fn field(values: &Values, row: usize, cursor: &mut usize) -> String {
    let mut next_present = |levels: &[i16], show: &dyn Fn(usize) -> String| {
        if levels[row] == 0 {
            return String::new();
        }
        *cursor += 1;
        show(*cursor - 1)
    };
    match values {
        Values::Int(v, None) => v[row].to_string(),
        Values::Int(v, Some(levels)) => next_present(levels, &|k| v[k].to_string()),
        Values::Long(v) => v[row].to_string(),
        Values::Text(v) => String::from_utf8_lossy(v[row].data()).into_owned(),
        Values::Float(v, levels) => next_present(levels, &|k| v[k].to_string()),
    }
}
