//! Posting, importing, editing, publishing and deleting works.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ficus_core::NewWork;

use super::BulkExtras;
use super::batch::{KnownNames, NameHelpers};
use super::helpers::WorkHelpers;
use crate::Store;
use crate::co_creators::CoCreatorHelpers;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::gifts::GiftHelpers;
use crate::records::InsertOutcome;
use crate::schema::{chapters, creators, pseuds, serial_works, taggings, work_creators, works};
use crate::series::SeriesHelpers;
use crate::subscriptions::FanoutHelpers;

/// What an account's posting or edit does beyond the work itself, in the
/// same transaction: co-creator invitations (pseuds), collections to add
/// the work to (by name; before its subscribers hear of it, so an
/// unrevealed or anonymous collection keeps it a secret from the start),
/// and its gifts (the whole list: the work's gifts become these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoCreatorInvites {
    pub pseuds: Vec<i64>,
    /// The posting account.
    pub by: i64,
    /// Collection names (checked by the caller; a refusal here rolls the
    /// whole posting back).
    pub collections: Vec<String>,
    /// `None`: the gifts stay as they are.
    pub gifts: Option<Vec<ficus_core::gifts::GiftTo>>,
    /// A gift-exchange assignment the work fulfils (checked by the
    /// caller; a refusal here rolls the whole posting back).
    pub assignment: Option<i64>,
}

/// What an edit does beyond replacing the work (see
/// [`Store::update_work`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkEdit {
    /// The editing account: only its pseuds on the byline are replaced.
    /// `None` replaces the whole byline (the archive's own edits).
    pub editor: Option<i64>,
    /// Series the work leaves (ones it is in).
    pub leave_series: Vec<i64>,
    /// Co-creators to invite.
    pub invites: Option<CoCreatorInvites>,
    /// Post the draft, dated this day (nothing when it is posted already).
    pub publish_on: Option<chrono::NaiveDate>,
}

impl Store {
    /// Stores a work with its chapters, creators and tags in one
    /// transaction, after sanitizing all its HTML and validating it. A work whose `origin.content_hash` is already stored is
    /// not stored again: the existing id comes back as
    /// [`InsertOutcome::AlreadyExists`].
    pub fn insert_work(&self, work: &NewWork) -> Result<InsertOutcome, StoreError> {
        self.post_work(work, None)
    }

