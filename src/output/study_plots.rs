//! Study charts: an outcome against each swept parameter, and sensitivity indices as bars.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot::{
    Drawing, FONT, LegendEntry, Mark, PALETTE, Scale, Ticks, draw_legend_column, draw_message, label_area_width,
    render_both, split_legend, title_font,
};
use super::study::value_text;
use crate::experiment::compare::{Metric, Outcome};
use crate::experiment::explore::Study;
use crate::experiment::explore::analyse::Indices;
use crate::experiment::study::{Values, number};
use toml::Value;

/// Bins of a range parameter in the summaries and the trend line.
const RANGE_BINS: usize = 5;

/// The points of a sweep grouped by one parameter: at each listed value, or in each of
/// [`RANGE_BINS`] equal parts of a range.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMean {
    pub label: String,
    /// Where the group sits on the parameter's axis.
    pub x: f64,
    pub mean: f64,
}

/// Which group a parameter value falls in.
type GroupOf = Box<dyn Fn(&Value) -> usize>;

/// The outcome averaged over the points in each group of parameter `j`.
pub fn grouped_means(study: &Study, j: usize, means: &[f64]) -> Vec<GroupMean> {
    let parameter = &study.parameters[j];
    let (labels, xs, group_of): (Vec<String>, Vec<f64>, GroupOf) = match &parameter.values {
        Values::List(list) => {
            let labels = list.iter().map(value_text).collect();
            let xs = (0..list.len()).map(|i| axis_value(list, i)).collect();
            let list = list.clone();
            (labels, xs, Box::new(move |v| list.iter().position(|l| l == v).unwrap_or(0)))
        }
        Values::Range { min, max, .. } => {
            let (min, max) = (*min, *max);
            let width = (max - min) / RANGE_BINS as f64;
            let label = |b: usize| format!("{}–{}", short(min + width * b as f64), short(min + width * (b + 1) as f64));
            let xs = (0..RANGE_BINS).map(|b| min + width * (b as f64 + 0.5)).collect();
            let bin = move |v: &Value| (((number(v) - min) / width) as usize).min(RANGE_BINS - 1);
            ((0..RANGE_BINS).map(label).collect(), xs, Box::new(bin))
        }
    };
    let mut sums = vec![(0.0, 0usize); labels.len()];
    for (point, mean) in study.points.iter().zip(means) {
        let slot = &mut sums[group_of(&point.values[j])];
        slot.0 += mean;
        slot.1 += 1;
    }
    labels
        .into_iter()
        .zip(xs)
        .zip(sums)
        .filter(|(_, (_, n))| *n > 0)
        .map(|((label, x), (sum, n))| GroupMean { label, x, mean: sum / n as f64 })
        .collect()
}

/// A listed value's place on the axis: itself when every listed value is a number, else its position.
fn axis_value(list: &[Value], i: usize) -> f64 {
    if all_numeric(list) { number(&list[i]) } else { i as f64 }
}

fn all_numeric(list: &[Value]) -> bool {
    list.iter().all(|v| matches!(v, Value::Integer(_) | Value::Float(_)))
}

/// A bin's end in its label ("0.1–0.25"); `+ 0.0` turns a negative zero positive.
fn short(x: f64) -> String {
    let x = x + 0.0;
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.3}").trim_end_matches('0').to_string() }
}

/// The end of a dotted path, short enough for an axis.
pub(crate) fn short_path(path: &str) -> String {
    let parts: Vec<&str> = path.rsplitn(3, '.').collect();
    parts.iter().take(2).rev().copied().collect::<Vec<_>>().join(".")
}

/// Writes the outcome against each swept parameter: every point, and the mean per group.
/// `groups[j]` is [`grouped_means`] of parameter j.
pub fn sweep(
    study: &Study,
    outcome: &str,
    means: &[f64],
    groups: &[Vec<GroupMean>],
    png: &Path,
    svg: &Path,
) -> anyhow::Result<()> {
    render_both(&SweepChart { study, outcome, means, groups }, png, svg)
}

struct SweepChart<'a> {
    study: &'a Study,
    outcome: &'a str,
    means: &'a [f64],
    groups: &'a [Vec<GroupMean>],
}

impl Drawing for SweepChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        area.fill(&WHITE).map_err(err)?;
        let title = format!("{}: {} by parameter", self.study.plan.scenario.scenario.name, self.outcome);
        let body = area.titled(&title, title_font()).map_err(err)?;
        let k = self.study.parameters.len();
        if k == 0 || self.means.is_empty() {
            return draw_message(&body, "no design points to show");
        }
        let entries = [
            LegendEntry {
                label: "a design point (mean of its replicates)".into(),
                colour: PALETTE[0],
                mark: Mark::Dot,
            },
            LegendEntry { label: "mean per group".into(), colour: PALETTE[1], mark: Mark::Line },
        ];
        let (plots, legend) = split_legend(&body, &entries);
        draw_legend_column(&legend, &entries)?;
        let columns = k.min(3);
        let panels = plots.split_evenly((k.div_ceil(columns), columns));
        for (j, panel) in panels.iter().enumerate().take(k) {
            self.panel(panel, j)?;
        }
        Ok(())
    }
}

