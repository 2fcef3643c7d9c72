//! Series: ordered lists of works. A series made on the archive belongs to
//! the account that made it; a series named by an imported download
//! belongs to nobody and is found again by its title.
//!
//! A series is visible when at least one of its works is visible to the
//! viewer (or the viewer owns it); its works are listed only as far as the
//! viewer may see them.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use ficus_core::access::Viewer;
use serde::Serialize;

use crate::conn::WriteTransaction;
use crate::records::WorkRecord;
use crate::schema::{serial_works, series, work_creators};
use crate::{Store, StoreError};

pub use ficus_core::work::MAX_SERIES_TITLE_CHARS;

/// A work's place in one series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPlace {
    pub series_id: i64,
    pub title: String,
    /// 1-based position of the work in the series.
    pub position: i32,
}

/// A series with the works a viewer may see, in order.
#[derive(Debug, Clone)]
pub struct SeriesRecord {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub complete: bool,
    /// The account that made it (`None` for imported series).
    pub owner: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// (position, work) in series order, only works the viewer may see.
    pub works: Vec<(i32, WorkRecord)>,
}

impl SeriesRecord {
    /// Creator names over its listed works, in first-seen order.
    pub fn creators(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, w) in &self.works {
            for c in &w.creators {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        out
    }

    /// Total words of its listed works.
    pub fn word_count(&self) -> i64 {
        self.works.iter().map(|(_, w)| w.word_count).sum()
    }
}

/// What a series' owner may change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeriesEdit {
    pub title: String,
    /// HTML (sanitized on the way in).
    pub summary: Option<String>,
    /// HTML (sanitized on the way in).
    pub notes: Option<String>,
    pub complete: bool,
}

/// Checks and trims a series title.
pub fn series_title(raw: &str) -> Result<String, StoreError> {
    let title = ficus_core::text::clean_line(raw);
    let title = title.trim();
    let n = title.chars().count();
    if n == 0 {
        return Err(StoreError::Invalid("a series needs a title".into()));
    }
    if n > MAX_SERIES_TITLE_CHARS {
        return Err(StoreError::Invalid(format!(
            "the series title is {n} characters long; the limit is {MAX_SERIES_TITLE_CHARS}"
        )));
    }
    Ok(title.to_string())
}

/// Series helpers on a connection of either backend (inside the
/// caller's write transaction).
pub(crate) trait SeriesHelpers {
    /// Puts `work_id` into the series titled `title` that `owner` holds
    /// (or, for `None`, the ownerless series of that title by one of the
    /// work's byline entries — its creators must be stored first), making
    /// the series when there is none, at `position` (0 = at the end).
    /// Nothing happens when the work is already in it. Returns the series
    /// id.
    fn place_in_series(
        &mut self,
        work_id: i64,
        owner: Option<i64>,
        title: &str,
        position: i32,
        now: NaiveDateTime,
    ) -> QueryResult<i64>;

    /// Takes `work_id` out of series `series_id`, deleting the series when
    /// it is left empty; returns whether the work was in it.
    fn take_out_of_series(&mut self, work_id: i64, series_id: i64) -> QueryResult<bool>;
}

