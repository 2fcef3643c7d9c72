//! Storing and reading works, chapters, creators and tags.
//!
//! - [`helpers`]: the typed helpers every work write and read runs on its
//!   connection (bylines and tags, counts, chapter order, series places).
//! - `read.rs`: a work, its chapters, the work page's [`Reading`].
//! - `write.rs`: posting, importing, editing, publishing, deleting.
//! - `chapters.rs`: adding, editing, reordering and deleting chapters.
//! - `listings.rs`: SQL listings (front page, creators), tag lookups.

use std::collections::HashMap;

use diesel::QueryResult;

use ficus_core::access::Viewer;
use ficus_core::{Rating, TagType, WorkOrigin};

use crate::error::StoreError;
use crate::records::{ChapterRecord, ChapterSummary, TagRecord, WorkRecord, WorkStats};
use crate::rows::*;

mod batch;
mod chapters;
pub(crate) mod helpers;
mod listings;
mod read;
mod resanitize;
mod tag_names;
mod write;

pub use batch::PreparedWork;
pub use tag_names::TagNames;
pub use write::{CoCreatorInvites, WorkEdit};

/// What a bulk load sets beyond a [`NewWork`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BulkExtras {
    /// The stored word count, when it should differ from the text's (a
    /// synthetic archive with short bodies records its nominal length).
    pub word_count: Option<i64>,
    pub stats: WorkStats,
}

/// The byline of a work in an anonymous collection, as AO3 shows it.
pub const ANONYMOUS: &str = "Anonymous";

/// Most works on one listing page.
pub const MAX_PER_PAGE: u32 = 100;

/// (work id, position, the tag).
type WorkTagRow = (i64, i32, TagRecord);
type CreatorJoinRow = (i64, String, i32, Option<i64>, Option<String>, i64);
/// (work id, series id, series title, position).
type SeriesJoinRow = (i64, i64, String, i32);
type WorkParts = (
    Vec<WorkRow>,
    Vec<WorkTagRow>,
    Vec<CreatorJoinRow>,
    Vec<SeriesJoinRow>,
);

type ChapterListRow = (i64, i32, Option<String>, i64, chrono::NaiveDate);

/// Which chapter texts [`Store::reading`] loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChapterChoice {
    /// No texts: the chapter list only (chapter index, API).
    NoText,
    /// Every chapter (one-chapter works, the entire-work view).
    All,
    /// The first chapter (a multi-chapter work opened by chapter).
    First,
    /// One chapter by id.
    One(i64),
}

/// What the work page shows.
#[derive(Debug, Clone)]
pub struct Reading {
    pub work: WorkRecord,
    pub chapters: Vec<ChapterSummary>,
    /// The chosen chapters with their texts, in order.
    pub texts: Vec<ChapterRecord>,
}

/// The store's answer to one viewer asking for one work.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<T> {
    /// The viewer may see it.
    Visible(T),
    /// A guest asked for a work that logged-in accounts may see.
    LogInFirst,
    /// No such work, or not for this viewer (drafts, hidden works).
    NotFound,
}

impl<T> Found<T> {
    /// The found value, when visible.
    pub fn visible(self) -> Option<T> {
        match self {
            Found::Visible(v) => Some(v),
            Found::LogInFirst | Found::NotFound => None,
        }
    }
}

/// What `viewer` gets of the (single) work in `parts`.
fn sight_of(parts: &WorkParts, viewer: Viewer) -> Found<()> {
    let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
    let Some(w) = parts.0.first() else {
        return Found::NotFound;
    };
    let access = ficus_core::access::WorkAccess {
        posted: w.posted,
        restricted: w.restricted,
        hidden: w.hidden,
        unrevealed: w.unrevealed,
        owners: &owners,
    };
    if viewer.may_see(&access) {
        Found::Visible(())
    } else if viewer.must_log_in(&access) {
        Found::LogInFirst
    } else {
        Found::NotFound
    }
}

