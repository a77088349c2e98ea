//! Range and consistency checks on a typed scenario; each problem names its dotted key.

use chrono::NaiveDate;

use super::error::ErrorKind;
use super::load::closest_key;
use super::schema::{
    BUILT_IN_MEASURES, CohortParams, Event, FORMAT_VERSION, Group, MeasureSpec, Repeat, Scenario, act_names,
    activity_acts,
};
use crate::model::core::check::{Check, SHARE_TOLERANCE, round6};

/// One thing wrong with a scenario, before it is located in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ErrorKind,
    pub key: String,
    pub expected: String,
    pub found: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(
        kind: ErrorKind,
        key: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Problem {
        Problem { kind, key: key.into(), expected: expected.into(), found: found.into(), help: None }
    }
}

/// A range that holds for a key wherever it appears (`event[0].capacity` stands for every
/// event's): the JSON Schema states it as `minimum` and `maximum`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub key: String,
    pub min: f64,
    /// None when the maximum is another key's value (`merchants.alliance_initial` <= `count`).
    pub max: Option<f64>,
    pub integer: bool,
}

pub use crate::model::core::check::LAST_DAY_IN_EVERY_MONTH;

/// A scenario name usable as a folder name, as a JSON Schema pattern: the rule of `check_meta`.
pub const NAME_PATTERN: &str = r"^[^./\\:\u0000-\u001f\u007f-\u009f][^/\\:\u0000-\u001f\u007f-\u009f]*$";

/// A measure's name, as a JSON Schema pattern: the rule of `check_measure`.
pub const MEASURE_NAME_PATTERN: &str = "^[a-z][a-z0-9_]*$";

/// Whether `name` is a measure's name by [`MEASURE_NAME_PATTERN`].
fn is_measure_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The problem with a number at `key` outside `min..=max` (or not finite), if any.
pub fn real_range_problem(key: &str, value: f64, min: f64, max: f64) -> Option<Problem> {
    let inside = value.is_finite() && (min..=max).contains(&value);
    (!inside)
        .then(|| Problem::new(ErrorKind::InvalidValue, key, format!("a number from {min} to {max}"), value.to_string()))
}

/// All problems of a scenario, in file order of sections.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut check = Checker::default();
    run_checks(&mut check, scenario);
    check.problems
}

/// Every fixed range `validate` checks, found by running the checks on the defaults with one
/// event of each kind: so the ranges are written once, in the checks.
pub fn schema_bounds() -> Vec<Bound> {
    let mut probe = Scenario::default();
    for repeat in [Repeat::Weekly, Repeat::Monthly, Repeat::Yearly] {
        probe.events.push(Event { repeat: Some(repeat), ..Event::probe() });
    }
    let mut check = Checker::default();
    run_checks(&mut check, &probe);
    check.bounds
}

