//! Plots of a comparison: participation of every arm, effects per group with their intervals,
//! and the cost per additional active resident.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::plot::{Chart, Drawing, FONT, PALETTE, Series, daily_estimates, draw_both, draw_legend, render_both};
use crate::compare::{ArmRun, Comparison, Group, Metric};

/// Share of every resident active in the window, per arm, with 95% bands.
pub fn arms_participation(runs: &[ArmRun], png: &Path, svg: &Path) -> anyhow::Result<()> {
    let series = runs
        .iter()
        .enumerate()
        .map(|(k, run)| {
            let all = |d: &[crate::model::CohortDay; 3]| {
                let residents: u32 = d.iter().map(|c| c.residents).sum();
                d.iter().map(|c| c.active).sum::<u32>() as f64 / residents.max(1) as f64
            };
            let (mean, low, high) = daily_estimates(&run.output, all);
            Series { label: run.name.clone(), colour: PALETTE[k % PALETTE.len()], mean, band: Some((low, high)) }
        })
        .collect();
    let chart = Chart {
        title: "All residents active in the last 30 days, by arm (95% bands)".into(),
        y_label: "active rate".into(),
        percent: true,
        series,
    };
    draw_both(&chart, &runs[0].output, png, svg)
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
    let rows: Vec<_> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == Metric::MeanActiveRate)
        .filter_map(|r| r.difference.map(|d| (r.arm.clone(), r.group, d)))
        .collect();
    let arms: Vec<String> = rows.iter().fold(Vec::new(), |mut names, (arm, _, _)| {
        if !names.contains(arm) {
            names.push(arm.clone());
        }
        names
    });
    let (low, high) = rows.iter().fold((0.0f64, 0.0f64), |(l, h), (_, _, d)| (l.min(d.ci95_low), h.max(d.ci95_high)));
    let pad = ((high - low) * 0.15).max(0.002);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Change in mean active rate against the baseline (95% intervals)",
            (FONT, 28).into_font().style(FontStyle::Bold),
        )
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5f64..3.5f64, (low - pad) * 100.0..(high + pad) * 100.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(4)
        .x_label_formatter(&|x| Group::ALL.get(x.round() as usize).map_or(String::new(), |g| g.name().to_string()))
        .y_desc("percentage points")
        .x_desc("group")
        .axis_desc_style((FONT, 22))
        .label_style((FONT, 18))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    chart.draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (3.5, 0.0)], BLACK.mix(0.6)))).map_err(err)?;
    let width = 0.6 / arms.len().max(1) as f64;
    for (k, arm) in arms.iter().enumerate() {
        let colour = PALETTE[(k + 1) % PALETTE.len()];
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
            .map_err(err)?
            .label(arm.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, colour.filled()));
    }
    draw_legend(&mut chart, 18, SeriesLabelPosition::UpperLeft)
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

fn draw_costs<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, comparison: &Comparison) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let costs = &comparison.costs;
    let top = costs.iter().filter_map(|c| c.yuan_per_additional_active).fold(1.0f64, f64::max) * 1.2;
    let n = costs.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Cost per additional active resident (yuan, over the window)",
            (FONT, 28).into_font().style(FontStyle::Bold),
        )
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(100)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| costs.get(x.round() as usize).map_or(String::new(), |c| c.arm.clone()))
        .y_desc("yuan per additional active resident")
        .axis_desc_style((FONT, 22))
        .label_style((FONT, 16))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    for (k, cost) in costs.iter().enumerate() {
        let colour = PALETTE[(k + 1) % PALETTE.len()];
        let x = k as f64;
        match cost.yuan_per_additional_active {
            Some(yuan) => {
                chart
                    .draw_series(std::iter::once(Rectangle::new([(x - 0.3, 0.0), (x + 0.3, yuan)], colour.filled())))
                    .map_err(err)?;
                let label = format!("{yuan:.0}");
                chart
                    .draw_series(std::iter::once(Text::new(label, (x - 0.1, yuan + top * 0.02), (FONT, 20))))
                    .map_err(err)?;
            }
            None => {
                let text = Text::new("no gain detected", (x - 0.25, top * 0.05), (FONT, 18));
                chart.draw_series(std::iter::once(text)).map_err(err)?;
            }
        }
    }
    Ok(())
}
