//! A tidy CSV table as Parquet: each column typed from its cells (integer, number, true/false or
//! text), an empty cell a null; for the workbench's downloads, read with pandas, polars or R arrow.

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

impl Kind {
    fn of(cells: &[&str]) -> Kind {
        let present = || cells.iter().filter(|c| !c.is_empty());
        if present().next().is_none() {
            Kind::Text
        } else if present().all(|c| c.parse::<i64>().is_ok()) {
            Kind::Integer
        } else if present().all(|c| c.parse::<f64>().is_ok()) {
            Kind::Number
        } else if present().all(|c| *c == "true" || *c == "false") {
            Kind::Boolean
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
    let kinds: Vec<Kind> = columns.iter().map(|cells| Kind::of(cells)).collect();
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
                let values: Vec<ByteArray> = present.map(|c| ByteArray::from(c.as_bytes().to_vec())).collect();
                column.typed::<ByteArrayType>().write_batch(&values, Some(&levels), None)?
            }
        };
        column.close()?;
        index += 1;
    }
    group.close()?;
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn columns_are_typed_from_their_cells_and_empty_cells_are_null() {
        let csv = b"arm,replicate,mean,includes_zero,note\nas is,0,0.25,,baseline\n\"a, b\",1,,true,\n";
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &from_csv(csv).unwrap()).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        let types: Vec<Physical> = schema.columns().iter().map(|c| c.physical_type()).collect();
        use Physical::*;
        assert_eq!(types, [BYTE_ARRAY, INT64, DOUBLE, BOOLEAN, BYTE_ARRAY]);
        let rows: Vec<String> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().to_string()).collect();
        assert_eq!(
            rows,
            [
                "{arm: \"as is\", replicate: 0, mean: 0.25, includes_zero: null, note: \"baseline\"}",
                "{arm: \"a, b\", replicate: 1, mean: null, includes_zero: true, note: null}",
            ]
        );
    }
}
