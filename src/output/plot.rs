//! Run plots (participation, points, proposals) and the time charts, legends and messages every chart shares.

pub(crate) mod ticks;

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::experiment::stats::estimate;
use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;
pub(crate) use ticks::{Scale, Ticks};

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

/// Opacity of a 95% band: light enough to see the lines through, dark enough to be seen.
const BAND_OPACITY: f64 = 0.3;

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

/// One panel of a time chart: its caption (may be empty), axis title, scale and series.
pub(crate) struct Panel {
    pub caption: String,
    pub y_label: String,
    pub scale: Scale,
    pub series: Vec<Series>,
}

/// A time chart: a title over panels stacked from top to bottom, sharing one legend.
pub(crate) struct Chart {
    pub title: String,
    pub panels: Vec<Panel>,
}

impl Chart {
    /// A chart of a single panel without its own caption.
    fn single(title: String, y_label: &str, scale: Scale, series: Vec<Series>) -> Chart {
        Chart { title, panels: vec![Panel { caption: String::new(), y_label: y_label.into(), scale, series }] }
    }
}

/// How the spread across replicates is described in a title: a band needs two replicates.
pub(crate) fn band_note(replicates: usize) -> String {
    if replicates > 1 {
        format!("mean and 95% band of {replicates} replicates")
    } else {
        "one replicate, so no band".into()
    }
}

/// Each cohort's daily active rate, mean and 95% band over the replicates.
fn participation_series(run: &RunOutput) -> Vec<Series> {
    Cohort::ALL
        .into_iter()
        .map(|cohort| {
            let (mean, low, high) = daily_estimates(run, |d| d[cohort.index()].active_rate());
            Series { label: cohort.name().into(), colour: cohort_colour(cohort), mean, band: Some((low, high)) }
        })
        .collect()
}

/// Writes the participation plot as PNG and SVG.
pub fn participation(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let series = participation_series(run);
    let window = run.scenario.behaviour.active_window_days;
    let title = format!(
        "{}: residents active in the last {window} days ({})",
        run.scenario.scenario.name,
        band_note(run.replicates.len())
    );
    draw_both(&Chart::single(title, "active rate (share of cohort)", Scale::Share, series), &run.dates, png, svg)
}

/// Writes the points economy: cumulative points issued, redeemed and expired, and outstanding.
pub fn points_economy(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let flows: [Flow; 3] = [
        ("issued (cumulative)", |c| c.mechanisms.time_bank.points_issued as f64),
        ("redeemed (cumulative)", |c| c.mechanisms.time_bank.points_redeemed as f64),
        ("expired (cumulative)", |c| c.mechanisms.time_bank.points_expired as f64),
    ];
    let mut series = cumulative_series(run, &flows);
    let (outstanding, _, _) =
        daily_estimates(run, |d| d.iter().map(|c| c.mechanisms.time_bank.points_outstanding as f64).sum());
    series.push(Series { label: "outstanding (held)".into(), colour: PALETTE[3], mean: outstanding, band: None });
    let title =
        format!("{}: the time bank's points (mean of {} replicates)", run.scenario.scenario.name, run.replicates.len());
    draw_both(&Chart::single(title, "time-bank points", Scale::Number, series), &run.dates, png, svg)
}

/// Writes the proposal pipeline: cumulative proposals submitted, approved, implemented, stalled, rejected.
pub fn proposal_pipeline(run: &RunOutput, png: &Path, svg: &Path) -> anyhow::Result<()> {
    let stages: [Flow; 5] = [
        ("submitted", |c| c.mechanisms.proposal_fund.proposals_submitted as f64),
        ("approved", |c| c.mechanisms.proposal_fund.proposals_approved as f64),
        ("implemented", |c| c.mechanisms.proposal_fund.proposals_implemented as f64),
        ("stalled", |c| c.mechanisms.proposal_fund.proposals_stalled as f64),
        ("rejected", |c| c.mechanisms.proposal_fund.proposals_rejected as f64),
    ];
    let series = cumulative_series(run, &stages);
    let title =
        format!("{}: proposals so far (mean of {} replicates)", run.scenario.scenario.name, run.replicates.len());
    draw_both(&Chart::single(title, "proposals (cumulative)", Scale::Number, series), &run.dates, png, svg)
}