impl SweepChart<'_> {
    fn panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, j: usize) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        let parameter = &self.study.parameters[j];
        let xs: Vec<f64> = self.study.points.iter().map(|p| x_of(parameter, &p.values[j])).collect();
        let groups = &self.groups[j];
        let categorical = matches!(&parameter.values, Values::List(list) if !all_numeric(list));
        let (x_low, x_high) = if categorical { (-0.5, groups.len() as f64 - 0.5) } else { padded(&xs) };
        let (y_low, y_high) = padded(self.means);
        let x_ticks = Ticks::new(Scale::Number, x_low, x_high, 6);
        let y_ticks = Ticks::new(outcome_scale(self.outcome), y_low, y_high, 6);
        let labels: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
        let mut chart = ChartBuilder::on(area)
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(label_area_width(&y_ticks, y_low, y_high))
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .map_err(err)?;
        let label_of = |x: &f64| {
            let near = (x - x.round()).abs() < 1e-6;
            match (categorical, near) {
                (true, true) => labels.get(x.round() as usize).cloned().unwrap_or_default(),
                (true, false) => String::new(),
                (false, _) => x_ticks.label(*x),
            }
        };
        chart
            .configure_mesh()
            .x_desc(short_path(&parameter.path))
            .y_desc(self.outcome)
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .x_labels(x_ticks.count)
            .y_labels(y_ticks.count)
            .x_label_formatter(&label_of)
            .y_label_formatter(&|y| y_ticks.label(*y))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        let dot = PALETTE[0].mix(0.45).filled();
        chart.draw_series(xs.iter().zip(self.means).map(|(&x, &y)| Circle::new((x, y), 3, dot))).map_err(err)?;
        let line = PALETTE[1].stroke_width(3);
        chart.draw_series(LineSeries::new(groups.iter().map(|g| (g.x, g.mean)), line)).map_err(err)?;
        chart.draw_series(groups.iter().map(|g| Circle::new((g.x, g.mean), 5, PALETTE[1].filled()))).map_err(err)?;
        Ok(())
    }
}

fn x_of(parameter: &crate::experiment::study::Parameter, value: &Value) -> f64 {
    match &parameter.values {
        Values::List(list) => axis_value(list, list.iter().position(|l| l == value).unwrap_or(0)),
        Values::Range { .. } => number(value),
    }
}

/// The range of `values` with a margin (and some width when they are all equal).
fn padded(values: &[f64]) -> (f64, f64) {
    let (low, high) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((high - low) * 0.08).max(high.abs().max(1e-3) * 0.02);
    (low - pad, high + pad)
}

/// Writes the sensitivity indices of one outcome: Sobol first-order and total indices, and
/// Morris mu*, each with its 95% bootstrap interval.
pub fn indices(study: &Study, found: &Indices, outcome: &str, png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&IndexChart { study, found, outcome }, png, svg)
}

struct IndexChart<'a> {
    study: &'a Study,
    found: &'a Indices,
    outcome: &'a str,
}

/// One bar: its height and interval.
#[derive(Clone, Copy)]
struct Bar {
    value: f64,
    low: f64,
    high: f64,
}

/// A panel of bars: a series name and colour, one bar per parameter.
struct BarSeries {
    name: &'static str,
    colour: RGBColor,
    bars: Vec<Bar>,
}

/// One panel of the index chart: caption, axis title and scale, and its bar series.
struct BarPanel {
    caption: &'static str,
    y_label: String,
    scale: Scale,
    series: Vec<BarSeries>,
}

impl Drawing for IndexChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        area.fill(&WHITE).map_err(err)?;
        let title = format!("Sensitivity of {} ({})", self.outcome, self.study.plan.scenario.scenario.name);
        let body = area.titled(&title, title_font()).map_err(err)?;
        let panels = self.panels();
        if panels.is_empty() {
            return draw_message(&body, &format!("no sensitivity indices of {}", self.outcome));
        }
        let entries: Vec<LegendEntry> = panels
            .iter()
            .flat_map(|p| &p.series)
            .map(|s| LegendEntry { label: s.name.into(), colour: s.colour, mark: Mark::Bar })
            .collect();
        let (plots, legend) = split_legend(&body, &entries);
        draw_legend_column(&legend, &entries)?;
        let names: Vec<String> = self.study.parameters.iter().map(|p| short_path(&p.path)).collect();
        let areas = plots.split_evenly((panels.len(), 1));
        for (panel, panel_area) in panels.iter().zip(areas.iter()) {
            draw_bars(panel_area, panel, &names)?;
        }
        Ok(())
    }
}

