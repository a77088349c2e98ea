//! `timeseries.csv`: one tidy row per replicate, day and cohort; `community.csv`: one row per
//! replicate and day for the community-level series; `merchants.csv`: one row per replicate and
//! merchant.

use crate::model::core::counters::CORE_COLUMNS;
use crate::model::mechanisms::merchants::SECTORS;
use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;

/// The first columns of every `timeseries.csv` row.
const ROW_KEYS: [&str; 4] = ["replicate", "day", "date", "cohort"];

/// Columns of `timeseries.csv`: the row's keys, then every cohort column of the counter table
/// (`CohortDay::row_columns`). Flows are the day's; stocks (`points_outstanding`, means) are
/// the end of the day's. Every column is the cohort's own, so summing over cohorts gives the
/// community's total; community-level series are in `community.csv`.
pub fn columns() -> Vec<&'static str> {
    ROW_KEYS.into_iter().chain(CohortDay::row_columns()).collect()
}

/// The CSV bytes; floats are printed with fixed decimals so output is stable across platforms.
pub fn to_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(run.replicates.len() * run.dates.len() * 3 * 120));
    writer.write_record(columns())?;
    for replicate in &run.replicates {
        for (day, (record, date)) in replicate.days.iter().zip(&run.dates).enumerate() {
            let date = date.format("%Y-%m-%d").to_string();
            for cohort in Cohort::ALL {
                let mut row =
                    vec![replicate.replicate.to_string(), day.to_string(), date.clone(), cohort.name().to_string()];
                row.extend(record[cohort.index()].row_fields());
                writer.write_record(&row)?;
            }
        }
    }
    Ok(writer.into_inner()?)
}

/// Columns of `timeseries_groups.csv`: the row's keys, then the core columns of
/// `timeseries.csv` (computed the same way, for the group).
pub fn group_columns() -> Vec<&'static str> {
    ["replicate", "day", "date", "split", "group"].into_iter().chain(CORE_COLUMNS).collect()
}

/// `timeseries_groups.csv`: one row per replicate, day and group of residents other than a
/// cohort: each age band, and each compound when the community has more than one.
pub fn groups_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(group_columns())?;
    for replicate in &run.replicates {
        let Some(groups) = &replicate.groups else { continue };
        let splits = groups.splits();
        for (day, date) in run.dates.iter().enumerate() {
            let date = date.format("%Y-%m-%d").to_string();
            for (split, counts) in splits.iter().zip(groups.day(day)) {
                let (kind, name) = split.names();
                let keys = [replicate.replicate.to_string(), day.to_string(), date.clone(), kind.to_string(), name];
                let fields = CohortDay { core: *counts, ..CohortDay::default() }.core_fields();
                writer.write_record(keys.into_iter().chain(fields))?;
            }
        }
    }
    Ok(writer.into_inner()?)
}

/// Columns of `community.csv`: the day's keys, then the counter table's community-level
/// series (end-of-day stocks that belong to the whole community, not to a cohort).
pub fn community_columns() -> Vec<&'static str> {
    let series = CohortDay::default().community_fields().into_iter().map(|(name, _)| name);
    ["replicate", "day", "date"].into_iter().chain(series).collect()
}

/// `community.csv`: one row per replicate and day.
pub fn community_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(run.replicates.len() * run.dates.len() * 24));
    writer.write_record(community_columns())?;
    for replicate in &run.replicates {
        for (day, (record, date)) in replicate.days.iter().zip(&run.dates).enumerate() {
            let keys = [replicate.replicate.to_string(), day.to_string(), date.format("%Y-%m-%d").to_string()];
            let series = record[0].community_fields().into_iter().map(|(_, value)| value);
            writer.write_record(keys.into_iter().chain(series))?;
        }
    }
    Ok(writer.into_inner()?)
}

/// Columns of `merchants.csv`.
pub const MERCHANT_COLUMNS: [&str; 15] = [
    "replicate",
    "merchant",
    "sector",
    "building",
    "months",
    "revenue_yuan",
    "final_nuisance",
    "in_alliance_at_end",
    "months_in_alliance",
    "items_donated",
    "redemptions",
    "fair_visits",
    "grievances",
    "problems_raised",
    "problems_fixed",
];

/// `merchants.csv`: each merchant's totals over the run.
pub fn merchants_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(MERCHANT_COLUMNS)?;
    for replicate in &run.replicates {
        let m = &replicate.merchants;
        for k in 0..m.len() {
            let t = &m.totals[k];
            writer.write_record([
                replicate.replicate.to_string(),
                k.to_string(),
                SECTORS[m.sector[k] as usize].to_string(),
                m.building[k].to_string(),
                t.months.to_string(),
                format!("{:.2}", t.revenue_yuan),
                format!("{:.4}", m.nuisance[k]),
                m.in_alliance[k].to_string(),
                t.months_in_alliance.to_string(),
                t.items_donated.to_string(),
                t.redemptions.to_string(),
                t.fair_visits.to_string(),
                t.grievances.to_string(),
                t.problems_raised.to_string(),
                t.problems_fixed.to_string(),
            ])?;
        }
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The toy mechanism registered for tests (`model::mechanisms::story_vouchers`) reaches the
    /// files through the counter table alone: its cohort columns are in `timeseries.csv`.
    #[test]
    fn a_registered_mechanism_has_its_counters_in_timeseries_csv() {
        let mut scenario = crate::scenario::default_scenario().scaled_to(1500);
        (scenario.scenario.days, scenario.scenario.burn_in_days, scenario.scenario.replicates) = (120, 0, 1);
        let run = crate::simulate::simulate(&scenario, &|| {});
        let csv = String::from_utf8(to_csv(&run).unwrap()).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header, columns());
        let paid = header.iter().position(|&c| c == "vouchers_paid").expect("the toy's column");
        let total: u64 = lines.map(|line| line.split(',').nth(paid).unwrap().parse::<u64>().unwrap()).sum();
        let counted: u64 = run.replicates[0]
            .days
            .iter()
            .flat_map(|day| day.iter().map(|c| c.mechanisms.story_vouchers.vouchers_paid))
            .sum();
        assert!(total > 0 && total == counted, "{total} vouchers in the file, {counted} counted");
    }
}
