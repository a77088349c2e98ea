//! Comparing incentive designs: arms run on common random numbers, metrics per replicate over
//! a window, paired differences against the baseline with Holm-adjusted p-values, and the cost
//! per additional active resident with a bootstrap interval. No IO here.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

use super::arms::{Arm, base_value, flatten};
use super::compare_measures::{MeasureRow, measure_rows};
use super::measures::MeasureSet;
use super::plan::{Plan, Sections};
use super::stats::{Estimate, PairedDifference, estimate, holm, paired_difference};
use crate::engine::rng::mix64;
use crate::model::core::counters::Column;
use crate::model::{Cohort, CohortDay, DayRecord};
use crate::scenario::Scenario;
use crate::simulate::{Individuals, PersonYears, Recording, RunOutput, simulate_recording};

/// Who a metric is about: one cohort or every resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Original,
    NewFamily,
    Transient,
    All,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Original, Group::NewFamily, Group::Transient, Group::All];

    pub fn name(self) -> &'static str {
        match self {
            Group::Original => "original",
            Group::NewFamily => "new_family",
            Group::Transient => "transient",
            Group::All => "all",
        }
    }

    fn cohort(self) -> Option<Cohort> {
        match self {
            Group::Original => Some(Cohort::Original),
            Group::NewFamily => Some(Cohort::NewFamily),
            Group::Transient => Some(Cohort::Transient),
            Group::All => None,
        }
    }

    /// The group's part of a day: one cohort, or every cohort added up.
    pub fn of(self, day: &DayRecord) -> CohortDay {
        match self.cohort() {
            Some(c) => day[c.index()],
            None => {
                let mut total = CohortDay::default();
                day.iter().for_each(|c| total.add(c));
                total
            }
        }
    }
}

/// What is compared: the headline rates, volunteer hours, the share of participants, the cost,
/// and every counter the counter table offers for comparison (`Column::compare`), totalled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// `active_rate` averaged over the window: the headline.
    MeanActiveRate,
    /// `active_rate` on the last day.
    FinalActiveRate,
    /// Volunteer check-ins in the window times `committee.hours_per_task`.
    VolunteerHours,
    /// A counter of the counter table, totalled over the window.
    Total(&'static str),
    /// The group's share of all active residents, averaged over the window.
    ShareOfParticipants,
    /// Redeemed points at their yuan value, fund spent and fixed programme costs, in the window
    /// (every resident only).
    CostYuan,
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Metric {
    /// Every metric in output order: the rates and hours, the counters offered for comparison
    /// (in their `compare` order), the share of participants and the cost.
    pub fn all() -> Vec<Metric> {
        let mut offered: Vec<Column> =
            CohortDay::counter_columns().into_iter().filter(|c| c.compare.is_some()).collect();
        offered.sort_by_key(|c| c.compare);
        let totals = offered.into_iter().map(|c| Metric::Total(c.name));
        [Metric::MeanActiveRate, Metric::FinalActiveRate, Metric::VolunteerHours]
            .into_iter()
            .chain(totals)
            .chain([Metric::ShareOfParticipants, Metric::CostYuan])
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::MeanActiveRate => "mean_active_rate",
            Metric::FinalActiveRate => "final_active_rate",
            Metric::VolunteerHours => "volunteer_hours",
            Metric::Total(counter) => counter,
            Metric::ShareOfParticipants => "share_of_participants",
            Metric::CostYuan => "cost_yuan",
        }
    }

    /// Whether the metric is a share of residents, read in percentage points against
    /// `[comparison] smallest_difference_pp`.
    pub fn is_rate(self) -> bool {
        matches!(self, Metric::MeanActiveRate | Metric::FinalActiveRate | Metric::ShareOfParticipants)
    }

    fn applies_to(self, group: Group) -> bool {
        match self {
            Metric::CostYuan => group == Group::All,
            Metric::ShareOfParticipants => group != Group::All,
            _ => true,
        }
    }
}

/// An outcome column of sweeps and sensitivity analyses: a metric of a group, over the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub group: Group,
    pub metric: Metric,
}

