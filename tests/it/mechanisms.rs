//! Each mechanism of the model changes outcomes in the documented direction; each test would
//! fail if its mechanism were removed.

use linli::model::Cohort;

use crate::common::{mean_active, mean_active_all, mean_over, run, small, step_world};

#[test]
fn transients_take_part_least_and_original_owners_most() {
    let output = run(&small(6_000, 365, 3));
    let original = mean_active(&output, Cohort::Original);
    let new_family = mean_active(&output, Cohort::NewFamily);
    let transient = mean_active(&output, Cohort::Transient);
    assert!(original > new_family && new_family > transient, "{original} {new_family} {transient}");
    assert!(transient < 0.5 * new_family, "transients barely take part: {transient} vs {new_family}");
}

/// The default community with no capacity limits, so effects on how many take part show.
fn uncapped(residents: u32, days: u32, replicates: u32) -> linli::Scenario {
    let mut scenario = small(residents, days, replicates);
    for event in &mut scenario.events {
        event.capacity = residents;
    }
    scenario.committee.volunteer_tasks_per_day = residents;
    scenario.committee.volunteer_tasks_per_weekend_day = residents;
    scenario.committee.deliberation_seats = residents;
    scenario
}

#[test]
fn habit_sustains_participation() {
    let with = uncapped(4_000, 240, 2);
    let mut without = with.clone();
    without.behaviour.habit_weight = 0.0;
    let (a, b) = (mean_active_all(&run(&with)), mean_active_all(&run(&without)));
    assert!(a > 1.1 * b, "with habit {a}, without {b}");
}

#[test]
fn social_influence_spreads_participation() {
    let with = uncapped(4_000, 240, 2);
    let mut without = with.clone();
    without.behaviour.social_weight = 0.0;
    without.behaviour.awareness_social_gain = 0.0;
    let (a, b) = (mean_active_all(&run(&with)), mean_active_all(&run(&without)));
    assert!(a > 1.05 * b, "with social influence {a}, without {b}");
}

#[test]
fn resolved_complaints_raise_trust_and_stalled_ones_lower_it() {
    let mut resolving = small(4_000, 365, 2);
    resolving.policy = Default::default(); // complaints alone move trust here
    resolving.needs.personal_per_year = 0.3; // enough complaints for trust to move
    resolving.committee.resolve_share = 1.0;
    let mut stalling = resolving.clone();
    stalling.committee.resolve_share = 0.0;
    let trust = |s| mean_over(&run(s), |d| d[Cohort::Original.index()].mean_trust());
    let (high, low) = (trust(&resolving), trust(&stalling));
    let initial = resolving.cohorts.original.trust;
    assert!(high > initial && low < initial, "resolving {high}, stalling {low}, initial {initial}");
}

#[test]
fn capacity_limits_are_never_exceeded() {
    let scenario = small(10_685, 200, 1);
    let output = run(&scenario);
    let tasks = scenario.committee.volunteer_tasks_per_weekend_day.max(scenario.committee.volunteer_tasks_per_day);
    for day in &output.replicates[0].days {
        let volunteers: u32 = day.iter().map(|c| c.core.volunteers).sum();
        assert!(volunteers <= tasks);
    }
}

#[test]
fn deliberation_attendance_happens_on_the_20th_only_without_events() {
    let mut scenario = small(4_000, 120, 1);
    scenario.events.clear();
    let output = run(&scenario);
    for (day, date) in output.replicates[0].days.iter().zip(&output.dates) {
        let attendees: u32 = day.iter().map(|c| c.core.attendees).sum();
        let is_20th = chrono::Datelike::day(date) == 20;
        assert!(is_20th || attendees == 0, "attendance on {date}");
        if is_20th {
            assert!(attendees > 0, "nobody came on {date}");
        }
    }
}

#[test]
fn festival_spike_in_young_participation_fades_within_weeks() {
    // Against the same community and seeds without the festival (common random numbers), so
    // that slower trends (policies taking hold) do not blur the festival's own effect.
    let mut with = small(6_000, 240, 3);
    with.scenario.start_date = linli::scenario::date::Date::from_ymd(2024, 3, 1);
    let mut without = with.clone();
    without.events.retain(|e| e.name != "Music festival");
    assert_eq!(without.events.len() + 1, with.events.len());
    let (with, without) = (run(&with), run(&without));
    let festival = with.dates.iter().position(|d| d.to_string() == "2024-05-18").unwrap();
    let young = |output: &linli::RunOutput, day: usize| {
        let values: Vec<f64> =
            output.replicates.iter().map(|r| r.days[day][Cohort::NewFamily.index()].active_rate()).collect();
        values.iter().sum::<f64>() / values.len() as f64
    };
    let effect = |day: usize| young(&with, day) - young(&without, day);
    let spike = effect(festival + 3);
    let weeks_later = (35..50).map(|k| effect(festival + k)).sum::<f64>() / 15.0;
    let months_later = effect(festival + 90);
    assert!(spike > 0.03, "the festival lifts young families' participation: {spike}");
    assert!(weeks_later < 0.4 * spike, "the lift fades within weeks: {weeks_later} vs {spike}");
    assert!(months_later < 0.2 * spike, "leaving a small tail of habit and ties: {months_later} vs {spike}");
}

