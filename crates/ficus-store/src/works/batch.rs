//! Importing many works in one write transaction: each work is made ready
//! (sanitized, validated, its chapters' words counted — CPU work, done by
//! the caller's threads with no lock held) as a [`PreparedWork`], then a
//! batch is stored in one transaction with a savepoint per work, so a bad
//! work fails alone and the batch pays one commit instead of one each.

use chrono::Utc;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ficus_core::NewWork;

use super::helpers::{WorkHelpers, chapter_word_counts};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::InsertOutcome;

/// A work ready to store: sanitized, valid, its chapters counted.
#[derive(Debug, Clone)]
pub struct PreparedWork {
    pub(crate) work: NewWork,
    pub(crate) counts: Vec<i64>,
}

impl PreparedWork {
    /// Sanitizes, validates and counts `work` (no database needed).
    pub fn of(work: &NewWork) -> Result<PreparedWork, StoreError> {
        let mut clean = work.clone();
        clean.sanitize();
        clean.validate()?;
        let counts = chapter_word_counts(&clean);
        Ok(PreparedWork {
            work: clean,
            counts,
        })
    }

    /// The work as it will be stored.
    pub fn work(&self) -> &NewWork {
        &self.work
    }

    /// Its word count, as it will be stored.
    pub fn word_count(&self) -> i64 {
        self.counts.iter().sum()
    }
}

impl Store {
    /// Stores `batch` in one write transaction, each work in its own
    /// savepoint: a work that fails (a broken reference, a constraint) is
    /// rolled back alone and reported in its place; content already
    /// stored (before, or earlier in the batch) comes back as
    /// [`InsertOutcome::AlreadyExists`]. The outer error is the
    /// transaction's own (it could not begin or commit: nothing stored).
    pub fn insert_prepared(
        &self,
        batch: &[PreparedWork],
    ) -> Result<Vec<Result<InsertOutcome, StoreError>>, StoreError> {
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mut out = Vec::with_capacity(batch.len());
            for prepared in batch {
                let one = diesel::Connection::transaction(conn, |conn| {
                    conn.store_new_work(prepared, now)
                });
                out.push(match one {
                    Ok(outcome) => Ok(outcome),
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
                        if prepared.work.origin.content_hash.is_some() =>
                    {
                        // Raced by another importer: theirs stands.
                        let hash = prepared
                            .work
                            .origin
                            .content_hash
                            .as_deref()
                            .unwrap_or_default();
                        match conn.work_with_content_hash(hash)? {
                            Some(id) => Ok(InsertOutcome::AlreadyExists(id)),
                            None => Err(StoreError::Corrupt(format!(
                                "unique violation importing {hash} but no work has it"
                            ))),
                        }
                    }
                    Err(e) => Err(e.into()),
                });
            }
            Ok::<_, DieselError>(out)
        }))?)
    }
}
