//! The API's JSON shapes. Each derives its OpenAPI schema, so the document
//! at `/api/v1/openapi.json` is generated from these types.

use ficus_core::TagType;
use ficus_store::{ChapterRecord, ChapterSummary, SeriesPlace, SeriesRecord, WorkRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An error: its HTTP status and a message for people; for invalid works,
/// the problem with each field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    pub message: String,
    /// Problems by field (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub fields: Vec<FieldProblem>,
}

/// One invalid field of a submitted work or chapter.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// A work's tags by type; the rating is a one-element list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagsJson {
    pub rating: Vec<String>,
    pub archive_warning: Vec<String>,
    pub category: Vec<String>,
    pub fandom: Vec<String>,
    pub relationship: Vec<String>,
    pub character: Vec<String>,
    pub freeform: Vec<String>,
}

/// A work's place in a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPlaceJson {
    pub id: i64,
    pub title: String,
    pub position: i32,
    pub url: String,
}

impl From<&SeriesPlace> for SeriesPlaceJson {
    fn from(p: &SeriesPlace) -> Self {
        SeriesPlaceJson {
            id: p.series_id,
            title: p.title.clone(),
            position: p.position,
            url: format!("/series/{}", p.series_id),
        }
    }
}

/// A work as listed: everything but its chapters.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkJson {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub creators: Vec<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub notes: Option<String>,
    /// Sanitized HTML.
    pub end_notes: Option<String>,
    pub language: Option<String>,
    pub rating: String,
    pub tags: TagsJson,
    /// YYYY-MM-DD.
    pub published: String,
    /// YYYY-MM-DD.
    pub updated: String,
    pub complete: bool,
    /// `null` when the total is unknown.
    pub expected_chapters: Option<i32>,
    pub chapter_count: i32,
    pub word_count: i64,
    /// Only logged-in readers (or token holders) see restricted works.
    pub restricted: bool,
    /// False for a draft (only its creators see it).
    pub posted: bool,
    /// Who may comment: `enable_all` (everyone), `disable_anon`
    /// (registered users only), `disable_all` (no one).
    pub comment_permission: String,
    /// New comments wait for a creator's approval.
    pub moderate_comments: bool,
    pub kudos: i64,
    pub hits: i64,
    pub comments: i64,
    pub bookmarks: i64,
    pub series: Vec<SeriesPlaceJson>,
}

impl WorkJson {
    /// The JSON of a stored work.
    pub fn of(work: &WorkRecord) -> WorkJson {
        let names = |kind| {
            work.tags_of(kind)
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
        };
        WorkJson {
            id: work.id,
            url: format!("/works/{}", work.id),
            title: work.title.clone(),
            creators: work.creators.clone(),
            summary: work.summary.clone(),
            notes: work.notes.clone(),
            end_notes: work.end_notes.clone(),
            language: work.language.clone(),
            rating: work.rating.name().to_string(),
            tags: TagsJson {
                rating: vec![work.rating.name().to_string()],
                archive_warning: names(TagType::ArchiveWarning),
                category: names(TagType::Category),
                fandom: names(TagType::Fandom),
                relationship: names(TagType::Relationship),
                character: names(TagType::Character),
                freeform: names(TagType::Freeform),
            },
            published: work.published.to_string(),
            updated: work.updated.to_string(),
            complete: work.complete,
            expected_chapters: work.expected_chapters,
            chapter_count: work.chapter_count,
            word_count: work.word_count,
            restricted: work.restricted,
            comment_permission: work.comments.permission.as_str().to_string(),
            moderate_comments: work.comments.moderated,
            posted: work.posted,
            kudos: work.stats.kudos,
            hits: work.stats.hits,
            comments: work.stats.comments,
            bookmarks: work.stats.bookmarks,
            series: work.series.iter().map(SeriesPlaceJson::from).collect(),
        }
    }
}

/// A chapter as listed in a work.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChapterEntry {
    pub id: i64,
    pub position: i32,
    pub title: Option<String>,
    pub word_count: i64,
    /// YYYY-MM-DD.
    pub published: String,
    pub url: String,
}

impl ChapterEntry {
    pub fn of(work_id: i64, c: &ChapterSummary) -> ChapterEntry {
        ChapterEntry {
            id: c.id,
            position: c.position,
            title: c.title.clone(),
            word_count: c.word_count,
            published: c.published.to_string(),
            url: format!("/works/{work_id}/chapters/{}", c.id),
        }
    }
}

