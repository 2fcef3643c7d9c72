//! Reading comments as one viewer may: a work's or a chapter's threads
//! (25 a page, oldest first), a comment's own page, the unreviewed list,
//! the spam queue. What each viewer sees of each comment is
//! `CommentFacts::sight` — the one rule; the SQL filter on thread roots
//! only keeps the pages' counts exact under it, and the access-matrix
//! tests hold the two together.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use ficus_core::access::Viewer;
use ficus_core::comments::{
    self as rules, CommentContext, CommentFacts, CommentRefusal, CommentState, ParentFacts, Sight,
};

use super::{CommentHelpers, CommentRow, WorkFacts, privileged};
use crate::error::StoreError;
use crate::schema::{blocked_users, chapters, comments, pseuds, users};
use crate::{Found, Page, Store};

/// Who wrote a comment, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAuthor {
    Account {
        user_id: i64,
        login: String,
        pseud: String,
    },
    /// A guest's name (their e-mail is never shown).
    Guest { name: String },
    /// A deleted account.
    Gone,
    /// One of the work's creators, on a work in an anonymous collection.
    AnonymousCreator,
}

/// How a creator's comment on their anonymous work is signed (AO3's words).
pub const ANONYMOUS_CREATOR: &str = "Anonymous Creator";

/// What the viewer may do to one comment (each is the rule's answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentActions {
    pub reply: bool,
    pub edit: bool,
    pub delete: bool,
    pub freeze: bool,
    pub unfreeze: bool,
    pub hide: bool,
    pub unhide: bool,
    pub approve: bool,
    pub spam: bool,
    pub not_spam: bool,
}

/// One comment as one viewer sees it, with the replies shown below it.
#[derive(Debug, Clone)]
pub struct CommentNode {
    pub id: i64,
    pub work_id: i64,
    pub chapter_id: i64,
    pub chapter_position: i32,
    pub parent_id: Option<i64>,
    pub thread_id: i64,
    pub depth: i32,
    pub author: CommentAuthor,
    /// Sanitized HTML; empty unless the viewer sees the comment itself.
    pub body: String,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub state: CommentState,
    pub sight: Sight,
    /// Written by an account the viewer has blocked: shown as a
    /// placeholder, its text withheld.
    pub from_blocked: bool,
    pub may: CommentActions,
    pub replies: Vec<CommentNode>,
    /// Replies below the display depth, reached from this comment's own
    /// page ("N more comments in this thread").
    pub more: u64,
}

/// A work's (or one chapter's) comments as one viewer sees them.
#[derive(Debug, Clone)]
pub struct CommentSection {
    pub work_id: i64,
    pub work_title: String,
    pub chaptered: bool,
    /// The work's "Comments (N)": every comment every reader sees.
    pub total: u64,
    pub threads: Page<CommentNode>,
    /// Whether the viewer may post a new comment here, or why not.
    pub may_comment: Result<(), CommentRefusal>,
    /// Comments waiting for approval (counted for creators and
    /// moderators only; 0 for everyone else).
    pub unreviewed: u64,
    pub moderated: bool,
}

/// A comment's own page.
#[derive(Debug, Clone)]
pub struct CommentThread {
    pub work_id: i64,
    pub work_title: String,
    pub chaptered: bool,
    pub node: CommentNode,
    pub may_comment: Result<(), CommentRefusal>,
}

/// One comment in the spam queue.
#[derive(Debug, Clone)]
pub struct SpamItem {
    pub node: CommentNode,
    pub work_title: String,
    /// A guest's e-mail (moderators see it here).
    pub guest_email: Option<String>,
}

/// A comment row with its author's login, pseud and preference against
/// guest replies (accounts only) and its chapter's position.
pub(super) type Joined = (
    CommentRow,
    Option<String>,
    Option<String>,
    i32,
    Option<bool>,
);

/// What the actions and sights of one page depend on.
pub(super) struct Lens<'a> {
    viewer: Viewer,
    work: &'a WorkFacts,
    may_comment: Result<(), CommentRefusal>,
    /// Accounts the viewer has blocked.
    blocked_by_viewer: HashSet<i64>,
    /// Authors on the page who blocked the viewer.
    blocking_viewer: HashSet<i64>,
    /// Authors on the page who refuse guest replies (not creators).
    refusing_guests: HashSet<i64>,
    /// Comments with any reply (in any state).
    parents: HashSet<i64>,
    children: HashMap<i64, Vec<usize>>,
    rows: &'a [Joined],
}

