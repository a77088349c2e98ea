//! Plots: `active_rate` per cohort over time, mean with a 95% band across replicates.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::model::Cohort;
use crate::simulate::RunOutput;
use crate::stats::estimate;

const SIZE: (u32, u32) = (1200, 700);
const FONT: &str = "sans-serif";

/// One colour per cohort, the same in every plot (colour-blind safe, Okabe-Ito).
pub fn cohort_colour(cohort: Cohort) -> RGBColor {
    match cohort {
        Cohort::Original => RGBColor(0, 114, 178),
        Cohort::NewFamily => RGBColor(230, 159, 0),
        Cohort::Transient => RGBColor(0, 158, 115),
    }
}

/// Registers the embedded DejaVu Sans once, so no system fonts are needed.
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).ok();
        plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).ok();
    });
}

/// A curve with its band: mean and 95% interval per day.
struct Band {
    cohort: Cohort,
    mean: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
}

fn bands(run: &RunOutput) -> Vec<Band> {
    Cohort::ALL
        .into_iter()
        .map(|cohort| {
            let mut band = Band { cohort, mean: vec![], low: vec![], high: vec![] };
            for day in 0..run.dates.len() {
                let values: Vec<f64> =
                    run.replicates.iter().map(|r| r.days[day][cohort.index()].active_rate()).collect();
                let e = estimate(&values);
                band.mean.push(e.mean);
                band.low.push(e.ci95_low.max(0.0));
                band.high.push(e.ci95_high.min(1.0));
            }
            band
        })
        .collect()
}

/// Writes the participation plot as PNG and SVG.
pub fn participation(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    register_fonts();
    let bands = bands(run);
    let png_area = BitMapBackend::new(png, SIZE).into_drawing_area();
    draw_participation(&png_area, run, &bands).with_context(|| format!("cannot draw {}", png.display()))?;
    png_area.present().map_err(|e| anyhow!("cannot write {}: {e}", png.display()))?;
    let svg_area = SVGBackend::new(svg, SIZE).into_drawing_area();
    draw_participation(&svg_area, run, &bands).with_context(|| format!("cannot draw {}", svg.display()))?;
    svg_area.present().map_err(|e| anyhow!("cannot write {}: {e}", svg.display()))?;
    Ok(())
}

fn draw_participation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &RunOutput,
    bands: &[Band],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let years: Vec<f64> = run.dates.iter().map(|d| fractional_year(*d)).collect();
    let (first, last) = (years[0], *years.last().unwrap_or(&years[0]) + 1e-6);
    let top = bands.iter().flat_map(|b| b.high.iter()).fold(0.05f64, |a, &b| a.max(b));
    let y_max = (top * 1.15).min(1.0);
    let title = format!(
        "{}: residents active in the last {} days",
        run.scenario.scenario.name, run.scenario.behaviour.active_window_days
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 30).into_font().style(FontStyle::Bold))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(first..last, 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("date")
        .y_desc("active rate (share of cohort)")
        .axis_desc_style((FONT, 22))
        .label_style((FONT, 18))
        .x_labels(8)
        .x_label_formatter(&|x| year_month(*x))
        .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    for band in bands {
        let colour = cohort_colour(band.cohort);
        let polygon: Vec<(f64, f64)> = (0..band.mean.len())
            .map(|d| (years[d], band.high[d]))
            .chain((0..band.mean.len()).rev().map(|d| (years[d], band.low[d])))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(polygon, colour.mix(0.25).filled()))).map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                band.mean.iter().enumerate().map(|(d, &y)| (years[d], y)),
                colour.stroke_width(3),
            ))
            .map_err(err)?
            .label(format!("{} (mean, 95% band, {} replicates)", band.cohort.name(), run.replicates.len()))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4)));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    Ok(())
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
}
