//! The ordered apply pass of taking part (in resident order, so results never depend on
//! threads): expiries, places by random priority, taking part, and ties formed by taking part
//! together.

use crate::model::behaviour::decide::{Applicant, Decisions, split_draw};
use crate::model::core::counters::DayRecord;
use crate::model::core::day::{Activity, DELIBERATION, FIRST_EVENT, Granted, Today, VOLUNTEER};
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;
use crate::model::mechanisms::Mechanisms;

/// Residents whose last taking part left the window today stop counting for their ties.
pub fn expire(core: &mut Core, decisions: &[Decisions], d: i32) {
    for &i in decisions.iter().flat_map(|c| &c.expired) {
        if core.residents.last_active[i] == d - core.rules.window {
            for &j in core.network.ties(i) {
                core.residents.active_ties[j] -= 1;
            }
        }
    }
}

/// Places per activity go to the applicants with the lowest priority draws; places a mechanism
/// reserves for one cohort go to that cohort's applicants first.
pub fn allocate(core: &Core, mechanisms: &Mechanisms, decisions: &[Decisions], today: &Today) -> Granted {
    let mut applicants: Vec<Applicant> = decisions.iter().flat_map(|c| c.applicants.iter().copied()).collect();
    applicants.sort_unstable();
    let mut granted = Granted::new(core.events.len());
    if let Some(reserved) = mechanisms.reservation(today) {
        let first =
            |a: &Applicant| a.activity == reserved.activity && core.residents.cohort[a.resident] == reserved.cohort;
        let (entitled, others): (Vec<Applicant>, Vec<Applicant>) = applicants.into_iter().partition(first);
        let places = reserved.places as usize;
        for applicant in entitled.iter().take(places) {
            granted.grant(reserved.activity, applicant.resident);
        }
        applicants = entitled.into_iter().skip(places).chain(others).collect();
        applicants.sort_unstable();
    }
    for Applicant { activity, resident, .. } in applicants {
        if granted.of(activity).len() < capacity(core, mechanisms, activity, today) as usize {
            granted.grant(activity, resident);
        }
    }
    granted
}

fn capacity(core: &Core, mechanisms: &Mechanisms, activity: Activity, today: &Today) -> u32 {
    match activity {
        VOLUNTEER => today.tasks,
        DELIBERATION => core.rules.seats,
        event if event >= FIRST_EVENT => core.events[usize::from(event - FIRST_EVENT)].capacity,
        mechanism => mechanisms.capacity(mechanism),
    }
}

/// Counts volunteers and attendees, special-event attendance by age, and marks everyone
/// granted a place as taking part.
pub fn take_part(core: &mut Core, granted: &Granted, d: i32, tally: &mut DayRecord) {
    for &i in granted.of(VOLUNTEER) {
        tally[core.residents.cohort[i].index()].core.volunteers += 1;
    }
    let mut attendees: Vec<ResidentId> =
        granted.activities().filter(|&(a, _)| a >= DELIBERATION).flat_map(|(_, who)| who.iter().copied()).collect();
    attendees.sort_unstable();
    attendees.dedup();
    for &i in &attendees {
        tally[core.residents.cohort[i].index()].core.attendees += 1;
    }
    for (e, event) in core.events.iter().enumerate() {
        if event.special {
            for &i in granted.event(e) {
                core.by_age.special_event_attendances[core.residents.age[i].index()] += 1;
            }
        }
    }
    for i in granted.everyone() {
        core.mark_taking_part(i, d);
    }
}

/// Participants of the same activity may form a tie (both are active, so both counts rise).
pub fn form_ties(core: &mut Core, granted: &Granted, d: i32) {
    for (activity, participants) in granted.activities() {
        if participants.len() < 2 {
            continue;
        }
        for (position, &p) in participants.iter().enumerate() {
            let mut rng = core.key(d, p.0, purposes::CO_PARTICIPATION).rng();
            rng.advance(u128::from(activity)); // exactly one draw per activity
            let (chance, pick) = split_draw(rand::Rng::next_u64(&mut rng));
            if chance >= core.rules.tie_chance {
                continue;
            }
            // Lemire's multiply-shift maps the 32-bit draw onto the other participants.
            let pick = ((u64::from(pick) * (participants.len() as u64 - 1)) >> 32) as usize;
            let q = participants[if pick >= position { pick + 1 } else { pick }];
            if core.network.link(p, q) {
                core.residents.active_ties[p] += 1;
                core.residents.active_ties[q] += 1;
            }
        }
    }
}