/// A labelled per-cohort flow, counted day by day.
type Flow = (&'static str, fn(&CohortDay) -> f64);

/// One cumulative line per labelled flow, in palette order.
fn cumulative_series(run: &RunOutput, flows: &[Flow]) -> Vec<Series> {
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

/// The SVG text of `drawing`, for a report made in memory (the workbench's).
pub(crate) fn svg_string(drawing: &impl Drawing) -> anyhow::Result<String> {
    register_fonts();
    let mut text = String::new();
    {
        let area = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        drawing.draw_on(&area)?;
        area.present().map_err(|e| anyhow!("cannot finish an SVG chart: {e}"))?;
    }
    Ok(text)
}

/// The SVG text of `drawing`, for tests that read what a chart says.
#[cfg(test)]
pub(crate) fn svg_text(drawing: &impl Drawing) -> String {
    svg_string(drawing).expect("the chart draws")
}

/// A time chart over the recorded days.
pub(crate) struct TimeChart<'a> {
    chart: &'a Chart,
    years: Vec<f64>,
}

impl Drawing for TimeChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_time_chart(area, self.chart, &self.years)
    }
}

/// Writes a time chart over `dates` as PNG and SVG.
pub(crate) fn draw_both(chart: &Chart, dates: &[chrono::NaiveDate], png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&time_chart(chart, dates), png, svg)
}

pub(crate) fn time_chart<'a>(chart: &'a Chart, dates: &[chrono::NaiveDate]) -> TimeChart<'a> {
    TimeChart { chart, years: dates.iter().map(|d| fractional_year(*d)).collect() }
}

/// The title, the panels stacked below it and one legend beside them.
fn draw_time_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    years: &[f64],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let body = area.titled(&chart.title, title_font()).map_err(err)?;
    let mut entries: Vec<LegendEntry> = Vec::new();
    for series in chart.panels.iter().flat_map(|p| &p.series) {
        if !entries.iter().any(|e| e.label == series.label) {
            entries.push(LegendEntry { label: series.label.clone(), colour: series.colour, mark: Mark::Line });
        }
    }
    let (plots, legend) = split_legend(&body, &entries);
    draw_legend_column(&legend, &entries)?;
    let areas = plots.split_evenly((chart.panels.len().max(1), 1));
    for (k, (panel, panel_area)) in chart.panels.iter().zip(&areas).enumerate() {
        // Stacked panels share their dates: only the lowest says "date".
        let x_title = if k + 1 == chart.panels.len() { "date" } else { "" };
        draw_time_panel(panel_area, panel, years, x_title)?;
    }
    Ok(())
}

/// The bold title font of every chart.
pub(crate) fn title_font() -> TextStyle<'static> {
    (FONT, 28).into_font().style(FontStyle::Bold).into()
}

