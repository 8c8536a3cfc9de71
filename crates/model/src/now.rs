//! The moment a run judges at.
//!
//! Rules are pure functions of their inputs: "now" is one of them. It enters once, where a run is
//! configured (the CLI reads the clock, or `KCHECK_TODAY`; a test chooses its day), and everything
//! that compares dates reads it from there: the access review's age (1.5), certificate lifetimes
//! (1.4), the age of image scan results (7.4) and waiver expiry.

use crate::waiver::Date;

/// Seconds since 1970-01-01 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Now(i64);

impl Now {
    pub fn from_unix(seconds: i64) -> Now {
        Now(seconds)
    }

    /// Midnight (UTC) at the start of `day`.
    pub fn start_of(day: Date) -> Now {
        Now(day.days().saturating_mul(86_400))
    }

    /// The system clock. Only a run's entry point (the CLI, the webhook for each review) reads
    /// it; a rule never does.
    pub fn clock() -> Now {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Now(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    /// The UTC date of this moment.
    pub fn today(self) -> Date {
        Date::from_days(self.0.div_euclid(86_400))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_and_its_midnight_agree() {
        let day = Date::parse("2026-12-07").unwrap();
        let now = Now::start_of(day);
        assert_eq!(now.unix(), 1_796_601_600);
        assert_eq!(now.today(), day);
        assert_eq!(Now::from_unix(now.unix() + 86_399).today(), day);
        assert_eq!(
            Now::from_unix(now.unix() - 1).today(),
            Date::parse("2026-12-06").unwrap()
        );
        assert_eq!(
            Now::from_unix(-1).today(),
            Date::parse("1969-12-31").unwrap()
        );
    }
}
