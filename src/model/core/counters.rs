//! What one day of one replicate records, per cohort: the core's counters and every
//! mechanism's, each declared once in a table that generates the output columns, the yearly
//! totals and the counters a comparison can total.

use super::acts::{ATTENDED, ActKind, COMPLAINED, COMPLAINT_RESOLVED, COMPLAINT_STALLED, KEPT_SILENT, VOLUNTEERED};
use super::types::N_COHORTS;
use crate::model::mechanisms::MechanismCounters;

/// How a counter combines across chunks and cohorts, and where it is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The day's flow: summed over cohorts and over days.
    Flow,
    /// An end-of-day stock held by the cohort: summed over cohorts, not over days.
    Stock,
    /// A community-level end-of-day stock, the same in every cohort: combined by maximum and
    /// reported once per day in `community.csv`.
    Community,
    /// A community-level count of the day (such as problems raised at an alliance meeting), the
    /// same in every cohort: combined by maximum, reported once per day in `community.csv`, and
    /// summed over days.
    CommunityFlow,
}

impl Kind {
    /// Held by the community, not a cohort: the same value in every cohort's record.
    pub const fn is_community(self) -> bool {
        matches!(self, Kind::Community | Kind::CommunityFlow)
    }
}

/// How a flow counter follows from the day's acts of a cohort's residents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FromActs {
    /// The number of acts of this kind.
    Count(ActKind),
    /// The sum of their values (points).
    Sum(ActKind),
    /// The number of residents with at least one act of this kind.
    Residents(ActKind),
}

/// One counter's column: its name, kind and the reports it enters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// Summed per calendar year in `summary.json`.
    pub yearly: bool,
    /// Offered as a window total in comparisons and studies, at this position among the
    /// counters offered (comparison outcomes keep a stable order).
    pub compare: Option<u8>,
    /// How the counter follows from the act log (every flow of a resident's acts says how, so
    /// the log and the counters reconcile).
    pub acts: Option<FromActs>,
}

impl Column {
    pub const fn flow(name: &'static str) -> Column {
        Column { name, kind: Kind::Flow, yearly: false, compare: None, acts: None }
    }

    pub const fn stock(name: &'static str) -> Column {
        Column { kind: Kind::Stock, ..Column::flow(name) }
    }

    pub const fn community(name: &'static str) -> Column {
        Column { kind: Kind::Community, ..Column::flow(name) }
    }

    pub const fn community_flow(name: &'static str) -> Column {
        Column { kind: Kind::CommunityFlow, ..Column::flow(name) }
    }

    pub const fn yearly(self) -> Column {
        Column { yearly: true, ..self }
    }

    pub const fn compare(self, position: u8) -> Column {
        Column { compare: Some(position), ..self }
    }

    /// The counter is the number of acts of `kind`.
    pub const fn counts(self, kind: ActKind) -> Column {
        Column { acts: Some(FromActs::Count(kind)), ..self }
    }

    /// The counter is the sum of the values of acts of `kind`.
    pub const fn sums(self, kind: ActKind) -> Column {
        Column { acts: Some(FromActs::Sum(kind)), ..self }
    }

    /// The counter is the number of residents with acts of `kind`.
    pub const fn counts_residents(self, kind: ActKind) -> Column {
        Column { acts: Some(FromActs::Residents(kind)), ..self }
    }
}

/// A number a counter holds.
pub trait CounterValue: Copy {
    fn combine(&mut self, other: Self, kind: Kind);
    fn as_f64(self) -> f64;
    /// The CSV text: integers as they are, money with two decimals.
    fn csv(self) -> String;
}

macro_rules! integer_counter {
    ($($ty:ty),*) => {$(
        impl CounterValue for $ty {
            #[inline]
            fn combine(&mut self, other: Self, kind: Kind) {
                if kind.is_community() { *self = (*self).max(other) } else { *self += other }
            }
            fn as_f64(self) -> f64 {
                self as f64
            }
            fn csv(self) -> String {
                self.to_string()
            }
        }
    )*};
}
integer_counter!(u32, u64);

