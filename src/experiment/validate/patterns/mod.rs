//! The 15 patterns, one file per family, and the small helpers their criteria share.

mod concentration;
mod dynamics;
mod groups;
mod incentives;
mod seeds;

use toml::Value;

use super::criteria::Interval;
use super::values::{ArmValues, measure_key, year_key};
use super::{Part, Pattern};

/// Every pattern, in the order of docs/VALIDATION.md.
pub fn all() -> &'static [Pattern] {
    &PATTERNS
}

static PATTERNS: [Pattern; 15] = [
    incentives::SMALL_REWARDS_CROWD_OUT,
    incentives::RECOGNITION_CROWDS_IN,
    concentration::A_MINORITY_VOLUNTEERS,
    concentration::A_PERSISTENT_CORE,
    dynamics::SURGE_DECAYS_WITH_RESIDUE,
    dynamics::THRESHOLDS_AND_CASCADES,
    dynamics::REPORT_BACK_SUSTAINS,
    concentration::TAKING_PART_ONCE,
    groups::DIGITAL_CHANNEL_REACHES_TIME_POOR,
    incentives::STARVED_CATALOGUE,
    incentives::MERCHANTS_AND_MINI_PROGRAM,
    groups::TENURE_RAISES_PARTICIPATION,
    groups::YOUNG_AT_THE_FESTIVAL,
    groups::ORDERING_OF_THE_THIRDS,
    seeds::THE_SEEDS_FIGURES,
];

/// The year of "year 3" of the shipped default (2024-2026), and year 2.
const YEAR_3: i32 = 2026;
const YEAR_2: i32 = 2025;

/// A measure of every resident.
fn all_residents(measure: &str) -> String {
    measure_key(measure, "all")
}

/// The year-3 active rate of `group`.
fn year3_active(group: &str) -> String {
    year_key("active_rate", YEAR_3, group)
}

/// The paired difference `a − b` of `key`.
fn difference(a: &ArmValues, b: &ArmValues, key: &str) -> Interval {
    Interval::of_difference(a.get(key), b.get(key))
}

/// The mean of `key` over the replicates of `a`.
fn level(a: &ArmValues, key: &str) -> Interval {
    Interval::of_level(a.get(key))
}

/// Per replicate, `f(x, y)`.
fn zip(x: &[f64], y: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    x.iter().zip(y).map(|(&x, &y)| f(x, y)).collect()
}

/// The paired difference of two keys within one arm (`x − y`, replicate by replicate).
fn within(a: &ArmValues, x: &str, y: &str) -> Interval {
    Interval::of_difference(a.get(x), a.get(y))
}

/// A part only reported.
fn reported(measure: &str, contrast: &str, interval: Interval) -> Part {
    Part::new("", measure, contrast, interval, super::Criterion::Reported)
}

fn int(value: i64) -> Value {
    Value::Integer(value)
}

fn float(value: f64) -> Value {
    Value::Float(value)
}
