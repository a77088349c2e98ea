//! The pre-registered criteria of docs/VALIDATION.md as code: a bound on an estimate and its 95% interval, judged PASS or FAIL.

use serde::Serialize;

use crate::experiment::stats::{estimate, paired_difference};

/// An estimate with its 95% interval (the mean over replicates, or a paired difference).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// A point with no interval (a criterion on point estimates).
    pub fn point(value: f64) -> Interval {
        Interval { estimate: value, lo: value, hi: value }
    }

    /// The mean of the finite `values` with its 95% t-interval (NaN when none is finite).
    pub fn of_level(values: &[f64]) -> Interval {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            return Interval::point(f64::NAN);
        }
        let e = estimate(&finite);
        Interval { estimate: e.mean, lo: e.ci95_low, hi: e.ci95_high }
    }

    /// The paired difference `arm − baseline` over the replicates where both are finite.
    pub fn of_difference(arm: &[f64], baseline: &[f64]) -> Interval {
        let (a, b): (Vec<f64>, Vec<f64>) =
            arm.iter().zip(baseline).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).unzip();
        match a.len() {
            0 => Interval::point(f64::NAN),
            1 => Interval::point(a[0] - b[0]),
            _ => {
                let d = paired_difference(&a, &b);
                Interval { estimate: d.mean, lo: d.ci95_low, hi: d.ci95_high }
            }
        }
    }
}

/// What a part of a pattern must show. An interval that straddles a bound fails.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Criterion {
    /// The whole interval is above the bound.
    Above { bound: f64 },
    /// The whole interval is below the bound.
    Below { bound: f64 },
    /// The whole interval lies within [low, high].
    Within { low: f64, high: f64 },
    /// The interval's lower end is at least the bound.
    LowerAtLeast { bound: f64 },
    /// The interval's upper end is at most the bound.
    UpperAtMost { bound: f64 },
    /// The interval's upper end is below the bound.
    UpperBelow { bound: f64 },
    /// The point estimate is below the bound.
    EstimateBelow { bound: f64 },
    /// Reported, not judged.
    Reported,
}

impl Criterion {
    /// PASS (true) or FAIL (false); none when the part is only reported. A NaN fails.
    pub fn holds(self, i: &Interval) -> Option<bool> {
        let verdict = match self {
            Criterion::Above { bound } => i.lo > bound,
            Criterion::Below { bound } => i.hi < bound,
            Criterion::Within { low, high } => low <= i.lo && i.hi <= high,
            Criterion::LowerAtLeast { bound } => i.lo >= bound,
            Criterion::UpperAtMost { bound } => i.hi <= bound,
            Criterion::UpperBelow { bound } => i.hi < bound,
            Criterion::EstimateBelow { bound } => i.estimate < bound,
            Criterion::Reported => return None,
        };
        Some(verdict)
    }

    /// The criterion in words, as in docs/VALIDATION.md.
    pub fn text(self) -> String {
        match self {
            Criterion::Above { bound } => format!("95% interval above {}", number(bound)),
            Criterion::Below { bound } => format!("95% interval below {}", number(bound)),
            Criterion::Within { low, high } => format!("95% interval within [{}, {}]", number(low), number(high)),
            Criterion::LowerAtLeast { bound } => format!("lower bound at least {}", number(bound)),
            Criterion::UpperAtMost { bound } => format!("upper bound at most {}", number(bound)),
            Criterion::UpperBelow { bound } => format!("upper bound below {}", number(bound)),
            Criterion::EstimateBelow { bound } => format!("point estimate below {}", number(bound)),
            Criterion::Reported => "reported, not judged".into(),
        }
    }

    /// The bounds to draw beside the interval.
    pub fn bounds(self) -> Vec<f64> {
        match self {
            Criterion::Above { bound }
            | Criterion::Below { bound }
            | Criterion::LowerAtLeast { bound }
            | Criterion::UpperAtMost { bound }
            | Criterion::UpperBelow { bound }
            | Criterion::EstimateBelow { bound } => vec![bound],
            Criterion::Within { low, high } => vec![low, high],
            Criterion::Reported => Vec::new(),
        }
    }
}

