//! Integration workshops for newcomers (新居民融入): a monthly activity that raises attachment and awareness.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Integration workshops for newcomers (新居民融入).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Integration {
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

impl Default for Integration {
    fn default() -> Integration {
        Integration {
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
