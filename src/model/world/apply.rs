//! The ordered apply pass (in resident order, so results never depend on threads) and the
//! parallel end-of-day pass.

use rand::RngExt;
use rayon::prelude::*;

use super::decide::{Applicant, Decisions, Need, NeedKind, Voice};
use super::{DELIBERATION, FIRST_EVENT, INTEGRATION, Today, VOLUNTEER, World};
use crate::engine::parallel::{CHUNK, Split};
use crate::engine::rng::unit_f32;
use crate::model::behaviour::rules;
use crate::model::core::complaints::Pending;
use crate::model::core::counters::{CohortDay, DayRecord};
use crate::model::core::population::Residents;
use crate::model::core::purposes;
use crate::model::core::types::{Cohort, N_COHORTS};
use crate::model::mechanisms::merchants;
use crate::model::mechanisms::outreach;

/// Counts gathered while applying the day's decisions.
#[derive(Default)]
pub(super) struct Tally {
    pub by_cohort: [CohortDay; N_COHORTS],
}

impl Tally {
    pub fn cohort(&mut self, cohort: Cohort) -> &mut CohortDay {
        &mut self.by_cohort[cohort.index()]
    }
}

impl World {
    /// Residents whose last taking part left the window today stop counting for their ties.
    pub(super) fn expire(&mut self, decisions: &[Decisions], d: i32) {
        for &i in decisions.iter().flat_map(|c| &c.expired) {
            if self.residents.last_active[i as usize] == d - self.rules.window {
                for &j in self.network.ties(i) {
                    self.residents.active_ties[j as usize] -= 1;
                }
            }
        }
    }

    /// Places per activity go to the applicants with the lowest priority draws; reserved
    /// deliberation seats go to transient applicants first.
    pub(super) fn allocate(&self, decisions: &[Decisions], today: &Today) -> Vec<Vec<u32>> {
        let mut applicants: Vec<Applicant> = decisions.iter().flat_map(|c| c.applicants.iter().copied()).collect();
        applicants.sort_unstable();
        let mut granted = vec![Vec::new(); FIRST_EVENT as usize + self.events.len()];
        let reserved = if today.policies_on { self.params.policy.transient_seat.seats } else { 0 };
        let is_transient = |a: &Applicant| self.residents.cohort[a.resident as usize] == Cohort::Transient;
        let (seated, others): (Vec<Applicant>, Vec<Applicant>) =
            applicants.into_iter().partition(|a| a.activity == DELIBERATION && is_transient(a));
        for applicant in seated.iter().take(reserved as usize) {
            granted[DELIBERATION as usize].push(applicant.resident);
        }
        let mut rest: Vec<Applicant> = seated.into_iter().skip(reserved as usize).chain(others).collect();
        rest.sort_unstable();
        for applicant in rest {
            let activity = applicant.activity as usize;
            if granted[activity].len() < self.capacity(applicant.activity, today) as usize {
                granted[activity].push(applicant.resident);
            }
        }
        granted
    }

    fn capacity(&self, activity: u16, today: &Today) -> u32 {
        match activity {
            VOLUNTEER => today.tasks,
            DELIBERATION => self.rules.seats,
            INTEGRATION => self.params.policy.integration.capacity,
            event => self.events[(event - FIRST_EVENT) as usize].capacity,
        }
    }

    pub(super) fn take_part(&mut self, granted: &[Vec<u32>], d: i32, tally: &mut Tally) {
        for &i in &granted[VOLUNTEER as usize] {
            tally.cohort(self.residents.cohort[i as usize]).volunteers += 1;
        }
        let mut attendees: Vec<u32> = granted[DELIBERATION as usize..].iter().flatten().copied().collect();
        attendees.sort_unstable();
        attendees.dedup();
        for &i in &attendees {
            tally.cohort(self.residents.cohort[i as usize]).attendees += 1;
        }
        for (e, attendees) in granted[FIRST_EVENT as usize..].iter().enumerate() {
            if self.events[e].special {
                for &i in attendees {
                    self.by_age.special_event_attendances[self.age_of(i) as usize] += 1;
                }
            }
        }
        for &i in granted.iter().flatten() {
            self.mark_taking_part(i as usize, d);
        }
        let integration = &self.params.policy.integration;
        for &i in &granted[INTEGRATION as usize] {
            let r = &mut self.residents;
            r.attachment[i as usize] = rules::gain(r.attachment[i as usize], integration.attachment_gain as f32);
            r.awareness[i as usize] = rules::gain(r.awareness[i as usize], integration.awareness_gain as f32);
        }
    }

