//! Declarative measures of who took part, computed per replicate from the person-year table:
//! the built-in ones (concentration, reach, retention, first-timers' follow-up, acts per
//! participant) and the scenario's own `[[output.measure]]`, each per group of residents.

use serde::Serialize;

use crate::experiment::stats::{Estimate, estimate};
use crate::model::core::acts::{ATTENDED, ActKind, VOLUNTEERED};
use crate::model::mechanisms::all_act_kinds;
use crate::model::mechanisms::proposal_fund::{FOLLOWED_THROUGH, PROPOSED};
use crate::model::{AgeBand, Cohort};
use crate::scenario::Scenario;
use crate::scenario::schema::{Aggregate, BUILT_IN_MEASURES, MeasureSpec};
pub use crate::scenario::schema::{Group, TOOK_PART, act_names};
use crate::simulate::{PersonYears, RunOutput, Tally};

/// The built-in measures as specifications (every group).
pub fn built_in() -> Vec<MeasureSpec> {
    BUILT_IN_MEASURES
        .iter()
        .map(|&(name, act, among, aggregate)| MeasureSpec {
            name: name.into(),
            act: act.into(),
            activity: None,
            among: among.map(Into::into),
            group: None,
            aggregate,
        })
        .collect()
}

/// A measure resolved against the scenario: which tallies it adds up.
#[derive(Clone, Debug)]
struct Resolved {
    spec: MeasureSpec,
    acts: Vec<Tally>,
    among: Vec<Tally>,
    groups: Vec<Group>,
}

/// One reported value: a measure of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub measure: String,
    pub group: Group,
    pub aggregate: Aggregate,
    /// Whether the scenario declared it (not built in).
    pub user: bool,
}

/// The measures of a run and the tallies the person-year table needs for them.
#[derive(Clone, Debug)]
pub struct MeasureSet {
    measures: Vec<(Resolved, bool)>,
    tallies: Vec<Tally>,
}

impl MeasureSet {
    /// The built-in measures and the scenario's own. Errors name the measure and the key whose
    /// value names nothing (the scenario's check reports these first, with their place).
    pub fn for_scenario(scenario: &Scenario) -> Result<MeasureSet, String> {
        let activities = scenario.activities();
        let mut measures = Vec::new();
        for (spec, user) in built_in()
            .into_iter()
            .map(|s| (s, false))
            .chain(scenario.output.measures.iter().cloned().map(|s| (s, true)))
        {
            measures.push((resolve(spec, &activities)?, user));
        }
        let mut tallies = Vec::new();
        for (resolved, _) in &measures {
            for tally in resolved.acts.iter().chain(&resolved.among) {
                if !tallies.contains(tally) {
                    tallies.push(*tally);
                }
            }
        }
        Ok(MeasureSet { measures, tallies })
    }

    /// What the person-year table must count for the measures and for `residents.parquet`
    /// (every kind of act): the table costs memory per resident and tally, so a run without
    /// individual data counts only what its measures need.
    pub fn tallies_with_every_kind(&self) -> Vec<Tally> {
        let every = Tally::every_kind();
        let extra = self.tallies.iter().filter(|t| !every.contains(t)).copied().collect::<Vec<_>>();
        every.into_iter().chain(extra).collect()
    }

    /// Every measure's definition, built-in ones first.
    pub fn specs(&self) -> Vec<&MeasureSpec> {
        self.measures.iter().map(|(resolved, _)| &resolved.spec).collect()
    }

    /// What the person-year table must count.
    pub fn tallies(&self) -> &[Tally] {
        &self.tallies
    }

