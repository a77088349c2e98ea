//! Outreach: grid workers visit households and collect silent needs; riders report building and merchant problems.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::rng::Purpose;

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
