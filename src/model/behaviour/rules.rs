//! The model's rules as small pure functions: one per equation in docs/MODEL.md.

use crate::model::core::params::Behaviour;

/// The logistic function.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Logit weights of the participation utility (docs/MODEL.md §7.5).
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    pub habit: f32,
    pub social: f32,
    pub trust: f32,
    pub attachment: f32,
    pub intrinsic: f32,
}

/// The state of one resident that enters the participation utility.
#[derive(Clone, Copy, Debug)]
pub struct Disposition {
    pub propensity: f32,
    pub habit: f32,
    /// Share of ties active within the window.
    pub social: f32,
    pub trust: f32,
    pub attachment: f32,
    pub intrinsic: f32,
}

/// U = b_cohort + w_h h + w_s s + w_t (trust - 0.5) + w_a (attachment - 0.5) + w_m (intrinsic - 0.5).
#[inline]
pub fn utility(w: &Weights, d: &Disposition) -> f32 {
    d.propensity
        + w.habit * d.habit
        + w.social * d.social
        + w.trust * (d.trust - 0.5)
        + w.attachment * (d.attachment - 0.5)
        + w.intrinsic * (d.intrinsic - 0.5)
}

/// `value` if `condition`, else 0.0: the bits of the `if`, without a branch to mispredict.
#[inline(always)]
pub fn value_if(condition: bool, value: f32) -> f32 {
    f32::from_bits(value.to_bits() & u32::from(condition).wrapping_neg())
}

/// How well a resident of awareness `awareness` knows of an activity every invited resident
/// knows of at least as well as `publicity`.
#[inline(always)]
pub fn known(publicity: f32, awareness: f32) -> f32 {
    publicity.max(awareness)
}

/// P(take part) = awareness x free time x sigmoid(U + activity offset).
#[inline]
pub fn take_part_probability(awareness: f32, free_time: f32, utility: f32, offset: f32) -> f32 {
    awareness * free_time * sigmoid(utility + offset)
}

/// Logit weights of voicing a need as a complaint.
#[derive(Clone, Copy, Debug)]
pub struct VoiceWeights {
    pub trust: f32,
    pub attachment: f32,
    pub awareness: f32,
}

/// P(complain | need) = sigmoid(v_cohort + v_t (trust - 0.5) + v_a (attachment - 0.5) + v_w (awareness - 0.5)).
#[inline]
pub fn voice_probability(w: &VoiceWeights, cohort_voice: f32, trust: f32, attachment: f32, awareness: f32) -> f32 {
    sigmoid(
        cohort_voice + w.trust * (trust - 0.5) + w.attachment * (attachment - 0.5) + w.awareness * (awareness - 0.5),
    )
}

/// Moves `x` towards 1 by `rate` of the gap.
#[inline]
pub fn gain(x: f32, rate: f32) -> f32 {
    x + rate * (1.0 - x)
}

/// Daily rates of the slow dynamics (docs/MODEL.md §7.13).
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub habit_gain: f32,
    pub habit_decay: f32,
    pub attachment_relaxation: f32,
    pub attachment_ties: f32,
    pub attachment_participation: f32,
    pub awareness_social: f32,
    pub awareness_participation: f32,
    pub awareness_relaxation: f32,
    pub trust_resolved_gain: f32,
    pub trust_unresolved_loss: f32,
}

impl Rates {
    pub fn from_behaviour(b: &Behaviour) -> Rates {
        Rates {
            habit_gain: b.habit_gain as f32,
            habit_decay: b.habit_decay as f32,
            attachment_relaxation: b.attachment_relaxation as f32,
            attachment_ties: b.attachment_ties_rate as f32,
            attachment_participation: b.attachment_participation_gain as f32,
            awareness_social: b.awareness_social_gain as f32,
            awareness_participation: b.awareness_participation_gain as f32,
            awareness_relaxation: b.awareness_relaxation as f32,
            trust_resolved_gain: b.trust_resolved_gain as f32,
            trust_unresolved_loss: b.trust_unresolved_loss as f32,
        }
    }

    /// h <- h (1 - decay), every day.
    #[inline]
    pub fn habit_decay(&self, habit: f32) -> f32 {
        habit * (1.0 - self.habit_decay)
    }

    /// a <- a + relax (baseline - a) + r_ties * degree share * (1 - a), every day.
    #[inline]
    pub fn attachment_drift(&self, attachment: f32, baseline: f32, degree_share: f32) -> f32 {
        attachment
            + self.attachment_relaxation * (baseline - attachment)
            + self.attachment_ties * degree_share * (1.0 - attachment)
    }

    /// w <- w + g_social * s (1 - w) + relax * (baseline - w), every day.
    #[inline]
    pub fn awareness_drift(&self, awareness: f32, baseline: f32, active_share: f32) -> f32 {
        awareness
            + self.awareness_social * active_share * (1.0 - awareness)
            + self.awareness_relaxation * (baseline - awareness)
    }

