//! Reading bookmarks: one bookmark, and the listings — an account's, the
//! archive's latest, and an item's (a work's, a series', an external
//! work's) — each with its item as the viewer may see it. Listings filter
//! in SQL, so their totals are exact.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use ficus_core::access::Viewer;
use ficus_core::bookmarks::{self as rules, BOOKMARKS_PER_PAGE, BookmarkKind, ItemSight};

use super::BookmarkHelpers;
use super::external::ExternalWorkRecord;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{bookmarks, pseuds, users};
use crate::series::SeriesRecord;
use crate::{Found, Page, Store};

/// The bookmarked item, when the viewer sees it.
#[derive(Debug, Clone)]
pub enum BookmarkItem {
    Work(Box<WorkRecord>),
    Series(Box<SeriesRecord>),
    External(Box<ExternalWorkRecord>),
}

/// One bookmark as one viewer sees it.
#[derive(Debug, Clone)]
pub struct BookmarkRecord {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub pseud_id: i64,
    pub pseud: String,
    pub kind: BookmarkKind,
    /// The bookmarked item's id (`None`: it was deleted).
    pub item_id: Option<i64>,
    /// Sanitized HTML (empty: none).
    pub notes: String,
    /// The bookmarker's tags (id, name), in their order.
    pub tags: Vec<(i64, String)>,
    pub private: bool,
    pub rec: bool,
    pub hidden_by_admin: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What this viewer sees of the item.
    pub item: ItemSight,
    /// The work is for registered users and the viewer is a guest.
    pub log_in_to_see: bool,
    /// The item, when `item` is `Shown`.
    pub shown: Option<BookmarkItem>,
    /// The item's public bookmarks.
    pub item_bookmarks: i64,
}

impl BookmarkRecord {
    /// The bookmarked work's id (a bookmark of a work that still exists).
    pub fn work_id(&self) -> Option<i64> {
        (self.kind == BookmarkKind::Work)
            .then_some(self.item_id)
            .flatten()
    }

    /// The work, when the bookmark is of a work the viewer sees.
    pub fn work(&self) -> Option<&WorkRecord> {
        match &self.shown {
            Some(BookmarkItem::Work(w)) => Some(w),
            _ => None,
        }
    }

    /// The item's title as the viewer may see it ("a deleted work").
    pub fn item_title(&self) -> String {
        match (&self.shown, self.item) {
            (Some(BookmarkItem::Work(w)), _) => w.title.clone(),
            (Some(BookmarkItem::Series(s)), _) => s.title.clone(),
            (Some(BookmarkItem::External(e)), _) => e.title.clone(),
            (None, ItemSight::Deleted) => format!("a deleted {}", self.kind.noun()),
            (None, _) => format!("an unavailable {}", self.kind.noun()),
        }
    }

    /// The item's own page, when the viewer sees the item.
    pub fn item_href(&self) -> Option<String> {
        let id = self.item_id?;
        self.shown.as_ref().map(|_| match self.kind {
            BookmarkKind::Work => format!("/works/{id}"),
            BookmarkKind::Series => format!("/series/{id}"),
            BookmarkKind::ExternalWork => format!("/external_works/{id}"),
        })
    }
}

type BookmarkRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    bool,
    bool,
    bool,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
);

macro_rules! bookmark_columns {
    () => {
        (
            bookmarks::id,
            bookmarks::user_id,
            bookmarks::pseud_id,
            bookmarks::work_id,
            bookmarks::notes,
            bookmarks::private,
            bookmarks::rec,
            bookmarks::hidden_by_admin,
            bookmarks::created_at,
            bookmarks::updated_at,
            users::login,
            pseuds::name,
            bookmarks::kind,
            bookmarks::series_id,
            bookmarks::external_work_id,
        )
    };
}

/// A public bookmark as a bookmark listing shows it under its item.
#[derive(Debug, Clone)]
pub struct BookmarkLine {
    pub id: i64,
    pub login: String,
    pub pseud: String,
    pub rec: bool,
    /// Sanitized HTML (empty: none).
    pub notes: String,
    /// The bookmarker's tags (id, name), in their order.
    pub tags: Vec<(i64, String)>,
    pub created_at: NaiveDateTime,
}

/// Which bookmarks a listing holds.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// An account's; `owner`: the viewer is that account.
    User { id: i64, owner: bool },
    /// The archive's latest public bookmarks.
    Recent,
    /// One item's public bookmarks.
    Item(BookmarkKind, i64),
}

