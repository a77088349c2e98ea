//! Merchants: where they are, the nuisance they cause, the catalogue they stock, and the
//! alliance (商居联盟) they join or leave by weighing benefit against the cost of donating.

use chrono::Datelike;
use rand::RngExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ctx, Mechanism};
use crate::model::behaviour::decide::{Decisions, Need, NeedKind, Voice};
use crate::model::core::acts::{ActKind, ActLog};
use crate::model::core::check::{Check, SHARE_TOLERANCE, round6};
use crate::model::core::counters::{Column, DayRecord};
use crate::model::core::day::{Granted, Today};
use crate::model::core::state::Core;

use crate::engine::rng::{Purpose, StreamKey};
use crate::model::behaviour::rules::sigmoid;
use crate::model::core::params::Params;

/// Merchants' placement and sectors.
pub const PLACEMENT: Purpose = Purpose(9);
/// A merchant's monthly decision to join or stay in the alliance.
pub const ALLIANCE_REVIEW: Purpose = Purpose(10);
/// Whether an alliance meeting fixes a merchant's problem.
pub const ALLIANCE_MEETING: Purpose = Purpose(11);
/// Which merchant a grievance is about.
pub const GRIEVANCE_TARGET: Purpose = Purpose(13);

/// Merchant sectors, in scenario order.
pub const SECTORS: [&str; 4] = ["catering", "retail", "services", "education"];

/// Merchants (商户): sectors, nuisance that makes grievances, and the alliance (商居联盟).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MerchantParams {
    /// Number of merchants (0 = none), each placed in a building at random.
    pub count: u32,
    /// Shares of merchants by sector; they sum to 1.
    pub sector_shares: Sectors,
    /// Nuisance (fumes, night noise, road occupation) of a merchant of each sector (0-1).
    pub nuisance: Sectors,
    /// Monthly revenue of a merchant of each sector before any visits the policies bring, in yuan.
    pub monthly_revenue_yuan: Sectors,
    /// Grievances per adult resident per year in a building with a merchant of nuisance 1.
    pub grievances_per_year: f64,
    /// Merchants in the alliance at the start.
    pub alliance_initial: u32,
    /// Catalogue items each alliance member donates per month.
    pub donation_items_per_month: u32,
    /// Profit a merchant makes on one resident's visit (a redemption or a fair).
    pub visit_value_yuan: f64,
    /// Monthly value to a member of the alliance's publicity (reputation).
    pub reputation_yuan: f64,
    /// Cost to a merchant of one grievance against it (disputes, inspections).
    pub grievance_cost_yuan: f64,
    /// Logit per yuan of monthly net benefit in joining or staying.
    pub join_sensitivity: f64,
    /// Logit offset of joining, for non-members, at zero net benefit.
    pub join_offset: f64,
    /// Logit offset of staying for members at zero net benefit (inertia).
    pub stay_offset: f64,
    /// Alliance meetings per year; each takes up the grievances against members since the last.
    pub meetings_per_year: u32,
    /// Share of problems raised at a meeting that get fixed.
    pub fix_rate: f64,
    /// Share of a merchant's nuisance removed by a fix.
    pub fix_effect: f64,
    /// Share of a fair's attendees who visit alliance merchants.
    pub fair_visit_share: f64,
}

/// Shares or levels by merchant sector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sectors {
    /// Restaurants and food stalls (cooking fumes).
    pub catering: f64,
    /// Shops.
    pub retail: f64,
    /// Hairdressers, repairs, housekeeping.
    pub services: f64,
    /// Tutoring and training.
    pub education: f64,
}

