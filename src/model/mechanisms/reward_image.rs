//! Image motivation: a small reward framed as pay makes volunteering look like work for money, and lowers it at once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Mechanism;
use crate::model::behaviour::rules;
use crate::model::core::check::Check;
use crate::model::core::day::{Activity, Today, VOLUNTEER};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;

/// Image motivation (Bénabou & Tirole 2006; Ariely, Bracha & Meier 2009): people volunteer partly
/// to be seen as good, and a reward that is visibly pay dilutes that signal, so a small paid
/// reward can lower volunteering below no reward ("pay enough or don't pay at all": Gneezy &
/// Rustichini 2000). Acts on the volunteer offset of everyone from the day the time bank starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ImageParams {
    /// Turns the mechanism on (it acts only with the time bank on and a reward above zero).
    pub enabled: bool,
    /// Logit cost of volunteering for a negligible reward at full payment framing; it falls
    /// linearly to 0 at `policy.time_bank.adequate_reward_yuan`.
    pub cost: f64,
}

impl Default for ImageParams {
    fn default() -> ImageParams {
        ImageParams { enabled: true, cost: 1.0 }
    }
}

impl ImageParams {
    /// The ranges of the keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.real_range(&format!("{at}.cost"), self.cost, -50.0, 50.0);
    }
}

/// The logit cost on volunteering, fixed by the scenario.
pub struct RewardImage {
    cost: f32,
}

impl RewardImage {
    /// c_img x framing x max(0, 1 - R / R_adequate) with the time bank on and R > 0, else 0.
    pub fn cost(params: &Params) -> f64 {
        let (image, t) = (&params.behaviour.image, &params.policy.time_bank);
        if !image.enabled || !t.enabled {
            return 0.0;
        }
        let reward = rules::reward_yuan(t.points_per_checkin, t.item_cost_points, t.item_value_yuan);
        rules::crowd_out_per_checkin(image.cost, t.payment_framing, reward, t.adequate_reward_yuan)
    }
}

impl Mechanism for RewardImage {
    type Counters = ();
    type Wishes = ();

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, _core: &Core) -> RewardImage {
        RewardImage { cost: RewardImage::cost(params) as f32 }
    }

    #[inline]
    fn activity_offset(&self, _core: &Core, _i: ResidentId, activity: Activity, today: &Today) -> f32 {
        self.most_activity_offset(activity, today)
    }

    /// The same for every resident.
    fn most_activity_offset(&self, activity: Activity, _today: &Today) -> f32 {
        if activity == VOLUNTEER { -self.cost } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_at(points: u32) -> f64 {
        let mut params = Params::default();
        params.policy.time_bank.enabled = true;
        params.policy.time_bank.points_per_checkin = points;
        RewardImage::cost(&params)
    }

    #[test]
    fn a_small_paid_reward_costs_most_and_none_or_an_adequate_one_nothing() {
        assert_eq!(cost_at(0), 0.0);
        assert!(cost_at(5) > cost_at(50));
        assert!(cost_at(50) > 0.0);
        assert_eq!(cost_at(500), 0.0);
        let mut off = Params::default();
        off.policy.time_bank.enabled = true;
        off.behaviour.image.enabled = false;
        assert_eq!(RewardImage::cost(&off), 0.0);
    }
}
