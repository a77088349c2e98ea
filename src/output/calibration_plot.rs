//! The pairs plot of a calibration: each parameter's posterior histogram on its prior range on
//! the diagonal, the posterior draws of every pair below it.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot::{Drawing, FONT, PALETTE, Scale, Ticks, render_both, title_font};
use super::study_plots::short_path;
use crate::experiment::calibrate::Calibration;
use crate::experiment::calibrate::run::Fit;

/// Bars of each diagonal histogram.
const BINS: usize = 20;

/// Writes the pairs plot as PNG and SVG.
pub fn pairs(cal: &Calibration, fit: &Fit, png: &Path, svg: &Path) -> anyhow::Result<()> {
    render_both(&Pairs { cal, fit }, png, svg)
}

struct Pairs<'a> {
    cal: &'a Calibration,
    fit: &'a Fit,
}

impl Drawing for Pairs<'_> {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        area.fill(&WHITE).map_err(err)?;
        let title = format!(
            "Posterior of {} ({} draws; histograms on the prior's range)",
            self.cal.base.scenario.name,
            self.fit.draws.len()
        );
        let body = area.titled(&title, title_font()).map_err(err)?;
        let k = self.cal.parameters.len();
        let cells = body.split_evenly((k, k));
        for (index, cell) in cells.iter().enumerate() {
            let (row, column) = (index / k, index % k);
            if row == column {
                self.histogram(cell, row)?;
            } else if row > column {
                self.scatter(cell, column, row)?;
            }
        }
        Ok(())
    }
}

impl Pairs<'_> {
    fn range(&self, a: usize) -> (f64, f64) {
        self.cal.parameters[a].range()
    }

    fn histogram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, a: usize) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        let (low, high) = self.range(a);
        let width = (high - low) / BINS as f64;
        let mut counts = [0usize; BINS];
        for draw in &self.fit.draws {
            counts[(((draw[a] - low) / width) as usize).min(BINS - 1)] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
        let ticks = Ticks::new(Scale::Number, low, high, 4);
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .x_label_area_size(35)
            .y_label_area_size(10)
            .build_cartesian_2d(low..high, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .y_labels(0)
            .x_labels(ticks.count)
            .x_label_formatter(&|x| ticks.label(*x))
            .x_desc(short_path(&self.cal.parameters[a].parameter.path))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        let bars = counts.iter().enumerate().map(|(b, &n)| {
            let x0 = low + width * b as f64;
            Rectangle::new([(x0, 0.0), (x0 + width, n as f64)], PALETTE[0].mix(0.7).filled())
        });
        chart.draw_series(bars).map_err(err)?;
        Ok(())
    }

    fn scatter<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, x: usize, y: usize) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
        let ((x_low, x_high), (y_low, y_high)) = (self.range(x), self.range(y));
        let (x_ticks, y_ticks) =
            (Ticks::new(Scale::Number, x_low, x_high, 4), Ticks::new(Scale::Number, y_low, y_high, 4));
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(x_ticks.count)
            .y_labels(y_ticks.count)
            .x_label_formatter(&|v| x_ticks.label(*v))
            .y_label_formatter(&|v| y_ticks.label(*v))
            .x_desc(short_path(&self.cal.parameters[x].parameter.path))
            .y_desc(short_path(&self.cal.parameters[y].parameter.path))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        let dot = PALETTE[0].mix(0.35).filled();
        chart.draw_series(self.fit.draws.iter().map(|d| Circle::new((d[x], d[y]), 2, dot))).map_err(err)?;
        Ok(())
    }
}
