//! Numbers and verdicts in words for the report and the screen (percentage points, p-values).

use crate::experiment::compare::{Group, Metric, Verdict};

/// A share as signed percentage points: 0.0123 as "+1.23 pp".
pub fn pp(share: f64) -> String {
    format!("{} pp", signed_pp(share))
}

/// A share in percentage points with its sign and two decimals; what rounds to zero is "0.00",
/// never "-0.00" or "+0.00".
pub fn signed_pp(share: f64) -> String {
    let text = format!("{:+.2}", share * 100.0);
    if text[1..] == *"0.00" { "0.00".to_string() } else { text }
}

/// A share interval in percentage points: "+0.10 to +2.35 pp".
pub fn pp_interval(low: f64, high: f64) -> String {
    format!("{} to {} pp", signed_pp(low), signed_pp(high))
}

/// A share interval in percentage points, in Chinese: "+0.10 至 +2.35 pp".
pub fn pp_interval_zh(low: f64, high: f64) -> String {
    format!("{} 至 {} pp", signed_pp(low), signed_pp(high))
}

/// A p-value as people read it: "< 0.001" rather than 0.000, three decimals otherwise.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "n/a".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// Yuan, rounded: "1,234 yuan"; an infinite or missing end is "unbounded".
pub fn yuan(value: Option<f64>) -> String {
    value.map_or("unbounded".to_string(), |y| format!("{} yuan", thousands(y)))
}

/// Yuan in Chinese: "1,234 元"; a missing end is "无上限".
pub fn yuan_zh(value: Option<f64>) -> String {
    value.map_or("无上限".to_string(), |y| format!("{} 元", thousands(y)))
}

/// A whole number with thousands separators, sign kept.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value.round() < 0.0 { format!("-{out}") } else { out }
}

/// A verdict in plain English; `smallest` is the smallest difference worth reporting (a share)
/// for rates.
pub fn verdict(verdict: Verdict, metric: Metric, smallest: f64) -> String {
    let rate = metric.is_rate();
    match verdict {
        Verdict::Higher if metric == Metric::ShareOfParticipants => "a larger share of participants".into(),
        Verdict::Lower if metric == Metric::ShareOfParticipants => "a smaller share of participants".into(),
        Verdict::Higher if rate => "more take part".into(),
        Verdict::Lower if rate => "fewer take part".into(),
        Verdict::Higher => "higher".into(),
        Verdict::Lower => "lower".into(),
        Verdict::NoMeaningfulDifference => {
            format!("no meaningful difference: the whole interval is within ±{:.2} pp", smallest * 100.0)
        }
        Verdict::Unclear if rate && smallest > 0.0 => {
            "unclear: not significant after the Holm correction for multiple comparisons".into()
        }
        Verdict::Unclear => "no difference detected".into(),
        Verdict::UnclearSize => format!(
            "unclear: significant but smaller than {:.2} pp, and the interval reaches beyond it",
            smallest * 100.0
        ),
    }
}

/// A verdict on a measure of who took part: shares are read against the smallest difference
/// worth reporting, like rates; other measures against zero.
pub fn measure_verdict(verdict: Verdict, share: bool, smallest: f64) -> String {
    match verdict {
        Verdict::Higher => "higher".into(),
        Verdict::Lower => "lower".into(),
        // The rate metrics' wording for shares, the counters' otherwise.
        other => self::verdict(other, if share { Metric::MeanActiveRate } else { Metric::VolunteerHours }, smallest),
    }
}

/// A measure's change from the baseline and its 95% interval: shares in percentage points,
/// other measures as signed numbers.
pub fn measure_change(d: &crate::experiment::stats::PairedDifference, share: bool) -> (String, String) {
    if share {
        (pp(d.mean), pp_interval(d.ci95_low, d.ci95_high))
    } else {
        (format!("{:+.2}", d.mean), format!("{:+.2} to {:+.2}", d.ci95_low, d.ci95_high))
    }
}

/// The verdict's CSS class in the report.
pub fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Higher => "gain",
        Verdict::Lower => "loss",
        Verdict::NoMeaningfulDifference | Verdict::Unclear | Verdict::UnclearSize => "zero",
    }
}

/// A group in English, for sentences.
pub fn group_en(group: Group) -> &'static str {
    match group {
        Group::Original => "original owners",
        Group::NewFamily => "new families",
        Group::Transient => "transient renters",
        Group::All => "all residents",
    }
}

/// A group in Chinese.
pub fn group_zh(group: Group) -> &'static str {
    match group {
        Group::Original => "老业主",
        Group::NewFamily => "新家庭",
        Group::Transient => "流动人口",
        Group::All => "全体居民",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_below_a_thousandth_are_not_zero() {
        assert_eq!(p_value(0.0), "< 0.001");
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.0123), "0.012");
        assert_eq!(p_value(f64::NAN), "n/a");
    }

    #[test]
    fn percentage_points_are_pp() {
        assert_eq!(pp(0.0004), "+0.04 pp");
        assert_eq!(pp_interval(-0.001, 0.02), "-0.10 to +2.00 pp");
    }

    #[test]
    fn what_rounds_to_zero_has_no_sign() {
        assert_eq!(pp(-0.000_01), "0.00 pp");
        assert_eq!(pp(0.000_01), "0.00 pp");
        assert_eq!(pp_interval(-0.000_04, 0.000_04), "0.00 to 0.00 pp");
        assert_eq!(pp_interval_zh(-0.000_04, 0.0001), "0.00 至 +0.01 pp");
    }

    #[test]
    fn thousands_and_unbounded_yuan() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(yuan(None), "unbounded");
        assert_eq!(yuan(Some(950.2)), "950 yuan");
    }
}