impl Lens<'_> {
    fn facts(&self, row: &CommentRow) -> CommentFacts<'_> {
        row.facts(self.work, self.parents.contains(&row.id))
    }

    fn sight(&self, row: &CommentRow) -> Sight {
        self.facts(row).sight(self.viewer)
    }

    pub(super) fn node(&self, i: usize, rel_depth: i32) -> Option<CommentNode> {
        let (row, login, pseud, position, _) = &self.rows[i];
        let sight = self.sight(row);
        if sight == Sight::Nothing {
            return None;
        }
        let facts = self.facts(row);
        let viewer = self.viewer;
        let moderator = privileged(viewer);
        let from_blocked = row
            .user_id
            .is_some_and(|u| self.blocked_by_viewer.contains(&u));
        let parent_facts = ParentFacts {
            state: row.state(),
            author_blocked_replier: row
                .user_id
                .is_some_and(|u| self.blocking_viewer.contains(&u)),
            author_refuses_guests: row
                .user_id
                .is_some_and(|u| self.refusing_guests.contains(&u)),
        };
        let may = CommentActions {
            reply: sight == Sight::Full
                && !from_blocked
                && self.may_comment.is_ok()
                && rules::may_reply(viewer, &parent_facts).is_ok(),
            edit: facts.may_edit(viewer).is_ok(),
            delete: facts.may_delete(viewer),
            freeze: facts.may_freeze(viewer) && !row.frozen,
            unfreeze: facts.may_freeze(viewer) && row.frozen,
            hide: moderator && !row.hidden && !row.deleted,
            unhide: moderator && row.hidden,
            approve: facts.may_approve(viewer),
            spam: facts.may_mark_spam(viewer),
            not_spam: moderator && row.spam,
        };
        let author = match (row.user_id, login, pseud, &row.guest_name) {
            (Some(user_id), Some(_), _, _)
                if self.work.anonymous && self.work.owners.contains(&user_id) =>
            {
                CommentAuthor::AnonymousCreator
            }
            (Some(user_id), Some(login), pseud, _) => CommentAuthor::Account {
                user_id,
                login: login.clone(),
                pseud: pseud.clone().unwrap_or_else(|| login.clone()),
            },
            (None, _, _, Some(name)) => CommentAuthor::Guest { name: name.clone() },
            _ => CommentAuthor::Gone,
        };
        let kids = self.children.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
        let (replies, more) = if rel_depth + 1 >= rules::DISPLAY_DEPTH {
            (
                Vec::new(),
                kids.iter().map(|&k| self.count_visible(k)).sum(),
            )
        } else {
            (
                kids.iter()
                    .filter_map(|&k| self.node(k, rel_depth + 1))
                    .collect(),
                0,
            )
        };
        let shows_text = sight == Sight::Full && !from_blocked;
        Some(CommentNode {
            id: row.id,
            work_id: row.work_id,
            chapter_id: row.chapter_id,
            chapter_position: *position,
            parent_id: row.parent_id,
            thread_id: row.thread_id,
            depth: row.depth,
            author,
            body: if shows_text {
                row.body.clone()
            } else {
                String::new()
            },
            created_at: row.created_at,
            edited_at: row.edited_at,
            state: row.state(),
            sight,
            from_blocked,
            may,
            replies,
            more,
        })
    }

    /// Comments at and below row `i` this viewer sees.
    fn count_visible(&self, i: usize) -> u64 {
        if self.sight(&self.rows[i].0) == Sight::Nothing {
            return 0;
        }
        1 + self
            .children
            .get(&self.rows[i].0.id)
            .map(|kids| kids.iter().map(|&k| self.count_visible(k)).sum())
            .unwrap_or(0)
    }
}

impl Store {
    /// The comment limits in force (archive settings).
    pub fn comment_limits(&self) -> Result<ficus_core::comments::CommentLimits, StoreError> {
        Ok(with_conn!(self, |conn| conn.comment_limits())?)
    }