    /// Every reported value, in the order [`MeasureSet::reduce`] returns them.
    pub fn entries(&self) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (resolved, user) in &self.measures {
            for &group in &resolved.groups {
                let (measure, aggregate) = (resolved.spec.name.clone(), resolved.spec.aggregate);
                entries.push(Entry { measure, group, aggregate, user: *user });
            }
        }
        entries
    }

    /// Every measure of every group for one replicate's table (NaN where a measure is
    /// undefined, such as retention with no volunteers).
    pub fn reduce(&self, table: &PersonYears) -> Vec<f64> {
        let population = Population::of(table);
        let years = table.years.len();
        let mut values = Vec::new();
        for (resolved, _) in &self.measures {
            let (counts, included) = counts_of(table, &population, resolved);
            let rows: Vec<Row> = included
                .iter()
                .map(|&k| {
                    let person = &table.persons()[population.persons[k]];
                    Row {
                        cohort: person.cohort,
                        age_band: person.age_band,
                        yearly: &counts[k * years..(k + 1) * years],
                        lived: &population.lived[k * years..(k + 1) * years],
                    }
                })
                .collect();
            for &group in &resolved.groups {
                let mine: Vec<&Row> = rows.iter().filter(|r| group.holds(r.cohort, r.age_band)).collect();
                values.push(aggregate(resolved.spec.aggregate, &mine));
            }
        }
        values
    }

    /// Each entry's estimate across the run's replicates (over the replicates where it is
    /// defined).
    pub fn estimates(&self, run: &RunOutput) -> Vec<MeasureEstimate> {
        self.entries()
            .into_iter()
            .enumerate()
            .map(|(k, entry)| {
                let values: Vec<f64> = run
                    .replicates
                    .iter()
                    .filter_map(|r| r.measures.get(k))
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                MeasureEstimate {
                    measure: entry.measure,
                    group: entry.group.name(),
                    user: entry.user,
                    estimate: (!values.is_empty()).then(|| estimate(&values)),
                }
            })
            .collect()
    }
}

/// A measure of a group, estimated across replicates.
#[derive(Clone, Debug, Serialize)]
pub struct MeasureEstimate {
    pub measure: String,
    pub group: &'static str,
    /// Declared in the scenario.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub user: bool,
    /// `None` when no replicate defines it (for example retention with nobody taking part).
    #[serde(flatten)]
    pub estimate: Option<Estimate>,
}

/// The kind of act called `name`.
pub fn act_kind(name: &str) -> Option<ActKind> {
    all_act_kinds().into_iter().find(|(_, n)| *n == name).map(|(kind, _)| kind)
}

fn resolve(spec: MeasureSpec, activities: &[(String, u64)]) -> Result<Resolved, String> {
    let name = &spec.name;
    let value = match &spec.activity {
        None => None,
        Some(activity) => {
            Some(activities.iter().find(|(n, _)| n == activity).map(|&(_, code)| code).ok_or_else(|| {
                format!("measure {name}: activity {activity:?} is no event, deliberation or workshop")
            })?)
        }
    };
    let acts =
        tallies_of(&spec.act, value).ok_or_else(|| format!("measure {name}: act {:?} is no kind of act", spec.act))?;
    let among = match &spec.among {
        None => Vec::new(),
        Some(among) => {
            tallies_of(among, None).ok_or_else(|| format!("measure {name}: among {among:?} is no kind of act"))?
        }
    };
    let groups = match &spec.group {
        None => Group::all(),
        Some(group) => vec![Group::parse(group).ok_or_else(|| format!("measure {name}: group {group:?} is no group"))?],
    };
    Ok(Resolved { spec, acts, among, groups })
}

/// The tallies an act name adds up; an activity restricts attendances to it (and volunteering,
/// which is no activity one attends, is left out of "took_part" then).
fn tallies_of(act: &str, activity: Option<u64>) -> Option<Vec<Tally>> {
    let attended = Tally { value: activity, ..Tally::count(ATTENDED) };
    if act == TOOK_PART {
        return Some(match activity {
            None => vec![Tally::count(VOLUNTEERED), attended, Tally::count(PROPOSED), Tally::count(FOLLOWED_THROUGH)],
            Some(_) => vec![attended],
        });
    }
    let kind = act_kind(act)?;
    Some(vec![if kind == ATTENDED { attended } else { Tally { value: activity, ..Tally::count(kind) } }])
}

/// A resident who lived here during the run, with their acts per year.
struct Row<'a> {
    cohort: Cohort,
    age_band: AgeBand,
    /// Acts per recorded year.
    yearly: &'a [u64],
    /// Lived here on some day of each year.
    lived: &'a [bool],
}

impl Row<'_> {
    fn total(&self) -> u64 {
        self.yearly.iter().sum()
    }
}

/// Who lived here during the run and in which years: shared by every measure of a table.
struct Population {
    persons: Vec<usize>,
    /// `[k][year]` for the k-th of `persons`, flattened.
    lived: Vec<bool>,
}

