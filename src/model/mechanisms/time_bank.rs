//! The time bank (时间银行): volunteer check-ins earn points that merchants and the committee redeem.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Time bank (时间银行): volunteer check-ins earn points, redeemed for donated goods and services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeBank {
    /// Turns the time bank on.
    pub enabled: bool,
    /// Points paid per volunteer check-in.
    pub points_per_checkin: u32,
    /// Points one catalogue item (a coupon, a haircut, a repair) costs.
    pub item_cost_points: u32,
    /// Value of one catalogue item in yuan, to the resident and to its donor.
    pub item_value_yuan: f64,
    /// Days without earning after which a balance expires (0 = never).
    pub expiry_days: u32,
    /// Daily chance that a resident holding enough points for an item tries to redeem in person.
    pub redeem_chance: f64,
    /// Items the committee's own shop (种子便利店) adds to the catalogue each month.
    pub shop_items_per_month: u32,
    /// Logit weight on volunteering of the reward, valued at perceived worth (0-1 scale).
    pub reward_weight: f64,
    /// Reward (yuan per check-in) at which its pull is half its maximum.
    pub reward_half_yuan: f64,
    /// Perceived point value of a resident who has never redeemed (0-1).
    pub initial_value: f64,
    /// Perceived value gained on a successful redemption, as a share of the gap to 1.
    pub value_gain: f64,
    /// Share of perceived value lost on a failed redemption (nothing left in the catalogue).
    pub value_loss: f64,
    /// Share of perceived value lost on each day a resident holds enough points for an item.
    pub idle_decay: f64,
    /// How much the points are framed as pay (1) rather than as thanks (0).
    pub payment_framing: f64,
    /// Share of intrinsic motivation lost per paid check-in, at full framing and a negligible reward.
    pub crowd_out_rate: f64,
    /// Reward (yuan per check-in) at or above which payment no longer crowds out.
    pub adequate_reward_yuan: f64,
    /// Strength of public recognition of volunteers (0-1), which crowds motivation in.
    pub recognition: f64,
    /// Intrinsic motivation gained per recognised check-in at full recognition, as a share of the gap to 1.
    pub crowd_in_rate: f64,
}

impl Default for TimeBank {
    fn default() -> TimeBank {
        TimeBank {
            enabled: false,
            points_per_checkin: 50,
            item_cost_points: 300,
            item_value_yuan: 15.0,
            expiry_days: 365,
            redeem_chance: 0.05,
            shop_items_per_month: 0,
            reward_weight: 1.5,
            reward_half_yuan: 2.0,
            initial_value: 0.8,
            value_gain: 0.2,
            value_loss: 0.25,
            idle_decay: 0.005,
            payment_framing: 0.5,
            crowd_out_rate: 0.01,
            adequate_reward_yuan: 10.0,
            recognition: 0.0,
            crowd_in_rate: 0.01,
        }
    }
}
