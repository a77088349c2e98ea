//! Who lives here: the initial population and its ties, and the daily churn in which
//! households due to move out leave and newcomers of the same cohort take their place.

use rand::RngExt;

use crate::engine::parallel::{CHUNK, Split, map_chunks};
use crate::model::behaviour::rules;
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
                let head = core.structure.household_start[core.residents.household[i] as usize] == i.0;
                draw_traits(core.residents.cohort[i], head, params, Arrival::Initial, &mut rng)
            };
            (batch_start + range.start..batch_start + range.end).map(ResidentId::new).map(draw).collect::<Vec<_>>()
        });
        for (k, traits) in drawn.iter().flatten().enumerate() {
            core.residents.set_fresh(ResidentId::new(batch_start + k), traits);
        }
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
pub fn churn(core: &mut Core, mechanisms: &mut Mechanisms, params: &Params, d: i32, tally: &mut DayRecord) {
    for h in 0..core.structure.n_households() {
        if core.move_out_day[h] == d as u32 {
            replace_household(core, mechanisms, params, h, d, tally);
        }
    }
}

fn replace_household(
    core: &mut Core,
    mechanisms: &mut Mechanisms,
    params: &Params,
    h: usize,
    d: i32,
    tally: &mut DayRecord,
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
        mechanisms.on_move_out(i, &mut tally[cohort]);
    }
    for i in members.clone().map(ResidentId) {
        let mut rng = core.key(d, i.0, purposes::NEWCOMER).rng();
        let cohort = core.residents.cohort[i];
        let head = i.0 == members.start;
        let traits = draw_traits(cohort, head, params, Arrival::Newcomer { day: d }, &mut rng);
        core.residents.set_fresh(i, &traits);
        mechanisms.on_move_in(i);
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
