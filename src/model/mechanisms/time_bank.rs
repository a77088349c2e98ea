//! The time bank (时间银行): volunteer check-ins earn points that merchants and the committee redeem.

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::merchants::Merchants;
use super::platform::PlatformParams;
use super::{Ctx, Mechanism};
use crate::engine::lanes::{bits, mask};
use crate::engine::parallel::{CHUNK, Split};
use crate::model::behaviour::decide::{Decisions, Draws, split_draw};
use crate::model::behaviour::rules;
use crate::model::core::acts::{Act, ActKind, ActLog};
use crate::model::core::check::Check;
use crate::model::core::counters::{CohortDay, Column, CounterSet, DayRecord};
use crate::model::core::day::{Activity, Granted, Today, VOLUNTEER};
use crate::model::core::params::Params;
use crate::model::core::population::NEVER;
use crate::model::core::state::Core;
use crate::model::core::types::{N_COHORTS, PerResident, ResidentId};

/// Time bank (时间银行): volunteer check-ins earn points, redeemed for donated goods and services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeBankParams {
    /// Turns the time bank on.
    pub enabled: bool,
    /// Points paid per volunteer check-in.
    pub points_per_checkin: u32,
    /// Points one catalogue item (a coupon, a haircut, a repair) costs.
    pub item_cost_points: u32,
    /// Value of one catalogue item in yuan, to the resident and to its donor.
    pub item_value_yuan: f64,
    /// Days without earning after which a balance expires (0 = never).
    pub expiry_days: u32,
    /// Daily chance that a resident holding enough points for an item tries to redeem in person.
    pub redeem_chance: f64,
    /// Items the committee's own shop (种子便利店) adds to the catalogue each month.
    pub shop_items_per_month: u32,
    /// Logit weight on volunteering of the reward, valued at perceived worth (0-1 scale).
    pub reward_weight: f64,
    /// Reward (yuan per check-in) at which its pull is half its maximum.
    pub reward_half_yuan: f64,
    /// Perceived point value of a resident who has never redeemed (0-1).
    pub initial_value: f64,
    /// Perceived value gained on a successful redemption, as a share of the gap to 1.
    pub value_gain: f64,
    /// Share of perceived value lost on a failed redemption (nothing left in the catalogue).
    pub value_loss: f64,
    /// Share of perceived value lost on each day a resident holds enough points for an item.
    pub idle_decay: f64,
    /// How much the points are framed as pay (1) rather than as thanks (0).
    pub payment_framing: f64,
    /// Share of intrinsic motivation lost per paid check-in, at full framing and a negligible reward.
    pub crowd_out_rate: f64,
    /// Reward (yuan per check-in) at or above which payment no longer crowds out.
    pub adequate_reward_yuan: f64,
    /// Strength of public recognition of volunteers (0-1), which crowds motivation in.
    pub recognition: f64,
    /// Intrinsic motivation gained per recognised check-in at full recognition, as a share of the gap to 1.
    pub crowd_in_rate: f64,
}

impl Default for TimeBankParams {
    fn default() -> TimeBankParams {
        TimeBankParams {
            enabled: false,
            points_per_checkin: 50,
            item_cost_points: 300,
            item_value_yuan: 15.0,
            expiry_days: 365,
            redeem_chance: 0.05,
            shop_items_per_month: 0,
            reward_weight: 1.5,
            reward_half_yuan: 2.0,
            initial_value: 0.8,
            value_gain: 0.2,
            value_loss: 0.25,
            idle_decay: 0.005,
            payment_framing: 0.5,
            crowd_out_rate: 0.01,
            adequate_reward_yuan: 10.0,
            recognition: 0.0,
            crowd_in_rate: 0.01,
        }
    }
}

