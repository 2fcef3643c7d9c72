//! Storing and reading works, chapters, creators and tags.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ficus_core::access::Viewer;
use ficus_core::tag::tag_key;
use ficus_core::{NewChapter, NewWork, Rating, TagType, WorkOrigin};

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::{
    ChapterRecord, ChapterSummary, InsertOutcome, Page, TagRecord, WorkRecord, WorkStats,
};
use crate::rows::*;
use crate::schema::{
    chapters, creators, pseuds, serial_works, series, taggings, tags, users, work_creators, works,
};

/// What a bulk load sets beyond a [`NewWork`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BulkExtras {
    /// The stored word count, when it should differ from the text's (a
    /// synthetic archive with short bodies records its nominal length).
    pub word_count: Option<i64>,
    pub stats: WorkStats,
}

/// Most works on one listing page.
pub const MAX_PER_PAGE: u32 = 100;

type TagJoinRow = (i64, i64, String, String, i32);
type CreatorJoinRow = (i64, String, i32, Option<i64>, Option<String>, i64);
/// (work id, series id, series title, position).
type SeriesJoinRow = (i64, i64, String, i32);
type WorkParts = (
    Vec<WorkRow>,
    Vec<TagJoinRow>,
    Vec<CreatorJoinRow>,
    Vec<SeriesJoinRow>,
);

type ChapterListRow = (i64, i32, Option<String>, i64, chrono::NaiveDate);

/// The three queries behind [`WorkRecord`]s (work rows, tags, creators),
/// each filtered by the given expression on its work id column.
macro_rules! work_parts_where {
    ($conn:ident, |$col:ident| $filter:expr) => {{
        let rows: Vec<WorkRow> = {
            let $col = works::id;
            works::table
                .filter($filter)
                .select(WorkRow::as_select())
                .load($conn)?
        };
        let tag_rows: Vec<TagJoinRow> = {
            let $col = taggings::work_id;
            taggings::table
                .inner_join(tags::table)
                .filter($filter)
                .select((
                    taggings::work_id,
                    tags::id,
                    tags::tag_type,
                    tags::name,
                    taggings::position,
                ))
                .load($conn)?
        };
        let creator_rows: Vec<CreatorJoinRow> = {
            let $col = work_creators::work_id;
            work_creators::table
                .inner_join(creators::table.left_join(pseuds::table.inner_join(users::table)))
                .filter($filter)
                .select((
                    work_creators::work_id,
                    creators::name,
                    work_creators::position,
                    pseuds::user_id.nullable(),
                    users::login.nullable(),
                    creators::id,
                ))
                .load($conn)?
        };
        let series_rows: Vec<SeriesJoinRow> = {
            let $col = serial_works::work_id;
            serial_works::table
                .inner_join(series::table)
                .filter($filter)
                .select((
                    serial_works::work_id,
                    series::id,
                    series::title,
                    serial_works::position,
                ))
                .load($conn)?
        };
        Ok::<WorkParts, DieselError>((rows, tag_rows, creator_rows, series_rows))
    }};
}

/// Loads the parts of the works `$ids`. One work (the work page) is asked
/// for with `=`, which diesel keeps prepared; `IN (…)` is prepared anew on
/// every call.
macro_rules! load_work_parts {
    ($conn:ident, $ids:expr) => {{
        let ids: &[i64] = $ids;
        (|| -> Result<WorkParts, DieselError> {
            if let [id] = ids {
                let id = *id;
                return work_parts_where!($conn, |col| col.eq(id));
            }
            work_parts_where!($conn, |col| col.eq_any(ids))
        })()
    }};
}

/// A work's chapters in order, without texts.
macro_rules! load_chapter_list {
    ($conn:ident, $work_id:expr) => {
        chapters::table
            .filter(chapters::work_id.eq($work_id))
            .order(chapters::position.asc())
            .select((
                chapters::id,
                chapters::position,
                chapters::title,
                chapters::word_count,
                chapters::published_on,
            ))
            .load::<ChapterListRow>($conn)
    };
}

