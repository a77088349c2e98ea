//! The built community: compounds -> buildings -> stairwell units -> households, and micro-grids.
//!
//! Every level is spread evenly over the level above, and residents are numbered household by
//! household, so a stairwell unit and a building are contiguous ranges of resident ids.

use std::ops::Range;

use rand::RngExt;

use super::types::{Cohort, ResidentId};
use crate::engine::rng::StreamKey;
use crate::model::core::params::Params;
use crate::model::core::purposes;

/// The physical and administrative structure of a community.
#[derive(Clone, Debug)]
pub struct Structure {
    pub building_compound: Vec<u32>,
    pub stairwell_building: Vec<u32>,
    pub household_stairwell: Vec<u32>,
    pub household_grid: Vec<u32>,
    pub household_cohort: Vec<Cohort>,
    /// Resident ids of household h are `household_start[h]..household_start[h + 1]`.
    pub household_start: Vec<u32>,
}

impl Structure {
    /// Builds the structure of replicate `replicate` from the scenario's counts.
    pub fn build(params: &Params, replicate: u32) -> Structure {
        let c = &params.community;
        let key = StreamKey { seed: params.seed, replicate, day: 0, agent: u32::MAX, purpose: purposes::POPULATION };
        let mut rng = key.rng();
        let sizes = household_sizes(c.households, c.residents, &mut rng);
        let household_start = std::iter::once(0)
            .chain(sizes.iter().scan(0u32, |total, &size| {
                *total += size;
                Some(*total)
            }))
            .collect();
        Structure {
            building_compound: spread(c.buildings, c.compounds),
            stairwell_building: spread(c.stairwells, c.buildings),
            household_stairwell: spread(c.households, c.stairwells),
            household_grid: spread(c.households, c.micro_grids),
            household_cohort: household_cohorts(params, &mut rng),
            household_start,
        }
    }

    /// The household resident `i` lives in: residents are numbered household by household, so
    /// it is found in `household_start` (no per-resident array needed).
    #[inline]
    pub fn household_of(&self, i: ResidentId) -> usize {
        self.household_start.partition_point(|&start| start <= i.0) - 1
    }

    /// As [`Structure::household_of`], walking forward from household `from` when it is at or
    /// before `i`'s: a pass that asks in resident order walks the households once, where a
    /// search per resident misses the cache in a large community.
    #[inline]
    pub fn household_from(&self, i: ResidentId, from: usize) -> usize {
        let starts = &self.household_start;
        if starts.get(from).is_none_or(|&start| start > i.0) {
            return self.household_of(i);
        }
        let mut h = from;
        while starts.get(h + 1).is_some_and(|&next| next <= i.0) {
            h += 1;
        }
        h
    }

    /// Compounds (every compound has at least one building).
    pub fn n_compounds(&self) -> usize {
        self.building_compound.iter().max().map_or(0, |&c| c as usize + 1)
    }

    pub fn n_households(&self) -> usize {
        self.household_stairwell.len()
    }

    pub fn n_residents(&self) -> usize {
        *self.household_start.last().unwrap_or(&0) as usize
    }

    pub fn household_residents(&self, household: usize) -> Range<u32> {
        self.household_start[household]..self.household_start[household + 1]
    }

    /// The members of `household`.
    pub fn members(&self, household: usize) -> impl Iterator<Item = ResidentId> + use<> {
        self.household_residents(household).map(ResidentId)
    }

    /// The resident range of every unit of a level, given each household's unit.
    pub fn unit_ranges(&self, household_unit: &[u32], n_units: usize) -> Vec<Range<u32>> {
        let mut ranges = vec![Range { start: u32::MAX, end: 0 }; n_units]; // empty until the first household
        for (household, &unit) in household_unit.iter().enumerate() {
            let residents = self.household_residents(household);
            let range = &mut ranges[unit as usize];
            range.start = range.start.min(residents.start);
            range.end = range.end.max(residents.end);
        }
        ranges
    }

    /// Each household's building.
    pub fn household_building(&self) -> Vec<u32> {
        self.household_stairwell.iter().map(|&s| self.stairwell_building[s as usize]).collect()
    }
}