impl Default for MerchantParams {
    fn default() -> MerchantParams {
        MerchantParams {
            count: 0,
            sector_shares: Sectors { catering: 0.4, retail: 0.3, services: 0.2, education: 0.1 },
            nuisance: Sectors { catering: 0.8, retail: 0.3, services: 0.3, education: 0.1 },
            monthly_revenue_yuan: Sectors {
                catering: 60_000.0,
                retail: 40_000.0,
                services: 30_000.0,
                education: 50_000.0,
            },
            grievances_per_year: 0.02,
            alliance_initial: 0,
            donation_items_per_month: 10,
            visit_value_yuan: 12.0,
            reputation_yuan: 60.0,
            grievance_cost_yuan: 100.0,
            join_sensitivity: 0.01,
            join_offset: -3.0,
            stay_offset: 1.5,
            meetings_per_year: 8,
            fix_rate: 0.826,
            fix_effect: 0.3,
            fair_visit_share: 0.3,
        }
    }
}

impl Sectors {
    /// Values in sector order: catering, retail, services, education.
    pub fn as_array(&self) -> [f64; 4] {
        [self.catering, self.retail, self.services, self.education]
    }
}

impl MerchantParams {
    /// The ranges and rules of the merchants' keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        let key = |name: &str| format!("{at}.{name}");
        check.int_range(&key("count"), self.count.into(), 0, 1_000_000);
        check.int_range_relative(&key("alliance_initial"), self.alliance_initial.into(), 0, self.count.into());
        self.sector_shares.check(&key("sector_shares"), true, check);
        self.nuisance.check(&key("nuisance"), false, check);
        for (sector, value) in SECTORS.iter().zip(self.monthly_revenue_yuan.as_array()) {
            check.real_range(&format!("{at}.monthly_revenue_yuan.{sector}"), value, 0.0, 1e9);
        }
        check.real_range(&key("grievances_per_year"), self.grievances_per_year, 0.0, 365.0);
        check.int_range(&key("meetings_per_year"), self.meetings_per_year.into(), 0, 12);
        check.int_range(&key("donation_items_per_month"), self.donation_items_per_month.into(), 0, 1_000_000);
        for (name, value) in
            [("fix_rate", self.fix_rate), ("fix_effect", self.fix_effect), ("fair_visit_share", self.fair_visit_share)]
        {
            check.share(&key(name), value);
        }
        for (name, value) in [
            ("visit_value_yuan", self.visit_value_yuan),
            ("reputation_yuan", self.reputation_yuan),
            ("grievance_cost_yuan", self.grievance_cost_yuan),
        ] {
            check.real_range(&key(name), value, 0.0, 1e7);
        }
        check.real_range(&key("join_sensitivity"), self.join_sensitivity, 0.0, 10.0);
        check.real_range(&key("join_offset"), self.join_offset, -50.0, 50.0);
        check.real_range(&key("stay_offset"), self.stay_offset, -50.0, 50.0);
    }
}

impl Sectors {
    /// Every sector's value is a share; shares of merchants also sum to 1.
    fn check(&self, at: &str, sum_to_one: bool, check: &mut impl Check) {
        for (sector, value) in SECTORS.iter().zip(self.as_array()) {
            check.share(&format!("{at}.{sector}"), value);
        }
        let total: f64 = self.as_array().iter().sum();
        if sum_to_one && (total - 1.0).abs() > SHARE_TOLERANCE {
            let found = format!("catering + retail + services + education = {}", round6(total));
            check.inconsistent(at, "sector shares that sum to 1".into(), found);
        }
    }
}

/// Every merchant's state, as a structure of arrays indexed by merchant number.
#[derive(Clone, Debug, Default)]
pub struct Merchants {
    pub sector: Vec<u8>,
    pub building: Vec<u32>,
    pub nuisance: Vec<f32>,
    pub in_alliance: Vec<bool>,
    /// Visits (redemptions and fair visits) since the last monthly review.
    pub visits_month: Vec<u32>,
    /// Grievances against the merchant since the last alliance meeting.
    pub grievances_open: Vec<u32>,
    /// Grievances since the last monthly review (cost in the join decision).
    pub grievances_month: Vec<u32>,
    /// Items left in the catalogue from this merchant this month.
    pub stock: Vec<u32>,
    pub totals: Vec<MerchantTotals>,
    /// Sum of merchants' nuisance per building, kept current as meetings fix problems.
    building_nuisance: Vec<f32>,
    /// The largest of `building_nuisance`, kept with it.
    most_nuisance: f32,
}

