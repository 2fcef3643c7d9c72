//! Reading history and Mark for Later (`readings`: one row per account
//! and work). Views arrive in batches from the web nodes
//! ([`Store::record_readings`], like hits: no write on the page's path);
//! marking for later is the reader's own action, written at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use ficus_core::access::Viewer;
use ficus_core::bookmarks::{ItemSight, item_sight};

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{readings, users, works};
use crate::{Found, Page, Store};

/// Readings on a page of the history.
pub const READINGS_PER_PAGE: u32 = 20;

/// Views of one work by one account since the last flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadingVisit {
    pub user_id: i64,
    pub work_id: i64,
    /// The last view.
    pub at: NaiveDateTime,
    pub views: i64,
    /// The work's `updated_at` as the reader saw it (the newest of the
    /// views).
    pub version: NaiveDateTime,
}

/// One entry of a reading history.
#[derive(Debug, Clone)]
pub struct ReadingRecord {
    pub work_id: i64,
    pub last_viewed: NaiveDateTime,
    pub view_count: i64,
    pub to_read: bool,
    /// The work changed since it was last read.
    pub update_available: bool,
    /// What the reader sees of the work now.
    pub item: ItemSight,
    pub work: Option<WorkRecord>,
}

impl Store {
    /// Records a batch of views, one transaction; views of accounts that
    /// turned their history off, or cleared it after the view, are
    /// dropped. A view older than the one stored (another node's batch,
    /// late) moves neither the last view nor the version read back.
    /// Returns the rows written.
    pub fn record_readings(&self, visits: &[ReadingVisit]) -> Result<usize, StoreError> {
        if visits.is_empty() {
            return Ok(0);
        }
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mut written = 0;
            for v in visits {
                let account: Option<(bool, Option<NaiveDateTime>)> = users::table
                    .find(v.user_id)
                    .select((users::pref_history, users::history_cleared_at))
                    .first(conn)
                    .optional()?;
                let work: Option<i64> = works::table
                    .find(v.work_id)
                    .select(works::id)
                    .first(conn)
                    .optional()?;
                let (Some((true, cleared)), Some(_)) = (account, work) else {
                    continue;
                };
                if cleared.is_some_and(|c| v.at <= c) {
                    continue;
                }
                let stored: Option<(NaiveDateTime, Option<NaiveDateTime>)> = readings::table
                    .find((v.user_id, v.work_id))
                    .select((readings::last_viewed, readings::read_version))
                    .first(conn)
                    .optional()?;
                let (last, version) = match stored {
                    Some((last, version)) => (
                        last.max(v.at),
                        version.map_or(v.version, |old| old.max(v.version)),
                    ),
                    None => (v.at, v.version),
                };
                written += diesel::insert_into(readings::table)
                    .values((
                        readings::user_id.eq(v.user_id),
                        readings::work_id.eq(v.work_id),
                        readings::last_viewed.eq(last),
                        readings::view_count.eq(v.views),
                        readings::read_version.eq(version),
                    ))
                    .on_conflict((readings::user_id, readings::work_id))
                    .do_update()
                    .set((
                        readings::last_viewed.eq(last),
                        readings::view_count.eq(readings::view_count + v.views),
                        readings::read_version.eq(version),
                    ))
                    .execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(written)
        }))?)
    }

    /// Marks work `work_id` for later (`to_read`) or as read, for an
    /// account that may see it; `NotFound` otherwise.
    pub fn mark_for_later(
        &self,
        viewer: Viewer,
        work_id: i64,
        to_read: bool,
        now: NaiveDateTime,
    ) -> Result<Found<()>, StoreError> {
        let Some(user_id) = viewer.user_id() else {
            return Ok(Found::NotFound);
        };
        let Some(work) = self.work(work_id, viewer)? else {
            return Ok(Found::NotFound);
        };
        if !work.posted {
            return Ok(Found::NotFound);
        }
        with_conn!(self, |conn| diesel::insert_into(readings::table)
            .values((
                readings::user_id.eq(user_id),
                readings::work_id.eq(work_id),
                readings::last_viewed.eq(now),
                readings::view_count.eq(0),
                readings::to_read.eq(to_read),
            ))
            .on_conflict((readings::user_id, readings::work_id))
            .do_update()
            .set(readings::to_read.eq(to_read))
            .execute(conn)?);
        Ok(Found::Visible(()))
    }

    /// Whether the account marked the work for later (`None`: no entry).
    pub fn reading_of(&self, user_id: i64, work_id: i64) -> Result<Option<bool>, StoreError> {
        Ok(with_conn!(self, |conn| readings::table
            .find((user_id, work_id))
            .select(readings::to_read)
            .first(conn)
            .optional())?)
    }

    /// Page `page` of an account's history, last read first (only what is
    /// marked for later with `to_read_only`), as the account sees the
    /// works now (a placeholder for one it may no longer see).
    pub fn readings(
        &self,
        user_id: i64,
        viewer: Viewer,
        to_read_only: bool,
        page: u32,
    ) -> Result<Page<ReadingRecord>, StoreError> {
        let page = page.max(1);
        let per_page = READINGS_PER_PAGE;
        macro_rules! shown {
            () => {
                readings::table
                    .filter(readings::user_id.eq(user_id))
                    .filter(
                        readings::to_read
                            .eq(true)
                            .or((!to_read_only).into_sql::<Bool>()),
                    )
            };
        }
        type Row = (i64, NaiveDateTime, i64, Option<NaiveDateTime>, bool);
        let (total, rows): (i64, Vec<Row>) = with_conn!(self, |conn| {
            let total: i64 = shown!().count().get_result(conn)?;
            let rows = shown!()
                .order((readings::last_viewed.desc(), readings::work_id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select((
                    readings::work_id,
                    readings::last_viewed,
                    readings::view_count,
                    readings::read_version,
                    readings::to_read,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let works = self.works_by_ids(&ids)?;
        let items = rows
            .into_iter()
            .map(|(work_id, last_viewed, view_count, version, to_read)| {
                let work = works.iter().find(|w| w.id == work_id);
                let item = item_sight(viewer, work.map(WorkRecord::access).as_ref());
                // Only of a work the reader still sees (a placeholder says
                // nothing about the work).
                let update_available = match (work, version) {
                    (Some(w), Some(v)) if item == ItemSight::Shown => {
                        w.changed_at > v.and_utc().timestamp()
                    }
                    _ => false,
                };
                ReadingRecord {
                    work_id,
                    last_viewed,
                    view_count,
                    to_read,
                    update_available,
                    item,
                    work: (item == ItemSight::Shown).then(|| work.cloned()).flatten(),
                }
            })
            .collect();
        Ok(Page {
            items,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    /// Takes one work out of an account's history; false when it was not
    /// there.
    pub fn delete_reading(&self, user_id: i64, work_id: i64) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| diesel::delete(
            readings::table.find((user_id, work_id))
        )
        .execute(conn)?);
        Ok(n > 0)
    }

    /// Clears an account's history (what is marked for later too), at
    /// `now`: views from before it still held by a web node are dropped
    /// when they arrive.
    pub fn clear_readings(&self, user_id: i64, now: NaiveDateTime) -> Result<usize, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            diesel::update(users::table.find(user_id))
                .set(users::history_cleared_at.eq(now))
                .execute(conn)?;
            diesel::delete(readings::table.filter(readings::user_id.eq(user_id))).execute(conn)
        }))?)
    }
}
