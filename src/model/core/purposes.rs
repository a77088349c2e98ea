//! The random-stream purposes of the core model (mechanisms declare their own in their files);
//! the numbers are those of every earlier release, so every stream stays the same.

use crate::engine::rng::Purpose;

/// Building the community: structure, households, residents' initial state.
pub const POPULATION: Purpose = Purpose(1);
/// Building the initial social network.
pub const NETWORK: Purpose = Purpose(2);
/// A resident's daily decisions.
pub const DECIDE: Purpose = Purpose(3);
/// A household's move-out date.
pub const CHURN: Purpose = Purpose(4);
/// A complaint's handling by the committee.
pub const COMPLAINT: Purpose = Purpose(5);
/// Ties formed by taking part together.
pub const CO_PARTICIPATION: Purpose = Purpose(6);
/// Community-wide shocks of a day (pipe bursts).
pub const SHOCKS: Purpose = Purpose(7);
/// Fresh state of a newcomer household.
pub const NEWCOMER: Purpose = Purpose(8);
/// A resident's own disposition and threshold, drawn on moving in (the motives).
pub const MOTIVES: Purpose = Purpose(19);

/// The core's purposes, for the test that every purpose in the model is distinct.
pub const ALL: [Purpose; 9] =
    [POPULATION, NETWORK, DECIDE, CHURN, COMPLAINT, CO_PARTICIPATION, SHOCKS, NEWCOMER, MOTIVES];