impl Outcome {
    /// Every outcome, metric by metric, in the order of the output columns.
    pub fn all() -> Vec<Outcome> {
        Metric::all()
            .into_iter()
            .flat_map(|metric| {
                Group::ALL
                    .into_iter()
                    .filter(move |&g| metric.applies_to(g))
                    .map(move |group| Outcome { group, metric })
            })
            .collect()
    }

    /// The column name, `<group>_<metric>`.
    pub fn name(self) -> String {
        format!("{}_{}", self.group.name(), self.metric.name())
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::all().into_iter().find(|o| o.name() == name)
    }

    /// Every outcome's name, for error messages.
    pub fn names() -> Vec<String> {
        Outcome::all().into_iter().map(Outcome::name).collect()
    }

    /// The outcome's value in one replicate of a run.
    pub fn value(self, output: &RunOutput, replicate: usize, window_days: usize) -> f64 {
        metric_value(output, replicate, self.group, self.metric, window_days)
    }
}

/// One arm's run.
#[derive(Clone, Debug)]
pub struct ArmRun {
    pub name: String,
    pub description: String,
    /// The arm's experiment sections (see [`Arm::sections`]); the baseline's `[comparison]`
    /// sets the smallest difference that matters.
    pub sections: Sections,
    pub output: RunOutput,
    /// The measures of who took part, whose values each replicate of `output` holds.
    pub measures: MeasureSet,
}

impl ArmRun {
    /// Adds `more` replicates of the same arm (a later batch) after this run's.
    pub fn extend(&mut self, more: ArmRun) {
        self.output.replicates.extend(more.output.replicates);
        self.output.elapsed += more.output.elapsed;
        self.output.resident_days += more.output.resident_days;
    }
}

/// What 95% intervals (and the bootstrap's) cover, for every output that shows one.
pub const INTERVAL_SCOPE: &str = "95% intervals cover the variation between replicates under one set of \
parameter values; they do not include uncertainty about the parameters themselves.";

/// [`INTERVAL_SCOPE`] in Chinese, for the report's bottom line.
pub const INTERVAL_SCOPE_ZH: &str = "95%区间只反映同一组参数取值下各次重复模拟之间的差异，不包括参数本身的不确定性。";

/// What 95% intervals cover when every replicate ran under its own posterior draw.
pub const POSTERIOR_SCOPE: &str = "Each replicate ran under its own draw from the calibration's posterior, so 95% \
intervals cover both the variation between replicates and the uncertainty about the parameters that the evidence leaves.";

/// [`POSTERIOR_SCOPE`] in Chinese.
pub const POSTERIOR_SCOPE_ZH: &str = "每次重复模拟各用校准后验分布中的一组参数，因此95%区间既反映各次重复模拟之间的差异，也反映证据尚未确定的参数不确定性。";

/// Bootstrap resamples of the replicates for the cost intervals and the cost ranking.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// A difference from the baseline in plain terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significant after Holm and at least the smallest difference worth reporting.
    Higher,
    Lower,
    /// The whole interval lies within the smallest difference worth reporting.
    NoMeaningfulDifference,
    /// Not significant after Holm, with an interval that reaches past the smallest difference
    /// worth reporting.
    Unclear,
    /// Significant, but the estimate is below the smallest difference worth reporting while
    /// the interval reaches past it.
    UnclearSize,
}

/// The verdict on a difference: a win or loss needs a Holm-adjusted p below 0.05, an interval
/// without zero and an estimate of at least `smallest` (same unit as the difference).
pub fn verdict(d: &PairedDifference, p_holm: f64, smallest: f64) -> Verdict {
    let significant = p_holm < 0.05 && !d.includes_zero();
    if significant && d.mean.abs() >= smallest {
        return if d.mean > 0.0 { Verdict::Higher } else { Verdict::Lower };
    }
    let within = -smallest < d.ci95_low && d.ci95_high < smallest;
    match (within, significant) {
        (true, _) => Verdict::NoMeaningfulDifference,
        (false, true) => Verdict::UnclearSize,
        (false, false) => Verdict::Unclear,
    }
}

/// One line of the comparison: an arm, a group, a metric, its estimate and (for arms other
/// than the baseline) the paired difference from the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub arm: String,
    pub group: Group,
    pub metric: Metric,
    pub estimate: Estimate,
    pub difference: Option<PairedDifference>,
    /// Holm-adjusted p-value within the metric's comparisons.
    pub p_holm: Option<f64>,
    /// The difference in plain terms (rates against the smallest difference worth reporting,
    /// other metrics against zero).
    pub verdict: Option<Verdict>,
}

