//! Inboxes: comments on your works and replies to your comments, one row
//! per recipient, delivered in the transaction that stores (or approves)
//! the comment. Reading an inbox leaves out what its owner may not or
//! need not see — deleted, hidden and spam comments, comments on hidden
//! works, comments by accounts they blocked — in SQL, so its counts are
//! exact.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::comments as rules;

use super::read::{CommentNode, JoinedRows, ThreadsOf, lens};
use super::{CommentHelpers, WorkFacts};
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{blocked_users, comments, creators, inbox_items, pseuds, work_creators, works};
use crate::{Page, Store};

/// Which items of an inbox to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Only read (`Some(true)`) or unread (`Some(false)`) items.
    pub read: Option<bool>,
    /// Only items replied to, or not.
    pub replied: Option<bool>,
    /// Oldest first (newest first by default).
    pub oldest_first: bool,
}

/// What to do to chosen inbox items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxAction {
    Read,
    Unread,
    /// Out of the inbox (the comment stays).
    Delete,
}

/// One item of an inbox.
#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub node: CommentNode,
    pub work_title: String,
    pub chaptered: bool,
    pub read: bool,
    pub replied_to: bool,
}

/// A page of an inbox and its counts.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub items: Page<InboxEntry>,
    /// Every item the owner sees (whatever the filter).
    pub total: u64,
    pub unread: u64,
}

/// Items per inbox page.
pub const INBOX_PER_PAGE: u32 = 20;

