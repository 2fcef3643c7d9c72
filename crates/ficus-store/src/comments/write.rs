//! Writing comments: post, reply, edit, delete, and the moderation
//! actions. Each is one write transaction that loads the facts, asks the
//! rules of `ficus_core::comments`, and applies the outcome.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::comments::{
    self as rules, CommentContext, CommentRefusal, Commenter, ParentFacts, Sight,
};

use super::inbox::{InboxHelpers, recipients};
use super::{CommentHelpers, account_is_new, privileged};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::mail::MailHelpers;
use crate::reports::StandingHelpers;
use crate::schema::{chapters, comments, pseuds, throttles, users};

/// Where a new comment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentTarget {
    /// A work: its last chapter (a comment from the full-work view).
    Work(i64),
    /// One chapter.
    Chapter(i64),
    /// A reply to a comment.
    Reply(i64),
}

/// A comment to store. The body is sanitized HTML, already checked for
/// length and emptiness.
#[derive(Debug, Clone, Copy)]
pub struct NewComment<'a> {
    pub target: CommentTarget,
    pub commenter: &'a Commenter,
    /// A guest's keyed address hash (rate limits; forgotten after 90 days).
    pub visitor_key: Option<&'a str>,
    pub body: &'a str,
    /// The spam check's verdict: held for moderators when true.
    pub spam: bool,
}

/// A stored comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedComment {
    pub id: i64,
    pub work_id: i64,
    pub chapter_id: i64,
    /// Held for a creator's approval.
    pub unreviewed: bool,
    /// Held as spam.
    pub spam: bool,
}

/// What a creator or moderator does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationAction {
    Freeze,
    Unfreeze,
    Hide,
    Unhide,
    Approve,
    Spam,
    NotSpam,
}

impl ModerationAction {
    /// The audit-log word, for actions moderators take.
    fn audit_word(self) -> &'static str {
        match self {
            ModerationAction::Freeze => "freeze_comment",
            ModerationAction::Unfreeze => "unfreeze_comment",
            ModerationAction::Hide => "hide_comment",
            ModerationAction::Unhide => "unhide_comment",
            ModerationAction::Approve => "approve_comment",
            ModerationAction::Spam => "spam_comment",
            ModerationAction::NotSpam => "not_spam_comment",
        }
    }
}

type Outcome<T> = Result<Result<T, CommentRefusal>, StoreError>;

