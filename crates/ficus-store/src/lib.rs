//! Ficus storage: one code path over SQLite (the zero-setup default) and
//! PostgreSQL (for archives that outgrow one machine).
//!
//! - [`conn`]: opening either backend, pooling, migrations, and the
//!   [`with_conn!`] macro that runs one query body on whichever backend is open.
//! - [`schema`]: the single diesel schema both migration folders implement.
//! - [`works`]: storing and reading works, chapters, creators and tags.
//! - [`records`]: what reads return.
//!
//! Everything is synchronous (diesel); async callers use `spawn_blocking`.

#[macro_use]
pub mod conn;
pub mod accounts;
mod baseline;
pub mod bookmarks;
mod bylines;
pub mod claims;
pub mod co_creators;
pub mod collections;
pub mod comments;
pub mod error;
pub mod exchanges;
pub mod gifts;
pub mod hits;
pub mod index_feed;
pub mod kudos;
pub mod mail;
pub mod moderation;
pub mod mutes;
pub mod people;
pub mod readers;
pub mod readings;
pub mod records;
pub mod reports;
mod rows;
pub mod schema;
pub mod series;
pub mod stats;
pub mod subscriptions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttles;
pub mod works;
pub mod wrangling;

pub use accounts::{ApiTokenRecord, Preferences, PseudRecord, UserRecord};
pub use co_creators::Invitation;
pub use conn::{Backend, Store};
pub use error::StoreError;
pub use moderation::AuditEntry;
pub use records::{
    ChapterRecord, ChapterSummary, InsertOutcome, Page, TagRecord, WorkRecord, WorkStats,
};
pub use series::{SeriesEdit, SeriesPlace, SeriesRecord};
pub use throttles::Throttle;
pub use works::{ChapterChoice, CoCreatorInvites, Found, PreparedWork, Reading, WorkEdit};

#[cfg(test)]
mod tests;
