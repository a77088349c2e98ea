//! Mechanisms: the policies and the local economy, each with its own parameters, state and
//! counters, acting on the day's phases.

pub mod integration;
pub mod merchants;
pub mod outreach;
pub mod platform;
pub mod proposal_fund;
pub mod time_bank;
pub mod transient_seat;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use integration::Integration;
use outreach::{GridWorkers, Riders};
use platform::Platform;
use proposal_fund::ProposalFund;
use time_bank::TimeBank;
use transient_seat::TransientSeat;

/// Incentive policies and outreach; each is off unless the scenario turns it on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub time_bank: TimeBank,
    pub proposal_fund: ProposalFund,
    pub platform: Platform,
    pub grid_workers: GridWorkers,
    pub riders: Riders,
    pub integration: Integration,
    pub transient_seat: TransientSeat,
}
