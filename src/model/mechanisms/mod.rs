//! Mechanisms: the policies and the local economy, each in its own file with its parameters,
//! state, counters and random-stream purposes, acting on the day's phases through the
//! [`Mechanism`] hooks. The registry at the end of this file lists them in the order their
//! hooks run; docs/adding-a-mechanism.md walks through adding one.

pub mod integration;
pub mod merchants;
pub mod outreach;
pub mod platform;
pub mod proposal_fund;
pub mod reward_image;
pub mod seeding;
#[cfg(test)]
pub mod story_vouchers;
pub mod time_bank;
pub mod transient_seat;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::rng::Purpose;
use crate::model::behaviour::decide::{Decisions, Draws, Need, Voice};
use crate::model::core::acts::{ActKind, ActLog};
use crate::model::core::check::Check;
use crate::model::core::counters::{CohortDay, Column, CounterSet, DayRecord};
use crate::model::core::day::{Activity, FreeTable, Granted, Reservation, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, Cohort, ResidentId};
use integration::IntegrationParams;
use merchants::Merchants;
use outreach::{GridWorkers, Riders};
use platform::PlatformParams;
use proposal_fund::FundParams;
use seeding::SeedingParams;
use time_bank::TimeBankParams;
use transient_seat::TransientSeatParams;

/// Incentive policies and outreach; each is off unless the scenario turns it on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub time_bank: TimeBankParams,
    pub proposal_fund: FundParams,
    pub platform: PlatformParams,
    pub grid_workers: GridWorkers,
    pub riders: Riders,
    pub integration: IntegrationParams,
    pub transient_seat: TransientSeatParams,
    /// A validation lever: a share of one compound's adults made to take part for a while.
    pub seeding: SeedingParams,
}

impl Policy {
    /// Every policy's ranges and rules, each at `{at}.{policy}` in the scenario file;
    /// `deliberation_seats` is the committee's number of seats and its key.
    pub fn check(&self, at: &str, deliberation_seats: (u32, &str), check: &mut impl Check) {
        self.time_bank.check(&format!("{at}.time_bank"), check);
        self.proposal_fund.check(&format!("{at}.proposal_fund"), check);
        self.platform.check(&format!("{at}.platform"), check);
        self.grid_workers.check(&format!("{at}.grid_workers"), check);
        self.riders.check(&format!("{at}.riders"), check);
        self.integration.check(&format!("{at}.integration"), check);
        self.transient_seat.check(&format!("{at}.transient_seat"), deliberation_seats, check);
        self.seeding.check(&format!("{at}.seeding"), check);
    }
}

/// What the sequential hooks of a day may read and change: the core, the merchants (the
/// local economy several mechanisms trade with), today and the day's tally.
pub struct Ctx<'a> {
    pub core: &'a mut Core,
    pub merchants: &'a mut Merchants,
    pub today: &'a Today,
    pub tally: &'a mut DayRecord,
    /// Every act of a resident is recorded here (a no-op unless individual data is asked for).
    pub acts: &'a mut ActLog,
}

impl Ctx<'_> {
    /// The tally of `cohort`.
    pub fn cohort(&mut self, cohort: Cohort) -> &mut CohortDay {
        &mut self.tally[cohort.index()]
    }
}

