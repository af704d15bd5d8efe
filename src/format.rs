//! The `date-time` format, proven by the typed decoding itself: a timestamp
//! field takes a string only if it is an RFC 3339 `date-time` exactly as JSON
//! Schema means it (the `format` the schemas give every timestamp), and then
//! chrono reads it. So the types hold no timestamp the schemas refuse, with or
//! without the `validate` feature. `tests/formats.rs` holds this check to
//! jsonschema's own.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, Visitor};

/// Whether `text` is an RFC 3339 `date-time` (RFC 3339 §5.6, with the
/// lower-case `t` and `z` its note allows, and a leap second only at 23:59:60 UTC).
pub(crate) fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, expected: &[u8]| b.get(i).is_some_and(|c| expected.contains(c));
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if !(at(4, b"-") && at(7, b"-") && (1..=days).contains(&day) && at(10, b"Tt")) {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(11..13), digits(14..16), digits(17..19)) else {
        return false;
    };
    if !(at(13, b":") && at(16, b":") && hour <= 23 && minute <= 59 && second <= 60) {
        return false;
    }
    let mut i = 19;
    if at(i, b".") {
        let fraction = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if fraction == 0 {
            return false;
        }
        i += 1 + fraction;
    }
    // The offset, in minutes east of UTC.
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && at(i + 3, b":") => {
            let (Some(hh), Some(mm)) = (digits(i + 1..i + 3), digits(i + 4..i + 6)) else {
                return false;
            };
            if hh > 23 || mm > 59 {
                return false;
            }
            let minutes = i64::from(hh * 60 + mm);
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return false,
    };
    // A leap second is the last second of a UTC day.
    second != 60 || (i64::from(hour * 60 + minute) - offset).rem_euclid(24 * 60) == 23 * 60 + 59
}

struct Timestamp;

impl Visitor<'_> for Timestamp {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        if !is_date_time(text) {
            return Err(E::custom(format_args!("{text:?} is not a \"date-time\"")));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                E::custom(format_args!(
                    "{text:?} is not a date-time this crate can hold: {e}"
                ))
            })
    }
}

struct NullableTimestamp;

impl<'de> Visitor<'de> for NullableTimestamp {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        date_time(deserializer).map(Some)
    }
}

/// A timestamp field (`#[serde(deserialize_with)]` of the generated types).
pub(crate) fn date_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Timestamp)
}

/// A nullable timestamp field: present, and `null` or a timestamp.
pub(crate) fn nullable_date_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(NullableTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_date_times() {
        for valid in [
            "2025-01-15T14:30:00Z",
            "2025-01-15t14:30:00z",
            "2024-02-29T00:00:00.123456789123+01:00",
            "1998-12-31T23:59:60Z",
            "1998-12-31T15:59:60-08:00",
            "0000-01-01T00:00:00-00:00",
        ] {
            assert!(is_date_time(valid), "{valid}");
            assert!(DateTime::parse_from_rfc3339(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "2025-01-15 14:30:00Z",
            "2025-01-15T14:30:00",
            "2023-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-15T24:00:00Z",
            "2025-01-15T14:30:60Z",
            "2025-01-15T14:30:00.Z",
            "2025-01-15T14:30:00+24:00",
            "2025-01-15T14:30:00+0100",
            "2025-1-15T14:30:00Z",
            "",
            "2025-01-15T14:30:00Z ",
            "２０２５-01-15T14:30:00Z",
        ] {
            assert!(!is_date_time(invalid), "{invalid}");
        }
    }
}