/// Writes a work's bylines (pseuds first, then bare names) and taggings
/// (rating first), creating creators and tags as needed. Used on a
/// connection inside a write transaction; the work's old bylines and
/// taggings must be gone.
macro_rules! write_bylines_and_tags {
    ($conn:ident, $work_id:expr, $work:expr, $now:expr) => {{
        let conn = &mut *$conn;
        let work_id: i64 = $work_id;
        let work: &NewWork = $work;
        let now = $now;
        // Bylines: the posting accounts' pseuds first, then bare names.
        let mut creator_ids: Vec<i64> = Vec::new();
        for &pseud_id in &work.pseuds {
            let id = pseud_creator!(conn, pseud_id);
            creator_ids.push(id);
        }
        for name in &work.creators {
            let name = name.trim();
            let key = tag_key(name);
            let existing: Option<i64> = creators::table
                .filter(creators::name_key.eq(&key))
                .filter(creators::pseud_id.is_null())
                .select(creators::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => diesel::insert_into(creators::table)
                    .values(&NewCreatorRow {
                        name,
                        name_key: &key,
                    })
                    .returning(creators::id)
                    .get_result(conn)?,
            };
            creator_ids.push(id);
        }
        let mut creator_rows: Vec<WorkCreatorRow> = Vec::new();
        for (position, creator_id) in creator_ids.into_iter().enumerate() {
            if creator_rows.iter().all(|r| r.creator_id != creator_id) {
                creator_rows.push(WorkCreatorRow {
                    work_id,
                    creator_id,
                    position: i32::try_from(position).unwrap_or(i32::MAX),
                });
            }
        }
        if !creator_rows.is_empty() {
            diesel::insert_into(work_creators::table)
                .values(&creator_rows)
                .execute(conn)?;
        }

        // Tags: one lookup for all of them; insert only the new ones.
        let rating = (TagType::Rating, work.rating.name());
        let wanted: Vec<(TagType, &str, String)> = std::iter::once(rating)
            .chain(work.tags.iter().map(|t| (t.kind, t.name.as_str())))
            .map(|(kind, name)| (kind, name, tag_key(name)))
            .collect();
        let keys: Vec<&str> = wanted.iter().map(|(_, _, key)| key.as_str()).collect();
        let mut known: HashMap<(String, String), i64> = tags::table
            .filter(tags::name_key.eq_any(&keys))
            .select((tags::id, tags::tag_type, tags::name_key))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, kind, key)| ((kind, key), id))
            .collect();
        let mut tagging_rows: Vec<TaggingRow> = Vec::new();
        for (position, (kind, name, key)) in wanted.iter().enumerate() {
            let lookup = (kind.as_str().to_string(), key.clone());
            let tag_id = match known.get(&lookup) {
                Some(id) => *id,
                None => {
                    diesel::insert_into(tags::table)
                        .values(&NewTagRow {
                            tag_type: kind.as_str(),
                            name,
                            name_key: key,
                            canonical: !kind.is_free(),
                            created_at: now,
                        })
                        .on_conflict((tags::tag_type, tags::name_key))
                        .do_nothing()
                        .execute(conn)?;
                    let id: i64 = tags::table
                        .filter(tags::tag_type.eq(kind.as_str()))
                        .filter(tags::name_key.eq(key))
                        .select(tags::id)
                        .first(conn)?;
                    known.insert(lookup, id);
                    id
                }
            };
            if tagging_rows.iter().all(|r| r.tag_id != tag_id) {
                tagging_rows.push(TaggingRow {
                    work_id,
                    tag_id,
                    position: i32::try_from(position).unwrap_or(i32::MAX),
                });
            }
        }
        diesel::insert_into(taggings::table)
            .values(&tagging_rows)
            .execute(conn)?;
    }};
}