fn run_checks(check: &mut Checker, scenario: &Scenario) {
    check_meta(check, scenario);
    check_community(check, scenario);
    check_cohorts(check, scenario);
    check_behaviour(check, scenario);
    check_network(check, scenario);
    check_committee(check, scenario);
    check_needs(check, scenario);
    check_merchants(check, scenario);
    check_policy(check, scenario);
    for (i, event) in scenario.events.iter().enumerate() {
        check_event(check, scenario, &format!("event[{i}]"), event);
    }
    let measures = &scenario.output.measures;
    for (i, measure) in measures.iter().enumerate() {
        check_measure(check, scenario, &format!("output.measure[{i}]"), measure, &measures[..i]);
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    /// The fixed ranges checked, for the JSON Schema.
    bounds: Vec<Bound>,
}

impl Check for Checker {
    /// A fixed range: also a schema bound.
    fn int_range(&mut self, key: &str, value: u64, min: u64, max: u64) {
        self.bound(key, min as f64, Some(max as f64), true);
        self.int_check(key, value, min, max);
    }

    /// A range whose maximum is another key's value: only the minimum is a schema bound.
    fn int_range_relative(&mut self, key: &str, value: u64, min: u64, max: u64) {
        self.bound(key, min as f64, None, true);
        self.int_check(key, value, min, max);
    }

    /// A fixed range: also a schema bound.
    fn real_range(&mut self, key: &str, value: f64, min: f64, max: f64) {
        self.bound(key, min, Some(max), false);
        self.real_check(key, value, min, max);
    }

    /// A range whose maximum is another key's value: only the minimum is a schema bound.
    fn real_range_relative(&mut self, key: &str, value: f64, min: f64, max: f64) {
        self.bound(key, min, None, false);
        self.real_check(key, value, min, max);
    }

    fn inconsistent(&mut self, key: &str, expected: String, found: String) {
        self.fail(ErrorKind::Inconsistent, key, expected, found);
    }
}

impl Checker {
    fn fail(&mut self, kind: ErrorKind, key: &str, expected: impl Into<String>, found: impl Into<String>) {
        self.problems.push(Problem::new(kind, key, expected, found));
    }

    /// A range and no schema bound: for a range that holds only in some cases (a monthly
    /// event's day).
    fn int_check(&mut self, key: &str, value: u64, min: u64, max: u64) {
        if !(min..=max).contains(&value) {
            self.fail(ErrorKind::InvalidValue, key, format!("a whole number from {min} to {max}"), value.to_string());
        }
    }

    /// A range and no schema bound.
    fn real_check(&mut self, key: &str, value: f64, min: f64, max: f64) {
        self.problems.extend(real_range_problem(key, value, min, max));
    }

    fn bound(&mut self, key: &str, min: f64, max: Option<f64>, integer: bool) {
        self.bounds.push(Bound { key: key.to_string(), min, max, integer });
    }

    /// `value` must not be below the value of the sibling key `other`.
    fn not_below(&mut self, key: &str, value: f64, min: f64, other: &str) {
        if value < min {
            let expected = format!("at least {other} ({min})");
            self.fail(ErrorKind::Inconsistent, key, expected, value.to_string());
        }
    }

    /// `value` must be one of `allowed`; a close one is suggested.
    fn one_of(&mut self, key: &str, value: &str, allowed: &[&str], expected: String) {
        if !allowed.contains(&value) {
            let mut problem = Problem::new(ErrorKind::InvalidValue, key, expected, format!("{value:?}"));
            problem.help = closest_key(value, &allowed.iter().map(|a| a.to_string()).collect::<Vec<_>>());
            self.problems.push(problem);
        }
    }

    fn at_least(&mut self, key: &str, value: u32, min: u32, what: &str) {
        if value < min {
            let expected = format!("at least {min} ({what})");
            self.fail(ErrorKind::Inconsistent, key, expected, value.to_string());
        }
    }
}

fn check_meta(check: &mut Checker, scenario: &Scenario) {
    let meta = &scenario.scenario;
    check.bound("scenario.version", FORMAT_VERSION.into(), Some(FORMAT_VERSION.into()), true);
    if meta.version != FORMAT_VERSION {
        let expected = format!("version {FORMAT_VERSION}, the format this linli reads");
        check.fail(ErrorKind::InvalidValue, "scenario.version", expected, meta.version.to_string());
    }
    let bad_name = meta.name.is_empty()
        || meta.name.starts_with('.')
        || meta.name.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control());
    if bad_name {
        let expected = "a non-empty name usable as a folder name (no / \\ : or leading dot)";
        check.fail(ErrorKind::InvalidValue, "scenario.name", expected, format!("{:?}", meta.name));
    }
    check.int_range("scenario.days", meta.days.into(), 1, 36_500);
    check.int_range("scenario.burn_in_days", meta.burn_in_days.into(), 0, 3650);
    check.int_range("scenario.replicates", meta.replicates.into(), 1, 1_000_000);
}

fn check_community(check: &mut Checker, scenario: &Scenario) {
    let c = &scenario.community;
    check.int_range("community.compounds", c.compounds.into(), 1, u32::MAX.into());
    check.at_least("community.buildings", c.buildings, c.compounds, "every compound needs a building");
    check.at_least("community.stairwells", c.stairwells, c.buildings, "every building needs a stairwell unit");
    check.at_least("community.households", c.households, c.stairwells, "every stairwell unit needs a household");
    check.at_least("community.residents", c.residents, c.households, "every household needs a resident");
    check.int_range("community.residents", c.residents.into(), 1, 50_000_000);
    check.int_range_relative("community.micro_grids", c.micro_grids.into(), 1, c.households.max(1).into());
}

fn check_cohorts(check: &mut Checker, scenario: &Scenario) {
    let names = ["original", "new_family", "transient"];
    let params = scenario.cohorts.by_cohort();
    for (name, cohort) in names.iter().zip(params) {
        check_cohort(check, &format!("cohorts.{name}"), cohort);
    }
    let total: f64 = params.iter().map(|c| c.share).sum();
    if (total - 1.0).abs() > SHARE_TOLERANCE {
        let found = format!("original + new_family + transient = {}", round6(total));
        check.fail(ErrorKind::Inconsistent, "cohorts", "cohort shares that sum to 1", found);
    }
}

