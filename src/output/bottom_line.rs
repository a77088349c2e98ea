//! The bottom line of a comparison, in English and Chinese: which design, for whom, how much,
//! at what cost and how sure. The report and the screen open with it.

use super::wording::{group_en, group_zh, p_value, pp, pp_interval, pp_interval_zh, thousands, yuan, yuan_zh};
use crate::experiment::compare::{Comparison, CostEffect, Group, Metric, Row, Verdict};

/// The answer to the scenario's question, sentence by sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct BottomLine {
    pub question_en: String,
    pub en: Vec<String>,
    pub zh: Vec<String>,
}

const DEFAULT_QUESTION: &str = "Which design gets more residents to take part, and at what cost?";
const DEFAULT_QUESTION_ZH: &str = "哪种设计能让更多居民参与？成本多少？";

impl BottomLine {
    /// The question as the report shows it: the scenario's own, or the generic one in both languages.
    pub fn question(&self) -> String {
        if self.question_en.is_empty() {
            format!("{DEFAULT_QUESTION} {DEFAULT_QUESTION_ZH}")
        } else {
            self.question_en.clone()
        }
    }
}

/// Builds the bottom line of `comparison` for `question` (`[comparison] question`, may be empty).
pub fn bottom_line(comparison: &Comparison, question: &str) -> BottomLine {
    let mut line = Lines::default();
    let winners = arms_with(comparison, Verdict::Higher);
    match winners.first() {
        Some(best) => answer_with_winner(&mut line, comparison, best, &winners[1..]),
        None => answer_without_winner(&mut line, comparison),
    }
    how_sure(&mut line, comparison);
    BottomLine { question_en: question.to_string(), en: line.en, zh: line.zh }
}

#[derive(Default)]
struct Lines {
    en: Vec<String>,
    zh: Vec<String>,
}

impl Lines {
    fn push(&mut self, en: String, zh: String) {
        self.en.push(en);
        self.zh.push(zh);
    }
}

fn headline<'a>(comparison: &'a Comparison, arm: &str, group: Group) -> Option<&'a Row> {
    comparison.rows.iter().find(|r| r.arm == arm && r.group == group && r.metric == Metric::MeanActiveRate)
}

/// Arms whose effect on every resident has `verdict`, largest effect first.
fn arms_with(comparison: &Comparison, verdict: Verdict) -> Vec<&Row> {
    let mut rows: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == Metric::MeanActiveRate && r.group == Group::All && r.verdict == Some(verdict))
        .collect();
    rows.sort_by(|a, b| effect(b).abs().total_cmp(&effect(a).abs()));
    rows
}

fn effect(row: &Row) -> f64 {
    row.difference.map_or(0.0, |d| d.mean)
}

fn interval(row: &Row) -> String {
    row.difference.map_or(String::new(), |d| pp_interval(d.ci95_low, d.ci95_high))
}

fn interval_zh(row: &Row) -> String {
    row.difference.map_or(String::new(), |d| pp_interval_zh(d.ci95_low, d.ci95_high))
}

fn cost_of<'a>(comparison: &'a Comparison, arm: &str) -> Option<&'a CostEffect> {
    comparison.costs.iter().find(|c| c.arm == arm)
}

fn answer_with_winner(line: &mut Lines, comparison: &Comparison, best: &Row, others: &[&Row]) {
    let residents = cost_of(comparison, &best.arm).map_or(0.0, |c| c.additional_active.mean);
    line.push(
        format!(
            "Answer: «{}» gets more residents to take part than the baseline «{}»: {} of all residents \
             (95% interval {}), about {} more active residents on an average day.",
            best.arm,
            comparison.baseline,
            pp(effect(best)),
            interval(best),
            thousands(residents)
        ),
        format!(
            "结论：「{}」比基线「{}」让更多居民参与：全体居民参与率 {}（95%区间 {}），平均每天约多 {} 名活跃居民。",
            best.arm,
            comparison.baseline,
            pp(effect(best)),
            interval_zh(best),
            thousands(residents)
        ),
    );
    for_whom(line, comparison, &best.arm);
    cost_sentence(line, comparison, &best.arm);
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|r| format!("«{}» ({})", r.arm, pp(effect(r)))).collect();
        let names_zh: Vec<String> = others.iter().map(|r| format!("「{}」（{}）", r.arm, pp(effect(r)))).collect();
        line.push(
            format!("Also more take part with: {}.", names.join(", ")),
            format!("同样提高参与的还有：{}。", names_zh.join("、")),
        );
    }
    cohort_gains(line, comparison);
}

