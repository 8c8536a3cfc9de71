//! Levels and policy versions, spelled as namespace labels spell them
//! (`pod-security.kubernetes.io/enforce: baseline`, `...-version: v1.29`).

use std::fmt;
use std::str::FromStr;

/// The newest policy version this crate knows. `latest`, and any newer `v1.N`, evaluate as this
/// one: Pod Security Admission clamps every version to the newest minimum version among its
/// checks, so a namespace pinned to a future version gets today's rules.
pub const NEWEST_MINOR: u32 = 37;

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No checks at all.
    Privileged,
    /// Blocks known privilege escalations.
    Baseline,
    /// Baseline plus hardening best practice.
    Restricted,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Privileged, Level::Baseline, Level::Restricted];

    /// The label value: `privileged`, `baseline`, `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Parses a label value exactly as Pod Security Admission does (lowercase, nothing else).
    pub fn parse(s: &str) -> Result<Level, ParseError> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| ParseError::Level(s.to_string()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Level, ParseError> {
        Level::parse(s)
    }
}

/// A policy version: `v1.N`, or `latest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `v1.N`, holding N.
    Minor(u32),
    /// `latest`: the newest rules this crate knows.
    Latest,
}

impl Version {
    /// Parses `latest` or `v1.N` (no leading zeros, no other major version), the grammar Pod
    /// Security Admission accepts in namespace labels.
    pub fn parse(s: &str) -> Result<Version, ParseError> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let err = || ParseError::Version(s.to_string());
        let minor = s.strip_prefix("v1.").ok_or_else(err)?;
        let well_formed = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !well_formed {
            return Err(err());
        }
        minor.parse().map(Version::Minor).map_err(|_| err())
    }

    /// The minor version whose rules apply: `latest` and versions newer than this crate knows
    /// become [`NEWEST_MINOR`].
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Minor(n) => n.min(NEWEST_MINOR),
            Version::Latest => NEWEST_MINOR,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Minor(n) => write!(f, "v1.{n}"),
            Version::Latest => f.write_str("latest"),
        }
    }
}

impl FromStr for Version {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Version, ParseError> {
        Version::parse(s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown Pod Security level {0:?} (expected privileged, baseline or restricted)")]
    Level(String),
    #[error("invalid Pod Security version {0:?} (expected latest or v1.N)")]
    Version(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_exactly() {
        assert_eq!(Level::parse("baseline"), Ok(Level::Baseline));
        assert_eq!("restricted".parse(), Ok(Level::Restricted));
        assert!(Level::parse("Baseline").is_err());
        assert_eq!(Level::Privileged.to_string(), "privileged");
    }

    #[test]
    fn versions_parse_like_namespace_labels() {
        assert_eq!(Version::parse("v1.29"), Ok(Version::Minor(29)));
        assert_eq!(Version::parse("v1.0"), Ok(Version::Minor(0)));
        assert_eq!(Version::parse("latest"), Ok(Version::Latest));
        for bad in [
            "v1.", "v1.01", "1.29", "v2.1", "v1.2x", "v1.-1", "Latest", "",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Version::Minor(29).to_string(), "v1.29");
        assert_eq!(Version::Latest.to_string(), "latest");
    }

    #[test]
    fn future_versions_clamp_to_the_newest() {
        assert_eq!(Version::Latest.effective_minor(), NEWEST_MINOR);
        assert_eq!(Version::Minor(99).effective_minor(), NEWEST_MINOR);
        assert_eq!(Version::Minor(12).effective_minor(), 12);
    }
}