fn check_cohort(check: &mut Checker, key: &str, cohort: &CohortParams) {
    check.share(&format!("{key}.share"), cohort.share);
    let ages = cohort.age_shares.as_array();
    for (band, share) in ["child", "young_adult", "adult", "senior"].iter().zip(ages) {
        check.share(&format!("{key}.age_shares.{band}"), share);
    }
    let total: f64 = ages.iter().sum();
    if (total - 1.0).abs() > SHARE_TOLERANCE {
        let found = format!("child + young_adult + adult + senior = {}", round6(total));
        check.fail(ErrorKind::Inconsistent, &format!("{key}.age_shares"), "age shares that sum to 1", found);
    }
    check.real_range(&format!("{key}.tenure_min_years"), cohort.tenure_min_years, 0.0, 80.0);
    check.not_below(
        &format!("{key}.tenure_max_years"),
        cohort.tenure_max_years,
        cohort.tenure_min_years,
        "tenure_min_years",
    );
    check.real_range(&format!("{key}.tenure_max_years"), cohort.tenure_max_years, 0.0, 80.0);
    for (field, value) in [
        ("weekday_free", cohort.weekday_free),
        ("weekend_free", cohort.weekend_free),
        ("trust", cohort.trust),
        ("attachment", cohort.attachment),
        ("awareness", cohort.awareness),
        ("intrinsic", cohort.intrinsic),
        ("move_out_rate", cohort.move_out_rate),
    ] {
        check.share(&format!("{key}.{field}"), value);
    }
    check.real_range(&format!("{key}.propensity"), cohort.propensity, -20.0, 20.0);
    check.real_range(&format!("{key}.voice"), cohort.voice, -20.0, 20.0);
}

fn check_behaviour(check: &mut Checker, scenario: &Scenario) {
    let b = &scenario.behaviour;
    check.int_range("behaviour.active_window_days", b.active_window_days.into(), 1, 365);
    for (field, value) in [
        ("habit_weight", b.habit_weight),
        ("social_weight", b.social_weight),
        ("trust_weight", b.trust_weight),
        ("attachment_weight", b.attachment_weight),
        ("intrinsic_weight", b.intrinsic_weight),
        ("volunteer_offset", b.volunteer_offset),
        ("deliberation_offset", b.deliberation_offset),
        ("young_event_bonus", b.young_event_bonus),
        ("voice_trust_weight", b.voice_trust_weight),
        ("voice_attachment_weight", b.voice_attachment_weight),
        ("voice_awareness_weight", b.voice_awareness_weight),
    ] {
        check.real_range(&format!("behaviour.{field}"), value, -50.0, 50.0);
    }
    for (field, value) in [
        ("senior_free_time_bonus", b.senior_free_time_bonus),
        ("trait_spread", b.trait_spread),
        ("habit_gain", b.habit_gain),
        ("habit_decay", b.habit_decay),
        ("attachment_relaxation", b.attachment_relaxation),
        ("attachment_ties_rate", b.attachment_ties_rate),
        ("attachment_participation_gain", b.attachment_participation_gain),
        ("awareness_social_gain", b.awareness_social_gain),
        ("awareness_participation_gain", b.awareness_participation_gain),
        ("awareness_relaxation", b.awareness_relaxation),
        ("trust_resolved_gain", b.trust_resolved_gain),
        ("trust_unresolved_loss", b.trust_unresolved_loss),
        ("newcomer_factor", b.newcomer_factor),
    ] {
        check.share(&format!("behaviour.{field}"), value);
    }
    b.identity.check("behaviour.identity", check);
    b.thresholds.check("behaviour.thresholds", check);
    b.cooperation.check("behaviour.cooperation", check);
    b.tenure.check("behaviour.tenure", check);
    b.image.check("behaviour.image", check);
}

fn check_network(check: &mut Checker, scenario: &Scenario) {
    let n = &scenario.network;
    check.int_range("network.max_degree", n.max_degree.into(), 1, 255);
    let generated = n.stairwell_ties + n.building_ties + n.long_range_ties;
    if generated > n.max_degree {
        let expected = format!("at least stairwell_ties + building_ties + long_range_ties ({generated})");
        check.fail(ErrorKind::Inconsistent, "network.max_degree", expected, n.max_degree.to_string());
    }
    check.share("network.co_participation_tie_chance", n.co_participation_tie_chance);
}