/// One panel: its series over the dates, bands under lines, a zero line for differences.
fn draw_time_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    years: &[f64],
    x_title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let Some((low, high)) = value_range(&panel.series).filter(|_| years.len() > 1) else {
        let caption = if panel.caption.is_empty() { "nothing to draw" } else { panel.caption.as_str() };
        return draw_message(area, &format!("{caption}: no values"));
    };
    let (y_low, y_high) = y_range(panel.scale, low, high);
    let ticks = Ticks::new(panel.scale, y_low, y_high, 10);
    let (first, last) = (years[0], years[years.len() - 1]);
    let mut builder = ChartBuilder::on(area);
    if !panel.caption.is_empty() {
        builder.caption(&panel.caption, (FONT, 20));
    }
    let mut plot = builder
        .margin(20)
        .x_label_area_size(if x_title.is_empty() { 30 } else { 55 })
        .y_label_area_size(label_area_width(&ticks, y_low, y_high))
        .build_cartesian_2d(DateAxis::new(years, 8), y_low..y_high)
        .map_err(err)?;
    plot.configure_mesh()
        .x_desc(x_title)
        .y_desc(panel.y_label.as_str())
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 17))
        .x_label_formatter(&|x| year_month(*x))
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    if y_low < 0.0 {
        plot.draw_series(std::iter::once(PathElement::new(vec![(first, 0.0), (last, 0.0)], BLACK.stroke_width(2))))
            .map_err(err)?;
    }
    for series in &panel.series {
        if let Some((low, high)) = &series.band {
            let polygon = band_outline(years, low, high, |x| plot.backend_coord(&(x, 0.0)).0);
            let fill = series.colour.mix(BAND_OPACITY).filled();
            plot.draw_series(std::iter::once(Polygon::new(polygon, fill))).map_err(err)?;
        }
    }
    for series in &panel.series {
        let points: Vec<(f64, f64)> = years.iter().copied().zip(series.mean.iter().copied()).collect();
        let runs = runs_without_sharp_turns(&points, |p| plot.backend_coord(p));
        let style = series.colour.stroke_width(2);
        plot.draw_series(runs.into_iter().map(|run| PathElement::new(run, style))).map_err(err)?;
    }
    Ok(())
}

/// A band's outline, upper edge left to right then lower edge back, with one point per pixel
/// column (the widest of its days): plotters' bitmap fill draws stray lines across the chart
/// when several vertices share a column.
fn band_outline(years: &[f64], low: &[f64], high: &[f64], column: impl Fn(f64) -> i32) -> Vec<(f64, f64)> {
    let mut columns: Vec<(i32, f64, f64, f64)> = Vec::new();
    for ((&x, &l), &h) in years.iter().zip(low).zip(high) {
        match columns.last_mut() {
            Some(last) if last.0 == column(x) => (last.2, last.3) = (last.2.min(l), last.3.max(h)),
            _ => columns.push((column(x), x, l, h)),
        }
    }
    let upper = columns.iter().map(|&(_, x, _, h)| (x, h));
    upper.chain(columns.iter().rev().map(|&(_, x, l, _)| (x, l))).collect()
}

/// A line cut into runs wherever it turns back by more than a right angle (in pixels):
/// plotters widens a thick line into a polygon whose inner corner at such a turn lies far off
/// the line, and its bitmap fill then streaks across the chart. Runs share their end points.
fn runs_without_sharp_turns(points: &[(f64, f64)], pixel: impl Fn(&(f64, f64)) -> (i32, i32)) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut pixels: Vec<(i32, i32)> = Vec::new();
    for point in points.iter().filter(|p| p.1.is_finite()) {
        let here = pixel(point);
        // plotters drops a point on the same pixel as the one before; so does this.
        if pixels.last() == Some(&here) {
            continue;
        }
        if let [.., a, b] = pixels[..] {
            let turns_back = (b.0 - a.0) * (here.0 - b.0) + (b.1 - a.1) * (here.1 - b.1) < 0;
            if turns_back {
                let corner = run[run.len() - 1];
                runs.push(std::mem::replace(&mut run, vec![corner]));
                pixels = vec![b];
            }
        }
        run.push(*point);
        pixels.push(here);
    }
    if run.len() > 1 {
        runs.push(run);
    }
    runs
}

/// The smallest and largest finite value of the series, bands included; none if there is none.
fn value_range(series: &[Series]) -> Option<(f64, f64)> {
    let bands = series.iter().flat_map(|s| s.band.iter().flat_map(|(l, h)| l.iter().chain(h)));
    let values = series.iter().flat_map(|s| &s.mean).chain(bands).filter(|v| v.is_finite());
    values.fold(None, |range, &v| Some(range.map_or((v, v), |(l, h): (f64, f64)| (l.min(v), h.max(v)))))
}