impl Store {
    /// Stores a comment or reply, checked against every rule in one write
    /// transaction: the work and its comment setting, blocks (by a creator,
    /// by the parent's author), the parent's state and its author's
    /// guest-replies preference, duplicates, the rate limit for guests and
    /// new accounts (counted in the database, so every node shares it).
    /// The work's count moves when the comment counts at once.
    pub fn post_comment(&self, new: &NewComment<'_>, now: NaiveDateTime) -> Outcome<PostedComment> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // Where it goes.
            let (work_id, chapter_id, parent) = match new.target {
                CommentTarget::Work(work_id) => {
                    let chapter: Option<i64> = chapters::table
                        .filter(chapters::work_id.eq(work_id))
                        .order(chapters::position.desc())
                        .select(chapters::id)
                        .first(conn)
                        .optional()?;
                    match chapter {
                        Some(c) => (work_id, c, None),
                        None => {
                            return Ok::<_, diesel::result::Error>(Err(CommentRefusal::NotFound));
                        }
                    }
                }
                CommentTarget::Chapter(chapter_id) => {
                    let work: Option<i64> = chapters::table
                        .find(chapter_id)
                        .select(chapters::work_id)
                        .first(conn)
                        .optional()?;
                    match work {
                        Some(w) => (w, chapter_id, None),
                        None => return Ok(Err(CommentRefusal::NotFound)),
                    }
                }
                CommentTarget::Reply(parent_id) => match conn.comment_row(parent_id)? {
                    Some(p) => (p.work_id, p.chapter_id, Some(p)),
                    None => return Ok(Err(CommentRefusal::NotFound)),
                },
            };
            let Some(work) = conn.comment_work_facts(work_id)? else {
                return Ok(Err(CommentRefusal::NotFound));
            };
            let viewer = new.commenter.viewer();
            let limits = conn.comment_limits()?;
            let me = new.commenter.user_id();
            let blocked_by_creator = match me {
                Some(uid) => conn.blocked_by_any_of(&work.owners, uid)?,
                None => false,
            };
            let cx = CommentContext {
                work: work.access(),
                settings: work.settings,
                guest_comments_off: limits.guest_comments_off,
                blocked_by_creator,
            };
            if let Err(refusal) = rules::may_comment(viewer, &cx) {
                return Ok(Err(refusal));
            }
            if let Some(uid) = me
                && !conn.standing_of(uid, now)?.may_act()
            {
                return Ok(Err(CommentRefusal::Suspended));
            }
            if let Some(parent) = &parent {
                let facts = parent.facts(&work, true);
                if facts.sight(viewer) == Sight::Nothing {
                    return Ok(Err(CommentRefusal::NotFound));
                }
                let author_blocked_replier = match (parent.user_id, me) {
                    (Some(author), Some(uid)) => conn.blocked_by_any_of(&[author], uid)?,
                    _ => false,
                };
                let author_refuses_guests = match parent.user_id {
                    Some(author) if !work.owners.contains(&author) => users::table
                        .find(author)
                        .select(users::pref_guest_replies_off)
                        .first::<bool>(conn)
                        .optional()?
                        .unwrap_or(false),
                    _ => false,
                };
                let facts = ParentFacts {
                    state: parent.state(),
                    author_blocked_replier,
                    author_refuses_guests,
                };
                if let Err(refusal) = rules::may_reply(viewer, &facts) {
                    return Ok(Err(refusal));
                }
            }
            // Who, exactly.
            let (pseud_id, guest_name, guest_email) = match new.commenter {
                Commenter::Account {
                    user_id, pseud_id, ..
                } => {
                    let owner: Option<i64> = pseuds::table
                        .find(*pseud_id)
                        .select(pseuds::user_id)
                        .first(conn)
                        .optional()?;
                    if owner != Some(*user_id) {
                        return Ok(Err(CommentRefusal::NotAllowed));
                    }
                    (Some(*pseud_id), None, None)
                }
                Commenter::Guest { name, email } => {
                    (None, Some(name.as_str()), Some(email.as_str()))
                }
            };
            // One post at a time per account (a row lock on PostgreSQL,
            // whose READ COMMITTED would let two concurrent posts pass the
            // duplicate and rate checks; SQLite's BEGIN IMMEDIATE already
            // serialises writers).
            if let Some(uid) = me {
                diesel::update(users::table.find(uid))
                    .set(users::id.eq(users::id))
                    .execute(conn)?;
            } else if let Some(key) = new.visitor_key {
                // A guest has no row of their own: their address's row in
                // `throttles` (created on first use) is locked instead.
                diesel::insert_into(throttles::table)
                    .values((
                        throttles::bucket.eq(format!("comment-post:{key}")),
                        throttles::window_start.eq(0),
                        throttles::hits.eq(0),
                    ))
                    .on_conflict((throttles::bucket, throttles::window_start))
                    .do_update()
                    .set(throttles::hits.eq(throttles::hits))
                    .execute(conn)?;
            }
            // The same text twice on one chapter.
            let same = comments::table
                .filter(comments::chapter_id.eq(chapter_id))
                .filter(comments::body.eq(new.body))
                .filter(comments::deleted.eq(false))
                .into_boxed();
            let same = match (me, guest_email) {
                (Some(uid), _) => same.filter(comments::user_id.eq(uid)),
                (None, email) => same
                    .filter(comments::user_id.is_null())
                    .filter(comments::guest_email.eq(email.unwrap_or_default()))
                    .filter(comments::guest_name.eq(guest_name.unwrap_or_default())),
            };
            let dupes: i64 = same.count().get_result(conn)?;
            if dupes > 0 {
                return Ok(Err(CommentRefusal::Duplicate));
            }
            // Rate limit: guests (by address key) and new accounts, never
            // a creator on their own work.
            let limited = match me {
                None => true,
                Some(uid) if !work.owners.contains(&uid) => {
                    let created: Option<NaiveDateTime> = users::table
                        .find(uid)
                        .select(users::created_at)
                        .first(conn)
                        .optional()?;
                    created.is_some_and(|c| account_is_new(&limits, c, now))
                }
                Some(_) => false,
            };
            if limited && limits.rate.is_on() {
                let since = now - chrono::Duration::seconds(limits.rate.window_secs as i64);
                let recent = comments::table
                    .filter(comments::created_at.gt(since))
                    .into_boxed();
                let recent = match (me, new.visitor_key) {
                    (Some(uid), _) => recent.filter(comments::user_id.eq(uid)),
                    (None, Some(key)) => recent.filter(comments::visitor_key.eq(key)),
                    (None, None) => recent.filter(comments::id.eq(-1)),
                };
                let times: Vec<NaiveDateTime> = recent
                    .order(comments::created_at.asc())
                    .select(comments::created_at)
                    .load(conn)?;
                if times.len() >= limits.rate.count as usize {
                    let oldest = times[times.len() - limits.rate.count as usize];
                    let wait = (oldest - since).num_seconds().max(1) as u64;
                    return Ok(Err(CommentRefusal::RateLimited(wait)));
                }
            }
            let unreviewed = rules::starts_unreviewed(viewer, &cx);
            let (thread_id, depth, parent_id) = match &parent {
                Some(p) => (p.thread_id, p.depth + 1, Some(p.id)),
                None => (0, 0, None),
            };
            let id: i64 = diesel::insert_into(comments::table)
                .values((
                    comments::work_id.eq(work_id),
                    comments::chapter_id.eq(chapter_id),
                    comments::parent_id.eq(parent_id),
                    comments::thread_id.eq(thread_id),
                    comments::depth.eq(depth),
                    comments::user_id.eq(me),
                    comments::pseud_id.eq(pseud_id),
                    comments::guest_name.eq(guest_name),
                    comments::guest_email.eq(guest_email),
                    comments::visitor_key.eq(if me.is_none() { new.visitor_key } else { None }),
                    comments::body.eq(new.body),
                    comments::created_at.eq(now),
                    comments::unreviewed.eq(unreviewed),
                    comments::spam.eq(new.spam),
                ))
                .returning(comments::id)
                .get_result(conn)?;
            if parent.is_none() {
                diesel::update(comments::table.find(id))
                    .set(comments::thread_id.eq(id))
                    .execute(conn)?;
            }
            if !unreviewed && !new.spam {
                conn.move_comment_count(work_id, 1)?;
                conn.count_comments_today(work_id, 1, now)?;
            }
            let parent_author = parent.as_ref().and_then(|p| p.user_id);
            let to = recipients(&work.owners, parent_author, unreviewed, me);
            conn.deliver(id, &to, now)?;
            if !new.spam {
                conn.queue_comment_mail(id, &to, now)?;
            }
            // Replying to a comment from your inbox marks it replied to.
            if let (Some(p), Some(uid)) = (&parent, me) {
                conn.mark_replied(uid, p.id)?;
            }
            Ok(Ok(PostedComment {
                id,
                work_id,
                chapter_id,
                unreviewed,
                spam: new.spam,
            }))
        }))?)
    }

    /// The work a new comment on `target` would go to, with its title
    /// (for pages that answer a refusal); `None` when there is none.
    pub fn comment_target_work(
        &self,
        target: CommentTarget,
    ) -> Result<Option<(i64, String)>, StoreError> {
        Ok(with_conn!(self, |conn| {
            let work_id = target_work_id(conn, target)?;
            let facts = match work_id {
                Some(w) => conn.comment_work_facts(w)?,
                None => None,
            };
            Ok::<_, StoreError>(facts.map(|f| (f.id, f.title)))
        })?)
    }

    /// Whether a new comment by account `user_id` (or a guest, `None`) on
    /// `target` goes through the spam check: guests and new accounts,
    /// never a creator on their own work.
    pub fn comment_needs_checks(
        &self,
        target: CommentTarget,
        user_id: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let Some(uid) = user_id else {
            return Ok(true);
        };
        Ok(with_conn!(self, |conn| {
            let work_id = target_work_id(conn, target)?;
            let owns = match work_id {
                Some(w) => conn
                    .comment_work_facts(w)?
                    .is_some_and(|f| f.owners.contains(&uid)),
                None => false,
            };
            let limits = conn.comment_limits()?;
            let created: Option<NaiveDateTime> = users::table
                .find(uid)
                .select(users::created_at)
                .first(conn)
                .optional()?;
            Ok::<_, StoreError>(!owns && created.is_some_and(|c| account_is_new(&limits, c, now)))
        })?)
    }

    /// Edits a comment's body (its author only; no replies, not frozen).
    /// An edit of more than [`rules::MODERATION_EDIT_THRESHOLD`] characters
    /// sends an approved comment on a moderated work back to review.
    /// Returns the work and whether it now waits for review.
    pub fn edit_comment(
        &self,
        id: i64,
        viewer: Viewer,
        body: &str,
        now: NaiveDateTime,
    ) -> Outcome<(i64, bool)> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((row, work, has_replies)) = conn.visible_comment(id, viewer)? else {
                return Ok::<_, diesel::result::Error>(Err(CommentRefusal::NotFound));
            };
            let facts = row.facts(&work, has_replies);
            if let Err(refusal) = facts.may_edit(viewer) {
                return Ok(Err(refusal));
            }
            if let Some(uid) = viewer.user_id()
                && !conn.standing_of(uid, now)?.may_act()
            {
                return Ok(Err(CommentRefusal::Suspended));
            }
            if let Some(uid) = viewer.user_id()
                && conn.blocked_by_any_of(&work.owners, uid)?
            {
                return Ok(Err(CommentRefusal::BlockedByCreator));
            }
            if body == row.body {
                return Ok(Ok((row.work_id, row.unreviewed)));
            }
            let changed = rules::chars_changed(
                &ficus_core::html::plain_text(&row.body),
                &ficus_core::html::plain_text(body),
            );
            let mut to = row.state();
            if work.settings.moderated
                && !viewer.owns(&work.access())
                && changed > rules::MODERATION_EDIT_THRESHOLD
            {
                to.unreviewed = true;
            }
            diesel::update(comments::table.find(id))
                .set((comments::body.eq(body), comments::edited_at.eq(now)))
                .execute(conn)?;
            conn.mark_unread_everywhere(id)?;
            conn.write_state(&row, to, now)?;
            Ok(Ok((row.work_id, to.unreviewed)))
        }))?)
    }

    /// Deletes a comment (its author, a creator of the work, a
    /// moderator): kept as "(Previous comment deleted.)" while it has
    /// replies, removed otherwise. Returns the work.
    pub fn delete_comment(&self, id: i64, viewer: Viewer, now: NaiveDateTime) -> Outcome<i64> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((row, work, has_replies)) = conn.visible_comment(id, viewer)? else {
                return Ok::<_, diesel::result::Error>(Err(CommentRefusal::NotFound));
            };
            let facts = row.facts(&work, has_replies);
            if !facts.may_delete(viewer) {
                return Ok(Err(CommentRefusal::NotAllowed));
            }
            // Anyone may take back their own words; deleting another's
            // comment (as its work's creator or a moderator) needs an
            // account in good standing.
            if let Some(uid) = viewer.user_id()
                && row.user_id != Some(uid)
                && !conn.standing_of(uid, now)?.may_act()
            {
                return Ok(Err(CommentRefusal::Suspended));
            }
            let by_moderator = privileged(viewer)
                && row.user_id != viewer.user_id()
                && !viewer.owns(&work.access());
            if by_moderator {
                conn.audit_comment(viewer.user_id(), "delete_comment", &row, now)?;
            }
            if has_replies {
                diesel::update(comments::table.find(id))
                    .set(comments::body.eq(""))
                    .execute(conn)?;
                let mut to = row.state();
                to.deleted = true;
                conn.write_state(&row, to, now)?;
            } else {
                let gone = diesel::delete(comments::table.find(id)).execute(conn)?;
                if gone == 1 && row.state().counts() {
                    conn.move_comment_count(row.work_id, -1)?;
                }
                // A deleted parent kept only for this reply goes too (and
                // so on up the thread).
                let mut up = row.parent_id;
                while let Some(p) = up {
                    let Some(parent) = conn.comment_row(p)? else {
                        break;
                    };
                    if !parent.deleted || conn.has_replies(p)? {
                        break;
                    }
                    diesel::delete(comments::table.find(p)).execute(conn)?;
                    up = parent.parent_id;
                }
            }
            Ok(Ok(row.work_id))
        }))?)
    }

    /// A creator's or moderator's action on one comment: freeze or
    /// unfreeze its thread (it and every reply below it), hide or unhide
    /// it, approve it, mark it as spam or release it. Moderators' actions
    /// go to the audit log. Returns the work.
    pub fn moderate_comment(
        &self,
        id: i64,
        viewer: Viewer,
        action: ModerationAction,
        now: NaiveDateTime,
    ) -> Outcome<i64> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((row, work, has_replies)) = conn.visible_comment(id, viewer)? else {
                return Ok::<_, diesel::result::Error>(Err(CommentRefusal::NotFound));
            };
            let facts = row.facts(&work, has_replies);
            let moderator = privileged(viewer);
            let allowed = match action {
                ModerationAction::Freeze => facts.may_freeze(viewer) && !row.frozen,
                ModerationAction::Unfreeze => facts.may_freeze(viewer) && row.frozen,
                ModerationAction::Hide => moderator && !row.hidden && !row.deleted,
                ModerationAction::Unhide => moderator && row.hidden,
                ModerationAction::Approve => facts.may_approve(viewer),
                ModerationAction::Spam => facts.may_mark_spam(viewer),
                ModerationAction::NotSpam => moderator && row.spam,
            };
            if !allowed {
                return Ok(Err(CommentRefusal::NotAllowed));
            }
            // A suspended or banned creator or moderator moderates nothing.
            if let Some(uid) = viewer.user_id()
                && !conn.standing_of(uid, now)?.may_act()
            {
                return Ok(Err(CommentRefusal::Suspended));
            }
            match action {
                ModerationAction::Freeze | ModerationAction::Unfreeze => {
                    let frozen = action == ModerationAction::Freeze;
                    let thread: Vec<(i64, Option<i64>)> = comments::table
                        .filter(comments::thread_id.eq(row.thread_id))
                        .select((comments::id, comments::parent_id))
                        .load(conn)?;
                    let below = subtree(id, &thread);
                    diesel::update(comments::table.filter(comments::id.eq_any(&below)))
                        .set(comments::frozen.eq(frozen))
                        .execute(conn)?;
                }
                _ => {
                    let mut to = row.state();
                    match action {
                        ModerationAction::Hide => to.hidden = true,
                        ModerationAction::Unhide => to.hidden = false,
                        ModerationAction::Approve => to.unreviewed = false,
                        ModerationAction::Spam => to.spam = true,
                        ModerationAction::NotSpam => to.spam = false,
                        ModerationAction::Freeze | ModerationAction::Unfreeze => {}
                    }
                    conn.write_state(&row, to, now)?;
                    if action == ModerationAction::Approve {
                        approved_delivery(conn, &row, now)?;
                        if let Some(uid) = viewer.user_id() {
                            conn.mark_inbox_read(uid, row.id)?;
                        }
                    }
                }
            }
            if moderator && !viewer.owns(&work.access()) {
                conn.audit_comment(viewer.user_id(), action.audit_word(), &row, now)?;
            }
            Ok(Ok(row.work_id))
        }))?)
    }

    /// Approves every unreviewed comment on a work (its creators, a
    /// moderator). Returns how many.
    pub fn approve_all_comments(
        &self,
        work_id: i64,
        viewer: Viewer,
        now: NaiveDateTime,
    ) -> Outcome<usize> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some(work) = conn.comment_work_facts(work_id)? else {
                return Ok::<_, diesel::result::Error>(Err(CommentRefusal::NotFound));
            };
            if !viewer.may_see(&work.access()) {
                return Ok(Err(CommentRefusal::NotFound));
            }
            if !(viewer.owns(&work.access()) || privileged(viewer)) {
                return Ok(Err(CommentRefusal::NotAllowed));
            }
            if let Some(uid) = viewer.user_id()
                && !conn.standing_of(uid, now)?.may_act()
            {
                return Ok(Err(CommentRefusal::Suspended));
            }
            let waiting = comments::table
                .filter(comments::work_id.eq(work_id))
                .filter(comments::unreviewed.eq(true))
                .filter(comments::spam.eq(false));
            let newly_counted: i64 = waiting
                .filter(comments::hidden.eq(false))
                .filter(comments::deleted.eq(false))
                .count()
                .get_result(conn)?;
            let approved: Vec<i64> = waiting.select(comments::id).load(conn)?;
            let n = diesel::update(waiting)
                .set(comments::unreviewed.eq(false))
                .execute(conn)?;
            for id in approved {
                if let Some(row) = conn.comment_row(id)? {
                    approved_delivery(conn, &row, now)?;
                }
                if let Some(uid) = viewer.user_id() {
                    conn.mark_inbox_read(uid, id)?;
                }
            }
            conn.move_comment_count(work_id, newly_counted)?;
            conn.count_comments_today(work_id, newly_counted, now)?;
            Ok(Ok(n))
        }))?)
    }

    /// Forgets guests' keyed address hashes on comments older than
    /// `cutoff` (rate limits need only the recent ones). Returns how many.
    pub fn forget_comment_visitor_keys(&self, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
        Ok(with_conn!(self, |conn| diesel::update(
            comments::table
                .filter(comments::visitor_key.is_not_null())
                .filter(comments::created_at.lt(cutoff))
        )
        .set(comments::visitor_key.eq(None::<String>))
        .execute(conn)?))
    }
}

