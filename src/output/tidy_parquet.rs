//! A tidy CSV table as Parquet, for the workbench's downloads (read with pandas, polars or R
//! arrow): label columns (arm, group, metric, ...) are text whatever they hold, so a design
//! named "2" stays text; the others are integers, numbers or true/false as written by linli's
//! CSV writers; an empty cell is a null.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// What a column holds, the narrowest type every non-empty cell fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Integer,
    Number,
    Boolean,
    Text,
}

/// The columns of linli's tables that name things rather than measure them.
const LABELS: [&str; 10] =
    ["arm", "baseline", "group", "metric", "note", "verdict", "outcome", "date", "measure", "over"];

impl Kind {
    /// The column's type: text for a label, else the narrowest type of its non-empty cells
    /// (a number as linli writes one: digits, a sign and a point; a column with none is numbers).
    fn of(name: &str, cells: &[&str]) -> Kind {
        let present = || cells.iter().filter(|c| !c.is_empty());
        let written_number = |c: &&&str| c.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.');
        if LABELS.contains(&name) {
            Kind::Text
        } else if present().next().is_some() && present().all(|c| *c == "true" || *c == "false") {
            Kind::Boolean
        } else if present().all(|c| written_number(&c) && c.parse::<i64>().is_ok()) && present().next().is_some() {
            Kind::Integer
        } else if present().all(|c| written_number(&c) && c.parse::<f64>().is_ok()) {
            Kind::Number
        } else {
            Kind::Text
        }
    }

    fn field(self, name: &str) -> anyhow::Result<Arc<Type>> {
        let (physical, logical) = match self {
            Kind::Integer => (Physical::INT64, None),
            Kind::Number => (Physical::DOUBLE, None),
            Kind::Boolean => (Physical::BOOLEAN, None),
            Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        };
        let field = Type::primitive_type_builder(name, physical)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(logical)
            .build()?;
        Ok(Arc::new(field))
    }
}

/// The Parquet bytes of a CSV table with a header row (one row group).
pub fn from_csv(csv: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut reader = csv::Reader::from_reader(csv);
    let names: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let columns: Vec<Vec<&str>> =
        (0..names.len()).map(|k| records.iter().map(|r| r.get(k).unwrap_or_default()).collect()).collect();
    let kinds: Vec<Kind> = names.iter().zip(&columns).map(|(name, cells)| Kind::of(name, cells)).collect();
    let fields = names.iter().zip(&kinds).map(|(name, kind)| kind.field(name)).collect::<anyhow::Result<_>>()?;
    let schema = Arc::new(Type::group_type_builder("table").with_fields(fields).build()?);
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, super::agents::writer_properties())?;
    let mut group = writer.next_row_group()?;
    let mut index = 0;
    while let Some(mut column) = group.next_column()? {
        let cells = &columns[index];
        let levels: Vec<i16> = cells.iter().map(|c| i16::from(!c.is_empty())).collect();
        let present = cells.iter().filter(|c| !c.is_empty());
        match kinds[index] {
            Kind::Integer => {
                let values: Vec<i64> = present.map(|c| c.parse().unwrap_or_default()).collect();
                column.typed::<Int64Type>().write_batch(&values, Some(&levels), None)?
            }
            Kind::Number => {
                let values: Vec<f64> = present.map(|c| c.parse().unwrap_or_default()).collect();
                column.typed::<DoubleType>().write_batch(&values, Some(&levels), None)?
            }
            Kind::Boolean => {
                let values: Vec<bool> = present.map(|c| *c == "true").collect();
                column.typed::<BoolType>().write_batch(&values, Some(&levels), None)?
            }
            Kind::Text => {
                let values: Vec<ByteArray> =
                    present.map(|c| ByteArray::from(unguarded(c).as_bytes().to_vec())).collect();
                column.typed::<ByteArrayType>().write_batch(&values, Some(&levels), None)?
            }
        };
        column.close()?;
        index += 1;
    }
    group.close()?;
    Ok(writer.into_inner()?)
}

/// A text cell without the quote `csv_text` puts before a leading `=`, `+`, `-`, `@`, tab or
/// carriage return for spreadsheets (Parquet is not opened by one).
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn columns_are_typed_from_their_cells_and_empty_cells_are_null() {
        let csv = b"arm,replicate,mean,includes_zero,note,bound\n1,0,0.25,,baseline,\n'-5,1,,true,,\n";
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &from_csv(csv).unwrap()).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        let types: Vec<Physical> = schema.columns().iter().map(|c| c.physical_type()).collect();
        use Physical::*;
        assert_eq!(types, [BYTE_ARRAY, INT64, DOUBLE, BOOLEAN, BYTE_ARRAY, DOUBLE], "a design named 1 is text");
        let rows: Vec<String> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().to_string()).collect();
        assert_eq!(
            rows,
            [
                "{arm: \"1\", replicate: 0, mean: 0.25, includes_zero: null, note: \"baseline\", bound: null}",
                "{arm: \"-5\", replicate: 1, mean: null, includes_zero: true, note: null, bound: null}",
            ]
        );
        let words = from_csv(b"value\ninf\nNaN\n").unwrap();
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &words).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let kind = reader.metadata().file_metadata().schema_descr().column(0).physical_type();
        assert_eq!(kind, BYTE_ARRAY, "only numbers as linli writes them are numbers");
    }
}