/// Assigns `n_items` in order to `n_groups` groups as evenly as possible (item i -> i*G/N).
fn spread(n_items: u32, n_groups: u32) -> Vec<u32> {
    (0..n_items as u64).map(|i| (i * n_groups as u64 / n_items as u64) as u32).collect()
}

/// One resident per household, the rest placed at random (a multinomial spread around the mean).
fn household_sizes(n_households: u32, n_residents: u32, rng: &mut impl RngExt) -> Vec<u32> {
    let mut sizes = vec![1u32; n_households as usize];
    for _ in n_households..n_residents {
        sizes[rng.random_range(0..n_households as usize)] += 1;
    }
    sizes
}

/// Exactly round(share x households) households per cohort, shuffled over the buildings.
fn household_cohorts(params: &Params, rng: &mut impl RngExt) -> Vec<Cohort> {
    let n = params.community.households as usize;
    let shares = params.cohorts.by_cohort().map(|c| c.share);
    let mut cohorts = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    for (cohort, share) in Cohort::ALL.into_iter().zip(shares) {
        cumulative += share;
        let until = ((cumulative * n as f64).round() as usize).min(n);
        cohorts.resize(until.max(cohorts.len()), cohort);
    }
    cohorts.resize(n, Cohort::Transient);
    for i in (1..n).rev() {
        cohorts.swap(i, rng.random_range(0..=i));
    }
    cohorts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn structure() -> Structure {
        Structure::build(&Params::default(), 0)
    }

    #[test]
    fn the_forward_walk_finds_the_household_from_any_start() {
        let s = structure();
        let n = s.n_residents() as u32;
        for i in (0..n).step_by(7).chain([0, n - 1]).map(ResidentId) {
            let h = s.household_of(i);
            // From its own household, from earlier ones, from later ones and from past the end.
            for from in [0, h.saturating_sub(1), h.saturating_sub(5), h, h + 1, h + 9, s.n_households() + 3] {
                assert_eq!(s.household_from(i, from), h, "{i:?} from household {from}");
            }
        }
    }

    #[test]
    fn every_resident_is_found_in_their_household() {
        let s = structure();
        for h in 0..s.n_households() {
            for i in s.household_residents(h) {
                assert_eq!(s.household_of(ResidentId(i)), h);
            }
        }
    }

    #[test]
    fn counts_match_the_scenario() {
        let s = structure();
        let c = Params::default().community;
        assert_eq!(s.n_households(), c.households as usize);
        assert_eq!(s.n_residents(), c.residents as usize);
        assert_eq!(s.stairwell_building.len(), c.stairwells as usize);
        assert_eq!(s.building_compound.len(), c.buildings as usize);
        assert!((0..s.n_households()).all(|h| !s.household_residents(h).is_empty()));
    }

    #[test]
    fn every_unit_of_every_level_is_used_and_ordered() {
        let s = structure();
        for (mapping, n_groups) in [
            (&s.building_compound, 4u32),
            (&s.stairwell_building, 101),
            (&s.household_stairwell, 328),
            (&s.household_grid, 34),
        ] {
            assert!(mapping.windows(2).all(|w| w[0] <= w[1]), "contiguous groups");
            assert_eq!(mapping.last().copied(), Some(n_groups - 1));
            let used: std::collections::BTreeSet<_> = mapping.iter().collect();
            assert_eq!(used.len(), n_groups as usize, "every group has members");
        }
    }

    #[test]
    fn cohort_counts_follow_shares() {
        let mut params = Params::default();
        params.cohorts.original.share = 0.5;
        params.cohorts.new_family.share = 0.3;
        params.cohorts.transient.share = 0.2;
        let s = Structure::build(&params, 0);
        let count = |c| s.household_cohort.iter().filter(|&&x| x == c).count();
        assert_eq!(count(Cohort::Original), 1673);
        assert_eq!(count(Cohort::NewFamily), 1004);
        assert_eq!(count(Cohort::Transient), 669);
        // Shuffled: the first hundred households are not all of one cohort.
        assert!(s.household_cohort[..100].iter().any(|&c| c != Cohort::Original));
    }

    #[test]
    fn stairwell_ranges_are_contiguous() {
        let s = structure();
        let ranges = s.unit_ranges(&s.household_stairwell, 328);
        assert_eq!(ranges[0].start, 0);
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(ranges[327].end as usize, s.n_residents());
    }
}