impl_for_both_backends! {
    impl SeriesHelpers {
        fn place_in_series(
            &mut self,
            work_id: i64,
            owner: Option<i64>,
            title: &str,
            position: i32,
            now: NaiveDateTime,
        ) -> QueryResult<i64> {
            let mut found = series::table
                .filter(series::title.eq(title))
                .select(series::id)
                .order(series::id.asc())
                .into_boxed();
            found = match owner {
                Some(o) => found.filter(series::user_id.eq(o)),
                // An imported series is one creator's: the ownerless series
                // of that title holding a work that shares a byline entry
                // with this one (two writers' "Drabbles" stay apart).
                None => {
                    let bylines: Vec<i64> = work_creators::table
                        .filter(work_creators::work_id.eq(work_id))
                        .select(work_creators::creator_id)
                        .load(self)?;
                    found.filter(series::user_id.is_null()).filter(
                        series::id.eq_any(
                            serial_works::table
                                .filter(
                                    serial_works::work_id.eq_any(
                                        work_creators::table
                                            .filter(work_creators::creator_id.eq_any(bylines))
                                            .select(work_creators::work_id),
                                    ),
                                )
                                .select(serial_works::series_id),
                        ),
                    )
                }
            };
            let existing: Option<i64> = found.first(self).optional()?;
            let series_id: i64 = match existing {
                Some(id) => id,
                None => diesel::insert_into(series::table)
                    .values((
                        series::user_id.eq(owner),
                        series::title.eq(title),
                        series::complete.eq(false),
                        series::created_at.eq(now),
                        series::updated_at.eq(now),
                    ))
                    .returning(series::id)
                    .get_result(self)?,
            };
            let already: i64 = serial_works::table
                .filter(serial_works::series_id.eq(series_id))
                .filter(serial_works::work_id.eq(work_id))
                .count()
                .get_result(self)?;
            let joined: i64 = serial_works::table
                .filter(serial_works::work_id.eq(work_id))
                .count()
                .get_result(self)?;
            // The forms and the API refuse a work's 21st series with a
            // message; this keeps the limit whoever calls.
            if already == 0 && joined < ficus_core::work::MAX_SERIES as i64 {
                let position = if position > 0 {
                    position
                } else {
                    let last: Option<i32> = serial_works::table
                        .filter(serial_works::series_id.eq(series_id))
                        .select(diesel::dsl::max(serial_works::position))
                        .first(self)?;
                    last.unwrap_or(0).saturating_add(1)
                };
                diesel::insert_into(serial_works::table)
                    .values((
                        serial_works::series_id.eq(series_id),
                        serial_works::work_id.eq(work_id),
                        serial_works::position.eq(position),
                    ))
                    .execute(self)?;
                diesel::update(series::table.find(series_id))
                    .set(series::updated_at.eq(now))
                    .execute(self)?;
            }
            Ok(series_id)
        }

        fn take_out_of_series(&mut self, work_id: i64, series_id: i64) -> QueryResult<bool> {
            let n = diesel::delete(
                serial_works::table
                    .filter(serial_works::series_id.eq(series_id))
                    .filter(serial_works::work_id.eq(work_id)),
            )
            .execute(self)?;
            let left: i64 = serial_works::table
                .filter(serial_works::series_id.eq(series_id))
                .count()
                .get_result(self)?;
            if left == 0 {
                diesel::delete(series::table.find(series_id)).execute(self)?;
            }
            Ok(n > 0)
        }
    }
}