/// A number as short as it can be written without losing what was chosen: 4 decimals, or 4
/// significant digits for smaller numbers, so a bound just above 0 never prints as 0.
pub fn number(x: f64) -> String {
    let decimals = if x == 0.0 || x.abs() >= 0.01 { 4 } else { (3 - x.abs().log10().floor() as i32) as usize };
    let text = format!("{x:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(lo: f64, hi: f64) -> Interval {
        Interval { estimate: (lo + hi) / 2.0, lo, hi }
    }

    #[test]
    fn above_and_below_need_the_whole_interval() {
        let above = Criterion::Above { bound: 0.0 };
        assert_eq!(above.holds(&interval(0.01, 0.03)), Some(true));
        assert_eq!(above.holds(&interval(-0.01, 0.03)), Some(false), "straddles: FAIL");
        assert_eq!(above.holds(&interval(0.0, 0.03)), Some(false), "touching the bound is not above it");
        let below = Criterion::Below { bound: 0.0 };
        assert_eq!(below.holds(&interval(-0.03, -0.01)), Some(true));
        assert_eq!(below.holds(&interval(-0.03, 0.01)), Some(false));
    }

    #[test]
    fn within_needs_both_ends_inside() {
        let within = Criterion::Within { low: 0.5, high: 0.9 };
        assert_eq!(within.holds(&interval(0.55, 0.6)), Some(true));
        assert_eq!(within.holds(&interval(0.45, 0.6)), Some(false));
        assert_eq!(within.holds(&interval(0.85, 0.95)), Some(false));
    }

    #[test]
    fn one_sided_bounds_read_one_end() {
        assert_eq!(Criterion::LowerAtLeast { bound: 0.4 }.holds(&interval(0.4, 0.5)), Some(true));
        assert_eq!(Criterion::LowerAtLeast { bound: 0.4 }.holds(&interval(0.39, 0.5)), Some(false));
        assert_eq!(Criterion::UpperAtMost { bound: 0.005 }.holds(&interval(-0.1, 0.005)), Some(true));
        assert_eq!(Criterion::UpperAtMost { bound: 0.005 }.holds(&interval(-0.1, 0.006)), Some(false));
        assert_eq!(Criterion::UpperBelow { bound: 0.8 }.holds(&interval(0.2, 0.8)), Some(false));
        assert_eq!(Criterion::UpperBelow { bound: 0.8 }.holds(&interval(0.2, 0.79)), Some(true));
        let point = Criterion::EstimateBelow { bound: 0.0 };
        assert_eq!(point.holds(&Interval { estimate: -0.01, lo: -0.5, hi: 0.5 }), Some(true));
        assert_eq!(point.holds(&Interval::point(0.01)), Some(false));
    }

    #[test]
    fn a_nan_fails_and_a_reported_part_is_not_judged() {
        assert_eq!(Criterion::Above { bound: 0.0 }.holds(&Interval::point(f64::NAN)), Some(false));
        assert_eq!(Criterion::Within { low: 0.0, high: 1.0 }.holds(&Interval::point(f64::NAN)), Some(false));
        assert_eq!(Criterion::Reported.holds(&interval(0.0, 1.0)), None);
    }

    #[test]
    fn intervals_of_levels_and_paired_differences() {
        let level = Interval::of_level(&[1.0, 2.0, f64::NAN, 3.0]);
        assert_eq!(level.estimate, 2.0);
        assert!(level.lo < 2.0 && level.hi > 2.0);
        let d = Interval::of_difference(&[2.0, 3.0, 4.0, 9.0], &[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!((d.estimate, d.lo, d.hi), (1.0, 1.0, 1.0), "identical differences, the NaN pair left out");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(43.5), "43.5");
        assert_eq!(number(0.000044), "0.000044");
        assert_eq!(number(-0.0055123), "-0.005512");
    }
}
