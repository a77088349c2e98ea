//! The ordered apply pass of taking part (in resident order, so results never depend on
//! threads): expiries, places by random priority, taking part, and ties formed by taking part
//! together.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::behaviour::decide::{Applicant, Decisions, split_draw};
use crate::model::core::acts::{ATTENDED, ActLog, VOLUNTEERED};
use crate::model::core::counters::DayRecord;
use crate::model::core::day::{Activity, DELIBERATION, FIRST_EVENT, Granted, Today, VOLUNTEER};
use crate::model::core::purposes;
use crate::model::core::state::Core;
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
/// reserves for one cohort go to that cohort's applicants first. Every application is counted
/// by activity and cohort ([`Granted::applicants`]), from the counts each chunk made
/// ([`Decisions::sort_and_count`]). Each chunk's applicants come sorted and are merged, not
/// copied, activity by activity until its places run out: on a festival day a third of the
/// community applies.
pub fn allocate(core: &Core, mechanisms: &Mechanisms, decisions: &[Decisions], today: &Today) -> Granted {
    // A check, not a sort: the decide pass sorts; an unsorted list would grant in the wrong order.
    assert!(decisions.iter().all(|c| c.applicants.is_sorted()), "each chunk's applicants sorted");
    let mut granted = Granted::new(core.events.len());
    for chunk in decisions {
        assert!(chunk.counted(), "each chunk's applications counted");
        granted.count_applications(&chunk.applied);
    }
    let lists = || decisions.iter().map(|c| c.applicants.as_slice()).collect::<Vec<_>>();
    match mechanisms.reservation(today) {
        None => grant_by_activity(core, mechanisms, today, lists(), &mut granted),
        Some(reserved) => {
            // Reserved places first, to that cohort's applicants in priority order; then the rest.
            let first =
                |a: &Applicant| a.activity == reserved.activity && core.residents.cohort[a.resident] == reserved.cohort;
            let (entitled, others): (Vec<Applicant>, Vec<Applicant>) = merged(lists()).partition(first);
            let places = reserved.places as usize;
            for applicant in entitled.iter().take(places) {
                granted.grant(reserved.activity, applicant.resident);
            }
            let mut rest: Vec<Applicant> = entitled.into_iter().skip(places).chain(others).collect();
            rest.sort_unstable();
            grant_in_order(core, mechanisms, today, rest.into_iter(), &mut granted);
        }
    }
    granted
}

/// Grants each applicant, in the order given, a place while their activity has one left.
fn grant_in_order(
    core: &Core,
    mechanisms: &Mechanisms,
    today: &Today,
    applicants: impl Iterator<Item = Applicant>,
    granted: &mut Granted,
) {
    for Applicant { activity, resident, .. } in applicants {
        if granted.of(activity).len() < capacity(core, mechanisms, activity, today) as usize {
            granted.grant(activity, resident);
        }
    }
}

/// As [`grant_in_order`] over the merge of `lists` (each sorted), activity by activity: each
/// activity's runs are merged only until its places are all granted.
fn grant_by_activity(
    core: &Core,
    mechanisms: &Mechanisms,
    today: &Today,
    mut lists: Vec<&[Applicant]>,
    granted: &mut Granted,
) {
    while let Some(activity) = lists.iter().filter_map(|list| list.first()).map(|a| a.activity).min() {
        let runs: Vec<&[Applicant]> = lists
            .iter_mut()
            .map(|list| {
                let (run, rest) = list.split_at(list.partition_point(|a| a.activity == activity));
                *list = rest;
                run
            })
            .collect();
        let places = capacity(core, mechanisms, activity, today) as usize;
        for applicant in merged(runs).take(places) {
            granted.grant(activity, applicant.resident);
        }
    }
}

/// The applicants of `lists`, each sorted, in the order of one sorted list (a k-way merge).
fn merged(lists: Vec<&[Applicant]>) -> impl Iterator<Item = Applicant> + '_ {
    let heads = lists.iter().enumerate().filter_map(|(k, list)| list.first().map(|&a| Reverse((a, k, 0))));
    let mut heads: BinaryHeap<Reverse<(Applicant, usize, usize)>> = heads.collect();
    std::iter::from_fn(move || {
        let Reverse((applicant, list, position)) = heads.pop()?;
        if let Some(&next) = lists[list].get(position + 1) {
            heads.push(Reverse((next, list, position + 1)));
        }
        Some(applicant)
    })
}