impl Population {
    fn of(table: &PersonYears) -> Population {
        let persons: Vec<usize> = (0..table.persons().len()).filter(|&p| table.days_here(p).is_some()).collect();
        let years = table.years.len();
        let lived = persons.iter().flat_map(|&p| (0..years).map(move |y| table.lived_here_in(p, y))).collect();
        Population { persons, lived }
    }
}

/// Every resident's acts per year for one measure (`[k][year]` flattened, over the
/// population), and which residents it is about.
fn counts_of(table: &PersonYears, population: &Population, resolved: &Resolved) -> (Vec<u64>, Vec<usize>) {
    let position = |tallies: &[Tally]| -> Vec<usize> {
        tallies.iter().map(|&t| table.position(t).expect("the table counts every tally a measure needs")).collect()
    };
    let (acts, among) = (position(&resolved.acts), position(&resolved.among));
    let years = table.years.len();
    let counts = population
        .persons
        .iter()
        .flat_map(|&p| (0..years).map(move |y| (p, y)))
        .map(|(p, y)| acts.iter().map(|&t| table.value(p, y, t)).sum())
        .collect();
    let included = (0..population.persons.len())
        .filter(|&k| among.is_empty() || among.iter().any(|&t| table.total(population.persons[k], t) > 0))
        .collect();
    (counts, included)
}

/// One value of a measure over `rows` (NaN when its denominator is empty).
fn aggregate(how: Aggregate, rows: &[&Row]) -> f64 {
    let totals: Vec<f64> = rows.iter().map(|r| r.total() as f64).collect();
    let mut participants: Vec<f64> = totals.iter().copied().filter(|&t| t > 0.0).collect();
    participants.sort_by(f64::total_cmp);
    match how {
        Aggregate::Total => totals.iter().sum(),
        Aggregate::MeanPerResident => ratio(totals.iter().sum(), totals.len()),
        Aggregate::EverShare => ratio(participants.len() as f64, totals.len()),
        Aggregate::Top20Share => top_share(&participants, 0.2),
        Aggregate::Gini => gini(&participants),
        Aggregate::MeanPerParticipant => ratio(participants.iter().sum(), participants.len()),
        Aggregate::MedianPerParticipant => quantile(&participants, 0.5),
        Aggregate::P90PerParticipant => quantile(&participants, 0.9),
        Aggregate::Retention => retention(rows),
        Aggregate::FirstTimerFollowup => followup(rows).0,
        Aggregate::SimilarNonParticipantFollowup => followup(rows).1,
    }
}

fn ratio(part: f64, whole: usize) -> f64 {
    if whole == 0 { f64::NAN } else { part / whole as f64 }
}

/// The share of the sum held by the largest `fraction` of `sorted` (ascending) values: the
/// top ⌈fraction·n⌉ of them.
pub fn top_share(sorted: &[f64], fraction: f64) -> f64 {
    let sum: f64 = sorted.iter().sum();
    if sorted.is_empty() || sum == 0.0 {
        return f64::NAN;
    }
    let top = (fraction * sorted.len() as f64).ceil() as usize;
    sorted.iter().rev().take(top).sum::<f64>() / sum
}

/// The Gini coefficient of `sorted` (ascending) values: 2·Σ i·x_i / (n·Σx) − (n+1)/n, i = 1..n.
pub fn gini(sorted: &[f64]) -> f64 {
    let (n, sum) = (sorted.len() as f64, sorted.iter().sum::<f64>());
    if sorted.is_empty() || sum == 0.0 {
        return f64::NAN;
    }
    let weighted: f64 = sorted.iter().enumerate().map(|(i, x)| (i + 1) as f64 * x).sum();
    2.0 * weighted / (n * sum) - (n + 1.0) / n
}

/// The `q` quantile of `sorted` (ascending), interpolating linearly between order statistics.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let position = q * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

/// Of the (resident, year) pairs with an act and the resident living here the next year, the
/// share with an act the next year.
fn retention(rows: &[&Row]) -> f64 {
    let (mut stayed, mut again) = (0usize, 0usize);
    for row in rows {
        for y in 0..row.yearly.len().saturating_sub(1) {
            if row.yearly[y] > 0 && row.lived[y + 1] {
                stayed += 1;
                again += usize::from(row.yearly[y + 1] > 0);
            }
        }
    }
    ratio(again as f64, stayed)
}

