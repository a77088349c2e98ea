//! `timeseries.csv`: one tidy row per replicate, day and cohort; `community.csv`: one row per
//! replicate and day for the community-level series; `merchants.csv`: one row per replicate and
//! merchant.

use crate::model::mechanisms::merchants::SECTORS;
use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;

/// Columns of `timeseries.csv`. Flows are the day's; stocks (`points_outstanding`, means) are
/// the end of the day's. Every column is the cohort's own, so summing over cohorts gives the
/// community's total; community-level series are in `community.csv`.
pub const COLUMNS: [&str; 24] = [
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
    "points_issued",
    "points_redeemed",
    "points_expired",
    "points_outstanding",
    "redemptions_failed",
    "proposals_submitted",
    "proposals_approved",
    "proposals_rejected",
    "proposals_implemented",
    "proposals_stalled",
    "fund_spent_yuan",
    "merchant_grievances",
];

/// The CSV bytes; floats are printed with fixed decimals so output is stable across platforms.
pub fn to_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(run.replicates.len() * run.dates.len() * 3 * 120));
    writer.write_record(COLUMNS)?;
    for replicate in &run.replicates {
        for (day, (record, date)) in replicate.days.iter().zip(&run.dates).enumerate() {
            let date = date.format("%Y-%m-%d").to_string();
            for cohort in Cohort::ALL {
                let mut row =
                    vec![replicate.replicate.to_string(), day.to_string(), date.clone(), cohort.name().to_string()];
                row.extend(cohort_fields(&record[cohort.index()]));
                writer.write_record(&row)?;
            }
        }
    }
    Ok(writer.into_inner()?)
}

fn cohort_fields(c: &CohortDay) -> [String; 20] {
    [
        c.residents.to_string(),
        format!("{:.6}", c.active_rate()),
        format!("{:.6}", c.volunteer_rate()),
        format!("{:.6}", c.attendance_rate()),
        c.complaints.to_string(),
        c.silent_needs.to_string(),
        format!("{:.6}", c.mean_trust()),
        format!("{:.6}", c.mean_attachment()),
        c.points_issued.to_string(),
        c.points_redeemed.to_string(),
        c.points_expired.to_string(),
        c.points_outstanding.to_string(),
        c.redemptions_failed.to_string(),
        c.proposals_submitted.to_string(),
        c.proposals_approved.to_string(),
        c.proposals_rejected.to_string(),
        c.proposals_implemented.to_string(),
        c.proposals_stalled.to_string(),
        format!("{:.2}", c.fund_spent_yuan),
        c.merchant_grievances.to_string(),
    ]
}

/// Columns of `community.csv`: series that belong to the whole community, not to a cohort
/// (end-of-day stocks).
pub const COMMUNITY_COLUMNS: [&str; 4] = ["replicate", "day", "date", "alliance_size"];

/// `community.csv`: one row per replicate and day.
pub fn community_csv(run: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(run.replicates.len() * run.dates.len() * 24));
    writer.write_record(COMMUNITY_COLUMNS)?;
    for replicate in &run.replicates {
        for (day, (record, date)) in replicate.days.iter().zip(&run.dates).enumerate() {
            writer.write_record([
                replicate.replicate.to_string(),
                day.to_string(),
                date.format("%Y-%m-%d").to_string(),
                record[0].alliance_size.to_string(),
            ])?;
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
