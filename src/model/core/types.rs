//! Identifiers and categories of the model: resident and household ids, cohorts, age bands.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Index of a resident in the structure-of-arrays population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResidentId(pub u32);

/// Index of a household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HouseholdId(pub u32);

/// Which third of the population a resident belongs to (三三制).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Cohort {
    Original = 0,
    NewFamily = 1,
    Transient = 2,
}

/// Age band of a resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum AgeBand {
    Child = 0,
    YoungAdult = 1,
    Adult = 2,
    Senior = 3,
}

pub const N_COHORTS: usize = 3;

/// Number of age bands.
pub const N_AGE_BANDS: usize = 4;

impl Cohort {
    pub const ALL: [Cohort; N_COHORTS] = [Cohort::Original, Cohort::NewFamily, Cohort::Transient];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Cohort::Original => "original",
            Cohort::NewFamily => "new_family",
            Cohort::Transient => "transient",
        }
    }
}

impl From<CohortName> for Cohort {
    fn from(name: CohortName) -> Cohort {
        match name {
            CohortName::Original => Cohort::Original,
            CohortName::NewFamily => Cohort::NewFamily,
            CohortName::Transient => Cohort::Transient,
        }
    }
}

impl AgeBand {
    pub const ALL: [AgeBand; N_AGE_BANDS] = [AgeBand::Child, AgeBand::YoungAdult, AgeBand::Adult, AgeBand::Senior];

    /// Children attend events but do not volunteer, deliberate or complain.
    pub fn is_adult(self) -> bool {
        self != AgeBand::Child
    }
}

impl From<AgeBandName> for AgeBand {
    fn from(name: AgeBandName) -> AgeBand {
        match name {
            AgeBandName::Child => AgeBand::Child,
            AgeBandName::YoungAdult => AgeBand::YoungAdult,
            AgeBandName::Adult => AgeBand::Adult,
            AgeBandName::Senior => AgeBand::Senior,
        }
    }
}

/// A cohort's name in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CohortName {
    Original,
    NewFamily,
    Transient,
}

/// An age band's name in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeBandName {
    Child,
    YoungAdult,
    Adult,
    Senior,
}

impl CohortName {
    pub const ALL: [CohortName; 3] = [CohortName::Original, CohortName::NewFamily, CohortName::Transient];
}