/// The y axis: from zero for levels, around zero (with zero shown) for differences.
fn y_range(scale: Scale, low: f64, high: f64) -> (f64, f64) {
    if low >= 0.0 && scale != Scale::SharePoints {
        let top = if scale == Scale::Share { (high * 1.15).clamp(0.05, 1.0) } else { (high * 1.1).max(1.0) };
        return (0.0, top);
    }
    let (low, high) = (low.min(0.0), high.max(0.0));
    let pad = ((high - low) * 0.1).max(1e-3);
    (low - pad, high + pad)
}

/// Room for the tick labels and the axis title left of a plot.
pub(crate) fn label_area_width(ticks: &Ticks, low: f64, high: f64) -> u32 {
    let widest = ticks.label(low).len().max(ticks.label(high).len()) as u32;
    40 + 9 * widest
}

/// How a legend entry shows its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    Line,
    Dot,
    Bar,
}

/// One row of a legend.
pub(crate) struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub mark: Mark,
}

const LEGEND_FONT: u32 = 18;
const LEGEND_ROW: i32 = 30;
/// Left of a label: padding, the mark and a gap.
const LEGEND_LABEL_X: i32 = 50;
const LEGEND_PAD: i32 = 12;

/// A column of an area, as pixels from its left edge (start included, end excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Columns {
    pub plot: (u32, u32),
    pub legend: (u32, u32),
}

/// Where the plots end and the legend column starts in an area `width` wide, for a widest
/// label of `label_width` pixels: the legend takes what it needs, at most a third.
pub(crate) fn legend_columns(width: u32, label_width: u32) -> Columns {
    let wanted = LEGEND_LABEL_X as u32 + label_width + 2 * LEGEND_PAD as u32;
    let legend = wanted.min(width / 3);
    Columns { plot: (0, width - legend), legend: (width - legend, width) }
}

/// Splits off a legend column on the right of `area`, so that no legend covers data.
pub(crate) fn split_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let font = TextStyle::from((FONT, LEGEND_FONT));
    let label_width =
        entries.iter().map(|e| area.estimate_text_size(&e.label, &font).map_or(0, |(w, _)| w)).max().unwrap_or(0);
    let columns = legend_columns(area.dim_in_pixel().0, label_width);
    area.split_horizontally(columns.legend.0)
}

/// The legend's entries from the top of its column, in a light frame.
pub(crate) fn draw_legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    if entries.is_empty() {
        return Ok(());
    }
    let width = area.dim_in_pixel().0 as i32;
    let top = 20;
    let bottom = top + LEGEND_PAD + LEGEND_ROW * entries.len() as i32;
    let frame = Rectangle::new([(0, top), (width - LEGEND_PAD, bottom)], BLACK.mix(0.3));
    area.draw(&frame).map_err(err)?;
    for (k, entry) in entries.iter().enumerate() {
        let y = top + LEGEND_PAD + LEGEND_ROW * k as i32 + LEGEND_ROW / 2 - 4;
        draw_mark(area, entry, (LEGEND_PAD, y))?;
        let style = TextStyle::from((FONT, LEGEND_FONT)).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(entry.label.as_str(), (LEGEND_LABEL_X, y), style)).map_err(err)?;
    }
    Ok(())
}

fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entry: &LegendEntry,
    (x, y): (i32, i32),
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let colour = entry.colour;
    match entry.mark {
        Mark::Line => area.draw(&PathElement::new(vec![(x, y), (x + 28, y)], colour.stroke_width(4))),
        Mark::Dot => area.draw(&Circle::new((x + 14, y), 7, colour.filled())),
        Mark::Bar => area.draw(&Rectangle::new([(x + 6, y - 8), (x + 22, y + 8)], colour.filled())),
    }
    .map_err(err)
}

/// A chart that has nothing to show says why, in its middle, instead of an empty axis.
pub(crate) fn draw_message<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, message: &str) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let frame = Rectangle::new([(20, 20), (width - 20, height - 20)], RGBColor(200, 200, 200));
    area.draw(&frame).map_err(err)?;
    let style = TextStyle::from((FONT, 24)).color(&RGBColor(80, 80, 80)).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(message, (width / 2, height / 2), style)).map_err(err)
}