impl TimeBankParams {
    /// The ranges of the time bank's keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        let key = |name: &str| format!("{at}.{name}");
        check.int_range(&key("item_cost_points"), self.item_cost_points.into(), 1, 10_000_000);
        check.int_range(&key("points_per_checkin"), self.points_per_checkin.into(), 0, 10_000_000);
        check.int_range(&key("expiry_days"), self.expiry_days.into(), 0, 36_500);
        for (name, value) in [
            ("redeem_chance", self.redeem_chance),
            ("initial_value", self.initial_value),
            ("value_gain", self.value_gain),
            ("value_loss", self.value_loss),
            ("idle_decay", self.idle_decay),
            ("payment_framing", self.payment_framing),
            ("crowd_out_rate", self.crowd_out_rate),
            ("recognition", self.recognition),
            ("crowd_in_rate", self.crowd_in_rate),
        ] {
            check.share(&key(name), value);
        }
        check.real_range(&key("item_value_yuan"), self.item_value_yuan, 0.0, 1e6);
        check.real_range(&key("reward_weight"), self.reward_weight, -50.0, 50.0);
        check.real_range(&key("reward_half_yuan"), self.reward_half_yuan, 1e-6, 1e6);
        check.real_range(&key("adequate_reward_yuan"), self.adequate_reward_yuan, 1e-6, 1e6);
        check.int_range(&key("shop_items_per_month"), self.shop_items_per_month.into(), 0, 10_000_000);
    }
}

/// Earned points at a check-in; the value is the points.
pub const POINTS_EARNED: ActKind = ActKind(9);
/// Spent points on a catalogue item; the value is the points.
pub const POINTS_REDEEMED: ActKind = ActKind(10);
/// Tried to redeem and found the catalogue empty.
pub const REDEMPTION_FAILED: ActKind = ActKind(11);
/// Lost points, unused too long or on moving out; the value is the points.
pub const POINTS_EXPIRED: ActKind = ActKind(12);

crate::counters! {
    /// The time bank's counters of one cohort and day.
    pub struct TimeBankCounters {
        /// Time-bank points paid to the cohort today.
        points_issued: u64 = Column::flow("points_issued").yearly().sums(POINTS_EARNED),
        /// Points the cohort spent on catalogue items today.
        points_redeemed: u64 = Column::flow("points_redeemed").yearly().compare(2).sums(POINTS_REDEEMED),
        /// Points that lapsed today (unused too long, or held by residents who moved out).
        points_expired: u64 = Column::flow("points_expired").sums(POINTS_EXPIRED),
        /// Points the cohort holds at the end of the day.
        points_outstanding: u64 = Column::stock("points_outstanding"),
        /// Redemptions tried today that found the catalogue empty.
        redemptions_failed: u32 = Column::flow("redemptions_failed").yearly().counts(REDEMPTION_FAILED),
        /// Members of the time bank living here at the end of the day: residents who have
        /// earned points at a check-in since they moved in.
        time_bank_members: u32 = Column::stock("time_bank_members"),
        /// Members who have redeemed points for an item at least once since they moved in.
        time_bank_redeemers: u32 = Column::stock("time_bank_redeemers"),
    }
}

/// The time bank per check-in and per day, compiled from its parameters (and the platform's,
/// which moves redemption online).
#[derive(Clone, Copy, Debug)]
struct Rules {
    /// Points are u64 as balances are: 10^7 points a check-in pass 2^32 in 430 check-ins.
    points_per_checkin: u64,
    item_cost: u64,
    /// Logit pull of the reward at full perceived value: w_r x R / (R + R_half).
    reward_pull: f32,
    /// Share of intrinsic motivation lost per paid check-in: c_out x framing x max(0, 1 - R / R_adequate).
    crowd_out: f32,
    /// Share of the gap to 1 gained per recognised check-in: c_in x recognition.
    crowd_in: f32,
    redeem_chance: f32,
    value_gain: f32,
    value_loss: f32,
    idle_decay: f32,
    /// Days without earning after which a balance lapses (0 = never).
    expiry_days: i32,
    shop_items_per_month: u32,
    initial_value: f32,
}

