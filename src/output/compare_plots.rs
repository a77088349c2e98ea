//! Comparison plots: every arm and its difference from the baseline, effects by group, cost per extra participant.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plot::ticks::whole_number;
use super::plot::{
    Chart, Drawing, FONT, LegendEntry, Mark, PALETTE, Panel, Scale, Series, Ticks, band_note, daily_estimates,
    draw_both, draw_legend_column, draw_message, label_area_width, render_both, split_legend, svg_string, time_chart,
    title_font,
};
use crate::experiment::compare::{ArmRun, Comparison, Group, Metric};
use crate::experiment::stats::paired_difference;
use crate::model::CohortDay;
use crate::simulate::RunOutput;

/// The colour of the arm at `index` (the baseline is 0), the same in every comparison chart.
fn arm_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// Share of every resident active in the window.
fn all_active_rate(d: &[CohortDay; 3]) -> f64 {
    Group::All.of(d).active_rate()
}

/// Every arm's active rate with its 95% band, and below it each arm's daily difference from
/// the baseline, paired by replicate: arms that differ little hide each other in the first.
pub fn arms_participation(runs: &[ArmRun], png: &Path, svg: &Path) -> anyhow::Result<()> {
    draw_both(&arms_chart(runs), &runs[0].output.dates, png, svg)
}

/// The three comparison charts (arms, effects, cost) as SVG text, for a report made in memory.
pub fn svgs(runs: &[ArmRun], comparison: &Comparison) -> anyhow::Result<[String; 3]> {
    let arms = arms_chart(runs);
    Ok([
        svg_string(&time_chart(&arms, &runs[0].output.dates))?,
        svg_string(&Effects(comparison))?,
        svg_string(&CostChart(comparison))?,
    ])
}

fn arms_chart(runs: &[ArmRun]) -> Chart {
    let baseline = &runs[0];
    let levels = runs
        .iter()
        .enumerate()
        .map(|(k, run)| {
            let (mean, low, high) = daily_estimates(&run.output, all_active_rate);
            Series { label: run.name.clone(), colour: arm_colour(k), mean, band: Some((low, high)) }
        })
        .collect();
    let differences = runs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, run)| {
            let (mean, low, high) = daily_differences(&run.output, &baseline.output);
            Series { label: run.name.clone(), colour: arm_colour(k), mean, band: Some((low, high)) }
        })
        .collect();
    let window = baseline.output.scenario.behaviour.active_window_days;
    let note = band_note(baseline.output.replicates.len());
    let levels = Panel {
        caption: format!("Active rate of each arm ({note})"),
        y_label: "active rate".into(),
        scale: Scale::Share,
        series: levels,
    };
    let differences = Panel {
        caption: format!("Difference from the baseline, {}, paired by replicate ({note})", baseline.name),
        y_label: "difference (pp)".into(),
        scale: Scale::SharePoints,
        series: differences,
    };
    Chart {
        title: format!("All residents active in the last {window} days, by arm"),
        panels: vec![levels, differences],
    }
}

/// Per day, the paired difference of the active rate (arm minus baseline, replicate by
/// replicate): mean and 95% interval.
fn daily_differences(arm: &RunOutput, baseline: &RunOutput) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for day in 0..baseline.dates.len() {
        let rates = |run: &RunOutput| run.replicates.iter().map(|r| all_active_rate(&r.days[day])).collect::<Vec<_>>();
        let d = paired_difference(&rates(arm), &rates(baseline));
        out.0.push(d.mean);
        out.1.push(d.ci95_low);
        out.2.push(d.ci95_high);
    }
    out
}

/// Change in mean active rate against the baseline, per group, with 95% intervals.
pub fn effects(comparison: &Comparison, png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&Effects(comparison), png, svg)
}

struct Effects<'a>(&'a Comparison);

impl Drawing for Effects<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_effects(area, self.0)
    }
}

