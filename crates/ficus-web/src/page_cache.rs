//! Whole work pages as their readers share them, kept rendered.
//!
//! Every guest sees the same work page but for one thing: the form token
//! of their own browser (in the kudos and comment forms). Every plain
//! reading account (see below) with the same preferences and the same
//! relation to the work (bookmarked or not, marked for later or not,
//! subscribed or not) sees the same page but for a few values of its
//! own: its form token, its login (the menu, the subscribe form), the ids
//! of its bookmark, its subscription and its pseud (the comment form). A
//! page is therefore rendered once with a marker in place of each such
//! value ([`PageCache::marker`], random per process), cut at the markers,
//! and served by joining the pieces around the visitor's own values
//! ([`Fill`]): no template, one copy of the bytes, and for an account
//! one read of its own relation to the work (`Store::reader_of_work`).
//!
//! **Who shares a page.** Guests (asking for nothing but the page), and
//! accounts that are plain readers of the work: the plain `user` role, not
//! one of its creators, no blocks either way, no comment of their own on
//! the work (their page would carry their own actions) and one pseud (a
//! choice of pseuds is the account's own). Everyone else's page is
//! rendered for them. An account's relation to the work is read on every
//! request, so it is never stale; the page around it follows the log.
//!
//! **Freshness.** An entry is never checked against the database on the
//! way out; instead, everything the shared part of a work page shows is
//! covered by the change log (`index_log`, written by triggers in the same
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

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ficus_store::{Store, StoreError};

/// The cookie a browser gets after a change it made: the log's
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

/// Which page of a work, as whom: the key of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub work_id: i64,
    /// `/works/{id}/chapters/{chapter}`.
    pub chapter: Option<i64>,
    /// `?view_full_work=true`.
    pub full: bool,
    pub audience: Audience,
}

/// Who shares a kept page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Guest,
    /// Plain reading accounts (see the module's notes) with these
    /// preferences (the two the page shows: the others decide which page
    /// is asked for, or nothing on it) and this relation to the work.
    Reader {
        hide_warnings: bool,
        hide_freeforms: bool,
        bookmarked: bool,
        marked: bool,
        subscribed: bool,
    },
}

/// A value of the visitor's own in a shared page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The form token of the visitor's browser.
    Token,
    /// The account's login.
    Login,
    /// The id of the account's bookmark of the work.
    Bookmark,
    /// The id of the account's subscription to the work.
    Subscription,
    /// The id of the account's pseud (the comment form).
    Pseud,
}

impl Slot {
    const ALL: [Slot; 5] = [
        Slot::Token,
        Slot::Login,
        Slot::Bookmark,
        Slot::Subscription,
        Slot::Pseud,
    ];

    fn digit(self) -> u8 {
        match self {
            Slot::Token => b'0',
            Slot::Login => b'1',
            Slot::Bookmark => b'2',
            Slot::Subscription => b'3',
            Slot::Pseud => b'4',
        }
    }
}

/// The visitor's own values, put into a shared page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fill<'a> {
    pub token: &'a str,
    pub login: Option<&'a str>,
    pub bookmark: Option<i64>,
    pub subscription: Option<i64>,
    pub pseud: Option<i64>,
}

impl<'a> Fill<'a> {
    /// A guest's: their form token.
    pub fn guest(token: &'a str) -> Fill<'a> {
        Fill {
            token,
            ..Fill::default()
        }
    }

    /// The value for `slot`, written into `out`; false when the visitor
    /// has none (the page was kept for another shape: a bug, and the
    /// page is rendered afresh instead).
    fn write(&self, slot: Slot, out: &mut String) -> bool {
        use std::fmt::Write as _;
        match slot {
            Slot::Token => out.push_str(self.token),
            Slot::Login => match self.login {
                Some(l) => out.push_str(l),
                None => return false,
            },
            Slot::Bookmark | Slot::Subscription | Slot::Pseud => {
                let value = match slot {
                    Slot::Bookmark => self.bookmark,
                    Slot::Subscription => self.subscription,
                    _ => self.pseud,
                };
                match value {
                    Some(v) => {
                        let _ = write!(out, "{v}");
                    }
                    None => return false,
                }
            }
        }
        true
    }
}

/// One kept page.
#[derive(Debug)]
pub struct CachedPage {
    /// The page cut at its markers.
    pieces: Vec<String>,
    /// What goes between `pieces[i]` and `pieces[i + 1]`.
    slots: Vec<Slot>,
    /// The generation when the page's read began.
    generation: u64,
    /// The bytes of the pieces together, for their hash (the ETag).
    content_hash: u64,
    /// The work needs the adult-content interstitial first.
    pub adult: bool,
    /// Reading it counts as a hit (a posted, visible work).
    pub counts_hit: bool,
    /// The work's change time (what an account's reading history notes).
    pub changed_at: i64,
}

impl CachedPage {
    /// The page with the visitor's own values in it; `None` when the
    /// visitor lacks one the page needs.
    pub fn filled(&self, fill: &Fill) -> Option<String> {
        let len = self.pieces.iter().map(String::len).sum::<usize>()
            + (fill.token.len() + 8) * self.slots.len();
        let mut out = String::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 && !fill.write(self.slots[i - 1], &mut out) {
                return None;
            }
            out.push_str(piece);
        }
        Some(out)
    }