/// A mechanism: hooks on the phases of a day, each a no-op unless the mechanism needs it.
/// Hooks marked "while running" are called only from the start date on (after the burn-in);
/// the others every day. Per-resident hooks sit in the parallel decide pass and are statically
/// dispatched (the registry calls each mechanism's method directly).
pub trait Mechanism: Sized + Send + Sync {
    /// The counters this mechanism adds to every cohort's daily record (`()` for none).
    type Counters: CounterSet;
    /// What one chunk of the decide pass asks of this mechanism (`()` for nothing).
    type Wishes: Default + Send;
    /// The random-stream purposes this mechanism draws from (distinct across the model).
    const PURPOSES: &'static [Purpose] = &[];
    /// The kinds of act this mechanism records, with their names (distinct across the model).
    const ACTS: &'static [(ActKind, &'static str)] = &[];

    /// Builds the mechanism for one replicate, once the core's residents and ties exist.
    fn build(params: &Params, core: &Core) -> Self;

    /// Heap bytes of state that grows with the population.
    fn heap_bytes(&self) -> usize {
        0
    }

    /// Resident `i` is new (a newcomer took the place of a resident who moved out).
    fn on_move_in(&mut self, _i: ResidentId) {}

    /// Resident `i` moves out on day `d` (before `on_move_in` of their successor).
    fn on_move_out(&mut self, _i: ResidentId, _d: i32, _tally: &mut CohortDay, _acts: &mut ActLog) {}

    /// While running: the first day of a month, or the day the mechanisms start.
    fn month_start(&mut self, _ctx: &mut Ctx) {}

    /// While running: a logit bonus on every activity today.
    fn utility_bonus(&self, _today: &Today) -> f32 {
        0.0
    }

    /// While running: the share of the day a resident of age band `age` has free for taking
    /// part, given the share `free` before this mechanism (a mechanism may relax the time
    /// constraint). The world tabulates it by band and free-time byte once a day
    /// (`Today::free_share`).
    fn free_time(&self, _age: AgeBand, free: f32) -> f32 {
        free
    }

    /// While running: a logit offset of `activity` for resident `i`, added to the activity's own.
    #[inline]
    fn activity_offset(&self, _core: &Core, _i: ResidentId, _activity: Activity, _today: &Today) -> f32 {
        0.0
    }

    /// While running: at least every resident's [`Mechanism::activity_offset`] of `activity`
    /// today. The first look's ceilings (`behaviour/ceiling.rs`) rely on it: a bound too low
    /// would skip residents who take part (a test here checks every mechanism's).
    fn most_activity_offset(&self, _activity: Activity, _today: &Today) -> f32 {
        0.0
    }

    /// While running: activities this mechanism offers an adult resident today, each as
    /// `apply(activity, offset, draw, known)`.
    #[inline]
    fn offer(
        &self,
        _core: &Core,
        _i: ResidentId,
        _today: &Today,
        _draws: &Draws,
        _apply: &mut impl FnMut(Activity, f32, u64, f32),
    ) {
    }

    /// While running: marks (sets to true) in `visit` every resident of the block starting at
    /// `first` whom this mechanism's `offer` or `decide` may act on today. The decide pass
    /// skips a resident no one marks who is past no gate (`behaviour/gates.rs`: volunteering,
    /// a need, the deliberation, today's events). The default marks everyone, which is always
    /// right; a mechanism without `offer` and `decide` marks no one, and one with them marks
    /// whom they can reach, so that most residents are skipped.
    #[inline]
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, visit: &mut [bool]) {
        visit.fill(true);
    }

    /// The places of one of this mechanism's activities.
    fn capacity(&self, _activity: Activity) -> Option<u32> {
        None
    }

    /// While running: places of an activity reserved for one cohort today.
    fn reservation(&self, _today: &Today) -> Option<Reservation> {
        None
    }

    /// While running: resident `i`'s own decisions about this mechanism (in the decide pass).
    #[inline]
    fn decide(&self, _core: &Core, _i: ResidentId, _today: &Today, _draws: &Draws, _wishes: &mut Self::Wishes) {}

    /// While running: how resident `i` voices a need they raise (`None`: as a complaint).
    #[inline]
    fn voice(&self, _core: &Core, _i: ResidentId, _today: &Today, _draws: &Draws) -> Option<Voice> {
        None
    }

    /// While running: whether this mechanism collects a need the resident kept silent.
    fn collects(&self, _core: &Core, _need: &Need, _today: &Today) -> bool {
        false
    }

    /// While running: after places are allocated and taken, in registry order.
    fn after_allocation(&mut self, _ctx: &mut Ctx, _decisions: &[Decisions], _granted: &Granted) {}

    /// A need was raised (as a complaint or a proposal) today.
    fn on_need_voiced(&mut self, _ctx: &mut Ctx, _need: &Need, _voice: Voice) {}

    /// While running: after needs are raised.
    fn after_needs(&mut self, _ctx: &mut Ctx, _granted: &Granted) {}

    /// The end of every day, after the core's drift, before the record is final.
    fn end_of_day(
        &mut self,
        _core: &Core,
        _merchants: &Merchants,
        _today: &Today,
        _record: &mut DayRecord,
        _acts: &mut ActLog,
    ) {
    }
}

