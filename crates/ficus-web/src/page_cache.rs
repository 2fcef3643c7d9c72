//! Whole work pages as guests see them, kept rendered.
//!
//! Every guest sees the same work page but for one thing: the form token
//! of their own browser (in the kudos and comment forms). A page is
//! therefore rendered once with a placeholder where the token goes
//! ([`PageCache::placeholder`], random per process), cut at the
//! placeholder, and served by joining the pieces around each guest's own
//! token: no database read, no template, one copy of the bytes.
//!
//! **Freshness.** An entry is never checked against the database on the
//! way out; instead, everything a guest's work page shows is covered by
//! the change log (`index_log`, written by triggers in the same
//! transaction as each change: the work row and its counts, chapters,
//! creators, tags, series, collections, gifts, bookmarks, comments through
//! `comments_version`; renamed accounts and pseuds and the archive's
//! settings write an entry that names nothing, meaning "every page").
//! This node follows the log ([`PageCache::catch_up`]): after every
//! state-changing request it handles, before the response goes out (so
//! the writer's next request sees their change), and every 200 ms
//! for changes made elsewhere (other nodes, the command line), so every
//! node drops a changed page within moments.
//!
//! **No stale insert.** A page rendered from a read that began before a
//! change committed must not be kept after the change was seen. Each
//! invalidation takes a new generation number; a page remembers the
//! generation current when its read began, and is served only while no
//! invalidation of its work (or of everything) is newer.
//!
//! Accounts are not served from here: their pages carry their own menu,
//! kudos and bookmark state, blocks and restricted works.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ficus_store::{Store, StoreError};

/// The cookie a guest's browser gets after a change it made: the log's
/// head then. A node that has read less of the log reads it before
/// serving that browser a kept page, so the writer sees their change on
/// the next request whichever node answers.
pub const SEEN_COOKIE: &str = "ficus_seen";

/// Log entries read per round.
const LOG_BATCH: i64 = 5_000;
/// How long a gap in the log's sequence numbers may stay open before the
/// follower moves past it (and drops every page, to be safe). On
/// PostgreSQL a sequence number is taken before its transaction commits,
/// so a later number can be visible first.
const GAP_PATIENCE: Duration = Duration::from_secs(10);
/// Works whose invalidation is remembered one by one; beyond it the
/// follower forgets them all and drops every page instead.
const MAX_TRACKED: usize = 100_000;
/// How often a node looks at the log when nothing wakes it.
pub const POLL: Duration = Duration::from_millis(200);

/// Which page of a work: the key of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub work_id: i64,
    /// `/works/{id}/chapters/{chapter}`.
    pub chapter: Option<i64>,
    /// `?view_full_work=true`.
    pub full: bool,
}

/// One kept page.
#[derive(Debug)]
pub struct CachedPage {
    /// The page cut where the form token goes.
    pieces: Vec<String>,
    /// The generation when the page's read began.
    generation: u64,
    /// The bytes of the pieces together, for their hash (the ETag).
    content_hash: u64,
    /// The work needs the adult-content interstitial first.
    pub adult: bool,
    /// Reading it counts as a hit (a posted, visible work).
    pub counts_hit: bool,
}

impl CachedPage {
    /// The page with `token` in its forms.
    pub fn with_token(&self, token: &str) -> String {
        let len = self.pieces.iter().map(String::len).sum::<usize>()
            + token.len() * self.pieces.len().saturating_sub(1);
        let mut out = String::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(token);
            }
            out.push_str(piece);
        }
        out
    }

    /// A strong validator for this page as the browser with `token`
    /// sees it: the same on every node for the same bytes.
    pub fn etag(&self, token: &str) -> String {
        let mut h = DefaultHasher::new();
        token.hash(&mut h);
        format!("\"w{:016x}{:016x}\"", self.content_hash, h.finish())
    }
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<PageKey, Arc<CachedPage>> for ByBytes {
    fn weight(&self, _key: &PageKey, value: &Arc<CachedPage>) -> u64 {
        value.pieces.iter().map(|p| p.len() as u64).sum::<u64>() + 256
    }
}