/// The cost of an arm's extra participation.
#[derive(Clone, Debug, Serialize)]
pub struct CostEffect {
    pub arm: String,
    /// Additional active residents over the window's average, against the baseline.
    pub additional_active: PairedDifference,
    pub additional_cost_yuan: PairedDifference,
    /// Additional cost per additional active resident; none when no gain is detected.
    pub yuan_per_additional_active: Option<f64>,
    /// Paired bootstrap 95% interval of the cost per additional active resident (percentile);
    /// none without an estimate. The upper end is none (unbounded) when more than 2.5% of the
    /// resamples show no gain.
    pub yuan_per_additional_active_ci95_low: Option<f64>,
    pub yuan_per_additional_active_ci95_high: Option<f64>,
}

/// A ranking of two arms by cost per additional active resident that the bootstrap supports.
#[derive(Clone, Debug, Serialize)]
pub struct CostOrder {
    pub cheaper: String,
    pub dearer: String,
    /// Share of bootstrap resamples in which `cheaper` costs less per additional active resident.
    pub share_of_resamples: f64,
    /// Holm-adjusted bootstrap p-value over every pair of arms with a cost estimate.
    pub p_holm: f64,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub window_days: usize,
    pub replicates: usize,
    /// `[comparison] smallest_difference_pp` of the baseline's scenario, as a share.
    pub smallest_difference: f64,
    pub interval_scope: &'static str,
    pub rows: Vec<Row>,
    /// Who took part: every measure of every group, and the age bands' and compounds' mean
    /// active rates.
    pub measures: Vec<MeasureRow>,
    pub costs: Vec<CostEffect>,
    pub bootstrap_resamples: usize,
    /// Pairs of arms the bootstrap ranks by cost per additional active resident (Holm-adjusted
    /// p below 0.05); pairs not listed cannot be ranked.
    pub cost_ranking: Vec<CostOrder>,
    /// With `--posterior`: each arm's effects over the calibration's posterior draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<super::posterior::PosteriorComparison>,
}

impl Comparison {
    /// [`Comparison::interval_scope`] in Chinese.
    pub fn interval_scope_zh(&self) -> &'static str {
        if self.posterior.is_some() { POSTERIOR_SCOPE_ZH } else { INTERVAL_SCOPE_ZH }
    }
}

/// Which arms of a file run, which is the baseline, and whether the file's own design (its
/// settings without any override) is one of them: people assume it is the baseline. `arms` are
/// the arms of `plan`, resolved.
pub fn arms_statement(plan: &Plan, arms: &[Arm]) -> String {
    let base = &plan.scenario;
    let Some(baseline) = arms.first() else { return "The file declares no [[arm]]: it runs as one design.".into() };
    let names: Vec<String> = arms
        .iter()
        .enumerate()
        .map(|(k, a)| if k == 0 { format!("«{}» (baseline)", a.name) } else { format!("«{}»", a.name) })
        .collect();
    let own = base_value(base);
    let own_arm = arms.iter().find(|a| base_value(&a.scenario) == own);
    let changes = || overrides_of(plan, &baseline.name);
    let tail = match own_arm {
        Some(a) if a.name == baseline.name => {
            format!("The baseline «{}» is the file's own design (its settings without overrides).", a.name)
        }
        Some(a) => format!(
            "The file's own design (its settings without overrides) is arm «{}», not the baseline: the baseline «{}» sets {}.",
            a.name,
            baseline.name,
            changes()
        ),
        None => format!(
            "The file's own design (its settings without overrides) runs in no arm: the baseline «{}» sets {}.",
            baseline.name,
            changes()
        ),
    };
    format!("{} arms run: {}. {tail}", arms.len(), names.join(", "))
}

/// An arm's overrides as `key = value`, joined.
fn overrides_of(plan: &Plan, arm: &str) -> String {
    let Some(spec) = plan.arms.iter().find(|a| a.name == arm) else { return String::new() };
    let items: Vec<String> = flatten(&spec.overrides).iter().map(|(k, v)| format!("{k} = {v}")).collect();
    items.join(", ")
}