impl Rules {
    fn new(t: &TimeBankParams, platform: &PlatformParams) -> Rules {
        let reward = rules::reward_yuan(t.points_per_checkin, t.item_cost_points, t.item_value_yuan);
        Rules {
            points_per_checkin: u64::from(t.points_per_checkin),
            item_cost: u64::from(t.item_cost_points),
            reward_pull: rules::reward_pull(t.reward_weight, reward, t.reward_half_yuan) as f32,
            crowd_out: rules::crowd_out_per_checkin(t.crowd_out_rate, t.payment_framing, reward, t.adequate_reward_yuan)
                as f32,
            crowd_in: (t.crowd_in_rate * t.recognition) as f32,
            redeem_chance: if platform.enabled { platform.online_redeem_chance } else { t.redeem_chance } as f32,
            value_gain: t.value_gain as f32,
            value_loss: t.value_loss as f32,
            idle_decay: t.idle_decay as f32,
            expiry_days: t.expiry_days as i32,
            shop_items_per_month: t.shop_items_per_month,
            initial_value: t.initial_value as f32,
        }
    }

    /// Whether a balance of `points` buys an item (its holder may redeem, and its value idles).
    #[inline]
    fn buys_an_item(&self, points: u64) -> bool {
        points >= self.item_cost
    }
}

/// The time bank: every resident's balance, membership and the worth they see in points, and
/// the committee's own shop. Redemptions take the shop's items first, then merchants' donations.
pub struct TimeBank {
    /// `None` when the scenario leaves the time bank off.
    rules: Option<Rules>,
    /// Points held.
    pub points: PerResident<u64>,
    /// Day index of the last earning (balances expire counted from it).
    pub last_earned: PerResident<i32>,
    /// Perceived worth of a point relative to its face value (0-1).
    pub point_value: PerResident<f32>,
    /// Registered: earned points at a check-in since moving in (a newcomer starts unregistered).
    pub member: PerResident<bool>,
    /// Redeemed points for an item at least once since moving in.
    pub redeemed: PerResident<bool>,
    /// Items left this month in the committee's own shop.
    shop_items: u32,
}

/// A resident trying to redeem points, with their priority for the catalogue.
pub type Redemptions = Vec<(u32, ResidentId)>;

