//! Plots: participation per cohort (mean with a 95% band across replicates), the points
//! economy and the proposal pipeline; PNG and SVG, with the embedded DejaVu font.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;
use crate::stats::estimate;

pub(crate) const SIZE: (u32, u32) = (1200, 700);
pub(crate) const FONT: &str = "sans-serif";

/// One colour per cohort, the same in every plot (colour-blind safe, Okabe-Ito).
pub fn cohort_colour(cohort: Cohort) -> RGBColor {
    match cohort {
        Cohort::Original => RGBColor(0, 114, 178),
        Cohort::NewFamily => RGBColor(230, 159, 0),
        Cohort::Transient => RGBColor(0, 158, 115),
    }
}

/// Further Okabe-Ito colours for other series.
pub(crate) const PALETTE: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
];

/// Registers the embedded DejaVu Sans once, so no system fonts are needed.
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).ok();
        plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).ok();
    });
}

/// A line to draw: the mean per day, and optionally a band around it.
pub(crate) struct Series {
    pub label: String,
    pub colour: RGBColor,
    pub mean: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// A whole chart: title, axis label and its series.
pub(crate) struct Chart {
    pub title: String,
    pub y_label: String,
    pub percent: bool,
    pub series: Vec<Series>,
}

/// Writes the participation plot as PNG and SVG.
pub fn participation(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let series = Cohort::ALL
        .into_iter()
        .map(|cohort| {
            let (mean, low, high) = daily_estimates(run, |d| d[cohort.index()].active_rate());
            let label = format!("{} (mean, 95% band, {} replicates)", cohort.name(), run.replicates.len());
            Series { label, colour: cohort_colour(cohort), mean, band: Some((low, high)) }
        })
        .collect();
    let window = run.scenario.behaviour.active_window_days;
    let title = format!("{}: residents active in the last {window} days", run.scenario.scenario.name);
    draw_both(&Chart { title, y_label: "active rate (share of cohort)".into(), percent: true, series }, run, png, svg)
}

/// Writes the points economy: cumulative points issued, redeemed and expired, and outstanding.
pub fn points_economy(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let flows: [(&str, fn(&CohortDay) -> f64); 3] = [
        ("issued (cumulative)", |c| c.points_issued as f64),
        ("redeemed (cumulative)", |c| c.points_redeemed as f64),
        ("expired (cumulative)", |c| c.points_expired as f64),
    ];
    let mut series = cumulative_series(run, &flows);
    let (outstanding, _, _) = daily_estimates(run, |d| d.iter().map(|c| c.points_outstanding as f64).sum());
    series.push(Series { label: "outstanding (held)".into(), colour: PALETTE[3], mean: outstanding, band: None });
    let title =
        format!("{}: the time bank's points (mean of {} replicates)", run.scenario.scenario.name, run.replicates.len());
    draw_both(&Chart { title, y_label: "points".into(), percent: false, series }, run, png, svg)
}

/// Writes the proposal pipeline: cumulative proposals submitted, approved, implemented, stalled, rejected.
pub fn proposal_pipeline(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let stages: [(&str, fn(&CohortDay) -> f64); 5] = [
        ("submitted", |c| c.proposals_submitted as f64),
        ("approved", |c| c.proposals_approved as f64),
        ("implemented", |c| c.proposals_implemented as f64),
        ("stalled", |c| c.proposals_stalled as f64),
        ("rejected", |c| c.proposals_rejected as f64),
    ];
    let series = cumulative_series(run, &stages);
    let title =
        format!("{}: proposals so far (mean of {} replicates)", run.scenario.scenario.name, run.replicates.len());
    draw_both(&Chart { title, y_label: "proposals (cumulative)".into(), percent: false, series }, run, png, svg)
}

/// One cumulative line per labelled flow, in palette order.
fn cumulative_series(run: &RunOutput, flows: &[(&str, fn(&CohortDay) -> f64)]) -> Vec<Series> {
    flows
        .iter()
        .enumerate()
        .map(|(k, (label, f))| Series {
            label: label.to_string(),
            colour: PALETTE[k],
            mean: cumulative_mean(run, f),
            band: None,
        })
        .collect()
}

/// Mean and 95% interval across replicates of a daily quantity.
pub(crate) fn daily_estimates(run: &RunOutput, f: impl Fn(&[CohortDay; 3]) -> f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for day in 0..run.dates.len() {
        let values: Vec<f64> = run.replicates.iter().map(|r| f(&r.days[day])).collect();
        let e = estimate(&values);
        out.0.push(e.mean);
        out.1.push(e.ci95_low.max(0.0));
        out.2.push(e.ci95_high);
    }
    out
}

/// The running total of a per-cohort flow, summed over cohorts and averaged over replicates.
fn cumulative_mean(run: &RunOutput, f: impl Fn(&CohortDay) -> f64) -> Vec<f64> {
    let mut total = 0.0;
    let n = run.replicates.len().max(1) as f64;
    (0..run.dates.len())
        .map(|day| {
            total += run.replicates.iter().flat_map(|r| r.days[day].iter()).map(&f).sum::<f64>() / n;
            total
        })
        .collect()
}

/// Something that can draw itself on any plotters backend.
pub(crate) trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// A time-series chart of one run.
struct TimeChart<'a> {
    chart: &'a Chart,
    run: &'a RunOutput,
}

