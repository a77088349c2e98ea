//! Participant identity: a lasting inclination of one's own, and a role identity that builds with each act and fades slowly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ZEROS;
use crate::model::behaviour::rules;
use crate::model::core::check::Check;
use crate::model::core::types::{PerResident, ResidentId};

/// Participant identity (docs/MODEL.md §7.22): persistent differences between residents in how
/// inclined they are, and an identity as "someone who takes part" that repetition builds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityParams {
    /// Turns the mechanism on.
    pub enabled: bool,
    /// Standard deviation (logit) of a resident's own lasting inclination to take part, drawn
    /// once on moving in (a disposition: Penner 2002).
    pub disposition_spread: f64,
    /// Logit weight of the participant identity (the identity itself is 0-1).
    pub weight: f64,
    /// Identity gained on a day of taking part, as a share of the gap to 1.
    pub gain: f64,
    /// Share of the identity lost each day.
    pub decay: f64,
}

impl Default for IdentityParams {
    fn default() -> IdentityParams {
        IdentityParams { enabled: true, disposition_spread: 1.0, weight: 2.0, gain: 0.15, decay: 0.002 }
    }
}

impl IdentityParams {
    /// The ranges of the keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.real_range(&format!("{at}.disposition_spread"), self.disposition_spread, 0.0, 10.0);
        check.real_range(&format!("{at}.weight"), self.weight, -50.0, 50.0);
        check.share(&format!("{at}.gain"), self.gain);
        check.share(&format!("{at}.decay"), self.decay);
    }
}

/// Every resident's disposition and identity.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    on: bool,
    spread: f32,
    weight: f32,
    gain: f32,
    keep: f32,
    /// A resident's own lasting logit inclination, drawn on moving in.
    disposition: PerResident<f32>,
    /// Participant identity, 0-1.
    stock: PerResident<f32>,
}

impl Identity {
    pub fn new(params: &IdentityParams, n: usize) -> Identity {
        let on = params.enabled;
        let size = if on { n } else { 0 };
        Identity {
            on,
            spread: params.disposition_spread as f32,
            weight: params.weight as f32,
            gain: params.gain as f32,
            keep: 1.0 - params.decay as f32,
            disposition: PerResident::filled(0.0, size),
            stock: PerResident::filled(0.0, size),
        }
    }

    /// A newcomer: their own disposition from the standard normal draw `z`, and no identity yet.
    pub fn on_move_in(&mut self, i: ResidentId, z: f32) {
        if self.on {
            self.disposition[i] = self.spread * z;
            self.stock[i] = 0.0;
        }
    }

    /// The logit term: d_i + w_I I_i.
    #[inline]
    pub fn utility(&self, i: ResidentId) -> f32 {
        if self.on { Identity::term(self.weight, self.disposition[i], self.stock[i]) } else { 0.0 }
    }

    /// The weight and the dispositions and identities of residents `first..first + n`
    /// (0 and zeros with the motive off), for [`super::MotiveBlock`].
    pub fn block(&self, first: usize, n: usize) -> (f32, &[f32], &[f32]) {
        if !self.on {
            return (0.0, &ZEROS[..n], &ZEROS[..n]);
        }
        let range = first..first + n;
        (self.weight, &self.disposition.0[range.clone()], &self.stock.0[range])
    }

    /// The logit term of a resident of disposition `disposition` and identity `stock`.
    #[inline(always)]
    pub fn term(weight: f32, disposition: f32, stock: f32) -> f32 {
        disposition + weight * stock
    }

    /// Taking part builds the identity.
    pub fn on_take_part(&mut self, i: ResidentId) {
        if self.on {
            self.stock[i] = rules::gain(self.stock[i], self.gain);
        }
    }

    /// The share of the identity kept each day (it fades a little).
    pub fn keep(&self) -> f32 {
        self.keep
    }

    /// Every resident's identity (empty with the mechanism off), for the end-of-day pass.
    pub fn stocks_mut(&mut self) -> &mut [f32] {
        &mut self.stock
    }

    /// One day's fading of `stocks` (a chunk of [`Identity::stocks_mut`]).
    pub fn fade(keep: f32, stocks: &mut [f32]) {
        stocks.iter_mut().for_each(|x| *x *= keep);
    }

    /// A resident's own lasting inclination (0 with the mechanism off).
    pub fn disposition(&self, i: ResidentId) -> f32 {
        if self.on { self.disposition[i] } else { 0.0 }
    }

    /// A resident's identity (0 with the mechanism off).
    pub fn stock(&self, i: ResidentId) -> f32 {
        if self.on { self.stock[i] } else { 0.0 }
    }

    pub fn heap_bytes(&self) -> usize {
        (self.disposition.len() + self.stock.len()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_builds_with_acts_fades_and_adds_to_the_disposition() {
        let mut id = Identity::new(&IdentityParams::default(), 2);
        let (a, b) = (ResidentId::new(0), ResidentId::new(1));
        id.on_move_in(a, 1.0);
        id.on_move_in(b, 0.0);
        assert_eq!(id.utility(a), 1.0);
        id.on_take_part(b);
        assert!((id.utility(b) - 2.0 * 0.15).abs() < 1e-6);
        Identity::fade(id.keep(), id.stocks_mut());
        assert!(id.stock(b) < 0.15 && id.stock(b) > 0.149);
        let off = Identity::new(&IdentityParams { enabled: false, ..IdentityParams::default() }, 2);
        assert_eq!(off.utility(a), 0.0);
    }
}