    /// Trust after one's complaint is resolved (rises) or stalls (falls).
    #[inline]
    pub fn trust_after_complaint(&self, trust: f32, resolved: bool) -> f32 {
        if resolved { gain(trust, self.trust_resolved_gain) } else { trust * (1.0 - self.trust_unresolved_loss) }
    }
}

/// A level that relaxes at `rate` per day from `start_factor * level` towards `level`, after
/// `days` days: level - (1 - start_factor) level e^(-rate days). Initial residents' attachment
/// and awareness are set to this for their tenure.
pub fn settled_level(level: f64, start_factor: f64, rate: f64, days: f64) -> f64 {
    level - (1.0 - start_factor) * level * (-rate * days).exp()
}

/// The yuan value of one check-in's points: points x item value / item cost.
pub fn reward_yuan(points_per_checkin: u32, item_cost_points: u32, item_value_yuan: f64) -> f64 {
    points_per_checkin as f64 * item_value_yuan / item_cost_points.max(1) as f64
}

/// Logit pull of a reward of `reward` yuan at full perceived value: w R / (R + R_half),
/// saturating so that doubling a large reward adds little.
pub fn reward_pull(weight: f64, reward: f64, half: f64) -> f64 {
    if reward <= 0.0 { 0.0 } else { weight * reward / (reward + half) }
}

/// Share of intrinsic motivation one paid check-in removes: c x framing x max(0, 1 - R / R_adequate).
/// Small, salient, payment-framed rewards crowd out most (Frey and Jegen 2001; Gneezy and
/// Rustichini 2000); no reward, or an adequate one, does not.
pub fn crowd_out_per_checkin(rate: f64, framing: f64, reward: f64, adequate: f64) -> f64 {
    if reward <= 0.0 { 0.0 } else { rate * framing * (1.0 - reward / adequate).max(0.0) }
}

/// Logit of proposing rather than complaining: b + w_t (trust - 0.5) + w_a (attachment - 0.5).
#[inline]
pub fn propose_logit(intercept: f32, trust_weight: f32, attachment_weight: f32, trust: f32, attachment: f32) -> f32 {
    intercept + trust_weight * (trust - 0.5) + attachment_weight * (attachment - 0.5)
}

/// Daily hazard from a yearly rate: 1 - (1 - rate)^(1/365).
pub fn daily_hazard(yearly_rate: f64) -> f64 {
    if yearly_rate >= 1.0 { 1.0 } else { 1.0 - (1.0 - yearly_rate).powf(1.0 / 365.0) }
}

/// Days until a geometric event with daily hazard `hazard`, given a uniform draw in (0, 1].
pub fn geometric_days(hazard: f64, uniform: f64) -> u32 {
    if hazard <= 0.0 {
        return u32::MAX;
    }
    if hazard >= 1.0 {
        return 1;
    }
    let days = (uniform.ln() / (1.0 - hazard).ln()).floor() + 1.0;
    days.min(u32::MAX as f64 - 1.0) as u32
}

impl Weights {
    pub fn from_behaviour(b: &Behaviour) -> Weights {
        Weights {
            habit: b.habit_weight as f32,
            social: b.social_weight as f32,
            trust: b.trust_weight as f32,
            attachment: b.attachment_weight as f32,
            intrinsic: b.intrinsic_weight as f32,
        }
    }
}