/// What a merchant did over the whole run (for `merchants.csv`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MerchantTotals {
    /// Completed months with the policies running (the last, open month is not booked).
    pub months: u32,
    /// Revenue over those months: the sector's base plus the profit of policy visits, in yuan.
    pub revenue_yuan: f64,
    pub months_in_alliance: u32,
    pub items_donated: u32,
    pub redemptions: u32,
    pub fair_visits: u32,
    pub grievances: u32,
    pub problems_raised: u32,
    pub problems_fixed: u32,
}

impl Merchants {
    /// Places `count` merchants in random buildings, with sectors by exact shares.
    pub fn build(params: &Params, replicate: u32, n_buildings: usize) -> Merchants {
        let seed = params.seed;
        let params = &params.merchants;
        let n = params.count as usize;
        let key = StreamKey { seed, replicate, day: 0, agent: u32::MAX, purpose: PLACEMENT };
        let mut rng = key.rng();
        let mut sector = exact_shares(n, &params.sector_shares.as_array());
        // Shuffled, so the initial alliance (the first members by number) mixes sectors.
        for k in (1..n).rev() {
            sector.swap(k, rng.random_range(0..=k));
        }
        let nuisance_by_sector = params.nuisance.as_array();
        let mut merchants = Merchants {
            building: (0..n).map(|_| rng.random_range(0..n_buildings as u32)).collect(),
            nuisance: sector.iter().map(|&s| nuisance_by_sector[s as usize] as f32).collect(),
            in_alliance: (0..n).map(|m| m < params.alliance_initial as usize).collect(),
            visits_month: vec![0; n],
            grievances_open: vec![0; n],
            grievances_month: vec![0; n],
            stock: vec![0; n],
            totals: vec![MerchantTotals::default(); n],
            sector,
            building_nuisance: Vec::new(),
            most_nuisance: 0.0,
        };
        merchants.set_building_nuisance(n_buildings);
        merchants
    }

    /// Sum of merchants' nuisance in building `b` (0 in a building without merchants).
    #[inline]
    pub fn nuisance_of_building(&self, b: u32) -> f32 {
        self.building_nuisance[b as usize]
    }

    /// The most nuisance of any building: a bound on every resident's merchant grievance chance.
    #[inline]
    pub fn most_nuisance(&self) -> f32 {
        self.most_nuisance
    }

    fn set_building_nuisance(&mut self, n_buildings: usize) {
        self.building_nuisance = self.nuisance_by_building(n_buildings);
        self.most_nuisance = self.building_nuisance.iter().copied().fold(0.0, f32::max);
    }

    pub fn len(&self) -> usize {
        self.sector.len()
    }

