//! Storage errors.

use ficus_core::work::WorkError;

/// Anything the store can fail with. Messages say what to check next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database ({backend}): {message}")]
    Connect {
        backend: &'static str,
        message: String,
    },
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("the work is not valid: {0}")]
    InvalidWork(#[from] WorkError),
    #[error("that {0} is already taken")]
    Taken(&'static str),
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Wrangle(#[from] ficus_core::wrangling::WrangleError),
    #[error("{0}")]
    TagName(#[from] ficus_core::tag::TagNameError),
    #[error("there is no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("you have reached the limit of {0}; remove one first")]
    Limit(&'static str),
}
