//! Who lives here: the initial population and its ties, and the daily churn in which
//! households due to move out leave and newcomers of the same cohort take their place.

use rand::RngExt;

use crate::engine::lanes::{bits, mask};
use crate::engine::parallel::{CHUNK, Split, map_chunks};
use crate::model::behaviour::rules;
use crate::model::core::acts::{ActLog, MOVED_IN, MOVED_OUT};
use crate::model::core::counters::DayRecord;
use crate::model::core::params::Params;
use crate::model::core::population::{Arrival, add_generated_ties, add_household_ties, draw_traits};
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;
use crate::model::mechanisms::Mechanisms;

/// Draws every resident's traits, the household and generated ties, and each household's
/// move-out day.
pub fn populate(core: &mut Core, params: &Params) {
    // Traits are drawn in parallel (each from its own stream) and stored in order, in batches
    // of one chunk per thread, so the temporary copy stays small (results do not depend on the
    // batches: each resident has its own stream).
    let batch = CHUNK * rayon::current_num_threads();
    let n = core.residents.len();
    for batch_start in (0..n).step_by(batch) {
        let batch_len = batch.min(n - batch_start);
        let drawn = map_chunks(Split::Parallel, batch_len, |range| {
            let draw = |i: ResidentId| {
                let mut rng = core.key(0, i.0, purposes::POPULATION).rng();
                let head = core.structure.household_start[core.structure.household_of(i)] == i.0;
                draw_traits(core.residents.cohort[i], head, params, Arrival::Initial, &mut rng)
            };
            (batch_start + range.start..batch_start + range.end).map(ResidentId::new).map(draw).collect::<Vec<_>>()
        });
        for (k, traits) in drawn.iter().flatten().enumerate() {
            core.residents.set_fresh(ResidentId::new(batch_start + k), traits);
        }
    }
    for i in core.residents.ids() {
        let mut rng = core.key(0, i.0, purposes::MOTIVES).rng();
        core.motives.on_move_in(i, &mut rng);
    }
    for h in 0..core.structure.n_households() {
        add_household_ties(&mut core.network, core.structure.household_residents(h));
    }
    for i in core.residents.ids() {
        let mut rng = core.key(0, i.0, purposes::NETWORK).rng();
        let ranges = core.tie_ranges(i);
        add_generated_ties(&mut core.network, i, &ranges, params, 1, &mut rng);
    }
    for h in 0..core.structure.n_households() {
        core.move_out_day[h] = draw_move_out(core, h, 0);
    }
}

/// The day household `household` moves out, drawn on day `today`.
fn draw_move_out(core: &Core, household: usize, today: i32) -> u32 {
    let cohort = core.structure.household_cohort[household];
    let mut rng = core.key(today, household as u32, purposes::CHURN).rng();
    let wait = rules::geometric_days(core.rules.move_out_hazard[cohort.index()], 1.0 - rng.random::<f64>());
    (today as u32).saturating_add(wait)
}

/// Households due to move out today leave; newcomers of the same cohort take their place.
pub fn churn(
    core: &mut Core,
    mechanisms: &mut Mechanisms,
    params: &Params,
    d: i32,
    tally: &mut DayRecord,
    acts: &mut ActLog,
) {
    for h in due_households(&core.move_out_day, d as u32, core.split) {
        replace_household(core, mechanisms, (params, h, d), tally, acts);
    }
}

/// The households whose move-out day is `day`, in order. Found 64 at a time by a mask (few
/// households move on a given day, so a branch per household mostly waits on nothing), and
/// split across threads with the day's other passes.
fn due_households(move_out_day: &[u32], day: u32, split: Split) -> Vec<usize> {
    let due_in = |range: std::ops::Range<usize>| {
        let mut due = Vec::new();
        for first in range.clone().step_by(64) {
            let block = &move_out_day[first..(first + 64).min(range.end)];
            let mut flags = [false; 64];
            for (flag, &m) in flags.iter_mut().zip(block) {
                *flag = m == day;
            }
            due.extend(bits(mask(&flags)).map(|k| first + k));
        }
        due
    };
    map_chunks(split, move_out_day.len(), due_in).concat()
}

