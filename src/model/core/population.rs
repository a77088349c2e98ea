//! Residents as a structure of arrays, ordered household by household, and their fresh state.

use rand::{Rng, RngExt};

use super::network::Network;
use super::structure::Structure;
use super::types::{AgeBand, Cohort, PerResident, ResidentId};
use crate::engine::rng::unit_f32;
use crate::model::behaviour::rules;
use crate::model::core::params::{CohortParams, Params};

/// `last_active` of a resident who has never taken part.
pub const NEVER: i32 = i32::MIN / 2;

/// Every resident's state, one array per variable, indexed by [`ResidentId`].
#[derive(Clone, Debug, Default)]
pub struct Residents {
    pub cohort: PerResident<Cohort>,
    pub age: PerResident<AgeBand>,
    /// Day index of moving in (negative: before the run).
    pub move_in_day: PerResident<i32>,
    /// Free share of a weekday, in 1/255.
    pub weekday_free: PerResident<u8>,
    /// Free share of a weekend day, in 1/255.
    pub weekend_free: PerResident<u8>,
    pub attachment: PerResident<f32>,
    pub trust: PerResident<f32>,
    pub intrinsic: PerResident<f32>,
    pub habit: PerResident<f32>,
    pub awareness: PerResident<f32>,
    /// Day index of last taking part, or [`NEVER`].
    pub last_active: PerResident<i32>,
    /// Number of ties who are active (took part within the window).
    pub active_ties: PerResident<u16>,
}

impl Residents {
    /// Residents of the given structure, with placeholder traits to be set by [`Residents::set_fresh`].
    pub fn with_households(structure: &Structure) -> Residents {
        let n = structure.n_residents();
        let mut cohort = Vec::with_capacity(n);
        for h in 0..structure.n_households() {
            let members = structure.household_residents(h).len();
            cohort.extend(std::iter::repeat_n(structure.household_cohort[h], members));
        }
        Residents {
            cohort: PerResident(cohort),
            age: PerResident::filled(AgeBand::Adult, n),
            move_in_day: PerResident::filled(0, n),
            weekday_free: PerResident::filled(0, n),
            weekend_free: PerResident::filled(0, n),
            attachment: PerResident::filled(0.0, n),
            trust: PerResident::filled(0.0, n),
            intrinsic: PerResident::filled(0.0, n),
            habit: PerResident::filled(0.0, n),
            awareness: PerResident::filled(0.0, n),
            last_active: PerResident::filled(NEVER, n),
            active_ties: PerResident::filled(0, n),
        }
    }

    /// Every resident, in index order.
    pub fn ids(&self) -> impl Iterator<Item = ResidentId> + use<> {
        (0..self.len() as u32).map(ResidentId)
    }

    /// Every resident's free share of a weekday or of a weekend day, in 1/255.
    pub fn free_bytes(&self, is_weekend: bool) -> &[u8] {
        if is_weekend { &self.weekend_free } else { &self.weekday_free }
    }

    pub fn len(&self) -> usize {
        self.cohort.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cohort.is_empty()
    }

    /// Active on `day`: took part within the last `window` days, today included.
    #[inline]
    pub fn is_active(&self, resident: ResidentId, day: i32, window: i32) -> bool {
        day - self.last_active[resident] < window
    }

    /// Heap bytes held by the resident arrays, in field order.
    pub fn heap_bytes(&self) -> usize {
        let n = self.cohort.capacity();
        n * (1 + 1 + 4 + 1 + 1 + 4 * 5 + 4 + 2)
    }
}

/// Whether fresh state is for the initial population or a newcomer moving in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Present at the start, with a tenure drawn from the cohort's range.
    Initial,
    /// Moving in on the given day.
    Newcomer { day: i32 },
}

/// A resident's freshly drawn traits, before they are stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FreshTraits {
    pub age: AgeBand,
    pub move_in_day: i32,
    pub weekday_free: u8,
    pub weekend_free: u8,
    pub trust: f32,
    pub attachment: f32,
    pub awareness: f32,
    pub intrinsic: f32,
}

