//! Single-arm patterns of who does the work: a minority volunteers (3), a persistent core (4), taking part once raises later participation (8).

use super::{all_residents, level, within, zip};
use crate::experiment::validate::{ArmDef, Criterion, Interval, Part, Pattern};

pub const A_MINORITY_VOLUNTEERS: Pattern = Pattern {
    number: 3,
    title: "A minority does most of the volunteering",
    criterion: "top-20% share within [0.50, 0.90]; Gini lower bound at least 0.40",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| {
        let (top, gini) = (all_residents("volunteering_top20_share"), all_residents("volunteering_gini"));
        vec![
            Part::new("a", &top, "default", level(v[0], &top), Criterion::Within { low: 0.5, high: 0.9 }),
            Part::new("b", &gini, "default", level(v[0], &gini), Criterion::LowerAtLeast { bound: 0.4 }),
        ]
    },
    daily: None,
};

pub const A_PERSISTENT_CORE: Pattern = Pattern {
    number: 4,
    title: "A persistent core; most members rarely act",
    criterion: "retention lower bound at least 0.30; p90 at least 4 × median; redeemed share upper bound below 0.80",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| {
        let a = v[0];
        let retention = all_residents("volunteer_retention");
        let (p90, median) = (all_residents("acts_per_participant_p90"), all_residents("acts_per_participant_median"));
        let ratio = Interval::of_level(&zip(a.get(&p90), a.get(&median), |p, m| p / m));
        let redeemed = all_residents("earners_who_redeemed");
        vec![
            Part::new("a", &retention, "default", level(a, &retention), Criterion::LowerAtLeast { bound: 0.3 }),
            Part::new(
                "b",
                "acts_per_participant_p90 / median (all)",
                "default",
                ratio,
                Criterion::LowerAtLeast { bound: 4.0 },
            ),
            Part::new("c", &redeemed, "default", level(a, &redeemed), Criterion::UpperBelow { bound: 0.8 }),
        ]
    },
    daily: None,
};

pub const TAKING_PART_ONCE: Pattern = Pattern {
    number: 8,
    title: "Taking part once raises later participation",
    criterion: "first_timer_followup − similar_non_participant_followup lower bound at least 0.05",
    arms: |_| vec![ArmDef::default_arm("default")],
    judge: |v| {
        let (first, similar) =
            (all_residents("first_timer_followup"), all_residents("similar_non_participant_followup"));
        let d = within(v[0], &first, &similar);
        vec![Part::new(
            "a",
            "first_timer_followup − similar_non_participant_followup (all)",
            "default",
            d,
            Criterion::LowerAtLeast { bound: 0.05 },
        )]
    },
    daily: None,
};
