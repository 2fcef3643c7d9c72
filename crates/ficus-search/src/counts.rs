//! Exact sidebar counts of the big listings without counting them again.
//!
//! Counting the tags of a very large result set (all works, the largest
//! fandom) is what makes a first listing page slow: about fifteen tag
//! values per work, a million works. But readers mostly ask for such a
//! set *minus* something (one excluded tag), at some sort and page — a
//! combination never asked before. Two facts make those cheap:
//!
//! - tantivy's segments never change once written, so the counts over
//!   every document of a segment matching a set can be kept, keyed by
//!   the segment and the set, for as long as the segment lives. Deleted
//!   documents (updated or removed works) are subtracted per request:
//!   they are few, and each is checked against the set directly.
//! - counts(A minus X) = counts(A) − counts(A and X), where "A and X" is
//!   small (the works of one tag within A) and counted the ordinary way.
//!
//! So a new combination costs the kept counts plus one small count, and
//! the counts stay exact: nothing is estimated, nothing goes stale (a
//! commit adds new small segments, counted once; merged-away segments'
//! entries are dropped).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED};

/// Memory for kept counts: a million works' sets take some megabytes each.
const KEPT_BYTES: usize = 96 * 1024 * 1024;

/// One segment's counts for one set, over all its documents (deleted
/// ones included).
#[derive(Debug)]
pub(crate) struct SegmentCounts {
    total: u64,
    /// (facet value, count), ascending by value.
    facets: Vec<(u64, u32)>,
    /// Which documents match, one bit each.
    members: Vec<u64>,
    /// [`SegmentCounts::checkpoints`] already counted.
    checkpoints: Mutex<HashMap<CheckpointKey, Arc<Vec<usize>>>>,
}

