//! The simulation calendar: one step is one day from a start date.

use chrono::{Datelike, NaiveDate, Weekday};

/// What the model needs to know about one simulated day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    /// Days since the start date (0-based); the step number.
    pub index: u32,
    pub date: NaiveDate,
    pub weekday: Weekday,
    /// Saturday or Sunday.
    pub is_weekend: bool,
}

/// The calendar of a run: `n_days` consecutive days from `start`.
#[derive(Clone, Debug)]
pub struct Calendar {
    days: Vec<Day>,
}

impl Calendar {
    /// Builds the calendar of `n_days` days from `start`.
    pub fn new(start: NaiveDate, n_days: u32) -> Calendar {
        let days = start
            .iter_days()
            .take(n_days as usize)
            .enumerate()
            .map(|(index, date)| Day {
                index: index as u32,
                date,
                weekday: date.weekday(),
                is_weekend: matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
            })
            .collect();
        Calendar { days }
    }

    pub fn days(&self) -> &[Day] {
        &self.days
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The index of `date`, if it falls inside the calendar.
    pub fn index_of(&self, date: NaiveDate) -> Option<u32> {
        let first = self.days.first()?.date;
        let offset = (date - first).num_days();
        (0..self.days.len() as i64).contains(&offset).then_some(offset as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekends() {
        let calendar = Calendar::new(date(2024, 1, 1), 366);
        assert_eq!(calendar.len(), 366);
        let first = calendar.days()[0];
        assert_eq!(first.weekday, Weekday::Mon);
        assert!(!first.is_weekend);
        assert!(calendar.days()[5].is_weekend && calendar.days()[6].is_weekend);
        assert_eq!(calendar.days()[365].date, date(2024, 12, 31), "2024 is a leap year");
    }

    #[test]
    fn index_of_dates() {
        let calendar = Calendar::new(date(2024, 1, 1), 31);
        assert_eq!(calendar.index_of(date(2024, 1, 20)), Some(19));
        assert_eq!(calendar.index_of(date(2024, 2, 1)), None);
        assert_eq!(calendar.index_of(date(2023, 12, 31)), None);
    }
}