fn answer_without_winner(line: &mut Lines, comparison: &Comparison) {
    let smallest = comparison.smallest_difference * 100.0;
    line.push(
        format!(
            "Answer: no design is shown to raise the participation of all residents by {smallest:.2} pp or more \
             (the smallest difference worth reporting) against the baseline «{}».",
            comparison.baseline
        ),
        format!(
            "结论：与基线「{}」相比，没有一种设计被证明能让全体居民参与率提高 {smallest:.2} pp 或以上（值得报告的最小差异）。",
            comparison.baseline
        ),
    );
    for row in comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate && r.group == Group::All) {
        let Some(verdict) = row.verdict else { continue };
        let (en, zh) = verdict_pair(verdict);
        line.push(
            format!("«{}»: {} ({}), {en}.", row.arm, pp(effect(row)), interval(row)),
            format!("「{}」：{}（{}），{zh}。", row.arm, pp(effect(row)), interval_zh(row)),
        );
    }
    cohort_gains(line, comparison);
}

/// Cohorts that gain under arms that do not gain for every resident (the question may be about
/// one cohort, such as the renters).
fn cohort_gains(line: &mut Lines, comparison: &Comparison) {
    let winners: Vec<&str> = arms_with(comparison, Verdict::Higher).iter().map(|r| r.arm.as_str()).collect();
    let gains = comparison.rows.iter().filter(|r| {
        r.metric == Metric::MeanActiveRate
            && r.group != Group::All
            && r.verdict == Some(Verdict::Higher)
            && !winners.contains(&r.arm.as_str())
    });
    for row in gains {
        line.push(
            format!(
                "«{}» raises the participation of {}: {} ({}).",
                row.arm,
                group_en(row.group),
                pp(effect(row)),
                interval(row)
            ),
            format!(
                "「{}」提高了{}的参与：{}（{}）。",
                row.arm,
                group_zh(row.group),
                pp(effect(row)),
                interval_zh(row)
            ),
        );
    }
}

fn verdict_pair(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Higher => ("more take part", "参与者更多"),
        Verdict::Lower => ("fewer take part", "参与者更少"),
        Verdict::NoMeaningfulDifference => ("no meaningful difference", "没有实质差异"),
        Verdict::Unclear | Verdict::UnclearSize => ("unclear", "尚不确定"),
    }
}

/// Which cohorts gain, which do not, under `arm`.
fn for_whom(line: &mut Lines, comparison: &Comparison, arm: &str) {
    let mut en = Vec::new();
    let mut zh = Vec::new();
    for group in [Group::Original, Group::NewFamily, Group::Transient] {
        let Some(row) = headline(comparison, arm, group) else { continue };
        let Some(verdict) = row.verdict else { continue };
        let (v_en, v_zh) = verdict_pair(verdict);
        en.push(format!("{} {} ({v_en})", group_en(group), pp(effect(row))));
        zh.push(format!("{} {}（{v_zh}）", group_zh(group), pp(effect(row))));
    }
    line.push(format!("For whom: {}.", en.join("; ")), format!("对谁有效：{}。", zh.join("；")));
}

fn cost_sentence(line: &mut Lines, comparison: &Comparison, arm: &str) {
    let Some(cost) = cost_of(comparison, arm) else { return };
    let Some(per) = cost.yuan_per_additional_active else { return };
    let (low, high) = (yuan(cost.yuan_per_additional_active_ci95_low), yuan(cost.yuan_per_additional_active_ci95_high));
    let (low_zh, high_zh) =
        (yuan_zh(cost.yuan_per_additional_active_ci95_low), yuan_zh(cost.yuan_per_additional_active_ci95_high));
    let cheaper: Vec<&str> =
        comparison.cost_ranking.iter().filter(|o| o.cheaper == arm).map(|o| o.dearer.as_str()).collect();
    let dearer: Vec<&str> =
        comparison.cost_ranking.iter().filter(|o| o.dearer == arm).map(|o| o.cheaper.as_str()).collect();
    let mut rank_en = String::new();
    let mut rank_zh = String::new();
    if !cheaper.is_empty() {
        rank_en += &format!(" It costs less per additional active resident than «{}».", cheaper.join("», «"));
        rank_zh += &format!("其每增加一名活跃居民的成本低于「{}」。", cheaper.join("」「"));
    }
    if !dearer.is_empty() {
        rank_en += &format!(" It costs more per additional active resident than «{}».", dearer.join("», «"));
        rank_zh += &format!("其每增加一名活跃居民的成本高于「{}」。", dearer.join("」「"));
    }
    line.push(
        format!(
            "At what cost: {} per additional active resident over the window (95% bootstrap interval {low} to {high}).{rank_en}",
            yuan(Some(per))
        ),
        format!("成本：统计期内每增加一名活跃居民约 {}（95% bootstrap 区间 {low_zh} 至 {high_zh}）。{rank_zh}", yuan_zh(Some(per))),
    );
}