fn draw_effects<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, comparison: &Comparison) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let title = "Change in mean active rate against the baseline (pp, 95% intervals)";
    let body = area.titled(title, title_font()).map_err(err)?;
    let rows: Vec<_> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == Metric::MeanActiveRate)
        .filter_map(|r| r.difference.map(|d| (r.arm.clone(), r.group, d)))
        .collect();
    if rows.is_empty() {
        return draw_message(&body, "only the baseline: no arm to compare with it");
    }
    let arms: Vec<String> = rows.iter().fold(Vec::new(), |mut names, (arm, _, _)| {
        if !names.contains(arm) {
            names.push(arm.clone());
        }
        names
    });
    let entries: Vec<LegendEntry> = (0..arms.len())
        .map(|k| LegendEntry { label: arms[k].clone(), colour: arm_colour(k + 1), mark: Mark::Dot })
        .collect();
    let (plot_area, legend) = split_legend(&body, &entries);
    draw_legend_column(&legend, &entries)?;
    let (low, high) = rows.iter().fold((0.0f64, 0.0f64), |(l, h), (_, _, d)| (l.min(d.ci95_low), h.max(d.ci95_high)));
    let pad = ((high - low) * 0.15).max(0.002);
    let (y_low, y_high) = ((low - pad) * 100.0, (high + pad) * 100.0);
    let ticks = Ticks::new(Scale::Number, y_low, y_high, 10);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(label_area_width(&ticks, y_low, y_high))
        .build_cartesian_2d(-0.5f64..3.5f64, y_low..y_high)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(4)
        .x_label_formatter(&|x| Group::ALL.get(x.round() as usize).map_or(String::new(), |g| g.name().to_string()))
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .y_desc("difference from the baseline (pp)")
        .x_desc("group")
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 17))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    chart.draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (3.5, 0.0)], BLACK.mix(0.6)))).map_err(err)?;
    let width = 0.6 / arms.len().max(1) as f64;
    for (k, arm) in arms.iter().enumerate() {
        let colour = arm_colour(k + 1);
        let points: Vec<_> = rows.iter().filter(|(a, _, _)| a == arm).collect();
        let x_of = |group: Group| {
            Group::ALL.iter().position(|&g| g == group).unwrap_or(0) as f64 - 0.3 + width * (k as f64 + 0.5)
        };
        chart
            .draw_series(points.iter().map(|(_, g, d)| {
                PathElement::new(
                    vec![(x_of(*g), d.ci95_low * 100.0), (x_of(*g), d.ci95_high * 100.0)],
                    colour.stroke_width(3),
                )
            }))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|(_, g, d)| Circle::new((x_of(*g), d.mean * 100.0), 6, colour.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// Cost per additional active resident, per arm (arms with no detected gain get no bar).
pub fn cost_per_active(comparison: &Comparison, png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&CostChart(comparison), png, svg)
}

struct CostChart<'a>(&'a Comparison);

impl Drawing for CostChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_costs(area, self.0)
    }
}

/// A black whisker from `low` to `high` with caps, for an interval on a bar at `x`.
fn interval_whisker(x: f64, low: f64, high: f64) -> Vec<PathElement<(f64, f64)>> {
    let style = ShapeStyle::from(&BLACK).stroke_width(2);
    let cap = |y: f64| PathElement::new(vec![(x - 0.08, y), (x + 0.08, y)], style);
    vec![PathElement::new(vec![(x, low), (x, high)], style), cap(low), cap(high)]
}

/// Said instead of bars when no arm gains participants.
const NO_GAIN: &str = "no arm gains: cost per extra participant undefined";