/// Where an imported work came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct OriginJson {
    /// The file it was imported from.
    pub source_path: Option<String>,
    /// The URL it was first published at.
    pub source_url: Option<String>,
    /// Hex SHA-256 of the imported bytes.
    pub content_hash: Option<String>,
    /// How the imported bytes were decoded (`utf-8`, `windows-1252`, …).
    pub text_encoding: Option<String>,
}

impl OriginJson {
    pub fn of(origin: &ficus_core::work::WorkOrigin) -> OriginJson {
        OriginJson {
            source_path: origin.source_path.clone(),
            source_url: origin.source_url.clone(),
            content_hash: origin.content_hash.clone(),
            text_encoding: origin.text_encoding.clone(),
        }
    }
}

/// One work with its chapter list and origin.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkDetail {
    #[serde(flatten)]
    pub work: WorkJson,
    pub origin: OriginJson,
    pub chapters: Vec<ChapterEntry>,
}

/// One chapter with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChapterJson {
    pub id: i64,
    pub work_id: i64,
    pub position: i32,
    pub title: Option<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub notes: Option<String>,
    /// Sanitized HTML.
    pub end_notes: Option<String>,
    /// Sanitized HTML.
    pub body: String,
    pub word_count: i64,
    /// YYYY-MM-DD.
    pub published: String,
}

impl From<ChapterRecord> for ChapterJson {
    fn from(c: ChapterRecord) -> Self {
        ChapterJson {
            id: c.id,
            work_id: c.work_id,
            position: c.position,
            title: c.title,
            summary: c.summary,
            notes: c.notes,
            end_notes: c.end_notes,
            body: c.body,
            word_count: c.word_count,
            published: c.published.to_string(),
        }
    }
}

/// A page of works.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkList {
    /// Every matching work the caller may see (not just this page).
    pub total: u64,
    pub works: Vec<WorkJson>,
    /// Pass as `cursor` (with the same filters) for the next page; `null`
    /// on the last page.
    pub next_cursor: Option<String>,
}

/// A tag in a tag's wrangling.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    pub id: i64,
    pub name: String,
    /// Rating, ArchiveWarning, Category, Fandom, Relationship, Character,
    /// Freeform or Media.
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

impl From<&ficus_store::TagRecord> for TagRef {
    fn from(t: &ficus_store::TagRecord) -> Self {
        TagRef {
            id: t.id,
            name: t.name.clone(),
            kind: t.kind.as_str().to_string(),
            url: format!("/api/v1/tags/{}", crate::view::encode_segment(&t.name)),
        }
    }
}

/// A tag with its wrangling.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagJson {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub canonical: bool,
    /// For a synonym: its canonical tag.
    pub synonym_of: Option<TagRef>,
    pub synonyms: Vec<TagRef>,
    pub meta_tags: Vec<TagRef>,
    pub subtags: Vec<TagRef>,
    pub parents: Vec<TagRef>,
    pub children: Vec<TagRef>,
    /// Posted works carrying this very tag (restricted ones included: a
    /// count, as on the tag page).
    pub direct_uses: i64,
    /// Its works (synonyms and subtags count).
    pub works_url: String,
}

/// A series with the works of it the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesJson {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub complete: bool,
    pub creators: Vec<String>,
    pub word_count: i64,
    /// YYYY-MM-DD.
    pub begun: String,
    /// YYYY-MM-DD.
    pub updated: String,
    pub works: Vec<SeriesEntry>,
}

/// One work of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesEntry {
    pub position: i32,
    pub work: WorkJson,
}

impl SeriesJson {
    pub fn of(series: &SeriesRecord) -> SeriesJson {
        SeriesJson {
            id: series.id,
            url: format!("/series/{}", series.id),
            title: series.title.clone(),
            summary: series.summary.clone(),
            notes: series.notes.clone(),
            complete: series.complete,
            creators: series.creators(),
            word_count: series.word_count(),
            begun: series.created_at.date().to_string(),
            updated: series.updated_at.date().to_string(),
            works: series
                .works
                .iter()
                .map(|(position, w)| SeriesEntry {
                    position: *position,
                    work: WorkJson::of(w),
                })
                .collect(),
        }
    }
}

/// Sort orders of work listings.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    BestMatch,
    Creator,
    Title,
    Posted,
    Updated,
    Words,
    Hits,
    Kudos,
    Comments,
    Bookmarks,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DirectionParam {
    Asc,
    Desc,
}

/// Crossover filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CrossoverParam {
    /// Crossovers and single-fandom works.
    Include,
    /// No crossovers.
    Exclude,
    /// Only crossovers.
    Only,
}