    /// Forgets grievances and visits so far (the burn-in's are not the programme's).
    pub fn reset_counters(&mut self) {
        self.visits_month.fill(0);
        self.grievances_open.fill(0);
        self.grievances_month.fill(0);
        for totals in &mut self.totals {
            totals.grievances = 0;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sector.is_empty()
    }

    pub fn alliance_size(&self) -> u32 {
        self.in_alliance.iter().filter(|&&a| a).count() as u32
    }

    /// Sum of merchants' nuisance per building (drives grievances of the building's residents).
    fn nuisance_by_building(&self, n_buildings: usize) -> Vec<f32> {
        let mut total = vec![0.0; n_buildings];
        for (m, &b) in self.building.iter().enumerate() {
            total[b as usize] += self.nuisance[m];
        }
        total
    }

    /// The merchant of building `b` a grievance is about: chosen in proportion to nuisance.
    pub fn culprit(&self, building: u32, uniform: f64) -> Option<usize> {
        let here: Vec<usize> =
            (0..self.len()).filter(|&m| self.building[m] == building && self.nuisance[m] > 0.0).collect();
        let total: f64 = here.iter().map(|&m| self.nuisance[m] as f64).sum();
        let mut cumulative = 0.0;
        for &m in &here {
            cumulative += self.nuisance[m] as f64 / total;
            if uniform < cumulative {
                return Some(m);
            }
        }
        here.last().copied()
    }

    /// Books a month of revenue: the sector's base plus the profit on last month's visits.
    pub fn book_month(&mut self, params: &MerchantParams) {
        let base = params.monthly_revenue_yuan.as_array();
        for m in 0..self.len() {
            let totals = &mut self.totals[m];
            totals.months += 1;
            totals.revenue_yuan +=
                base[self.sector[m] as usize] + params.visit_value_yuan * self.visits_month[m] as f64;
        }
    }

    /// Restocks the month's catalogue: every member donates its items (leftovers lapse).
    pub fn restock(&mut self, items_per_member: u32) {
        for m in 0..self.len() {
            let donated = if self.in_alliance[m] { items_per_member } else { 0 };
            self.stock[m] = donated;
            self.totals[m].items_donated += donated;
            if self.in_alliance[m] {
                self.totals[m].months_in_alliance += 1;
            }
        }
    }

    /// Takes one item from the merchant with the most left (lowest number on ties).
    pub fn take_item(&mut self) -> Option<usize> {
        let (m, &left) = self.stock.iter().enumerate().max_by_key(|&(m, &left)| (left, std::cmp::Reverse(m)))?;
        if left == 0 {
            return None;
        }
        self.stock[m] -= 1;
        self.visits_month[m] += 1;
        self.totals[m].redemptions += 1;
        Some(m)
    }

    pub fn items_left(&self) -> u32 {
        self.stock.iter().sum()
    }

    /// Fair visitors spread evenly over members (the remainder to the lowest numbers).
    pub fn fair_visits(&mut self, visitors: u32) {
        let members: Vec<usize> = (0..self.len()).filter(|&m| self.in_alliance[m]).collect();
        if members.is_empty() {
            return;
        }
        for (k, &m) in members.iter().enumerate() {
            let share = visitors / members.len() as u32 + u32::from((k as u32) < visitors % members.len() as u32);
            self.visits_month[m] += share;
            self.totals[m].fair_visits += share;
        }
    }

    pub fn record_grievance(&mut self, m: usize) {
        self.grievances_open[m] += 1;
        self.grievances_month[m] += 1;
        self.totals[m].grievances += 1;
    }

    /// Monthly net benefit of membership to merchant `m`, in yuan (MODEL.md §7.16).
    pub fn net_benefit(&self, m: usize, params: &MerchantParams, item_value_yuan: f64) -> f64 {
        let visits = self.visits_month[m] as f64;
        let donations = params.donation_items_per_month as f64 * item_value_yuan;
        let grievances = self.grievances_month[m] as f64 * params.grievance_cost_yuan;
        // Members gain visits and reputation and settle grievances at meetings; all pay donations.
        params.visit_value_yuan * visits + params.reputation_yuan - donations - grievances * (1.0 - params.fix_rate)
    }

    /// The monthly join-or-leave decision of every merchant, then the month's counters reset.
    pub fn review_alliance(&mut self, params: &MerchantParams, item_value_yuan: f64, key: StreamKey) {
        let expected_visits = self.mean_member_visits();
        for m in 0..self.len() {
            let mut rng = StreamKey { agent: m as u32, ..key }.rng();
            let u: f64 = rng.random();
            let stay_or_join = if self.in_alliance[m] {
                let net = self.net_benefit(m, params, item_value_yuan);
                sigmoid((params.join_sensitivity * net + params.stay_offset) as f32) as f64
            } else {
                // Outsiders judge by what members get, and would settle their own grievances.
                let donations = params.donation_items_per_month as f64 * item_value_yuan;
                let saved = self.grievances_month[m] as f64 * params.grievance_cost_yuan * params.fix_rate;
                let net = params.visit_value_yuan * expected_visits + params.reputation_yuan + saved - donations;
                sigmoid((params.join_sensitivity * net + params.join_offset) as f32) as f64
            };
            self.in_alliance[m] = u < stay_or_join;
            self.visits_month[m] = 0;
            self.grievances_month[m] = 0;
        }
    }

    fn mean_member_visits(&self) -> f64 {
        let members: Vec<u32> =
            (0..self.len()).filter(|&m| self.in_alliance[m]).map(|m| self.visits_month[m]).collect();
        if members.is_empty() { 0.0 } else { members.iter().sum::<u32>() as f64 / members.len() as f64 }
    }

    /// An alliance meeting: each member's open grievances are raised; each is fixed with
    /// `fix_rate`, each fix removing `fix_effect` of the merchant's nuisance.
    pub fn meeting(&mut self, params: &MerchantParams, key: StreamKey) -> MeetingTally {
        let mut tally = MeetingTally::default();
        for m in 0..self.len() {
            if !self.in_alliance[m] || self.grievances_open[m] == 0 {
                continue;
            }
            let mut rng = StreamKey { agent: m as u32, ..key }.rng();
            self.totals[m].problems_raised += 1;
            tally.raised += 1;
            if rng.random::<f64>() < params.fix_rate {
                self.totals[m].problems_fixed += 1;
                tally.fixed += 1;
                self.nuisance[m] *= (1.0 - params.fix_effect) as f32;
            }
            self.grievances_open[m] = 0;
        }
        if tally.fixed > 0 {
            self.set_building_nuisance(self.building_nuisance.len());
        }
        tally
    }
}

/// Raised a grievance against a merchant (or had it collected); the value is the merchant's
/// number, or `u64::MAX` when the building has no merchant with a nuisance.
pub const GRIEVANCE: ActKind = ActKind(18);

crate::counters! {
    /// The merchants' counters of one cohort and day.
    pub struct MerchantCounters {
        /// Grievances against merchants raised today (by the cohort, or collected from it).
        merchant_grievances: u32 = Column::flow("merchant_grievances").yearly().counts(GRIEVANCE),
        /// Merchants in the alliance at the end of the day: the community's, the same in every
        /// cohort.
        alliance_size: u32 = Column::community("alliance_size").yearly(),
        /// Problems raised at today's alliance meeting (one per member with open grievances):
        /// the community's.
        problems_raised: u32 = Column::community_flow("problems_raised").yearly(),
        /// Of them, fixed.
        problems_fixed: u32 = Column::community_flow("problems_fixed").yearly(),
    }
}

/// What an alliance meeting did: problems raised and fixed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeetingTally {
    pub raised: u32,
    pub fixed: u32,
}

