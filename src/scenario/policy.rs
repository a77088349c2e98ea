//! The scenario's incentive policies and local economy: time bank, merchants and their
//! alliance, proposal fund, outreach and the digital platform. Every policy is off by default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Incentive policies and outreach; each is off unless the scenario turns it on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub time_bank: TimeBank,
    pub proposal_fund: ProposalFund,
    pub platform: Platform,
    pub grid_workers: GridWorkers,
    pub riders: Riders,
    pub integration: Integration,
    pub transient_seat: TransientSeat,
}

/// Time bank (时间银行): volunteer check-ins earn points, redeemed for donated goods and services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeBank {
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

/// Merchants (商户): sectors, nuisance that makes grievances, and the alliance (商居联盟).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Merchants {
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

/// How often proposals are reviewed relative to their budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    Month,
    Year,
}

/// Proposal fund (小红花提案基金): residents propose micro-projects, reviewed on deliberation day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProposalFund {
    /// Turns the proposal fund on.
    pub enabled: bool,
    /// Most a single proposal is funded, in yuan.
    pub cap_yuan: f64,
    /// Budget per period, in yuan; never overspent.
    pub budget_yuan: f64,
    /// Whether the budget renews every month or every year.
    pub budget_period: BudgetPeriod,
    /// Cheapest proposal, in yuan (costs are uniform between this and the cap).
    pub cost_min_yuan: f64,
    /// Logit offset of proposing rather than complaining, for a need that is raised.
    pub propose_offset: f64,
    /// Logit cost of the effort of writing a proposal (the platform lowers it).
    pub proposal_effort: f64,
    /// Logit weight of trust (centred) on proposing.
    pub trust_weight: f64,
    /// Logit weight of attachment (centred) on proposing.
    pub attachment_weight: f64,
    /// Share of proposals rejected by the screening rules as out of scope (七议五不议).
    pub screen_reject_share: f64,
    /// Fewest deliberation-day attendees needed to review proposals (else they wait a month).
    pub quorum: u32,
    /// Volunteer days of follow-through an approved proposal needs to be implemented.
    pub followthrough_days: u32,
    /// Days an approved proposal has to get its follow-through before it stalls.
    pub implementation_window_days: u32,
    /// Logit offset of a follow-through day by the proposer or a helper.
    pub followthrough_offset: f64,
    /// Logit penalty on follow-through for young adults (重活动、轻持续).
    pub young_followthrough_penalty: f64,
    /// Ties of the proposer who may help with follow-through.
    pub helpers: u32,
    /// Chance that an adult visitor of a proposal booth (an event with `proposal_booth`) files a proposal.
    pub booth_chance: f64,
    /// Whether implemented proposals are reported back publicly (晒事).
    pub report_back: bool,
    /// Trust gained by the proposer of an implemented proposal, reported back or not (share of the gap to 1).
    pub report_gain_proposer: f64,
    /// Trust gained by the proposer's ties.
    pub report_gain_ties: f64,
    /// Trust gained by everyone in the proposer's building.
    pub report_gain_building: f64,
    /// Share of trust the proposer loses when a proposal stalls.
    pub stall_loss: f64,
    /// Share of trust the proposer loses when a proposal is rejected.
    pub reject_loss: f64,
}

/// A digital platform (online mini-program) that lowers the cost of taking part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Platform {
    /// Turns the platform on.
    pub enabled: bool,
    /// Daily redemption chance online (replaces `time_bank.redeem_chance`).
    pub online_redeem_chance: f64,
    /// Share of the proposal effort the platform removes.
    pub effort_discount: f64,
    /// Logit bonus on volunteering and attending (sign-up from a phone, reminders).
    pub participation_bonus: f64,
}

/// Grid workers (网格员), one per micro-grid: visits raise awareness and collect needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GridWorkers {
    /// Turns grid-worker outreach on.
    pub enabled: bool,
    /// Households each grid worker visits per weekday.
    pub visits_per_day: u32,
    /// Awareness gained by residents of a visited household, as a share of the gap to 1.
    pub awareness_gain: f64,
    /// Chance that a need a visited resident stays silent about is collected and raised.
    pub collect_chance: f64,
    /// Days after a visit during which the grid worker still hears of new needs.
    pub collect_window_days: u32,
}

/// Delivery riders recruited as information liaisons (外卖骑手信息员).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Riders {
    /// Turns rider liaisons on.
    pub enabled: bool,
    /// Riders recruited.
    pub count: u32,
    /// Chance per rider that a silent building problem (pipe burst, merchant nuisance) is reported.
    pub report_chance_per_rider: f64,
}