#[test]
fn transients_move_out_at_the_configured_rate_and_the_population_stays_fixed() {
    let mut scenario = small(6_000, 365, 1);
    scenario.cohorts.transient.move_out_rate = 0.5;
    scenario.scenario.burn_in_days = 0;
    let (world, last) = step_world(&scenario, |_, _| {});
    let residents = world.residents();
    let transients: Vec<usize> = (0..residents.len()).filter(|&i| residents.cohort[i] == Cohort::Transient).collect();
    let moved_in = transients.iter().filter(|&&i| residents.move_in_day[i] >= 0).count();
    let share = moved_in as f64 / transients.len() as f64;
    assert!((share - 0.5).abs() < 0.07, "share of transient residents replaced in a year: {share}");
    let originals_replaced = (0..residents.len())
        .filter(|&i| residents.cohort[i] == Cohort::Original && residents.move_in_day[i] >= 0)
        .count();
    assert!(originals_replaced < moved_in / 5);
    let total: u32 = last.iter().map(|c| c.core.residents).sum();
    assert_eq!(total, 6_000);
}

#[test]
fn active_tie_counts_stay_exact_through_churn_and_new_ties() {
    let mut scenario = small(3_000, 200, 1);
    scenario.cohorts.transient.move_out_rate = 0.9;
    scenario.network.co_participation_tie_chance = 0.5;
    step_world(&scenario, |world, day| {
        if day % 50 == 0 {
            assert_eq!(*world.residents().active_ties, world.recount_active_ties(day as i32), "day {day}");
        }
    });
}

#[test]
fn taking_part_together_creates_ties() {
    let mut scenario = small(3_000, 300, 1);
    scenario.scenario.burn_in_days = 0;
    let degree_after = |chance: f64| {
        let mut s = scenario.clone();
        s.network.co_participation_tie_chance = chance;
        let (world, _) = step_world(&s, |_, _| {});
        let network = world.network();
        (0..3_000u32).map(|i| network.degree(linli::model::ResidentId(i))).sum::<usize>()
    };
    let (without, with) = (degree_after(0.0), degree_after(0.5));
    assert!(with > without, "{with} vs {without}");
    let network_cap = scenario.network.max_degree as usize * 3_000;
    assert!(with <= network_cap);
}

#[test]
fn fragmented_weekdays_keep_new_families_away_on_weekdays() {
    let mut scenario = small(6_000, 365, 2);
    scenario.events.clear();
    scenario.committee.volunteer_tasks_per_day = 10_000;
    scenario.committee.volunteer_tasks_per_weekend_day = 10_000;
    let output = run(&scenario);
    let rate = |weekend: bool, cohort: Cohort| {
        let mut values = vec![];
        for r in &output.replicates {
            for (day, date) in r.days.iter().zip(&output.dates) {
                let is_weekend = chrono::Datelike::weekday(date).number_from_monday() >= 6;
                if is_weekend == weekend {
                    values.push(day[cohort.index()].volunteer_rate());
                }
            }
        }
        values.iter().sum::<f64>() / values.len() as f64
    };
    let family_ratio = rate(true, Cohort::NewFamily) / rate(false, Cohort::NewFamily);
    let original_ratio = rate(true, Cohort::Original) / rate(false, Cohort::Original);
    assert!(family_ratio > 2.0 && family_ratio > original_ratio, "{family_ratio} vs {original_ratio}");
}

#[test]
fn the_meetings_daily_counts_add_up_to_the_merchants_totals() {
    let mut scenario = small(1500, 240, 2);
    scenario.merchants.count = 12;
    scenario.merchants.alliance_initial = 8;
    scenario.merchants.meetings_per_year = 12;
    scenario.merchants.grievances_per_year = 0.2;
    let output = run(&scenario);
    let columns = linli::model::CohortDay::counter_columns();
    let at = |name: &str| columns.iter().position(|c| c.name == name).expect("a counter");
    for r in &output.replicates {
        let daily = |name: &str| r.days.iter().map(|day| day[2].counter_values()[at(name)]).sum::<f64>();
        let raised: u32 = r.merchants.totals.iter().map(|t| t.problems_raised).sum();
        let fixed: u32 = r.merchants.totals.iter().map(|t| t.problems_fixed).sum();
        assert!(raised > 0 && fixed > 0, "meetings raised {raised} problems and fixed {fixed}");
        assert_eq!((daily("problems_raised"), daily("problems_fixed")), (raised as f64, fixed as f64));
    }
    let years = linli::output::summary::yearly_totals(&output);
    let yearly: f64 = years.iter().map(|y| y.totals["problems_raised"].mean).sum();
    let total: u32 = output.replicates.iter().flat_map(|r| &r.merchants.totals).map(|t| t.problems_raised).sum();
    assert!((yearly - total as f64 / 2.0).abs() < 1e-9, "yearly totals count the community's problems once");
}
