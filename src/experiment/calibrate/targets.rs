//! What a calibration target measures, read from a run: a comparison outcome over a window, a
//! yearly total of a counter for a cohort, or a measure of who took part.

use chrono::Datelike;

use crate::experiment::compare::{Group, Outcome};
use crate::experiment::measures::MeasureSet;
use crate::model::CohortDay;
use crate::model::core::counters::Kind;
use crate::simulate::RunOutput;

/// Yearly totals that are sums of counters: what the seeds call suggestions (意见建议:
/// complaints and proposals) and what they call resolved (complaints resolved and proposals
/// implemented).
pub const DERIVED_YEARLY: [(&str, [&str; 2]); 2] =
    [("suggestions", SUGGESTIONS), ("resolved", ["complaints_resolved", "proposals_implemented"])];

/// The counters that make up suggestions (意见建议), as `summary.json` totals them too.
pub const SUGGESTIONS: [&str; 2] = ["complaints", "proposals_submitted"];

/// A quantity read from each replicate of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// `<group>_<metric>`: a comparison outcome over the last `window_days` days.
    Outcome(Outcome),
    /// `<counter>_<year>/<group>`: a counter's total over a calendar year (a community stock
    /// such as `alliance_size`: its value on the year's last day; a community counter is for
    /// `all` only).
    Year { counters: Vec<usize>, stock: bool, year: i32, group: Group },
    /// `<measure>/<group>`: a measure of who took part, at this position of the run's measures.
    Measure(usize),
}

/// Reads the name of a quantity; `measures` are the run's measures of who took part. The error
/// says what names look like.
pub fn parse(name: &str, measures: &MeasureSet, years: std::ops::RangeInclusive<i32>) -> Result<Quantity, String> {
    if let Some(outcome) = Outcome::parse(name) {
        return Ok(Quantity::Outcome(outcome));
    }
    if let Some(k) = measures.entries().iter().position(|e| format!("{}/{}", e.measure, e.group.name()) == name) {
        return Ok(Quantity::Measure(k));
    }
    let (head, group) = name.rsplit_once('/').ok_or_else(|| format!("no `/<group>` in `{name}`"))?;
    let group = Group::ALL.into_iter().find(|g| g.name() == group).ok_or_else(|| format!("no group `{group}`"))?;
    let (counter, year) = head.rsplit_once('_').ok_or_else(|| format!("no `_<year>` in `{head}`"))?;
    let year: i32 = year.parse().map_err(|_| format!("`{year}` is not a year"))?;
    if !years.contains(&year) {
        return Err(format!("{year} is not simulated (the run records {}-{})", years.start(), years.end()));
    }
    let columns = CohortDay::counter_columns();
    let names: Vec<&str> = match DERIVED_YEARLY.iter().find(|(n, _)| *n == counter) {
        Some((_, parts)) => parts.to_vec(),
        None => vec![counter],
    };
    let counters = names
        .iter()
        .map(|n| columns.iter().position(|c| c.name == *n).ok_or_else(|| format!("no counter `{n}`")))
        .collect::<Result<Vec<_>, _>>()?;
    let stock = counters.iter().any(|&k| columns[k].kind == Kind::Community);
    if stock && counters.iter().any(|&k| columns[k].kind != Kind::Community) {
        return Err(format!("`{counter}` adds a day's stock to counts over the year"));
    }
    if counters.iter().any(|&k| columns[k].kind.is_community()) && group != Group::All {
        return Err(format!("`{counter}` is the community's, so its group is `all`"));
    }
    Ok(Quantity::Year { counters, stock, year, group })
}

/// What names a quantity can take, for error messages.
pub const NAMES_HELP: &str = "`<group>_<metric>` (a comparison outcome, e.g. `transient_mean_active_rate`), \
`<counter>_<year>/<group>` (e.g. `suggestions_2024/all`, `complaints_2024/transient`, `alliance_size_2024/all`) \
or `<measure>/<group>` (a measure of who took part, e.g. `gini_acts/all`)";

impl Quantity {
    /// Whether reading it needs the run's measures of who took part.
    pub fn needs_measures(&self) -> bool {
        matches!(self, Quantity::Measure(_))
    }

    /// Its value in replicate `k` of `output`.
    pub fn value(&self, output: &RunOutput, k: usize, window_days: usize) -> f64 {
        match self {
            Quantity::Outcome(outcome) => outcome.value(output, k, window_days),
            Quantity::Measure(m) => output.replicates[k].measures.get(*m).copied().unwrap_or(f64::NAN),
            Quantity::Year { counters, stock, year, group } => {
                let days: Vec<usize> = (0..output.dates.len()).filter(|&d| output.dates[d].year() == *year).collect();
                let record = &output.replicates[k].days;
                if *stock {
                    let Some(&last) = days.last() else { return f64::NAN };
                    let values = record[last][0].counter_values();
                    return counters.iter().map(|&c| values[c]).sum();
                }
                days.iter()
                    .map(|&d| {
                        let values = group.of(&record[d]).counter_values();
                        counters.iter().map(|&c| values[c]).sum::<f64>()
                    })
                    .sum()
            }
        }
    }
}