fn how_sure(line: &mut Lines, comparison: &Comparison) {
    let best_p = arms_with(comparison, Verdict::Higher).first().and_then(|r| r.p_holm);
    let (p_en, p_zh) = best_p.map_or((String::new(), String::new()), |p| {
        (format!(", Holm-adjusted p {}", p_value(p)), format!("，Holm 校正后 p {}", p_value(p)))
    });
    line.push(
        format!(
            "How sure: {} replicates per arm on common random numbers{p_en}. {}",
            comparison.replicates, comparison.interval_scope
        ),
        format!(
            "把握程度：每个方案 {} 次重复模拟，使用共同随机数{p_zh}。{}",
            comparison.replicates,
            comparison.interval_scope_zh()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::compare::{INTERVAL_SCOPE, verdict};
    use crate::experiment::stats::{Estimate, PairedDifference};

    /// The headline row of `arm` for `group` with a difference of `mean` in (low, high).
    fn row(arm: &str, group: Group, mean: f64, low: f64, high: f64, p_holm: f64) -> Row {
        let difference = PairedDifference { mean, ci95_low: low, ci95_high: high, se: 0.001, p_value: p_holm, n: 20 };
        Row {
            arm: arm.into(),
            group,
            metric: Metric::MeanActiveRate,
            estimate: Estimate { mean: 0.3, ci95_low: 0.29, ci95_high: 0.31, sd: 0.01, n: 20 },
            difference: Some(difference),
            p_holm: Some(p_holm),
            verdict: Some(verdict(&difference, p_holm, 0.01)),
        }
    }

    fn comparison(rows: Vec<Row>) -> Comparison {
        Comparison {
            baseline: "none".into(),
            window_days: 365,
            replicates: 20,
            smallest_difference: 0.01,
            interval_scope: INTERVAL_SCOPE,
            rows,
            measures: Vec::new(),
            costs: Vec::new(),
            bootstrap_resamples: 2000,
            cost_ranking: Vec::new(),
            posterior: None,
        }
    }

    #[test]
    fn a_tiny_gain_is_no_answer() {
        let tiny = comparison(vec![row("bank", Group::All, 0.0004, 0.0002, 0.0006, 0.001)]);
        let line = bottom_line(&tiny, "Does the bank help?");
        assert!(line.en[0].starts_with("Answer: no design is shown to raise"), "{:?}", line.en);
        assert!(line.en[1].contains("no meaningful difference"), "{:?}", line.en);
        assert!(line.zh[0].starts_with("结论：") && line.en.last().unwrap().ends_with(INTERVAL_SCOPE));
    }

    #[test]
    fn a_clear_gain_names_the_design_and_who_gains() {
        let clear = comparison(vec![
            row("bank", Group::Transient, 0.001, -0.002, 0.004, 0.5),
            row("bank", Group::All, 0.03, 0.02, 0.04, 0.001),
            row("fund", Group::All, 0.015, 0.012, 0.018, 0.001),
            row("seats", Group::Transient, 0.0125, 0.0115, 0.0135, 0.001),
            row("seats", Group::All, 0.005, 0.004, 0.006, 0.001),
        ]);
        let line = bottom_line(&clear, "");
        assert!(line.en[0].starts_with("Answer: «bank» gets more residents to take part"), "{:?}", line.en);
        assert!(line.en[1].contains("transient renters +0.10 pp (no meaningful difference)"), "{:?}", line.en);
        assert!(line.en.iter().any(|s| s.contains("Also more take part with: «fund»")), "{:?}", line.en);
        assert!(
            line.en.iter().any(|s| s.starts_with("«seats» raises the participation of transient renters: +1.25 pp"))
        );
        assert!(line.question().contains("哪种设计"), "a generic question in both languages");
    }
}
