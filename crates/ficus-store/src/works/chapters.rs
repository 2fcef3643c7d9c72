//! Adding, editing, reordering and deleting a work's chapters.

use chrono::Utc;
use diesel::prelude::*;

use crate::comments::CommentHelpers;
use diesel::result::Error as DieselError;
use ficus_core::NewChapter;

use super::helpers::WorkHelpers;
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::rows::*;
use crate::schema::{chapters, works};
use crate::subscriptions::FanoutHelpers;

impl Store {
    /// Appends a chapter (sanitized) and moves the work's updated date.
    /// Returns the new chapter's id, or `None` when no such work.
    pub fn add_chapter(
        &self,
        work_id: i64,
        chapter: &NewChapter,
        today: chrono::NaiveDate,
    ) -> Result<Option<i64>, StoreError> {
        let mut chapter = chapter.clone();
        chapter.sanitize();
        if chapter.body.trim().is_empty() {
            return Err(StoreError::InvalidWork(
                ficus_core::work::WorkError::EmptyChapter(0),
            ));
        }
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let posted: Option<bool> = works::table
                .filter(works::id.eq(work_id))
                .select(works::posted)
                .first(conn)
                .optional()?;
            let Some(posted) = posted else {
                return Ok::<_, DieselError>(None);
            };
            let last: Option<i32> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .select(diesel::dsl::max(chapters::position))
                .first(conn)?;
            let id: i64 = diesel::insert_into(chapters::table)
                .values(&NewChapterRow {
                    work_id,
                    position: last.unwrap_or(0) + 1,
                    title: chapter.title.as_deref(),
                    summary: chapter.summary.as_deref(),
                    notes: chapter.notes.as_deref(),
                    end_notes: chapter.end_notes.as_deref(),
                    body: &chapter.body,
                    word_count: i64::try_from(chapter.word_count()).unwrap_or(i64::MAX),
                    published_on: chapter.published.unwrap_or(today),
                })
                .returning(chapters::id)
                .get_result(conn)?;
            diesel::update(works::table.find(work_id))
                .set((works::updated_on.eq(today), works::updated_at.eq(now)))
                .execute(conn)?;
            conn.refresh_counts(work_id)?;
            if posted {
                // A new chapter of a posted work: its subscribers hear of it.
                conn.queue_fanout(work_id, id, "chapter", now)?;
            }
            Ok(Some(id))
        }))?)
    }

    /// Replaces a chapter's title, notes and text (sanitized); the work's
    /// counts follow. False when the chapter is not in the work.
    pub fn update_chapter(
        &self,
        work_id: i64,
        chapter_id: i64,
        chapter: &NewChapter,
    ) -> Result<bool, StoreError> {
        let mut chapter = chapter.clone();
        chapter.sanitize();
        if chapter.body.trim().is_empty() {
            return Err(StoreError::InvalidWork(
                ficus_core::work::WorkError::EmptyChapter(0),
            ));
        }
        let (body, notes, end_notes) = (&chapter.body, &chapter.notes, &chapter.end_notes);
        let words = i64::try_from(chapter.word_count()).unwrap_or(i64::MAX);
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let n = diesel::update(
                chapters::table
                    .find(chapter_id)
                    .filter(chapters::work_id.eq(work_id)),
            )
            .set((
                chapters::title.eq(chapter.title.as_deref()),
                chapters::notes.eq(notes.as_deref()),
                chapters::end_notes.eq(end_notes.as_deref()),
                chapters::body.eq(body),
                chapters::word_count.eq(words),
            ))
            .execute(conn)?;
            if n > 0 {
                conn.refresh_counts(work_id)?;
            }
            Ok::<_, DieselError>(n > 0)
        }))?)
    }

    /// Puts a work's chapters in the order of `ordered` (every chapter id
    /// of the work, once). False when `ordered` is not exactly that set.
    pub fn reorder_chapters(&self, work_id: i64, ordered: &[i64]) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mut current: Vec<i64> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .select(chapters::id)
                .load(conn)?;
            let mut wanted = ordered.to_vec();
            current.sort_unstable();
            wanted.sort_unstable();
            if current != wanted {
                return Ok::<_, DieselError>(false);
            }
            conn.renumber(work_id, ordered)?;
            Ok(true)
        }))?)
    }

    /// Deletes a chapter (never the last one) and renumbers the rest.
    /// False when the chapter is not in the work or is its only chapter.
    pub fn delete_chapter(&self, work_id: i64, chapter_id: i64) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let ids: Vec<i64> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .order(chapters::position.asc())
                .select(chapters::id)
                .load(conn)?;
            if ids.len() < 2 || !ids.contains(&chapter_id) {
                return Ok::<_, DieselError>(false);
            }
            // Its comments go with it (a foreign key): so does their part
            // of the work's count.
            let counted: i64 = crate::schema::comments::table
                .filter(crate::schema::comments::chapter_id.eq(chapter_id))
                .filter(crate::schema::comments::unreviewed.eq(false))
                .filter(crate::schema::comments::hidden.eq(false))
                .filter(crate::schema::comments::deleted.eq(false))
                .filter(crate::schema::comments::spam.eq(false))
                .count()
                .get_result(conn)?;
            diesel::delete(chapters::table.find(chapter_id)).execute(conn)?;
            conn.move_comment_count(work_id, -counted)?;
            let rest: Vec<i64> = ids.into_iter().filter(|id| *id != chapter_id).collect();
            conn.renumber(work_id, &rest)?;
            conn.refresh_counts(work_id)?;
            Ok(true)
        }))?)
    }
}
