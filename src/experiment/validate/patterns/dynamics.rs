//! Patterns over time and between neighbours: a surge decays with a residue (5), thresholds and cascades (6), report-back sustains participation (7).

use chrono::{Days, NaiveDate};
use toml::Value;

use super::{YEAR_2, difference, float, int, reported, year3_active, zip};
use crate::experiment::arms::base_value;
use crate::experiment::validate::values::{ArmValues, year_key};
use crate::experiment::validate::{ArmDef, Criterion, Daily, Interval, Part, Pattern};
use crate::scenario::Scenario;

/// Day 0 of pattern 5's surge.
fn surge_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 5, 1).expect("a date")
}

pub const SURGE_DECAYS_WITH_RESIDUE: Pattern = Pattern {
    number: 5,
    title: "After a surge: gradual decay, lasting residue",
    criterion: "difference above 0 at +45 and +180 days; point estimate at +45 below +15",
    arms: |default| vec![ArmDef::default_arm("default"), surge_arm(default)],
    judge: |v| judge_surge(v[0], v[1]),
    daily: Some(|v| {
        let (default, surge) = (v[0], v[1]);
        let days: Vec<Interval> = (0..default.dates.len()).map(|d| day_difference(surge, default, d)).collect();
        Daily {
            label: "surge − default, daily active rate (all)".into(),
            dates: default.dates.clone(),
            mean: days.iter().map(|i| i.estimate).collect(),
            lo: days.iter().map(|i| i.lo).collect(),
            hi: days.iter().map(|i| i.hi).collect(),
        }
    }),
};

/// The default plus a one-off event for everyone on 2025-05-01: capacity the population,
/// appeal 1.0 (the event list is the default's with the surge added at its end).
fn surge_arm(default: &Scenario) -> ArmDef {
    let mut events = match base_value(default).get("event") {
        Some(Value::Array(events)) => events.clone(),
        _ => Vec::new(),
    };
    let mut surge = toml::Table::new();
    surge.insert("name".into(), Value::String("Surge (validation pattern 5)".into()));
    surge.insert("date".into(), Value::String(surge_day().to_string()));
    surge.insert("capacity".into(), int(i64::from(default.community.residents)));
    surge.insert("appeal".into(), float(1.0));
    events.push(Value::Table(surge));
    ArmDef::of_default("surge", vec![("event", Value::Array(events))])
}

/// The paired difference of the daily active rate (all) on recorded day `d`.
fn day_difference(arm: &ArmValues, baseline: &ArmValues, d: usize) -> Interval {
    let on = |a: &ArmValues| a.daily_all.iter().map(|r| r[d]).collect::<Vec<f64>>();
    Interval::of_difference(&on(arm), &on(baseline))
}

fn judge_surge(default: &ArmValues, surge: &ArmValues) -> Vec<Part> {
    let at = |k: u64| {
        let date = surge_day() + Days::new(k);
        default.day_of(date).map_or(Interval::point(f64::NAN), |d| day_difference(surge, default, d))
    };
    let measure = |k: u64| format!("daily active rate (all), day +{k}");
    let contrast = "surge − default";
    let (d15, d45) = (at(15), at(45));
    vec![
        reported(&measure(15), contrast, d15),
        Part::new("a", &measure(45), contrast, d45, Criterion::Above { bound: 0.0 }),
        reported(&measure(90), contrast, at(90)),
        Part::new("b", &measure(180), contrast, at(180), Criterion::Above { bound: 0.0 }),
        Part::new(
            "c",
            "point estimate at +45 − point estimate at +15",
            contrast,
            Interval::point(d45.estimate - d15.estimate),
            Criterion::EstimateBelow { bound: 0.0 },
        ),
    ]
}

/// Pattern 6's seeding shares. The first is the default with the seeding's counters on: a share
/// so small that it seeds nobody (round(share × adults) = 0), so its residents are measured like
/// the other arms' (change log of docs/VALIDATION.md).
const SHARES: [f64; 5] = [1e-6, 0.05, 0.10, 0.20, 0.40];

/// The seeded compound (numbered from 0, as in timeseries_groups.csv).
const SEEDED_COMPOUND: u32 = 1;