    /// Page `page` (from 1) of a work's comment threads — or one
    /// chapter's — oldest first, [`rules::THREADS_PER_PAGE`] a page, as
    /// `viewer` sees them; with `page` `None`, no threads, only the rest
    /// (whether the viewer may comment, the counts). `NotFound` /
    /// `LogInFirst` as for the work.
    pub fn comment_section(
        &self,
        work_id: i64,
        chapter_id: Option<i64>,
        viewer: Viewer,
        page: Option<u32>,
    ) -> Result<Found<CommentSection>, StoreError> {
        let threads = page.is_some();
        let page = page.unwrap_or(1).max(1);
        let per_page = rules::THREADS_PER_PAGE;
        with_conn!(self, |conn| {
            let Some(work) = conn.comment_work_facts(work_id)? else {
                return Ok(Found::NotFound);
            };
            if viewer.must_log_in(&work.access()) {
                return Ok(Found::LogInFirst);
            }
            if !viewer.may_see(&work.access()) {
                return Ok(Found::NotFound);
            }
            let owner = viewer.owns(&work.access());
            let moderator = privileged(viewer);
            let me = viewer.user_id();
            // The page's roots, in one of two statement shapes (spam
            // shown to moderators or not) whose other conditions are bound
            // values, so each is prepared once per connection.
            let mine = me.unwrap_or(-1);
            let every_chapter = chapter_id.is_none();
            let chapter = chapter_id.unwrap_or(-1);
            let offset = i64::from(page - 1) * i64::from(per_page);
            macro_rules! roots {
                ($spam:expr) => {
                    comments::table
                        .filter(comments::work_id.eq(work_id))
                        .filter(comments::parent_id.is_null())
                        .filter($spam)
                        .filter(
                            comments::unreviewed
                                .eq(false)
                                .or(comments::user_id.eq(mine))
                                .or((owner || moderator).into_sql::<Bool>()),
                        )
                        .filter(
                            comments::chapter_id
                                .eq(chapter)
                                .or(every_chapter.into_sql::<Bool>()),
                        )
                };
            }
            macro_rules! count_and_page {
                ($spam:expr) => {{
                    let total: i64 = roots!($spam).count().get_result(conn)?;
                    let ids: Vec<i64> = roots!($spam)
                        .order(comments::id.asc())
                        .select(comments::id)
                        .limit(i64::from(per_page))
                        .offset(offset)
                        .load(conn)?;
                    (total, ids)
                }};
            }
            let (total_roots, root_ids) = match (threads, moderator) {
                (false, _) => (0, Vec::new()),
                (true, false) => count_and_page!(comments::spam.eq(false)),
                (true, true) => count_and_page!(true.into_sql::<Bool>()),
            };
            let rows = joined_rows(conn, ThreadsOf::Roots(work_id, &root_ids))?;
            let lens = lens(conn, viewer, &work, &rows)?;
            let index: HashMap<i64, usize> =
                rows.iter().enumerate().map(|(i, r)| (r.0.id, i)).collect();
            let items: Vec<CommentNode> = root_ids
                .iter()
                .filter_map(|id| index.get(id))
                .filter_map(|&i| lens.node(i, 0))
                .collect();
            let unreviewed = if owner || moderator {
                let n: i64 = comments::table
                    .filter(comments::work_id.eq(work_id))
                    .filter(comments::unreviewed.eq(true))
                    .filter(comments::spam.eq(false))
                    .count()
                    .get_result(conn)?;
                n.max(0) as u64
            } else {
                0
            };
            Ok(Found::Visible(CommentSection {
                work_id,
                work_title: work.title.clone(),
                chaptered: work.chapter_count > 1,
                total: work.comments_count.max(0) as u64,
                threads: Page {
                    items,
                    page,
                    per_page,
                    total: total_roots.max(0) as u64,
                },
                may_comment: lens.may_comment.clone(),
                unreviewed,
                moderated: work.settings.moderated,
            }))
        })
    }

