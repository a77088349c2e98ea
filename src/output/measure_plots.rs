//! `measures.png`/`.svg`: who took part, per cohort: reach, concentration, retention and the
//! first-timers' follow-up, each a share with its 95% interval across replicates.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot::{
    Drawing, FONT, LegendEntry, Mark, Scale, Ticks, cohort_colour, draw_legend_column, draw_message, label_area_width,
    render_both, split_legend, title_font,
};
use crate::experiment::measures::MeasureEstimate;
use crate::model::Cohort;

/// The built-in shares drawn, with their (short) labels on the axis; the title of the x axis
/// says where they are defined.
pub const DRAWN: [(&str, &str); 7] = [
    ("ever_took_part", "ever took part"),
    ("ever_volunteered", "ever volunteered"),
    ("volunteering_top20_share", "top-20% share"),
    ("volunteer_retention", "volunteers kept"),
    ("attendee_retention", "attendees kept"),
    ("first_timer_followup", "first-timers"),
    ("similar_non_participant_followup", "similar others"),
];

/// Draws the measures of `estimates` (from [`crate::experiment::measures::MeasureSet::estimates`]).
pub fn measures(estimates: &[MeasureEstimate], png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&Measures(estimates), png, svg)
}

struct Measures<'a>(&'a [MeasureEstimate]);

impl Drawing for Measures<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(area, self.0)
    }
}

/// The groups drawn, each with its colour: everyone in black, then each cohort.
fn groups() -> Vec<(&'static str, RGBColor)> {
    std::iter::once(("all", BLACK)).chain(Cohort::ALL.map(|c| (c.name(), cohort_colour(c)))).collect()
}

fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, estimates: &[MeasureEstimate]) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let title = "Who took part over the whole run, by cohort (%, 95% intervals across replicates)";
    let body = area.titled(title, title_font()).map_err(err)?;
    let find = |measure: &str, group: &str| {
        estimates.iter().find(|e| e.measure == measure && e.group == group && !e.user).and_then(|e| e.estimate)
    };
    if DRAWN.iter().all(|(m, _)| find(m, "all").is_none()) {
        return draw_message(&body, "nobody took part: no measure is defined");
    }
    let entries: Vec<LegendEntry> = groups()
        .into_iter()
        .map(|(label, colour)| LegendEntry { label: label.into(), colour, mark: Mark::Dot })
        .collect();
    let (plot_area, legend) = split_legend(&body, &entries);
    draw_legend_column(&legend, &entries)?;
    let ticks = Ticks::new(Scale::Number, 0.0, 100.0, 10);
    let n = DRAWN.len() as f64;
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(label_area_width(&ticks, 0.0, 100.0))
        .build_cartesian_2d(-0.5f64..(n - 0.5), 0.0f64..100.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(DRAWN.len())
        .x_label_formatter(&|x| DRAWN.get(x.round() as usize).map_or(String::new(), |(_, label)| label.to_string()))
        .y_labels(ticks.count)
        .y_label_formatter(&|y| ticks.label(*y))
        .y_desc("% of the group")
        .x_desc("measures of summary.json (definitions in docs/MODEL.md)")
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 15))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let width = 0.7 / groups().len() as f64;
    for (k, (group, colour)) in groups().into_iter().enumerate() {
        let points: Vec<(f64, f64, f64, f64)> = DRAWN
            .iter()
            .enumerate()
            .filter_map(|(m, (measure, _))| find(measure, group).map(|e| (m, e)))
            .map(|(m, e)| (m as f64 - 0.35 + width * (k as f64 + 0.5), e.mean, e.ci95_low, e.ci95_high))
            .map(|(x, mean, low, high)| (x, mean * 100.0, low * 100.0, high * 100.0))
            .collect();
        chart
            .draw_series(points.iter().map(|&(x, _, low, high)| {
                PathElement::new(vec![(x, low.max(0.0)), (x, high.min(100.0))], colour.stroke_width(3))
            }))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|&(x, mean, _, _)| Circle::new((x, mean), 5, colour.filled())))
            .map_err(err)?;
    }
    Ok(())
}