/// Runs every arm on the same replicates (common random numbers), baseline first.
pub fn run_arms(arms: &[Arm], replicates: &[u32], on_day: &(dyn Fn() + Sync)) -> Vec<ArmRun> {
    arms.iter().map(|arm| run_arm(arm, replicates, on_day)).collect()
}

/// Runs one arm, computing its measures of who took part in every replicate.
pub fn run_arm(arm: &Arm, replicates: &[u32], on_day: &(dyn Fn() + Sync)) -> ArmRun {
    let measures = MeasureSet::for_scenario(&arm.scenario).expect("measures are checked when the file is read");
    let reduce = |_, table: &PersonYears| measures.reduce(table);
    let individuals = Some(Individuals { tallies: measures.tallies(), reduce: &reduce });
    let output = simulate_recording(&arm.scenario, replicates, on_day, Recording { sinks: None, individuals });
    ArmRun {
        name: arm.name.clone(),
        description: arm.description.clone(),
        sections: arm.sections.clone(),
        output,
        measures,
    }
}

/// The window: the last `window_days` recorded days (all of them if fewer).
fn window(output: &RunOutput, window_days: usize) -> std::ops::Range<usize> {
    let n = output.dates.len();
    n.saturating_sub(window_days)..n
}

/// A metric of one group in one replicate, over the window.
pub fn metric_value(output: &RunOutput, replicate: usize, group: Group, metric: Metric, window_days: usize) -> f64 {
    let days = &output.replicates[replicate].days;
    let range = window(output, window_days);
    let scenario = &output.scenario;
    let of = |d: &DayRecord| group.of(d);
    let mean_over =
        |f: &dyn Fn(&DayRecord) -> f64| range.clone().map(|d| f(&days[d])).sum::<f64>() / range.len() as f64;
    let sum_over = |f: &dyn Fn(&CohortDay) -> f64| range.clone().map(|d| f(&of(&days[d]))).sum::<f64>();
    match metric {
        Metric::MeanActiveRate => mean_over(&|d| of(d).active_rate()),
        Metric::FinalActiveRate => of(&days[range.end - 1]).active_rate(),
        Metric::VolunteerHours => sum_over(&|c| c.core.volunteers as f64) * scenario.committee.hours_per_task,
        Metric::Total(counter) => match CohortDay::counter_position(counter) {
            Some(k) => sum_over(&|c| c.counter_values()[k]),
            None => 0.0,
        },
        Metric::ShareOfParticipants => mean_over(&|d| {
            let all = Group::All.of(d).core.active;
            if all == 0 { 0.0 } else { of(d).core.active as f64 / all as f64 }
        }),
        Metric::CostYuan => {
            let points_redeemed = sum_over(&|c| c.mechanisms.time_bank.points_redeemed as f64);
            cost_yuan(scenario, points_redeemed, sum_over(&|c| c.mechanisms.proposal_fund.fund_spent_yuan), range.len())
        }
    }
}

/// Redeemed points at their yuan value + fund spent + fixed costs pro rata over `days`.
fn cost_yuan(scenario: &Scenario, points_redeemed: f64, fund_spent_yuan: f64, days: usize) -> f64 {
    let t = &scenario.policy.time_bank;
    let yuan_per_point = t.item_value_yuan / t.item_cost_points.max(1) as f64;
    let points = points_redeemed * yuan_per_point;
    points + fund_spent_yuan + scenario.costs.fixed_per_year(&scenario.policy) * days as f64 / 365.0
}

/// Active residents on average over the window (every resident).
fn mean_active_residents(output: &RunOutput, replicate: usize, window_days: usize) -> f64 {
    let days = &output.replicates[replicate].days;
    let range = window(output, window_days);
    range.clone().map(|d| Group::All.of(&days[d]).core.active as f64).sum::<f64>() / range.len() as f64
}