/// The merchants as a mechanism: grievances laid at them every day; while the programme runs,
/// the monthly cycle (book the month, review membership, restock the catalogue), fair visits
/// and alliance meetings. Their state is [`Merchants`], which the world keeps because other
/// mechanisms trade with it (the time bank redeems its catalogue).
pub struct Alliance {
    params: MerchantParams,
    /// What a catalogue item is worth to its donor: the time bank's item value (a read-only
    /// coupling).
    item_value_yuan: f64,
    /// Today's meeting, recorded at the end of the day.
    meeting_today: MeetingTally,
}

impl Mechanism for Alliance {
    type Counters = MerchantCounters;
    type Wishes = ();
    const PURPOSES: &'static [Purpose] = &[PLACEMENT, ALLIANCE_REVIEW, ALLIANCE_MEETING, GRIEVANCE_TARGET];
    const ACTS: &'static [(ActKind, &'static str)] = &[(GRIEVANCE, "grievance")];

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, _core: &Core) -> Alliance {
        Alliance {
            params: params.merchants.clone(),
            item_value_yuan: params.policy.time_bank.item_value_yuan,
            meeting_today: MeetingTally::default(),
        }
    }

    /// The first of a month: merchants decide on the alliance (on last month's visits and
    /// grievances) and members stock the catalogue.
    fn month_start(&mut self, ctx: &mut Ctx) {
        let d = ctx.today.day;
        if d == ctx.core.burn_in_days {
            ctx.merchants.reset_counters(); // the burn-in's grievances are not the programme's
        } else {
            ctx.merchants.book_month(&self.params);
            let key = ctx.core.key(d, 0, ALLIANCE_REVIEW);
            ctx.merchants.review_alliance(&self.params, self.item_value_yuan, key);
        }
        ctx.merchants.restock(self.params.donation_items_per_month);
    }

    /// Fair attendees visit alliance merchants.
    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], granted: &Granted) {
        for (e, event) in ctx.core.event_params.iter().enumerate() {
            let attendees = granted.event(e).len() as f64;
            if event.fair && attendees > 0.0 {
                let visitors = (attendees * self.params.fair_visit_share).round() as u32;
                ctx.merchants.fair_visits(visitors);
            }
        }
    }

    /// A merchant grievance is laid at a merchant of the resident's building, by nuisance.
    fn on_need_voiced(&mut self, ctx: &mut Ctx, need: &Need, _voice: Voice) {
        if need.kind != NeedKind::Merchant {
            return;
        }
        let i = need.resident;
        let building = ctx.core.building_of(i);
        let uniform = ctx.core.key(ctx.today.day, i.0, GRIEVANCE_TARGET).rng().random::<f64>();
        let culprit = ctx.merchants.culprit(building, uniform);
        if let Some(m) = culprit {
            ctx.merchants.record_grievance(m);
        }
        ctx.acts.record(ctx.today.day, i, GRIEVANCE, culprit.map_or(u64::MAX, |m| m as u64));
        let cohort = ctx.core.residents.cohort[i];
        ctx.cohort(cohort).mechanisms.merchants.merchant_grievances += 1;
    }

    /// Alliance meetings fall on the 25th of months spread evenly over the year.
    fn after_needs(&mut self, ctx: &mut Ctx, _granted: &Granted) {
        let date = ctx.today.date;
        let per_year = self.params.meetings_per_year;
        if ctx.merchants.is_empty() || date.day() != 25 || !is_meeting_month(date.month0(), per_year) {
            return;
        }
        let key = ctx.core.key(ctx.today.day, 0, ALLIANCE_MEETING);
        self.meeting_today = ctx.merchants.meeting(&self.params, key);
    }

    fn end_of_day(
        &mut self,
        _core: &Core,
        merchants: &Merchants,
        _today: &Today,
        record: &mut DayRecord,
        _acts: &mut ActLog,
    ) {
        let alliance_size = merchants.alliance_size();
        let meeting = std::mem::take(&mut self.meeting_today);
        for cohort in record {
            let counters = &mut cohort.mechanisms.merchants;
            counters.alliance_size = alliance_size;
            counters.problems_raised = meeting.raised;
            counters.problems_fixed = meeting.fixed;
        }
    }
}

