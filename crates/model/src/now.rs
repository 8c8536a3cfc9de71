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

    /// `2026-12-08T02:03:04Z`: RFC 3339 in UTC, to the second.
    pub fn rfc3339(self) -> String {
        let day = self.today();
        let secs = self.0.rem_euclid(86_400);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            day.year,
            day.month,
            day.day,
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    /// Reads RFC 3339 (`2026-12-08T02:03:04Z`, with fractional seconds or an offset such as
    /// `+08:00`), as Kubernetes timestamps are written.
    pub fn parse_rfc3339(s: &str) -> Option<Now> {
        let s = s.trim();
        let (date, time) = s.split_once(['T', 't', ' '])?;
        let day = Date::parse(date)?;
        if date.len() != 10 {
            return None;
        }
        let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
            Some(i) => time.split_at(i),
            None => return None,
        };
        let clock = clock.split('.').next()?;
        let mut parts = clock.split(':').map(|p| p.parse::<i64>().ok());
        let (h, m, sec) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
            return None;
        }
        let offset = match offset {
            "Z" | "z" => 0,
            o => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let (oh, om) = o[1..].split_once(':')?;
                let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
                if oh > 23 || om > 59 {
                    return None;
                }
                sign * (oh * 3600 + om * 60)
            }
        };
        Some(Now(day.days() * 86_400 + h * 3600 + m * 60 + sec - offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_written_and_read_back() {
        let now = Now::from_unix(1_796_609_045);
        assert_eq!(now.rfc3339(), "2026-12-07T02:04:05Z");
        assert_eq!(Now::parse_rfc3339("2026-12-07T02:04:05Z"), Some(now));
        assert_eq!(Now::parse_rfc3339("2026-12-07T02:04:05.123456Z"), Some(now));
        assert_eq!(Now::parse_rfc3339("2026-12-07T10:04:05+08:00"), Some(now));
        assert_eq!(Now::parse_rfc3339("2026-12-06T21:04:05-05:00"), Some(now));
        for bad in [
            "",
            "2026-12-07",
            "2026-12-07T02:04:05",
            "2026-12-07T25:04:05Z",
            "2026-12-07T02:04Z",
            "2026-13-07T02:04:05Z",
            "2026-12-07T02:04:05+8",
            "yesterday",
        ] {
            assert_eq!(Now::parse_rfc3339(bad), None, "{bad:?}");
        }
    }

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