fn check_committee(check: &mut Checker, scenario: &Scenario) {
    let c = &scenario.committee;
    check.int_range("committee.deliberation_day", c.deliberation_day.into(), 1, LAST_DAY_IN_EVERY_MONTH);
    check.share("committee.resolve_share", c.resolve_share);
    check.real_range("committee.hours_per_task", c.hours_per_task, 0.0, 24.0);
    check.int_range("committee.resolve_days_min", c.resolve_days_min.into(), 1, 365);
    check.not_below(
        "committee.resolve_days_max",
        c.resolve_days_max.into(),
        c.resolve_days_min.into(),
        "resolve_days_min",
    );
    check.int_range("committee.resolve_days_max", c.resolve_days_max.into(), 1, 365);
}

fn check_needs(check: &mut Checker, scenario: &Scenario) {
    let n = &scenario.needs;
    check.real_range("needs.personal_per_year", n.personal_per_year, 0.0, 365.0);
    check.real_range("needs.disputes_per_year", n.disputes_per_year, 0.0, 365.0);
    check.real_range("needs.pipe_bursts_per_year", n.pipe_bursts_per_year, 0.0, 100_000.0);
    check.share("needs.pipe_burst_need_chance", n.pipe_burst_need_chance);
}

fn check_merchants(check: &mut Checker, scenario: &Scenario) {
    scenario.merchants.check("merchants", check);
}

fn check_policy(check: &mut Checker, scenario: &Scenario) {
    let seats = (scenario.committee.deliberation_seats, "committee.deliberation_seats");
    scenario.policy.check("policy", seats, check);
    let costs = &scenario.costs;
    for (key, value) in [
        ("time_bank_yuan_per_year", costs.time_bank_yuan_per_year),
        ("proposal_fund_yuan_per_year", costs.proposal_fund_yuan_per_year),
        ("platform_yuan_per_year", costs.platform_yuan_per_year),
        ("grid_workers_yuan_per_year", costs.grid_workers_yuan_per_year),
        ("riders_yuan_per_year", costs.riders_yuan_per_year),
        ("integration_yuan_per_year", costs.integration_yuan_per_year),
    ] {
        check.real_range(&format!("costs.{key}"), value, 0.0, 1e10);
    }
}

fn check_event(check: &mut Checker, scenario: &Scenario, key: &str, event: &Event) {
    if event.name.trim().is_empty() {
        check.fail(ErrorKind::InvalidValue, &format!("{key}.name"), "a non-empty name", "\"\"");
    }
    check.int_range(&format!("{key}.capacity"), event.capacity.into(), 1, u32::MAX.into());
    check.real_range(&format!("{key}.appeal"), event.appeal, -50.0, 50.0);
    check.share(&format!("{key}.publicity"), event.publicity);
    match (event.date, event.repeat) {
        (Some(date), None) => check_event_date(check, scenario, key, date.0),
        (None, Some(repeat)) => check_recurrence(check, key, event, repeat),
        (Some(_), Some(_)) => {
            let expected = "either `date` (one-off) or `repeat` (recurring), not both";
            check.fail(ErrorKind::Inconsistent, key, expected, "both");
        }
        (None, None) => {
            let expected = "`date = YYYY-MM-DD` or `repeat = \"weekly\" | \"monthly\" | \"yearly\"`";
            check.fail(ErrorKind::MissingKey, key, expected, "neither");
        }
    }
}

fn check_event_date(check: &mut Checker, scenario: &Scenario, key: &str, date: NaiveDate) {
    let meta = &scenario.scenario;
    let start = meta.start_date.0;
    let last = start + chrono::Days::new(u64::from(meta.days.max(1)) - 1);
    if date < start || date > last {
        let expected = format!("a date inside the simulated period {start} to {last}");
        check.fail(ErrorKind::InvalidValue, &format!("{key}.date"), expected, date.to_string());
    }
}

fn check_recurrence(check: &mut Checker, key: &str, event: &Event, repeat: Repeat) {
    let needs = |field: &str, present: bool, check: &mut Checker| {
        if !present {
            let expected = format!("`{field}` for a {repeat:?} event").to_lowercase();
            check.fail(ErrorKind::MissingKey, &format!("{key}.{field}"), expected, "no such key");
        }
    };
    match repeat {
        Repeat::Weekly => needs("weekday", event.weekday.is_some(), check),
        Repeat::Monthly => {
            needs("day", event.day.is_some(), check);
            if let Some(day) = event.day {
                check.int_check(&format!("{key}.day"), day.into(), 1, LAST_DAY_IN_EVERY_MONTH);
            }
        }
        Repeat::Yearly => {
            needs("month", event.month.is_some(), check);
            needs("day", event.day.is_some(), check);
            if let (Some(month), Some(day)) = (event.month, event.day) {
                check.int_range(&format!("{key}.month"), month.into(), 1, 12);
                if (1..=12).contains(&month) && NaiveDate::from_ymd_opt(2024, month, day).is_none() {
                    let last = last_day_of_month(month);
                    check.int_check(&format!("{key}.day"), day.into(), 1, last.into());
                }
            }
        }
    }
}