/// Declares the registry: the `Mechanisms` struct (one field per mechanism, in hook order),
/// the counters and decide-pass wishes of all mechanisms, and the dispatch of every hook.
macro_rules! registry {
    ($($(#[$attr:meta])* $field:ident: $ty:ty,)+) => {
        /// Every mechanism of a replicate, in the order their hooks run.
        pub struct Mechanisms {
            $($(#[$attr])* pub $field: $ty,)+
        }

        /// Every mechanism's counters of one cohort and day.
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct MechanismCounters {
            $($(#[$attr])* pub $field: <$ty as Mechanism>::Counters,)+
        }

        /// What one chunk of the decide pass asks of each mechanism.
        #[derive(Default)]
        pub struct MechanismWishes {
            $($(#[$attr])* pub $field: <$ty as Mechanism>::Wishes,)+
        }

        impl CounterSet for MechanismCounters {
            fn columns(out: &mut Vec<Column>) {
                $($(#[$attr])* { <<$ty as Mechanism>::Counters as CounterSet>::columns(out); })+
            }

            #[inline]
            fn add(&mut self, other: &Self) {
                $($(#[$attr])* { self.$field.add(&other.$field); })+
            }

            fn values(&self, out: &mut Vec<f64>) {
                $($(#[$attr])* { self.$field.values(out); })+
            }

            fn csv(&self, out: &mut Vec<String>) {
                $($(#[$attr])* { self.$field.csv(out); })+
            }
        }

        impl Mechanisms {
            pub fn build(params: &Params, core: &Core) -> Mechanisms {
                Mechanisms { $($(#[$attr])* $field: <$ty as Mechanism>::build(params, core),)+ }
            }

            /// Every purpose the mechanisms draw from, in registry order.
            pub fn purposes() -> Vec<Purpose> {
                let mut purposes = Vec::new();
                $($(#[$attr])* { purposes.extend_from_slice(<$ty as Mechanism>::PURPOSES); })+
                purposes
            }

            /// Every kind of act the mechanisms record, in registry order.
            pub fn act_kinds() -> Vec<(ActKind, &'static str)> {
                let mut kinds = Vec::new();
                $($(#[$attr])* { kinds.extend_from_slice(<$ty as Mechanism>::ACTS); })+
                kinds
            }

            pub fn heap_bytes(&self) -> usize {
                let mut bytes = 0;
                $($(#[$attr])* { bytes += self.$field.heap_bytes(); })+
                bytes
            }

            pub fn on_move_in(&mut self, i: ResidentId) {
                $($(#[$attr])* { self.$field.on_move_in(i); })+
            }

            pub fn on_move_out(&mut self, i: ResidentId, d: i32, tally: &mut CohortDay, acts: &mut ActLog) {
                $($(#[$attr])* { self.$field.on_move_out(i, d, tally, acts); })+
            }

            pub fn month_start(&mut self, ctx: &mut Ctx) {
                $($(#[$attr])* { self.$field.month_start(ctx); })+
            }

            pub fn utility_bonus(&self, today: &Today) -> f32 {
                let mut bonus = 0.0;
                if today.policies_on {
                    $($(#[$attr])* { bonus += self.$field.utility_bonus(today); })+
                }
                bonus
            }

            /// Today's share of the day free by age band and free-time byte (`share` before
            /// the mechanisms), as the running mechanisms leave it.
            pub fn free_table(&self, share: &[f32; 256], today: &Today) -> FreeTable {
                std::array::from_fn(|band| std::array::from_fn(|byte| {
                    let (age, mut free) = (AgeBand::ALL[band], share[byte]);
                    if today.policies_on {
                        $($(#[$attr])* { free = self.$field.free_time(age, free); })+
                    }
                    free
                }))
            }

            #[inline]
            pub fn activity_offset(&self, core: &Core, i: ResidentId, activity: Activity, today: &Today) -> f32 {
                let mut offset = 0.0;
                if today.policies_on {
                    $($(#[$attr])* { offset += self.$field.activity_offset(core, i, activity, today); })+
                }
                offset
            }

            /// At least every resident's [`Mechanisms::activity_offset`] of `activity` today: the
            /// running mechanisms' bounds summed in the same order (sums rounded to nearest rise
            /// with their terms).
            pub fn most_activity_offset(&self, activity: Activity, today: &Today) -> f32 {
                let mut offset = 0.0;
                if today.policies_on {
                    $($(#[$attr])* { offset += self.$field.most_activity_offset(activity, today); })+
                }
                offset
            }

            #[inline]
            pub fn offer(&self, core: &Core, i: ResidentId, today: &Today, draws: &Draws, apply: &mut impl FnMut(Activity, f32, u64, f32)) {
                if today.policies_on {
                    $($(#[$attr])* { self.$field.offer(core, i, today, draws, apply); })+
                }
            }

            /// Marks in `visit` the residents of the block at `first` whom a running
            /// mechanism's `offer` or `decide` may act on today.
            #[inline]
            pub fn visits(&self, core: &Core, today: &Today, first: usize, visit: &mut [bool]) {
                if today.policies_on {
                    $($(#[$attr])* { self.$field.visits(core, today, first, visit); })+
                }
            }

            pub fn capacity(&self, activity: Activity) -> u32 {
                $($(#[$attr])* { if let Some(places) = self.$field.capacity(activity) { return places; } })+
                0
            }

            pub fn reservation(&self, today: &Today) -> Option<Reservation> {
                if today.policies_on {
                    $($(#[$attr])* { if let Some(r) = self.$field.reservation(today) { return Some(r); } })+
                }
                None
            }

            #[inline]
            pub fn decide(&self, core: &Core, i: ResidentId, today: &Today, draws: &Draws, wishes: &mut MechanismWishes) {
                if today.policies_on {
                    $($(#[$attr])* { self.$field.decide(core, i, today, draws, &mut wishes.$field); })+
                }
            }

            #[inline]
            pub fn voice(&self, core: &Core, i: ResidentId, today: &Today, draws: &Draws) -> Voice {
                if today.policies_on {
                    $($(#[$attr])* { if let Some(voice) = self.$field.voice(core, i, today, draws) { return voice; } })+
                }
                Voice::Complaint
            }

            pub fn collects(&self, core: &Core, need: &Need, today: &Today) -> bool {
                // Every mechanism is asked (none may skip another's draw); any one collects it.
                let mut collected = false;
                if today.policies_on {
                    $($(#[$attr])* { collected |= self.$field.collects(core, need, today); })+
                }
                collected
            }

            pub fn after_allocation(&mut self, ctx: &mut Ctx, decisions: &[Decisions], granted: &Granted) {
                $($(#[$attr])* { self.$field.after_allocation(ctx, decisions, granted); })+
            }

            pub fn on_need_voiced(&mut self, ctx: &mut Ctx, need: &Need, voice: Voice) {
                $($(#[$attr])* { self.$field.on_need_voiced(ctx, need, voice); })+
            }

            pub fn after_needs(&mut self, ctx: &mut Ctx, granted: &Granted) {
                $($(#[$attr])* { self.$field.after_needs(ctx, granted); })+
            }

            pub fn end_of_day(&mut self, core: &Core, merchants: &Merchants, today: &Today, record: &mut DayRecord, acts: &mut ActLog) {
                $($(#[$attr])* { self.$field.end_of_day(core, merchants, today, record, acts); })+
            }
        }
    };
}

// The registry: one line per mechanism, in the order their hooks run each day. It is also the
// order of their columns in timeseries.csv and community.csv (after the core's).
registry! {
    time_bank: time_bank::TimeBank,
    reward_image: reward_image::RewardImage,
    proposal_fund: proposal_fund::ProposalFund,
    merchants: merchants::Alliance,
    integration: integration::Integration,
    outreach: outreach::Outreach,
    transient_seat: transient_seat::TransientSeat,
    platform: platform::Platform,
    seeding: seeding::Seeding,
    #[cfg(test)]
    story_vouchers: story_vouchers::StoryVouchers,
}

/// Every kind of act the model records, with its name: the core's, then the mechanisms'.
pub fn all_act_kinds() -> Vec<(ActKind, &'static str)> {
    crate::model::core::acts::CORE_KINDS.into_iter().chain(Mechanisms::act_kinds()).collect()
}

/// Every purpose the model draws from: the core's, then the mechanisms'.
pub fn all_purposes() -> Vec<Purpose> {
    crate::model::core::purposes::ALL.into_iter().chain(Mechanisms::purposes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_act_has_its_own_number_and_name() {
        let kinds = all_act_kinds();
        let mut numbers: Vec<ActKind> = kinds.iter().map(|(k, _)| *k).collect();
        let mut names: Vec<&str> = kinds.iter().map(|(_, n)| *n).collect();
        numbers.sort_unstable();
        numbers.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!((numbers.len(), names.len()), (kinds.len(), kinds.len()), "{kinds:?}");
    }

    #[test]
    fn no_resident_s_offset_exceeds_the_mechanisms_bound() {
        let (core, mut params) = Core::for_tests(500);
        let p = &mut params.policy;
        (p.time_bank.enabled, p.integration.enabled, p.platform.enabled) = (true, true, true);
        p.transient_seat.seats = 3;
        let today = Today::for_tests(400, true);
        let mut checked = 0;
        for (reward_weight, invitation) in [(1.5, 1.0), (-2.0, -0.7)] {
            (params.policy.time_bank.reward_weight, params.policy.transient_seat.invitation_bonus) =
                (reward_weight, invitation);
            let mut mechanisms = Mechanisms::build(&params, &core);
            for i in core.residents.ids() {
                // Every perceived worth of a point from nothing to full.
                mechanisms.time_bank.point_value[i] = (i.0 % 11) as f32 / 10.0;
            }
            for activity in 0..64 {
                let bound = mechanisms.most_activity_offset(activity, &today);
                for i in core.residents.ids() {
                    let offset = mechanisms.activity_offset(&core, i, activity, &today);
                    assert!(offset <= bound, "{i:?} activity {activity}: {offset} > {bound}");
                    checked += usize::from(offset != 0.0);
                }
            }
        }
        assert!(checked > 0, "some offsets were not zero");
    }

    #[test]
    fn a_resident_no_mechanism_visits_is_offered_nothing_and_decides_nothing() {
        use crate::engine::rng::DayStreams;
        use crate::model::behaviour::gates::BLOCK;
        use crate::model::core::purposes;
        let (mut core, mut params) = Core::for_tests(700);
        (params.policy.time_bank.enabled, params.policy.integration.enabled) = (true, true);
        let mut mechanisms = Mechanisms::build(&params, &core);
        let mut today = Today::for_tests(400, true);
        today.date = chrono::NaiveDate::from_ymd_opt(2024, 3, params.policy.integration.day).expect("a date");
        for i in core.residents.ids() {
            if i.0 % 5 == 0 {
                mechanisms.time_bank.points[i] = 100_000;
            }
            if i.0 % 3 == 0 {
                core.residents.move_in_day[i] = today.day - 30;
            }
        }
        let streams = DayStreams::new(1, 0, today.day as u32, purposes::DECIDE);
        let (mut offered, mut wished) = (0, 0);
        for first in (0..core.residents.len()).step_by(BLOCK) {
            let mut visit = [false; BLOCK];
            let n = BLOCK.min(core.residents.len() - first);
            mechanisms.visits(&core, &today, first, &mut visit[..n]);
            for (k, &visited) in visit[..n].iter().enumerate() {
                let i = ResidentId::new(first + k);
                let draws = Draws::new(&streams, i);
                let mut offers = 0;
                mechanisms.offer(&core, i, &today, &draws, &mut |_, _, _, _| offers += 1);
                let mut wishes = MechanismWishes::default();
                mechanisms.decide(&core, i, &today, &draws, &mut wishes);
                assert!(visited || (offers == 0 && wishes.time_bank.is_empty()), "{i:?} acts unvisited");
                (offered, wished) = (offered + offers, wished + wishes.time_bank.len());
            }
        }
        assert!(offered > 0 && wished > 0, "the workshop was offered ({offered}) and points redeemed ({wished})");
    }

    #[test]
    fn every_purpose_in_the_model_is_distinct() {
        let mut purposes = all_purposes();
        let declared = purposes.len();
        purposes.sort_unstable();
        purposes.dedup();
        assert_eq!(purposes.len(), declared, "two streams share a purpose number");
        assert!(declared >= 16, "every mechanism declares its purposes: {declared}");
    }
}
