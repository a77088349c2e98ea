//! `report.html`: one self-contained page (inline SVG, no network) that a policy analyst can
//! open offline and forward.

use std::fmt::Write;

use super::bottom_line::BottomLine;
use super::comparison::ComparisonContext;
use super::wording::{self, p_value, pp, pp_interval, yuan};
use crate::experiment::arms::{base_value, flatten};
use crate::experiment::compare::{Comparison, Group, Metric, Row, Verdict};
use crate::experiment::compare_measures::GROUP_ACTIVE_RATE;
use crate::scenario::Scenario;

/// The report page; `svgs` are the arms, effects and cost plots.
pub fn html(comparison: &Comparison, context: &ComparisonContext<'_>, svgs: &[String; 3]) -> String {
    let mut page = String::new();
    let baseline = &context.runs[0];
    let title = format!("linli: comparing incentive designs for {}", baseline.output.scenario.scenario.name);
    let _ = write!(page, "{}", head(&title));
    let _ = writeln!(page, "<h1>{}</h1>", escape(&title));
    page.push_str(&bottom_line_section(context.bottom_line));
    let _ = writeln!(
        page,
        "<h2>The evidence</h2>\n<p class=\"question\">Which design gets more people, and the right people, to take part, for how long, and at what cost? \
         Each arm below was simulated {} times on the same community with the same random streams (common random numbers), \
         so differences between arms come from the designs, not from chance draws. Statistics cover the last {} days. {}</p>",
        comparison.replicates, comparison.window_days, comparison.interval_scope
    );
    page.push_str(&arms_section(context));
    page.push_str(&headline_section(comparison));
    page.push_str(&posterior_section(comparison));
    page.push_str(&significance_section(comparison));
    page.push_str(&cost_section(comparison));
    page.push_str(&other_metrics_section(comparison));
    page.push_str(&who_took_part_section(comparison));
    let _ = writeln!(page, "<h2>Charts</h2>");
    for (caption, svg) in
        ["Participation of every arm", "Effects by group", "Cost per additional active resident"].iter().zip(svgs)
    {
        let _ = writeln!(
            page,
            "<figure><div class=\"chart\">{}</div><figcaption>{}</figcaption></figure>",
            strip_xml_header(svg),
            caption
        );
    }
    page.push_str(&provenance_section(comparison, context));
    page.push_str("</main></body></html>\n");
    page
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{}</style></head><body><main>\n",
        escape(title),
        STYLE
    )
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',\
'DejaVu Sans',sans-serif;color:#222;background:#fff;margin:0}main{max-width:1100px;margin:0 auto;padding:24px}\
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;width:100%;margin:0.6em 0;font-size:0.95em}th,td{border-bottom:1px solid #e5e5e5;\
padding:4px 8px;text-align:right}th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}\
#bottom-line{background:#f3f8f1;border-left:4px solid #006b4e;padding:4px 16px;margin:0.4em 0}\
#bottom-line p{margin:0.35em 0}#bottom-line .q{font-weight:bold}h1{margin:0.3em 0}.question{font-size:1.05em;background:#f5f8fb;padding:12px;border-left:4px solid #0072b2}.zero{color:#777}\
.gain{color:#006b4e;font-weight:bold}.loss{color:#b03a00;font-weight:bold}figure{margin:1em 0}.chart svg{width:100%;height:auto}\
pre{background:#f7f7f7;padding:10px;overflow-x:auto;font-size:0.85em}code{font-size:0.9em}";

/// The answer first, in Chinese then English.
fn bottom_line_section(line: &BottomLine) -> String {
    let mut s = String::from("<section id=\"bottom-line\" lang=\"zh\">\n");
    let _ = writeln!(s, "<p class=\"q\">{}</p>", escape(&line.question()));
    let _ = writeln!(s, "<p>{}</p>", escape(&line.zh.join("")));
    let _ = writeln!(s, "<p lang=\"en\">{}</p>", escape(&line.en.join(" ")));
    s.push_str("</section>\n");
    s
}