impl VoiceWeights {
    pub fn from_behaviour(b: &Behaviour) -> VoiceWeights {
        VoiceWeights {
            trust: b.voice_trust_weight as f32,
            attachment: b.voice_attachment_weight as f32,
            awareness: b.voice_awareness_weight as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_if_gives_the_bits_of_the_if() {
        for value in [1.5f32, -2.25, 0.0, -0.0, f32::MIN_POSITIVE] {
            for condition in [true, false] {
                let expected = if condition { value } else { 0.0 };
                assert_eq!(value_if(condition, value).to_bits(), expected.to_bits(), "{condition} {value}");
            }
        }
    }

    fn rates() -> Rates {
        Rates::from_behaviour(&Behaviour::default())
    }

    fn neutral() -> Disposition {
        Disposition { propensity: 0.0, habit: 0.0, social: 0.0, trust: 0.5, attachment: 0.5, intrinsic: 0.5 }
    }

    #[test]
    fn utility_rises_with_each_driver() {
        let w = Weights::from_behaviour(&Behaviour::default());
        let base = utility(&w, &neutral());
        assert_eq!(base, 0.0);
        for change in [
            Disposition { habit: 0.5, ..neutral() },
            Disposition { social: 0.5, ..neutral() },
            Disposition { trust: 0.9, ..neutral() },
            Disposition { attachment: 0.9, ..neutral() },
            Disposition { intrinsic: 0.9, ..neutral() },
            Disposition { propensity: 1.0, ..neutral() },
        ] {
            assert!(utility(&w, &change) > base, "{change:?}");
        }
    }

    #[test]
    fn probability_is_gated_by_awareness_and_free_time() {
        assert_eq!(take_part_probability(0.0, 1.0, 5.0, 0.0), 0.0);
        assert_eq!(take_part_probability(1.0, 0.0, 5.0, 0.0), 0.0);
        let p = take_part_probability(0.5, 0.5, 0.0, 0.0);
        assert!((p - 0.125).abs() < 1e-6);
    }

    #[test]
    fn voice_rises_with_trust() {
        let w = VoiceWeights::from_behaviour(&Behaviour::default());
        assert!(voice_probability(&w, 0.0, 0.9, 0.5, 0.5) > voice_probability(&w, 0.0, 0.1, 0.5, 0.5));
    }

    #[test]
    fn habit_decays_without_practice() {
        let r = rates();
        let mut h = gain(0.0, r.habit_gain);
        assert!((h - 0.25).abs() < 1e-6);
        for _ in 0..70 {
            h = r.habit_decay(h);
        }
        assert!(h < 0.25 * 0.5, "half-life under 70 days at 1%/day: {h}");
    }

    #[test]
    fn attachment_converges_to_its_equilibrium() {
        let r = rates();
        let mut a = 0.1f32;
        for _ in 0..20_000 {
            a = r.attachment_drift(a, 0.4, 0.5);
        }
        let ties = r.attachment_ties * 0.5;
        let equilibrium = (r.attachment_relaxation * 0.4 + ties) / (r.attachment_relaxation + ties);
        assert!((a - equilibrium).abs() < 1e-3, "{a} vs {equilibrium}");
        assert!(r.attachment_drift(0.4, 0.4, 1.0) > r.attachment_drift(0.4, 0.4, 0.0), "ties raise attachment");
    }

    #[test]
    fn settled_level_after_a_tenure() {
        assert!((settled_level(0.6, 0.5, 0.01, 0.0) - 0.3).abs() < 1e-6, "a newcomer starts at the factor");
        assert!((settled_level(0.6, 0.5, 0.01, 10_000.0) - 0.6).abs() < 1e-6, "long tenure reaches the level");
    }

    #[test]
    fn awareness_grows_with_active_ties() {
        let r = rates();
        assert!(r.awareness_drift(0.3, 0.3, 1.0) > r.awareness_drift(0.3, 0.3, 0.0));
        let mut w = 0.1;
        for _ in 0..10_000 {
            w = r.awareness_drift(w, 0.4, 0.0);
        }
        assert!((w - 0.4).abs() < 1e-3, "relaxes to the cohort baseline: {w}");
    }

    #[test]
    fn trust_moves_with_complaint_outcomes() {
        let r = rates();
        assert!(r.trust_after_complaint(0.5, true) > 0.5);
        assert!(r.trust_after_complaint(0.5, false) < 0.5);
    }

    #[test]
    fn rewards_pull_with_diminishing_returns_and_small_ones_crowd_out() {
        assert_eq!(reward_yuan(50, 500, 20.0), 2.0);
        assert_eq!(reward_pull(1.5, 0.0, 2.0), 0.0);
        assert!((reward_pull(1.5, 2.0, 2.0) - 0.75).abs() < 1e-12);
        assert!(reward_pull(1.5, 40.0, 2.0) < 1.5);
        assert_eq!(crowd_out_per_checkin(0.01, 1.0, 0.0, 10.0), 0.0, "no reward, no crowding out");
        assert_eq!(crowd_out_per_checkin(0.01, 1.0, 20.0, 10.0), 0.0, "an adequate reward does not crowd out");
        assert!(crowd_out_per_checkin(0.01, 1.0, 1.0, 10.0) > crowd_out_per_checkin(0.01, 1.0, 5.0, 10.0));
        assert_eq!(crowd_out_per_checkin(0.01, 0.0, 1.0, 10.0), 0.0, "framed as thanks");
    }

    #[test]
    fn trust_makes_proposals_more_likely() {
        assert!(propose_logit(-1.0, 3.0, 2.0, 0.9, 0.5) > propose_logit(-1.0, 3.0, 2.0, 0.3, 0.5));
    }

    #[test]
    fn hazards_and_waiting_times() {
        assert!((daily_hazard(0.5) - 0.001897).abs() < 1e-5);
        assert_eq!(daily_hazard(1.0), 1.0);
        assert_eq!(geometric_days(0.0, 0.3), u32::MAX);
        assert_eq!(geometric_days(1.0, 0.3), 1);
        // Median of a geometric waiting time with hazard h is about ln 2 / h.
        let h = daily_hazard(0.5);
        let median = geometric_days(h, 0.5) as f64;
        assert!((median - 0.5f64.ln() / (1.0 - h).ln()).abs() <= 1.0);
    }
}
