//! Rendered comment threads of work pages, kept for the viewers who all
//! see the same page: guests, and accounts that are plain readers of the
//! work (see below).
//!
//! A work's comments change far more rarely than they are read, and a page
//! of 25 threads is most of a commented work page's cost (reading, the
//! rules, rendering ~100 KB). An entry is keyed on everything the guest's
//! view of the threads depends on — the work, the chapter, the page, the
//! full-work flag, the work's `comments_version` (moved by database
//! triggers in the same transaction as any change a thread shows: a
//! comment written, edited, moderated or deleted; a commenter's name or
//! preference; a chapter's position), its comment settings and owners,
//! and the archive's guest-comment switch. A change therefore makes a new
//! key rather than an invalidation: every node reads the version with the
//! work on each request, so none can show a stale page, and old entries
//! age out of the bounded cache.
//!
//! An account is served from it only as a plain reader of the work: not
//! one of its creators, not a moderator or admin, no blocks either way
//! and no comment of its own on the work (`ReaderOfWork::plain_comments`, from `Store::session_reader_of_work`).
//! Every such account sees the same page — replies open to accounts, no
//! edit or delete link, no moderation button — so they share one entry.
//! Anyone else's page carries their own actions (with their form token),
//! blocks or held comments, and is rendered for them.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use ficus_core::comments::CommentRefusal;
use ficus_store::WorkRecord;

/// What one cache entry is found by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommentsKey {
    work_id: i64,
    chapter: Option<i64>,
    full: bool,
    /// `None`: the threads are folded (only the counts and the form).
    page: Option<u32>,
    comments_version: i64,
    changed_at: i64,
    chapter_count: i32,
    /// The work's comment settings, its state and its owners, hashed.
    work_state: u64,
    viewer: ViewerClass,
}

/// Whose view an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewerClass {
    /// Guests, under the archive's guest-comment switch.
    Guest { guest_comments_off: bool },
    /// Plain reading accounts (see the module's notes).
    PlainAccount,
}

impl CommentsKey {
    /// The key of one class of viewer's view of `work`'s comments.
    pub fn of(
        work: &WorkRecord,
        chapter: Option<i64>,
        full: bool,
        page: Option<u32>,
        viewer: ViewerClass,
    ) -> CommentsKey {
        let mut h = DefaultHasher::new();
        (
            work.comments.permission,
            work.comments.moderated,
            work.posted,
            work.restricted,
            work.hidden,
            &work.owners,
        )
            .hash(&mut h);
        CommentsKey {
            work_id: work.id,
            chapter,
            full,
            page,
            comments_version: work.comments_version,
            changed_at: work.changed_at,
            chapter_count: work.chapter_count,
            work_state: h.finish(),
            viewer,
        }
    }
}

/// A work page's comment part as one class of viewer sees it.
#[derive(Debug, Clone)]
pub struct RenderedComments {
    /// The threads' markup (`ol.thread`); empty when they are folded.
    pub threads_html: String,
    /// The page shown, and how many pages there are.
    pub page: u32,
    pub pages: u32,
    /// The work's "Comments (N)".
    pub total: u64,
    /// Whether the viewer may post a comment, or why not.
    pub may_comment: Result<(), CommentRefusal>,
    /// Comments wait for a creator's approval.
    pub moderated: bool,
    /// Comments waiting for approval (creators and moderators only).
    pub unreviewed: u64,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<CommentsKey, Arc<RenderedComments>> for ByBytes {
    fn weight(&self, _key: &CommentsKey, value: &Arc<RenderedComments>) -> u64 {
        // The markup and the entry around it.
        value.threads_html.len() as u64 + 256
    }
}

/// The cache: bounded by the bytes of markup it holds.
pub struct CommentCache {
    entries: Option<quick_cache::sync::Cache<CommentsKey, Arc<RenderedComments>, ByBytes>>,
}

impl CommentCache {
    /// A cache of up to `bytes` of markup; 0 keeps nothing.
    pub fn new(bytes: u64) -> CommentCache {
        let entries = (bytes > 0).then(|| {
            // Estimated entries: a page of threads is ~100 KB, a folded
            // part a few hundred bytes.
            let estimated = usize::try_from(bytes / 4096).unwrap_or(usize::MAX).max(16);
            quick_cache::sync::Cache::with_weighter(estimated, bytes, ByBytes)
        });
        CommentCache { entries }
    }

    /// The entry under `key`, if kept.
    pub fn get(&self, key: &CommentsKey) -> Option<Arc<RenderedComments>> {
        self.entries.as_ref()?.get(key)
    }

    /// Keeps `value` under `key`.
    pub fn insert(&self, key: CommentsKey, value: Arc<RenderedComments>) {
        if let Some(entries) = &self.entries {
            entries.insert(key, value);
        }
    }

    /// Entries kept now (for tests and statistics).
    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, |e| e.len())
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
