//! Comments as stored: one row per comment on a chapter, threads by
//! `thread_id` (the root's id) and `depth`, state flags (unreviewed,
//! hidden, deleted, frozen, spam). Every rule comes from
//! `ficus_core::comments`; this module loads the facts the rules need and
//! applies the outcome in one transaction. `works.comments_count` counts
//! the comments every reader sees (replies included, as AO3's "Comments
//! (N)") and moves in the same transaction as the change that moves it.
//!
//! - `write.rs`: posting, replying, editing, deleting, moderating.
//! - `read.rs`: a work's (or chapter's) threads, a comment's own page, the
//!   unreviewed list, the spam queue.
//! - `inbox.rs`: inboxes (delivery in the writing transaction; reading
//!   with exact counts; marks).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::{Viewer, WorkAccess};
use ficus_core::comments::{
    CommentFacts, CommentLimits, CommentPermission, CommentSettings, CommentState,
};

use crate::schema::{
    audit_log, blocked_users, chapters, comments, creators, pseuds, settings, work_creators,
    work_daily_stats, works,
};

mod inbox;
mod read;
mod write;

pub use inbox::{INBOX_PER_PAGE, Inbox, InboxAction, InboxEntry, InboxFilter};
pub use read::{
    ANONYMOUS_CREATOR, CommentActions, CommentAuthor, CommentNode, CommentSection, CommentThread,
    SpamItem,
};
pub use write::{CommentTarget, ModerationAction, NewComment, PostedComment};

/// A comment row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub(crate) struct CommentRow {
    pub id: i64,
    pub work_id: i64,
    pub chapter_id: i64,
    pub parent_id: Option<i64>,
    pub thread_id: i64,
    pub depth: i32,
    pub user_id: Option<i64>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub unreviewed: bool,
    pub hidden: bool,
    pub deleted: bool,
    pub frozen: bool,
    pub spam: bool,
}

impl CommentRow {
    /// What the rules need to know about this comment on `work`.
    pub(crate) fn facts<'a>(&self, work: &'a WorkFacts, has_replies: bool) -> CommentFacts<'a> {
        CommentFacts {
            work: work.access(),
            author: self.user_id,
            state: self.state(),
            has_replies,
        }
    }

    pub(crate) fn state(&self) -> CommentState {
        CommentState {
            unreviewed: self.unreviewed,
            hidden: self.hidden,
            deleted: self.deleted,
            frozen: self.frozen,
            spam: self.spam,
        }
    }
}

/// What the comment rules need to know about a work.
#[derive(Debug, Clone)]
pub(crate) struct WorkFacts {
    pub id: i64,
    pub title: String,
    pub posted: bool,
    pub restricted: bool,
    pub hidden: bool,
    pub unrevealed: bool,
    /// In an anonymous collection: its creators' comments are signed
    /// "Anonymous Creator".
    pub anonymous: bool,
    pub chapter_count: i32,
    pub settings: CommentSettings,
    pub owners: Vec<i64>,
    pub comments_count: i64,
}

impl WorkFacts {
    pub(crate) fn access(&self) -> WorkAccess<'_> {
        WorkAccess {
            posted: self.posted,
            restricted: self.restricted,
            hidden: self.hidden,
            unrevealed: self.unrevealed,
            owners: &self.owners,
        }
    }
}

/// Typed helpers on a connection of either backend, so they run inside
/// the caller's transaction.
pub(crate) trait CommentHelpers {
    /// A work's access and comment settings, with its owners.
    fn comment_work_facts(&mut self, work_id: i64) -> QueryResult<Option<WorkFacts>>;

    /// The comment limits in force (archive settings).
    fn comment_limits(&mut self) -> QueryResult<CommentLimits>;

    /// Whether any of `blockers` has blocked account `user_id`.
    fn blocked_by_any_of(&mut self, blockers: &[i64], user_id: i64) -> QueryResult<bool>;

    /// One comment row.
    fn comment_row(&mut self, id: i64) -> QueryResult<Option<CommentRow>>;

