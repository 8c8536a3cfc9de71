//! Manifests to an inventory: files, directories, standard input; YAML read as Kubernetes reads
//! it (YAML 1.1 through go-yaml), JSON, multi-document streams, `List` objects, `kubectl get`
//! output. Every node keeps its line and column. Hard limits bound what hostile input can cost.
//!
//! Nothing here fails as a whole: each problem becomes a [`Diagnostic`] naming the file, line and
//! column, and everything else is still loaded.

mod builder;
mod files;
mod index;
mod json;
mod lenient;
mod limits;
mod objects;
mod resolve;
mod tags;
mod text;
mod yaml;

pub use files::{load_bytes, load_paths, load_paths_excluding, plan_paths, Loaded, Plan, Work};
pub use index::{load_indexed, KindPatterns};
pub use json::parse_json;
pub use limits::Limits;
pub use objects::LAST_APPLIED;
pub use resolve::{float_key, resolve_plain};
pub use text::parse_text;
pub use yaml::{parse_documents, DocOutcome, Parsed, Problem};
