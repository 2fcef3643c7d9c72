//! Ficus use cases: each user action or workflow is one function here,
//! called with typed input by the web pages, the JSON API and the command
//! line alike. Handlers only translate HTTP (or arguments) to these inputs
//! and the results to HTML, JSON or text; nothing here knows HTTP.
//!
//! - [`discovery`]: a reader's filters → one search-index request.
//! - [`mutes`]: guests' mutes as kept in their cookie.
//! - [`posting`]: posting and editing a work (co-creators, series, publishing)
//!   as one store transaction.
//! - [`wrangling`]: a wrangler's form for one tag → its changes, applied
//!   all or nothing.
//! - [`export`]: a stored work → a download.

pub mod discovery;
pub mod export;
pub mod mutes;
pub mod posting;
pub mod wrangling;

/// Why a use case could not be carried out (beyond the rule-breaking
/// answers each use case returns as its own typed result).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that cannot be read at all (a malformed number or date, a
    /// sort that does not exist): the caller's 400.
    #[error("{0}")]
    BadInput(String),
    /// What the input names does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] ficus_store::StoreError),
    #[error(transparent)]
    Search(#[from] ficus_search::SearchError),
    #[error(transparent)]
    Export(#[from] ficus_export::ExportError),
}
