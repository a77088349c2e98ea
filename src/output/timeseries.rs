//! `timeseries.csv`: one tidy row per replicate, day and cohort.

use crate::model::Cohort;
use crate::simulate::RunOutput;

pub const COLUMNS: [&str; 12] = [
    "replicate",
    "day",
    "date",
    "cohort",
    "residents",
    "active_rate",
    "volunteer_rate",
    "attendance_rate",
    "complaints",
    "silent_needs",
    "mean_trust",
    "mean_attachment",
];

/// The CSV bytes; floats are printed with six decimals so output is stable across platforms.
pub fn to_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(run.replicates.len() * run.dates.len() * 3 * 80));
    writer.write_record(COLUMNS)?;
    for replicate in &run.replicates {
        for (day, (record, date)) in replicate.days.iter().zip(&run.dates).enumerate() {
            let date = date.format("%Y-%m-%d").to_string();
            for cohort in Cohort::ALL {
                let c = &record[cohort.index()];
                writer.write_record([
                    replicate.replicate.to_string(),
                    day.to_string(),
                    date.clone(),
                    cohort.name().to_string(),
                    c.residents.to_string(),
                    format!("{:.6}", c.active_rate()),
                    format!("{:.6}", c.volunteer_rate()),
                    format!("{:.6}", c.attendance_rate()),
                    c.complaints.to_string(),
                    c.silent_needs.to_string(),
                    format!("{:.6}", c.mean_trust()),
                    format!("{:.6}", c.mean_attachment()),
                ])?;
            }
        }
    }
    Ok(writer.into_inner()?)
}
