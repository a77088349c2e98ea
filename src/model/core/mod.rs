//! The core community: parameters, structure, residents, social network, events, complaints
//! and the counters a day records.

pub mod acts;
pub mod check;
pub mod compiled;
pub mod complaints;
pub mod counters;
pub mod date;
pub mod day;
pub mod events;
pub mod network;
pub mod params;
pub mod population;
pub mod purposes;
pub mod state;
pub mod structure;
pub mod types;
