//! The core parameters converted once into the forms the daily loop uses (mechanisms compile
//! their own).

use super::params::Params;
use super::types::N_COHORTS;
use crate::model::behaviour::rules::{self, Rates, VoiceWeights, Weights};

/// Parameters of the core's daily loop.
#[derive(Clone, Debug)]
pub struct CoreRules {
    pub weights: Weights,
    pub voice_weights: VoiceWeights,
    pub rates: Rates,
    pub propensity: [f32; N_COHORTS],
    pub awareness_baseline: [f32; N_COHORTS],
    pub attachment_baseline: [f32; N_COHORTS],
    pub voice: [f32; N_COHORTS],
    pub volunteer_offset: f32,
    pub deliberation_offset: f32,
    pub young_event_bonus: f32,
    pub window: i32,
    pub need_daily: f32,
    pub burst_daily: f64,
    pub burst_need_chance: f32,
    pub grievance_daily: f32,
    pub tasks_weekday: u32,
    pub tasks_weekend: u32,
    pub seats: u32,
    pub resolve_share: f64,
    pub resolve_days: std::ops::RangeInclusive<u32>,
    pub tie_chance: f32,
    pub move_out_hazard: [f64; N_COHORTS],
    pub max_degree: f32,
    /// A free-time byte as a share of the day (`byte / 255`), looked up rather than divided.
    pub free_share: [f32; 256],
}

impl CoreRules {
    pub fn from_params(p: &Params) -> CoreRules {
        let cohorts = p.cohorts.by_cohort();
        let b = &p.behaviour;
        let c = &p.committee;
        CoreRules {
            weights: Weights::from_behaviour(b),
            voice_weights: VoiceWeights::from_behaviour(b),
            rates: Rates::from_behaviour(b),
            propensity: cohorts.map(|c| c.propensity as f32),
            awareness_baseline: cohorts.map(|c| c.awareness as f32),
            attachment_baseline: cohorts.map(|c| c.attachment as f32),
            voice: cohorts.map(|c| c.voice as f32),
            volunteer_offset: b.volunteer_offset as f32,
            deliberation_offset: b.deliberation_offset as f32,
            young_event_bonus: b.young_event_bonus as f32,
            window: b.active_window_days as i32,
            need_daily: ((p.needs.personal_per_year + p.needs.disputes_per_year) / 365.0) as f32,
            burst_daily: p.needs.pipe_bursts_per_year / 365.0,
            burst_need_chance: p.needs.pipe_burst_need_chance as f32,
            grievance_daily: (p.merchants.grievances_per_year / 365.0) as f32,
            tasks_weekday: c.volunteer_tasks_per_day,
            tasks_weekend: c.volunteer_tasks_per_weekend_day,
            seats: c.deliberation_seats,
            resolve_share: c.resolve_share,
            resolve_days: c.resolve_days_min..=c.resolve_days_max,
            tie_chance: p.network.co_participation_tie_chance as f32,
            move_out_hazard: cohorts.map(|c| rules::daily_hazard(c.move_out_rate)),
            max_degree: p.network.max_degree as f32,
            free_share: std::array::from_fn(|byte| byte as f32 / 255.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_share_table_is_the_byte_over_255() {
        let rules = CoreRules::from_params(&Params::default());
        for byte in 0..=255u8 {
            assert_eq!(rules.free_share[usize::from(byte)], byte as f32 / 255.0);
        }
    }
}
