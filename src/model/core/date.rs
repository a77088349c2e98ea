//! A calendar date in scenario files: a TOML date (`2024-01-01`) or a string (`"2024-01-01"`).

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date that exists (2024-02-30 is rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl Date {
    /// A date from parts known to be valid.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Date {
        Date(NaiveDate::from_ymd_opt(year, month, day).expect("a valid built-in date"))
    }

    fn parse(text: &str) -> Result<Date, String> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| format!("invalid value: \"{text}\", expected a date that exists, as YYYY-MM-DD"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        Date::parse(text).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
        // A TOML date literal arrives as toml's private datetime map.
        let datetime = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
        match (datetime.date, datetime.time) {
            (Some(date), None) => Date::parse(&date.to_string()).map_err(de::Error::custom),
            _ => Err(de::Error::custom(format!(
                "invalid value: {datetime}, expected a date without a time, as YYYY-MM-DD"
            ))),
        }
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            // Also for editors that treat `format` as a note: no time of day.
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A calendar date, YYYY-MM-DD."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        d: Date,
    }

    #[test]
    fn toml_dates_and_strings() {
        let a: Holder = toml::from_str("d = 2024-02-29").unwrap();
        let b: Holder = toml::from_str("d = \"2024-02-29\"").unwrap();
        assert_eq!(a.d, b.d);
        assert_eq!(a.d.to_string(), "2024-02-29");
    }

    #[test]
    fn impossible_dates_are_rejected() {
        let err = toml::from_str::<Holder>("d = \"2023-02-29\"").err().unwrap();
        assert!(err.message().contains("date that exists"), "{err}");
        assert!(toml::from_str::<Holder>("d = 2024-01-01T10:00:00").is_err());
    }
}