    /// The work a chapter belongs to.
    fn chapter_work(&mut self, chapter_id: i64) -> QueryResult<Option<i64>>;

    /// Whether a comment has replies (in any state).
    fn has_replies(&mut self, id: i64) -> QueryResult<bool>;

    /// A comment with its work and whether it has replies, when `viewer`
    /// may see the work and the comment (`None` otherwise: to them it is
    /// not there).
    fn visible_comment(
        &mut self,
        id: i64,
        viewer: Viewer,
    ) -> QueryResult<Option<(CommentRow, WorkFacts, bool)>>;

    /// Moves a work's `comments_count` by `delta`.
    fn move_comment_count(&mut self, work_id: i64, delta: i64) -> QueryResult<()>;

    /// Counts `n` comments in the day's statistics: comments received
    /// (posted, approved, released from the spam queue), never taken back.
    fn count_comments_today(&mut self, work_id: i64, n: i64, now: NaiveDateTime)
    -> QueryResult<()>;

    /// Writes a comment's state flags, moving the work's count when the
    /// comment starts or stops counting.
    fn write_state(
        &mut self,
        row: &CommentRow,
        to: CommentState,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// One line in the audit log.
    fn audit_comment(
        &mut self,
        actor: Option<i64>,
        action: &str,
        row: &CommentRow,
        now: NaiveDateTime,
    ) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl CommentHelpers {
        fn comment_work_facts(&mut self, work_id: i64) -> QueryResult<Option<WorkFacts>> {
            type Row = (i64, String, bool, bool, (bool, bool, bool), i32, String, bool, i64);
            let row: Option<Row> = works::table
                .find(work_id)
                .select((
                    works::id,
                    works::title,
                    works::posted,
                    works::restricted,
                    (works::hidden, works::unrevealed, works::anonymous),
                    works::chapter_count,
                    works::comment_permission,
                    works::moderate_comments,
                    works::comments_count,
                ))
                .first(self)
                .optional()?;
            let Some((id, title, posted, restricted, (hidden, unrevealed, anonymous), chapter_count, permission, moderated, comments_count)) = row else {
                return Ok(None);
            };
            let mut owners: Vec<i64> = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(work_creators::work_id.eq(work_id))
                .select(pseuds::user_id)
                .load(self)?;
            owners.sort_unstable();
            owners.dedup();
            Ok(Some(WorkFacts {
                id,
                title,
                posted,
                restricted,
                hidden,
                unrevealed,
                anonymous,
                chapter_count,
                settings: CommentSettings {
                    permission: CommentPermission::parse(&permission).unwrap_or_default(),
                    moderated,
                },
                owners,
                comments_count,
            }))
        }

        fn comment_limits(&mut self) -> QueryResult<CommentLimits> {
            // The archive's settings are a handful of rows: reading them
            // all keeps one statement shape (a list in `IN` is prepared
            // afresh on every page).
            let values: Vec<(String, String)> = settings::table
                .select((settings::name, settings::value))
                .load(self)?;
            Ok(CommentLimits::from_settings(|name| {
                values
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            }))
        }

        fn blocked_by_any_of(&mut self, blockers: &[i64], user_id: i64) -> QueryResult<bool> {
            if blockers.is_empty() {
                return Ok(false);
            }
            let n: i64 = blocked_users::table
                .filter(blocked_users::other_id.eq(user_id))
                .filter(blocked_users::user_id.eq_any(blockers))
                .count()
                .get_result(self)?;
            Ok(n > 0)
        }

        fn comment_row(&mut self, id: i64) -> QueryResult<Option<CommentRow>> {
            comments::table
                .find(id)
                .select(CommentRow::as_select())
                .first(self)
                .optional()
        }

        fn chapter_work(&mut self, chapter_id: i64) -> QueryResult<Option<i64>> {
            chapters::table
                .find(chapter_id)
                .select(chapters::work_id)
                .first(self)
                .optional()
        }

        fn has_replies(&mut self, id: i64) -> QueryResult<bool> {
            let n: i64 = comments::table
                .filter(comments::parent_id.eq(id))
                .count()
                .get_result(self)?;
            Ok(n > 0)
        }

        fn visible_comment(
            &mut self,
            id: i64,
            viewer: Viewer,
        ) -> QueryResult<Option<(CommentRow, WorkFacts, bool)>> {
            let Some(row) = self.comment_row(id)? else {
                return Ok(None);
            };
            let Some(work) = self.comment_work_facts(row.work_id)? else {
                return Ok(None);
            };
            let has_replies = self.has_replies(id)?;
            if !viewer.may_see(&work.access())
                || row.facts(&work, has_replies).sight(viewer) == ficus_core::comments::Sight::Nothing
            {
                return Ok(None);
            }
            Ok(Some((row, work, has_replies)))
        }

        fn move_comment_count(&mut self, work_id: i64, delta: i64) -> QueryResult<()> {
            if delta == 0 {
                return Ok(());
            }
            diesel::update(works::table.find(work_id))
                .set(works::comments_count.eq(works::comments_count + delta))
                .execute(self)?;
            Ok(())
        }

        fn count_comments_today(
            &mut self,
            work_id: i64,
            n: i64,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            if n <= 0 {
                return Ok(());
            }
            diesel::insert_into(work_daily_stats::table)
                .values((
                    work_daily_stats::work_id.eq(work_id),
                    work_daily_stats::day.eq(now.date()),
                    work_daily_stats::comments.eq(n),
                ))
                .on_conflict((work_daily_stats::work_id, work_daily_stats::day))
                .do_update()
                .set(work_daily_stats::comments.eq(work_daily_stats::comments + n))
                .execute(self)?;
            Ok(())
        }

        fn write_state(
            &mut self,
            row: &CommentRow,
            to: CommentState,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            // Only from the state it was read in: a concurrent change of
            // the same comment (a double click on PostgreSQL's READ
            // COMMITTED) matches no row and moves no count.
            let from = row.state();
            let changed = diesel::update(
                comments::table
                    .filter(comments::id.eq(row.id))
                    .filter(comments::unreviewed.eq(from.unreviewed))
                    .filter(comments::hidden.eq(from.hidden))
                    .filter(comments::deleted.eq(from.deleted))
                    .filter(comments::spam.eq(from.spam)),
            )
            .set((
                comments::unreviewed.eq(to.unreviewed),
                comments::hidden.eq(to.hidden),
                comments::deleted.eq(to.deleted),
                comments::frozen.eq(to.frozen),
                comments::spam.eq(to.spam),
            ))
            .execute(self)?;
            if changed == 0 {
                return Ok(());
            }
            let delta = i64::from(to.counts()) - i64::from(from.counts());
            self.move_comment_count(row.work_id, delta)?;
            // Received today: approved, or released from the spam queue
            // (not a comment a moderator shows again).
            let received = to.counts()
                && ((from.unreviewed && !to.unreviewed) || (from.spam && !to.spam));
            self.count_comments_today(row.work_id, i64::from(received), now)
        }

        fn audit_comment(
            &mut self,
            actor: Option<i64>,
            action: &str,
            row: &CommentRow,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::actor_id.eq(actor),
                    audit_log::action.eq(action),
                    audit_log::work_id.eq(row.work_id),
                    audit_log::detail.eq(format!("comment {}", row.id)),
                    audit_log::created_at.eq(now),
                ))
                .execute(self)?;
            Ok(())
        }
    }
}

/// Whether account `user_id` (created at `created`) is new at `now`.
pub(crate) fn account_is_new(
    limits: &CommentLimits,
    created: NaiveDateTime,
    now: NaiveDateTime,
) -> bool {
    limits.is_new_account((now - created).num_seconds())
}

/// The viewer as the comment rules see a moderator or the archive.
pub(crate) fn privileged(viewer: Viewer) -> bool {
    viewer.moderates() || viewer == Viewer::System
}