/// Compares every arm with the first (the baseline). Runs must share their replicate numbers.
pub fn compare(runs: &[ArmRun], window_days: usize) -> Comparison {
    let baseline = &runs[0];
    let n = baseline.output.replicates.len();
    let smallest_difference = baseline.sections.comparison.smallest_difference_pp / 100.0;
    let values = |run: &ArmRun, group, metric| -> Vec<f64> {
        (0..n).map(|k| metric_value(&run.output, k, group, metric, window_days)).collect()
    };
    let mut rows = Vec::new();
    for metric in Metric::all() {
        let start = rows.len();
        for run in runs {
            for group in Group::ALL.into_iter().filter(|&g| metric.applies_to(g)) {
                let own = values(run, group, metric);
                let difference =
                    (!std::ptr::eq(run, baseline)).then(|| paired_difference(&own, &values(baseline, group, metric)));
                rows.push(Row {
                    arm: run.name.clone(),
                    group,
                    metric,
                    estimate: estimate(&own),
                    difference,
                    p_holm: None,
                    verdict: None,
                });
            }
        }
        adjust_holm(&mut rows[start..], |r| r.difference, |r, p| r.p_holm = Some(p));
        let threshold = if metric.is_rate() { smallest_difference } else { 0.0 };
        rows[start..].iter_mut().for_each(|row| set_verdict(row, threshold));
    }
    let resamples = bootstrap_indices(baseline.output.scenario.scenario.seed, n);
    let gains: Vec<CostSamples> = runs[1..].iter().map(|run| CostSamples::of(run, baseline, n, window_days)).collect();
    let costs: Vec<CostEffect> = gains.iter().map(|g| g.effect(&resamples)).collect();
    let estimated: Vec<&CostSamples> =
        gains.iter().zip(&costs).filter(|(_, c)| c.yuan_per_additional_active.is_some()).map(|(g, _)| g).collect();
    let cost_ranking = rank_by_cost(&estimated, &resamples);
    Comparison {
        baseline: baseline.name.clone(),
        window_days,
        replicates: n,
        smallest_difference,
        interval_scope: INTERVAL_SCOPE,
        rows,
        measures: measure_rows(runs, window_days, smallest_difference),
        costs,
        bootstrap_resamples: BOOTSTRAP_RESAMPLES,
        cost_ranking,
        posterior: None,
    }
}

fn set_verdict(row: &mut Row, threshold: f64) {
    row.verdict = row.difference.map(|d| verdict(&d, row.p_holm.unwrap_or(1.0), threshold));
}

/// Holm across one family of comparisons (the rows with a difference): `set` receives each
/// compared row's adjusted p-value.
pub fn adjust_holm<R>(rows: &mut [R], difference: fn(&R) -> Option<PairedDifference>, set: fn(&mut R, f64)) {
    let compared: Vec<usize> = (0..rows.len()).filter(|&i| difference(&rows[i]).is_some()).collect();
    let p: Vec<f64> = compared.iter().map(|&i| difference(&rows[i]).map_or(1.0, |d| d.p_value)).collect();
    for (&i, adjusted) in compared.iter().zip(holm(&p)) {
        set(&mut rows[i], adjusted);
    }
}

/// The resamples of replicate positions, drawn from the seed alone and shared by every arm
/// (the replicates are paired across arms), so results do not depend on threads.
fn bootstrap_indices(seed: u64, n: usize) -> Vec<Vec<usize>> {
    let mut rng = Pcg64Mcg::seed_from_u64(mix64(seed ^ 0xc057_b007_5742_0001));
    (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| rng.random_range(0..n)).collect()).collect()
}

/// An arm's per-replicate additional active residents and cost against the baseline.
struct CostSamples {
    arm: String,
    active: Vec<f64>,
    cost: Vec<f64>,
}

impl CostSamples {
    fn of(run: &ArmRun, baseline: &ArmRun, n: usize, window_days: usize) -> CostSamples {
        let cost = |r: &ArmRun, k| metric_value(&r.output, k, Group::All, Metric::CostYuan, window_days);
        let active = |r: &ArmRun, k| mean_active_residents(&r.output, k, window_days);
        CostSamples {
            arm: run.name.clone(),
            active: (0..n).map(|k| active(run, k) - active(baseline, k)).collect(),
            cost: (0..n).map(|k| cost(run, k) - cost(baseline, k)).collect(),
        }
    }

    /// Cost per additional active resident in one resample; infinite without a gain.
    fn ratio(&self, indices: &[usize]) -> f64 {
        let active: f64 = indices.iter().map(|&k| self.active[k]).sum();
        let cost: f64 = indices.iter().map(|&k| self.cost[k]).sum();
        if active > 0.0 { cost / active } else { f64::INFINITY }
    }