fn capacity(core: &Core, mechanisms: &Mechanisms, activity: Activity, today: &Today) -> u32 {
    match activity {
        VOLUNTEER => today.tasks,
        DELIBERATION => core.rules.seats,
        event if event >= FIRST_EVENT => core.events[usize::from(event - FIRST_EVENT)].capacity,
        mechanism => mechanisms.capacity(mechanism),
    }
}

/// Counts today's demand for the core's capped activities and their supply: each cohort's
/// applicants for volunteer tasks, the deliberation day and events (one per activity applied
/// to, granted or not), and the places offered, the community's (the same in every cohort):
/// tasks, deliberation seats on a deliberation day, and the capacities of today's events.
pub fn count_demand(core: &Core, granted: &Granted, today: &Today, tally: &mut DayRecord) {
    let volunteer_places = today.tasks;
    let deliberation_seats = if today.deliberation { core.rules.seats } else { 0 };
    let event_places: u64 = today.events.iter().map(|&e| u64::from(core.events[usize::from(e)].capacity)).sum();
    let (volunteers, deliberation) = (granted.applicants(VOLUNTEER), granted.applicants(DELIBERATION));
    for (c, cohort) in tally.iter_mut().enumerate() {
        let counters = &mut cohort.core;
        counters.volunteer_applicants += volunteers[c];
        counters.deliberation_applicants += deliberation[c];
        for e in 0..core.events.len() as Activity {
            counters.event_applicants += u64::from(granted.applicants(FIRST_EVENT + e)[c]);
        }
        counters.volunteer_places = volunteer_places;
        counters.deliberation_seats = deliberation_seats;
        counters.event_places = event_places;
    }
}

/// Counts volunteers and attendees, special-event attendance by age, and marks everyone
/// granted a place as taking part.
pub fn take_part(core: &mut Core, granted: &Granted, d: i32, tally: &mut DayRecord, acts: &mut ActLog) {
    for &i in granted.of(VOLUNTEER) {
        tally[core.residents.cohort[i].index()].core.volunteers += 1;
        acts.record(d, i, VOLUNTEERED, 0);
    }
    for (activity, who) in granted.activities().filter(|&(a, _)| a >= DELIBERATION) {
        for &i in who {
            acts.record(d, i, ATTENDED, activity.into());
        }
    }
    for i in granted.residents_in(|a| a >= DELIBERATION) {
        tally[core.residents.cohort[i].index()].core.attendees += 1;
    }
    for (e, event) in core.events.iter().enumerate() {
        if event.special {
            for &i in granted.event(e) {
                core.by_age.special_event_attendances[core.residents.age[i].index()] += 1;
            }
        }
    }
    // In resident order: marking is per resident (a second place the same day changes nothing),
    // and in this order the residents' state and their neighbours' counts (mostly in the same
    // building) are visited front to back, not at random across a city's memory.
    let everyone = granted.residents_in(|_| true);
    for (k, &i) in everyone.iter().enumerate() {
        if let Some(&ahead) = everyone.get(k + PREFETCH_AHEAD) {
            core.prefetch_taking_part(ahead);
        }
        if let Some(&nearer) = everyone.get(k + PREFETCH_AHEAD / 2) {
            core.prefetch_tie_counts(nearer);
        }
        core.mark_taking_part(i, d);
    }
}