/// Recomputes a work's word and chapter counts from its chapters.
macro_rules! refresh_counts {
    ($conn:ident, $work_id:expr) => {{
        let work_id: i64 = $work_id;
        let counts: Vec<i64> = chapters::table
            .filter(chapters::work_id.eq(work_id))
            .select(chapters::word_count)
            .load($conn)?;
        diesel::update(works::table.find(work_id))
            .set((
                works::word_count.eq(counts.iter().sum::<i64>()),
                works::chapter_count.eq(i32::try_from(counts.len()).unwrap_or(i32::MAX)),
            ))
            .execute($conn)?;
    }};
}

/// Gives a work's chapters positions 1.. in the order of `$ids`, in two
/// steps so that `UNIQUE (work_id, position)` holds throughout.
macro_rules! renumber {
    ($conn:ident, $work_id:expr, $ids:expr) => {{
        let work_id: i64 = $work_id;
        let ids: &[i64] = $ids;
        for (i, id) in ids.iter().enumerate() {
            let temp = -1 - i32::try_from(i).unwrap_or(i32::MAX - 1);
            diesel::update(
                chapters::table
                    .find(*id)
                    .filter(chapters::work_id.eq(work_id)),
            )
            .set(chapters::position.eq(temp))
            .execute($conn)?;
        }
        for (i, id) in ids.iter().enumerate() {
            let position = 1 + i32::try_from(i).unwrap_or(i32::MAX - 1);
            diesel::update(chapters::table.find(*id))
                .set(chapters::position.eq(position))
                .execute($conn)?;
        }
    }};
}

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