fn draw_costs<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, comparison: &Comparison) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let title = "Cost per additional active resident (yuan over the window, 95% bootstrap interval)";
    let body = area.titled(title, title_font()).map_err(err)?;
    let costs = &comparison.costs;
    if costs.is_empty() {
        return draw_message(&body, "only the baseline: no arm to cost");
    }
    let yuan: Vec<f64> = costs.iter().filter_map(|c| c.yuan_per_additional_active).collect();
    if yuan.is_empty() {
        return draw_message(&body, NO_GAIN);
    }
    // An arm that gains and saves money has a negative cost: its bar hangs below zero. The axis
    // holds the intervals' known ends too; an open upper end runs to the top.
    let ends: Vec<f64> = costs
        .iter()
        .filter(|c| c.yuan_per_additional_active.is_some())
        .flat_map(|c| [c.yuan_per_additional_active_ci95_low, c.yuan_per_additional_active_ci95_high])
        .flatten()
        .chain(yuan.iter().copied())
        .collect();
    let top = ends.iter().fold(1.0f64, |a, &b| a.max(b)) * 1.2;
    let bottom = ends.iter().fold(0.0f64, |a, &b| a.min(b)) * 1.2;
    let ticks = Ticks::new(Scale::Number, bottom, top, 10);
    let n = costs.len();
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(label_area_width(&ticks, bottom, top))
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), bottom..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| costs.get(x.round() as usize).map_or(String::new(), |c| c.arm.clone()))
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .y_desc("yuan per additional active resident")
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 17))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let above_bar = TextStyle::from((FONT, 20)).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (k, cost) in costs.iter().enumerate() {
        let x = k as f64;
        let (label, at) = match cost.yuan_per_additional_active {
            Some(yuan) => {
                let bar = Rectangle::new([(x - 0.3, 0.0), (x + 0.3, yuan)], arm_colour(k + 1).filled());
                chart.draw_series(std::iter::once(bar)).map_err(err)?;
                let low = cost.yuan_per_additional_active_ci95_low.unwrap_or(yuan);
                let high = cost.yuan_per_additional_active_ci95_high;
                chart.draw_series(interval_whisker(x, low, high.unwrap_or(top))).map_err(err)?;
                let label = match high {
                    Some(high) => format!("{} ({}–{})", whole_number(yuan), whole_number(low), whole_number(high)),
                    None => format!("{} ({}–open)", whole_number(yuan), whole_number(low)),
                };
                (label, high.unwrap_or(yuan).max(yuan.max(0.0)).min(top * 0.93) + top * 0.015)
            }
            None => ("no gain detected".to_string(), top * 0.05),
        };
        chart.draw_series(std::iter::once(Text::new(label, (x, at), above_bar.clone()))).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::compare::CostEffect;
    use crate::experiment::stats::PairedDifference;
    use crate::output::plot::svg_text;

    fn difference(mean: f64, half_width: f64) -> PairedDifference {
        PairedDifference {
            mean,
            ci95_low: mean - half_width,
            ci95_high: mean + half_width,
            se: 0.0,
            p_value: 0.5,
            n: 4,
        }
    }

    fn comparison(costs: Vec<CostEffect>) -> Comparison {
        Comparison {
            baseline: "base".into(),
            window_days: 30,
            replicates: 4,
            smallest_difference: 0.01,
            interval_scope: crate::experiment::compare::INTERVAL_SCOPE,
            rows: Vec::new(),
            measures: Vec::new(),
            costs,
            bootstrap_resamples: 0,
            cost_ranking: Vec::new(),
            posterior: None,
        }
    }

    fn cost(arm: &str, yuan: Option<f64>) -> CostEffect {
        CostEffect {
            arm: arm.into(),
            additional_active: difference(0.0, 5.0),
            additional_cost_yuan: difference(1000.0, 10.0),
            yuan_per_additional_active: yuan,
            yuan_per_additional_active_ci95_low: yuan,
            yuan_per_additional_active_ci95_high: yuan,
        }
    }

    #[test]
    fn cost_chart_without_a_gain_says_so() {
        let svg = svg_text(&CostChart(&comparison(vec![cost("50 points", None), cost("100 points", None)])));
        assert!(svg.contains(NO_GAIN), "the message is drawn");
    }

    #[test]
    fn cost_chart_with_a_gain_draws_its_bar() {
        let svg = svg_text(&CostChart(&comparison(vec![cost("50 points", Some(2000.0)), cost("100 points", None)])));
        assert!(svg.contains("\n2,000 (2,000–2,000)\n") && svg.contains("no gain detected"));
        assert!(!svg.contains(NO_GAIN));
        assert!(svg.contains("\n1500\n"), "whole yuan on the axis");
        assert!(!svg.lines().any(|line| line.ends_with(".0")), "no needless decimals");
    }

    #[test]
    fn cost_chart_draws_each_interval_and_says_when_it_is_open() {
        let mut bounded = cost("50 points", Some(2000.0));
        (bounded.yuan_per_additional_active_ci95_low, bounded.yuan_per_additional_active_ci95_high) =
            (Some(1500.0), Some(2600.0));
        let mut open = cost("100 points", Some(3000.0));
        (open.yuan_per_additional_active_ci95_low, open.yuan_per_additional_active_ci95_high) = (Some(2200.0), None);
        let svg = svg_text(&CostChart(&comparison(vec![bounded, open])));
        assert!(svg.contains("\n2,000 (1,500–2,600)\n"), "a bounded interval's label");
        assert!(svg.contains("\n3,000 (2,200–open)\n"), "an open interval's label");
        assert!(svg.contains("95% bootstrap interval"));
    }

    #[test]
    fn cost_chart_shows_a_saving_below_zero() {
        let svg = svg_text(&CostChart(&comparison(vec![cost("cheaper", Some(-300.0)), cost("dearer", Some(500.0))])));
        assert!(svg.contains("\n-300 (-300–-300)\n"), "the saving's label");
        assert!(svg.contains("\n-200\n"), "the axis reaches below zero");
    }

    #[test]
    fn effects_without_arms_say_so() {
        let svg = svg_text(&Effects(&comparison(Vec::new())));
        assert!(svg.contains("only the baseline"));
        assert!(svg.contains("(pp, 95% intervals)"));
    }

    fn arms() -> Vec<ArmRun> {
        let mut scenario = crate::scenario::default_scenario().scaled_to(300);
        scenario.scenario.days = 40;
        scenario.scenario.burn_in_days = 10;
        let replicates = [0, 1, 2];
        let mut generous = scenario.clone();
        generous.policy.time_bank.points_per_checkin *= 2;
        [("base", scenario), ("double points", generous)]
            .into_iter()
            .map(|(name, scenario)| {
                let arm = crate::experiment::arms::Arm {
                    name: name.into(),
                    description: String::new(),
                    sections: Default::default(),
                    scenario,
                };
                crate::experiment::compare::run_arm(&arm, &replicates, &|| {})
            })
            .collect()
    }

    #[test]
    fn arms_chart_shows_differences_from_the_baseline() {
        let runs = arms();
        let chart = arms_chart(&runs);
        let svg = svg_text(&crate::output::plot::time_chart(&chart, &runs[0].output.dates));
        assert!(
            svg.contains("Difference from the baseline, base, paired by replicate (mean and 95% band of 3 replicates)")
        );
        assert!(svg.contains("difference (pp)"));
        let RGBColor(r, g, b) = arm_colour(1);
        let bands = svg.matches(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")).count();
        assert!(bands >= 2, "the arm's band in both panels");
        assert_eq!(svg, svg_text(&crate::output::plot::time_chart(&chart, &runs[0].output.dates)));
    }
}