pub const THRESHOLDS_AND_CASCADES: Pattern = Pattern {
    number: 6,
    title: "Threshold-type influence, cascades",
    criterion: "spillover above 0 at 20% seeding; per-seed spillover at 40% − at 10% above 0",
    arms: |_| {
        let names = ["s0", "s5", "s10", "s20", "s40"];
        let seeded = |name, share: f64| {
            ArmDef::of_default(
                name,
                vec![
                    ("policy.seeding.share", float(share)),
                    ("policy.seeding.compound", int(i64::from(SEEDED_COMPOUND))),
                    ("policy.seeding.start_date", Value::String("2025-01-01".into())),
                    ("policy.seeding.days", int(30)),
                ],
            )
        };
        names.iter().zip(&SHARES).map(|(&n, &s)| seeded(n, s)).collect()
    },
    judge: |v| judge_seeding(v),
    daily: None,
};

fn judge_seeding(arms: &[&ArmValues]) -> Vec<Part> {
    let (from, to) = (NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date"), NaiveDate::from_ymd_opt(2025, 12, 31));
    let rates: Vec<Vec<f64>> = arms.iter().map(|a| a.unseeded_mean(false, from, to.expect("a date"))).collect();
    let measure = "mean daily active rate of compound 1's non-seeded residents, 2025-03-01 to 2025-12-31";
    let spill = |k: usize| Interval::of_difference(&rates[k], &rates[0]);
    let per_seed = |k: usize| zip(&rates[k], &rates[0], |x, base| (x - base) / SHARES[k]);
    let tipping = Interval::of_difference(&per_seed(4), &per_seed(2));
    let adult_rates: Vec<Vec<f64>> = arms.iter().map(|a| a.unseeded_mean(true, from, to.expect("a date"))).collect();
    let adults = "the same, adults only (children cannot be seeded; change log)";
    let adult_spill = |k: usize| Interval::of_difference(&adult_rates[k], &adult_rates[0]);
    let adult_per_seed = |k: usize| zip(&adult_rates[k], &adult_rates[0], |x, base| (x - base) / SHARES[k]);
    let adult_tipping = Interval::of_difference(&adult_per_seed(4), &adult_per_seed(2));
    vec![
        reported(measure, "spillover s=5%", spill(1)),
        reported(measure, "spillover s=10%", spill(2)),
        Part::new("a", measure, "spillover s=20%", spill(3), Criterion::Above { bound: 0.0 }),
        reported(measure, "spillover s=40%", spill(4)),
        Part::new(
            "b",
            "per-seed spillover",
            "spillover(40%)/0.40 − spillover(10%)/0.10",
            tipping,
            Criterion::Above { bound: 0.0 },
        ),
        reported(adults, "spillover s=10%", adult_spill(2)),
        reported(adults, "spillover s=20%", adult_spill(3)),
        reported(adults, "spillover s=40%", adult_spill(4)),
        reported(adults, "per-seed 40% − per-seed 10%", adult_tipping),
    ]
}

pub const REPORT_BACK_SUSTAINS: Pattern = Pattern {
    number: 7,
    title: "Conditional cooperation; report-back sustains",
    criterion: "report-back on − off above 0 (year-3 active rate, 2026 proposals); no rise without it",
    arms: |_| {
        vec![
            ArmDef::default_arm("report_back_on"),
            ArmDef::of_default("report_back_off", vec![("policy.proposal_fund.report_back", Value::Boolean(false))]),
        ]
    },
    judge: |v| {
        let (on, off) = (v[0], v[1]);
        let (rate, proposals) = (year3_active("all"), year_key("proposals_submitted", super::YEAR_3, "all"));
        let contrast = "report-back on − off";
        let rise = Interval::of_difference(off.get(&rate), off.get(&year_key("active_rate", YEAR_2, "all")));
        vec![
            Part::new("a", &rate, contrast, difference(on, off, &rate), Criterion::Above { bound: 0.0 }),
            Part::new("b", &proposals, contrast, difference(on, off, &proposals), Criterion::Above { bound: 0.0 }),
            Part::new(
                "c",
                "active rate year 3 − year 2 (all)",
                "report_back_off",
                rise,
                Criterion::UpperAtMost { bound: 0.005 },
            ),
        ]
    },
    daily: None,
};
