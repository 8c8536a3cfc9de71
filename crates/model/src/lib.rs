//! kcheck's core types, with no I/O: the checklist itself, Kubernetes objects with the source
//! position of every field, the inventory of a run, findings and reports.

pub mod access;
pub mod baseline;
pub mod checklist;
pub mod duration;
pub mod facts;
pub mod finding;
pub mod findings;
pub mod fleet;
pub mod glob;
pub mod image;
pub mod inventory;
pub mod netpol_coverage;
pub mod node_report;
pub mod now;
pub mod object;
pub mod pss_report;
pub mod quantity;
pub mod report;
pub mod text;
pub mod value;
pub mod waiver;
pub mod workload;

pub use access::{
    AccessReview, DangerousGrant, GrantScope, RbacSubject, SubjectReview, WhoCan, WhoCanGrant,
};
pub use baseline::{Baseline, BaselineState, SavedFinding};
pub use checklist::{item, Evidence, Item, Section, ITEMS, SECTIONS};
pub use duration::{go_duration_nanos, go_duration_seconds};
pub use facts::{
    ComponentKind, ConfigRole, Detection, Distro, FileRole, Flags, NodeFacts, NodeRole,
};
pub use finding::{item_order, Finding, Level, Location, Note, NoteKind, Severity, Status};
pub use findings::{Backing, Brief, FindingRef, Findings, Spill};
pub use fleet::{
    FleetError, FleetInput, FleetItem, FleetReport, FleetSection, FleetSummary, StatusCounts,
};
pub use inventory::Inventory;
pub use netpol_coverage::{
    MetadataAccess, NetpolCoverage, NetpolNamespace, NetpolTotals, NetpolWorkload, OpenedBy,
};
pub use now::Now;
pub use object::{is_cluster_scoped, Object, ObjectRef, Source};
pub use pss_report::{PssColumn, PssField, PssReport, PssVerdict, PssViolation, PssWorkload};
pub use quantity::{node_quantity, parse_quantity};
pub use report::{
    Diagnostic, DiagnosticSeverity, Inputs, ItemResult, NodeSeen, Report, RuleInfo, RuleSummary,
    Score, Skipped, Target, Unavailable, UnavailableCause,
};
pub use text::{Lang, Text};
pub use value::{Entry, FieldPath, Node, Pos, Segment, Str, Value};
pub use waiver::{Date, Waiver, WaiverProblem, WaiverProblemKind, WaiverSummary};
pub use workload::{Container, ContainerKind, PodSpec, WORKLOAD_KINDS};