impl Store {
    /// The series each of `work_ids` is in, by work id, each list in
    /// series-title order.
    pub fn series_of_works(
        &self,
        work_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<SeriesPlace>>, StoreError> {
        let mut out: std::collections::HashMap<i64, Vec<SeriesPlace>> =
            std::collections::HashMap::new();
        if work_ids.is_empty() {
            return Ok(out);
        }
        let rows: Vec<(i64, i64, String, i32)> = with_conn!(self, |conn| serial_works::table
            .inner_join(series::table)
            .filter(serial_works::work_id.eq_any(work_ids))
            .order((series::title.asc(), series::id.asc()))
            .select((
                serial_works::work_id,
                series::id,
                series::title,
                serial_works::position,
            ))
            .load(conn)?);
        for (work_id, series_id, title, position) in rows {
            out.entry(work_id).or_default().push(SeriesPlace {
                series_id,
                title,
                position,
            });
        }
        Ok(out)
    }

    /// One series as `viewer` sees it: `None` when it does not exist, or
    /// when none of its works is visible to them and it is not theirs.
    pub fn series(&self, id: i64, viewer: Viewer) -> Result<Option<SeriesRecord>, StoreError> {
        type Row = (
            i64,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
            bool,
            NaiveDateTime,
            NaiveDateTime,
        );
        let (row, members): (Option<Row>, Vec<(i64, i32)>) = with_conn!(self, |conn| {
            let row: Option<Row> = series::table
                .find(id)
                .select((
                    series::id,
                    series::user_id,
                    series::title,
                    series::summary,
                    series::notes,
                    series::complete,
                    series::created_at,
                    series::updated_at,
                ))
                .first(conn)
                .optional()?;
            let members: Vec<(i64, i32)> = serial_works::table
                .filter(serial_works::series_id.eq(id))
                .order((serial_works::position.asc(), serial_works::work_id.asc()))
                .select((serial_works::work_id, serial_works::position))
                .load(conn)?;
            (row, members)
        });
        let Some((id, owner, title, summary, notes, complete, created_at, updated_at)) = row else {
            return Ok(None);
        };
        let ids: Vec<i64> = members.iter().map(|(w, _)| *w).collect();
        let mut works: Vec<(i32, WorkRecord)> = Vec::new();
        for w in self.works_by_ids(&ids)? {
            // An anonymous work is not shown beside its creator's named
            // works (its own creators still see it in their series).
            if w.anonymous && !viewer.owns(&w.access()) {
                continue;
            }
            if viewer.may_see(&w.access())
                && let Some((_, position)) = members.iter().find(|(id, _)| *id == w.id)
            {
                works.push((*position, w));
            }
        }
        works.sort_by_key(|(p, w)| (*p, w.id));
        let owns = owner.is_some() && owner == viewer.user_id();
        if works.is_empty() && !owns {
            return Ok(None);
        }
        Ok(Some(SeriesRecord {
            id,
            title,
            summary,
            notes,
            complete,
            owner,
            created_at,
            updated_at,
            works,
        }))
    }

    /// Changes a series' title, description, notes and completion. Only
    /// its owner may (false otherwise, or when there is no such series);
    /// the description and notes are sanitized here, like every stored
    /// HTML field. Two series of one owner may not share a title.
    pub fn update_series(
        &self,
        id: i64,
        owner: i64,
        edit: &SeriesEdit,
    ) -> Result<bool, StoreError> {
        let title = series_title(&edit.title)?;
        let rich = |html: &Option<String>| {
            html.as_deref()
                .map(ficus_core::html::sanitize)
                .filter(|s| !s.trim().is_empty())
        };
        let (summary, notes) = (rich(&edit.summary), rich(&edit.notes));
        let now = Utc::now().naive_utc();
        let outcome: Result<bool, String> =
            with_conn!(self, |conn| conn.write_transaction(|conn| {
                let mine: i64 = series::table
                    .filter(series::id.eq(id))
                    .filter(series::user_id.eq(owner))
                    .count()
                    .get_result(conn)?;
                if mine == 0 {
                    return Ok::<_, DieselError>(Ok(false));
                }
                let clash: i64 = series::table
                    .filter(series::user_id.eq(owner))
                    .filter(series::title.eq(&title))
                    .filter(series::id.ne(id))
                    .count()
                    .get_result(conn)?;
                if clash > 0 {
                    return Ok(Err(format!("you already have a series titled {title:?}")));
                }
                diesel::update(series::table.find(id))
                    .set((
                        series::title.eq(&title),
                        series::summary.eq(summary.as_deref()),
                        series::notes.eq(notes.as_deref()),
                        series::complete.eq(edit.complete),
                        series::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Ok(true))
            })?);
        outcome.map_err(StoreError::Invalid)
    }

    /// Takes a work out of a series; a series left empty is deleted.
    /// False when the work was not in it.
    pub fn remove_from_series(&self, work_id: i64, series_id: i64) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let was_in = conn.take_out_of_series(work_id, series_id)?;
            Ok::<_, DieselError>(was_in)
        })?))
    }
}
