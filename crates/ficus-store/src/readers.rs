//! An account's own relation to a work, as the work page shows it: read
//! on one connection for every page an account reads, since a shared
//! (kept) page is filled in with it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::Store;
use crate::accounts::{SessionHelpers, UserRecord};
use crate::error::StoreError;
use crate::schema::{
    blocked_users, bookmarks, comments, creators, pseuds, readings, subscriptions, work_creators,
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
            use diesel::dsl::exists;
            // One statement of fixed shape (prepared once): each part a
            // subquery on the reader's and the work's ids.
            let on_byline = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(work_creators::work_id.eq(work_id))
                .filter(pseuds::user_id.eq(user_id))
                .select(work_creators::work_id);
            // A block of the reader by one of the work's creators.
            let blocked_by_creator = blocked_users::table
                .inner_join(pseuds::table.on(pseuds::user_id.eq(blocked_users::user_id)))
                .inner_join(creators::table.on(creators::pseud_id.eq(pseuds::id.nullable())))
                .inner_join(work_creators::table.on(work_creators::creator_id.eq(creators::id)))
                .filter(work_creators::work_id.eq(work_id))
                .filter(blocked_users::other_id.eq(user_id))
                .select(blocked_users::user_id);
            let any_block = blocked_users::table
                .filter(
                    blocked_users::user_id
                        .eq(user_id)
                        .or(blocked_users::other_id.eq(user_id)),
                )
                .select(blocked_users::user_id);
            let own_comment = comments::table
                .filter(comments::user_id.eq(user_id))
                .filter(comments::work_id.eq(work_id))
                .select(comments::id);
            let marked = readings::table
                .filter(readings::user_id.eq(user_id))
                .filter(readings::work_id.eq(work_id))
                .select(readings::to_read);
            let subscription = subscriptions::table
                .filter(subscriptions::user_id.eq(user_id))
                .filter(subscriptions::kind.eq(SubscriptionKind::Work.as_str()))
                .filter(subscriptions::target_id.eq(work_id))
                .select(subscriptions::id);
            // `work_id` is set on work bookmarks only.
            let bookmark = bookmarks::table
                .filter(bookmarks::user_id.eq(user_id))
                .filter(bookmarks::work_id.eq(work_id))
                .select(bookmarks::id);
            let (owner, blocked, any_block, own_comment, marked, subscription, bookmark): (
                bool,
                bool,
                bool,
                bool,
                Option<bool>,
                Option<i64>,
                Option<i64>,
            ) = diesel::select((
                exists(on_byline),
                exists(blocked_by_creator),
                exists(any_block),
                exists(own_comment),
                marked.single_value(),
                subscription.single_value(),
                bookmark.single_value(),
            ))
            .get_result(self)?;
            let pseuds: Vec<(i64, String)> = pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .order((pseuds::is_default.desc(), pseuds::id.asc()))
                .select((pseuds::id, pseuds::name))
                .load(self)?;
            Ok(ReaderOfWork {
                owner,
                blocked,
                plain_comments: !any_block && !own_comment,
                bookmark,
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
    /// page asks first, in three statements on one connection (on SQLite
    /// in one read transaction: one snapshot).
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