/// Whether month `month0` (0-11) holds one of `per_year` meetings spread evenly over the year.
fn is_meeting_month(month0: u32, per_year: u32) -> bool {
    (month0 * per_year) / 12 != ((month0 + 1) * per_year) / 12
}

/// Exactly round(share x n) items per category, in category order (for merchants' sectors).
fn exact_shares(n: usize, shares: &[f64; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    for (sector, share) in shares.iter().enumerate() {
        cumulative += share;
        let until = ((cumulative * n as f64).round() as usize).min(n);
        out.resize(until.max(out.len()), sector as u8);
    }
    out.resize(n, 3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meetings_spread_over_the_year() {
        for per_year in 0..=12 {
            assert_eq!((0..12).filter(|&m| is_meeting_month(m, per_year)).count() as u32, per_year);
        }
        assert!(is_meeting_month(11, 1), "a single meeting falls in December");
    }

    fn merchants(count: u32, alliance: u32) -> Merchants {
        let mut params = Params::default();
        params.merchants.count = count;
        params.merchants.alliance_initial = alliance;
        Merchants::build(&params, 0, 101)
    }

    #[test]
    fn sectors_follow_shares() {
        let m = merchants(20, 0);
        let catering = m.sector.iter().filter(|&&s| s == 0).count();
        assert_eq!(catering, 8);
        let worst = (0..20).max_by(|&a, &b| m.nuisance[a].total_cmp(&m.nuisance[b])).unwrap();
        assert_eq!(m.sector[worst], 0, "catering is the worst nuisance");
        assert!(m.sector[..8].iter().any(|&s| s != 0), "the first eight are not all catering");
    }

    #[test]
    fn the_catalogue_holds_what_members_donate() {
        let mut m = merchants(5, 2);
        m.restock(3);
        assert_eq!(m.items_left(), 6);
        let taken: Vec<_> = std::iter::from_fn(|| m.take_item()).collect();
        assert_eq!(taken.len(), 6);
        assert_eq!(m.totals[0].redemptions + m.totals[1].redemptions, 6);
        m.restock(3);
        assert_eq!(m.items_left(), 6, "leftovers lapse, new donations arrive");
    }

    #[test]
    fn busy_members_stay_and_idle_ones_leave() {
        let params = Params::default();
        let key = StreamKey { seed: 1, replicate: 0, day: 30, agent: 0, purpose: ALLIANCE_REVIEW };
        let mut stays_busy = 0;
        let mut stays_idle = 0;
        for trial in 0..200 {
            let mut m = merchants(2, 2);
            m.visits_month[0] = 40;
            m.review_alliance(&params.merchants, 20.0, StreamKey { day: trial, ..key });
            stays_busy += u32::from(m.in_alliance[0]);
            stays_idle += u32::from(m.in_alliance[1]);
        }
        assert!(stays_busy > stays_idle + 40, "{stays_busy} vs {stays_idle}");
    }

    #[test]
    fn meetings_fix_members_problems() {
        let mut m = merchants(2, 1);
        m.record_grievance(0);
        m.record_grievance(1);
        let before = m.nuisance[0];
        let mut params = Params::default().merchants;
        params.fix_rate = 1.0;
        let tally =
            m.meeting(&params, StreamKey { seed: 1, replicate: 0, day: 5, agent: 0, purpose: ALLIANCE_MEETING });
        assert_eq!(tally, MeetingTally { raised: 1, fixed: 1 });
        assert!(m.nuisance[0] < before, "member fixed");
        assert_eq!(m.totals[1].problems_raised, 0, "non-members do not attend");
    }

    #[test]
    fn revenue_is_the_base_plus_the_profit_of_visits() {
        let mut m = merchants(2, 2);
        let params = Params::default().merchants;
        m.visits_month[0] = 10;
        m.book_month(&params);
        let base = |k: usize| params.monthly_revenue_yuan.as_array()[m.sector[k] as usize];
        assert_eq!(m.totals[0].revenue_yuan, base(0) + 10.0 * params.visit_value_yuan);
        assert_eq!(m.totals[1].revenue_yuan, base(1));
        assert_eq!(m.totals[0].months, 1);
    }

    #[test]
    fn grievances_go_to_a_merchant_in_the_building() {
        let m = merchants(30, 0);
        let b = m.building[0];
        let culprit = m.culprit(b, 0.5).unwrap();
        assert_eq!(m.building[culprit], b);
        assert_eq!(m.culprit(u32::MAX, 0.5), None);
    }
}