/// Draws the traits of a resident of `cohort` from the cohort's parameters.
/// The first member of a household (`head`) is drawn from the adult bands, so no household is
/// children only.
pub fn draw_traits(cohort: Cohort, head: bool, params: &Params, arrival: Arrival, rng: &mut impl Rng) -> FreshTraits {
    let cohort_params = params.cohorts.by_cohort()[cohort.index()];
    let behaviour = &params.behaviour;
    let spread = behaviour.trait_spread;
    let community = &params.community;
    let mean_size = community.residents as f64 / community.households as f64;
    let member = if head { Member::Head } else { Member::Other { mean_size } };
    let age = draw_age(cohort_params, member, unit_f32(rng.next_u32()) as f64);
    let senior_bonus = if age == AgeBand::Senior { behaviour.senior_free_time_bonus } else { 0.0 };
    let (move_in_day, tenure_days) = match arrival {
        Arrival::Initial => {
            let span = cohort_params.tenure_max_years - cohort_params.tenure_min_years;
            let years = cohort_params.tenure_min_years + span * rng.random::<f64>();
            let days = (years * 365.0).round();
            (-days as i32, days)
        }
        Arrival::Newcomer { day } => (day, 0.0),
    };
    // Attachment and awareness start at the newcomer level and have settled for the tenure.
    let settled = |level: f64, rate: f64| rules::settled_level(level, behaviour.newcomer_factor, rate, tenure_days);
    FreshTraits {
        age,
        move_in_day,
        weekday_free: to_u8(noisy(cohort_params.weekday_free + senior_bonus, spread, rng)),
        weekend_free: to_u8(noisy(cohort_params.weekend_free + senior_bonus, spread, rng)),
        trust: noisy(cohort_params.trust, spread, rng) as f32,
        attachment: noisy(settled(cohort_params.attachment, behaviour.attachment_relaxation), spread, rng) as f32,
        awareness: noisy(settled(cohort_params.awareness, behaviour.awareness_relaxation), spread, rng) as f32,
        intrinsic: noisy(cohort_params.intrinsic, spread, rng) as f32,
    }
}

impl Residents {
    /// Stores fresh traits for resident `i`, with no habit and no record of taking part.
    pub fn set_fresh(&mut self, i: ResidentId, traits: &FreshTraits) {
        self.age[i] = traits.age;
        self.move_in_day[i] = traits.move_in_day;
        self.weekday_free[i] = traits.weekday_free;
        self.weekend_free[i] = traits.weekend_free;
        self.trust[i] = traits.trust;
        self.attachment[i] = traits.attachment;
        self.awareness[i] = traits.awareness;
        self.intrinsic[i] = traits.intrinsic;
        self.habit[i] = 0.0;
        self.last_active[i] = NEVER;
        self.active_ties[i] = 0;
    }
}

/// Who is being drawn: a household head (always an adult) or another member.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Member {
    Head,
    /// Another member, in households of `mean_size` residents on average.
    Other {
        mean_size: f64,
    },
}

/// Age band shares for a member. Heads are adults; other members carry the children of the
/// whole cohort, c' = min(1, c m / (m - 1)) with the adult bands scaled to fill the rest, so
/// the realised shares match `age_shares` in expectation.
fn member_age_shares(params: &CohortParams, member: Member) -> [f64; 4] {
    let [child, young_adult, adult, senior] = params.age_shares.as_array();
    let adult_total = 1.0 - child;
    let member_child = match member {
        Member::Head => 0.0,
        Member::Other { mean_size } if mean_size > 1.0 => (child * mean_size / (mean_size - 1.0)).min(1.0),
        Member::Other { .. } => child,
    };
    if adult_total <= 0.0 {
        return [1.0, 0.0, 0.0, 0.0];
    }
    let scale = (1.0 - member_child) / adult_total;
    [member_child, young_adult * scale, adult * scale, senior * scale]
}