/// Which works a listing draws from.
#[derive(Clone, Copy)]
enum ListScope<'a> {
    All,
    Tags(&'a [i64]),
    Creators(&'a [i64]),
}

/// Puts a work into the series its [`NewWork::series`] names, owned by
/// the account of its first pseud (ownerless for imports).
macro_rules! place_work_in_series {
    ($conn:ident, $work_id:expr, $work:expr, $now:expr) => {{
        let conn = &mut *$conn;
        let work: &NewWork = $work;
        if !work.series.is_empty() {
            let owner: Option<i64> = match work.pseuds.first() {
                Some(&pseud) => Some(
                    $crate::schema::pseuds::table
                        .find(pseud)
                        .select($crate::schema::pseuds::user_id)
                        .first(conn)?,
                ),
                None => None,
            };
            for (title, position) in &work.series {
                let title = title.trim();
                if title.is_empty()
                    || title.chars().count() > $crate::series::MAX_SERIES_TITLE_CHARS
                {
                    continue;
                }
                let position = i32::try_from(*position).unwrap_or(0);
                $crate::series::place_in_series!(conn, $work_id, owner, title, position, $now);
            }
        }
    }};
}

/// Inserts one (clean, valid) work with its chapters, bylines and tags on
/// a connection inside a write transaction; evaluates to (id, word count).
/// `$extras` may set the stored word count and reader counters (bulk loads
/// of synthetic archives).
macro_rules! insert_work_rows {
    ($conn:ident, $work:expr, $now:expr, $extras:expr) => {{
        let conn = &mut *$conn;
        let work: &NewWork = $work;
        let now = $now;
        let extras: Option<&BulkExtras> = $extras;
        // Counted once per chapter: the sum and the rows share it.
        let counts: Vec<i64> = work
            .chapters
            .iter()
            .map(|c| i64::try_from(c.word_count()).unwrap_or(i64::MAX))
            .collect();
        let word_count: i64 = counts.iter().sum();
        let chapter_count = i32::try_from(work.chapters.len()).unwrap_or(i32::MAX);
        let title = work.title.trim();
        let row = NewWorkRow {
            title,
            summary: work.summary.as_deref(),
            notes: work.notes.as_deref(),
            end_notes: work.end_notes.as_deref(),
            language: work.language.as_deref(),
            published_on: work.published,
            updated_on: work.updated.max(work.published),
            complete: work.complete,
            expected_chapters: work.expected_chapters.and_then(|n| i32::try_from(n).ok()),
            chapter_count,
            word_count,
            restricted: work.restricted,
            posted: work.posted,
            source_path: work.origin.source_path.as_deref(),
            source_url: work.origin.source_url.as_deref(),
            content_hash: work.origin.content_hash.as_deref(),
            text_encoding: work.origin.text_encoding.as_deref(),
            created_at: now,
            updated_at: now,
        };
        let work_id: i64 = diesel::insert_into(works::table)
            .values(&row)
            .returning(works::id)
            .get_result(conn)?;

        let chapter_rows: Vec<NewChapterRow<'_>> = work
            .chapters
            .iter()
            .enumerate()
            .map(|(i, c)| NewChapterRow {
                work_id,
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                title: c.title.as_deref(),
                summary: c.summary.as_deref(),
                notes: c.notes.as_deref(),
                end_notes: c.end_notes.as_deref(),
                body: &c.body,
                word_count: counts[i],
                published_on: c.published.unwrap_or(work.published),
            })
            .collect();
        for chunk in chapter_rows.chunks(200) {
            diesel::insert_into(chapters::table)
                .values(chunk)
                .execute(conn)?;
        }

        if let Some(extras) = extras {
            diesel::update(works::table.filter(works::id.eq(work_id)))
                .set((
                    works::word_count.eq(extras.word_count.unwrap_or(word_count)),
                    works::kudos_count.eq(extras.stats.kudos),
                    works::hits_count.eq(extras.stats.hits),
                    works::comments_count.eq(extras.stats.comments),
                    works::bookmarks_count.eq(extras.stats.bookmarks),
                ))
                .execute(conn)?;
        }
        write_bylines_and_tags!(conn, work_id, work, now);
        (work_id, word_count)
    }};
}

impl Store {
    /// Stores a work with its chapters, creators and tags in one
    /// transaction, after sanitizing all its HTML and validating it. A work whose `origin.content_hash` is already stored is
    /// not stored again: the existing id comes back as
    /// [`InsertOutcome::AlreadyExists`].
    pub fn insert_work(&self, work: &NewWork) -> Result<InsertOutcome, StoreError> {
        let mut clean = work.clone();
        clean.sanitize_html();
        clean.validate()?;
        let work = &clean;
        let result = with_conn!(self, |conn| conn.write_transaction(|conn| {
            if let Some(hash) = work.origin.content_hash.as_deref() {
                let existing: Option<i64> = works::table
                    .filter(works::content_hash.eq(hash))
                    .select(works::id)
                    .first(conn)
                    .optional()?;
                if let Some(id) = existing {
                    return Ok(InsertOutcome::AlreadyExists(id));
                }
            }
            let now = Utc::now().naive_utc();
            let (work_id, word_count) = insert_work_rows!(conn, work, now, None);
            place_work_in_series!(conn, work_id, work, now);
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
            w.sanitize_html();
            w.validate()?;
            clean.push((w, extras));
        }
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mut ids = Vec::with_capacity(clean.len());
            for (work, extras) in &clean {
                let (id, _) = insert_work_rows!(conn, work, now, Some(*extras));
                ids.push(id);
            }
            Ok::<_, DieselError>(ids)
        }))?)
    }

    /// The work already imported from content with this hash, if any.
    pub fn work_id_by_content_hash(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        with_conn!(self, |conn| Ok(works::table
            .filter(works::content_hash.eq(hash))
            .select(works::id)
            .first(conn)
            .optional()?))
    }

    /// One work with tags and creators, if it exists and `viewer` may see it.
    pub fn work(&self, id: i64, viewer: Viewer) -> Result<Option<WorkRecord>, StoreError> {
        let work = self.works_by_ids(&[id])?.pop();
        Ok(work.filter(|w| viewer.may_see(&w.access())))
    }

    /// The chapters of a work, in order, without their texts.
    pub fn chapter_list(&self, work_id: i64) -> Result<Vec<ChapterSummary>, StoreError> {
        let rows = with_conn!(self, |conn| load_chapter_list!(conn, work_id)?);
        Ok(rows.into_iter().map(chapter_summary).collect())
    }

    /// Every chapter of a work with its text, in order.
    pub fn chapters_full(&self, work_id: i64) -> Result<Vec<ChapterRecord>, StoreError> {
        let rows: Vec<ChapterRow> = with_conn!(self, |conn| chapters::table
            .filter(chapters::work_id.eq(work_id))
            .order(chapters::position.asc())
            .select(ChapterRow::as_select())
            .load(conn)?);
        Ok(rows.into_iter().map(chapter_record).collect())
    }

    /// One chapter of a work with its text.
    pub fn chapter(
        &self,
        work_id: i64,
        chapter_id: i64,
    ) -> Result<Option<ChapterRecord>, StoreError> {
        let row: Option<ChapterRow> = with_conn!(self, |conn| chapters::table
            .filter(chapters::work_id.eq(work_id))
            .filter(chapters::id.eq(chapter_id))
            .select(ChapterRow::as_select())
            .first(conn)
            .optional()?);
        Ok(row.map(chapter_record))
    }

    /// The work a chapter id belongs to.
    pub fn chapter_work_id(&self, chapter_id: i64) -> Result<Option<i64>, StoreError> {
        with_conn!(self, |conn| Ok(chapters::table
            .filter(chapters::id.eq(chapter_id))
            .select(chapters::work_id)
            .first(conn)
            .optional()?))
    }

    /// Works `viewer` may see, most recently updated first.
    pub fn list_works(
        &self,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        self.list(viewer, ListScope::All, page, per_page)
    }

    /// The byline identity behind `/users/{login}/pseuds/{pseud}`: the
    /// account's pseud when `login` is an account, else the bare
    /// (imported) creator name `pseud`. Returns (creator id, name).
    pub fn creator_for(
        &self,
        login: &str,
        pseud: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        use crate::schema::{pseuds, users};
        let login_key = login.trim().to_ascii_lowercase();
        let pseud_key = tag_key(pseud);
        with_conn!(self, |conn| {
            let user: Option<i64> = users::table
                .filter(users::login_key.eq(&login_key))
                .select(users::id)
                .first(conn)
                .optional()?;
            let found = match user {
                Some(user_id) => creators::table
                    .inner_join(pseuds::table)
                    .filter(pseuds::user_id.eq(user_id))
                    .filter(pseuds::name_key.eq(&pseud_key))
                    .select((creators::id, creators::name))
                    .first(conn)
                    .optional()?,
                None => creators::table
                    .filter(creators::name_key.eq(&pseud_key))
                    .filter(creators::pseud_id.is_null())
                    .select((creators::id, creators::name))
                    .first(conn)
                    .optional()?,
            };
            Ok(found)
        })
    }

    /// Works by one creator that `viewer` may see, most recently updated first.
    pub fn list_works_by_creator(
        &self,
        creator_id: i64,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        self.list(viewer, ListScope::Creators(&[creator_id]), page, per_page)
    }

    /// The account with this login (its spelling as stored) and the byline
    /// entries of all its pseuds; `None` when there is no such account.
    pub fn account_creators(&self, login: &str) -> Result<Option<(String, Vec<i64>)>, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        Ok(with_conn!(self, |conn| {
            let user: Option<(i64, String)> = users::table
                .filter(users::login_key.eq(&key))
                .select((users::id, users::login))
                .first(conn)
                .optional()?;
            match user {
                Some((id, login)) => {
                    let creators: Vec<i64> = creators::table
                        .inner_join(pseuds::table)
                        .filter(pseuds::user_id.eq(id))
                        .select(creators::id)
                        .load(conn)?;
                    Some((login, creators))
                }
                None => None,
            }
        }))
    }

    /// The byline entries a creator's listing covers: every pseud of the
    /// account with this login (possibly none yet), or — when no account
    /// has it — the imported names (not pseuds) spelled this way; `None`
    /// when neither exists. Orphaned works are under `orphan_account`, so
    /// they are not found by their old name.
    pub fn creator_listing_ids(&self, login: &str) -> Result<Option<Vec<i64>>, StoreError> {
        if let Some((_, ids)) = self.account_creators(login)? {
            return Ok(Some(ids));
        }
        let key = ficus_core::tag::tag_key(login);
        let names: Vec<i64> = with_conn!(self, |conn| creators::table
            .filter(creators::name_key.eq(&key))
            .filter(creators::pseud_id.is_null())
            .select(creators::id)
            .load(conn)?);
        Ok((!names.is_empty()).then_some(names))
    }

    /// Works by any pseud of an account that `viewer` may see, most
    /// recently updated first. `None` when there is no such account.
    pub fn list_works_by_user(
        &self,
        login: &str,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Option<(String, Page<WorkRecord>)>, StoreError> {
        let Some((login, creator_ids)) = self.account_creators(login)? else {
            return Ok(None);
        };
        let page = self.list(viewer, ListScope::Creators(&creator_ids), page, per_page)?;
        Ok(Some((login, page)))
    }

    /// Tags of any type whose name matches `name` case-insensitively.
    pub fn tags_named(&self, name: &str) -> Result<Vec<TagRecord>, StoreError> {
        let key = tag_key(name);
        let rows: Vec<(i64, String, String)> = with_conn!(self, |conn| tags::table
            .filter(tags::name_key.eq(&key))
            .select((tags::id, tags::tag_type, tags::name))
            .order(tags::id.asc())
            .load(conn)?);
        rows.into_iter()
            .map(|(id, kind, name)| tag_record(id, &kind, name))
            .collect()
    }

    /// Works carrying any of `tag_ids` that `viewer` may see, most recently
    /// updated first.
    pub fn list_works_tagged(
        &self,
        tag_ids: &[i64],
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        self.list(viewer, ListScope::Tags(tag_ids), page, per_page)
    }

    fn list(
        &self,
        viewer: Viewer,
        scope: ListScope<'_>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let members = viewer.is_member();
        let (ids, total): (Vec<i64>, i64) = with_conn!(self, |conn| {
            let filtered = || {
                let mut q = works::table
                    .filter(works::posted.eq(true))
                    .filter(works::hidden.eq(false))
                    .into_boxed();
                if !members {
                    q = q.filter(works::restricted.eq(false));
                }
                match scope {
                    ListScope::All => {}
                    ListScope::Tags(tag_ids) => {
                        q = q.filter(
                            works::id.eq_any(
                                taggings::table
                                    .filter(taggings::tag_id.eq_any(tag_ids.to_vec()))
                                    .select(taggings::work_id),
                            ),
                        );
                    }
                    ListScope::Creators(creator_ids) => {
                        q = q.filter(
                            works::id.eq_any(
                                work_creators::table
                                    .filter(work_creators::creator_id.eq_any(creator_ids.to_vec()))
                                    .select(work_creators::work_id),
                            ),
                        );
                    }
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let ids: Vec<i64> = filtered()
                .order((works::updated_on.desc(), works::id.desc()))
                .select(works::id)
                .limit(i64::from(per_page))
                .offset(offset)
                .load(conn)?;
            Ok::<_, StoreError>((ids, total))
        })?;
        let items = self.works_by_ids(&ids)?;
        Ok(Page {
            items,
            page,
            per_page,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// Loads works with tags and creators, in the order of `ids`; ids that
    /// do not exist are left out.
    pub fn works_by_ids(&self, ids: &[i64]) -> Result<Vec<WorkRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let parts: WorkParts = with_conn!(self, |conn| load_work_parts!(conn, ids)?);
        assemble_works(parts, ids)
    }

    /// Everything the work page needs, on one connection: the work (if
    /// `viewer` may see it), its chapter list, and the texts `choice` asks for
    /// (none when a chapter id does not belong to the work).
    pub fn reading(
        &self,
        id: i64,
        viewer: Viewer,
        choice: ChapterChoice,
    ) -> Result<Option<Reading>, StoreError> {
        let ids = [id];
        let (parts, list, texts): (WorkParts, Vec<ChapterListRow>, Vec<ChapterRow>) =
            with_conn!(self, |conn| {
                let parts = load_work_parts!(conn, &ids[..])?;
                if !visible_in(&parts, viewer) {
                    return Ok(None);
                }
                let list: Vec<ChapterListRow> = load_chapter_list!(conn, id)?;
                let wanted = match choice {
                    ChapterChoice::NoText => None,
                    ChapterChoice::All => Some(None),
                    ChapterChoice::First => Some(list.first().map(|c| c.0)),
                    ChapterChoice::One(cid) => Some(Some(cid)),
                };
                let texts: Vec<ChapterRow> = match wanted {
                    None => Vec::new(),
                    Some(None) => chapters::table
                        .filter(chapters::work_id.eq(id))
                        .order(chapters::position.asc())
                        .select(ChapterRow::as_select())
                        .load(conn)?,
                    Some(Some(cid)) => chapters::table
                        .filter(chapters::work_id.eq(id))
                        .filter(chapters::id.eq(cid))
                        .select(ChapterRow::as_select())
                        .load(conn)?,
                };
                (parts, list, texts)
            });
        let Some(work) = assemble_works(parts, &ids)?.pop() else {
            return Ok(None);
        };
        Ok(Some(Reading {
            work,
            chapters: list.into_iter().map(chapter_summary).collect(),
            texts: texts.into_iter().map(chapter_record).collect(),
        }))
    }
}

/// Whether the (single) work in `parts` is visible to `viewer`.
fn visible_in(parts: &WorkParts, viewer: Viewer) -> bool {
    let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
    parts.0.first().is_some_and(|w| {
        viewer.may_see(&ficus_core::access::WorkAccess {
            posted: w.posted,
            restricted: w.restricted,
            hidden: w.hidden,
            owners: &owners,
        })
    })
}

/// Builds [`WorkRecord`]s from loaded rows, in the order of `ids`.
fn assemble_works(parts: WorkParts, ids: &[i64]) -> Result<Vec<WorkRecord>, StoreError> {
    let (rows, tag_rows, creator_rows, series_rows) = parts;
    {
        let mut tags_by_work: HashMap<i64, Vec<(TagType, i32, TagRecord)>> = HashMap::new();
        for (work_id, tag_id, kind, name, position) in tag_rows {
            let record = tag_record(tag_id, &kind, name)?;
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
            record.creator_logins = logins;
            record.creator_ids = creator_ids;
            let mut series = series_by_work.remove(&record.id).unwrap_or_default();
            series.sort_by(|a, b| (&a.title, a.series_id).cmp(&(&b.title, b.series_id)));
            record.series = series;
            by_id.insert(record.id, record);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

impl Store {
    /// Replaces a work's metadata, bylines and tags with `work`'s. When both
    /// the stored work and `work` have exactly one chapter, that chapter's
    /// title and text are replaced too; otherwise chapters are left alone.
    /// The updated date becomes `work.updated`. With an `editor`, only that
    /// account's pseuds on the byline are replaced (co-creators and bare
    /// names stay, and `work.creators` adds bare names). The work leaves
    /// the series `leave_series` (a series left empty is deleted) before it
    /// joins those `work` names, all in one transaction. False when no such
    /// work.
    pub fn update_work(
        &self,
        id: i64,
        work: &NewWork,
        editor: Option<i64>,
        leave_series: &[i64],
    ) -> Result<bool, StoreError> {
        let mut clean = work.clone();
        clean.sanitize_html();
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
            write_bylines_and_tags!(conn, id, work, now);
            for &series_id in leave_series {
                // Callers pass only series the work is in.
                let _was_in = crate::series::take_out_of_series!(conn, id, series_id);
            }
            place_work_in_series!(conn, id, work, now);
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
                    works::updated_on.eq(work.updated),
                    works::updated_at.eq(now),
                ))
                .execute(conn)?;
            refresh_counts!(conn, id);
            Ok(true)
        }))?)
    }

    /// Appends a chapter (sanitized) and moves the work's updated date.
    /// Returns the new chapter's id, or `None` when no such work.
    pub fn add_chapter(
        &self,
        work_id: i64,
        chapter: &NewChapter,
        today: chrono::NaiveDate,
    ) -> Result<Option<i64>, StoreError> {
        let mut chapter = chapter.clone();
        chapter.body = ficus_core::html::sanitize(&chapter.body);
        if chapter.body.trim().is_empty() {
            return Err(StoreError::InvalidWork(
                ficus_core::work::WorkError::EmptyChapter(0),
            ));
        }
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let exists: i64 = works::table
                .filter(works::id.eq(work_id))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Ok::<_, DieselError>(None);
            }
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
            refresh_counts!(conn, work_id);
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
        let body = ficus_core::html::sanitize(&chapter.body);
        if body.trim().is_empty() {
            return Err(StoreError::InvalidWork(
                ficus_core::work::WorkError::EmptyChapter(0),
            ));
        }
        let notes = chapter.notes.as_deref().map(ficus_core::html::sanitize);
        let end_notes = chapter.end_notes.as_deref().map(ficus_core::html::sanitize);
        let words = i64::try_from(ficus_core::wordcount::count_html(&body)).unwrap_or(i64::MAX);
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
                chapters::body.eq(&body),
                chapters::word_count.eq(words),
            ))
            .execute(conn)?;
            if n > 0 {
                refresh_counts!(conn, work_id);
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
            renumber!(conn, work_id, ordered);
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
            diesel::delete(chapters::table.find(chapter_id)).execute(conn)?;
            let rest: Vec<i64> = ids.into_iter().filter(|id| *id != chapter_id).collect();
            renumber!(conn, work_id, &rest);
            refresh_counts!(conn, work_id);
            Ok(true)
        }))?)
    }

    /// Posts a draft: it becomes visible, published and updated today.
    pub fn publish_work(&self, id: i64, today: chrono::NaiveDate) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        let n = with_conn!(self, |conn| diesel::update(
            works::table.find(id).filter(works::posted.eq(false))
        )
        .set((
            works::posted.eq(true),
            works::published_on.eq(today),
            works::updated_on.eq(today),
            works::updated_at.eq(now),
        ))
        .execute(conn)?);
        Ok(n > 0)
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

    /// Deletes a work with its chapters, bylines and taggings.
    pub fn delete_work(&self, id: i64) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| conn.write_transaction(|conn| {
            diesel::delete(taggings::table.filter(taggings::work_id.eq(id))).execute(conn)?;
            diesel::delete(work_creators::table.filter(work_creators::work_id.eq(id)))
                .execute(conn)?;
            diesel::delete(chapters::table.filter(chapters::work_id.eq(id))).execute(conn)?;
            diesel::delete(works::table.find(id)).execute(conn)
        })?);
        Ok(n > 0)
    }
}

impl Store {
    /// The `limit` most used tags of a type (for suggestions while typing).
    pub fn popular_tags(&self, kind: TagType, limit: i64) -> Result<Vec<String>, StoreError> {
        use diesel::dsl::count_star;
        Ok(with_conn!(self, |conn| tags::table
            .inner_join(taggings::table)
            .filter(tags::tag_type.eq(kind.as_str()))
            .group_by((tags::id, tags::name))
            .select(tags::name)
            .order(count_star().desc())
            .limit(limit)
            .load::<String>(conn)?))
    }
}

impl Store {
    /// Number of posted works (all visibilities).
    pub fn count_works(&self) -> Result<u64, StoreError> {
        let n: i64 = with_conn!(self, |conn| works::table.count().get_result(conn)?);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn tag_record(id: i64, kind: &str, name: String) -> Result<TagRecord, StoreError> {
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
        origin: WorkOrigin {
            source_path: row.source_path,
            source_url: row.source_url,
            content_hash: row.content_hash,
            text_encoding: row.text_encoding,
        },
        changed_at: row.updated_at.and_utc().timestamp(),
        created_at: row.created_at,
    }
}
