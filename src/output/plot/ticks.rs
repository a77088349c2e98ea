//! Axis tick labels for every chart: whole numbers bare, decimals chosen per axis, shares in %, never "-0".

/// What an axis measures, which decides how its ticks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Plain numbers: counts, yuan, indices.
    Number,
    /// A share stored as 0..1, labelled as a percentage ("25%").
    Share,
    /// A difference of shares stored as 0..1, labelled in percentage points ("2.5"); the
    /// axis title carries the unit, "pp".
    SharePoints,
}

impl Scale {
    /// What a stored value is multiplied by before it is written.
    fn factor(self) -> f64 {
        match self {
            Scale::Number => 1.0,
            Scale::Share | Scale::SharePoints => 100.0,
        }
    }
}

/// How the ticks of one axis are labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ticks {
    scale: Scale,
    decimals: usize,
    separators: bool,
    /// The most ticks plotters may place: pass it to `x_labels` or `y_labels`, so that the
    /// decimals chosen here fit the ticks drawn there.
    pub count: usize,
}

impl Ticks {
    /// Labels for an axis from `low` to `high` (stored values) with at most `count` ticks.
    pub fn new(scale: Scale, low: f64, high: f64, count: usize) -> Ticks {
        let factor = scale.factor();
        let step = tick_step(low * factor, high * factor, count);
        // The 1e-9 keeps 0.001 computed as 0.000999… at three decimals.
        let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
        let largest = low.abs().max(high.abs()) * factor;
        Ticks { scale, decimals, separators: largest >= 10_000.0, count }
    }

    /// The label of a tick at `value` (a stored value).
    pub fn label(&self, value: f64) -> String {
        let text = fixed(value * self.scale.factor(), self.decimals);
        let text = if self.separators { group_thousands(&text) } else { text };
        if self.scale == Scale::Share { text + "%" } else { text }
    }
}

/// A whole number with thousands separators, for values written on bars: 1234567 as "1,234,567".
pub(crate) fn whole_number(value: f64) -> String {
    group_thousands(&fixed(value, 0))
}

/// `value` with `decimals` decimals, where anything that rounds to zero is "0", never "-0".
fn fixed(value: f64, decimals: usize) -> String {
    let power = 10f64.powi(decimals as i32);
    let rounded = (value * power).round() / power;
    // -0.0 == 0.0, so this also turns a negative zero positive.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.decimals$}")
}

/// Commas between groups of three digits of the integer part: "-12345.5" as "-12,345.5".
fn group_thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (digits, tail) = rest.find('.').map_or((rest, ""), |i| rest.split_at(i));
    let mut out = String::from(sign);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + tail
}

/// The step plotters uses between at most `count` ticks over `low..high`: the smallest of
/// 1, 2 and 5 times a power of ten that leaves no more than `count` ticks.
fn tick_step(low: f64, high: f64, count: usize) -> f64 {
    let span = high - low;
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let mut decade = 10f64.powf(span.log10().ceil());
    let mut best = decade;
    loop {
        for step in [decade / 2.0, decade / 5.0, decade / 10.0] {
            if ticks_within(low, high, step) > count {
                return best;
            }
            best = step;
        }
        decade /= 10.0;
    }
}

/// How many multiples of `step` lie in `low..=high`.
fn ticks_within(low: f64, high: f64, step: f64) -> usize {
    let first = (low / step - 1e-9).ceil();
    let last = (high / step + 1e-9).floor();
    (last - first + 1.0).max(0.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::Ranged;
    use plotters::coord::types::RangedCoordf64;

    #[test]
    fn no_negative_zero() {
        let ticks = Ticks::new(Scale::Number, -1.0, 1.0, 10);
        assert_eq!(ticks.label(-0.0), "0.0");
        assert_eq!(ticks.label(-0.00001), "0.0");
        let whole = Ticks::new(Scale::Number, -10.0, 10.0, 5);
        assert_eq!(whole.label(-0.0), "0");
        assert_eq!(whole.label(-0.2), "0");
    }

    #[test]
    fn integers_without_decimals() {
        let ticks = Ticks::new(Scale::Number, 0.0, 2500.0, 10);
        assert_eq!(ticks.label(2000.0), "2000");
        assert_eq!(ticks.label(0.0), "0");
        let yuan = Ticks::new(Scale::Number, 0.0, 230.0, 10);
        assert_eq!(yuan.label(150.0), "150");
    }

    #[test]
    fn decimals_from_the_range() {
        let ticks = Ticks::new(Scale::Number, -0.5, 4.5, 11);
        assert_eq!(ticks.label(1.0), "1.0");
        assert_eq!(ticks.label(4.5), "4.5");
        let fine = Ticks::new(Scale::Number, 0.0, 0.05, 10);
        assert_eq!(fine.label(0.01), "0.01");
        assert_eq!(fine.label(0.0), "0.00");
    }

    #[test]
    fn shares_as_percentages() {
        let ticks = Ticks::new(Scale::Share, 0.0, 0.5, 10);
        assert_eq!(ticks.label(0.25), "25%");
        let narrow = Ticks::new(Scale::Share, 0.1, 0.13, 10);
        assert_eq!(narrow.label(0.125), "12.5%");
        let points = Ticks::new(Scale::SharePoints, -0.01, 0.035, 10);
        assert_eq!(points.label(0.025), "2.5");
        assert_eq!(points.label(-0.0), "0.0");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(whole_number(0.0), "0");
        assert_eq!(whole_number(999.0), "999");
        assert_eq!(whole_number(1_234_567.0), "1,234,567");
        assert_eq!(whole_number(-0.3), "0");
        let ticks = Ticks::new(Scale::Number, 0.0, 1_500_000.0, 10);
        assert_eq!(ticks.label(1_400_000.0), "1,400,000");
        assert_eq!(group_thousands("-12345.5"), "-12,345.5");
    }

    /// Every tick plotters places gets its own label, for many ranges.
    #[test]
    fn labels_tell_plotters_ticks_apart() {
        let ranges = [(0.0, 1.0), (-0.7, 5.3), (0.0, 0.23), (0.1, 0.13), (-3.2, 0.4), (0.0, 1.4e6), (1.0, 1.0004)];
        for (low, high) in ranges {
            for count in [4, 6, 10] {
                let ticks = Ticks::new(Scale::Number, low, high, count);
                let coord: RangedCoordf64 = (low..high).into();
                let labels: Vec<String> = coord.key_points(count).iter().map(|&v| ticks.label(v)).collect();
                let mut unique = labels.clone();
                unique.dedup();
                assert_eq!(unique, labels, "{low}..{high} with {count} ticks");
            }
        }
    }
}