/// The filters of every works listing — the same as browsing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkFilters {
    /// A query in the archive's search syntax (words, "phrases", OR,
    /// -exclusions, field:value, ranges, sort:…).
    pub q: Option<String>,
    /// Comma-separated tag names every work must carry (synonyms and
    /// subtags count).
    pub tags: Option<String>,
    /// Comma-separated tag names no work may carry.
    pub exclude_tags: Option<String>,
    pub crossover: Option<CrossoverParam>,
    /// Only complete (true) or only in-progress (false) works.
    pub complete: Option<bool>,
    /// Only one-chapter works.
    pub single_chapter: Option<bool>,
    #[param(minimum = 0)]
    pub words_from: Option<u64>,
    #[param(minimum = 0)]
    pub words_to: Option<u64>,
    /// YYYY-MM-DD.
    #[param(value_type = Option<String>, format = Date)]
    pub updated_from: Option<String>,
    /// YYYY-MM-DD.
    #[param(value_type = Option<String>, format = Date)]
    pub updated_to: Option<String>,
    /// Language, as stored (e.g. "English" or "en").
    pub language: Option<String>,
    pub sort: Option<SortParam>,
    pub direction: Option<DirectionParam>,
    /// Works per page (1 to 100; 20 when not given).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// How a chapter's text (and notes) are written.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TextFormatParam {
    /// HTML, sanitized with the archive's allowlist.
    #[default]
    Html,
    /// Plain text: blank lines make paragraphs.
    Plain,
}

/// A new work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkJson {
    pub title: String,
    /// One of the archive's ratings, e.g. "General Audiences".
    pub rating: String,
    /// Archive warnings, e.g. ["No Archive Warnings Apply"].
    pub warnings: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub fandoms: Vec<String>,
    #[serde(default)]
    pub relationships: Vec<String>,
    #[serde(default)]
    pub characters: Vec<String>,
    #[serde(default)]
    pub freeforms: Vec<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub end_notes: Option<String>,
    /// The first chapter's title.
    #[serde(default)]
    pub chapter_title: Option<String>,
    /// The first chapter's text.
    pub text: String,
    #[serde(default)]
    pub text_format: TextFormatParam,
    #[serde(default)]
    pub restricted: bool,
    /// Who may comment: `enable_all`, `disable_anon` (the default) or
    /// `disable_all`.
    #[serde(default)]
    pub comment_permission: Option<String>,
    /// New comments wait for a creator's approval.
    #[serde(default)]
    pub moderate_comments: bool,
    #[serde(default)]
    pub complete: bool,
    /// Expected number of chapters (`null`: unknown).
    #[serde(default)]
    pub expected_chapters: Option<u32>,
    /// Names of the caller's pseuds for the byline (their default pseud
    /// when empty).
    #[serde(default)]
    pub pseuds: Vec<String>,
    /// Logins invited as co-creators.
    #[serde(default)]
    pub co_creators: Vec<String>,
    /// A series title: the caller's series of that title (made if new).
    #[serde(default)]
    pub series: Option<String>,
    /// Collections (URL names) to add the work to, as it is posted.
    #[serde(default)]
    pub collections: Vec<String>,
    /// Gift recipients: logins, pseud names or other names.
    #[serde(default)]
    pub gifts: Vec<String>,
    /// A gift-exchange assignment of the caller's this work fulfils: it
    /// joins the exchange and becomes the recipient's gift.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub assignment: Option<i64>,
    /// Save as a draft instead of posting.
    #[serde(default)]
    pub draft: bool,
}

/// Changes to a work: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkPatchJson {
    pub title: Option<String>,
    pub rating: Option<String>,
    pub warnings: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
    pub fandoms: Option<Vec<String>>,
    pub relationships: Option<Vec<String>>,
    pub characters: Option<Vec<String>>,
    pub freeforms: Option<Vec<String>>,
    pub language: Option<String>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    /// One-chapter works only (edit chapters of longer works one by one).
    pub chapter_title: Option<String>,
    /// One-chapter works only (edit chapters of longer works one by one).
    pub text: Option<String>,
    pub text_format: Option<TextFormatParam>,
    pub restricted: Option<bool>,
    /// `enable_all`, `disable_anon` or `disable_all`.
    pub comment_permission: Option<String>,
    pub moderate_comments: Option<bool>,
    pub complete: Option<bool>,
    pub expected_chapters: Option<u32>,
    /// Add the work to the caller's series of this title.
    pub series: Option<String>,
    /// Ids of series to take the work out of (a series left empty is
    /// deleted).
    pub leave_series: Option<Vec<i64>>,
    /// `false` posts a draft.
    pub draft: Option<bool>,
}

/// A chapter to add, or a chapter's new content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChapterInput {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub text: String,
    #[serde(default)]
    pub text_format: TextFormatParam,
}
