//! What the store's reads return.

use chrono::NaiveDate;
use ficus_core::{Rating, TagType, WorkOrigin};
use serde::Serialize;

/// A tag as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagRecord {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: TagType,
    pub name: String,
}

/// A work's reader counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WorkStats {
    pub kudos: i64,
    pub hits: i64,
    pub comments: i64,
    pub bookmarks: i64,
}

/// A stored work with its tags and creators (not its chapter texts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkRecord {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub language: Option<String>,
    pub rating: Rating,
    /// All tags but the rating, grouped by type in display order, each
    /// group in the creator's order.
    pub tags: Vec<TagRecord>,
    /// Creator names in byline order, as everyone sees them: "Anonymous"
    /// while the work is in an anonymous collection.
    pub creators: Vec<String>,
    /// The byline's real names, in order, for its creators' own forms
    /// only (never shown to others).
    pub bylines: Vec<String>,
    /// Accounts whose pseuds are on the byline.
    pub owners: Vec<i64>,
    /// For each of `creators`, the login of the account whose pseud it is
    /// (`None` for bare imported names).
    pub creator_logins: Vec<Option<String>>,
    /// The byline entries' ids (the `creators` table), in byline order.
    pub creator_ids: Vec<i64>,
    /// The series it belongs to, by series title.
    pub series: Vec<crate::SeriesPlace>,
    /// Kudos, hits, comments and bookmarks.
    pub stats: WorkStats,
    pub published: NaiveDate,
    pub updated: NaiveDate,
    pub complete: bool,
    pub expected_chapters: Option<i32>,
    pub chapter_count: i32,
    pub word_count: i64,
    pub restricted: bool,
    pub posted: bool,
    /// Hidden by a moderator or admin.
    pub hidden: bool,
    /// Who may comment, and whether comments wait for approval.
    pub comments: ficus_core::comments::CommentSettings,
    pub origin: WorkOrigin,
    /// When the row was last changed (unix seconds), for cache keys and
    /// download URLs.
    pub changed_at: i64,
    /// Moves whenever anything the work's comment threads show may have
    /// changed (kept by triggers): the key of rendered comment pages.
    pub comments_version: i64,
    /// When the work was first stored (drafts are purged counting from it).
    pub created_at: chrono::NaiveDateTime,
    /// In an unrevealed collection: a "Mystery Work" to all but its
    /// creators (and admins) until revealed.
    pub unrevealed: bool,
    /// In an anonymous collection: `creators` say "Anonymous", and
    /// `creator_logins` and `creator_ids` are empty.
    pub anonymous: bool,
}

impl WorkRecord {
    /// What the access rule needs to know about this work.
    pub fn access(&self) -> ficus_core::access::WorkAccess<'_> {
        ficus_core::access::WorkAccess {
            posted: self.posted,
            restricted: self.restricted,
            hidden: self.hidden,
            unrevealed: self.unrevealed,
            owners: &self.owners,
        }
    }

    /// Tags of one type, in order.
    pub fn tags_of(&self, kind: TagType) -> impl Iterator<Item = &TagRecord> {
        self.tags.iter().filter(move |t| t.kind == kind)
    }
}

/// A chapter without its text, for chapter lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChapterSummary {
    pub id: i64,
    pub position: i32,
    pub title: Option<String>,
    pub word_count: i64,
    pub published: NaiveDate,
}

/// A chapter with its sanitized HTML body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChapterRecord {
    pub id: i64,
    pub work_id: i64,
    pub position: i32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub body: String,
    pub word_count: i64,
    pub published: NaiveDate,
}

/// The result of storing a work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored as a new work.
    Inserted {
        /// The new work's id.
        id: i64,
        /// Its word count, as stored.
        word_count: i64,
    },
    /// The same content was imported before, as this work.
    AlreadyExists(i64),
}

impl InsertOutcome {
    /// The work's id either way.
    pub fn work_id(self) -> i64 {
        match self {
            InsertOutcome::Inserted { id, .. } | InsertOutcome::AlreadyExists(id) => id,
        }
    }
}

/// One page of a listing, with the exact total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    /// Number of pages (at least 1).
    pub fn page_count(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.per_page.max(1)));
        u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
    }
}
