//! The scenario's parameters converted once into the forms the daily loop uses.

use crate::model::behaviour::rules::{self, Rates, VoiceWeights, Weights};
use crate::model::core::params::Params;
use crate::model::core::types::N_COHORTS;

/// Parameters of the daily loop.
#[derive(Clone, Debug)]
pub(super) struct Rules {
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
    /// Logit bonus of transients at the deliberation day once policies run (0 without seats).
    pub transient_invitation: f32,
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
    /// Logit bonus of the digital platform on every activity (0 without it).
    pub platform_bonus: f32,
    pub time_bank: Option<TimeBankRules>,
    pub proposals: Option<ProposalRules>,
}

/// The time bank, per check-in and per day.
#[derive(Clone, Copy, Debug)]
pub(super) struct TimeBankRules {
    /// Points are u64 as balances are: 10^7 points a check-in pass 2^32 in 430 check-ins.
    pub points_per_checkin: u64,
    pub item_cost: u64,
    /// Logit pull of the reward at full perceived value: w_r x R / (R + R_half).
    pub reward_pull: f32,
    /// Share of intrinsic motivation lost per paid check-in: c_out x framing x max(0, 1 - R / R_adequate).
    pub crowd_out: f32,
    /// Share of the gap to 1 gained per recognised check-in: c_in x recognition.
    pub crowd_in: f32,
    pub redeem_chance: f32,
    pub value_gain: f32,
    pub value_loss: f32,
    pub idle_decay: f32,
    /// Days without earning after which a balance lapses (0 = never).
    pub expiry_days: i32,
}

/// The proposal fund's choice between proposing and complaining.
#[derive(Clone, Copy, Debug)]
pub(super) struct ProposalRules {
    /// Logit of proposing at neutral trust and attachment: offset - effort x (1 - platform discount).
    pub intercept: f32,
    pub trust_weight: f32,
    pub attachment_weight: f32,
}

impl Rules {
    pub fn from_scenario(s: &Params) -> Rules {
        let cohorts = s.cohorts.by_cohort();
        let b = &s.behaviour;
        let c = &s.committee;
        let platform = &s.policy.platform;
        Rules {
            weights: Weights::from_scenario(s),
            voice_weights: VoiceWeights::from_scenario(s),
            rates: Rates::from_behaviour(b),
            propensity: cohorts.map(|p| p.propensity as f32),
            awareness_baseline: cohorts.map(|p| p.awareness as f32),
            attachment_baseline: cohorts.map(|p| p.attachment as f32),
            voice: cohorts.map(|p| p.voice as f32),
            volunteer_offset: b.volunteer_offset as f32,
            deliberation_offset: b.deliberation_offset as f32,
            young_event_bonus: b.young_event_bonus as f32,
            transient_invitation: if s.policy.transient_seat.seats > 0 {
                s.policy.transient_seat.invitation_bonus as f32
            } else {
                0.0
            },
            window: b.active_window_days as i32,
            need_daily: ((s.needs.personal_per_year + s.needs.disputes_per_year) / 365.0) as f32,
            burst_daily: s.needs.pipe_bursts_per_year / 365.0,
            burst_need_chance: s.needs.pipe_burst_need_chance as f32,
            grievance_daily: (s.merchants.grievances_per_year / 365.0) as f32,
            tasks_weekday: c.volunteer_tasks_per_day,
            tasks_weekend: c.volunteer_tasks_per_weekend_day,
            seats: c.deliberation_seats,
            resolve_share: c.resolve_share,
            resolve_days: c.resolve_days_min..=c.resolve_days_max,
            tie_chance: s.network.co_participation_tie_chance as f32,
            move_out_hazard: cohorts.map(|p| rules::daily_hazard(p.move_out_rate)),
            max_degree: s.network.max_degree as f32,
            platform_bonus: if platform.enabled { platform.participation_bonus as f32 } else { 0.0 },
            time_bank: s.policy.time_bank.enabled.then(|| TimeBankRules::from_scenario(s)),
            proposals: s.policy.proposal_fund.enabled.then(|| ProposalRules::from_scenario(s)),
        }
    }
}

impl TimeBankRules {
    fn from_scenario(s: &Params) -> TimeBankRules {
        let t = &s.policy.time_bank;
        let platform = &s.policy.platform;
        let reward = rules::reward_yuan(t.points_per_checkin, t.item_cost_points, t.item_value_yuan);
        TimeBankRules {
            points_per_checkin: u64::from(t.points_per_checkin),
            item_cost: u64::from(t.item_cost_points),
            reward_pull: rules::reward_pull(t.reward_weight, reward, t.reward_half_yuan) as f32,
            crowd_out: rules::crowd_out_per_checkin(t.crowd_out_rate, t.payment_framing, reward, t.adequate_reward_yuan)
                as f32,
            crowd_in: (t.crowd_in_rate * t.recognition) as f32,
            redeem_chance: if platform.enabled { platform.online_redeem_chance } else { t.redeem_chance } as f32,
            value_gain: t.value_gain as f32,
            value_loss: t.value_loss as f32,
            idle_decay: t.idle_decay as f32,
            expiry_days: t.expiry_days as i32,
        }
    }
}

impl ProposalRules {
    fn from_scenario(s: &Params) -> ProposalRules {
        let f = &s.policy.proposal_fund;
        let platform = &s.policy.platform;
        let discount = if platform.enabled { platform.effort_discount } else { 0.0 };
        ProposalRules {
            intercept: (f.propose_offset - f.proposal_effort * (1.0 - discount)) as f32,
            trust_weight: f.trust_weight as f32,
            attachment_weight: f.attachment_weight as f32,
        }
    }
}
