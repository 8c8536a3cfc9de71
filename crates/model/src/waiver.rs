//! Waivers: findings that people decided to accept, with who said so and why.

use crate::text::Text;
use serde::Serialize;
use std::fmt;

/// Why a finding is waived.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Waiver {
    /// `annotation kcheck.io/ignore` or `waivers.yaml:12`.
    pub source: String,
    pub reason: String,
}

/// A calendar date (UTC), for waiver expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `2027-03-31`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.get(..2)?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// The civil date of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01: the inverse of [`Date::from_days`].
    pub fn days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

#[cfg(test)]
mod date_tests {
    use super::Date;

    #[test]
    fn days_and_dates_round_trip() {
        for days in [-800_000, -1, 0, 59, 60, 11_016, 19_782, 20_794, 2_932_896] {
            assert_eq!(Date::from_days(days).days(), days, "{days}");
        }
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What happened to the waivers of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WaiverSummary {
    /// Findings waived.
    pub applied: usize,
    /// Waivers that did not apply, and why: expired, unused, no reason, malformed.
    pub problems: Vec<WaiverProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WaiverProblem {
    /// Where the waiver is: `waivers.yaml:12` or `Deployment shop/web`.
    pub source: String,
    pub kind: WaiverProblemKind,
    pub message: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverProblemKind {
    Expired,
    Unused,
    NoReason,
    Invalid,
    /// An annotation waiver ignored because annotation waivers are turned off.
    Ignored,
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_786).to_string(), "2026-11-29");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(
            Date::parse("2027-03-31"),
            Some(Date {
                year: 2027,
                month: 3,
                day: 31
            })
        );
        assert_eq!(Date::parse("2027-13-01"), None);
        assert!(Date::parse("2026-11-28").unwrap() < Date::from_days(20_786));
    }
}