/// Household `h`'s members move out on day `d` and newcomers take their places.
fn replace_household(
    core: &mut Core,
    mechanisms: &mut Mechanisms,
    (params, h, d): (&Params, usize, i32),
    tally: &mut DayRecord,
    acts: &mut ActLog,
) {
    let members = core.structure.household_residents(h);
    let window = core.rules.window;
    for i in members.clone().map(ResidentId) {
        let was_active = core.residents.is_active(i, d - 1, window);
        let active_ties = &mut core.residents.active_ties;
        core.network.drop_ties_outside(i, members.clone(), |neighbour| {
            if was_active {
                active_ties[neighbour] -= 1;
            }
        });
        let cohort = core.residents.cohort[i].index();
        acts.record(d, i, MOVED_OUT, 0);
        mechanisms.on_move_out(i, d, &mut tally[cohort], acts);
    }
    for i in members.clone().map(ResidentId) {
        let mut rng = core.key(d, i.0, purposes::NEWCOMER).rng();
        let cohort = core.residents.cohort[i];
        let head = i.0 == members.start;
        let traits = draw_traits(cohort, head, params, Arrival::Newcomer { day: d }, &mut rng);
        core.residents.set_fresh(i, &traits);
        core.motives.on_move_in(i, &mut core.key(d, i.0, purposes::MOTIVES).rng());
        mechanisms.on_move_in(i);
        acts.record(d, i, MOVED_IN, 0);
        let ranges = core.tie_ranges(i);
        add_generated_ties(&mut core.network, i, &ranges, params, 2, &mut rng);
    }
    for i in members.map(ResidentId) {
        let residents = &core.residents;
        let active = core.network.ties(i).iter().filter(|&&j| residents.is_active(j, d - 1, window));
        core.residents.active_ties[i] = active.count() as u16;
    }
    core.move_out_day[h] = draw_move_out(core, h, d);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::population::NEVER;

    /// Every resident's count of active ties (as of `day`), recounted from the network.
    fn recount(core: &Core, day: i32) -> Vec<u16> {
        let r = &core.residents;
        r.ids()
            .map(|i| core.network.ties(i).iter().filter(|&&j| r.is_active(j, day, core.rules.window)).count() as u16)
            .collect()
    }

    #[test]
    fn the_due_households_are_those_of_the_day_in_order() {
        // Lengths around a block and a chunk; the day's households at block and chunk edges.
        for len in [0, 1, 63, 64, 65, CHUNK + 1, 3 * CHUNK + 70] {
            let days: Vec<u32> = (0..len)
                .map(|h| if h % 61 == 0 || h == len - 1 || h % CHUNK == 63 { 7 } else { (h % 5) as u32 })
                .collect();
            let expected: Vec<usize> = (0..len).filter(|&h| days[h] == 7).collect();
            for split in [Split::Sequential, Split::Parallel] {
                assert_eq!(due_households(&days, 7, split), expected, "{len} households, {split:?}");
            }
        }
    }

    #[test]
    fn a_household_due_to_move_out_is_replaced() {
        let (mut core, params) = Core::for_tests(300);
        let mut mechanisms = Mechanisms::build(&params, &core);
        let d = 40;
        let window = core.rules.window;
        // A household of three or more whose last member has ties outside it.
        let h = (0..core.structure.n_households())
            .find(|&h| {
                let members = core.structure.household_residents(h);
                let last = ResidentId(members.end - 1);
                members.len() >= 3 && core.network.ties(last).iter().any(|j| !members.contains(&j.0))
            })
            .expect("a household of three with ties outside");
        let members: Vec<ResidentId> = core.structure.members(h).collect();
        // Half the rest took part lately, some on the last day they count as active today
        // (before today's expiry); of the household, all but the last member.
        for i in core.residents.ids().filter(|i| !members.contains(i)) {
            match i.0 % 4 {
                0 => core.mark_taking_part(i, d - window),
                2 => core.mark_taking_part(i, d - 3),
                _ => {}
            }
        }
        for &i in &members[..members.len() - 1] {
            core.mark_taking_part(i, d - 2);
        }
        for other in 0..core.structure.n_households() {
            if other != h && core.move_out_day[other] == d as u32 {
                core.move_out_day[other] = d as u32 + 1; // only h moves today
            }
        }
        core.move_out_day[h] = d as u32;
        assert_eq!(core.residents.active_ties.0, recount(&core, d - 1));
        let untouched: Vec<ResidentId> = core
            .residents
            .ids()
            .filter(|&i| {
                core.structure.household_of(i) != h && core.network.ties(i).iter().all(|j| !members.contains(j))
            })
            .collect();
        let before = core.residents.clone();
        let old_outside: Vec<ResidentId> = members
            .iter()
            .flat_map(|&i| core.network.ties(i).iter().copied())
            .filter(|j| !members.contains(j))
            .collect();
        assert!(!old_outside.is_empty(), "the household has ties outside");

        let mut tally = DayRecord::default();
        churn(&mut core, &mut mechanisms, &params, d, &mut tally, &mut ActLog::new(false));

        let r = &core.residents;
        for &i in &members {
            assert!(before.move_in_day[i] < 0, "an initial resident");
            assert_eq!((r.move_in_day[i], r.habit[i], r.last_active[i]), (d, 0.0, NEVER));
            assert_eq!(r.cohort[i], before.cohort[i], "newcomers of the same cohort");
            for &k in &members {
                assert!(i == k || core.network.has_tie(i, k), "household ties are kept");
            }
        }
        assert!(
            old_outside.iter().any(|&j| members.iter().all(|&i| !core.network.has_tie(i, j))),
            "the leavers' ties outside the household are dropped"
        );
        assert_eq!(core.residents.active_ties.0, recount(&core, d - 1), "counts of active ties stay right");
        for &i in &untouched {
            assert_eq!((r.move_in_day[i], r.last_active[i]), (before.move_in_day[i], before.last_active[i]));
        }
        let boundary = |j: &ResidentId| core.residents.last_active[*j] == d - window;
        assert!(
            members.iter().any(|&i| core.network.ties(i).iter().any(boundary)),
            "a newcomer knows someone whose activity expires today (the count is as of yesterday)"
        );
        assert!(core.move_out_day[h] > d as u32, "the newcomers move out later");

        // A day no household is due changes nobody.
        let next = (d + 1..d + 400).find(|&day| core.move_out_day.iter().all(|&m| m != day as u32)).unwrap();
        let before = core.residents.clone();
        churn(&mut core, &mut mechanisms, &params, next, &mut tally, &mut ActLog::new(false));
        assert_eq!(core.residents.move_in_day, before.move_in_day);
        assert_eq!(core.residents.active_ties, before.active_ties);
    }
}