impl CounterValue for f64 {
    #[inline]
    fn combine(&mut self, other: Self, kind: Kind) {
        if kind.is_community() { *self = self.max(other) } else { *self += other }
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn csv(self) -> String {
        format!("{self:.2}")
    }
}

/// A group of counters: the core's, one mechanism's, or all mechanisms' together.
pub trait CounterSet: Copy + Default + std::fmt::Debug + PartialEq + Send + Sync {
    /// The columns, in output order.
    fn columns(out: &mut Vec<Column>);
    /// Adds another partial tally (chunks and cohorts combine in order).
    fn add(&mut self, other: &Self);
    /// The values as numbers, in column order.
    fn values(&self, out: &mut Vec<f64>);
    /// The values as CSV text, in column order.
    fn csv(&self, out: &mut Vec<String>);
}

impl CounterSet for () {
    fn columns(_: &mut Vec<Column>) {}
    fn add(&mut self, _: &Self) {}
    fn values(&self, _: &mut Vec<f64>) {}
    fn csv(&self, _: &mut Vec<String>) {}
}

/// Declares a counter group: a struct with one public field per counter and its
/// [`CounterSet`] impl. Each field is `name: type = Column` (built with [`Column`]'s methods);
/// its doc comment says what it counts.
#[macro_export]
macro_rules! counters {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[doc = $doc:expr])* $field:ident: $ty:ty = $column:expr,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $name {
            $($(#[doc = $doc])* pub $field: $ty,)+
        }

        impl $name {
            /// The group's columns, in field order.
            pub const COLUMNS: &'static [$crate::model::core::counters::Column] = &[$($column,)+];
        }

        impl $crate::model::core::counters::CounterSet for $name {
            fn columns(out: &mut Vec<$crate::model::core::counters::Column>) {
                out.extend_from_slice(Self::COLUMNS);
            }

            #[inline]
            fn add(&mut self, other: &Self) {
                let mut kinds = Self::COLUMNS.iter().map(|c| c.kind);
                $($crate::model::core::counters::CounterValue::combine(
                    &mut self.$field,
                    other.$field,
                    kinds.next().expect("a column per field"),
                );)+
            }

            fn values(&self, out: &mut Vec<f64>) {
                $(out.push($crate::model::core::counters::CounterValue::as_f64(self.$field));)+
            }

            fn csv(&self, out: &mut Vec<String>) {
                $(out.push($crate::model::core::counters::CounterValue::csv(self.$field));)+
            }
        }
    };
}

counters! {
    /// The core's end-of-day stocks and the day's flows for one cohort.
    pub struct CoreCounters {
        residents: u32 = Column::stock("residents"),
        /// Took part in anything within the active window.
        active: u32 = Column::stock("active"),
        /// Took a volunteer task today.
        volunteers: u32 = Column::flow("volunteers").counts(VOLUNTEERED),
        /// Attended an event or the deliberation day today.
        attendees: u32 = Column::flow("attendees").counts_residents(ATTENDED),
        /// Needs raised as complaints today.
        complaints: u32 = Column::flow("complaints").yearly().counts(COMPLAINED),
        /// Needs that arose today and were not raised.
        silent_needs: u32 = Column::flow("silent_needs").counts(KEPT_SILENT),
        trust_sum: f64 = Column::stock("trust_sum"),
        attachment_sum: f64 = Column::stock("attachment_sum"),
        // The counters above are written as `CORE_COLUMNS` (shares and means); those below as
        // they are, to the cohort's row or (community-level) to `community.csv`.
        /// Applied for a volunteer task today, granted or not.
        volunteer_applicants: u32 = Column::flow("volunteer_applicants"),
        /// Applied for a seat at today's deliberation day, granted or not.
        deliberation_applicants: u32 = Column::flow("deliberation_applicants"),
        /// Applications for places at today's events, granted or not (one per event applied to).
        event_applicants: u64 = Column::flow("event_applicants"),
        /// Complaints settled today as resolved (the complainant still lives here).
        complaints_resolved: u32 = Column::flow("complaints_resolved").yearly().counts(COMPLAINT_RESOLVED),
        /// Complaints settled today as stalled (the complainant still lives here).
        complaints_stalled: u32 = Column::flow("complaints_stalled").yearly().counts(COMPLAINT_STALLED),
        /// Volunteer tasks offered today: the community's, the same in every cohort.
        volunteer_places: u32 = Column::community("volunteer_places"),
        /// Seats at the deliberation day today (0 on other days): the community's.
        deliberation_seats: u32 = Column::community("deliberation_seats"),
        /// Places at the events held today (their capacities summed): the community's.
        event_places: u64 = Column::community("event_places"),
    }
}

/// End-of-day stocks and the day's flows for one cohort: the core's and each mechanism's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CohortDay {
    pub core: CoreCounters,
    pub mechanisms: MechanismCounters,
}