/// What was invalidated when.
#[derive(Debug, Default)]
struct Validity {
    generation: u64,
    /// The last "every page" invalidation.
    everything_at: u64,
    /// The last invalidation of each work.
    works: HashMap<i64, u64>,
}

/// How far this node has followed the log.
#[derive(Debug)]
struct Follow {
    seen: i64,
    gap_since: Option<Instant>,
}

/// Rendered guest work pages, bounded by bytes.
pub struct PageCache {
    entries: Option<quick_cache::sync::Cache<PageKey, Arc<CachedPage>, ByBytes>>,
    validity: Mutex<Validity>,
    follow: Mutex<Follow>,
    placeholder: String,
    /// How far the log has been read, shared with this node's indexer:
    /// the position the node records in `index_consumers` (below which
    /// the log may be pruned) never passes it.
    hold: Arc<AtomicI64>,
}

impl PageCache {
    /// A cache of up to `bytes` of pages (0 keeps nothing) that follows
    /// the log from `start` (the position this node's index holds: on
    /// PostgreSQL, entries below the log's head may still be committing),
    /// telling this node's indexer how far through `hold`.
    pub fn new(bytes: u64, hold: Arc<AtomicI64>, start: i64) -> PageCache {
        let entries = (bytes > 0).then(|| {
            // A work page is 10–100 KB.
            let estimated = usize::try_from(bytes / 32_768)
                .unwrap_or(usize::MAX)
                .max(16);
            quick_cache::sync::Cache::with_weighter(estimated, bytes, ByBytes)
        });
        if entries.is_some() {
            hold.store(start, Ordering::Release);
        }
        PageCache {
            entries,
            validity: Mutex::default(),
            follow: Mutex::new(Follow {
                seen: start,
                gap_since: None,
            }),
            placeholder: ficus_core::account::random_token(),
            hold,
        }
    }

    /// How far this node has read the log.
    pub fn seen(&self) -> i64 {
        self.hold.load(Ordering::Acquire)
    }

    /// Whether pages are kept at all.
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// What a page is rendered with in place of the form token.
    pub fn placeholder(&self) -> &str {
        &self.placeholder
    }

    /// The generation to note before reading what a page shows.
    pub fn generation(&self) -> u64 {
        self.validity().generation
    }

    /// The invalidations (a panic elsewhere never stops them).
    fn validity(&self) -> std::sync::MutexGuard<'_, Validity> {
        self.validity.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept page under `key`, unless its work changed since.
    pub fn get(&self, key: &PageKey) -> Option<Arc<CachedPage>> {
        let page = self.entries.as_ref()?.get(key)?;
        let valid = {
            let v = self.validity();
            page.generation >= v.everything_at
                && v.works
                    .get(&key.work_id)
                    .is_none_or(|at| page.generation >= *at)
        };
        valid.then_some(page)
    }

    /// Keeps `html` (rendered with [`Self::placeholder`] for the token,
    /// from a read that began at `generation`) under `key`, and returns
    /// the entry to serve this request from.
    pub fn insert(
        &self,
        key: PageKey,
        html: &str,
        generation: u64,
        adult: bool,
        counts_hit: bool,
    ) -> Arc<CachedPage> {
        let pieces: Vec<String> = html.split(&self.placeholder).map(str::to_string).collect();
        let mut h = DefaultHasher::new();
        pieces.hash(&mut h);
        let page = Arc::new(CachedPage {
            pieces,
            generation,
            content_hash: h.finish(),
            adult,
            counts_hit,
        });
        if let Some(entries) = &self.entries {
            entries.insert(key, page.clone());
        }
        page
    }

