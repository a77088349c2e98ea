//! Comparisons: common random numbers shrink the noise of differences, identical arms show no
//! difference, and the statistics match hand computations.

use linli::compare::{Group, Metric, compare, metric_value, run_arms};
use linli::scenario::arms::Arm;
use linli::stats::{estimate, paired_difference};

use crate::common::small;

fn arm(name: &str, scenario: linli::Scenario) -> Arm {
    Arm { name: name.into(), description: String::new(), scenario }
}

fn base() -> linli::Scenario {
    let mut s = small(3_000, 240, 8);
    s.policy = Default::default();
    s
}

#[test]
fn common_random_numbers_make_paired_differences_less_noisy() {
    let baseline = base();
    let mut treated = baseline.clone();
    treated.policy.time_bank.enabled = true;
    let mut independent = treated.clone();
    independent.scenario.seed += 1_000; // the same design on unrelated streams
    let replicates: Vec<u32> = (0..8).collect();
    let runs =
        run_arms(&[arm("base", baseline), arm("tb", treated), arm("tb-indep", independent)], &replicates, &|| {});
    let values = |k: usize| -> Vec<f64> {
        (0..8).map(|r| metric_value(&runs[k].output, r, Group::All, Metric::MeanActiveRate, 365)).collect()
    };
    let (a, b, b_independent) = (values(0), values(1), values(2));
    let paired_se = paired_difference(&b, &a).se;
    let (ea, eb) = (estimate(&a), estimate(&b_independent));
    let unpaired_se = (ea.sd.powi(2) / 8.0 + eb.sd.powi(2) / 8.0).sqrt();
    assert!(paired_se < 0.7 * unpaired_se, "paired {paired_se} vs unpaired {unpaired_se}");
}

#[test]
fn identical_arms_differ_by_nothing() {
    let replicates: Vec<u32> = (0..4).collect();
    let runs = run_arms(&[arm("a", base()), arm("b", base())], &replicates, &|| {});
    let comparison = compare(&runs, 365);
    for row in comparison.rows.iter().filter(|r| r.arm == "b") {
        let d = row.difference.expect("compared with the baseline");
        assert!(d.includes_zero(), "{:?} {:?}", row.group, row.metric);
        assert_eq!(d.mean, 0.0, "common random numbers: identical arms give identical runs");
    }
    assert!(comparison.costs[0].yuan_per_additional_active.is_none(), "no gain, no cost per gain");
}

#[test]
fn the_comparison_has_every_arm_group_and_metric() {
    let mut treated = base();
    treated.policy.proposal_fund.enabled = true;
    let runs = run_arms(&[arm("base", base()), arm("fund", treated)], &[0, 1, 2], &|| {});
    let comparison = compare(&runs, 90);
    assert_eq!(comparison.baseline, "base");
    let headline: Vec<_> = comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate).collect();
    assert_eq!(headline.len(), 8, "two arms x four groups");
    assert!(headline.iter().all(|r| (r.arm == "base") == r.difference.is_none()));
    assert!(headline.iter().filter(|r| r.arm == "fund").all(|r| r.p_holm.unwrap() >= r.difference.unwrap().p_value));
    let cost = comparison.rows.iter().find(|r| r.metric == Metric::CostYuan && r.arm == "fund").unwrap();
    assert!(cost.difference.unwrap().mean > 0.0, "the fund costs money");
}

#[test]
fn a_failed_chart_write_names_the_file_without_a_debug_dump() {
    let runs = run_arms(&[arm("a", base()), arm("b", base())], &[0, 1], &|| {});
    let comparison = compare(&runs, 90);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("missing-folder").join("effects.png");
    let svg = dir.path().join("effects.svg");
    let err = linli::output::compare_plots::effects(&comparison, &png, &svg).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("effects.png"), "{message}");
    assert!(!message.contains("Os {") && !message.contains("kind:") && !message.contains("Error("), "{message}");
}

#[test]
fn until_ci_refuses_values_that_are_not_interval_widths() {
    for value in ["-1", "nan", "inf", "0", "NaN", "abc"] {
        let result = crate::common::linli(&["compare", "no-such.toml", &format!("--until-ci={value}")]);
        assert_eq!(result.status.code(), Some(2), "{value}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("--until-ci"), "{value}: {stderr}");
    }
}
