//! When the releases of the distributions container images are built on stop receiving security
//! fixes (item 7.4, KC709).
//!
//! A small static table, written on 2026-12-07. The dates were checked on that day against:
//! - endoflife.date's product files (github.com/endoflife-date/endoflife.date, `products/*.md`):
//!   Ubuntu (the "eol" column: end of standard security maintenance, without Ubuntu Pro), Alpine
//!   (from alpinelinux.org/releases, "End of support"), Debian (`eoes`: end of LTS), RHEL (`eol`:
//!   end of the Maintenance Support phase, without the ELS add-on);
//! - Debian: the LTS team's announcement that 10 "buster" ends on 2024-06-30 and 11 "bullseye"
//!   on 2026-08-31 (debian-lts-announce, as relayed in public posts), and the LTS ends of 9
//!   (2022-06-30), 12 (2028-06-30) and 13 (2030-06-30) from debian.club/en/eol, which cites
//!   Debian's release and LTS pages (endoflife.date gives 2022-07-01 and 2028-06-10 for 9 and
//!   12; the LTS team's own "June 30" is kept);
//! - CentOS: blog.centos.org, "End dates are coming for CentOS Stream 8 and CentOS Linux 7"
//!   (Stream 8 on 2024-05-31, Linux 7 on 2024-06-30); CentOS Linux 8 on 2021-12-31 and Stream 9
//!   on 2027-05-31 from an endoflife.ai summary of the CentOS project's dates (not checked
//!   against centos.org itself);
//! - Amazon Linux: AWS's Amazon Linux 2 end-of-support notice (2026-06-30, extended from
//!   2025-06-30, which endoflife.date's stored file still shows) and the AL2023 user guide,
//!   "Release cadence" (supported until 2029-06-30).
//!
//! Each date is the last day of free security support of the release (LTS included, paid
//! extensions such as Ubuntu Pro, RHEL ELS or Debian ELTS excluded). Releases not listed are not
//! judged: an unknown distribution or version yields nothing.

use kcheck_model::image::OsRelease;
use kcheck_model::Date;

/// One release and the day its security support ends.
struct Release {
    /// `os-release` `ID`.
    id: &'static str,
    /// The version as compared: Debian, RHEL, CentOS and Amazon Linux by major version, Ubuntu
    /// and Alpine by major.minor; CentOS Stream as `stream8`.
    version: &'static str,
    /// What people call it: `Debian 10`, `Ubuntu 18.04`, `CentOS Stream 8`.
    name: &'static str,
    /// The codename, when the distribution has one.
    codename: &'static str,
    /// The last day of security support.
    eol: &'static str,
}

const fn r(
    id: &'static str,
    version: &'static str,
    name: &'static str,
    codename: &'static str,
    eol: &'static str,
) -> Release {
    Release {
        id,
        version,
        name,
        codename,
        eol,
    }
}

static RELEASES: &[Release] = &[
    r("debian", "9", "Debian 9", "stretch", "2022-06-30"),
    r("debian", "10", "Debian 10", "buster", "2024-06-30"),
    r("debian", "11", "Debian 11", "bullseye", "2026-08-31"),
    r("debian", "12", "Debian 12", "bookworm", "2028-06-30"),
    r("debian", "13", "Debian 13", "trixie", "2030-06-30"),
    r(
        "ubuntu",
        "16.04",
        "Ubuntu 16.04 LTS",
        "xenial",
        "2021-04-02",
    ),
    r("ubuntu", "16.10", "Ubuntu 16.10", "yakkety", "2017-07-20"),
    r("ubuntu", "17.04", "Ubuntu 17.04", "zesty", "2018-01-13"),
    r("ubuntu", "17.10", "Ubuntu 17.10", "artful", "2018-07-19"),
    r(
        "ubuntu",
        "18.04",
        "Ubuntu 18.04 LTS",
        "bionic",
        "2023-05-31",
    ),
    r("ubuntu", "18.10", "Ubuntu 18.10", "cosmic", "2019-07-18"),
    r("ubuntu", "19.04", "Ubuntu 19.04", "disco", "2020-01-23"),
    r("ubuntu", "19.10", "Ubuntu 19.10", "eoan", "2020-07-06"),
    r("ubuntu", "20.04", "Ubuntu 20.04 LTS", "focal", "2025-05-31"),
    r("ubuntu", "20.10", "Ubuntu 20.10", "groovy", "2021-07-22"),
    r("ubuntu", "21.04", "Ubuntu 21.04", "hirsute", "2022-01-20"),
    r("ubuntu", "21.10", "Ubuntu 21.10", "impish", "2022-07-14"),
    r("ubuntu", "22.04", "Ubuntu 22.04 LTS", "jammy", "2027-04-01"),
    r("ubuntu", "22.10", "Ubuntu 22.10", "kinetic", "2023-07-20"),
    r("ubuntu", "23.04", "Ubuntu 23.04", "lunar", "2024-01-20"),
    r("ubuntu", "23.10", "Ubuntu 23.10", "mantic", "2024-07-12"),
    r("ubuntu", "24.04", "Ubuntu 24.04 LTS", "noble", "2029-05-31"),
    r("ubuntu", "24.10", "Ubuntu 24.10", "oracular", "2025-07-10"),
    r("ubuntu", "25.04", "Ubuntu 25.04", "plucky", "2026-01-17"),
    r("ubuntu", "25.10", "Ubuntu 25.10", "questing", "2026-07-01"),
    r(
        "ubuntu",
        "26.04",
        "Ubuntu 26.04 LTS",
        "resolute",
        "2031-04-30",
    ),
    r("alpine", "3.12", "Alpine 3.12", "", "2022-05-01"),
    r("alpine", "3.13", "Alpine 3.13", "", "2022-11-01"),
    r("alpine", "3.14", "Alpine 3.14", "", "2023-05-01"),
    r("alpine", "3.15", "Alpine 3.15", "", "2023-11-01"),
    r("alpine", "3.16", "Alpine 3.16", "", "2024-05-23"),
    r("alpine", "3.17", "Alpine 3.17", "", "2024-11-22"),
    r("alpine", "3.18", "Alpine 3.18", "", "2025-05-09"),
    r("alpine", "3.19", "Alpine 3.19", "", "2025-11-01"),
    r("alpine", "3.20", "Alpine 3.20", "", "2026-04-01"),
    r("alpine", "3.21", "Alpine 3.21", "", "2026-11-01"),
    r("alpine", "3.22", "Alpine 3.22", "", "2027-05-01"),
    r("alpine", "3.23", "Alpine 3.23", "", "2027-11-01"),
    r("rhel", "7", "Red Hat Enterprise Linux 7", "", "2024-06-30"),
    r("rhel", "8", "Red Hat Enterprise Linux 8", "", "2029-05-31"),
    r("rhel", "9", "Red Hat Enterprise Linux 9", "", "2032-05-31"),
    r("centos", "7", "CentOS Linux 7", "", "2024-06-30"),
    r("centos", "8", "CentOS Linux 8", "", "2021-12-31"),
    r("centos", "stream8", "CentOS Stream 8", "", "2024-05-31"),
    r("centos", "stream9", "CentOS Stream 9", "", "2027-05-31"),
    r("amzn", "2", "Amazon Linux 2", "", "2026-06-30"),
    r("amzn", "2023", "Amazon Linux 2023", "", "2029-06-30"),
];