/// The work a comment on `target` goes to, if there is one.
fn target_work_id<C: CommentHelpers>(
    conn: &mut C,
    target: CommentTarget,
) -> diesel::QueryResult<Option<i64>> {
    Ok(match target {
        CommentTarget::Work(w) => Some(w),
        CommentTarget::Chapter(c) => conn.chapter_work(c)?,
        CommentTarget::Reply(p) => conn.comment_row(p)?.map(|r| r.work_id),
    })
}

/// An approved reply reaches its parent's author's inbox (held back
/// while it waited).
fn approved_delivery<C: CommentHelpers + InboxHelpers + MailHelpers>(
    conn: &mut C,
    row: &crate::comments::CommentRow,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let Some(parent) = row.parent_id else {
        return Ok(());
    };
    let parent_author = conn.comment_row(parent)?.and_then(|p| p.user_id);
    if let Some(author) = parent_author.filter(|a| Some(*a) != row.user_id) {
        conn.deliver(row.id, &[author], now)?;
        conn.queue_comment_mail(row.id, &[author], now)?;
    }
    Ok(())
}

/// `root` and every comment below it, from a thread's (id, parent) pairs.
fn subtree(root: i64, thread: &[(i64, Option<i64>)]) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let at = out[i];
        out.extend(
            thread
                .iter()
                .filter(|(_, parent)| *parent == Some(at))
                .map(|(id, _)| *id),
        );
        i += 1;
    }
    out
}