    /// Pages kept now (tests and statistics).
    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, |e| e.len())
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every page (when the log could not be read, to be safe).
    pub fn forget_all(&self) {
        let mut v = self.validity();
        v.generation += 1;
        v.works.clear();
        v.everything_at = v.generation;
    }

    /// [`Self::catch_up`], dropping every page when the log cannot be read.
    pub fn catch_up_or_forget(&self, store: &Store) {
        if let Err(e) = self.catch_up(store) {
            tracing::warn!(error = %e, "page cache: reading the change log failed; dropping every page");
            self.forget_all();
        }
    }

    /// Reads the log entries this node has not seen and drops the pages
    /// they change. One caller at a time; cheap when nothing changed
    /// (one indexed read).
    pub fn catch_up(&self, store: &Store) -> Result<(), StoreError> {
        if self.entries.is_none() {
            return Ok(());
        }
        let mut follow = self.follow.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let entries = store.index_log_after(follow.seen, LOG_BATCH)?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                break;
            };
            let mut everything = false;
            {
                let mut v = self.validity();
                v.generation += 1;
                let g = v.generation;
                for e in &entries {
                    match e.work_id {
                        Some(work) if e.tag_id.is_none() => {
                            v.works.insert(work, g);
                        }
                        // A tag's wrangling changes the pages of every
                        // work under it; an entry naming nothing is a
                        // change every page shows.
                        _ => everything = true,
                    }
                }
                if everything || v.works.len() > MAX_TRACKED {
                    v.works.clear();
                    v.everything_at = g;
                }
            }
            // Move through the entries that follow on without a gap.
            let mut next = follow.seen;
            for e in &entries {
                if e.seq != next + 1 {
                    break;
                }
                next = e.seq;
            }
            if next == follow.seen {
                // A gap right after what was seen: an open transaction
                // (PostgreSQL), or rows pruned. The entries after it were
                // dropped above and will be again; move past the gap only
                // when it has stayed open too long, dropping every page.
                let since = *follow.gap_since.get_or_insert_with(Instant::now);
                if since.elapsed() < GAP_PATIENCE {
                    break;
                }
                // Past this gap only; a later one gets its own wait.
                self.forget_all();
                follow.gap_since = None;
                follow.seen = entries[0].seq - 1;
                continue;
            }
            follow.gap_since = None;
            follow.seen = next;
            if (entries.len() as i64) < LOG_BATCH && next == last {
                break;
            }
        }
        self.hold.store(follow.seen, Ordering::Release);
        Ok(())
    }
}

/// Follows the log every [`POLL`] for changes made elsewhere.
pub async fn follow_the_log(state: crate::AppState) {
    if !state.pages.enabled() {
        return;
    }
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let pages = state.pages.clone();
        let store = state.store.clone();
        let _ = tokio::task::spawn_blocking(move || pages.catch_up_or_forget(&store)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_with_each_visitors_own_token() {
        let cache = PageCache::new(1 << 20, Arc::default(), 0);
        let p = cache.placeholder().to_string();
        let html = format!("<form><input value=\"{p}\"></form><form value=\"{p}\"></form>");
        let key = PageKey {
            work_id: 1,
            chapter: None,
            full: false,
        };
        cache.insert(key, &html, cache.generation(), false, true);
        let page = cache.get(&key).expect("kept");
        let a = page.with_token("aaaa");
        assert_eq!(
            a,
            "<form><input value=\"aaaa\"></form><form value=\"aaaa\"></form>"
        );
        assert!(!a.contains(&p));
        assert_ne!(page.etag("aaaa"), page.etag("bbbb"));
        assert_eq!(page.etag("aaaa"), page.etag("aaaa"));
    }

    #[test]
    fn a_page_read_before_an_invalidation_is_not_served_after_it() {
        let cache = PageCache::new(1 << 20, Arc::default(), 0);
        let key = PageKey {
            work_id: 7,
            chapter: None,
            full: false,
        };
        let before = cache.generation();
        // A change to work 7 is seen while its page is being rendered.
        if let Ok(mut v) = cache.validity.lock() {
            v.generation += 1;
            let g = v.generation;
            v.works.insert(7, g);
        }
        cache.insert(key, "old", before, false, true);
        assert!(cache.get(&key).is_none(), "rendered from a stale read");
        cache.insert(key, "new", cache.generation(), false, true);
        assert_eq!(cache.get(&key).expect("kept").with_token("t"), "new");
    }
}
