//! Identifiers and categories of the model: resident and household ids, cohorts, age bands.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A resident: the index of its slot in the structure-of-arrays population. A newcomer takes
/// the slot of the resident who moved out (their move-in days tell them apart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct ResidentId(pub u32);

impl ResidentId {
    #[inline]
    pub const fn new(index: usize) -> ResidentId {
        ResidentId(index as u32)
    }

    /// The resident's position in every per-resident array.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// One value per resident, indexed by [`ResidentId`] (or by position, in passes over chunks).
#[derive(Clone, Debug, PartialEq)]
pub struct PerResident<T>(pub Vec<T>);

impl<T> Default for PerResident<T> {
    fn default() -> PerResident<T> {
        PerResident(Vec::new())
    }
}

impl<T: Clone> PerResident<T> {
    /// `n` residents' values, all `value`.
    pub fn filled(value: T, n: usize) -> PerResident<T> {
        PerResident(vec![value; n])
    }
}

impl<T> std::ops::Deref for PerResident<T> {
    type Target = Vec<T>;
    #[inline]
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> std::ops::DerefMut for PerResident<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T> std::ops::Index<ResidentId> for PerResident<T> {
    type Output = T;
    #[inline]
    fn index(&self, id: ResidentId) -> &T {
        &self.0[id.index()]
    }
}

impl<T> std::ops::IndexMut<ResidentId> for PerResident<T> {
    #[inline]
    fn index_mut(&mut self, id: ResidentId) -> &mut T {
        &mut self.0[id.index()]
    }
}

impl<T> std::ops::Index<usize> for PerResident<T> {
    type Output = T;
    #[inline]
    fn index(&self, position: usize) -> &T {
        &self.0[position]
    }
}

impl<T> std::ops::IndexMut<usize> for PerResident<T> {
    #[inline]
    fn index_mut(&mut self, position: usize) -> &mut T {
        &mut self.0[position]
    }
}

/// Which third of the population a resident belongs to (三三制): original, new_family or transient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Cohort {
    Original = 0,
    NewFamily = 1,
    Transient = 2,
}

/// A resident's age band: child (under 18), young adult (18-34), adult (35-59), senior (60+).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
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

impl AgeBand {
    pub const ALL: [AgeBand; N_AGE_BANDS] = [AgeBand::Child, AgeBand::YoungAdult, AgeBand::Adult, AgeBand::Senior];

    /// The band's position in [`AgeBand::ALL`] (and in per-band arrays).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            AgeBand::Child => "child",
            AgeBand::YoungAdult => "young_adult",
            AgeBand::Adult => "adult",
            AgeBand::Senior => "senior",
        }
    }

    /// Children attend events but do not volunteer, deliberate or complain.
    pub fn is_adult(self) -> bool {
        self != AgeBand::Child
    }
}

impl crate::engine::exact::Key for Cohort {
    #[inline(always)]
    fn byte(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohort_and_age_band_names_are_their_names_in_files() {
        for cohort in Cohort::ALL {
            assert_eq!(serde_json::to_value(cohort).unwrap(), cohort.name());
        }
        for band in AgeBand::ALL {
            assert_eq!(serde_json::to_value(band).unwrap(), band.name());
        }
    }
}
