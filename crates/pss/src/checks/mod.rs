//! The checks of the Pod Security Standards, one file per upstream check (or per baseline and
//! restricted pair), each with its upstream id, level, revisions and overrides.
//!
//! A check has one or more revisions, each starting at a policy version; the newest revision at
//! or below the evaluated version is the one that runs. A restricted revision may override
//! baseline checks: in a restricted evaluation at that version the overridden baseline check does
//! not run, because the restricted one says the same thing more strictly (restricted
//! `seccompProfile_restricted` requires a profile where baseline only forbids bad ones).

use crate::eval::Violation;
use crate::policy::{Level, Version, NEWEST_MINOR};
use crate::read::Ctx;
use std::sync::OnceLock;

mod allow_privilege_escalation;
mod app_armor;
mod capabilities;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes;
mod privileged;
mod proc_mount;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod se_linux;
mod seccomp;
mod sysctls;
mod windows_host_process;

/// One upstream check.
#[derive(Debug)]
pub struct CheckInfo {
    /// The upstream check id (`privileged`, `seccompProfile_restricted`, ...).
    pub id: &'static str,
    /// Baseline checks run at baseline and restricted; restricted checks at restricted only.
    pub level: Level,
    /// A one-line summary in our own words.
    pub title: &'static str,
    /// The revisions, oldest first; the first one's version is when the check starts.
    pub revisions: &'static [Revision],
    /// Runs the revision that starts at `since` (a minor version) on the pod.
    pub(crate) run: fn(&Ctx<'_>, u32) -> Option<Violation>,
}

/// A revision of a check: what changed, from which policy version.
#[derive(Debug)]
pub struct Revision {
    /// The first policy version (the minor of v1.N) this revision applies to.
    pub since: u32,
    /// Baseline check ids this revision replaces in restricted evaluations.
    pub overrides: &'static [&'static str],
    /// What this revision does differently from the one before.
    pub change: &'static str,
}

impl CheckInfo {
    /// The first policy version the check applies to.
    pub fn min_version(&self) -> Version {
        Version::Minor(self.revisions.first().map_or(0, |r| r.since))
    }

    /// The revision in force at a minor version, if the check exists yet.
    pub fn revision_at(&self, minor: u32) -> Option<&'static Revision> {
        self.revisions.iter().rev().find(|r| r.since <= minor)
    }

    /// Whether the check runs in an evaluation at this level.
    pub fn applies_to(&self, level: Level) -> bool {
        match level {
            Level::Privileged => false,
            Level::Baseline => self.level == Level::Baseline,
            Level::Restricted => true,
        }
    }
}

/// Every check, in the order Pod Security Admission reports them: baseline checks, then
/// restricted ones, each group in upstream's registration order (its file names, sorted).
pub(crate) static CHECKS: &[CheckInfo] = &[
    app_armor::CHECK,
    capabilities::BASELINE,
    host_namespaces::CHECK,
    host_path_volumes::CHECK,
    host_ports::CHECK,
    host_probes::CHECK,
    privileged::CHECK,
    proc_mount::BASELINE,
    se_linux::CHECK,
    seccomp::BASELINE,
    sysctls::CHECK,
    windows_host_process::CHECK,
    allow_privilege_escalation::CHECK,
    capabilities::RESTRICTED,
    proc_mount::RESTRICTED,
    restricted_volumes::CHECK,
    run_as_non_root::CHECK,
    run_as_user::CHECK,
    seccomp::RESTRICTED,
];

/// The checks that run at this level and minor version, with the revision of each: restricted
/// evaluations leave out the baseline checks that a restricted revision in force overrides.
/// Worked out once per level and version, since every evaluation asks again.
pub(crate) fn active(level: Level, minor: u32) -> &'static [(&'static CheckInfo, u32)] {
    static TABLE: OnceLock<Vec<Vec<(&'static CheckInfo, u32)>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for level in [Level::Baseline, Level::Restricted] {
            for minor in 0..=NEWEST_MINOR {
                rows.push(resolve(level, minor));
            }
        }
        rows
    });
    let row = match level {
        Level::Privileged => return &[],
        Level::Baseline => 0,
        Level::Restricted => 1,
    };
    let per_level = NEWEST_MINOR as usize + 1;
    let minor = minor.min(NEWEST_MINOR) as usize;
    table
        .get(row * per_level + minor)
        .map_or(&[], Vec::as_slice)
}

fn resolve(level: Level, minor: u32) -> Vec<(&'static CheckInfo, u32)> {
    let overridden = |id: &str| {
        level == Level::Restricted
            && CHECKS.iter().any(|c| {
                c.level == Level::Restricted
                    && c.revision_at(minor)
                        .is_some_and(|r| r.overrides.contains(&id))
            })
    };
    CHECKS
        .iter()
        .filter(|check| check.applies_to(level) && !overridden(check.id))
        .filter_map(|check| check.revision_at(minor).map(|r| (check, r.since)))
        .collect()
}