    /// Taking part: neighbours learn of it (if newly active), habit, attachment and awareness grow.
    pub(super) fn mark_taking_part(&mut self, i: usize, d: i32) {
        let r = &mut self.residents;
        if r.last_active[i] == d {
            return;
        }
        if !r.is_active(i, d, self.rules.window) {
            for &j in self.network.ties(i as u32) {
                r.active_ties[j as usize] += 1;
            }
        }
        r.last_active[i] = d;
        let rates = &self.rules.rates;
        r.habit[i] = rules::gain(r.habit[i], rates.habit_gain);
        r.attachment[i] = rules::gain(r.attachment[i], rates.attachment_participation);
        r.awareness[i] = rules::gain(r.awareness[i], rates.awareness_participation);
    }

    /// Participants of the same activity may form a tie (both are active, so both counts rise).
    pub(super) fn form_ties(&mut self, granted: &[Vec<u32>], d: i32) {
        for (activity, participants) in granted.iter().enumerate() {
            if participants.len() < 2 {
                continue;
            }
            for (position, &p) in participants.iter().enumerate() {
                let mut rng = self.key(d, p, purposes::CO_PARTICIPATION).rng();
                rng.advance(activity as u128); // exactly one draw per activity
                let (chance, pick) = super::decide::split_draw(rand::Rng::next_u64(&mut rng));
                if chance >= self.rules.tie_chance {
                    continue;
                }
                // Lemire's multiply-shift maps the 32-bit draw onto the other participants.
                let pick = ((u64::from(pick) * (participants.len() as u64 - 1)) >> 32) as usize;
                let q = participants[if pick >= position { pick + 1 } else { pick }];
                if self.network.link(p, q) {
                    self.residents.active_ties[p as usize] += 1;
                    self.residents.active_ties[q as usize] += 1;
                }
            }
        }
    }

    /// Needs become complaints, proposals or silence; outreach may collect a silent one.
    pub(super) fn raise_needs(&mut self, decisions: &[Decisions], today: &Today, tally: &mut Tally) {
        for need in decisions.iter().flat_map(|c| c.needs.iter().copied()) {
            let voice = match need.voice {
                Voice::Silent if today.policies_on && self.collected(&need, today.day) => Voice::Complaint,
                voice => voice,
            };
            let i = need.resident;
            let cohort = self.residents.cohort[i as usize];
            if voice != Voice::Silent && need.kind == NeedKind::Merchant {
                self.blame_merchant(i, today.day);
                tally.cohort(cohort).merchant_grievances += 1;
            }
            match voice {
                Voice::Silent => tally.cohort(cohort).silent_needs += 1,
                Voice::Complaint => self.file_complaint(i, today.day, tally),
                Voice::Proposal => self.file_proposal(i, today.day, tally),
            }
        }
    }

    fn file_complaint(&mut self, i: u32, d: i32, tally: &mut Tally) {
        tally.cohort(self.residents.cohort[i as usize]).complaints += 1;
        let mut rng = self.key(d, i, purposes::COMPLAINT).rng();
        let resolved = rng.random::<f64>() < self.rules.resolve_share;
        let delay =
            if resolved { rng.random_range(self.rules.resolve_days.clone()) } else { *self.rules.resolve_days.end() };
        let pending = Pending { resident: i, move_in_day: self.residents.move_in_day[i as usize], resolved };
        self.complaints.file(d as u32, delay, pending);
    }

    /// A merchant grievance is laid at a merchant of the resident's building, by nuisance.
    fn blame_merchant(&mut self, i: u32, d: i32) {
        let building = self.household_building[self.residents.household[i as usize] as usize];
        let uniform = self.key(d, i, merchants::GRIEVANCE).rng().random::<f64>();
        if let Some(m) = self.merchants.culprit(building, uniform) {
            self.merchants.record_grievance(m);
        }
    }

    /// Complaints due today move their complainant's trust up (resolved) or down (stalled).
    pub(super) fn settle_complaints(&mut self, d: i32) {
        for pending in self.complaints.take_due(d as u32) {
            let i = pending.resident as usize;
            if self.residents.move_in_day[i] == pending.move_in_day {
                self.residents.trust[i] =
                    self.rules.rates.trust_after_complaint(self.residents.trust[i], pending.resolved);
            }
        }
    }