    /// A comment's own page: it and the replies below it, as `viewer`
    /// sees them.
    pub fn comment_thread(
        &self,
        id: i64,
        viewer: Viewer,
    ) -> Result<Found<CommentThread>, StoreError> {
        with_conn!(self, |conn| {
            let Some(row) = conn.comment_row(id)? else {
                return Ok(Found::NotFound);
            };
            let Some(work) = conn.comment_work_facts(row.work_id)? else {
                return Ok(Found::NotFound);
            };
            if viewer.must_log_in(&work.access()) {
                return Ok(Found::LogInFirst);
            }
            if !viewer.may_see(&work.access()) {
                return Ok(Found::NotFound);
            }
            let rows = joined_rows(conn, ThreadsOf::Thread(row.thread_id))?;
            let lens = lens(conn, viewer, &work, &rows)?;
            let Some(node) = rows
                .iter()
                .position(|r| r.0.id == id)
                .and_then(|i| lens.node(i, 0))
            else {
                return Ok(Found::NotFound);
            };
            Ok(Found::Visible(CommentThread {
                work_id: work.id,
                work_title: work.title.clone(),
                chaptered: work.chapter_count > 1,
                node,
                may_comment: lens.may_comment.clone(),
            }))
        })
    }

    /// A work's comments waiting for approval, oldest first — for its
    /// creators and moderators; `NotFound` for everyone else.
    pub fn unreviewed_comments(
        &self,
        work_id: i64,
        viewer: Viewer,
    ) -> Result<Found<(String, Vec<CommentNode>)>, StoreError> {
        with_conn!(self, |conn| {
            let Some(work) = conn.comment_work_facts(work_id)? else {
                return Ok(Found::NotFound);
            };
            if !viewer.may_see(&work.access())
                || !(viewer.owns(&work.access()) || privileged(viewer))
            {
                return Ok(Found::NotFound);
            }
            let rows = joined_rows(conn, ThreadsOf::Unreviewed(work_id))?;
            let lens = lens(conn, viewer, &work, &rows)?;
            let nodes = (0..rows.len()).filter_map(|i| lens.node(i, 0)).collect();
            Ok(Found::Visible((work.title.clone(), nodes)))
        })
    }

    /// Page `page` of the comments held as spam, newest first, for
    /// moderators (the caller checks the role).
    pub fn spam_queue(&self, viewer: Viewer, page: u32) -> Result<Page<SpamItem>, StoreError> {
        let page = page.max(1);
        let per_page = rules::THREADS_PER_PAGE;
        with_conn!(self, |conn| {
            let total: i64 = comments::table
                .filter(comments::spam.eq(true))
                .count()
                .get_result(conn)?;
            let ids: Vec<i64> = comments::table
                .filter(comments::spam.eq(true))
                .order(comments::id.desc())
                .select(comments::id)
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .load(conn)?;
            let mut items = Vec::with_capacity(ids.len());
            for id in ids {
                let rows = joined_rows(conn, ThreadsOf::One(id))?;
                let Some(first) = rows.first() else {
                    continue;
                };
                let Some(work) = conn.comment_work_facts(first.0.work_id)? else {
                    continue;
                };
                let lens = lens(conn, viewer, &work, &rows)?;
                if let Some(node) = lens.node(0, rules::DISPLAY_DEPTH) {
                    items.push(SpamItem {
                        node,
                        work_title: work.title.clone(),
                        guest_email: first.0.guest_email.clone(),
                    });
                }
            }
            Ok(Page {
                items,
                page,
                per_page,
                total: total.max(0) as u64,
            })
        })
    }
}

/// Which comment rows to load.
pub(super) enum ThreadsOf<'a> {
    /// Every comment in the threads of these roots of a work (ascending).
    Roots(i64, &'a [i64]),
    /// Every comment in one thread.
    Thread(i64),
    /// A work's unreviewed comments.
    Unreviewed(i64),
    /// One comment.
    One(i64),
}

macro_rules! load_joined {
    ($conn:expr, $filter:expr) => {
        load_joined!($conn, $filter, comments::id.asc())
    };
    ($conn:expr, $filter:expr, $order:expr) => {
        comments::table
            .inner_join(chapters::table)
            .left_join(users::table)
            .left_join(pseuds::table)
            .filter($filter)
            .order($order)
            .select((
                CommentRow::as_select(),
                users::login.nullable(),
                pseuds::name.nullable(),
                chapters::position,
                users::pref_guest_replies_off.nullable(),
            ))
            .load::<Joined>($conn)
    };
}