impl Drawing for TimeChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(area, self.chart, self.run)
    }
}

/// Writes `drawing` as PNG and SVG.
pub(crate) fn render_both(drawing: &impl Drawing, png: &Path, svg: &Path) -> anyhow::Result<()> {
    register_fonts();
    let png_area = BitMapBackend::new(png, SIZE).into_drawing_area();
    drawing.draw_on(&png_area).with_context(|| format!("cannot draw {}", png.display()))?;
    png_area.present().map_err(|e| png_write_error(png, e))?;
    let svg_area = SVGBackend::new(svg, SIZE).into_drawing_area();
    drawing.draw_on(&svg_area).with_context(|| format!("cannot draw {}", svg.display()))?;
    svg_area.present().map_err(|e| anyhow!("cannot write {}: {e}", svg.display()))?;
    Ok(())
}

/// A failed PNG write as "cannot write <file>: <reason>" (the backend's Display is a debug dump).
fn png_write_error(png: &Path, e: DrawingAreaErrorKind<plotters_bitmap::BitMapBackendError>) -> anyhow::Error {
    use plotters_backend::DrawingErrorKind;
    use plotters_bitmap::BitMapBackendError as Bitmap;
    let reason = match e {
        DrawingAreaErrorKind::BackendError(DrawingErrorKind::DrawingError(Bitmap::IOError(io))) => io.to_string(),
        DrawingAreaErrorKind::BackendError(DrawingErrorKind::DrawingError(Bitmap::ImageError(image))) => {
            image.to_string()
        }
        other => other.to_string(),
    };
    anyhow!("cannot write {}: {reason}", png.display())
}

/// Writes a time-series chart of `run` as PNG and SVG.
pub(crate) fn draw_both(chart: &Chart, run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&TimeChart { chart, run }, png, svg)
}

fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart, run: &RunOutput) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let years: Vec<f64> = run.dates.iter().map(|d| fractional_year(*d)).collect();
    let (first, last) = (years[0], *years.last().unwrap_or(&years[0]) + 1e-6);
    let top = chart
        .series
        .iter()
        .flat_map(|s| s.band.as_ref().map_or(&s.mean, |(_, high)| high).iter())
        .fold(0.0f64, |a, &b| a.max(b));
    let y_max = if chart.percent { (top * 1.15).clamp(0.05, 1.0) } else { (top * 1.1).max(1.0) };
    let mut plot = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 30).into_font().style(FontStyle::Bold))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(if chart.percent { 80 } else { 110 })
        .build_cartesian_2d(first..last, 0f64..y_max)
        .map_err(err)?;
    let percent = chart.percent;
    plot.configure_mesh()
        .x_desc("date")
        .y_desc(chart.y_label.as_str())
        .axis_desc_style((FONT, 22))
        .label_style((FONT, 18))
        .x_labels(8)
        .x_label_formatter(&|x| year_month(*x))
        .y_label_formatter(&|y| if percent { format!("{:.0}%", y * 100.0) } else { thousands(*y) })
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    for series in &chart.series {
        let colour = series.colour;
        if let Some((low, high)) = &series.band {
            let polygon: Vec<(f64, f64)> = (0..high.len())
                .map(|d| (years[d], high[d]))
                .chain((0..low.len()).rev().map(|d| (years[d], low[d])))
                .collect();
            plot.draw_series(std::iter::once(Polygon::new(polygon, colour.mix(0.25).filled()))).map_err(err)?;
        }
        plot.draw_series(LineSeries::new(
            series.mean.iter().enumerate().map(|(d, &y)| (years[d], y)),
            colour.stroke_width(3),
        ))
        .map_err(err)?
        .label(series.label.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4)));
    }
    draw_legend(&mut plot, 18, SeriesLabelPosition::UpperLeft)
}

/// The series labels of a chart in the house style: a framed, nearly opaque box.
pub(crate) fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    font_size: u32,
    position: SeriesLabelPosition,
) -> anyhow::Result<()>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .label_font((FONT, font_size))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .position(position)
        .draw()
        .map_err(|e| anyhow!("{e:?}"))
}

/// 1234567 as "1,234,567".
fn thousands(y: f64) -> String {
    let digits = format!("{:.0}", y.max(0.0));
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date as a fractional year (2024-07-01 is about 2024.5), so axis ticks fall on round dates.
fn fractional_year(date: chrono::NaiveDate) -> f64 {
    use chrono::Datelike;
    let days_in_year = if chrono::NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some() { 366.0 } else { 365.0 };
    date.year() as f64 + date.ordinal0() as f64 / days_in_year
}

/// The label of a fractional year: "2024-07".
fn year_month(x: f64) -> String {
    let year = x.floor();
    let month = ((x - year) * 12.0).round() as i32 + 1;
    if month > 12 { format!("{}-01", year as i32 + 1) } else { format!("{}-{month:02}", year as i32) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_dates() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(fractional_year(date(2024, 1, 1)), 2024.0);
        assert_eq!(year_month(fractional_year(date(2024, 7, 1))), "2024-07");
        assert_eq!(year_month(2025.0), "2025-01");
        assert_eq!(year_month(2024.99), "2025-01");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
