//! One plot per validation pattern: each part's estimate and 95% interval against its criterion's bounds (pattern 5 also as the daily paired difference over time).

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot::{
    Chart, Drawing, FONT, PALETTE, Panel, Scale, Series, Ticks, band_note, draw_both, draw_message, label_area_width,
    render_both, title_font,
};
use crate::experiment::validate::{Part, PatternResult};

/// Writes pattern `p`'s plot as PNG and SVG.
pub fn pattern_plot(p: &PatternResult, replicates: u32, png: &Path, svg: &Path) -> anyhow::Result<()> {
    match &p.daily {
        Some(daily) => {
            let series = Series {
                label: daily.label.clone(),
                colour: PALETTE[0],
                mean: daily.mean.clone(),
                band: Some((daily.lo.clone(), daily.hi.clone())),
            };
            let panel = Panel {
                caption: format!("paired by replicate ({})", band_note(replicates as usize)),
                y_label: "difference (pp)".into(),
                scale: Scale::SharePoints,
                series: vec![series],
            };
            let title = format!("Pattern {}: {} ({})", p.number, p.title, p.verdict());
            draw_both(&Chart { title, panels: vec![panel] }, &daily.dates, png, svg)
        }
        None => render_both(&Intervals(p), png, svg),
    }
}

struct Intervals<'a>(&'a PatternResult);

impl Drawing for Intervals<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_intervals(area, self.0)
    }
}

fn draw_intervals<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &PatternResult) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let title = format!("Pattern {}: {} ({})", p.number, p.title, p.verdict());
    let body = area.titled(&title, title_font()).map_err(err)?;
    if p.parts.is_empty() {
        return draw_message(&body, "no parts");
    }
    let panels = body.split_evenly((1, p.parts.len()));
    for (panel, part) in panels.iter().zip(&p.parts) {
        draw_part(panel, part)?;
    }
    Ok(())
}

/// The colour of a part's verdict: green PASS, vermillion FAIL, grey reported.
fn verdict_colour(part: &Part) -> RGBColor {
    match part.verdict {
        Some(true) => PALETTE[2],
        Some(false) => PALETTE[1],
        None => RGBColor(120, 120, 120),
    }
}

/// One part: its interval and estimate, and its bounds as dashed lines.
fn draw_part<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, part: &Part) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let i = &part.interval;
    let bounds = part.criterion.bounds();
    let values: Vec<f64> =
        [i.lo, i.hi, i.estimate].into_iter().chain(bounds.iter().copied()).filter(|v| v.is_finite()).collect();
    let caption = if part.part.is_empty() { part.measure.clone() } else { format!("({}) {}", part.part, part.measure) };
    if values.is_empty() {
        return draw_message(area, &format!("{caption}: not defined"));
    }
    let (low, high) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    let pad = ((high - low) * 0.2).max(high.abs().max(low.abs()) * 0.05).max(1e-4);
    let (y_low, y_high) = (low - pad, high + pad);
    let ticks = Ticks::new(Scale::Number, y_low, y_high, 8);
    let mut chart = ChartBuilder::on(area)
        .caption(shorten(&caption, 40), (FONT, 16))
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(label_area_width(&ticks, y_low, y_high))
        .build_cartesian_2d(-1.0f64..1.0f64, y_low..y_high)
        .map_err(err)?;
    let criterion = format!("{}: {}", part.contrast, part.criterion.text());
    chart
        .configure_mesh()
        .x_labels(0)
        .x_desc(shorten(&criterion, 40))
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 14))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let dashed = ShapeStyle::from(&BLACK).stroke_width(2);
    for bound in bounds {
        let segments = (0..10).map(|k| {
            let x = -0.95 + 0.19 * k as f64;
            PathElement::new(vec![(x, bound), (x + 0.1, bound)], dashed)
        });
        chart.draw_series(segments).map_err(err)?;
    }
    let colour = verdict_colour(part);
    if i.lo.is_finite() && i.hi.is_finite() {
        let style = colour.stroke_width(4);
        let caps = [i.lo, i.hi].map(|y| PathElement::new(vec![(-0.15, y), (0.15, y)], style));
        chart
            .draw_series(caps.into_iter().chain([PathElement::new(vec![(0.0, i.lo), (0.0, i.hi)], style)]))
            .map_err(err)?;
    }
    if i.estimate.is_finite() {
        chart.draw_series(std::iter::once(Circle::new((0.0, i.estimate), 7, colour.filled()))).map_err(err)?;
    }
    Ok(())
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}