/// Integration workshops for newcomers (新居民融入).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Integration {
    /// Turns the workshops on.
    pub enabled: bool,
    /// Day of the month of the workshop (1-28).
    pub day: u32,
    /// Residents who moved in within this many days are invited.
    pub newcomer_days: u32,
    /// Places per workshop.
    pub capacity: u32,
    /// Logit offset of attending.
    pub appeal: f64,
    /// Attachment gained by an attendee, as a share of the gap to 1.
    pub attachment_gain: f64,
    /// Awareness gained by an attendee, as a share of the gap to 1.
    pub awareness_gain: f64,
}

/// Seats at the deliberation day reserved for transient residents (流动人口席位).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TransientSeat {
    /// Reserved seats (0 = none); transient applicants fill them first.
    pub seats: u32,
    /// Logit bonus on transients' attending while seats are reserved (a seat kept for you is an invitation).
    pub invitation_bonus: f64,
}

impl Default for TransientSeat {
    fn default() -> TransientSeat {
        TransientSeat { seats: 0, invitation_bonus: 1.0 }
    }
}

impl Default for TimeBank {
    fn default() -> TimeBank {
        TimeBank {
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

impl Default for Merchants {
    fn default() -> Merchants {
        Merchants {
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

impl Default for ProposalFund {
    fn default() -> ProposalFund {
        ProposalFund {
            enabled: false,
            cap_yuan: 500.0,
            budget_yuan: 6_000.0,
            budget_period: BudgetPeriod::Year,
            cost_min_yuan: 100.0,
            propose_offset: -0.5,
            proposal_effort: 1.0,
            trust_weight: 3.0,
            attachment_weight: 2.0,
            screen_reject_share: 0.25,
            quorum: 10,
            followthrough_days: 4,
            implementation_window_days: 45,
            followthrough_offset: -3.0,
            young_followthrough_penalty: 1.5,
            helpers: 3,
            booth_chance: 0.02,
            report_back: true,
            report_gain_proposer: 0.3,
            report_gain_ties: 0.1,
            report_gain_building: 0.05,
            stall_loss: 0.2,
            reject_loss: 0.05,
        }
    }
}

impl Default for Platform {
    fn default() -> Platform {
        Platform { enabled: false, online_redeem_chance: 0.1, effort_discount: 0.5, participation_bonus: 0.3 }
    }
}

impl Default for GridWorkers {
    fn default() -> GridWorkers {
        GridWorkers {
            enabled: false,
            visits_per_day: 2,
            awareness_gain: 0.1,
            collect_chance: 0.5,
            collect_window_days: 30,
        }
    }
}

impl Default for Riders {
    fn default() -> Riders {
        Riders { enabled: false, count: 100, report_chance_per_rider: 0.005 }
    }
}

impl Default for Integration {
    fn default() -> Integration {
        Integration {
            enabled: false,
            day: 25,
            newcomer_days: 365,
            capacity: 40,
            appeal: 0.5,
            attachment_gain: 0.15,
            awareness_gain: 0.3,
        }
    }
}

impl Sectors {
    /// Values in sector order: catering, retail, services, education.
    pub fn as_array(&self) -> [f64; 4] {
        [self.catering, self.retail, self.services, self.education]
    }
}

/// Fixed yearly costs of running each programme (staff, printing, the mini-program), charged
/// while the programme is on; comparisons add redeemed points and fund spending to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    /// Running the time bank (registration, check-in scanning, the seed shop), yuan per year.
    pub time_bank_yuan_per_year: f64,
    /// Running the proposal fund (review, publicity of results), yuan per year, besides the fund itself.
    pub proposal_fund_yuan_per_year: f64,
    /// The digital platform (mini-program), yuan per year.
    pub platform_yuan_per_year: f64,
    /// Grid-worker outreach beyond their regular duties, yuan per year.
    pub grid_workers_yuan_per_year: f64,
    /// Rider liaisons (small thank-you payments), yuan per year.
    pub riders_yuan_per_year: f64,
    /// Integration workshops, yuan per year.
    pub integration_yuan_per_year: f64,
}

impl Default for Costs {
    fn default() -> Costs {
        Costs {
            time_bank_yuan_per_year: 20_000.0,
            proposal_fund_yuan_per_year: 10_000.0,
            platform_yuan_per_year: 30_000.0,
            grid_workers_yuan_per_year: 20_000.0,
            riders_yuan_per_year: 12_000.0,
            integration_yuan_per_year: 8_000.0,
        }
    }
}

impl Costs {
    /// Fixed cost per year of the programmes `policy` turns on.
    pub fn fixed_per_year(&self, policy: &Policy) -> f64 {
        [
            (policy.time_bank.enabled, self.time_bank_yuan_per_year),
            (policy.proposal_fund.enabled, self.proposal_fund_yuan_per_year),
            (policy.platform.enabled, self.platform_yuan_per_year),
            (policy.grid_workers.enabled, self.grid_workers_yuan_per_year),
            (policy.riders.enabled, self.riders_yuan_per_year),
            (policy.integration.enabled, self.integration_yuan_per_year),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, cost)| cost)
        .sum()
    }
}
