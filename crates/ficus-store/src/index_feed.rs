//! What the search indexers read: the ordered change log (`index_log`,
//! written by triggers in the same transaction as each change), the
//! documents to index, and each indexer's acknowledged position.
//!
//! Several indexes (one per web node) can consume the same log: each
//! records its position in `index_consumers`, and the log is pruned only
//! below the slowest one.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use ficus_core::TagType;

use crate::Store;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{
    bookmark_tags, bookmarks, chapters, index_consumers, index_log, taggings, tags, works,
};
use crate::works::TagNames;

/// One row of the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: i64,
    /// A work whose document may be stale.
    pub work_id: Option<i64>,
    /// A tag whose wrangling changed.
    pub tag_id: Option<i64>,
}

/// A work as the index needs it.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub work: WorkRecord,
    /// Every tag the work carries (rating included) with its type.
    pub tags: Vec<(i64, TagType)>,
    /// The plain text of its chapters, in order (empty unless asked for).
    pub body: String,
    /// What its public bookmarks say, for the bookmark listings.
    pub bookmarks: BookmarkFacts,
    /// The collections it is in (both approved), for their listings.
    pub collections: Vec<i64>,
}

/// What a work's public bookmarks (not private, not hidden by an admin)
/// say together: AO3's bookmark listings show each bookmarked item once,
/// with its bookmarks under it, and filter on the bookmarks' facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkFacts {
    /// How many (0: not on the bookmark listings).
    pub count: i64,
    /// One of them is a rec.
    pub rec: bool,
    /// One of them has notes.
    pub notes: bool,
    /// The bookmarkers' tags, each once.
    pub tags: Vec<i64>,
    /// The newest one's date.
    pub latest: Option<chrono::NaiveDateTime>,
}

impl Store {
    /// The newest sequence number in the change log (0 when empty).
    pub fn index_log_head(&self) -> Result<i64, StoreError> {
        let head: Option<i64> = with_conn!(self, |conn| index_log::table
            .select(diesel::dsl::max(index_log::seq))
            .first(conn)?);
        Ok(head.unwrap_or(0))
    }