/// Builds [`WorkRecord`]s from loaded rows, in the order of `ids`.
fn assemble_works(parts: WorkParts, ids: &[i64]) -> Result<Vec<WorkRecord>, StoreError> {
    let (rows, tag_rows, creator_rows, series_rows) = parts;
    {
        let mut tags_by_work: HashMap<i64, Vec<(TagType, i32, TagRecord)>> = HashMap::new();
        for (work_id, position, record) in tag_rows {
            tags_by_work
                .entry(work_id)
                .or_default()
                .push((record.kind, position, record));
        }
        type Byline = (i32, String, Option<i64>, Option<String>, i64);
        let mut creators_by_work: HashMap<i64, Vec<Byline>> = HashMap::new();
        for (work_id, name, position, user_id, login, creator_id) in creator_rows {
            creators_by_work
                .entry(work_id)
                .or_default()
                .push((position, name, user_id, login, creator_id));
        }
        let mut series_by_work: HashMap<i64, Vec<crate::SeriesPlace>> = HashMap::new();
        for (work_id, series_id, title, position) in series_rows {
            series_by_work
                .entry(work_id)
                .or_default()
                .push(crate::SeriesPlace {
                    series_id,
                    title,
                    position,
                });
        }
        let mut by_id: HashMap<i64, WorkRecord> = HashMap::with_capacity(rows.len());
        for row in rows {
            let mut tags = tags_by_work.remove(&row.id).unwrap_or_default();
            tags.sort_by_key(|(kind, position, _)| (*kind, *position));
            let rating = tags
                .iter()
                .find(|(kind, _, _)| *kind == TagType::Rating)
                .and_then(|(_, _, t)| Rating::from_name(&t.name))
                .unwrap_or_default();
            let tags = tags
                .into_iter()
                .filter(|(kind, _, _)| *kind != TagType::Rating)
                .map(|(_, _, t)| t)
                .collect();
            let mut creators = creators_by_work.remove(&row.id).unwrap_or_default();
            creators.sort();
            let mut owners: Vec<i64> = creators.iter().filter_map(|(_, _, u, _, _)| *u).collect();
            owners.sort_unstable();
            owners.dedup();
            let logins = creators.iter().map(|(_, _, _, l, _)| l.clone()).collect();
            let creator_ids = creators.iter().map(|(_, _, _, _, c)| *c).collect();
            let names = creators.into_iter().map(|(_, n, _, _, _)| n).collect();
            let mut record = work_record(row, rating, tags, names, owners);
            if record.anonymous {
                // Anonymity holds in every view: pages, blurbs, the index
                // (a search for the name finds nothing), feeds, OPDS, the
                // API and downloads all read these fields.
                record.creators = vec![ANONYMOUS.to_string()];
            } else {
                record.creator_logins = logins;
                record.creator_ids = creator_ids;
            }
            let mut series = series_by_work.remove(&record.id).unwrap_or_default();
            series.sort_by(|a, b| (&a.title, a.series_id).cmp(&(&b.title, b.series_id)));
            // A series would tie an anonymous work to its creator's other
            // works: it is not named while the work is anonymous.
            if !record.anonymous {
                record.series = series;
            }
            by_id.insert(record.id, record);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

/// [`tag_record`] inside a query helper: an unknown type is a row that
/// does not deserialize.
pub(crate) fn tag_record_row(id: i64, kind: &str, name: String) -> QueryResult<TagRecord> {
    tag_record(id, kind, name)
        .map_err(|e| diesel::result::Error::DeserializationError(e.to_string().into()))
}

pub(crate) fn tag_record(id: i64, kind: &str, name: String) -> Result<TagRecord, StoreError> {
    let kind = TagType::parse(kind)
        .ok_or_else(|| StoreError::Corrupt(format!("tag {id} has unknown type {kind:?}")))?;
    Ok(TagRecord { id, kind, name })
}

fn chapter_summary(row: ChapterListRow) -> ChapterSummary {
    let (id, position, title, word_count, published) = row;
    ChapterSummary {
        id,
        position,
        title,
        word_count,
        published,
    }
}

fn chapter_record(row: ChapterRow) -> ChapterRecord {
    ChapterRecord {
        id: row.id,
        work_id: row.work_id,
        position: row.position,
        title: row.title,
        summary: row.summary,
        notes: row.notes,
        end_notes: row.end_notes,
        body: row.body,
        word_count: row.word_count,
        published: row.published_on,
    }
}

fn work_record(
    row: WorkRow,
    rating: Rating,
    tags: Vec<TagRecord>,
    creators: Vec<String>,
    owners: Vec<i64>,
) -> WorkRecord {
    WorkRecord {
        bylines: creators.clone(),
        owners,
        creator_logins: Vec::new(),
        creator_ids: Vec::new(),
        series: Vec::new(),
        stats: WorkStats {
            kudos: row.kudos_count,
            hits: row.hits_count,
            comments: row.comments_count,
            bookmarks: row.bookmarks_count,
        },
        id: row.id,
        title: row.title,
        summary: row.summary,
        notes: row.notes,
        end_notes: row.end_notes,
        language: row.language,
        rating,
        tags,
        creators,
        published: row.published_on,
        updated: row.updated_on,
        complete: row.complete,
        expected_chapters: row.expected_chapters,
        chapter_count: row.chapter_count,
        word_count: row.word_count,
        restricted: row.restricted,
        posted: row.posted,
        hidden: row.hidden,
        comments: ficus_core::comments::CommentSettings {
            permission: ficus_core::comments::CommentPermission::parse(&row.comment_permission)
                .unwrap_or_default(),
            moderated: row.moderate_comments,
        },
        origin: WorkOrigin {
            source_path: row.source_path,
            source_url: row.source_url,
            content_hash: row.content_hash,
            text_encoding: row.text_encoding,
        },
        changed_at: row.updated_at.and_utc().timestamp(),
        comments_version: row.comments_version,
        created_at: row.created_at,
        unrevealed: row.unrevealed,
        anonymous: row.anonymous,
    }
}
