//! Patterns of who takes part: the digital channel (9), tenure (12), the young at the festival (13), the ordering of the three thirds (14).

use toml::Value;

use super::{difference, float, within, year3_active, zip};
use crate::experiment::arms::{base_value, value_at};
use crate::experiment::validate::values::{ArmValues, measure_key};
use crate::experiment::validate::{ArmDef, Criterion, FESTIVAL_ATTENDANCE, Interval, Part, Pattern};
use crate::scenario::Scenario;

pub const DIGITAL_CHANNEL_REACHES_TIME_POOR: Pattern = Pattern {
    number: 9,
    title: "The digital channel reaches the time-poor",
    criterion: "platform effect on new families − on original owners above 0 (year-3 active rate)",
    arms: |_| {
        vec![
            ArmDef::default_arm("default"),
            ArmDef::of_default("platform", vec![("policy.platform.enabled", Value::Boolean(true))]),
        ]
    },
    judge: |v| {
        let (default, platform) = (v[0], v[1]);
        let effect = |cohort: &str| {
            let key = year3_active(cohort);
            zip(platform.get(&key), default.get(&key), |p, d| p - d)
        };
        let zeros = vec![0.0; default.daily_all.len()];
        let (new_family, original) = (effect("new_family"), effect("original"));
        vec![
            super::reported(
                &year3_active("new_family"),
                "platform − default",
                difference(platform, default, &year3_active("new_family")),
            ),
            super::reported(
                &year3_active("original"),
                "platform − default",
                difference(platform, default, &year3_active("original")),
            ),
            Part::new(
                "a",
                "year-3 active rate: platform effect",
                "effect on new_family − effect on original",
                Interval::of_difference(&zip(&new_family, &original, |n, o| n - o), &zeros),
                Criterion::Above { bound: 0.0 },
            ),
        ]
    },
    daily: None,
};

pub const TENURE_RAISES_PARTICIPATION: Pattern = Pattern {
    number: 12,
    title: "Tenure raises participation on its own",
    criterion: "longer stays − default above 0 (year-3 active rate, transients)",
    arms: |default| vec![ArmDef::default_arm("default"), longer_stays(default)],
    judge: |v| {
        let key = year3_active("transient");
        vec![Part::new(
            "a",
            &key,
            "longer stays − default",
            difference(v[1], v[0], &key),
            Criterion::Above { bound: 0.0 },
        )]
    },
    daily: None,
};

/// Transients' move-out rate halved (their mean stay doubled).
fn longer_stays(default: &Scenario) -> ArmDef {
    const KEY: &str = "cohorts.transient.move_out_rate";
    let base = base_value(default);
    let rate = value_at(&base, KEY).ok().and_then(Value::as_float).expect("the default has a transient move-out rate");
    ArmDef::of_default("longer_stays", vec![(KEY, float(rate / 2.0))])
}

pub const YOUNG_AT_THE_FESTIVAL: Pattern = Pattern {
    number: 13,
    title: "The young come to the festival but not the follow-through",
    criterion: "young − adult festival attendance above 0; young − adult attendee_retention below 0",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| judge_festival(v[0]),
    daily: None,
};

fn judge_festival(a: &ArmValues) -> Vec<Part> {
    // Festival attendances per resident over the run, divided by the festivals held: per
    // festival and resident of the band.
    let festivals = a.dates.iter().filter(|d| chrono::Datelike::month(*d) == 5 && chrono::Datelike::day(*d) == 18);
    let festivals = festivals.count().max(1) as f64;
    let per_festival = |band: &str| -> Vec<f64> {
        a.get(&measure_key(FESTIVAL_ATTENDANCE, band)).iter().map(|x| x / festivals).collect()
    };
    let attendance = Interval::of_difference(&per_festival("young_adult"), &per_festival("adult"));
    let retention =
        within(a, &measure_key("attendee_retention", "young_adult"), &measure_key("attendee_retention", "adult"));
    vec![
        Part::new(
            "a",
            "festival attendance per resident of the band, per festival",
            "young_adult − adult",
            attendance,
            Criterion::Above { bound: 0.0 },
        ),
        Part::new("b", "attendee_retention", "young_adult − adult", retention, Criterion::Below { bound: 0.0 }),
    ]
}

pub const ORDERING_OF_THE_THIRDS: Pattern = Pattern {
    number: 14,
    title: "Ordering of the three thirds",
    criterion: "transient < new family and < original; original > new family (ever_took_part, year-3 active rate)",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| {
        let a = v[0];
        let mut parts = Vec::new();
        for (name, key) in [
            ("ever_took_part", (|c: &str| measure_key("ever_took_part", c)) as fn(&str) -> String),
            ("year-3 active rate", year3_active as fn(&str) -> String),
        ] {
            let d = |x: &str, y: &str| within(a, &key(x), &key(y));
            let m = format!("{name} (by cohort)");
            parts.push(Part::new(
                "a",
                &m,
                "transient − new_family",
                d("transient", "new_family"),
                Criterion::Below { bound: 0.0 },
            ));
            parts.push(Part::new(
                "b",
                &m,
                "transient − original",
                d("transient", "original"),
                Criterion::Below { bound: 0.0 },
            ));
            parts.push(Part::new(
                "c",
                &m,
                "original − new_family",
                d("original", "new_family"),
                Criterion::Above { bound: 0.0 },
            ));
        }
        parts
    },
    daily: None,
};
