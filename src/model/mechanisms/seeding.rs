//! Seeding (a validation lever, off by default): a share of one compound's adults is made to take part every day for a while, and who was seeded is remembered.

use rand::RngExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ctx, Mechanism};
use crate::engine::rng::Purpose;
use crate::model::behaviour::decide::Decisions;
use crate::model::core::acts::{ActKind, ActLog};
use crate::model::core::check::Check;
use crate::model::core::counters::{Column, DayRecord};
use crate::model::core::date::Date;
use crate::model::core::day::{Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, PerResident, ResidentId};
use crate::model::mechanisms::merchants::Merchants;

/// The draw that picks the seeded residents (one per resident, on the seeding's first day).
pub const SEED_PICK: Purpose = Purpose(20);

/// Was made to take part by the seeding (one a day per seeded resident).
pub const SEEDED: ActKind = ActKind(23);

/// Seeding: on `start_date`, a share of one compound's adults (every resident not a child)
/// is picked at random; each takes part every day for `days` days. Off while `share` is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SeedingParams {
    /// Share of the compound's adults seeded (0 = off; 0-1).
    pub share: f64,
    /// The compound seeded, numbered from 0 as in `timeseries_groups.csv` (a number beyond the
    /// community's compounds seeds nobody).
    pub compound: u32,
    /// The first day of the seeding, YYYY-MM-DD (the residents are picked on this day).
    pub start_date: Date,
    /// Days the seeded residents take part, from `start_date` (1-3650).
    pub days: u32,
}

impl Default for SeedingParams {
    fn default() -> SeedingParams {
        SeedingParams { share: 0.0, compound: 0, start_date: Date::from_ymd(2025, 1, 1), days: 30 }
    }
}

impl SeedingParams {
    /// The ranges of the seeding's keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.share(&format!("{at}.share"), self.share);
        check.int_range(&format!("{at}.compound"), self.compound.into(), 0, 1_000_000);
        check.int_range(&format!("{at}.days"), self.days.into(), 1, 3650);
    }

    pub fn is_on(&self) -> bool {
        self.share > 0.0
    }
}

crate::counters! {
    /// The seeding's counters of one cohort and day.
    pub struct SeedingCounters {
        /// Seeded residents made to take part today.
        seeded_acts: u32 = Column::flow("seeded_acts").counts(SEEDED),
        /// Residents living here at the end of the day who were seeded (ever).
        seeded_residents: u32 = Column::stock("seeded_residents"),
        /// Of them, those active (took part in the active window).
        seeded_active: u32 = Column::stock("seeded_active"),
        /// Children (who cannot be seeded) living in the seeded compound at the end of the day.
        seeded_compound_children: u32 = Column::stock("seeded_compound_children"),
        /// Of them, those active.
        seeded_compound_children_active: u32 = Column::stock("seeded_compound_children_active"),
    }
}

/// The seeding's state: who was seeded (a newcomer in a seeded resident's place is not).
pub struct Seeding {
    params: SeedingParams,
    seeded: PerResident<bool>,
    picked: bool,
}

impl Mechanism for Seeding {
    type Counters = SeedingCounters;
    type Wishes = ();
    const PURPOSES: &'static [Purpose] = &[SEED_PICK];
    const ACTS: &'static [(ActKind, &'static str)] = &[(SEEDED, "seeded")];

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, core: &Core) -> Seeding {
        let params = params.policy.seeding.clone();
        let residents = if params.is_on() { core.residents.len() } else { 0 };
        Seeding { params, seeded: PerResident::filled(false, residents), picked: false }
    }

    fn heap_bytes(&self) -> usize {
        self.seeded.capacity()
    }

    fn on_move_in(&mut self, i: ResidentId) {
        if self.params.is_on() {
            self.seeded[i] = false;
        }
    }

    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], _granted: &Granted) {
        if !self.params.is_on() || !self.running(ctx.today) {
            return;
        }
        if !self.picked {
            self.pick(ctx.core, ctx.today.day);
            self.picked = true;
        }
        let d = ctx.today.day;
        for i in ctx.core.residents.ids() {
            if self.seeded[i] {
                ctx.core.mark_taking_part(i, d);
                let cohort = ctx.core.residents.cohort[i];
                ctx.cohort(cohort).mechanisms.seeding.seeded_acts += 1;
                ctx.acts.record(d, i, SEEDED, 1);
            }
        }
    }

    fn end_of_day(
        &mut self,
        core: &Core,
        _merchants: &Merchants,
        today: &Today,
        record: &mut DayRecord,
        _: &mut ActLog,
    ) {
        if !self.picked {
            return;
        }
        let window = core.rules.window;
        for i in core.residents.ids() {
            let active = u32::from(core.residents.is_active(i, today.day, window));
            let counters = &mut record[core.residents.cohort[i].index()].mechanisms.seeding;
            if self.seeded[i] {
                counters.seeded_residents += 1;
                counters.seeded_active += active;
            } else if core.residents.age[i] == AgeBand::Child && core.compound_of(i) == self.params.compound {
                counters.seeded_compound_children += 1;
                counters.seeded_compound_children_active += active;
            }
        }
    }
}