/// Inbox helpers on a connection of either backend.
pub(crate) trait InboxHelpers {
    /// Puts comment `comment_id` into the inboxes of `recipients`.
    fn deliver(
        &mut self,
        comment_id: i64,
        recipients: &[i64],
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Marks `user_id`'s item for `comment_id` read and replied to.
    fn mark_replied(&mut self, user_id: i64, comment_id: i64) -> QueryResult<()>;

    /// Marks every inbox item of a comment unread (it was edited).
    fn mark_unread_everywhere(&mut self, comment_id: i64) -> QueryResult<()>;

    /// Marks `user_id`'s item for `comment_id` read (they approved it).
    fn mark_inbox_read(&mut self, user_id: i64, comment_id: i64) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl InboxHelpers {
        fn deliver(
            &mut self,
            comment_id: i64,
            recipients: &[i64],
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            for &user in recipients {
                diesel::insert_into(inbox_items::table)
                    .values((
                        inbox_items::user_id.eq(user),
                        inbox_items::comment_id.eq(comment_id),
                        inbox_items::created_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(())
        }

        fn mark_replied(&mut self, user_id: i64, comment_id: i64) -> QueryResult<()> {
            diesel::update(
                inbox_items::table
                    .filter(inbox_items::user_id.eq(user_id))
                    .filter(inbox_items::comment_id.eq(comment_id)),
            )
            .set((inbox_items::is_read.eq(true), inbox_items::replied_to.eq(true)))
            .execute(self)?;
            Ok(())
        }

        fn mark_inbox_read(&mut self, user_id: i64, comment_id: i64) -> QueryResult<()> {
            diesel::update(
                inbox_items::table
                    .filter(inbox_items::user_id.eq(user_id))
                    .filter(inbox_items::comment_id.eq(comment_id)),
            )
            .set(inbox_items::is_read.eq(true))
            .execute(self)?;
            Ok(())
        }

        fn mark_unread_everywhere(&mut self, comment_id: i64) -> QueryResult<()> {
            diesel::update(inbox_items::table.filter(inbox_items::comment_id.eq(comment_id)))
                .set(inbox_items::is_read.eq(false))
                .execute(self)?;
            Ok(())
        }
    }
}

/// Who gets a new comment in their inbox: the work's creators and, for
/// a reply that everyone may see, the parent's author — never its own
/// author.
pub(crate) fn recipients(
    owners: &[i64],
    parent_author: Option<i64>,
    unreviewed: bool,
    author: Option<i64>,
) -> Vec<i64> {
    let mut to: Vec<i64> = owners.to_vec();
    if !unreviewed && let Some(p) = parent_author {
        to.push(p);
    }
    to.retain(|u| Some(*u) != author);
    to.sort_unstable();
    to.dedup();
    to
}

impl Store {
    /// Page `page` of `user_id`'s inbox under `filter`, as `viewer` (the
    /// same account) sees each comment.
    pub fn inbox(
        &self,
        user_id: i64,
        viewer: Viewer,
        filter: InboxFilter,
        page: u32,
    ) -> Result<Inbox, StoreError> {
        let page = page.max(1);
        with_conn!(self, |conn| {
            macro_rules! visible {
                () => {{
                    let blocked = blocked_users::table
                        .filter(blocked_users::user_id.eq(user_id))
                        .select(blocked_users::other_id);
                    inbox_items::table
                        .inner_join(comments::table.inner_join(works::table))
                        .filter(inbox_items::user_id.eq(user_id))
                        .filter(comments::deleted.eq(false))
                        .filter(comments::hidden.eq(false))
                        .filter(comments::spam.eq(false))
                        .filter(works::hidden.eq(false))
                        .filter(
                            comments::unreviewed.eq(false).or(comments::work_id.eq_any(
                                work_creators::table
                                    .inner_join(creators::table.inner_join(pseuds::table))
                                    .filter(pseuds::user_id.eq(user_id))
                                    .select(work_creators::work_id),
                            )),
                        )
                        .filter(comments::user_id.is_null().or(diesel::dsl::not(
                            comments::user_id.assume_not_null().eq_any(blocked),
                        )))
                        .into_boxed()
                }};
            }
            let total: i64 = visible!().count().get_result(conn)?;
            let unread: i64 = visible!()
                .filter(inbox_items::is_read.eq(false))
                .count()
                .get_result(conn)?;
            macro_rules! filtered {
                () => {{
                    let mut q = visible!();
                    if let Some(read) = filter.read {
                        q = q.filter(inbox_items::is_read.eq(read));
                    }
                    if let Some(replied) = filter.replied {
                        q = q.filter(inbox_items::replied_to.eq(replied));
                    }
                    q
                }};
            }
            let shown: i64 = filtered!().count().get_result(conn)?;
            let q = filtered!();
            let q = if filter.oldest_first {
                q.order((inbox_items::created_at.asc(), inbox_items::comment_id.asc()))
            } else {
                q.order((
                    inbox_items::created_at.desc(),
                    inbox_items::comment_id.desc(),
                ))
            };
            let rows: Vec<(i64, bool, bool, i64)> = q
                .select((
                    inbox_items::comment_id,
                    inbox_items::is_read,
                    inbox_items::replied_to,
                    comments::work_id,
                ))
                .limit(i64::from(INBOX_PER_PAGE))
                .offset(i64::from(page - 1) * i64::from(INBOX_PER_PAGE))
                .load(conn)?;
            let mut facts: HashMap<i64, WorkFacts> = HashMap::new();
            let mut items = Vec::with_capacity(rows.len());
            for (comment_id, read, replied_to, work_id) in rows {
                let work = match facts.entry(work_id) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let Some(f) = conn.comment_work_facts(work_id)? else {
                            continue;
                        };
                        e.insert(f)
                    }
                };
                let work = &*work;
                let joined = conn.joined_rows(ThreadsOf::One(comment_id))?;
                if joined.is_empty() {
                    continue;
                }
                let lens = lens(conn, viewer, work, &joined)?;
                if let Some(node) = lens.node(0, rules::DISPLAY_DEPTH) {
                    items.push(InboxEntry {
                        node,
                        work_title: work.title.clone(),
                        chaptered: work.chapter_count > 1,
                        read,
                        replied_to,
                    });
                }
            }
            Ok(Inbox {
                items: Page {
                    items,
                    page,
                    per_page: INBOX_PER_PAGE,
                    total: shown.max(0) as u64,
                },
                total: total.max(0) as u64,
                unread: unread.max(0) as u64,
            })
        })
    }

    /// Marks chosen items of `user_id`'s inbox read or unread, or takes
    /// them out of it. Returns how many changed.
    pub fn mark_inbox(
        &self,
        user_id: i64,
        comment_ids: &[i64],
        action: InboxAction,
    ) -> Result<usize, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mine = inbox_items::table
                .filter(inbox_items::user_id.eq(user_id))
                .filter(inbox_items::comment_id.eq_any(comment_ids));
            match action {
                InboxAction::Read => diesel::update(mine)
                    .set(inbox_items::is_read.eq(true))
                    .execute(conn),
                InboxAction::Unread => diesel::update(mine)
                    .set(inbox_items::is_read.eq(false))
                    .execute(conn),
                InboxAction::Delete => diesel::delete(mine).execute(conn),
            }
        }))?)
    }
}