impl Mechanism for TimeBank {
    type Counters = TimeBankCounters;
    type Wishes = Redemptions;
    const ACTS: &'static [(ActKind, &'static str)] = &[
        (POINTS_EARNED, "points_earned"),
        (POINTS_REDEEMED, "points_redeemed"),
        (REDEMPTION_FAILED, "redemption_failed"),
        (POINTS_EXPIRED, "points_expired"),
    ];

    fn build(params: &Params, core: &Core) -> TimeBank {
        let t = &params.policy.time_bank;
        let n = core.residents.len();
        TimeBank {
            rules: t.enabled.then(|| Rules::new(t, &params.policy.platform)),
            points: PerResident::filled(0, n),
            last_earned: PerResident::filled(NEVER, n),
            point_value: PerResident::filled(t.initial_value as f32, n),
            member: PerResident::filled(false, n),
            redeemed: PerResident::filled(false, n),
            shop_items: 0,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.points.capacity() * (8 + 4 + 4 + 1 + 1)
    }

    fn on_move_in(&mut self, i: ResidentId) {
        self.points[i] = 0;
        self.last_earned[i] = NEVER;
        self.member[i] = false;
        self.redeemed[i] = false;
        self.point_value[i] = self.rules.map_or(self.point_value[i], |t| t.initial_value);
    }

    /// Points leave with their holder: they count as expired.
    fn on_move_out(&mut self, i: ResidentId, d: i32, tally: &mut CohortDay, acts: &mut ActLog) {
        let points = self.points[i];
        tally.mechanisms.time_bank.points_expired += points;
        if points > 0 {
            acts.record(d, i, POINTS_EXPIRED, points);
        }
    }

    fn month_start(&mut self, _ctx: &mut Ctx) {
        if let Some(t) = self.rules {
            self.shop_items = t.shop_items_per_month;
        }
    }

    #[inline]
    fn activity_offset(&self, _core: &Core, i: ResidentId, activity: Activity, _today: &Today) -> f32 {
        match self.rules {
            Some(t) if activity == VOLUNTEER => t.reward_pull * self.point_value[i],
            _ => 0.0,
        }
    }

    /// A point's perceived worth stays within 0-1 (it gains a share of the gap to 1, loses
    /// shares of itself); the bound leaves room for rounding.
    fn most_activity_offset(&self, activity: Activity, _today: &Today) -> f32 {
        const MOST_VALUE: f32 = 1.001;
        match self.rules {
            Some(t) if activity == VOLUNTEER => (t.reward_pull * MOST_VALUE).max(0.0),
            _ => 0.0,
        }
    }

    /// Those holding enough points for an item (the only ones `decide` acts on).
    #[inline]
    fn visits(&self, _core: &Core, _today: &Today, first: usize, visit: &mut [bool]) {
        if let Some(t) = self.rules {
            let points = &self.points.0[first..first + visit.len()];
            for (v, &held) in visit.iter_mut().zip(points) {
                *v |= t.buys_an_item(held);
            }
        }
    }

    #[inline]
    fn decide(&self, _core: &Core, i: ResidentId, _today: &Today, draws: &Draws, wishes: &mut Redemptions) {
        if let Some(t) = self.rules.filter(|t| t.buys_an_item(self.points[i])) {
            let (u, priority) = split_draw(draws.redeem());
            if u < t.redeem_chance {
                wishes.push((priority, i));
            }
        }
    }

    fn after_allocation(&mut self, ctx: &mut Ctx, decisions: &[Decisions], granted: &Granted) {
        if let Some(t) = self.rules {
            self.pay_volunteers(t, ctx, granted.of(VOLUNTEER));
            self.redeem(t, ctx, decisions);
        }
    }

    fn end_of_day(
        &mut self,
        core: &Core,
        _merchants: &Merchants,
        today: &Today,
        record: &mut DayRecord,
        acts: &mut ActLog,
    ) {
        if let Some(t) = self.rules.filter(|_| today.policies_on) {
            self.lapse_and_decay(t, core, today.day, record, acts);
        }
    }
}

impl TimeBank {
    /// Volunteers who checked in are paid points, and a check-in that earns points registers its
    /// volunteer as a member; payment may crowd out intrinsic motivation and recognition may
    /// crowd it in.
    fn pay_volunteers(&mut self, t: Rules, ctx: &mut Ctx, volunteers: &[ResidentId]) {
        for &i in volunteers {
            self.points[i] += t.points_per_checkin;
            self.last_earned[i] = ctx.today.day;
            self.member[i] |= t.points_per_checkin > 0;
            let r = &mut ctx.core.residents;
            r.intrinsic[i] = rules::gain(r.intrinsic[i] * (1.0 - t.crowd_out), t.crowd_in);
            let cohort = r.cohort[i];
            ctx.cohort(cohort).mechanisms.time_bank.points_issued += t.points_per_checkin;
            ctx.acts.record(ctx.today.day, i, POINTS_EARNED, t.points_per_checkin);
        }
    }