    /// Daily drift of habit, attachment and awareness, lapsing points and the perceived value
    /// of points that cannot be spent; then the day's record.
    pub(super) fn end_of_day(&mut self, today: &Today, tally: Tally) -> DayRecord {
        let d = today.day;
        let rules = &self.rules;
        let time_bank = rules.time_bank.filter(|_| today.policies_on);
        let network = &self.network;
        let Residents {
            habit,
            attachment,
            awareness,
            points,
            point_value,
            cohort,
            last_active,
            last_earned,
            active_ties,
            trust,
            ..
        } = &mut self.residents;
        let drift_chunk = |(chunk, ((((habit, attachment), awareness), points), point_value)): DriftChunk<'_>| {
            let base = chunk * CHUNK;
            let mut record = DayRecord::default();
            for j in 0..habit.len() {
                let i = base + j;
                let c = cohort[i].index();
                let degree = network.degree(i as u32);
                let active_share = active_ties[i] as f32 / degree.max(1) as f32;
                habit[j] = rules.rates.habit_decay(habit[j]);
                let degree_share = degree as f32 / rules.max_degree;
                attachment[j] = rules.rates.attachment_drift(attachment[j], rules.attachment_baseline[c], degree_share);
                awareness[j] = rules.rates.awareness_drift(awareness[j], rules.awareness_baseline[c], active_share);
                let stats = &mut record[c];
                if let Some(t) = time_bank {
                    if points[j] > 0 && t.expiry_days > 0 && d - last_earned[i] >= t.expiry_days {
                        stats.points_expired += points[j];
                        points[j] = 0;
                    }
                    if points[j] >= t.item_cost {
                        point_value[j] *= 1.0 - t.idle_decay;
                    }
                    stats.points_outstanding += points[j];
                }
                stats.residents += 1;
                stats.active += u32::from(d - last_active[i] < rules.window);
                stats.trust_sum += trust[i] as f64;
                stats.attachment_sum += attachment[j] as f64;
            }
            record
        };
        let partials: Vec<DayRecord> = match self.split {
            Split::Parallel => habit
                .par_chunks_mut(CHUNK)
                .zip(attachment.par_chunks_mut(CHUNK))
                .zip(awareness.par_chunks_mut(CHUNK))
                .zip(points.par_chunks_mut(CHUNK))
                .zip(point_value.par_chunks_mut(CHUNK))
                .enumerate()
                .map(drift_chunk)
                .collect(),
            Split::Sequential => habit
                .chunks_mut(CHUNK)
                .zip(attachment.chunks_mut(CHUNK))
                .zip(awareness.chunks_mut(CHUNK))
                .zip(points.chunks_mut(CHUNK))
                .zip(point_value.chunks_mut(CHUNK))
                .enumerate()
                .map(drift_chunk)
                .collect(),
        };
        let mut record = DayRecord::default();
        for partial in partials.iter().chain(std::iter::once(&tally.by_cohort)) {
            for (total, part) in record.iter_mut().zip(partial) {
                total.add(part);
            }
        }
        let alliance_size = self.merchants.alliance_size();
        for cohort in &mut record {
            cohort.alliance_size = alliance_size;
        }
        record
    }

    /// Whether outreach collects a need the resident kept silent: a grid worker who visited the
    /// household in the last 30 days asks about it; riders see building and merchant problems.
    fn collected(&self, need: &Need, d: i32) -> bool {
        let policy = &self.params.policy;
        let household = self.residents.household[need.resident as usize] as usize;
        let mut missed = 1.0;
        if policy.grid_workers.enabled
            && d - self.household_last_visit[household] < policy.grid_workers.collect_window_days as i32
        {
            missed *= 1.0 - policy.grid_workers.collect_chance;
        }
        if policy.riders.enabled && need.kind != NeedKind::Personal {
            missed *= (1.0 - policy.riders.report_chance_per_rider).powf(policy.riders.count as f64);
        }
        missed < 1.0
            && unit_f32(rand::Rng::next_u32(&mut self.key(d, need.resident, outreach::COLLECT).rng())) as f64 >= missed
    }
}

/// One chunk's mutable slices in the end-of-day pass, with its chunk number.
type DriftChunk<'a> = (usize, ((((&'a mut [f32], &'a mut [f32]), &'a mut [f32]), &'a mut [u64]), &'a mut [f32]));
