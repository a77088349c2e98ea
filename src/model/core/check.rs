//! Parameter checks: each parameter type states its ranges and rules here, and the file format
//! reports them (with the key's place in the file) and turns fixed ranges into the JSON Schema.

/// Tolerance for shares that must sum to 1 (so 0.3333 x 3 is accepted).
pub const SHARE_TOLERANCE: f64 = 1.5e-3;

/// The last day of the month that every month has: monthly days (deliberation, workshops,
/// monthly events) go up to it.
pub const LAST_DAY_IN_EVERY_MONTH: u64 = 28;

/// What a parameter type's `check` reports to. Keys are dotted paths given by the caller.
pub trait Check {
    /// A whole number in a fixed range.
    fn int_range(&mut self, key: &str, value: u64, min: u64, max: u64);
    /// A whole number whose maximum is another key's value.
    fn int_range_relative(&mut self, key: &str, value: u64, min: u64, max: u64);
    /// A real number in a fixed range.
    fn real_range(&mut self, key: &str, value: f64, min: f64, max: f64);
    /// A real number whose maximum is another key's value.
    fn real_range_relative(&mut self, key: &str, value: f64, min: f64, max: f64);
    /// A rule between keys is broken at `key`.
    fn inconsistent(&mut self, key: &str, expected: String, found: String);

    /// A share or probability, from 0 to 1.
    fn share(&mut self, key: &str, value: f64) {
        self.real_range(key, value, 0.0, 1.0);
    }
}

/// Sums like 0.9000000000000001 are shown as 0.9.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