    /// A strong validator for this page as the visitor with these values
    /// sees it: the same on every node for the same bytes.
    pub fn etag(&self, fill: &Fill) -> String {
        let mut h = DefaultHasher::new();
        (
            fill.token,
            fill.login,
            fill.bookmark,
            fill.subscription,
            fill.pseud,
        )
            .hash(&mut h);
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

/// What a kept page remembers of its work.
#[derive(Debug, Clone, Copy)]
pub struct PageFacts {
    /// The work needs the adult-content interstitial first.
    pub adult: bool,
    /// Reading it counts as a hit.
    pub counts_hit: bool,
    /// The work's change time.
    pub changed_at: i64,
}

/// 17 random digits (from the same source as tokens: no guessable
/// markers).
fn random_marker_base() -> u64 {
    let token = ficus_core::account::random_token();
    let random = u64::from_str_radix(&token[..16], 16).unwrap_or_default();
    10_000_000_000_000_000 + random % 90_000_000_000_000_000
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
    /// What every marker starts with: a minus sign and 17 random digits,
    /// so a marker is also a (negative) number where an id goes.
    marker_base: u64,
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
            marker_base: random_marker_base(),
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

    /// What a shared page is rendered with in place of `slot`'s value:
    /// digits after a minus sign (safe unescaped in text, attributes and
    /// paths, and a number where an id goes).
    pub fn marker(&self, slot: Slot) -> String {
        self.marker_id(slot).to_string()
    }

    /// [`Self::marker`] as an id.
    pub fn marker_id(&self, slot: Slot) -> i64 {
        // 17 digits and one: below i64::MAX.
        -((self.marker_base * 10 + u64::from(slot.digit() - b'0')) as i64)
    }

    fn marker_prefix(&self) -> String {
        format!("-{}", self.marker_base)
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

    /// Keeps `html` (rendered with [`Self::marker`]s for the visitor's
    /// own values, from a read that began at `generation`) under `key`,
    /// and returns the entry to serve this request from.
    pub fn insert(
        &self,
        key: PageKey,
        html: &str,
        generation: u64,
        about: PageFacts,
    ) -> Arc<CachedPage> {
        let (page, whole) = self.cut(html, generation, about);
        if whole && let Some(entries) = &self.entries {
            entries.insert(key, page.clone());
        }
        page
    }

    /// `html` cut at its markers, to fill in for this request only; and
    /// whether it holds nothing but our markers (fit to keep).
    pub fn cut(&self, html: &str, generation: u64, about: PageFacts) -> (Arc<CachedPage>, bool) {
        let prefix = self.marker_prefix();
        let mut parts = html.split(prefix.as_str());
        let mut pieces = vec![parts.next().unwrap_or_default().to_string()];
        let mut slots = Vec::new();
        let mut whole = true;
        for part in parts {
            let slot = part
                .as_bytes()
                .first()
                .and_then(|d| Slot::ALL.into_iter().find(|s| s.digit() == *d));
            match slot {
                Some(slot) => {
                    slots.push(slot);
                    pieces.push(part[1..].to_string());
                }
                // Never rendered by us: keep the text as it was, and do
                // not keep the page.
                None => {
                    whole = false;
                    let last = pieces.len() - 1;
                    pieces[last].push_str(&prefix);
                    pieces[last].push_str(part);
                }
            }
        }
        let mut h = DefaultHasher::new();
        (&pieces, &slots).hash(&mut h);
        let page = Arc::new(CachedPage {
            pieces,
            slots,
            generation,
            content_hash: h.finish(),
            adult: about.adult,
            counts_hit: about.counts_hit,
            changed_at: about.changed_at,
        });
        (page, whole)
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

    fn key(work_id: i64, audience: Audience) -> PageKey {
        PageKey {
            work_id,
            chapter: None,
            full: false,
            audience,
        }
    }

    const FACTS: PageFacts = PageFacts {
        adult: false,
        counts_hit: true,
        changed_at: 0,
    };

    #[test]
    fn a_page_is_served_with_each_visitors_own_token() {
        let cache = PageCache::new(1 << 20, Arc::default(), 0);
        let p = cache.marker(Slot::Token);
        let html = format!("<form><input value=\"{p}\"></form><form value=\"{p}\"></form>");
        let key = key(1, Audience::Guest);
        cache.insert(key, &html, cache.generation(), FACTS);
        let page = cache.get(&key).expect("kept");
        let a = page.filled(&Fill::guest("aaaa")).expect("filled");
        assert_eq!(
            a,
            "<form><input value=\"aaaa\"></form><form value=\"aaaa\"></form>"
        );
        assert!(!a.contains(&p));
        assert_ne!(
            page.etag(&Fill::guest("aaaa")),
            page.etag(&Fill::guest("bbbb"))
        );
        assert_eq!(
            page.etag(&Fill::guest("aaaa")),
            page.etag(&Fill::guest("aaaa"))
        );
    }

    #[test]
    fn an_accounts_page_gets_its_own_login_and_ids() {
        let cache = PageCache::new(1 << 20, Arc::default(), 0);
        let m = |s| cache.marker(s);
        let html = format!(
            "<a href=\"/users/{l}\">Hi, {l}!</a><input value=\"{t}\"><a href=\"/bookmarks/{b}/edit\"></a>\
             <form action=\"/users/{l}/subscriptions/{s}/delete\"></form><input value=\"{p}\">",
            l = m(Slot::Login),
            t = m(Slot::Token),
            b = m(Slot::Bookmark),
            s = m(Slot::Subscription),
            p = m(Slot::Pseud),
        );
        assert!(cache.marker_id(Slot::Pseud) < 0);
        let audience = Audience::Reader {
            hide_warnings: false,
            hide_freeforms: false,
            bookmarked: true,
            marked: false,
            subscribed: true,
        };
        let page = cache.insert(key(3, audience), &html, cache.generation(), FACTS);
        let fill = Fill {
            token: "tok",
            login: Some("reader_1"),
            bookmark: Some(12),
            subscription: Some(34),
            pseud: Some(56),
        };
        assert_eq!(
            page.filled(&fill).expect("filled"),
            "<a href=\"/users/reader_1\">Hi, reader_1!</a><input value=\"tok\"><a href=\"/bookmarks/12/edit\"></a>\
             <form action=\"/users/reader_1/subscriptions/34/delete\"></form><input value=\"56\">"
        );
        // A visitor without a value the page needs is not served from it.
        assert!(page.filled(&Fill::guest("tok")).is_none());
        assert!(cache.get(&key(3, audience)).is_some());
        assert!(cache.get(&key(3, Audience::Guest)).is_none());
    }

    #[test]
    fn a_page_read_before_an_invalidation_is_not_served_after_it() {
        let cache = PageCache::new(1 << 20, Arc::default(), 0);
        let key = key(7, Audience::Guest);
        let before = cache.generation();
        // A change to work 7 is seen while its page is being rendered.
        if let Ok(mut v) = cache.validity.lock() {
            v.generation += 1;
            let g = v.generation;
            v.works.insert(7, g);
        }
        cache.insert(key, "old", before, FACTS);
        assert!(cache.get(&key).is_none(), "rendered from a stale read");
        cache.insert(key, "new", cache.generation(), FACTS);
        assert_eq!(
            cache
                .get(&key)
                .expect("kept")
                .filled(&Fill::guest("t"))
                .as_deref(),
            Some("new")
        );
    }
}