    fn effect(&self, resamples: &[Vec<usize>]) -> CostEffect {
        let zeros = vec![0.0; self.active.len()];
        let additional_active = paired_difference(&self.active, &zeros);
        let additional_cost_yuan = paired_difference(&self.cost, &zeros);
        let gain_detected = additional_active.ci95_low > 0.0;
        let yuan_per_additional_active = gain_detected.then(|| additional_cost_yuan.mean / additional_active.mean);
        let (low, high) = if gain_detected { self.ratio_interval(resamples) } else { (None, None) };
        CostEffect {
            arm: self.arm.clone(),
            additional_active,
            additional_cost_yuan,
            yuan_per_additional_active,
            yuan_per_additional_active_ci95_low: low,
            yuan_per_additional_active_ci95_high: high,
        }
    }

    /// Percentile interval of the ratio; an infinite end (no gain in a resample) is none.
    fn ratio_interval(&self, resamples: &[Vec<usize>]) -> (Option<f64>, Option<f64>) {
        let mut ratios: Vec<f64> = resamples.iter().map(|r| self.ratio(r)).collect();
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
        let finite = |x: f64| x.is_finite().then_some(x);
        (finite(at(0.025)), finite(at(0.975)))
    }
}

/// Pairs of arms with a cost estimate that a paired bootstrap ranks (Holm over the pairs).
fn rank_by_cost(samples: &[&CostSamples], resamples: &[Vec<usize>]) -> Vec<CostOrder> {
    let ratios: Vec<Vec<f64>> = samples.iter().map(|s| resamples.iter().map(|r| s.ratio(r)).collect()).collect();
    let mut pairs = Vec::new();
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            // Ties (identical arms, or no gain in both) count half for each.
            let wins: f64 = (0..resamples.len())
                .map(|b| match ratios[i][b].partial_cmp(&ratios[j][b]) {
                    Some(std::cmp::Ordering::Less) => 1.0,
                    Some(std::cmp::Ordering::Equal) => 0.5,
                    _ => 0.0,
                })
                .sum();
            pairs.push((i, j, wins / resamples.len() as f64));
        }
    }
    let p: Vec<f64> = pairs.iter().map(|&(_, _, share)| bootstrap_p(share, resamples.len())).collect();
    pairs
        .iter()
        .zip(holm(&p))
        .filter(|&(_, p_holm)| p_holm < 0.05)
        .map(|(&(i, j, share), p_holm)| {
            let (cheaper, dearer, share) = if share > 0.5 { (i, j, share) } else { (j, i, 1.0 - share) };
            CostOrder {
                cheaper: samples[cheaper].arm.clone(),
                dearer: samples[dearer].arm.clone(),
                share_of_resamples: share,
                p_holm,
            }
        })
        .collect()
}

/// Two-sided bootstrap p-value of "neither arm is cheaper" from the share of resamples in which
/// one is; the +1 keeps it above zero.
fn bootstrap_p(share: f64, resamples: usize) -> f64 {
    let tail = share.min(1.0 - share) * resamples as f64;
    (2.0 * (tail + 1.0) / (resamples as f64 + 1.0)).min(1.0)
}