/// How many participants ahead [`take_part`] asks for a participant's state: far enough for
/// memory to arrive, near enough to stay in cache.
const PREFETCH_AHEAD: usize = 8;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::counters::CoreCounters;
    use crate::model::core::day::FIRST_MECHANISM_ACTIVITY;
    use crate::model::core::events::{Event, EventPlan};
    use crate::model::core::population::NEVER;
    use crate::model::core::types::{Cohort, ResidentId};

    fn today(day: i32, tasks: u32, policies_on: bool) -> Today {
        Today { tasks, deliberation: true, ..Today::for_tests(day, policies_on) }
    }

    /// Applicants split over two chunks of the decide pass, in no particular order.
    fn decisions(core: &Core, applicants: &[(Activity, u32, ResidentId)]) -> Vec<Decisions> {
        let applicant =
            |&(activity, priority, resident): &(Activity, u32, ResidentId)| Applicant { activity, priority, resident };
        let (first, second) = applicants.split_at(applicants.len() / 2);
        [first, second]
            .into_iter()
            .map(|part| {
                let mut chunk = Decisions { applicants: part.iter().map(applicant).collect(), ..Decisions::default() };
                chunk.sort_and_count(&core.residents);
                chunk
            })
            .collect()
    }

    /// Every resident's count of active ties, recounted from the network.
    fn recount(core: &Core, d: i32) -> Vec<u16> {
        let r = &core.residents;
        r.ids()
            .map(|i| core.network.ties(i).iter().filter(|&&j| r.is_active(j, d, core.rules.window)).count() as u16)
            .collect()
    }

    fn with_cohort(core: &Core, wanted: impl Fn(Cohort) -> bool, n: usize) -> Vec<ResidentId> {
        let found: Vec<ResidentId> =
            core.residents.ids().filter(|&i| wanted(core.residents.cohort[i])).take(n).collect();
        assert_eq!(found.len(), n, "the test community has {n} such residents");
        found
    }

    /// `chunks` chunks of the decide pass, each of `size` residents applying for one of
    /// `activities` at random with a priority under `priorities`, sorted and counted.
    fn random_chunks(
        core: &Core,
        seed: u64,
        chunks: u32,
        size: u32,
        activities: &[Activity],
        priorities: u32,
    ) -> Vec<Decisions> {
        let mut rng =
            crate::engine::rng::StreamKey { seed, replicate: 0, day: 0, agent: 0, purpose: purposes::DECIDE }.rng();
        let mut next = move || rand::Rng::next_u32(&mut rng);
        (0..chunks)
            .map(|chunk| {
                let applicants = (0..size)
                    .map(|k| Applicant {
                        activity: activities[next() as usize % activities.len()],
                        priority: next() % priorities,
                        resident: ResidentId(chunk * size + k),
                    })
                    .collect();
                let mut chunk = Decisions { applicants, ..Decisions::default() };
                chunk.sort_and_count(&core.residents);
                chunk
            })
            .collect()
    }

    /// Each chunk's applicants, as the allocation reads them.
    fn lists(chunks: &[Decisions]) -> Vec<&[Applicant]> {
        chunks.iter().map(|c| c.applicants.as_slice()).collect()
    }

    #[test]
    fn merging_sorted_chunks_gives_the_order_of_one_sort() {
        let (core, _) = Core::for_tests(200);
        let chunks = random_chunks(&core, 3, 5, 40, &[0, 1, 2], 50);
        let mut all: Vec<Applicant> = chunks.iter().flat_map(|c| c.applicants.iter().copied()).collect();
        all.sort_unstable();
        assert_eq!(merged(lists(&chunks)).collect::<Vec<_>>(), all);
    }

    #[test]
    fn granting_activity_by_activity_is_granting_in_merged_order() {
        let (mut core, params) = Core::for_tests(300);
        core.rules.seats = 3;
        core.events.push(EventPlan::from_event(&Event { capacity: 2, ..Event::probe() }));
        let mechanisms = Mechanisms::build(&params, &core);
        let today = today(3, 4, false);
        let activities = [VOLUNTEER, DELIBERATION, FIRST_EVENT];
        let chunks = random_chunks(&core, 5, 4, 75, &activities, 1000);
        let (mut by_activity, mut in_order) = (Granted::new(1), Granted::new(1));
        grant_by_activity(&core, &mechanisms, &today, lists(&chunks), &mut by_activity);
        grant_in_order(&core, &mechanisms, &today, merged(lists(&chunks)), &mut in_order);
        assert_eq!(by_activity, in_order);
        assert_eq!(
            activities.map(|a| in_order.of(a).len()),
            [4, 3, 2],
            "every activity has more applicants than places"
        );
    }

    #[test]
    fn places_go_by_lowest_priority_up_to_each_capacity() {
        let (mut core, params) = Core::for_tests(300);
        core.rules.seats = 2;
        core.events.push(EventPlan::from_event(&Event { capacity: 1, ..Event::probe() }));
        let mechanisms = Mechanisms::build(&params, &core);
        let r = |k: u32| ResidentId(k);
        let event = FIRST_EVENT;
        let applicants = [
            (VOLUNTEER, 30, r(1)),
            (DELIBERATION, 5, r(4)),
            (event, 7, r(7)),
            (VOLUNTEER, 10, r(2)),
            (DELIBERATION, 50, r(5)),
            (VOLUNTEER, 20, r(3)),
            (event, 3, r(8)),
            (DELIBERATION, 1, r(6)),
        ];
        let granted = allocate(&core, &mechanisms, &decisions(&core, &applicants), &today(3, 1, false));
        assert_eq!(granted.of(VOLUNTEER), &[r(2)], "one task: the lowest volunteer priority");
        assert_eq!(granted.of(DELIBERATION), &[r(6), r(4)], "two seats, in priority order");
        assert_eq!(granted.event(0), &[r(8)], "the event's one place");

        let granted = allocate(&core, &mechanisms, &decisions(&core, &applicants), &today(3, 3, false));
        assert_eq!(granted.of(VOLUNTEER), &[r(2), r(3), r(1)], "three tasks take every volunteer");
        let granted = allocate(&core, &mechanisms, &decisions(&core, &applicants), &today(3, 0, false));
        assert!(granted.of(VOLUNTEER).is_empty(), "no tasks, no volunteers");
    }

    #[test]
    fn reserved_seats_go_to_transients_first() {
        let (mut core, mut params) = Core::for_tests(300);
        core.rules.seats = 4;
        params.policy.transient_seat.seats = 2;
        let mechanisms = Mechanisms::build(&params, &core);
        let transients = with_cohort(&core, |c| c == Cohort::Transient, 3);
        let others = with_cohort(&core, |c| c != Cohort::Transient, 3);
        let applicants = [
            (DELIBERATION, 100, transients[0]),
            (DELIBERATION, 1, others[0]),
            (DELIBERATION, 300, transients[2]),
            (DELIBERATION, 2, others[1]),
            (DELIBERATION, 200, transients[1]),
            (DELIBERATION, 3, others[2]),
        ];
        let decisions = decisions(&core, &applicants);
        let on = today(3, 0, true);
        assert!(mechanisms.reservation(&on).is_some());
        let granted = allocate(&core, &mechanisms, &decisions, &on);
        assert_eq!(
            granted.of(DELIBERATION),
            &[transients[0], transients[1], others[0], others[1]],
            "the two reserved seats first, then the rest by priority (the third transient is outbid)"
        );
        let off = today(3, 0, false);
        assert!(mechanisms.reservation(&off).is_none(), "no reservation before the policies start");
        let granted = allocate(&core, &mechanisms, &decisions, &off);
        assert_eq!(granted.of(DELIBERATION), &[others[0], others[1], others[2], transients[0]]);
    }

    #[test]
    fn every_application_is_counted_once_per_activity_and_places_are_today_s() {
        let (mut core, mut params) = Core::for_tests(300);
        core.rules.seats = 3;
        params.policy.transient_seat.seats = 2;
        for _ in 0..3 {
            core.events.push(EventPlan::from_event(&Event { capacity: 1, ..Event::probe() }));
        }
        let mechanisms = Mechanisms::build(&params, &core);
        let transients = with_cohort(&core, |c| c == Cohort::Transient, 3);
        let others = with_cohort(&core, |c| c != Cohort::Transient, 3);
        let everyone: Vec<ResidentId> = transients.iter().chain(&others).copied().collect();
        // Six apply for three seats, two of them reserved for transients; three for two tasks;
        // three applications for the two places of today's events, one resident applying to both.
        let mut applicants: Vec<(Activity, u32, ResidentId)> =
            everyone.iter().enumerate().map(|(k, &i)| (DELIBERATION, 10 * k as u32, i)).collect();
        let volunteers = [others[0], transients[0], others[1]];
        applicants.extend(volunteers.iter().zip(5..).map(|(&i, priority)| (VOLUNTEER, priority, i)));
        let to_events = [(FIRST_EVENT, others[2]), (FIRST_EVENT + 2, others[2]), (FIRST_EVENT, transients[1])];
        applicants.extend(to_events.iter().map(|&(event, i)| (event, 1, i)));
        let mut on = today(3, 2, true);
        on.events = vec![0, 2];
        let granted = allocate(&core, &mechanisms, &decisions(&core, &applicants), &on);
        let mut tally = DayRecord::default();
        count_demand(&core, &granted, &on, &mut tally);

        let by_cohort = |who: &[ResidentId]| {
            let mut counts = [0u64; 3];
            for &i in who {
                counts[core.residents.cohort[i].index()] += 1;
            }
            counts
        };
        let counted = |of: fn(&CoreCounters) -> u64| tally.each_ref().map(|c| of(&c.core));
        assert_eq!(counted(|c| c.volunteer_applicants.into()), by_cohort(&volunteers));
        assert_eq!(counted(|c| c.deliberation_applicants.into()), by_cohort(&everyone), "reserved or not");
        let event_applicants = by_cohort(&to_events.map(|(_, i)| i));
        assert_eq!(counted(|c| c.event_applicants), event_applicants, "one application per event applied to");
        for c in &tally {
            let (places, seats, events) = (c.core.volunteer_places, c.core.deliberation_seats, c.core.event_places);
            assert_eq!((places, seats, events), (2, 3, 2), "the community's places, in every cohort");
        }
        let total = |of: fn(&CoreCounters) -> u64| counted(of).iter().sum::<u64>();
        assert_eq!(
            (total(|c| c.volunteer_applicants.into()), granted.of(VOLUNTEER).len()),
            (3, 2),
            "demand exceeds the places"
        );
        assert_eq!((total(|c| c.deliberation_applicants.into()), granted.of(DELIBERATION).len()), (6, 3));
        assert_eq!((total(|c| c.event_applicants), granted.event(0).len() + granted.event(2).len()), (3, 2));

        let mut quiet = today(4, 0, false);
        quiet.deliberation = false;
        let granted = allocate(&core, &mechanisms, &decisions(&core, &[]), &quiet);
        let mut tally = DayRecord::default();
        count_demand(&core, &granted, &quiet, &mut tally);
        assert_eq!(tally, DayRecord::default(), "no tasks, no deliberation day, no events: nothing offered");
    }

    #[test]
    fn taking_part_is_counted_once_and_makes_residents_active() {
        let (mut core, _params) = Core::for_tests(300);
        core.events.push(EventPlan::from_event(&Event { capacity: 10, ..Event::probe() }));
        assert!(core.events[0].special, "a one-off event is special");
        let d = 7;
        let (a, b) = (ResidentId(10), ResidentId(50));
        assert!(core.network.degree(a) > 0 && core.network.degree(b) > 0);
        assert_eq!((core.residents.last_active[a], core.residents.last_active[b]), (NEVER, NEVER));
        let before = core.residents.active_ties.clone();
        let mut granted = Granted::new(core.events.len());
        granted.grant(VOLUNTEER, a);
        granted.grant(DELIBERATION, a);
        granted.grant(DELIBERATION, b);
        granted.grant(FIRST_MECHANISM_ACTIVITY, b);
        granted.grant(FIRST_EVENT, a);
        let mut tally = DayRecord::default();
        take_part(&mut core, &granted, d, &mut tally, &mut ActLog::new(false));

        let (mut volunteers, mut attendees) = ([0; 3], [0; 3]);
        volunteers[core.residents.cohort[a].index()] += 1;
        attendees[core.residents.cohort[a].index()] += 1;
        attendees[core.residents.cohort[b].index()] += 1;
        assert_eq!(tally.each_ref().map(|c| c.core.volunteers), volunteers);
        assert_eq!(tally.each_ref().map(|c| c.core.attendees), attendees, "each attendee counted once");
        let mut special = [0; 4];
        special[core.residents.age[a].index()] += 1;
        assert_eq!(core.by_age.special_event_attendances, special);

        assert_eq!((core.residents.last_active[a], core.residents.last_active[b]), (d, d));
        assert!(core.residents.habit[a] > 0.0 && core.residents.habit[b] > 0.0);
        let mut expected = before;
        for i in [a, b] {
            for &j in core.network.ties(i) {
                expected[j] += 1;
            }
        }
        assert_eq!(core.residents.active_ties, expected, "each neighbour learns of each participant once");
        assert_eq!(core.residents.active_ties.0, recount(&core, d));
    }

    #[test]
    fn marking_in_resident_order_is_marking_in_the_order_of_places() {
        let d = 30;
        // Some already active (their neighbours count them); places in no order, more than the
        // prefetch reaches ahead, and a third of the residents with places in two activities.
        let community = || {
            let (mut core, _params) = Core::for_tests(3 * CHUNK_OF_TEST);
            for i in (0..core.residents.len() as u32).step_by(7).map(ResidentId) {
                core.mark_taking_part(i, d - 2);
            }
            core
        };
        let (mut core, mut by_place) = (community(), community());
        let places = (0..800u32).map(|k| (k, ResidentId((k * 7919) % (2 * CHUNK_OF_TEST))));
        let mut granted = Granted::new(core.events.len());
        for (k, i) in places {
            granted.grant(if k < 2 * CHUNK_OF_TEST { VOLUNTEER } else { DELIBERATION }, i);
        }
        let distinct = granted.residents_in(|_| true);
        assert!(distinct.len() < granted.everyone().count(), "some residents have two places");
        assert!(distinct.iter().any(|&i| core.residents.is_active(i, d, core.rules.window)), "some already active");
        let before = core.residents.active_ties.clone();
        for i in granted.everyone() {
            by_place.mark_taking_part(i, d);
        }
        take_part(&mut core, &granted, d, &mut DayRecord::default(), &mut ActLog::new(false));
        assert_ne!(core.residents.active_ties, before, "newly active residents' neighbours count them");
        let (r, s) = (&core.residents, &by_place.residents);
        assert_eq!((&r.active_ties, &r.last_active), (&s.active_ties, &s.last_active));
        assert_eq!((&r.habit, &r.attachment, &r.awareness), (&s.habit, &s.attachment, &s.awareness));
        let identities = |core: &Core| r.ids().map(|i| core.motives.identity.stock(i)).collect::<Vec<f32>>();
        assert_eq!(identities(&core), identities(&by_place));
        assert_eq!(core.residents.active_ties.0, recount(&core, d));
    }

    /// Residents per third of [`marking_in_resident_order_is_marking_in_the_order_of_places`].
    const CHUNK_OF_TEST: u32 = 300;

    #[test]
    fn expiry_lowers_neighbours_counts_when_the_window_closes() {
        let (mut core, _params) = Core::for_tests(300);
        let window = core.rules.window;
        let d = 40;
        let (a, b) = (ResidentId(10), ResidentId(200));
        assert!(!core.network.has_tie(a, b) && core.network.ties(a).iter().all(|j| !core.network.has_tie(*j, b)));
        core.mark_taking_part(a, d - window);
        core.mark_taking_part(b, d - window + 1);
        let before = core.residents.active_ties.clone();
        assert_ne!(before.0, recount(&core, d), "a's neighbours still count a");
        let chunk = Decisions { expired: vec![a, b], ..Decisions::default() };
        expire(&mut core, &[Decisions::default(), chunk], d);
        assert_eq!(core.residents.active_ties.0, recount(&core, d));
        for &j in core.network.ties(a) {
            assert_eq!(core.residents.active_ties[j], before[j] - 1);
        }
        for &j in core.network.ties(b) {
            assert_eq!(core.residents.active_ties[j], before[j], "b is still active");
        }
    }

    #[test]
    fn taking_part_together_forms_ties() {
        let (mut core, _params) = Core::for_tests(300);
        core.rules.tie_chance = 1.0;
        let d = 5;
        let (p, q, alone) = (ResidentId(3), ResidentId(290), ResidentId(150));
        assert!(!core.network.has_tie(p, q));
        assert!(
            core.network.degree(p) < core.network.max_degree() && core.network.degree(q) < core.network.max_degree()
        );
        let mut granted = Granted::new(core.events.len());
        granted.grant(DELIBERATION, p);
        granted.grant(DELIBERATION, q);
        granted.grant(VOLUNTEER, alone);
        let mut tally = DayRecord::default();
        take_part(&mut core, &granted, d, &mut tally, &mut ActLog::new(false));
        let before = core.residents.active_ties.clone();
        let degrees = [p, q, alone].map(|i| core.network.degree(i));
        form_ties(&mut core, &granted, d);
        assert!(core.network.has_tie(p, q), "co-participants are linked");
        assert_eq!([p, q, alone].map(|i| core.network.degree(i)), [degrees[0] + 1, degrees[1] + 1, degrees[2]]);
        assert_eq!((core.residents.active_ties[p], core.residents.active_ties[q]), (before[p] + 1, before[q] + 1));
        assert_eq!(core.residents.active_ties.0, recount(&core, d));

        let (mut core, _params) = Core::for_tests(300);
        core.rules.tie_chance = 0.0;
        take_part(&mut core, &granted, d, &mut tally, &mut ActLog::new(false));
        form_ties(&mut core, &granted, d);
        assert!(!core.network.has_tie(p, q), "no ties at chance 0");
    }
}
