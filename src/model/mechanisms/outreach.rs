//! Outreach: grid workers visit households and collect silent needs; riders report building and merchant problems.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::ops::Range;

use super::{Ctx, Mechanism};
use crate::engine::rng::{Purpose, unit_f32};
use crate::model::behaviour::decide::{Decisions, Need, NeedKind};
use crate::model::behaviour::rules;
use crate::model::core::check::Check;
use crate::model::core::day::{Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;

/// Whether outreach (a grid worker's visit, riders) collects a need kept silent.
pub const COLLECT: Purpose = Purpose(12);

/// Grid workers (网格员), one per micro-grid: visits raise awareness and collect needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GridWorkers {
    /// Turns grid-worker outreach on.
    pub enabled: bool,
    /// Households each grid worker visits per weekday.
    pub visits_per_day: u32,
    /// Awareness gained by residents of a visited household, as a share of the gap to 1.
    pub awareness_gain: f64,
    /// Chance that a need a visited resident stays silent about is collected and raised.
    pub collect_chance: f64,
    /// Days after a visit during which the grid worker still hears of new needs.
    pub collect_window_days: u32,
}

/// Delivery riders recruited as information liaisons (外卖骑手信息员).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Riders {
    /// Turns rider liaisons on.
    pub enabled: bool,
    /// Riders recruited.
    pub count: u32,
    /// Chance per rider that a silent building problem (pipe burst, merchant nuisance) is reported.
    pub report_chance_per_rider: f64,
}

impl Default for GridWorkers {
    fn default() -> GridWorkers {
        GridWorkers {
            enabled: false,
            visits_per_day: 2,
            awareness_gain: 0.1,
            collect_chance: 0.5,
            collect_window_days: 30,
        }
    }
}

impl Default for Riders {
    fn default() -> Riders {
        Riders { enabled: false, count: 100, report_chance_per_rider: 0.005 }
    }
}

impl GridWorkers {
    /// The ranges of the grid workers' keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.int_range(&format!("{at}.visits_per_day"), self.visits_per_day.into(), 0, 10_000);
        check.share(&format!("{at}.awareness_gain"), self.awareness_gain);
        check.share(&format!("{at}.collect_chance"), self.collect_chance);
        check.int_range(&format!("{at}.collect_window_days"), self.collect_window_days.into(), 1, 3650);
    }
}

impl Riders {
    /// The ranges of the riders' keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.share(&format!("{at}.report_chance_per_rider"), self.report_chance_per_rider);
        check.int_range(&format!("{at}.count"), self.count.into(), 0, 1_000_000);
    }
}

/// Outreach: grid workers walk their micro-grid's households in turn on weekdays (a visit
/// raises the household's awareness, and the worker hears of needs for a while after it);
/// riders report building and merchant problems.
pub struct Outreach {
    grid_workers: GridWorkers,
    riders: Riders,
    /// Households of each micro-grid (contiguous, as grids are spread over households).
    grid_households: Vec<Range<u32>>,
    /// The household each grid worker visits next.
    grid_cursor: Vec<u32>,
    /// Day of each household's last visit.
    household_last_visit: Vec<i32>,
}

impl Mechanism for Outreach {
    type Counters = ();
    type Wishes = ();
    const PURPOSES: &'static [Purpose] = &[COLLECT];

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, core: &Core) -> Outreach {
        let grid_households = grid_households(&core.structure.household_grid, params.community.micro_grids as usize);
        Outreach {
            grid_workers: params.policy.grid_workers.clone(),
            riders: params.policy.riders.clone(),
            grid_cursor: grid_households.iter().map(|r| r.start).collect(),
            grid_households,
            household_last_visit: vec![i32::MIN / 2; core.structure.n_households()],
        }
    }

    fn heap_bytes(&self) -> usize {
        self.household_last_visit.capacity() * 4
    }

    /// Whether outreach collects a need the resident kept silent: a grid worker who visited the
    /// household recently asks about it; riders see building and merchant problems.
    fn collects(&self, core: &Core, need: &Need, today: &Today) -> bool {
        let d = today.day;
        let household = core.structure.household_of(need.resident);
        let workers = &self.grid_workers;
        let mut missed = 1.0;
        if workers.enabled && d - self.household_last_visit[household] < workers.collect_window_days as i32 {
            missed *= 1.0 - workers.collect_chance;
        }
        if self.riders.enabled && need.kind != NeedKind::Personal {
            missed *= (1.0 - self.riders.report_chance_per_rider).powf(self.riders.count as f64);
        }
        missed < 1.0 && unit_f32(rand::Rng::next_u32(&mut core.key(d, need.resident.0, COLLECT).rng())) as f64 >= missed
    }

    /// On weekdays each grid worker visits the next households of the micro-grid in turn.
    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], _granted: &Granted) {
        let workers = &self.grid_workers;
        if !workers.enabled || ctx.today.is_weekend {
            return;
        }
        let gain = workers.awareness_gain as f32;
        for g in 0..self.grid_households.len() {
            let range = self.grid_households[g].clone();
            for _ in 0..workers.visits_per_day.min(range.len() as u32) {
                let h = self.grid_cursor[g];
                self.grid_cursor[g] = if h + 1 >= range.end { range.start } else { h + 1 };
                self.household_last_visit[h as usize] = ctx.today.day;
                for i in ctx.core.structure.members(h as usize) {
                    let awareness = &mut ctx.core.residents.awareness[i];
                    *awareness = rules::gain(*awareness, gain);
                }
            }
        }
    }
}

/// The household range of each micro-grid.
fn grid_households(household_grid: &[u32], n_grids: usize) -> Vec<Range<u32>> {
    let mut ranges = vec![Range { start: u32::MAX, end: 0 }; n_grids]; // empty until the first household
    for (h, &g) in household_grid.iter().enumerate() {
        let range = &mut ranges[g as usize];
        range.start = range.start.min(h as u32);
        range.end = range.end.max(h as u32 + 1);
    }
    ranges
}
