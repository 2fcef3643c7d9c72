//! An account's own relation to a work, as the work page shows it: read
//! on one connection for every page an account reads, since a shared
//! (kept) page is filled in with it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::bookmarks::BookmarkKind;

use crate::Store;
use crate::accounts::{SessionHelpers, UserRecord};
use crate::bookmarks::BookmarkHelpers;
use crate::error::StoreError;
use crate::schema::{
    blocked_users, comments, creators, pseuds, readings, subscriptions, work_creators,
};
use crate::subscriptions::SubscriptionKind;

/// What the work page shows an account of its own relation to a work,
/// and what decides whether it shares the page of the work's plain
/// readers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderOfWork {
    /// The account is on the work's byline.
    pub owner: bool,
    /// One of the work's creators has blocked the account.
    pub blocked: bool,
    /// It sees the work's comments as any other plain account does: no
    /// blocks either way and no comment of its own on the work (its own
    /// comments carry its actions; held ones show to it only). The caller
    /// checks the role and ownership.
    pub plain_comments: bool,
    /// Its bookmark of the work.
    pub bookmark: Option<i64>,
    /// It marked the work for later.
    pub marked: bool,
    /// Its subscription to the work.
    pub subscription: Option<i64>,
    /// Its pseuds (id, name), the default first.
    pub pseuds: Vec<(i64, String)>,
}

/// Typed helpers on a connection of either backend.
pub(crate) trait ReaderHelpers {
    /// See [`Store::reader_of_work`].
    fn reader_of_work_on(&mut self, user_id: i64, work_id: i64) -> QueryResult<ReaderOfWork>;
}

impl_for_both_backends! {
    impl ReaderHelpers {
        fn reader_of_work_on(&mut self, user_id: i64, work_id: i64) -> QueryResult<ReaderOfWork> {
            let owners: Vec<i64> = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(work_creators::work_id.eq(work_id))
                .select(pseuds::user_id)
                .load(self)?;
            // A block by one of its creators (one or two: each found by key,
            // a statement that stays prepared); any block either way.
            let mut blocked = false;
            for owner in &owners {
                blocked |= blocked_users::table
                    .find((*owner, user_id))
                    .select(blocked_users::user_id)
                    .first::<i64>(self)
                    .optional()?
                    .is_some();
            }
            let any_block = blocked_users::table
                .filter(
                    blocked_users::user_id
                        .eq(user_id)
                        .or(blocked_users::other_id.eq(user_id)),
                )
                .select(blocked_users::user_id)
                .first::<i64>(self)
                .optional()?
                .is_some();
            let own_comment: Option<i64> = comments::table
                .filter(comments::user_id.eq(user_id))
                .filter(comments::work_id.eq(work_id))
                .select(comments::id)
                .first(self)
                .optional()?;
            let marked: Option<bool> = readings::table
                .find((user_id, work_id))
                .select(readings::to_read)
                .first(self)
                .optional()?;
            let subscription: Option<i64> = subscriptions::table
                .filter(subscriptions::user_id.eq(user_id))
                .filter(subscriptions::kind.eq(SubscriptionKind::Work.as_str()))
                .filter(subscriptions::target_id.eq(work_id))
                .select(subscriptions::id)
                .first(self)
                .optional()?;
            let pseuds: Vec<(i64, String)> = pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .order((pseuds::is_default.desc(), pseuds::id.asc()))
                .select((pseuds::id, pseuds::name))
                .load(self)?;
            Ok(ReaderOfWork {
                owner: owners.contains(&user_id),
                blocked,
                plain_comments: !any_block && own_comment.is_none(),
                bookmark: self.bookmark_of_item(user_id, BookmarkKind::Work, work_id)?,
                marked: marked.unwrap_or(false),
                subscription,
                pseuds,
            })
        }
    }
}

impl Store {
    /// `user_id`'s relation to `work_id` (see [`ReaderOfWork`]), read on
    /// one connection.
    pub fn reader_of_work(&self, user_id: i64, work_id: i64) -> Result<ReaderOfWork, StoreError> {
        Ok(with_conn!(self, |conn| conn.reader_of_work_on(user_id, work_id)?))
    }

    /// The account of the session with this token hash (as
    /// [`Store::session_user`]) and its relation to `work_id`: what a work
    /// page asks first, on one connection (on SQLite in one read
    /// transaction, so one snapshot and one lock of the log).
    pub fn session_reader_of_work(
        &self,
        token_hash: &str,
        now: NaiveDateTime,
        work_id: i64,
    ) -> Result<(Option<UserRecord>, Option<ReaderOfWork>), StoreError> {
        fn both<C: ReaderHelpers + SessionHelpers>(
            conn: &mut C,
            token_hash: &str,
            now: NaiveDateTime,
            work_id: i64,
        ) -> QueryResult<(Option<UserRecord>, Option<ReaderOfWork>)> {
            let Some(user) = conn.session_user_on(token_hash, now)? else {
                return Ok((None, None));
            };
            let reader = conn.reader_of_work_on(user.id, work_id)?;
            Ok((Some(user), Some(reader)))
        }
        Ok(match &*self.pools {
            crate::conn::Pools::Sqlite(pool) => {
                let mut pooled = pool.get()?;
                let conn: &mut diesel::sqlite::SqliteConnection = &mut pooled;
                conn.transaction(|conn| both(conn, token_hash, now, work_id))?
            }
            crate::conn::Pools::Postgres(pool) => {
                let mut pooled = pool.get()?;
                let conn: &mut diesel::pg::PgConnection = &mut pooled;
                both(conn, token_hash, now, work_id)?
            }
        })
    }
}
