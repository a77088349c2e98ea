//! The ordered apply pass of taking part (in resident order, so results never depend on
//! threads): expiries, places by random priority, taking part, and ties formed by taking part
//! together.

use crate::model::behaviour::decide::{Applicant, Decisions, split_draw};
use crate::model::core::counters::DayRecord;
use crate::model::core::day::{DELIBERATION, FIRST_EVENT, Granted, Today, VOLUNTEER};
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::mechanisms::Mechanisms;

/// Residents whose last taking part left the window today stop counting for their ties.
pub fn expire(core: &mut Core, decisions: &[Decisions], d: i32) {
    for &i in decisions.iter().flat_map(|c| &c.expired) {
        if core.residents.last_active[i as usize] == d - core.rules.window {
            for &j in core.network.ties(i) {
                core.residents.active_ties[j as usize] -= 1;
            }
        }
    }
}

/// Places per activity go to the applicants with the lowest priority draws; places a mechanism
/// reserves for one cohort go to that cohort's applicants first.
pub fn allocate(core: &Core, mechanisms: &Mechanisms, decisions: &[Decisions], today: &Today) -> Granted {
    let mut applicants: Vec<Applicant> = decisions.iter().flat_map(|c| c.applicants.iter().copied()).collect();
    applicants.sort_unstable();
    let mut granted = vec![Vec::new(); FIRST_EVENT as usize + core.events.len()];
    if let Some(reserved) = mechanisms.reservation(today) {
        let first = |a: &Applicant| {
            a.activity == reserved.activity && core.residents.cohort[a.resident as usize] == reserved.cohort
        };
        let (entitled, others): (Vec<Applicant>, Vec<Applicant>) = applicants.into_iter().partition(first);
        for applicant in entitled.iter().take(reserved.places as usize) {
            granted[reserved.activity as usize].push(applicant.resident);
        }
        applicants = entitled.into_iter().skip(reserved.places as usize).chain(others).collect();
        applicants.sort_unstable();
    }
    for applicant in applicants {
        let activity = applicant.activity as usize;
        if granted[activity].len() < capacity(core, mechanisms, applicant.activity, today) as usize {
            granted[activity].push(applicant.resident);
        }
    }
    granted
}

fn capacity(core: &Core, mechanisms: &Mechanisms, activity: u16, today: &Today) -> u32 {
    match activity {
        VOLUNTEER => today.tasks,
        DELIBERATION => core.rules.seats,
        event if event >= FIRST_EVENT => core.events[(event - FIRST_EVENT) as usize].capacity,
        mechanism => mechanisms.capacity(mechanism),
    }
}

/// Counts volunteers and attendees, special-event attendance by age, and marks everyone
/// granted a place as taking part.
pub fn take_part(core: &mut Core, granted: &Granted, d: i32, tally: &mut DayRecord) {
    for &i in &granted[VOLUNTEER as usize] {
        tally[core.residents.cohort[i as usize].index()].core.volunteers += 1;
    }
    let mut attendees: Vec<u32> = granted[DELIBERATION as usize..].iter().flatten().copied().collect();
    attendees.sort_unstable();
    attendees.dedup();
    for &i in &attendees {
        tally[core.residents.cohort[i as usize].index()].core.attendees += 1;
    }
    for (e, attendees) in granted[FIRST_EVENT as usize..].iter().enumerate() {
        if core.events[e].special {
            for &i in attendees {
                core.by_age.special_event_attendances[core.age_of(i) as usize] += 1;
            }
        }
    }
    for &i in granted.iter().flatten() {
        core.mark_taking_part(i as usize, d);
    }
}

/// Participants of the same activity may form a tie (both are active, so both counts rise).
pub fn form_ties(core: &mut Core, granted: &Granted, d: i32) {
    for (activity, participants) in granted.iter().enumerate() {
        if participants.len() < 2 {
            continue;
        }
        for (position, &p) in participants.iter().enumerate() {
            let mut rng = core.key(d, p, purposes::CO_PARTICIPATION).rng();
            rng.advance(activity as u128); // exactly one draw per activity
            let (chance, pick) = split_draw(rand::Rng::next_u64(&mut rng));
            if chance >= core.rules.tie_chance {
                continue;
            }
            // Lemire's multiply-shift maps the 32-bit draw onto the other participants.
            let pick = ((u64::from(pick) * (participants.len() as u64 - 1)) >> 32) as usize;
            let q = participants[if pick >= position { pick + 1 } else { pick }];
            if core.network.link(p, q) {
                core.residents.active_ties[p as usize] += 1;
                core.residents.active_ties[q as usize] += 1;
            }
        }
    }
}
