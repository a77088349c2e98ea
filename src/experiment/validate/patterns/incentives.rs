//! Patterns of the incentives: small rewards crowd out (1), recognition crowds in (2), a starved catalogue (10), merchants and the mini-program (11).

use toml::Value;

use super::{all_residents, difference, int, reported, year3_active};
use crate::experiment::validate::values::ArmValues;
use crate::experiment::validate::{ArmDef, Base, Criterion, Part, Pattern};
use crate::scenario::Scenario;

const POINTS: &str = "policy.time_bank.points_per_checkin";

pub const SMALL_REWARDS_CROWD_OUT: Pattern = Pattern {
    number: 1,
    title: "Small rewards crowd out volunteering",
    criterion: "small − zero reward below 0; large − small above 0 (ever_volunteered)",
    arms: |_| {
        vec![
            ArmDef::of_default("zero", vec![(POINTS, int(0))]),
            ArmDef::of_default("small", vec![(POINTS, int(5))]),
            ArmDef::of_default("large", vec![(POINTS, int(500))]),
        ]
    },
    judge: |v| {
        let (zero, small, large) = (v[0], v[1], v[2]);
        let ever = all_residents("ever_volunteered");
        let rate = year3_active("all");
        vec![
            Part::new("a", &ever, "small − zero", difference(small, zero, &ever), Criterion::Below { bound: 0.0 }),
            Part::new("b", &ever, "large − small", difference(large, small, &ever), Criterion::Above { bound: 0.0 }),
            reported(&rate, "small − zero", difference(small, zero, &rate)),
            reported(&rate, "large − small", difference(large, small, &rate)),
        ]
    },
    daily: None,
};

pub const RECOGNITION_CROWDS_IN: Pattern = Pattern {
    number: 2,
    title: "Recognition crowds in",
    criterion: "recognition on − off above 0 (volunteer_retention)",
    arms: |_| {
        vec![
            ArmDef::default_arm("default"),
            ArmDef::of_default("recognition", vec![("policy.time_bank.recognition", Value::Float(0.5))]),
        ]
    },
    judge: |v| {
        let retention = all_residents("volunteer_retention");
        let d = difference(v[1], v[0], &retention);
        vec![Part::new("a", &retention, "recognition − default", d, Criterion::Above { bound: 0.0 })]
    },
    daily: None,
};

/// The starved catalogue of pattern 10: no seed-shop items, no donated items.
fn starved() -> Vec<(&'static str, Value)> {
    vec![("policy.time_bank.shop_items_per_month", int(0)), ("merchants.donation_items_per_month", int(0))]
}

pub const STARVED_CATALOGUE: Pattern = Pattern {
    number: 10,
    title: "A starved catalogue lowers participation",
    criterion: "starved − stocked below 0 (redeemed, retention); ever_volunteered drop at least 10%",
    arms: |_| vec![ArmDef::default_arm("stocked"), ArmDef::of_default("starved", starved())],
    judge: |v| judge_starved(v[0], v[1]),
    daily: None,
};

fn judge_starved(stocked: &ArmValues, starved: &ArmValues) -> Vec<Part> {
    let (redeemed, retention, ever) = (
        all_residents("earners_who_redeemed"),
        all_residents("volunteer_retention"),
        all_residents("ever_volunteered"),
    );
    let contrast = "starved − stocked";
    let stocked_mean = crate::experiment::validate::Interval::of_level(stocked.get(&ever)).estimate;
    vec![
        Part::new("a", &redeemed, contrast, difference(starved, stocked, &redeemed), Criterion::Below { bound: 0.0 }),
        Part::new("b", &retention, contrast, difference(starved, stocked, &retention), Criterion::Below { bound: 0.0 }),
        Part::new(
            "c",
            &ever,
            contrast,
            difference(starved, stocked, &ever),
            Criterion::UpperAtMost { bound: -0.1 * stocked_mean },
        ),
    ]
}

pub const MERCHANTS_AND_MINI_PROGRAM: Pattern = Pattern {
    number: 11,
    title: "More merchants and the mini-program fix the imbalance",
    criterion: "after − before above 0 (earners_who_redeemed, ever_volunteered), Jiahong Road",
    arms: jiahong_arms,
    judge: |v| {
        let (before, after) = (v[0], v[1]);
        let (redeemed, ever) = (all_residents("earners_who_redeemed"), all_residents("ever_volunteered"));
        vec![
            Part::new(
                "a",
                &redeemed,
                "after − before",
                difference(after, before, &redeemed),
                Criterion::Above { bound: 0.0 },
            ),
            Part::new("b", &ever, "after − before", difference(after, before, &ever), Criterion::Above { bound: 0.0 }),
        ]
    },
    daily: None,
};

/// Jiahong Road before (starved catalogue, platform off) and after (shop still empty, donations
/// at their default, platform on, 13 alliance merchants at the start).
fn jiahong_arms(_: &Scenario) -> Vec<ArmDef> {
    let own = |pairs: Vec<(&str, Value)>| pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let mut before = starved();
    before.push(("policy.platform.enabled", Value::Boolean(false)));
    let after = vec![
        ("policy.time_bank.shop_items_per_month", int(0)),
        ("policy.platform.enabled", Value::Boolean(true)),
        ("merchants.alliance_initial", int(13)),
    ];
    vec![
        ArmDef { name: "before", base: Base::JiahongRoad, overrides: own(before) },
        ArmDef { name: "after", base: Base::JiahongRoad, overrides: own(after) },
    ]
}