impl IndexChart<'_> {
    /// The Sobol panel and the Morris panel, each when the outcome has such indices.
    fn panels(&self) -> Vec<BarPanel> {
        let sobol: Vec<_> = self.found.sobol.iter().filter(|r| r.outcome == self.outcome).collect();
        let morris: Vec<_> = self.found.morris.iter().filter(|r| r.outcome == self.outcome).collect();
        let mut panels = Vec::new();
        if !sobol.is_empty() {
            let first = sobol.iter().map(|r| bar(r.index.first, r.index.first_ci95)).collect();
            let total = sobol.iter().map(|r| bar(r.index.total, r.index.total_ci95)).collect();
            let series = vec![
                BarSeries { name: "first-order S", colour: PALETTE[0], bars: first },
                BarSeries { name: "total ST", colour: PALETTE[1], bars: total },
            ];
            let y_label = "share of variance".into();
            panels.push(BarPanel { caption: "Sobol indices (95% intervals)", y_label, scale: Scale::Share, series });
        }
        if !morris.is_empty() {
            let mu_star = morris.iter().map(|r| bar(r.index.mu_star, r.index.mu_star_ci95)).collect();
            let series = vec![BarSeries { name: "mu* (per whole range)", colour: PALETTE[2], bars: mu_star }];
            // mu* is a change of the outcome, so a share's mu* is in percentage points.
            let (scale, y_label) = match outcome_scale(self.outcome) {
                Scale::Share => (Scale::SharePoints, "mu* (pp)".to_string()),
                _ => (Scale::Number, "mu*".to_string()),
            };
            panels.push(BarPanel { caption: "Morris elementary effects (95% intervals)", y_label, scale, series });
        }
        panels
    }
}

/// How an outcome's axis reads: rates and shares as percentages, the rest as numbers.
fn outcome_scale(outcome: &str) -> Scale {
    match Outcome::parse(outcome).map(|o| o.metric) {
        Some(Metric::MeanActiveRate | Metric::FinalActiveRate | Metric::ShareOfParticipants) => Scale::Share,
        _ => Scale::Number,
    }
}

fn bar(value: f64, (low, high): (f64, f64)) -> Bar {
    Bar { value, low, high }
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &BarPanel,
    names: &[String],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let series = &panel.series;
    let all = series.iter().flat_map(|s| s.bars.iter());
    let (low, high) = all.fold((0.0f64, 0.0f64), |(l, h), b| (l.min(b.low).min(b.value), h.max(b.high).max(b.value)));
    let pad = ((high - low) * 0.1).max(1e-6);
    let (y_low, y_high) = ((low - pad).min(0.0), high + pad);
    let ticks = Ticks::new(panel.scale, y_low, y_high, 6);
    let n = names.len();
    let mut chart = ChartBuilder::on(area)
        .caption(panel.caption, (FONT, 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(label_area_width(&ticks, y_low, y_high))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, y_low..y_high)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-9 { names.get(i as usize).cloned().unwrap_or_default() } else { String::new() }
        })
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .y_desc(panel.y_label.as_str())
        .axis_desc_style((FONT, 17))
        .label_style((FONT, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    let width = 0.7 / series.len() as f64;
    for (s, one) in series.iter().enumerate() {
        let left = |i: usize| i as f64 - 0.35 + width * s as f64;
        let colour = one.colour;
        chart
            .draw_series(one.bars.iter().enumerate().map(|(i, b)| {
                Rectangle::new([(left(i) + 0.02, 0.0), (left(i) + width - 0.02, b.value)], colour.mix(0.8).filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(one.bars.iter().enumerate().map(|(i, b)| {
                let middle = left(i) + width / 2.0;
                PathElement::new(vec![(middle, b.low), (middle, b.high)], BLACK.stroke_width(2))
            }))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::explore::Kind;
    use crate::output::plot::svg_text;

    fn study(kind: Kind, file: &str) -> Study {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios").join(file);
        let plan = crate::experiment::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
        Study::of(kind, &plan).unwrap()
    }

    #[test]
    fn a_sweep_of_a_rate_reads_in_percent() {
        let study = study(Kind::Sweep, "sweep-small.toml");
        let means: Vec<f64> = (0..study.points.len()).map(|p| 0.03 + 0.001 * p as f64).collect();
        let groups: Vec<_> = (0..study.parameters.len()).map(|j| grouped_means(&study, j, &means)).collect();
        let chart = SweepChart { study: &study, outcome: "all_mean_active_rate", means: &means, groups: &groups };
        let svg = svg_text(&chart);
        assert!(svg.contains("%\n"), "share ticks as percentages");
        assert!(svg.contains("mean per group"), "the legend");
        assert_eq!(svg, svg_text(&chart), "deterministic");
    }

    #[test]
    fn an_index_chart_without_indices_says_so() {
        let study = study(Kind::Sensitivity, "sensitivity-small.toml");
        let found = Indices { morris: Vec::new(), sobol: Vec::new() };
        let svg = svg_text(&IndexChart { study: &study, found: &found, outcome: "all_mean_active_rate" });
        assert!(svg.contains("no sensitivity indices of all_mean_active_rate"));
    }

    #[test]
    fn a_sweep_without_points_says_so() {
        let study = study(Kind::Sweep, "sweep-small.toml");
        let chart = SweepChart { study: &study, outcome: "all_cost_yuan", means: &[], groups: &[] };
        assert!(svg_text(&chart).contains("no design points to show"));
    }
}