/// Loads comment rows with their authors' names and chapter positions,
/// oldest first (of threads: thread by thread, each oldest first).
fn joined_rows<C>(conn: &mut C, of: ThreadsOf<'_>) -> QueryResult<Vec<Joined>>
where
    C: JoinedRows,
{
    conn.joined_rows(of)
}

pub(super) trait JoinedRows {
    fn joined_rows(&mut self, of: ThreadsOf<'_>) -> QueryResult<Vec<Joined>>;
    /// The accounts `viewer` has blocked, and those who blocked them.
    fn lens_sets(&mut self, viewer: Viewer) -> QueryResult<(HashSet<i64>, HashSet<i64>)>;
}

impl_for_both_backends! {
    impl JoinedRows {
        fn joined_rows(&mut self, of: ThreadsOf<'_>) -> QueryResult<Vec<Joined>> {
            match of {
                ThreadsOf::Roots(_, []) => Ok(Vec::new()),
                // The page's threads, thread by thread, each oldest first —
                // the order of the `comments_work_threads` index, so no
                // sort: replies come after their parents either way. (A
                // span of the work's threads, first root to last, would
                // keep one statement shape but read every other chapter's
                // threads on a chapter's page, and any spam held between
                // them: it was tried and dropped. An `IN` list is prepared
                // afresh each time, about 5% of a comment page.)
                ThreadsOf::Roots(work_id, ids) => load_joined!(
                    self,
                    comments::work_id
                        .eq(work_id)
                        .and(comments::thread_id.eq_any(ids)),
                    (comments::thread_id.asc(), comments::id.asc())
                ),
                ThreadsOf::Thread(t) => load_joined!(
                    self,
                    comments::thread_id.eq(t),
                    (comments::thread_id.asc(), comments::id.asc())
                ),
                ThreadsOf::Unreviewed(w) => load_joined!(
                    self,
                    comments::work_id
                        .eq(w)
                        .and(comments::unreviewed.eq(true))
                        .and(comments::spam.eq(false))
                ),
                ThreadsOf::One(id) => load_joined!(self, comments::id.eq(id)),
            }
        }

        fn lens_sets(&mut self, viewer: Viewer) -> QueryResult<(HashSet<i64>, HashSet<i64>)> {
            // All of the viewer's blocks both ways (a short list), in
            // statements of one shape whatever the page.
            match viewer.user_id() {
                Some(me) => {
                    let mine: Vec<i64> = blocked_users::table
                        .filter(blocked_users::user_id.eq(me))
                        .select(blocked_users::other_id)
                        .load(self)?;
                    let theirs: Vec<i64> = blocked_users::table
                        .filter(blocked_users::other_id.eq(me))
                        .select(blocked_users::user_id)
                        .load(self)?;
                    Ok((mine.into_iter().collect(), theirs.into_iter().collect()))
                }
                None => Ok((HashSet::new(), HashSet::new())),
            }
        }
    }
}

/// Everything the nodes of `rows` need about `viewer`.
pub(super) fn lens<'a, C>(
    conn: &mut C,
    viewer: Viewer,
    work: &'a WorkFacts,
    rows: &'a [Joined],
) -> QueryResult<Lens<'a>>
where
    C: JoinedRows + CommentHelpers,
{
    let (blocked_by_viewer, blocking_viewer) = conn.lens_sets(viewer)?;
    // Guests see which authors refuse their replies (creators of the work
    // do not count: a creator's preference does not close their own work).
    let refusing_guests: HashSet<i64> = if viewer.is_member() {
        HashSet::new()
    } else {
        rows.iter()
            .filter(|r| r.4 == Some(true))
            .filter_map(|r| r.0.user_id)
            .filter(|id| !work.owners.contains(id))
            .collect()
    };
    let limits = conn.comment_limits()?;
    let blocked_by_creator = match viewer.user_id() {
        Some(uid) => conn.blocked_by_any_of(&work.owners, uid)?,
        None => false,
    };
    let may_comment = rules::may_comment(
        viewer,
        &CommentContext {
            work: work.access(),
            settings: work.settings,
            guest_comments_off: limits.guest_comments_off,
            blocked_by_creator,
        },
    );
    let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.0.id, i)).collect();
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut parents = HashSet::new();
    for (i, (row, ..)) in rows.iter().enumerate() {
        if let Some(p) = row.parent_id {
            parents.insert(p);
            if index.contains_key(&p) {
                children.entry(p).or_default().push(i);
            }
        }
    }
    Ok(Lens {
        viewer,
        work,
        may_comment,
        blocked_by_viewer,
        blocking_viewer,
        refusing_guests,
        parents,
        children,
        rows,
    })
}
