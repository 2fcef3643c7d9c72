//! Importing many works in one write transaction: each work is made ready
//! (sanitized, validated, its chapters' words counted — CPU work, done by
//! the caller's threads with no lock held) as a [`PreparedWork`], then a
//! batch is stored in one transaction with a savepoint per work, so a bad
//! work fails alone and the batch pays one commit instead of one each.
//!
//! The batch's tags and creator names are looked up once, and the new ones
//! created first, all in one sorted pass: the works then need no lookups
//! of their own, and two importers' batches (side by side on PostgreSQL)
//! take the names' locks in the same order and cannot deadlock on them.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ficus_core::tag::tag_key;
use ficus_core::{NewWork, TagType};

use super::helpers::{WorkHelpers, chapter_word_counts};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::InsertOutcome;
use crate::rows::NewCreatorRow;
use crate::schema::{creators, tags};

/// Names looked up per query (well under both backends' bind limits).
const NAMES_PER_QUERY: usize = 100;

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
    /// transaction's own (it could not begin or commit, or a work ran into
    /// a deadlock with another transaction: nothing stored, and storing
    /// the works again is the remedy).
    pub fn insert_prepared(
        &self,
        batch: &[PreparedWork],
    ) -> Result<Vec<Result<InsertOutcome, StoreError>>, StoreError> {
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.bulk_write_transaction(
            |conn| {
                let works: Vec<&NewWork> = batch.iter().map(|p| &p.work).collect();
                let known = conn.name_ids(&works, now)?;
                let mut out = Vec::with_capacity(batch.len());
                for prepared in batch {
                    let one = diesel::Connection::transaction(conn, |conn| {
                        conn.store_new_work(prepared, now, &known)
                    });
                    // Another importer's batch deadlocked with this one
                    // (on PostgreSQL: a duplicate file or a series both
                    // touch): the work is not at fault, so the whole batch
                    // is rolled back for the caller to store again.
                    if let Err(DieselError::DatabaseError(kind, info)) = &one
                        && (*kind == DatabaseErrorKind::SerializationFailure
                            || info.message().contains("deadlock"))
                    {
                        return Err(DieselError::RollbackTransaction);
                    }
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
            }
        ))?)
    }
}

/// Tag and bare creator ids by key, found (or created) once for a whole
/// batch so that its works need no lookups of their own. Empty: each work
/// looks its names up.
#[derive(Debug, Default)]
pub(crate) struct KnownNames {
    /// By (type, key).
    pub(crate) tags: HashMap<(&'static str, String), i64>,
    /// By key.
    pub(crate) creators: HashMap<String, i64>,
}

/// The names a batch refers to, found or created ahead of its works.
pub(crate) trait NameHelpers {
    /// The ids of the tags (rating and tags) and bare creator names of
    /// every work in `works`; the ones not stored yet are created in one
    /// sorted pass (see the module's doc). A name stays if its work then
    /// fails: an unused tag or name, as wrangling leaves too.
    fn name_ids(&mut self, works: &[&NewWork], now: NaiveDateTime) -> QueryResult<KnownNames>;

    /// Adds the stored tags with these keys (any type) to `known`.
    fn load_tag_ids(&mut self, keys: &[&str], known: &mut KnownNames) -> QueryResult<()>;

    /// Adds the stored bare creator names with these keys to `known`.
    fn load_creator_ids(&mut self, keys: &[&str], known: &mut KnownNames) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl NameHelpers {
        fn name_ids(&mut self, works: &[&NewWork], now: NaiveDateTime) -> QueryResult<KnownNames> {
            let mut tag_names: Vec<(TagType, String, &str)> = Vec::new();
            let mut creator_names: Vec<(String, &str)> = Vec::new();
            for work in works {
                let rating = (TagType::Rating, work.rating.name());
                let named = std::iter::once(rating)
                    .chain(work.tags.iter().map(|t| (t.kind, t.name.as_str())));
                for (kind, name) in named {
                    tag_names.push((kind, tag_key(name), name));
                }
                for name in &work.creators {
                    let name = name.trim();
                    creator_names.push((tag_key(name), name));
                }
            }
            tag_names.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
            tag_names.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
            creator_names.sort_by(|a, b| a.0.cmp(&b.0));
            creator_names.dedup_by(|a, b| a.0 == b.0);
            let mut known = KnownNames::default();
            let mut keys: Vec<&str> = tag_names.iter().map(|(_, key, _)| key.as_str()).collect();
            keys.dedup();
            self.load_tag_ids(&keys, &mut known)?;
            // The missing ones, one row a statement (SQLite takes no
            // multi-row insert with a conflict clause).
            let mut created: Vec<&str> = Vec::new();
            for (kind, key, name) in &tag_names {
                if known.tags.contains_key(&(kind.as_str(), key.clone())) {
                    continue;
                }
                self.create_tag(*kind, name, key, now)?;
                created.push(key);
            }
            created.dedup();
            self.load_tag_ids(&created, &mut known)?;
            let keys: Vec<&str> = creator_names.iter().map(|(key, _)| key.as_str()).collect();
            self.load_creator_ids(&keys, &mut known)?;
            let mut created: Vec<&str> = Vec::new();
            for (key, name) in &creator_names {
                if known.creators.contains_key(key) {
                    continue;
                }
                diesel::insert_into(creators::table)
                    .values(&NewCreatorRow { name, name_key: key })
                    .on_conflict_do_nothing()
                    .execute(self)?;
                created.push(key);
            }
            self.load_creator_ids(&created, &mut known)?;
            Ok(known)
        }

        fn load_tag_ids(&mut self, keys: &[&str], known: &mut KnownNames) -> QueryResult<()> {
            for chunk in keys.chunks(NAMES_PER_QUERY) {
                let rows: Vec<(i64, String, String)> = tags::table
                    .filter(tags::name_key.eq_any(chunk))
                    .select((tags::id, tags::tag_type, tags::name_key))
                    .load(self)?;
                for (id, kind, key) in rows {
                    if let Some(kind) = TagType::parse(&kind) {
                        known.tags.insert((kind.as_str(), key), id);
                    }
                }
            }
            Ok(())
        }

        fn load_creator_ids(&mut self, keys: &[&str], known: &mut KnownNames) -> QueryResult<()> {
            for chunk in keys.chunks(NAMES_PER_QUERY) {
                let rows: Vec<(i64, String)> = creators::table
                    .filter(creators::name_key.eq_any(chunk))
                    .filter(creators::pseud_id.is_null())
                    .select((creators::id, creators::name_key))
                    .load(self)?;
                known.creators.extend(rows.into_iter().map(|(id, key)| (key, id)));
            }
            Ok(())
        }
    }
}