/// A date as a fractional year (2024-07-01 is about 2024.5), so axis ticks fall on round dates.
fn fractional_year(date: chrono::NaiveDate) -> f64 {
    use chrono::Datelike;
    let days_in_year = if chrono::NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some() { 366.0 } else { 365.0 };
    date.year() as f64 + date.ordinal0() as f64 / days_in_year
}

/// The date axis of a time chart, in fractional years, with its ticks on first days of months.
struct DateAxis {
    years: RangedCoordf64,
    ticks: Vec<f64>,
}

impl DateAxis {
    fn new(years: &[f64], count: usize) -> DateAxis {
        let (first, last) = (years[0], years[years.len() - 1]);
        DateAxis { years: (first..last).into(), ticks: month_ticks(years, count) }
    }
}

impl Ranged for DateAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.years.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light mesh lines would fall between months: only the labelled ticks get lines.
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.years.range()
    }
}

/// The first days of months among `years` (fractional years), every 1, 2, 3, 6, 12, 24 or 60
/// months counted from January: the finest step that leaves at most `count` ticks, so that
/// every tick falls on the month its label names.
fn month_ticks(years: &[f64], count: usize) -> Vec<f64> {
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Vec::new();
    };
    let month_starts: Vec<(i32, f64)> = (first.floor() as i32..=last.floor() as i32)
        .flat_map(|year| (1..=12).map(move |month| (year, month)))
        .filter_map(|(year, month)| chrono::NaiveDate::from_ymd_opt(year, month, 1).map(|d| (month as i32, d)))
        .map(|(month, date)| (month - 1, fractional_year(date)))
        .filter(|&(_, x)| (first..=last).contains(&x))
        .collect();
    for step in [1, 2, 3, 6, 12, 24, 60] {
        let ticks: Vec<f64> = month_starts.iter().filter(|(m, _)| m % step == 0).map(|&(_, x)| x).collect();
        if ticks.len() <= count {
            return ticks;
        }
    }
    Vec::new()
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
    fn date_ticks_fall_on_the_months_they_name() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let days = |from: chrono::NaiveDate, n: i64| {
            (0..n).map(|k| fractional_year(from + chrono::Duration::days(k))).collect::<Vec<_>>()
        };
        let labels = |ticks: Vec<f64>| ticks.into_iter().map(year_month).collect::<Vec<_>>();
        let half_year = labels(month_ticks(&days(date(2024, 1, 1), 200), 8));
        assert_eq!(half_year, ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]);
        let three_years = labels(month_ticks(&days(date(2024, 1, 1), 1096), 8));
        assert_eq!(three_years, ["2024-01", "2024-07", "2025-01", "2025-07", "2026-01", "2026-07"]);
        assert_eq!(labels(month_ticks(&days(date(2024, 3, 10), 40), 8)), ["2024-04"]);
    }

    #[test]
    fn legend_column_beside_the_plots() {
        for (width, label) in [(1200, 150), (1200, 900), (400, 60), (1200, 0)] {
            let columns = legend_columns(width, label);
            assert!(columns.plot.1 <= columns.legend.0, "plots end before the legend starts: {columns:?}");
            assert_eq!(columns.legend.1, width);
            assert!(columns.plot.1 - columns.plot.0 >= width * 2 / 3, "the plots keep two thirds");
        }
        let roomy = legend_columns(1200, 150);
        assert!(roomy.legend.1 - roomy.legend.0 >= 150 + LEGEND_LABEL_X as u32, "the label fits");
    }

    #[test]
    fn band_outline_keeps_one_point_per_pixel_column() {
        let years = [0.0, 0.4, 1.0, 1.6, 2.0];
        let low = [1.0, 0.5, 1.0, 1.0, 1.0];
        let high = [2.0, 2.0, 3.0, 2.0, 2.5];
        let outline = band_outline(&years, &low, &high, |x| x.round() as i32);
        let upper = [(0.0, 2.0), (1.0, 3.0), (1.6, 2.5)];
        let lower = [(1.6, 1.0), (1.0, 1.0), (0.0, 0.5)];
        assert_eq!(outline, [upper, lower].concat());
    }

    #[test]
    fn lines_are_cut_where_they_turn_back() {
        let points = [(0.0, 0.0), (1.0, 0.0), (2.0, 5.0), (2.0, 5.0), (3.0, 0.0), (4.0, 0.0)];
        let runs = runs_without_sharp_turns(&points, |&(x, y)| ((x * 10.0) as i32, -(y * 10.0) as i32));
        assert_eq!(runs, vec![vec![(0.0, 0.0), (1.0, 0.0), (2.0, 5.0)], vec![(2.0, 5.0), (3.0, 0.0), (4.0, 0.0)]]);
        let straight = runs_without_sharp_turns(&points[..3], |&(x, y)| ((x * 10.0) as i32, -(y * 10.0) as i32));
        assert_eq!(straight.len(), 1);
    }

    #[test]
    fn y_axis_from_zero_or_around_it() {
        assert_eq!(y_range(Scale::Share, 0.1, 0.4).0, 0.0);
        let (low, high) = y_range(Scale::SharePoints, 0.01, 0.03);
        assert!(low < 0.0 && high > 0.03, "differences show zero");
        assert!(value_range(&[]).is_none());
    }

    /// A tiny run: two cohorts' worth of days and three replicates.
    fn small_run() -> RunOutput {
        let mut scenario = crate::scenario::default_scenario().scaled_to(300);
        scenario.scenario.days = 40;
        scenario.scenario.burn_in_days = 10;
        scenario.scenario.replicates = 3;
        crate::simulate::simulate(&scenario, &|| {})
    }

    /// Draws the participation chart of `run` to SVG text.
    fn participation_svg(run: &RunOutput) -> String {
        let series = participation_series(run);
        let chart = Chart::single(format!("({})", band_note(run.replicates.len())), "share", Scale::Share, series);
        svg_text(&time_chart(&chart, &run.dates))
    }

    #[test]
    fn participation_draws_its_announced_bands() {
        let svg = participation_svg(&small_run());
        assert!(svg.contains("95% band of 3 replicates"));
        for cohort in Cohort::ALL {
            let RGBColor(r, g, b) = cohort_colour(cohort);
            let fill = format!("<polygon opacity=\"{BAND_OPACITY}\" fill=\"#{r:02X}{g:02X}{b:02X}\"");
            assert!(svg.contains(&fill), "a band polygon for {}: {fill}", cohort.name());
        }
        assert!(!svg.lines().any(|line| line.starts_with("-0")), "no negative zero");
    }

    /// The numbers of an SVG attribute in every element that has it: `points` or `x`.
    fn attribute_numbers(svg: &str, attribute: &str) -> Vec<f64> {
        let key = format!(" {attribute}=\"");
        svg.split(&key)
            .skip(1)
            .flat_map(|rest| rest[..rest.find('"').unwrap_or(0)].split([' ', ',']).step_by(2).map(str::to_string))
            .filter_map(|x| x.parse().ok())
            .collect()
    }

    #[test]
    fn legend_box_lies_right_of_every_curve() {
        let svg = participation_svg(&small_run());
        let frame = svg.lines().find(|line| line.contains("fill=\"none\" stroke=\"#000000\"")).expect("a legend frame");
        let legend_left = attribute_numbers(frame, "x")[0];
        // The bands span every day, as the curves do; the legend's marks are lines too.
        let bands: String = svg.lines().filter(|line| line.starts_with("<polygon")).collect();
        let rightmost = attribute_numbers(&bands, "points").into_iter().fold(0.0, f64::max);
        assert!(
            rightmost > 500.0 && rightmost < legend_left,
            "curves end at {rightmost}, the legend starts at {legend_left}"
        );
    }

    #[test]
    fn time_charts_are_deterministic() {
        let run = small_run();
        assert_eq!(participation_svg(&run), participation_svg(&run));
    }
}
