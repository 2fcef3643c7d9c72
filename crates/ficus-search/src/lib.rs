//! Ficus search: an embedded tantivy index of the archive's works, derived
//! from the database and rebuildable at any time.
//!
//! - [`fields`]: the schema, and a stored work as an index document (its
//!   filter tags, sort keys, text fields and full text).
//! - [`request`]: what a listing or search asks for, as one tantivy query.
//! - [`collect`]: the one-pass collector behind exact totals, sidebar
//!   counts and pages at any depth.
//! - [`counts`]: the big listings' exact sidebar counts, kept per
//!   segment, and a new combination derived from them.
//! - [`sorted`]: pages of those big sets walked in per-segment sort
//!   orders.
//! - [`index`]: opening, searching and writing the index.
//! - [`sync`]: following the database's change log, and full rebuilds.
//! - [`probe`]: whether one work matches requests (saved searches).

mod collect;
mod counts;
pub mod fields;
pub mod index;
pub mod probe;
pub mod request;
mod sorted;
pub mod sync;

pub use index::{CommitState, Hits, INDEX_DIR, SearchIndex};
pub use probe::Probe;
pub use request::{BookmarkFilter, Crossover, Request, ResolvedQuery};
pub use sync::{Indexer, LEGACY_CONSUMER, consumer_name};

/// Anything the index can fail with.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot open the search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("cannot read the search index: {0}")]
    Read(#[from] tantivy::directory::error::OpenReadError),
    #[error("cannot use {0}: {1}")]
    Io(String, std::io::Error),
    #[error(transparent)]
    Store(#[from] ficus_store::StoreError),
    #[error("the search index writer was poisoned by an earlier panic")]
    Poisoned,
    #[error("simulated crash (test hook)")]
    SimulatedCrash,
}