/// A measure of `[[output.measure]]`; `earlier` are the measures before it.
fn check_measure(check: &mut Checker, scenario: &Scenario, key: &str, measure: &MeasureSpec, earlier: &[MeasureSpec]) {
    let (name, name_key) = (&measure.name, format!("{key}.name"));
    let built_in: Vec<&str> = BUILT_IN_MEASURES.iter().map(|&(name, ..)| name).collect();
    if !is_measure_name(name) {
        let expected = "a name of lowercase letters, digits and underscores, starting with a letter";
        check.fail(ErrorKind::InvalidValue, &name_key, expected, format!("{name:?}"));
    } else if built_in.contains(&name.as_str()) {
        let expected = format!("a name that is not a built-in measure's ({})", built_in.join(", "));
        check.fail(ErrorKind::InvalidValue, &name_key, expected, format!("{name:?}"));
    } else if let Some(first) = earlier.iter().position(|m| m.name == *name) {
        let expected = format!("a unique name (output.measure[{first}] is already called this)");
        check.fail(ErrorKind::InvalidValue, &name_key, expected, format!("{name:?}"));
    }
    let acts = act_names();
    let act_expected = |what: &str| format!("{what}: one of {}", acts.join(", "));
    check.one_of(&format!("{key}.act"), &measure.act, &acts, act_expected("a kind of act or took_part"));
    if let Some(among) = &measure.among {
        check.one_of(&format!("{key}.among"), among, &acts, act_expected("a kind of act or took_part"));
    }
    if let Some(activity) = &measure.activity {
        let activity_key = format!("{key}.activity");
        let activities: Vec<String> = scenario.activities().into_iter().map(|(name, _)| name).collect();
        let names: Vec<&str> = activities.iter().map(String::as_str).collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        let expected = format!("an event of this scenario, deliberation or workshop: one of {}", quoted.join(", "));
        check.one_of(&activity_key, activity, &names, expected);
        let namesakes = names.iter().filter(|n| **n == activity.as_str()).count();
        if namesakes > 1 {
            let expected = "an activity whose name no other has (rename the events that share it)";
            check.fail(
                ErrorKind::Inconsistent,
                &activity_key,
                expected,
                format!("{activity:?}, the name of {namesakes} activities"),
            );
        }
        let with_activity = activity_acts();
        if !with_activity.contains(&measure.act.as_str()) {
            let expected = format!(
                "no activity with act {:?}: only attendances have one (act {})",
                measure.act,
                with_activity.map(|a| format!("{a:?}")).join(" or ")
            );
            check.fail(ErrorKind::Inconsistent, &activity_key, expected, format!("{activity:?}"));
        }
    }
    if let Some(group) = &measure.group {
        let groups: Vec<&str> = Group::all().into_iter().map(Group::name).collect();
        let expected = format!("everyone, a cohort or an age band: one of {}", groups.join(", "));
        check.one_of(&format!("{key}.group"), group, &groups, expected);
    }
}

/// The last day of a month in a leap year (so 29 February is allowed for yearly events).
fn last_day_of_month(month: u32) -> u32 {
    (28..=31).rev().find(|&d| NaiveDate::from_ymd_opt(2024, month, d).is_some()).unwrap_or(28)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(validate(&Scenario::default()), vec![]);
    }

    #[test]
    fn shares_must_sum_to_one() {
        let mut scenario = Scenario::default();
        scenario.cohorts.transient.share = 0.5;
        let problems = validate(&scenario);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "cohorts");
        assert_eq!(problems[0].kind, ErrorKind::Inconsistent);
    }

    #[test]
    fn impossible_structure_is_rejected() {
        let mut scenario = Scenario::default();
        scenario.community.residents = 100;
        let problems = validate(&scenario);
        assert_eq!(problems[0].key, "community.residents");
        assert!(problems[0].expected.contains("every household needs a resident"));
    }

    #[test]
    fn yearly_event_on_a_day_that_does_not_exist() {
        let mut scenario = Scenario::default();
        let probe = Event::probe();
        scenario.events.push(Event {
            repeat: Some(Repeat::Yearly),
            weekday: None,
            month: Some(2),
            day: Some(30),
            ..probe
        });
        let problems = validate(&scenario);
        assert_eq!(problems[0].key, "event[0].day");
        assert!(problems[0].expected.contains("1 to 29"), "{:?}", problems[0]);
    }
}
