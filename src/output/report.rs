//! `report.html`: one self-contained page (inline SVG, no network) that a policy analyst can
//! open offline and forward.

use std::fmt::Write;

use super::comparison::ComparisonContext;
use crate::compare::{Comparison, Group, Metric, Row};
use crate::scenario::Scenario;
use crate::scenario::arms::{base_value, flatten};

/// The report page; `svgs` are the arms, effects and cost plots.
pub fn html(comparison: &Comparison, context: &ComparisonContext<'_>, svgs: &[String; 3]) -> String {
    let mut page = String::new();
    let baseline = &context.runs[0];
    let title = format!("linli: comparing incentive designs for {}", baseline.output.scenario.scenario.name);
    let _ = write!(page, "{}", head(&title));
    let _ = writeln!(page, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        page,
        "<p class=\"question\">Which design gets more people, and the right people, to take part, for how long, and at what cost? \
         Each arm below was simulated {} times on the same community with the same random streams (common random numbers), \
         so differences between arms come from the designs, not from chance draws. Statistics cover the last {} days.</p>",
        comparison.replicates, comparison.window_days
    );
    page.push_str(&arms_section(context));
    page.push_str(&headline_section(comparison));
    page.push_str(&significance_section(comparison));
    page.push_str(&cost_section(comparison));
    page.push_str(&other_metrics_section(comparison));
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
.question{font-size:1.05em;background:#f5f8fb;padding:12px;border-left:4px solid #0072b2}.zero{color:#777}\
.gain{color:#006b4e;font-weight:bold}.loss{color:#b03a00;font-weight:bold}figure{margin:1em 0}.chart svg{width:100%;height:auto}\
pre{background:#f7f7f7;padding:10px;overflow-x:auto;font-size:0.85em}code{font-size:0.9em}";

fn arms_section(context: &ComparisonContext<'_>) -> String {
    let mut s = String::from("<h2>The arms</h2>\n<ul>\n");
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
    let mut s = String::from(
        "<h2>Headline: who takes part</h2>\n<p>Mean share of each group who took part in the last 30 days, averaged over the window; \
         the change is against the baseline with its 95% confidence interval (paired t) and a Holm-adjusted p-value.</p>\n\
         <table id=\"headline\"><thead><tr><th>arm</th><th>group</th><th>mean active rate</th><th>change (points)</th>\
         <th>95% interval</th><th>p (Holm)</th><th>verdict</th></tr></thead><tbody>\n",
    );
    for row in comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate) {
        s.push_str(&headline_row(row));
    }
    s.push_str("</tbody></table>\n");
    s
}

fn headline_row(row: &Row) -> String {
    let rate = format!("{:.1}%", row.estimate.mean * 100.0);
    match row.difference {
        None => format!(
            "<tr><td>{}</td><td>{}</td><td>{rate}</td><td>baseline</td><td></td><td></td><td></td></tr>\n",
            escape(&row.arm),
            row.group.name()
        ),
        Some(d) => {
            let (class, verdict) = verdict(d.includes_zero(), row.p_holm.unwrap_or(1.0), d.mean);
            format!(
                "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{rate}</td><td>{:+.2}</td><td>{:+.2} to {:+.2}</td><td>{:.3}</td><td>{verdict}</td></tr>\n",
                escape(&row.arm),
                row.group.name(),
                d.mean * 100.0,
                d.ci95_low * 100.0,
                d.ci95_high * 100.0,
                row.p_holm.unwrap_or(f64::NAN)
            )
        }
    }
}

/// Plain words for a difference: detected only if the interval excludes zero and the
/// Holm-adjusted p-value is below 0.05.
pub fn verdict(includes_zero: bool, p_holm: f64, mean: f64) -> (&'static str, &'static str) {
    if includes_zero {
        ("zero", "no difference detected: the interval includes zero")
    } else if p_holm >= 0.05 {
        ("zero", "not significant after the Holm correction for multiple comparisons")
    } else if mean > 0.0 {
        ("gain", "more take part")
    } else {
        ("loss", "fewer take part")
    }
}

fn significance_section(comparison: &Comparison) -> String {
    let headline: Vec<&Row> =
        comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate && r.difference.is_some()).collect();
    let significant = |r: &&&Row| r.difference.is_some_and(|d| !d.includes_zero()) && r.p_holm.unwrap_or(1.0) < 0.05;
    let name = |r: &&Row| format!("{} ({})", escape(&r.arm), r.group.name());
    let detected: Vec<String> = headline.iter().filter(|r| significant(r)).map(name).collect();
    let undetected: Vec<String> = headline.iter().filter(|r| !significant(r)).map(name).collect();
    let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join(", ") };
    format!(
        "<h2>What is and is not significant</h2>\n<p><b>A difference was detected</b> (the 95% interval excludes zero and the \
         Holm-adjusted p-value is below 0.05) for: {}.</p>\n\
         <p><b>No difference was detected</b> (the interval includes zero, or the Holm-adjusted p-value is 0.05 or more: the data \
         cannot tell these arms from the baseline) for: {}.</p>\n",
        list(&detected),
        list(&undetected)
    )
}

fn cost_section(comparison: &Comparison) -> String {
    let mut s = String::from(
        "<h2>Cost</h2>\n<p>Cost counts redeemed points at their yuan value, proposal-fund spending and the fixed yearly costs of the \
         programmes each arm runs (<code>[costs]</code>), over the window.</p>\n<table id=\"costs\"><thead><tr><th>arm</th><th></th>\
         <th>additional cost (yuan)</th><th>additional active residents</th><th>yuan per additional active resident</th></tr></thead><tbody>\n",
    );
    for cost in &comparison.costs {
        let per = cost
            .yuan_per_additional_active
            .map_or("no gain detected (interval includes zero)".to_string(), |y| format!("{y:.0}"));
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td></td><td>{:.0} ({:.0} to {:.0})</td><td>{:.0} ({:.0} to {:.0})</td><td>{per}</td></tr>",
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
    s
}

fn other_metrics_section(comparison: &Comparison) -> String {
    let mut s = String::from(
        "<h2>Other measures (every resident)</h2>\n<table id=\"measures\"><thead><tr><th>arm</th><th>measure</th><th>mean</th>\
         <th>change</th><th>95% interval</th></tr></thead><tbody>\n",
    );
    let metrics =
        [Metric::FinalActiveRate, Metric::VolunteerHours, Metric::ProposalsImplemented, Metric::PointsRedeemed];
    for row in comparison.rows.iter().filter(|r| r.group == Group::All && metrics.contains(&r.metric)) {
        let change = row.difference.map_or(("baseline".into(), String::new()), |d| {
            (format!("{:+.3}", d.mean), format!("{:+.3} to {:+.3}", d.ci95_low, d.ci95_high))
        });
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.arm),
            row.metric.name(),
            row.estimate.mean,
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