fn arms_section(context: &ComparisonContext<'_>) -> String {
    let mut s = format!("<h2>The arms</h2>\n<p id=\"arms-statement\">{}</p>\n<ul>\n", escape(context.arms_statement));
    let base = &context.runs[0].output.scenario;
    for (k, run) in context.runs.iter().enumerate() {
        let role = if k == 0 { " (baseline)" } else { "" };
        let _ = write!(s, "<li><b>{}</b>{role}", escape(&run.name));
        if !run.description.is_empty() {
            let _ = write!(s, ": {}", escape(&run.description));
        }
        if k > 0 {
            let changes = differences(base, &run.output.scenario);
            if changes.is_empty() {
                s.push_str(". Same settings as the baseline.");
            } else {
                s.push_str(". Differs from the baseline in: ");
                let items: Vec<String> = changes
                    .iter()
                    .map(|(key, from, to)| format!("<code>{}</code> {} → {}", escape(key), escape(from), escape(to)))
                    .collect();
                s.push_str(&items.join("; "));
            }
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n");
    s
}

/// Keys whose values differ between two scenarios, as (dotted key, baseline, arm).
fn differences(base: &Scenario, arm: &Scenario) -> Vec<(String, String, String)> {
    let table = |s: &Scenario| -> std::collections::BTreeMap<String, toml::Value> {
        let mut s = s.clone();
        s.scenario.name.clear();
        s.scenario.description.clear();
        let value = base_value(&s);
        let map = value.as_table().cloned().unwrap_or_default();
        flatten(&map.into_iter().collect()).into_iter().collect()
    };
    let (a, b) = (table(base), table(arm));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            (k.clone(), a.get(k).map_or("-".into(), |v| v.to_string()), b.get(k).map_or("-".into(), |v| v.to_string()))
        })
        .collect()
}

fn headline_section(comparison: &Comparison) -> String {
    let mut s = format!(
        "<h2>Headline: who takes part</h2>\n<p>Mean share of each group who took part in the last 30 days, averaged over the window; \
         the change, in percentage points (pp), is against the baseline with its 95% confidence interval (paired t) and a Holm-adjusted p-value. \
         A change is called a gain or a loss only if it is significant after the Holm correction and at least {:.2} pp \
         (<code>[comparison] smallest_difference_pp</code>, the smallest difference worth reporting).</p>\n\
         <table id=\"headline\"><thead><tr><th>arm</th><th>group</th><th>mean active rate</th><th>change (pp)</th>\
         <th>95% interval</th><th>p (Holm)</th><th>verdict</th></tr></thead><tbody>\n",
        comparison.smallest_difference * 100.0
    );
    for row in comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate) {
        s.push_str(&headline_row(row, comparison.smallest_difference));
    }
    s.push_str("</tbody></table>\n");
    s
}

