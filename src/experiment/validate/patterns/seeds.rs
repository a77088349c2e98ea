//! Pattern 15: the seeds' figures for 2024 (suggestions, resolved as docs/MODEL.md §10 counts them, the resolved share).

use super::zip;
use crate::experiment::validate::values::{ArmValues, year_key};
use crate::experiment::validate::{ArmDef, Criterion, Interval, Part, Pattern};

const YEAR: i32 = 2024;

pub const THE_SEEDS_FIGURES: Pattern = Pattern {
    number: 15,
    title: "The seeds' figures",
    criterion: "2024 suggestions within 58 ± 25%, resolved within 23 ± 25%; resolved share within [0.30, 0.50]",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| judge_figures(v[0]),
    daily: None,
};

/// Per replicate: suggestions (complaints + proposals) and resolved (resolve_share × complaints
/// + proposals implemented, as docs/MODEL.md §10) in 2024.
fn figures(a: &ArmValues) -> (Vec<f64>, Vec<f64>) {
    let total = |counter: &str| a.get(&year_key(counter, YEAR, "all")).to_vec();
    let (complaints, proposals, implemented) =
        (total("complaints"), total("proposals_submitted"), total("proposals_implemented"));
    let suggestions = zip(&complaints, &proposals, |c, p| c + p);
    let resolved = zip(&complaints, &implemented, |c, i| a.resolve_share * c + i);
    (suggestions, resolved)
}

fn judge_figures(a: &ArmValues) -> Vec<Part> {
    let (suggestions, resolved) = figures(a);
    let share = zip(&resolved, &suggestions, |r, s| if s > 0.0 { r / s } else { f64::NAN });
    let counted = zip(
        a.get(&year_key("complaints_resolved", YEAR, "all")),
        a.get(&year_key("proposals_implemented", YEAR, "all")),
        |c, i| c + i,
    );
    vec![
        Part::new(
            "a",
            "suggestions in 2024",
            "default",
            Interval::of_level(&suggestions),
            Criterion::Within { low: 43.5, high: 72.5 },
        ),
        Part::new(
            "b",
            "resolved in 2024 (resolve_share × complaints + proposals implemented)",
            "default",
            Interval::of_level(&resolved),
            Criterion::Within { low: 17.25, high: 28.75 },
        ),
        Part::new(
            "c",
            "resolved share in 2024",
            "default",
            Interval::of_level(&share),
            Criterion::Within { low: 0.3, high: 0.5 },
        ),
        super::reported(
            "complaints_resolved + proposals_implemented in 2024 (outcomes counted)",
            "default",
            Interval::of_level(&counted),
        ),
    ]
}
