//! Comparing incentive designs: arms run on common random numbers, metrics per replicate over
//! a window, paired differences against the baseline with Holm-adjusted p-values, and the cost
//! per additional active resident. No IO here.

use serde::Serialize;

use crate::model::{Cohort, CohortDay, DayRecord};
use crate::scenario::Scenario;
use crate::scenario::arms::Arm;
use crate::simulate::{RunOutput, simulate_replicates};
use crate::stats::{Estimate, PairedDifference, estimate, holm, paired_difference};

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
    fn of(self, day: &DayRecord) -> CohortDay {
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

/// What is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `active_rate` averaged over the window: the headline.
    MeanActiveRate,
    /// `active_rate` on the last day.
    FinalActiveRate,
    /// Volunteer check-ins in the window times `committee.hours_per_task`.
    VolunteerHours,
    ProposalsImplemented,
    PointsRedeemed,
    /// The group's share of all active residents, averaged over the window.
    ShareOfParticipants,
    /// Redeemed points at their yuan value, fund spent and fixed programme costs, in the window
    /// (every resident only).
    CostYuan,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::MeanActiveRate,
        Metric::FinalActiveRate,
        Metric::VolunteerHours,
        Metric::ProposalsImplemented,
        Metric::PointsRedeemed,
        Metric::ShareOfParticipants,
        Metric::CostYuan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::MeanActiveRate => "mean_active_rate",
            Metric::FinalActiveRate => "final_active_rate",
            Metric::VolunteerHours => "volunteer_hours",
            Metric::ProposalsImplemented => "proposals_implemented",
            Metric::PointsRedeemed => "points_redeemed",
            Metric::ShareOfParticipants => "share_of_participants",
            Metric::CostYuan => "cost_yuan",
        }
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
        Metric::ALL
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
    pub output: RunOutput,
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
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub window_days: usize,
    pub replicates: usize,
    pub rows: Vec<Row>,
    pub costs: Vec<CostEffect>,
}

/// Runs every arm on the same replicates (common random numbers), baseline first.
pub fn run_arms(arms: &[Arm], replicates: &[u32], on_day: &(dyn Fn() + Sync)) -> Vec<ArmRun> {
    arms.iter()
        .map(|arm| ArmRun {
            name: arm.name.clone(),
            description: arm.description.clone(),
            output: simulate_replicates(&arm.scenario, replicates, on_day),
        })
        .collect()
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
        Metric::VolunteerHours => sum_over(&|c| c.volunteers as f64) * scenario.committee.hours_per_task,
        Metric::ProposalsImplemented => sum_over(&|c| c.proposals_implemented as f64),
        Metric::PointsRedeemed => sum_over(&|c| c.points_redeemed as f64),
        Metric::ShareOfParticipants => mean_over(&|d| {
            let all = Group::All.of(d).active;
            if all == 0 { 0.0 } else { of(d).active as f64 / all as f64 }
        }),
        Metric::CostYuan => cost_yuan(scenario, &|f| sum_over(f), range.len()),
    }
}

/// Redeemed points at their yuan value + fund spent + fixed costs pro rata.
fn cost_yuan(scenario: &Scenario, sum_over: &dyn Fn(&dyn Fn(&CohortDay) -> f64) -> f64, days: usize) -> f64 {
    let t = &scenario.policy.time_bank;
    let yuan_per_point = t.item_value_yuan / t.item_cost_points.max(1) as f64;
    let points = sum_over(&|c| c.points_redeemed as f64) * yuan_per_point;
    let fund = sum_over(&|c| c.fund_spent_yuan);
    points + fund + scenario.costs.fixed_per_year(&scenario.policy) * days as f64 / 365.0
}

/// Active residents on average over the window (every resident).
fn mean_active_residents(output: &RunOutput, replicate: usize, window_days: usize) -> f64 {
    let days = &output.replicates[replicate].days;
    let range = window(output, window_days);
    range.clone().map(|d| Group::All.of(&days[d]).active as f64).sum::<f64>() / range.len() as f64
}

/// Compares every arm with the first (the baseline). Runs must share their replicate numbers.
pub fn compare(runs: &[ArmRun], window_days: usize) -> Comparison {
    let baseline = &runs[0];
    let n = baseline.output.replicates.len();
    let values = |run: &ArmRun, group, metric| -> Vec<f64> {
        (0..n).map(|k| metric_value(&run.output, k, group, metric, window_days)).collect()
    };
    let mut rows = Vec::new();
    for metric in Metric::ALL {
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
                });
            }
        }
        adjust_family(&mut rows[start..]);
    }
    let costs = runs[1..].iter().map(|run| cost_effect(run, baseline, n, window_days)).collect();
    Comparison { baseline: baseline.name.clone(), window_days, replicates: n, rows, costs }
}

/// Holm across one metric's comparisons.
fn adjust_family(rows: &mut [Row]) {
    let compared: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].difference.is_some()).collect();
    let p: Vec<f64> = compared.iter().map(|&i| rows[i].difference.map_or(1.0, |d| d.p_value)).collect();
    for (&i, adjusted) in compared.iter().zip(holm(&p)) {
        rows[i].p_holm = Some(adjusted);
    }
}

fn cost_effect(run: &ArmRun, baseline: &ArmRun, n: usize, window_days: usize) -> CostEffect {
    let active = |r: &ArmRun| (0..n).map(|k| mean_active_residents(&r.output, k, window_days)).collect::<Vec<_>>();
    let cost = |r: &ArmRun| {
        (0..n).map(|k| metric_value(&r.output, k, Group::All, Metric::CostYuan, window_days)).collect::<Vec<_>>()
    };
    let additional_active = paired_difference(&active(run), &active(baseline));
    let additional_cost_yuan = paired_difference(&cost(run), &cost(baseline));
    let gain_detected = additional_active.ci95_low > 0.0;
    let yuan_per_additional_active = gain_detected.then(|| additional_cost_yuan.mean / additional_active.mean);
    CostEffect { arm: run.name.clone(), additional_active, additional_cost_yuan, yuan_per_additional_active }
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