/// Under `--posterior`: each arm's probability of beating the baseline over the calibration's
/// posterior, with the reading that says when the answer depends on what the evidence leaves open.
fn posterior_section(comparison: &Comparison) -> String {
    let Some(posterior) = &comparison.posterior else { return String::new() };
    let mut s = format!(
        "<h2>Under the calibration's uncertainty</h2>\n<p>Each of the {} replicates ran under its own draw from the \
         calibration's posterior ({} draws in <code>{}</code>, docs/CALIBRATION.md), every arm under the same draw. \
         P(better) is the share of replicates in which the arm's mean active rate is above the baseline's (ties count half): \
         a predictive probability, over the parameters the evidence leaves open and chance together.</p>\n\
         <table id=\"posterior\"><thead><tr><th>arm</th><th>group</th><th>P(better)</th><th>change, 90% of replicates</th>\
         <th>yuan per extra active resident, median (90%)</th><th>reading</th></tr></thead><tbody>\n",
        posterior.replicates,
        posterior.draws,
        escape(&posterior.draws_file)
    );
    for e in &posterior.effects {
        let cost = match e.yuan_per_extra_active {
            Some([low, median, high]) => {
                format!("{} ({} to {})", yuan(Some(median)), yuan(Some(low)), yuan(Some(high)))
            }
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{} to {}</td><td>{cost}</td><td>{}</td></tr>",
            escape(&e.arm),
            e.group.name(),
            e.probability_better,
            pp(e.change_q05),
            pp(e.change_q95),
            escape(&e.reading)
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

fn headline_row(row: &Row, smallest: f64) -> String {
    let rate = format!("{:.1}%", row.estimate.mean * 100.0);
    match (row.difference, row.verdict) {
        (Some(d), Some(verdict)) => format!(
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{rate}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            wording::verdict_class(verdict),
            escape(&row.arm),
            row.group.name(),
            wording::signed_pp(d.mean),
            pp_interval(d.ci95_low, d.ci95_high),
            p_value(row.p_holm.unwrap_or(f64::NAN)),
            escape(&wording::verdict(verdict, row.metric, smallest))
        ),
        _ => format!(
            "<tr><td>{}</td><td>{}</td><td>{rate}</td><td>baseline</td><td></td><td></td><td></td></tr>\n",
            escape(&row.arm),
            row.group.name()
        ),
    }
}

fn significance_section(comparison: &Comparison) -> String {
    let headline: Vec<&Row> =
        comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate && r.difference.is_some()).collect();
    let name = |r: &&Row| format!("{} ({})", escape(&r.arm), r.group.name());
    let with = |wanted: &[Verdict]| -> String {
        let items: Vec<String> =
            headline.iter().filter(|r| r.verdict.is_some_and(|v| wanted.contains(&v))).map(name).collect();
        if items.is_empty() { "none".to_string() } else { items.join(", ") }
    };
    let smallest = comparison.smallest_difference * 100.0;
    format!(
        "<h2>What is and is not significant</h2>\n<p><b>A difference worth reporting</b> (significant after the Holm \
         correction and at least {smallest:.2} pp) for: {}.</p>\n\
         <p><b>No meaningful difference</b> (the whole 95% interval lies within ±{smallest:.2} pp) for: {}.</p>\n\
         <p><b>Unclear</b> (not significant, or smaller than {smallest:.2} pp, with an interval that reaches beyond \
         ±{smallest:.2} pp: more replicates would tell) for: {}.</p>\n",
        with(&[Verdict::Higher, Verdict::Lower]),
        with(&[Verdict::NoMeaningfulDifference]),
        with(&[Verdict::Unclear])
    )
}

fn cost_section(comparison: &Comparison) -> String {
    let mut s = format!(
        "<h2>Cost</h2>\n<p>Cost counts redeemed points at their yuan value, proposal-fund spending and the fixed yearly costs of the \
         programmes each arm runs (<code>[costs]</code>), over the window. The interval of the cost per additional active \
         resident is a paired bootstrap over replicates ({} resamples, percentile); it has no upper end when some resamples \
         show no gain.</p>\n<table id=\"costs\"><thead><tr><th>arm</th><th></th>\
         <th>additional cost (yuan)</th><th>additional active residents</th><th>yuan per additional active resident</th>\
         <th>95% interval</th></tr></thead><tbody>\n",
        comparison.bootstrap_resamples
    );
    for cost in &comparison.costs {
        let (per, interval) = match cost.yuan_per_additional_active {
            Some(y) => (
                yuan(Some(y)),
                format!(
                    "{} to {}",
                    yuan(cost.yuan_per_additional_active_ci95_low),
                    yuan(cost.yuan_per_additional_active_ci95_high)
                ),
            ),
            None => ("no gain detected (interval includes zero)".to_string(), String::new()),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td></td><td>{:.0} ({:.0} to {:.0})</td><td>{:.0} ({:.0} to {:.0})</td><td>{per}</td><td>{interval}</td></tr>",
            escape(&cost.arm),
            cost.additional_cost_yuan.mean,
            cost.additional_cost_yuan.ci95_low,
            cost.additional_cost_yuan.ci95_high,
            cost.additional_active.mean,
            cost.additional_active.ci95_low,
            cost.additional_active.ci95_high
        );
    }
    s.push_str("</tbody></table>\n");
    s.push_str(&cost_ranking_paragraph(comparison));
    s
}

/// The ranking by cost that the paired bootstrap supports, and no more.
fn cost_ranking_paragraph(comparison: &Comparison) -> String {
    if comparison.cost_ranking.is_empty() {
        return "<p id=\"cost-ranking\">The intervals do not rank any two arms by cost per additional active resident.</p>\n"
            .to_string();
    }
    let orders: Vec<String> = comparison
        .cost_ranking
        .iter()
        .map(|o| {
            format!(
                "{} costs less than {} (Holm-adjusted bootstrap p {})",
                escape(&o.cheaper),
                escape(&o.dearer),
                p_value(o.p_holm)
            )
        })
        .collect();
    format!(
        "<p id=\"cost-ranking\">Per additional active resident, {}. Pairs not named cannot be ranked.</p>\n",
        orders.join("; ")
    )
}

/// A measure's mean and change in its own unit: rates as % and pp, counts as whole numbers.
fn measure_cells(row: &Row) -> (String, (String, String)) {
    let rate = row.metric.is_rate();
    let mean = if rate { format!("{:.1}%", row.estimate.mean * 100.0) } else { wording::thousands(row.estimate.mean) };
    let change = row.difference.map_or(("baseline".into(), String::new()), |d| {
        if rate {
            (pp(d.mean), pp_interval(d.ci95_low, d.ci95_high))
        } else {
            (format!("{:+.1}", d.mean), format!("{:+.1} to {:+.1}", d.ci95_low, d.ci95_high))
        }
    });
    (mean, change)
}

fn other_metrics_section(comparison: &Comparison) -> String {
    let mut s = String::from(
        "<h2>Other measures (every resident)</h2>\n<table id=\"measures\"><thead><tr><th>arm</th><th>measure</th><th>mean</th>\
         <th>change</th><th>95% interval</th></tr></thead><tbody>\n",
    );
    // Every metric but the headline (shown above), the shares and the cost (shown below).
    let metrics: Vec<Metric> = Metric::all()
        .into_iter()
        .filter(|m| !matches!(m, Metric::MeanActiveRate | Metric::ShareOfParticipants | Metric::CostYuan))
        .collect();
    for row in comparison.rows.iter().filter(|r| r.group == Group::All && metrics.contains(&r.metric)) {
        let (mean, change) = measure_cells(row);
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{mean}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.arm),
            row.metric.name(),
            change.0,
            change.1
        );
    }
    s.push_str("</tbody></table>\n<h2>Share of participants by cohort</h2>\n<table id=\"shares\"><thead><tr><th>arm</th><th>cohort</th>\
                <th>share of active residents</th></tr></thead><tbody>\n");
    for row in comparison.rows.iter().filter(|r| r.metric == Metric::ShareOfParticipants) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{:.1}%</td></tr>",
            escape(&row.arm),
            row.group.name(),
            row.estimate.mean * 100.0
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

/// The measures of who took part for every resident, and each age band's and compound's mean
/// active rate, against the baseline (the rest by group is in measures_comparison.csv).
fn who_took_part_section(comparison: &Comparison) -> String {
    let mut s = String::from(
        "<h2>Who took part (whole run; age bands and compounds over the window)</h2>\n<p>Reach, concentration, \
         retention and follow-up of every resident, from each resident's acts (definitions in docs/MODEL.md, section 9); \
         every cohort and age band is in <code>measures_comparison.csv</code>. Holm's correction runs within each measure.</p>\n\
         <table id=\"who-took-part\"><thead><tr><th>measure</th><th>group</th><th>arm</th><th>mean</th><th>change</th>\
         <th>95% interval</th><th>verdict</th></tr></thead><tbody>\n",
    );
    let shown = comparison.measures.iter().filter(|r| r.group == "all" || r.measure == GROUP_ACTIVE_RATE);
    for row in shown {
        let value = |x: f64| if row.share { format!("{:.1}%", x * 100.0) } else { format!("{x:.2}") };
        let mean = row.estimate.map_or("undefined".to_string(), |e| value(e.mean));
        let (change, interval) = match row.difference {
            None if row.arm == comparison.baseline => ("baseline".to_string(), String::new()),
            None => ("not compared".to_string(), String::new()),
            Some(d) => wording::measure_change(&d, row.share),
        };
        let verdict = row
            .verdict
            .map_or(String::new(), |v| wording::measure_verdict(v, row.share, comparison.smallest_difference));
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{mean}</td><td>{change}</td><td>{interval}</td><td>{}</td></tr>",
            escape(&row.measure),
            escape(&row.group),
            escape(&row.arm),
            escape(&verdict)
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

fn provenance_section(comparison: &Comparison, context: &ComparisonContext<'_>) -> String {
    let mut s = format!(
        "<h2>How this was made</h2>\n<p>linli {} · seed {} · replicates 0 to {} of every arm · window of {} days · run time {:.1} s · \
         sources: {}</p>\n",
        crate::VERSION,
        context.seed,
        comparison.replicates.saturating_sub(1),
        comparison.window_days,
        context.runtime_seconds,
        escape(&context.sources.join(", "))
    );
    for (source, text) in context.sources.iter().zip(context.texts) {
        let _ = writeln!(s, "<h3>{}</h3>\n<pre>{}</pre>", escape(source), escape(text));
    }
    s
}

fn strip_xml_header(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |start| &svg[start..])
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
        assert_eq!(escape("万科城花"), "万科城花");
    }

    #[test]
    fn differences_name_the_changed_keys() {
        let base = Scenario::default();
        let mut arm = base.clone();
        arm.policy.time_bank.enabled = true;
        arm.scenario.name = "other".into();
        let changes = differences(&base, &arm);
        assert_eq!(changes, vec![("policy.time_bank.enabled".to_string(), "false".to_string(), "true".to_string())]);
    }
}