    /// Posts a work as [`Store::insert_work`] stores it and invites its
    /// co-creators, all in one transaction: when an invitation fails, the
    /// work is not stored either.
    pub fn post_work(
        &self,
        work: &NewWork,
        invites: Option<&CoCreatorInvites>,
    ) -> Result<InsertOutcome, StoreError> {
        let prepared = super::PreparedWork::of(work)?;
        let work = &prepared.work;
        let result = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let now = Utc::now().naive_utc();
            let (work_id, word_count) =
                match conn.store_new_work(&prepared, now, &KnownNames::default())? {
                    InsertOutcome::Inserted { id, word_count } => (id, word_count),
                    existing => return Ok(existing),
                };
            if let Some(invites) = invites {
                for &pseud in &invites.pseuds {
                    conn.invite_co_creator(work_id, pseud, invites.by, now)?;
                }
                conn.posting_extras(work_id, invites, now)?;
                // Posted by an account (not imported): its subscribers
                // hear of it (fanned out later, by the background worker).
                if work.posted {
                    conn.queue_new_work(work_id, now)?;
                }
            }
            Ok::<_, DieselError>(InsertOutcome::Inserted {
                id: work_id,
                word_count,
            })
        }));
        match result {
            Ok(outcome) => Ok(outcome),
            // Two imports of the same content raced; the other one won.
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
                if work.origin.content_hash.is_some() =>
            {
                let hash = work.origin.content_hash.as_deref().unwrap_or_default();
                match self.work_id_by_content_hash(hash)? {
                    Some(id) => Ok(InsertOutcome::AlreadyExists(id)),
                    None => Err(StoreError::Corrupt(format!(
                        "unique violation importing {hash} but no work has it"
                    ))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stores many works in one write transaction (a synthetic archive's
    /// bulk load): each is sanitized and validated as [`Store::insert_work`]
    /// does, without the duplicate-content check. Returns their ids.
    pub fn insert_works_bulk(
        &self,
        batch: &[(NewWork, BulkExtras)],
    ) -> Result<Vec<i64>, StoreError> {
        let mut clean = Vec::with_capacity(batch.len());
        for (work, extras) in batch {
            let mut w = work.clone();
            w.sanitize();
            w.validate()?;
            let counts = super::helpers::chapter_word_counts(&w);
            clean.push((w, counts, extras));
        }
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.bulk_write_transaction(
            |conn| {
                let works: Vec<&NewWork> = clean.iter().map(|(w, _, _)| w).collect();
                let known = conn.name_ids(&works, now)?;
                let mut ids = Vec::with_capacity(clean.len());
                for (work, counts, extras) in &clean {
                    let (id, _) =
                        conn.insert_work_rows(work, counts, now, Some(*extras), &known)?;
                    ids.push(id);
                }
                Ok::<_, DieselError>(ids)
            }
        ))?)
    }

    /// The work already imported from content with this hash, if any.
    pub fn work_id_by_content_hash(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        with_conn!(self, |conn| Ok(conn.work_with_content_hash(hash)?))
    }

    /// Replaces a work's metadata, bylines and tags with `work`'s. When both
    /// the stored work and `work` have exactly one chapter, that chapter's
    /// title and text are replaced too; otherwise chapters are left alone.
    /// The updated date becomes `work.updated`. With `edit.editor`, only
    /// that account's pseuds on the byline are replaced (co-creators and
    /// bare names stay, and `work.creators` adds bare names). The work
    /// leaves the series `edit.leave_series` (a series left empty is
    /// deleted) before it joins those `work` names; `edit.invites` are
    /// sent and a draft is posted on `edit.publish_on` — all in one
    /// transaction, so a step that fails leaves the work as it was. False
    /// when no such work.
    pub fn update_work(
        &self,
        id: i64,
        work: &NewWork,
        edit: &WorkEdit,
    ) -> Result<bool, StoreError> {
        let editor = edit.editor;
        let mut clean = work.clone();
        clean.sanitize();
        clean.validate()?;
        let work = &clean;
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let exists: i64 = works::table
                .filter(works::id.eq(id))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Ok::<_, DieselError>(false);
            }
            let positions: Vec<i64> = chapters::table
                .filter(chapters::work_id.eq(id))
                .select(chapters::id)
                .load(conn)?;
            if let ([chapter_id], [chapter]) = (positions.as_slice(), work.chapters.as_slice()) {
                diesel::update(chapters::table.find(*chapter_id))
                    .set((
                        chapters::title.eq(chapter.title.as_deref()),
                        chapters::body.eq(&chapter.body),
                        chapters::word_count
                            .eq(i64::try_from(chapter.word_count()).unwrap_or(i64::MAX)),
                    ))
                    .execute(conn)?;
            }
            diesel::delete(taggings::table.filter(taggings::work_id.eq(id))).execute(conn)?;
            // An editor changes only their own pseuds on the byline; bare
            // names and co-creators stay. Without an editor, all are replaced.
            let bylines: Vec<(i64, Option<i64>)> = work_creators::table
                .inner_join(creators::table.left_join(pseuds::table))
                .filter(work_creators::work_id.eq(id))
                .select((work_creators::creator_id, pseuds::user_id.nullable()))
                .load(conn)?;
            let replaced: Vec<i64> = bylines
                .into_iter()
                .filter(|(_, owner)| editor.is_none() || *owner == editor)
                .map(|(creator, _)| creator)
                .collect();
            diesel::delete(
                work_creators::table
                    .filter(work_creators::work_id.eq(id))
                    .filter(work_creators::creator_id.eq_any(&replaced)),
            )
            .execute(conn)?;
            conn.write_bylines_and_tags(id, work, now, &KnownNames::default())?;
            for &series_id in &edit.leave_series {
                // Callers pass only series the work is in.
                let _was_in = conn.take_out_of_series(id, series_id)?;
            }
            conn.place_work_in_series(id, work, now)?;
            diesel::update(works::table.find(id))
                .set((
                    works::title.eq(work.title.trim()),
                    works::summary.eq(work.summary.as_deref()),
                    works::notes.eq(work.notes.as_deref()),
                    works::end_notes.eq(work.end_notes.as_deref()),
                    works::language.eq(work.language.as_deref()),
                    works::complete.eq(work.complete),
                    works::expected_chapters
                        .eq(work.expected_chapters.and_then(|n| i32::try_from(n).ok())),
                    works::restricted.eq(work.restricted),
                    works::comment_permission.eq(work.comments.permission.as_str()),
                    works::moderate_comments.eq(work.comments.moderated),
                    works::updated_on.eq(work.updated),
                    works::updated_at.eq(now),
                ))
                .execute(conn)?;
            conn.refresh_counts(id)?;
            if let Some(invites) = &edit.invites {
                for &pseud in &invites.pseuds {
                    conn.invite_co_creator(id, pseud, invites.by, now)?;
                }
                conn.posting_extras(id, invites, now)?;
            }
            if let Some(day) = edit.publish_on {
                conn.publish(id, day, now)?;
            }
            Ok(true)
        }))?)
    }

    /// Posts a draft: it becomes visible, published and updated today.
    pub fn publish_work(&self, id: i64, today: chrono::NaiveDate) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.publish(id, today, now)?))
    }

    /// Deletes drafts created before `cutoff`; returns how many.
    pub fn purge_drafts(&self, cutoff: chrono::NaiveDateTime) -> Result<usize, StoreError> {
        let ids: Vec<i64> = with_conn!(self, |conn| works::table
            .filter(works::posted.eq(false))
            .filter(works::created_at.lt(cutoff))
            .select(works::id)
            .load(conn)?);
        let mut purged = 0;
        for id in ids {
            purged += usize::from(self.delete_work(id)?);
        }
        Ok(purged)
    }

    /// Deletes a work; the database cascades its chapters, bylines,
    /// taggings and series places. A series the work leaves empty is
    /// deleted with it, in the same transaction.
    pub fn delete_work(&self, id: i64) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let series_ids: Vec<i64> = serial_works::table
                .filter(serial_works::work_id.eq(id))
                .select(serial_works::series_id)
                .load(conn)?;
            for &series_id in &series_ids {
                conn.take_out_of_series(id, series_id)?;
            }
            diesel::delete(works::table.find(id)).execute(conn)
        })?);
        Ok(n > 0)
    }
}