fn draw_age(params: &CohortParams, member: Member, uniform: f64) -> AgeBand {
    let mut cumulative = 0.0;
    for (band, share) in AgeBand::ALL.into_iter().zip(member_age_shares(params, member)) {
        cumulative += share;
        if uniform < cumulative {
            return band;
        }
    }
    AgeBand::Senior
}

/// `mean` plus uniform noise of standard deviation `spread`, clamped to [0, 1].
fn noisy(mean: f64, spread: f64, rng: &mut impl Rng) -> f64 {
    let noise = spread * 3f64.sqrt() * (2.0 * rng.random::<f64>() - 1.0);
    (mean + noise).clamp(0.0, 1.0)
}

fn to_u8(share: f64) -> u8 {
    (share.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Generated ties of one resident: stairwell, building and long-range, each drawn uniformly
/// within its range (excluding the resident's household) with a bounded number of tries.
pub struct TieRanges {
    pub household: std::ops::Range<u32>,
    pub stairwell: std::ops::Range<u32>,
    pub building: std::ops::Range<u32>,
    pub everyone: std::ops::Range<u32>,
}

/// Adds `factor` times the configured generated ties of `resident` (household ties are added
/// separately). In the initial network each resident makes its ties and receives about as many
/// from others; a newcomer, arriving alone, makes both halves itself (factor 2).
pub fn add_generated_ties(
    network: &mut Network,
    resident: ResidentId,
    ranges: &TieRanges,
    params: &Params,
    factor: u32,
    rng: &mut impl Rng,
) {
    let n = &params.network;
    for (range, wanted) in [
        (&ranges.stairwell, n.stairwell_ties * factor),
        (&ranges.building, n.building_ties * factor),
        (&ranges.everyone, n.long_range_ties * factor),
    ] {
        let mut made = 0;
        for _ in 0..wanted * 3 {
            if made == wanted || range.len() <= ranges.household.len() {
                break;
            }
            let other = rng.random_range(range.clone());
            if !ranges.household.contains(&other) && network.link(resident, ResidentId(other)) {
                made += 1;
            }
        }
    }
}

/// Ties among the members of a household (everyone knows everyone, up to the degree cap).
pub fn add_household_ties(network: &mut Network, members: std::ops::Range<u32>) {
    for a in members.clone() {
        for b in a + 1..members.end {
            network.link(ResidentId(a), ResidentId(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::StreamKey;

    #[test]
    fn ages_follow_cohort_shares() {
        let params = &Params::default().cohorts.original;
        let n = 100_000;
        let share_of = |band, member| {
            let count = (0..n).filter(|&i| draw_age(params, member, (i as f64 + 0.5) / n as f64) == band).count();
            count as f64 / n as f64
        };
        assert_eq!(share_of(AgeBand::Child, Member::Head), 0.0, "household heads are adults");
        // With households of 3.2, heads are 1/3.2 of residents: the mix must give back the shares.
        let mean_size = 3.2;
        let other = Member::Other { mean_size };
        for band in AgeBand::ALL {
            let mixed = share_of(band, Member::Head) / mean_size + share_of(band, other) * (1.0 - 1.0 / mean_size);
            let target = params.age_shares.as_array()[band as usize];
            assert!((mixed - target).abs() < 1e-3, "{band:?}: {mixed} vs {target}");
        }
    }

    #[test]
    fn noise_stays_in_range_with_the_right_spread() {
        let mut rng =
            StreamKey { seed: 1, replicate: 0, day: 0, agent: 0, purpose: crate::model::core::purposes::POPULATION }
                .rng();
        let draws: Vec<f64> = (0..20_000).map(|_| noisy(0.5, 0.1, &mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64).sqrt();
        assert!((mean - 0.5).abs() < 0.005 && (sd - 0.1).abs() < 0.005, "{mean} {sd}");
        assert!(draws.iter().all(|x| (0.0..=1.0).contains(x)));
    }
}
