//! The `[policy]`, `[merchants]` and `[costs]` tables: the mechanisms' parameters (defined with
//! each mechanism in `model::mechanisms`) and the programmes' fixed yearly costs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::model::mechanisms::Policy;
pub use crate::model::mechanisms::integration::IntegrationParams as Integration;
pub use crate::model::mechanisms::merchants::{MerchantParams as Merchants, Sectors};
pub use crate::model::mechanisms::outreach::{GridWorkers, Riders};
pub use crate::model::mechanisms::platform::PlatformParams as Platform;
pub use crate::model::mechanisms::proposal_fund::{BudgetPeriod, FundParams as ProposalFund};
pub use crate::model::mechanisms::seeding::SeedingParams as Seeding;
pub use crate::model::mechanisms::time_bank::TimeBankParams as TimeBank;
pub use crate::model::mechanisms::transient_seat::TransientSeatParams as TransientSeat;

/// Fixed yearly costs of running each programme (staff, printing, the mini-program), charged
/// while the programme is on; comparisons add redeemed points and fund spending to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    /// Running the time bank (registration, check-in scanning, the seed shop), yuan per year.
    pub time_bank_yuan_per_year: f64,
    /// Running the proposal fund (review, publicity of results), yuan per year, besides the fund itself.
    pub proposal_fund_yuan_per_year: f64,
    /// The digital platform (mini-program), yuan per year.
    pub platform_yuan_per_year: f64,
    /// Grid-worker outreach beyond their regular duties, yuan per year.
    pub grid_workers_yuan_per_year: f64,
    /// Rider liaisons (small thank-you payments), yuan per year.
    pub riders_yuan_per_year: f64,
    /// Integration workshops, yuan per year.
    pub integration_yuan_per_year: f64,
}

impl Default for Costs {
    fn default() -> Costs {
        Costs {
            time_bank_yuan_per_year: 20_000.0,
            proposal_fund_yuan_per_year: 10_000.0,
            platform_yuan_per_year: 30_000.0,
            grid_workers_yuan_per_year: 20_000.0,
            riders_yuan_per_year: 12_000.0,
            integration_yuan_per_year: 8_000.0,
        }
    }
}

impl Costs {
    /// Fixed cost per year of the programmes `policy` turns on.
    pub fn fixed_per_year(&self, policy: &Policy) -> f64 {
        [
            (policy.time_bank.enabled, self.time_bank_yuan_per_year),
            (policy.proposal_fund.enabled, self.proposal_fund_yuan_per_year),
            (policy.platform.enabled, self.platform_yuan_per_year),
            (policy.grid_workers.enabled, self.grid_workers_yuan_per_year),
            (policy.riders.enabled, self.riders_yuan_per_year),
            (policy.integration.enabled, self.integration_yuan_per_year),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, cost)| cost)
        .sum()
    }
}