/// The widest 95% interval among the headline differences (mean active rate, every group).
pub fn widest_headline_interval(comparison: &Comparison) -> f64 {
    comparison
        .rows
        .iter()
        .filter(|r| r.metric == Metric::MeanActiveRate)
        .filter_map(|r| r.difference)
        .map(|d| d.ci95_high - d.ci95_low)
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A difference with the given estimate and interval (the p-value is passed separately).
    fn difference(mean: f64, low: f64, high: f64) -> PairedDifference {
        PairedDifference { mean, ci95_low: low, ci95_high: high, se: (high - low) / 4.0, p_value: 0.0, n: 20 }
    }

    const ONE_PP: f64 = 0.01;

    #[test]
    fn a_tiny_significant_difference_is_not_a_win() {
        // +0.04 pp, about 4 residents of 10,685: significant, but far below one point.
        let tiny = difference(0.0004, 0.0002, 0.0006);
        assert_eq!(verdict(&tiny, 0.001, ONE_PP), Verdict::NoMeaningfulDifference);
        assert_eq!(verdict(&difference(-0.0004, -0.0006, -0.0002), 0.001, ONE_PP), Verdict::NoMeaningfulDifference);
    }

    #[test]
    fn a_clear_difference_is_a_win_or_a_loss() {
        assert_eq!(verdict(&difference(0.03, 0.02, 0.04), 0.001, ONE_PP), Verdict::Higher);
        assert_eq!(verdict(&difference(-0.03, -0.04, -0.02), 0.001, ONE_PP), Verdict::Lower);
        // The estimate clears the threshold though the interval's lower end does not.
        assert_eq!(verdict(&difference(0.012, 0.005, 0.019), 0.01, ONE_PP), Verdict::Higher);
    }

    #[test]
    fn an_interval_across_the_threshold_is_unclear() {
        // Significant, below one point, but the interval reaches past it.
        assert_eq!(verdict(&difference(0.008, 0.004, 0.012), 0.001, ONE_PP), Verdict::UnclearSize);
        // Not significant after Holm, interval wide.
        assert_eq!(verdict(&difference(0.005, -0.01, 0.02), 0.4, ONE_PP), Verdict::Unclear);
        // Large estimate, interval clear of zero, yet not significant after Holm: no win.
        assert_eq!(verdict(&difference(0.048, 0.029, 0.067), 0.058, ONE_PP), Verdict::Unclear);
    }

    #[test]
    fn without_a_threshold_only_significance_counts() {
        assert_eq!(verdict(&difference(0.0004, 0.0002, 0.0006), 0.001, 0.0), Verdict::Higher);
        assert_eq!(verdict(&difference(0.0, -0.001, 0.001), 1.0, 0.0), Verdict::Unclear);
    }

    /// An arm whose replicates gain `gain` ± 10% active residents at `yuan` each.
    fn samples(arm: &str, gain: f64, yuan: f64) -> CostSamples {
        let active: Vec<f64> = (0..20).map(|k| gain * (0.9 + 0.01 * k as f64)).collect();
        let cost = active.iter().enumerate().map(|(k, a)| a * yuan * (1.0 + 0.01 * (k % 3) as f64)).collect();
        CostSamples { arm: arm.into(), active, cost }
    }

    #[test]
    fn cost_per_gain_has_a_reproducible_bootstrap_interval() {
        let resamples = bootstrap_indices(7, 20);
        assert_eq!(resamples, bootstrap_indices(7, 20), "drawn from the seed alone");
        let effect = samples("a", 50.0, 300.0).effect(&resamples);
        let (low, high) =
            (effect.yuan_per_additional_active_ci95_low.unwrap(), effect.yuan_per_additional_active_ci95_high.unwrap());
        let estimate = effect.yuan_per_additional_active.unwrap();
        assert!(low <= estimate && estimate <= high && low >= 300.0 && high <= 306.0, "{low} {estimate} {high}");
    }

    #[test]
    fn an_uncertain_gain_leaves_the_interval_open() {
        // Gains of mean 0.6 with sd about 2.5: some resamples show no gain at all.
        let active: Vec<f64> = (0..20).map(|k| if k % 2 == 0 { 3.0 } else { -2.0 } + 0.01 * k as f64).collect();
        let cost = vec![1000.0; 20];
        let s = CostSamples { arm: "a".into(), active, cost };
        let (low, high) = s.ratio_interval(&bootstrap_indices(1, 20));
        assert!(low.is_some() && high.is_none(), "{low:?} {high:?}");
    }

    #[test]
    fn only_supported_cost_rankings_are_stated() {
        let resamples = bootstrap_indices(3, 20);
        let (cheap, dear, twin) =
            (samples("cheap", 50.0, 100.0), samples("dear", 50.0, 1000.0), samples("twin", 50.0, 100.0));
        let ranking = rank_by_cost(&[&cheap, &dear, &twin], &resamples);
        let pairs: Vec<(&str, &str)> = ranking.iter().map(|o| (o.cheaper.as_str(), o.dearer.as_str())).collect();
        assert_eq!(pairs, [("cheap", "dear"), ("twin", "dear")], "cheap and twin cannot be told apart");
    }
}