impl Store {
    /// One bookmark as `viewer` sees it: `NotFound` when they may not see
    /// it (a private bookmark not theirs, one of a deleted item not theirs,
    /// one an admin hid); `LogInFirst` for a guest when the work is for
    /// registered users (the work is never shown to them).
    pub fn bookmark(&self, id: i64, viewer: Viewer) -> Result<Found<BookmarkRecord>, StoreError> {
        let rows: Vec<BookmarkRow> = with_conn!(self, |conn| bookmarks::table
            .inner_join(users::table)
            .inner_join(pseuds::table)
            .filter(bookmarks::id.eq(id))
            .select(bookmark_columns!())
            .load(conn)?);
        let mut records = self.assemble_bookmarks(rows, viewer)?;
        let Some(record) = records.pop() else {
            return Ok(Found::NotFound);
        };
        if !rules::may_see_bookmark(
            viewer,
            record.user_id,
            record.private,
            record.hidden_by_admin,
            record.item,
        ) {
            return Ok(Found::NotFound);
        }
        if record.log_in_to_see {
            return Ok(Found::LogInFirst);
        }
        Ok(Found::Visible(record))
    }

    /// Page `page` of account `user_id`'s bookmarks, newest first, as
    /// `viewer` sees them: the owner all of theirs (private ones and those
    /// of deleted items too), everyone else the public ones of items that
    /// still exist (moderators also those an admin hid).
    pub fn user_bookmarks(
        &self,
        user_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Page<BookmarkRecord>, StoreError> {
        let owner = viewer.user_id() == Some(user_id);
        self.bookmark_page(Scope::User { id: user_id, owner }, viewer, page)
    }

    /// Page `page` of the archive's public bookmarks, newest first (AO3's
    /// `/bookmarks`): those of items that still exist, not private, not
    /// hidden by an admin (moderators see those too); an item the viewer
    /// may not see is a placeholder.
    pub fn recent_bookmarks(
        &self,
        viewer: Viewer,
        page: u32,
    ) -> Result<Page<BookmarkRecord>, StoreError> {
        self.bookmark_page(Scope::Recent, viewer, page)
    }

    /// Page `page` of a work's public bookmarks, newest first — when
    /// `viewer` may see the work.
    pub fn work_bookmarks(
        &self,
        work_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Found<(WorkRecord, Page<BookmarkRecord>)>, StoreError> {
        let work = match self.read_work(work_id, viewer, crate::ChapterChoice::NoText)? {
            Found::Visible(reading) => reading.work,
            Found::LogInFirst => return Ok(Found::LogInFirst),
            Found::NotFound => return Ok(Found::NotFound),
        };
        let listed = self.bookmark_page(Scope::Item(BookmarkKind::Work, work_id), viewer, page)?;
        Ok(Found::Visible((work, listed)))
    }

    /// Page `page` of a series' public bookmarks, newest first — when
    /// `viewer` may see the series.
    pub fn series_bookmarks(
        &self,
        series_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Option<(SeriesRecord, Page<BookmarkRecord>)>, StoreError> {
        let Some(series) = self.series(series_id, viewer)? else {
            return Ok(None);
        };
        let listed =
            self.bookmark_page(Scope::Item(BookmarkKind::Series, series_id), viewer, page)?;
        Ok(Some((series, listed)))
    }

    /// Page `page` of an external work's public bookmarks, newest first.
    pub fn external_work_bookmarks(
        &self,
        external_work_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Option<(ExternalWorkRecord, Page<BookmarkRecord>)>, StoreError> {
        let Some(work) = self.external_work(external_work_id)? else {
            return Ok(None);
        };
        let listed = self.bookmark_page(
            Scope::Item(BookmarkKind::ExternalWork, external_work_id),
            viewer,
            page,
        )?;
        Ok(Some((work, listed)))
    }

    /// The newest `per_work` public bookmarks of each of `work_ids` (the
    /// works a bookmark listing shows; moderators see those an admin hid
    /// too), newest first.
    pub fn bookmarks_under_works(
        &self,
        work_ids: &[i64],
        viewer: Viewer,
        per_work: i64,
    ) -> Result<HashMap<i64, Vec<BookmarkLine>>, StoreError> {
        let moderator = viewer.moderates();
        type Row = (i64, i64, String, String, bool, String, NaiveDateTime);
        let mut rows: Vec<Row> = Vec::new();
        for &work in work_ids {
            let some: Vec<Row> = with_conn!(self, |conn| bookmarks::table
                .inner_join(users::table)
                .inner_join(pseuds::table)
                .filter(bookmarks::work_id.eq(work))
                .filter(bookmarks::private.eq(false))
                .filter(
                    bookmarks::hidden_by_admin
                        .eq(false)
                        .or(moderator.into_sql::<Bool>()),
                )
                .order((bookmarks::created_at.desc(), bookmarks::id.desc()))
                .limit(per_work)
                .select((
                    bookmarks::id,
                    work.into_sql::<diesel::sql_types::BigInt>(),
                    users::login,
                    pseuds::name,
                    bookmarks::rec,
                    bookmarks::notes,
                    bookmarks::created_at,
                ))
                .load(conn)?);
            rows.extend(some);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let tag_rows = with_conn!(self, |conn| conn.bookmark_tag_rows(&ids)?);
        let mut out: HashMap<i64, Vec<BookmarkLine>> = HashMap::new();
        for (id, work, login, pseud, rec, notes, created_at) in rows {
            out.entry(work).or_default().push(BookmarkLine {
                id,
                login,
                pseud,
                rec,
                notes,
                tags: tag_rows
                    .iter()
                    .filter(|t| t.0 == id)
                    .map(|t| (t.1, t.2.clone()))
                    .collect(),
                created_at,
            });
        }
        Ok(out)
    }

    /// The public bookmarks of each of these items of one kind (absent:
    /// none).
    pub fn public_bookmark_counts(
        &self,
        kind: BookmarkKind,
        ids: &[i64],
    ) -> Result<HashMap<i64, i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Option<i64>, i64)> = with_conn!(self, |conn| {
            let public = bookmarks::table
                .filter(bookmarks::private.eq(false))
                .filter(bookmarks::hidden_by_admin.eq(false));
            match kind {
                BookmarkKind::Work => public
                    .filter(bookmarks::work_id.eq_any(ids))
                    .group_by(bookmarks::work_id)
                    .select((bookmarks::work_id, count_star()))
                    .load(conn)?,
                BookmarkKind::Series => public
                    .filter(bookmarks::series_id.eq_any(ids))
                    .group_by(bookmarks::series_id)
                    .select((bookmarks::series_id, count_star()))
                    .load(conn)?,
                BookmarkKind::ExternalWork => public
                    .filter(bookmarks::external_work_id.eq_any(ids))
                    .group_by(bookmarks::external_work_id)
                    .select((bookmarks::external_work_id, count_star()))
                    .load(conn)?,
            }
        });
        Ok(rows
            .into_iter()
            .filter_map(|(id, n)| id.map(|id| (id, n)))
            .collect())
    }

    /// One page of a listing, newest first, with its exact total.
    fn bookmark_page(
        &self,
        scope: Scope,
        viewer: Viewer,
        page: u32,
    ) -> Result<Page<BookmarkRecord>, StoreError> {
        let page = page.max(1);
        let per_page = BOOKMARKS_PER_PAGE;
        let moderator = viewer.moderates();
        macro_rules! listed {
            () => {{
                let q = bookmarks::table
                    .inner_join(users::table)
                    .inner_join(pseuds::table)
                    .into_boxed();
                let public = bookmarks::private.eq(false).and(
                    bookmarks::hidden_by_admin
                        .eq(false)
                        .or(moderator.into_sql::<Bool>()),
                );
                let item_exists = bookmarks::work_id
                    .is_not_null()
                    .or(bookmarks::series_id.is_not_null())
                    .or(bookmarks::external_work_id.is_not_null());
                match scope {
                    Scope::User { id, owner } => q
                        .filter(bookmarks::user_id.eq(id))
                        .filter(owner.into_sql::<Bool>().or(public.and(item_exists))),
                    Scope::Recent => q.filter(public.and(item_exists)),
                    Scope::Item(BookmarkKind::Work, id) => {
                        q.filter(bookmarks::work_id.eq(id)).filter(public)
                    }
                    Scope::Item(BookmarkKind::Series, id) => {
                        q.filter(bookmarks::series_id.eq(id)).filter(public)
                    }
                    Scope::Item(BookmarkKind::ExternalWork, id) => {
                        q.filter(bookmarks::external_work_id.eq(id)).filter(public)
                    }
                }
            }};
        }
        let (total, rows): (i64, Vec<BookmarkRow>) = with_conn!(self, |conn| {
            let total: i64 = listed!().count().get_result(conn)?;
            let rows = listed!()
                .order((bookmarks::created_at.desc(), bookmarks::id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select(bookmark_columns!())
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        Ok(Page {
            items: self.assemble_bookmarks(rows, viewer)?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    /// Rows → records: their tags, and each item as `viewer` may see it.
    fn assemble_bookmarks(
        &self,
        rows: Vec<BookmarkRow>,
        viewer: Viewer,
    ) -> Result<Vec<BookmarkRecord>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let tag_rows = with_conn!(self, |conn| conn.bookmark_tag_rows(&ids)?);
        let of_kind = |kind: BookmarkKind| -> Vec<i64> {
            let mut ids: Vec<i64> = rows
                .iter()
                .filter(|r| BookmarkKind::parse(&r.12) == Some(kind))
                .filter_map(|r| match kind {
                    BookmarkKind::Work => r.3,
                    BookmarkKind::Series => r.13,
                    BookmarkKind::ExternalWork => r.14,
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let work_ids = of_kind(BookmarkKind::Work);
        let series_ids = of_kind(BookmarkKind::Series);
        let external_ids = of_kind(BookmarkKind::ExternalWork);
        let works = self.works_by_ids(&work_ids)?;
        // A series is seen through its works, as its own page decides
        // (a page holds at most 20 bookmarks).
        let mut series: HashMap<i64, SeriesRecord> = HashMap::new();
        for id in &series_ids {
            if let Some(s) = self.series(*id, viewer)? {
                series.insert(*id, s);
            }
        }
        let externals = self.external_works_by_ids(&external_ids)?;
        let series_counts = self.public_bookmark_counts(BookmarkKind::Series, &series_ids)?;
        let external_counts =
            self.public_bookmark_counts(BookmarkKind::ExternalWork, &external_ids)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let kind = BookmarkKind::parse(&r.12).ok_or_else(|| {
                StoreError::Corrupt(format!("bookmark {} has unknown kind {:?}", r.0, r.12))
            })?;
            let item_id = match kind {
                BookmarkKind::Work => r.3,
                BookmarkKind::Series => r.13,
                BookmarkKind::ExternalWork => r.14,
            };
            let mut log_in_to_see = false;
            let (item, shown, item_bookmarks) = match kind {
                BookmarkKind::Work => {
                    let work = item_id.and_then(|w| works.iter().find(|x| x.id == w));
                    let item = rules::item_sight(viewer, work.map(WorkRecord::access).as_ref());
                    log_in_to_see =
                        work.is_some_and(|w| viewer.must_log_in(&w.access()) && !w.hidden);
                    let shown = (item == ItemSight::Shown)
                        .then(|| work.map(|w| BookmarkItem::Work(Box::new(w.clone()))))
                        .flatten();
                    (item, shown, work.map_or(0, |w| w.stats.bookmarks))
                }
                BookmarkKind::Series => {
                    // A deleted series leaves its bookmarks' series_id
                    // empty; one that exists but is not seen is unavailable.
                    let found = item_id.and_then(|s| series.get(&s));
                    let item = rules::series_sight(item_id.map(|_| found.is_some()));
                    let shown = found.map(|s| BookmarkItem::Series(Box::new(s.clone())));
                    let count = item_id
                        .and_then(|s| series_counts.get(&s).copied())
                        .unwrap_or(0);
                    (item, shown, count)
                }
                BookmarkKind::ExternalWork => {
                    let found = item_id.and_then(|e| externals.get(&e));
                    let item = if found.is_some() {
                        ItemSight::Shown
                    } else {
                        ItemSight::Deleted
                    };
                    let shown = found.map(|e| BookmarkItem::External(Box::new(e.clone())));
                    let count = item_id
                        .and_then(|e| external_counts.get(&e).copied())
                        .unwrap_or(0);
                    (item, shown, count)
                }
            };
            out.push(BookmarkRecord {
                id: r.0,
                user_id: r.1,
                pseud_id: r.2,
                kind,
                item_id,
                notes: r.4,
                private: r.5,
                rec: r.6,
                hidden_by_admin: r.7,
                created_at: r.8,
                updated_at: r.9,
                login: r.10,
                pseud: r.11,
                tags: tag_rows
                    .iter()
                    .filter(|t| t.0 == r.0)
                    .map(|t| (t.1, t.2.clone()))
                    .collect(),
                item,
                log_in_to_see,
                shown,
                item_bookmarks,
            });
        }
        Ok(out)
    }
}