    /// Up to `limit` log entries after `after`, in order.
    pub fn index_log_after(&self, after: i64, limit: i64) -> Result<Vec<LogEntry>, StoreError> {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = with_conn!(self, |conn| index_log::table
            .filter(index_log::seq.gt(after))
            .order(index_log::seq.asc())
            .limit(limit)
            .select((index_log::seq, index_log::work_id, index_log::tag_id))
            .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(seq, work_id, tag_id)| LogEntry {
                seq,
                work_id,
                tag_id,
            })
            .collect())
    }

    /// Works carrying any of `tag_ids`.
    pub fn works_tagged_any(&self, tag_ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut out = Vec::new();
        for chunk in tag_ids.chunks(500) {
            let ids: Vec<i64> = with_conn!(self, |conn| taggings::table
                .filter(taggings::tag_id.eq_any(chunk))
                .select(taggings::work_id)
                .distinct()
                .load(conn)?);
            out.extend(ids);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Ids of indexable works (posted, not hidden, not unrevealed) after
    /// `after`, in order.
    pub fn indexable_work_ids(&self, after: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        with_conn!(self, |conn| Ok(works::table
            .filter(works::id.gt(after))
            .filter(works::posted.eq(true))
            .filter(works::hidden.eq(false))
            .filter(works::unrevealed.eq(false))
            .order(works::id.asc())
            .limit(limit)
            .select(works::id)
            .load(conn)?))
    }

    /// How many works are indexable.
    pub fn indexable_work_count(&self) -> Result<i64, StoreError> {
        with_conn!(self, |conn| Ok(works::table
            .filter(works::posted.eq(true))
            .filter(works::hidden.eq(false))
            .filter(works::unrevealed.eq(false))
            .count()
            .get_result(conn)?))
    }

    /// Documents for those of `ids` that are indexable, in the order of
    /// `ids`; works that are gone, drafts or hidden are left out (the
    /// indexer deletes them). With `bodies`, the chapters' plain text too.
    pub fn index_docs(&self, ids: &[i64], bodies: bool) -> Result<Vec<IndexDoc>, StoreError> {
        self.index_docs_with(ids, bodies, None)
    }

    /// [`Store::index_docs`], with the tags' names from `names` when given
    /// (a rebuild reads them once: [`Store::tag_names`]).
    pub fn index_docs_with(
        &self,
        ids: &[i64],
        bodies: bool,
        names: Option<&TagNames>,
    ) -> Result<Vec<IndexDoc>, StoreError> {
        let works: Vec<WorkRecord> = self
            .works_by_ids_with(ids, names)?
            .into_iter()
            .filter(|w| w.posted && !w.hidden && !w.unrevealed)
            .collect();
        let wanted: Vec<i64> = works.iter().map(|w| w.id).collect();
        // The record carries every tag but the rating's id.
        let ratings: HashMap<String, i64> = with_conn!(self, |conn| tags::table
            .filter(tags::tag_type.eq(TagType::Rating.as_str()))
            .select((tags::name, tags::id))
            .load::<(String, i64)>(conn)?)
        .into_iter()
        .collect();
        let mut body_of: HashMap<i64, String> = HashMap::new();
        if bodies {
            for chunk in wanted.chunks(500) {
                let rows: Vec<(i64, String)> = with_conn!(self, |conn| chapters::table
                    .filter(chapters::work_id.eq_any(chunk))
                    .order((chapters::work_id.asc(), chapters::position.asc()))
                    .select((chapters::work_id, chapters::body))
                    .load(conn)?);
                for (work, html) in rows {
                    let text = body_of.entry(work).or_default();
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&ficus_core::html::plain_text(&html));
                }
            }
        }
        let tags_of = |w: &WorkRecord| -> Vec<(i64, TagType)> {
            let mut tags: Vec<(i64, TagType)> = w.tags.iter().map(|t| (t.id, t.kind)).collect();
            if let Some(&id) = ratings.get(w.rating.name()) {
                tags.push((id, TagType::Rating));
            }
            tags
        };
        let mut facts = self.bookmark_facts(&wanted)?;
        let mut collections = self.collections_of_works(&wanted)?;
        Ok(works
            .into_iter()
            .map(|work| IndexDoc {
                tags: tags_of(&work),
                body: body_of.remove(&work.id).unwrap_or_default(),
                bookmarks: facts.remove(&work.id).unwrap_or_default(),
                collections: collections
                    .remove(&work.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
                work,
            })
            .collect())
    }

    /// What the public bookmarks of each of `work_ids` say (absent: none).
    pub fn bookmark_facts(
        &self,
        work_ids: &[i64],
    ) -> Result<HashMap<i64, BookmarkFacts>, StoreError> {
        let mut out: HashMap<i64, BookmarkFacts> = HashMap::new();
        for chunk in work_ids.chunks(500) {
            type Row = (Option<i64>, bool, bool, chrono::NaiveDateTime);
            let (rows, tag_rows): (Vec<Row>, Vec<(Option<i64>, i64)>) = with_conn!(self, |conn| {
                let public = bookmarks::table
                    .filter(bookmarks::work_id.eq_any(chunk))
                    .filter(bookmarks::private.eq(false))
                    .filter(bookmarks::hidden_by_admin.eq(false));
                let rows = public
                    .clone()
                    .select((
                        bookmarks::work_id,
                        bookmarks::rec,
                        bookmarks::notes.ne(""),
                        bookmarks::created_at,
                    ))
                    .load(conn)?;
                let tag_rows = public
                    .inner_join(bookmark_tags::table)
                    .select((bookmarks::work_id, bookmark_tags::tag_id))
                    .distinct()
                    .load(conn)?;
                Ok::<_, StoreError>((rows, tag_rows))
            })?;
            for (work, rec, notes, at) in rows {
                let Some(work) = work else { continue };
                let f = out.entry(work).or_default();
                f.count += 1;
                f.rec |= rec;
                f.notes |= notes;
                f.latest = f.latest.max(Some(at));
            }
            for (work, tag) in tag_rows {
                if let Some(f) = work.and_then(|w| out.get_mut(&w))
                    && !f.tags.contains(&tag)
                {
                    f.tags.push(tag);
                }
            }
        }
        Ok(out)
    }

    /// Forgets the log position of the index `name` (one that no longer
    /// exists), so the log is no longer kept for it.
    pub fn forget_index_consumer(&self, name: &str) -> Result<(), StoreError> {
        with_conn!(self, |conn| {
            diesel::delete(index_consumers::table.filter(index_consumers::name.eq(name)))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Records that the index `name` has consumed the log up to `seq`, and
    /// prunes log rows every registered index has consumed.
    pub fn ack_index_log(&self, name: &str, seq: i64) -> Result<(), StoreError> {
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| {
            diesel::insert_into(index_consumers::table)
                .values((
                    index_consumers::name.eq(name),
                    index_consumers::acked_seq.eq(seq),
                    index_consumers::updated_at.eq(now),
                ))
                .on_conflict(index_consumers::name)
                .do_update()
                .set((
                    index_consumers::acked_seq.eq(seq),
                    index_consumers::updated_at.eq(now),
                ))
                .execute(conn)?;
            let slowest: Option<i64> = index_consumers::table
                .select(diesel::dsl::min(index_consumers::acked_seq))
                .first(conn)?;
            if let Some(slowest) = slowest {
                // Keep the newest consumed row, so the head never goes back.
                diesel::delete(index_log::table.filter(index_log::seq.lt(slowest)))
                    .execute(conn)?;
            }
            Ok(())
        })
    }
}