/// One day of one replicate: a [`CohortDay`] per cohort.
pub type DayRecord = [CohortDay; N_COHORTS];

/// The first columns of a cohort's row: the core's shares and means, derived from the core's
/// first [`DERIVED`] counters. The core's later counters, then every mechanism's, follow as they
/// are (community-level counters are reported apart).
pub const CORE_COLUMNS: [&str; 8] = [
    "residents",
    "active_rate",
    "volunteer_rate",
    "attendance_rate",
    "complaints",
    "silent_needs",
    "mean_trust",
    "mean_attachment",
];

/// How many of the core's counters, in field order, [`CORE_COLUMNS`] are derived from.
const DERIVED: usize = 8;

impl CohortDay {
    fn share(&self, count: u32) -> f64 {
        let residents = self.core.residents;
        if residents == 0 { 0.0 } else { count as f64 / residents as f64 }
    }

    pub fn active_rate(&self) -> f64 {
        self.share(self.core.active)
    }

    pub fn volunteer_rate(&self) -> f64 {
        self.share(self.core.volunteers)
    }

    pub fn attendance_rate(&self) -> f64 {
        self.share(self.core.attendees)
    }

    pub fn mean_trust(&self) -> f64 {
        let residents = self.core.residents;
        if residents == 0 { 0.0 } else { self.core.trust_sum / residents as f64 }
    }

    pub fn mean_attachment(&self) -> f64 {
        let residents = self.core.residents;
        if residents == 0 { 0.0 } else { self.core.attachment_sum / residents as f64 }
    }

    /// Adds another partial tally (used to combine chunks in order).
    #[inline]
    pub fn add(&mut self, other: &CohortDay) {
        self.core.add(&other.core);
        self.mechanisms.add(&other.mechanisms);
    }

    /// Every counter's column (the core's then each mechanism's, in registry order).
    pub fn counter_columns() -> Vec<Column> {
        let mut columns = Vec::new();
        CoreCounters::columns(&mut columns);
        MechanismCounters::columns(&mut columns);
        columns
    }

    /// Every counter's value, in [`CohortDay::counter_columns`] order.
    pub fn counter_values(&self) -> Vec<f64> {
        let mut values = Vec::new();
        self.core.values(&mut values);
        self.mechanisms.values(&mut values);
        values
    }

    /// The position of the counter called `name` in [`CohortDay::counter_columns`].
    pub fn counter_position(name: &str) -> Option<usize> {
        Self::counter_columns().iter().position(|c| c.name == name)
    }

    /// Every counter written as it is, with its CSV text: the core's after the first
    /// [`DERIVED`], then every mechanism's.
    fn written_as_they_are(&self) -> Vec<(Column, String)> {
        let mut columns = Vec::new();
        MechanismCounters::columns(&mut columns);
        let mut texts = Vec::new();
        self.core.csv(&mut texts);
        self.mechanisms.csv(&mut texts);
        let core = CoreCounters::COLUMNS[DERIVED..].iter().copied();
        core.chain(columns).zip(texts.into_iter().skip(DERIVED)).collect()
    }