/// Next-year participation of first-timers, and of similar residents who had not taken part:
/// for each year y after the first with a next year, first-timers took part in y and in no
/// earlier year; the others lived here in y and y+1 and took part in no year up to y. The
/// others' rate is weighted cell by cell (cohort × age band) to the first-timers' mix, over
/// the cells that have both.
fn followup(rows: &[&Row]) -> (f64, f64) {
    const CELLS: usize = Cohort::ALL.len() * AgeBand::ALL.len();
    let cell = |r: &Row| r.cohort.index() * AgeBand::ALL.len() + r.age_band as usize;
    let (mut first, mut first_again) = ([0usize; CELLS], [0usize; CELLS]);
    let (mut others, mut others_later) = ([0usize; CELLS], [0usize; CELLS]);
    for row in rows {
        for y in 1..row.yearly.len().saturating_sub(1) {
            let before = row.yearly[..y].iter().sum::<u64>();
            if before > 0 || !row.lived[y + 1] {
                continue;
            }
            let next = usize::from(row.yearly[y + 1] > 0);
            if row.yearly[y] > 0 {
                first[cell(row)] += 1;
                first_again[cell(row)] += next;
            } else if row.lived[y] {
                others[cell(row)] += 1;
                others_later[cell(row)] += next;
            }
        }
    }
    let first_rate = ratio(first_again.iter().sum::<usize>() as f64, first.iter().sum());
    let matched: Vec<usize> = (0..CELLS).filter(|&c| first[c] > 0 && others[c] > 0).collect();
    let weight: usize = matched.iter().map(|&c| first[c]).sum();
    let others_rate = if weight == 0 {
        f64::NAN
    } else {
        matched.iter().map(|&c| first[c] as f64 * others_later[c] as f64 / others[c] as f64).sum::<f64>()
            / weight as f64
    };
    (first_rate, others_rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVED: [bool; 3] = [true; 3];

    fn row(yearly: &'static [u64]) -> Row<'static> {
        Row { cohort: Cohort::Original, age_band: AgeBand::Adult, yearly, lived: &LIVED[..yearly.len()] }
    }

    #[test]
    fn concentration_of_a_known_distribution() {
        // Ten participants: one does 91 acts, nine do one each.
        let mut acts = vec![1.0; 9];
        acts.push(91.0);
        assert!((top_share(&acts, 0.2) - 92.0 / 100.0).abs() < 1e-12, "the top two hold 92 of 100");
        assert_eq!(gini(&[5.0; 4]), 0.0, "equal shares");
        assert!((gini(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12, "one of four holds all: (n-1)/n");
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], 0.9), 10.0);
        assert!(top_share(&[], 0.2).is_nan() && gini(&[]).is_nan() && quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn retention_counts_pairs_of_consecutive_years_of_those_still_here() {
        let mut gone = row(&[3, 0, 0]);
        gone.lived = &[true, false, false];
        let rows = [row(&[1, 1, 0]), row(&[1, 0, 2]), row(&[0, 0, 0]), gone];
        let refs: Vec<&Row> = rows.iter().collect();
        // Pairs: (1,1) again, (1,0) not, (1,0) not, (0,2) no act in y; the leaver is left out.
        assert!((retention(&refs) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn first_timers_are_compared_with_similar_residents_who_had_not_taken_part() {
        let mut young = row(&[0, 0, 1]);
        young.age_band = AgeBand::YoungAdult;
        let rows = [
            row(&[0, 2, 1]), // first-timer in year 2, again in year 3
            row(&[0, 1, 0]), // first-timer in year 2, not again
            row(&[1, 1, 1]), // took part in year 1: no first-timer
            row(&[0, 0, 1]), // had not: took part in year 3
            row(&[0, 0, 0]), // had not, did not
            row(&[0, 0, 0]),
            young, // no first-timer of their cell, so not counted among the others
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let (first, others) = followup(&refs);
        assert!((first - 0.5).abs() < 1e-12);
        assert!((others - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn every_built_in_measure_resolves_and_is_reported_for_every_group() {
        let set = MeasureSet::for_scenario(&crate::scenario::default_scenario()).expect("built-ins resolve");
        assert_eq!(set.entries().len(), BUILT_IN_MEASURES.len() * Group::all().len());
        for group in Group::all() {
            assert_eq!(Group::parse(group.name()), Some(group));
        }
    }
}