    /// Redemption attempts, by priority: each takes an item while the catalogue lasts; those who
    /// find it empty fail, and the worth they see in points falls.
    fn redeem(&mut self, t: Rules, ctx: &mut Ctx, decisions: &[Decisions]) {
        let mut attempts: Redemptions = decisions.iter().flat_map(|c| c.wishes.time_bank.iter().copied()).collect();
        attempts.sort_unstable();
        for (_, i) in attempts {
            let cohort = ctx.core.residents.cohort[i];
            let item = if self.shop_items > 0 {
                self.shop_items -= 1;
                true
            } else {
                ctx.merchants.take_item().is_some()
            };
            let counters = &mut ctx.cohort(cohort).mechanisms.time_bank;
            if item {
                self.points[i] -= t.item_cost;
                self.point_value[i] = rules::gain(self.point_value[i], t.value_gain);
                self.redeemed[i] = true;
                counters.points_redeemed += t.item_cost;
                ctx.acts.record(ctx.today.day, i, POINTS_REDEEMED, t.item_cost);
            } else {
                self.point_value[i] *= 1.0 - t.value_loss;
                counters.redemptions_failed += 1;
                ctx.acts.record(ctx.today.day, i, REDEMPTION_FAILED, 0);
            }
        }
    }

    /// Balances idle too long lapse; a balance that could buy an item but is not spent loses
    /// perceived worth; the cohort's outstanding balance, members and redeemers are recorded.
    fn lapse_and_decay(&mut self, t: Rules, core: &Core, d: i32, record: &mut DayRecord, acts: &mut ActLog) {
        let cohort = &core.residents.cohort;
        let (last_earned, member, redeemed) = (&self.last_earned, &self.member, &self.redeemed);
        let logging = acts.is_on();
        let lapse_chunk = |(chunk, (points, point_value)): (usize, (&mut [u64], &mut [f32]))| {
            let base = chunk * CHUNK;
            let range = base..base + points.len();
            // The chunk's slices, read without a bounds check per resident.
            let (cohort, last_earned) = (&cohort.0[range.clone()], &last_earned.0[range.clone()]);
            let (member, redeemed) = (&member.0[range.clone()], &redeemed.0[range]);
            let point_value = &mut point_value[..points.len()];
            let mut partial = ([TimeBankCounters::default(); N_COHORTS], Vec::new());
            for first in (0..points.len()).step_by(64) {
                let n = (points.len() - first).min(64);
                // Most residents hold nothing and never joined: nothing lapses, decays or counts.
                // They are skipped by a mask of the others, so no branch waits on each resident.
                let mut holding = [false; 64];
                let (held, joined) = (&points[first..first + n], &member[first..first + n]);
                for ((holds, &held), &joined) in holding.iter_mut().zip(held).zip(joined) {
                    *holds = (held > 0) | joined | (t.item_cost == 0);
                }
                for k in bits(mask(&holding)) {
                    let j = first + k;
                    let stats = &mut partial.0[cohort[j].index()];
                    if points[j] > 0 && t.expiry_days > 0 && d - last_earned[j] >= t.expiry_days {
                        stats.points_expired += points[j];
                        if logging {
                            let (resident, value) = (ResidentId::new(base + j), points[j]);
                            partial.1.push(Act { day: d as u32, resident, kind: POINTS_EXPIRED, value });
                        }
                        points[j] = 0;
                    }
                    if t.buys_an_item(points[j]) {
                        point_value[j] *= 1.0 - t.idle_decay;
                    }
                    stats.points_outstanding += points[j];
                    stats.time_bank_members += u32::from(member[j]);
                    stats.time_bank_redeemers += u32::from(member[j] && redeemed[j]);
                }
            }
            partial
        };
        let partials: Vec<([TimeBankCounters; N_COHORTS], Vec<Act>)> = match core.split {
            Split::Parallel => self
                .points
                .par_chunks_mut(CHUNK)
                .zip(self.point_value.par_chunks_mut(CHUNK))
                .enumerate()
                .map(lapse_chunk)
                .collect(),
            Split::Sequential => self
                .points
                .chunks_mut(CHUNK)
                .zip(self.point_value.chunks_mut(CHUNK))
                .enumerate()
                .map(lapse_chunk)
                .collect(),
        };
        for (counters, lapsed) in partials {
            for (total, part) in record.iter_mut().zip(&counters) {
                total.mechanisms.time_bank.add(part);
            }
            acts.extend(lapsed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::types::Cohort;
    use crate::model::mechanisms::MechanismWishes;

    fn today(day: i32) -> Today {
        Today { tasks: 5, ..Today::for_tests(day, true) }
    }

    /// One day of the time bank: `volunteers` check in, `redeemers` try to redeem, and the day
    /// ends; the day's record.
    fn day(
        bank: &mut TimeBank,
        core: &mut Core,
        merchants: &mut Merchants,
        d: i32,
        volunteers: &[ResidentId],
        redeemers: &[ResidentId],
    ) -> DayRecord {
        let today = today(d);
        let mut granted = Granted::new(core.events.len());
        for &i in volunteers {
            granted.grant(VOLUNTEER, i);
        }
        let time_bank = redeemers.iter().map(|&i| (i.0, i)).collect();
        let decisions =
            [Decisions { wishes: MechanismWishes { time_bank, ..MechanismWishes::default() }, ..Decisions::default() }];
        let (mut tally, mut acts) = (DayRecord::default(), ActLog::new(false));
        let mut ctx = Ctx { core, merchants, today: &today, tally: &mut tally, acts: &mut acts };
        bank.after_allocation(&mut ctx, &decisions, &granted);
        bank.end_of_day(core, merchants, &today, &mut tally, &mut acts);
        tally
    }

    fn members(record: &DayRecord) -> [u32; N_COHORTS] {
        record.each_ref().map(|c| c.mechanisms.time_bank.time_bank_members)
    }

    fn redeemers(record: &DayRecord) -> [u32; N_COHORTS] {
        record.each_ref().map(|c| c.mechanisms.time_bank.time_bank_redeemers)
    }

    /// Residents counted by cohort.
    fn by_cohort(cohorts: &PerResident<Cohort>, who: &[ResidentId]) -> [u32; N_COHORTS] {
        let mut counts = [0; N_COHORTS];
        for &i in who {
            counts[cohorts[i].index()] += 1;
        }
        counts
    }

    #[test]
    fn members_are_first_earners_until_they_move_out_and_redeemers_have_spent() {
        let (mut core, mut params) = Core::for_tests(300);
        let t = &mut params.policy.time_bank;
        (t.enabled, t.points_per_checkin, t.item_cost_points, t.expiry_days) = (true, 100, 100, 2);
        let mut merchants = Merchants::build(&params, 0, core.building_ranges.len());
        let mut bank = TimeBank::build(&params, &core);
        bank.shop_items = 10;
        let cohorts = core.residents.cohort.clone();
        let (a, b) = (ResidentId(10), ResidentId(290));
        let count = |who: &[ResidentId]| by_cohort(&cohorts, who);

        let record = day(&mut bank, &mut core, &mut merchants, 5, &[], &[]);
        assert_eq!(members(&record), [0; N_COHORTS], "nobody is registered before earning");
        let record = day(&mut bank, &mut core, &mut merchants, 6, &[a, b], &[]);
        assert_eq!(
            (members(&record), redeemers(&record)),
            (count(&[a, b]), [0; N_COHORTS]),
            "first check-ins register"
        );
        let record = day(&mut bank, &mut core, &mut merchants, 7, &[a], &[b]);
        assert_eq!(bank.points[b], 0, "b spent the points on an item");
        assert_eq!(members(&record), count(&[a, b]), "a member is counted once, and stays one after spending");
        assert_eq!(redeemers(&record), count(&[b]));
        let record = day(&mut bank, &mut core, &mut merchants, 10, &[], &[]);
        assert_eq!(bank.points[a], 0, "a's balance lapsed");
        assert_eq!(
            (members(&record), redeemers(&record)),
            (count(&[a, b]), count(&[b])),
            "membership outlives the balance"
        );

        bank.on_move_out(b, 11, &mut CohortDay::default(), &mut ActLog::new(false));
        bank.on_move_in(b);
        let record = day(&mut bank, &mut core, &mut merchants, 11, &[], &[]);
        assert_eq!(members(&record), count(&[a]), "the newcomer in b's slot starts unregistered");
        assert_eq!(redeemers(&record), [0; N_COHORTS]);
        let record = day(&mut bank, &mut core, &mut merchants, 12, &[b], &[]);
        assert_eq!((members(&record), redeemers(&record)), (count(&[a, b]), [0; N_COHORTS]), "the newcomer registers");
    }

    #[test]
    fn a_check_in_that_earns_no_points_registers_no_one() {
        let (mut core, mut params) = Core::for_tests(300);
        (params.policy.time_bank.enabled, params.policy.time_bank.points_per_checkin) = (true, 0);
        let mut merchants = Merchants::build(&params, 0, core.building_ranges.len());
        let mut bank = TimeBank::build(&params, &core);
        let record = day(&mut bank, &mut core, &mut merchants, 6, &[ResidentId(10), ResidentId(20)], &[]);
        assert_eq!(members(&record), [0; N_COHORTS]);
    }

    /// The lapse of one day with items costing `item_cost` points, checked against the rule
    /// read resident by resident, with holders on the edges of the blocks of 64 and of a chunk.
    fn lapse_as_the_rule_reads(item_cost: u32) {
        let n = CHUNK + 300;
        let (core, mut params) = Core::for_tests(n as u32);
        let t = &mut params.policy.time_bank;
        (t.enabled, t.item_cost_points, t.expiry_days) = (true, item_cost, 30);
        let mut bank = TimeBank::build(&params, &core);
        let (rules, d) = (bank.rules.unwrap(), 100);
        // A third of the holders earned long ago: their points lapse.
        let holders = [0, 63, 64, 127, 128, 255, CHUNK - 1, CHUNK, CHUNK + 63, CHUNK + 64, n - 1];
        for (k, j) in holders.into_iter().enumerate() {
            let i = ResidentId::new(j);
            (bank.points[i], bank.last_earned[i], bank.member[i]) =
                (50 + 40 * k as u64, if k % 3 == 0 { 10 } else { 90 }, true);
        }
        for j in [65, CHUNK + 1] {
            (bank.member[ResidentId::new(j)], bank.redeemed[ResidentId::new(j)]) = (true, true);
        }
        let (points, values) = (bank.points.clone(), bank.point_value.clone());
        let (mut record, mut acts) = (DayRecord::default(), ActLog::new(true));
        bank.lapse_and_decay(rules, &core, d, &mut record, &mut acts);
        let mut expected = [TimeBankCounters::default(); N_COHORTS];
        let mut lapsed = Vec::new();
        for i in core.residents.ids() {
            let stats = &mut expected[core.residents.cohort[i].index()];
            let lapses = points[i] > 0 && d - bank.last_earned[i] >= 30;
            let left = if lapses { 0 } else { points[i] };
            if lapses {
                stats.points_expired += points[i];
                lapsed.push(i);
            }
            let value = if left >= u64::from(item_cost) { values[i] * (1.0 - rules.idle_decay) } else { values[i] };
            assert_eq!((bank.points[i], bank.point_value[i].to_bits()), (left, value.to_bits()), "{i:?}");
            stats.points_outstanding += left;
            stats.time_bank_members += u32::from(bank.member[i]);
            stats.time_bank_redeemers += u32::from(bank.member[i] && bank.redeemed[i]);
        }
        assert_eq!(record.each_ref().map(|c| c.mechanisms.time_bank), expected);
        assert_eq!(acts.take().iter().map(|a| a.resident).collect::<Vec<_>>(), lapsed);
        assert_eq!(lapsed.len(), 4);
    }

    #[test]
    fn the_lapse_finds_every_holder_and_member_across_blocks_and_chunks() {
        lapse_as_the_rule_reads(100);
        // Free items: every resident's balance buys one, so everyone's point loses worth.
        lapse_as_the_rule_reads(0);
    }
}