/// (sort field, checkpoint spacing, deleted documents of the segment
/// when counted): a segment's deletions only grow, so their number tells
/// whether a count still holds.
type CheckpointKey = (&'static str, usize, u32);

impl SegmentCounts {
    /// Whether document `doc` of the segment matches (deleted or not).
    pub(crate) fn contains(&self, doc: DocId) -> bool {
        self.members
            .get(doc as usize / 64)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    /// The set's live members before each checkpoint of a sort order
    /// (every `spacing` documents of `field`'s kept order, and the end),
    /// counted by `count` once per (field, spacing, deletions) and kept
    /// with the counts: the middle of a big listing then needs no pass
    /// over its members per request.
    pub(crate) fn checkpoints(
        &self,
        key: CheckpointKey,
        count: impl FnOnce() -> Vec<usize>,
    ) -> Arc<Vec<usize>> {
        let lock = || self.checkpoints.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = lock().get(&key) {
            return kept.clone();
        }
        let counted = Arc::new(count());
        let mut kept = lock();
        // Counts for fewer deletions than now are stale.
        kept.retain(|k, _| k.0 != key.0 || k.1 != key.1 || k.2 > key.2);
        kept.insert(key, counted.clone());
        counted
    }
}

type CountKey = (SegmentId, String);

impl SegmentCounts {
    /// Bytes held.
    fn weight(&self) -> usize {
        self.facets.len() * 16 + self.members.len() * 8 + 64
    }
}

/// Kept per-segment counts, by (segment, set key): trimmed to the live
/// segments after each change ([`CountCache::retain`]); past
/// [`KEPT_BYTES`] everything is dropped and counted again as asked.
#[derive(Default)]
pub(crate) struct CountCache {
    entries: Mutex<(usize, HashMap<CountKey, Arc<SegmentCounts>>)>,
}

/// A set's exact counts over the live documents of a searcher.
#[derive(Debug, Default)]
pub(crate) struct SetCounts {
    pub total: u64,
    /// (facet value, count), count > 0, in no particular order.
    pub facets: Vec<(u64, u32)>,
}

impl CountCache {
    /// The exact total and tag counts of the live documents matching
    /// `query` (whose identity is `key`) on `searcher`.
    pub(crate) fn counts(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        key: &str,
    ) -> tantivy::Result<SetCounts> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut total: i64 = 0;
        // Summed in a dense table by tag id (a facet value is the tag id
        // and its type): a million works carry some tens of thousands of
        // distinct tags, and hashing each segment's list would cost more.
        // The table is the thread's own, kept between requests (zeroing
        // megabytes per request showed as page faults).
        let mut sums = Dense::take();
        for segment in searcher.segment_readers() {
            let kept = self.segment(segment, &*weight, key)?;
            total += kept.total as i64;
            for &(v, n) in &kept.facets {
                sums.add(v, i64::from(n));
            }
            // Deleted documents were counted with the segment: take away
            // those that match.
            if segment.num_deleted_docs() > 0 {
                let (gone, gone_facets) = deleted_matches(segment, &*weight)?;
                total -= gone as i64;
                for (v, n) in gone_facets {
                    sums.add(v, -i64::from(n));
                }
            }
        }
        let facets = sums.positive();
        sums.give_back();
        Ok(SetCounts {
            total: total.max(0) as u64,
            facets,
        })
    }

    /// One segment's kept counts for the set `key` (counted now if not
    /// kept).
    pub(crate) fn segment(
        &self,
        segment: &SegmentReader,
        weight: &dyn Weight,
        key: &str,
    ) -> tantivy::Result<Arc<SegmentCounts>> {
        let id = (segment.segment_id(), key.to_string());
        if let Some(kept) = self.lock().1.get(&id) {
            return Ok(kept.clone());
        }
        let counted = Arc::new(count_all(segment, weight)?);
        let mut entries = self.lock();
        if entries.0 + counted.weight() > KEPT_BYTES {
            entries.1.clear();
            entries.0 = 0;
        }
        entries.0 += counted.weight();
        if let Some(old) = entries.1.insert(id, counted.clone()) {
            entries.0 -= old.weight();
        }
        Ok(counted)
    }

    /// Forgets the counts of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        let mut entries = self.lock();
        let (bytes, map) = &mut *entries;
        map.retain(|(s, _), kept| {
            let keep = live.contains(s);
            if !keep {
                *bytes -= kept.weight();
            }
            keep
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, HashMap<CountKey, Arc<SegmentCounts>>)> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Signed counts by facet value, in a table indexed by tag id.
#[derive(Default)]
pub(crate) struct Dense {
    counts: Vec<i64>,
    values: Vec<u64>,
    touched: Vec<usize>,
}

thread_local! {
    static SPARE: std::cell::RefCell<Option<Dense>> = const { std::cell::RefCell::new(None) };
}

impl Dense {
    /// This thread's table, empty.
    pub(crate) fn take() -> Dense {
        SPARE.with(|s| s.borrow_mut().take()).unwrap_or_default()
    }

    /// Empties the table (only the slots used) and keeps it for the
    /// thread's next request.
    pub(crate) fn give_back(mut self) {
        for &slot in &self.touched {
            self.counts[slot] = 0;
            self.values[slot] = 0;
        }
        self.touched.clear();
        SPARE.with(|s| *s.borrow_mut() = Some(self));
    }

    pub(crate) fn add(&mut self, value: u64, n: i64) {
        let slot = (value >> 3) as usize;
        if slot >= self.counts.len() {
            let len = (slot + 1).next_power_of_two();
            self.counts.resize(len, 0);
            self.values.resize(len, 0);
        }
        if self.values[slot] == 0 && self.counts[slot] == 0 {
            self.touched.push(slot);
        }
        self.values[slot] = value;
        self.counts[slot] += n;
    }

    /// The values whose count is above zero.
    pub(crate) fn positive(&self) -> Vec<(u64, u32)> {
        self.touched
            .iter()
            .filter(|&&s| self.counts[s] > 0)
            .map(|&s| {
                (
                    self.values[s],
                    u32::try_from(self.counts[s]).unwrap_or(u32::MAX),
                )
            })
            .collect()
    }
}

/// Counts over every document of `segment` matching (deleted included).
fn count_all(segment: &SegmentReader, weight: &dyn Weight) -> tantivy::Result<SegmentCounts> {
    let column = segment.fast_fields().u64("facet_tags")?;
    let mut scorer = weight.scorer(segment, 1.0)?;
    let mut counts: Vec<u32> = Vec::new();
    let mut touched: Vec<u64> = Vec::new();
    let mut total = 0u64;
    let mut members = vec![0u64; (segment.max_doc() as usize).div_ceil(64)];
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        total += 1;
        members[doc as usize / 64] |= 1 << (doc % 64);
        crate::collect::count_values(&mut counts, &mut touched, column.values_for_doc(doc));
        doc = scorer.advance();
    }
    let mut facets: Vec<(u64, u32)> = touched
        .into_iter()
        .map(|v| (v, counts[(v >> 3) as usize]))
        .collect();
    facets.sort_unstable();
    Ok(SegmentCounts {
        total,
        facets,
        members,
        checkpoints: Mutex::default(),
    })
}

/// The deleted documents of `segment` that match, and their tag counts.
fn deleted_matches(
    segment: &SegmentReader,
    weight: &dyn Weight,
) -> tantivy::Result<(u64, HashMap<u64, u32>)> {
    let Some(alive) = segment.alive_bitset() else {
        return Ok((0, HashMap::new()));
    };
    let column = segment.fast_fields().u64("facet_tags")?;
    let mut scorer = weight.scorer(segment, 1.0)?;
    let mut gone = 0u64;
    let mut facets: HashMap<u64, u32> = HashMap::new();
    for doc in 0..segment.max_doc() as DocId {
        if !alive.is_deleted(doc) {
            continue;
        }
        let mut at = scorer.doc();
        if at == TERMINATED {
            break;
        }
        if at < doc {
            at = scorer.seek(doc);
        }
        if at == doc {
            gone += 1;
            for v in column.values_for_doc(doc) {
                *facets.entry(v).or_insert(0) += 1;
            }
        }
    }
    Ok((gone, facets))
}