impl Seeding {
    /// Whether the seeded residents take part today.
    fn running(&self, today: &Today) -> bool {
        let start = self.params.start_date.0;
        today.date >= start && (today.date - start).num_days() < i64::from(self.params.days)
    }

    /// Picks round(share × adults) of the compound's adults: those with the lowest draws from
    /// their own stream (ties by resident number).
    fn pick(&mut self, core: &Core, d: i32) {
        let mut adults: Vec<(u64, ResidentId)> = core
            .residents
            .ids()
            .filter(|&i| core.compound_of(i) == self.params.compound && core.residents.age[i] != AgeBand::Child)
            .map(|i| (core.key(d, i.0, SEED_PICK).rng().random::<u64>(), i))
            .collect();
        adults.sort_unstable();
        let take = (self.params.share * adults.len() as f64).round() as usize;
        for &(_, i) in adults.iter().take(take) {
            self.seeded[i] = true;
        }
    }

    /// Whether resident `i` was seeded (and still lives here).
    pub fn is_seeded(&self, i: ResidentId) -> bool {
        self.seeded.get(i.0 as usize).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Calendar;
    use crate::model::World;

    fn params(share: f64) -> Params {
        let mut params = Params::default();
        let c = &mut params.community;
        (c.compounds, c.buildings, c.stairwells, c.households, c.residents, c.micro_grids) = (2, 10, 30, 400, 1200, 4);
        params.policy.seeding = SeedingParams { share, compound: 1, start_date: Date::from_ymd(2024, 2, 1), days: 10 };
        params
    }

    #[test]
    fn the_seeded_share_of_the_compound_s_adults_take_part_every_day_of_the_seeding() {
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 60);
        let mut world = World::new(&params(0.2), 0, &calendar);
        let mut acts_by_day = Vec::new();
        let mut children_seen = 0;
        for day in calendar.days() {
            let record = world.step(day);
            let acts: u32 = record.iter().map(|c| c.mechanisms.seeding.seeded_acts).sum();
            let (seeded, active): (u32, u32) = record
                .iter()
                .map(|c| (c.mechanisms.seeding.seeded_residents, c.mechanisms.seeding.seeded_active))
                .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
            assert!(active <= seeded);
            let children: u32 = record.iter().map(|c| c.mechanisms.seeding.seeded_compound_children).sum();
            let children_active: u32 =
                record.iter().map(|c| c.mechanisms.seeding.seeded_compound_children_active).sum();
            assert!(children_active <= children);
            children_seen = children_seen.max(children);
            acts_by_day.push((day.date, acts, seeded));
        }
        let during: Vec<_> = acts_by_day.iter().filter(|(_, acts, _)| *acts > 0).collect();
        assert_eq!(during.len(), 10, "ten days of seeding");
        assert_eq!(during[0].0, chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
        let seeding = &world.mechanisms().seeding;
        let seeded = (0..world.residents().len()).filter(|&i| seeding.is_seeded(ResidentId::new(i))).count();
        assert!(seeded > 0 && during[0].1 as usize == seeded, "{seeded} seeded, {} acts", during[0].1);
        let children = world
            .residents()
            .ids()
            .filter(|&i| world.compound_of(i) == 1 && world.residents().age[i] == AgeBand::Child)
            .count();
        assert!(children > 0 && children_seen as usize >= children / 2, "the compound's children are counted");
    }

    #[test]
    fn seeding_is_off_by_default_and_checked() {
        assert!(!SeedingParams::default().is_on());
        let world =
            World::new(&Params::default(), 0, &Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 1));
        assert_eq!(world.mechanisms().seeding.heap_bytes(), 0);
    }
}