    /// The names of a cohort row's columns: [`CORE_COLUMNS`], then the other counters that
    /// are not community-level (the core's, then the mechanisms').
    pub fn row_columns() -> Vec<&'static str> {
        let counters = CohortDay::default().written_as_they_are().into_iter();
        let others = counters.filter(|(c, _)| !c.kind.is_community()).map(|(c, _)| c.name);
        CORE_COLUMNS.into_iter().chain(others).collect()
    }

    /// A cohort row's fields, in [`CohortDay::row_columns`] order.
    pub fn row_fields(&self) -> Vec<String> {
        let mut fields = self.core_fields();
        let counters = self.written_as_they_are().into_iter();
        fields.extend(counters.filter(|(c, _)| !c.kind.is_community()).map(|(_, t)| t));
        fields
    }

    /// The fields of [`CORE_COLUMNS`]: the core's rates and means.
    pub fn core_fields(&self) -> Vec<String> {
        let c = &self.core;
        vec![
            c.residents.to_string(),
            format!("{:.6}", self.active_rate()),
            format!("{:.6}", self.volunteer_rate()),
            format!("{:.6}", self.attendance_rate()),
            c.complaints.to_string(),
            c.silent_needs.to_string(),
            format!("{:.6}", self.mean_trust()),
            format!("{:.6}", self.mean_attachment()),
        ]
    }

    /// Community-level counters (names and values), reported once per day: the core's, then
    /// the mechanisms'.
    pub fn community_fields(&self) -> Vec<(&'static str, String)> {
        self.written_as_they_are()
            .into_iter()
            .filter(|(c, _)| c.kind.is_community())
            .map(|(c, t)| (c.name, t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_name_is_distinct_and_every_row_column_is_known() {
        let columns = CohortDay::counter_columns();
        let mut names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), columns.len(), "a counter name is declared twice");
        assert_eq!(CohortDay::row_columns().len(), CohortDay::default().row_fields().len());
    }

    #[test]
    fn the_core_s_later_counters_are_written_as_they_are_to_the_row_or_community_csv() {
        // `CORE_COLUMNS` are derived from the first `DERIVED` counters: one inserted among them
        // would shift every later column.
        let derived: Vec<&str> = CoreCounters::COLUMNS[..DERIVED].iter().map(|c| c.name).collect();
        let expected = [
            "residents",
            "active",
            "volunteers",
            "attendees",
            "complaints",
            "silent_needs",
            "trust_sum",
            "attachment_sum",
        ];
        assert_eq!(derived, expected);
        let mut day = CohortDay::default();
        (day.core.volunteer_applicants, day.core.complaints_stalled, day.core.volunteer_places) = (9, 2, 4);
        let columns = CohortDay::row_columns();
        let at = |name: &str| columns.iter().position(|&c| c == name).expect(name);
        let fields = day.row_fields();
        assert_eq!(
            (fields[at("volunteer_applicants")].as_str(), fields[at("complaints_stalled")].as_str()),
            ("9", "2")
        );
        assert!(!columns.contains(&"volunteer_places"), "a community series is not a cohort's");
        assert!(day.community_fields().contains(&("volunteer_places", "4".to_string())));
    }

    #[test]
    fn only_flows_and_community_series_are_totalled_and_compare_positions_are_distinct() {
        // A cohort's stock summed over days means nothing: yearly totals and comparison totals
        // sum over days, so only flows (and community series, taken on the year's last day) qualify.
        let columns = CohortDay::counter_columns();
        for c in &columns {
            assert!(c.kind != Kind::Stock || !(c.yearly || c.compare.is_some()), "{} is a stock", c.name);
            assert!(!c.kind.is_community() || c.compare.is_none(), "{} is community-level", c.name);
        }
        let mut positions: Vec<u8> = columns.iter().filter_map(|c| c.compare).collect();
        let offered = positions.len();
        positions.sort_unstable();
        positions.dedup();
        assert_eq!(positions.len(), offered, "two counters share a compare position");
    }

    #[test]
    fn community_counters_combine_by_maximum_and_others_by_sum() {
        let mut a = CohortDay::default();
        a.core.complaints = 2;
        a.mechanisms.merchants.alliance_size = 7;
        let mut b = a;
        b.core.complaints = 3;
        a.add(&b);
        assert_eq!(a.core.complaints, 5);
        assert_eq!(a.mechanisms.merchants.alliance_size, 7);
    }
}
