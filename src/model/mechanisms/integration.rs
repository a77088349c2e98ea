//! Integration workshops for newcomers (新居民融入): a monthly activity that raises attachment and awareness.

use chrono::Datelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ctx, Mechanism};
use crate::model::behaviour::decide::{Decisions, Draws};
use crate::model::behaviour::rules;
use crate::model::core::check::{Check, LAST_DAY_IN_EVERY_MONTH};
use crate::model::core::day::{Activity, FIRST_MECHANISM_ACTIVITY, Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;

/// Integration workshops for newcomers (新居民融入).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrationParams {
    /// Turns the workshops on.
    pub enabled: bool,
    /// Day of the month of the workshop (1-28).
    pub day: u32,
    /// Residents who moved in within this many days are invited.
    pub newcomer_days: u32,
    /// Places per workshop.
    pub capacity: u32,
    /// Logit offset of attending.
    pub appeal: f64,
    /// Attachment gained by an attendee, as a share of the gap to 1.
    pub attachment_gain: f64,
    /// Awareness gained by an attendee, as a share of the gap to 1.
    pub awareness_gain: f64,
}

impl Default for IntegrationParams {
    fn default() -> IntegrationParams {
        IntegrationParams {
            enabled: false,
            day: 25,
            newcomer_days: 365,
            capacity: 40,
            appeal: 0.5,
            attachment_gain: 0.15,
            awareness_gain: 0.3,
        }
    }
}

impl IntegrationParams {
    /// The ranges of the workshops' keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.int_range(&format!("{at}.newcomer_days"), self.newcomer_days.into(), 1, 36_500);
        check.int_range(&format!("{at}.day"), self.day.into(), 1, LAST_DAY_IN_EVERY_MONTH);
        check.int_range(&format!("{at}.capacity"), self.capacity.into(), 1, u32::MAX.into());
        check.real_range(&format!("{at}.appeal"), self.appeal, -50.0, 50.0);
        check.share(&format!("{at}.attachment_gain"), self.attachment_gain);
        check.share(&format!("{at}.awareness_gain"), self.awareness_gain);
    }
}

/// The workshop's activity code.
pub const WORKSHOP: Activity = FIRST_MECHANISM_ACTIVITY;

/// Integration workshops: on the workshop day each month, newcomers (moved in within
/// `newcomer_days`) may attend; attending raises attachment and awareness.
pub struct Integration {
    params: IntegrationParams,
}

impl Mechanism for Integration {
    type Counters = ();
    type Wishes = ();

    fn build(params: &Params, _core: &Core) -> Integration {
        Integration { params: params.policy.integration.clone() }
    }

    /// The workshop's draw is the first after the resident's fixed draws.
    #[inline]
    fn offer(
        &self,
        core: &Core,
        i: ResidentId,
        today: &Today,
        draws: &Draws,
        apply: &mut impl FnMut(Activity, f32, u64, f32),
    ) {
        let p = &self.params;
        if p.enabled && today.date.day() == p.day && today.day - core.residents.move_in_day[i] < p.newcomer_days as i32
        {
            apply(WORKSHOP, p.appeal as f32, draws.spare(0), 0.0);
        }
    }

    fn capacity(&self, activity: Activity) -> Option<u32> {
        (activity == WORKSHOP).then_some(self.params.capacity)
    }

    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], granted: &Granted) {
        let r = &mut ctx.core.residents;
        for &i in granted.of(WORKSHOP) {
            r.attachment[i] = rules::gain(r.attachment[i], self.params.attachment_gain as f32);
            r.awareness[i] = rules::gain(r.awareness[i], self.params.awareness_gain as f32);
        }
    }
}