/// A known release of a distribution and the end of its security support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    /// `Debian 10`, `Ubuntu 18.04 LTS`, `CentOS Stream 8`.
    pub name: &'static str,
    /// `buster`, or empty.
    pub codename: &'static str,
    /// The last day of security support.
    pub ends: Date,
}

impl Support {
    /// Whether support has ended by `today` (the end day itself is still supported).
    pub fn ended(&self, today: Date) -> bool {
        today > self.ends
    }

    /// `Debian 10 (buster)` / `Debian 10（buster）`.
    pub fn label_en(&self) -> String {
        if self.codename.is_empty() {
            self.name.to_string()
        } else {
            format!("{} ({})", self.name, self.codename)
        }
    }

    pub fn label_zh(&self) -> String {
        if self.codename.is_empty() {
            self.name.to_string()
        } else {
            format!("{}（{}）", self.name, self.codename)
        }
    }
}

/// The release an image's `os-release` names, when the table knows it.
pub fn support(os: &OsRelease) -> Option<Support> {
    let id = os.id.trim().to_ascii_lowercase();
    let version = os.version_id.trim();
    let mut parts = version.split('.');
    let major = parts.next().filter(|m| !m.is_empty())?;
    let key = match id.as_str() {
        "ubuntu" | "alpine" => format!("{major}.{}", parts.next()?),
        "centos" if os.pretty_name.contains("Stream") => format!("stream{major}"),
        _ => major.to_string(),
    };
    let release = RELEASES.iter().find(|r| r.id == id && r.version == key)?;
    Some(Support {
        name: release.name,
        codename: release.codename,
        ends: Date::parse(release.eol)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version: &str, pretty: &str) -> OsRelease {
        OsRelease {
            id: id.into(),
            version_id: version.into(),
            pretty_name: pretty.into(),
            ..OsRelease::default()
        }
    }

    #[test]
    fn every_date_parses_and_versions_are_unique() {
        for (i, r) in RELEASES.iter().enumerate() {
            assert!(Date::parse(r.eol).is_some(), "{}", r.name);
            assert!(
                !RELEASES[..i]
                    .iter()
                    .any(|o| o.id == r.id && o.version == r.version),
                "{} twice",
                r.name
            );
        }
    }

    #[test]
    fn versions_compare_as_each_distribution_numbers_them() {
        let alpine = support(&os("alpine", "3.19.1", "")).unwrap();
        assert_eq!(alpine.name, "Alpine 3.19");
        assert_eq!(
            support(&os("rhel", "8.9", "")).unwrap().name,
            "Red Hat Enterprise Linux 8"
        );
        assert_eq!(
            support(&os("centos", "8", "CentOS Stream 8")).unwrap().name,
            "CentOS Stream 8"
        );
        assert_eq!(
            support(&os("centos", "8", "CentOS Linux 8")).unwrap().name,
            "CentOS Linux 8"
        );
        assert_eq!(
            support(&os("debian", "12", "")).unwrap().label_en(),
            "Debian 12 (bookworm)"
        );
        assert_eq!(
            support(&os("debian", "", "Debian GNU/Linux trixie/sid")),
            None
        );
        assert_eq!(support(&os("ubuntu", "22", "")), None);
        assert_eq!(support(&os("arch", "", "")), None);
        assert_eq!(support(&os("alpine", "3.99.0", "")), None);
        let today = Date::parse("2024-06-30").unwrap();
        let buster = support(&os("debian", "10", "")).unwrap();
        assert!(!buster.ended(today));
        assert!(buster.ended(Date::parse("2024-07-01").unwrap()));
    }
}
