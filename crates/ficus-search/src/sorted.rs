//! Pages of the big listings taken in sort order, without a pass over
//! every match.
//!
//! A page of "all works minus one tag" by kudos needs the first twenty of
//! a million matches. Each segment keeps, per sort field, its documents in
//! that field's order (built once: segments never change), and the set's
//! members as a bitset (kept with its counts, [`crate::counts`]). A page
//! then walks a segment's order from the near end, taking the documents
//! that are alive, in the set and not excluded, until it has enough; the
//! segments' takes are merged. Deep pages walk from the far end (the
//! total is known exactly beforehand), so the last page costs what the
//! first does; pages near the middle of a huge set (further than
//! [`WALK_UP_TO`] from both ends) are found by rank (`middle`): the
//! set's matches before each checkpoint of the order (kept), less the
//! excluded ones, a binary search over checkpoint keys, and a short walk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::Column;
use tantivy::fastfield::AliveBitSet;
use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED};

use crate::collect::{Entry, ListingFruit, id_of, order};
use crate::counts::SegmentCounts;

type OrderKey = (SegmentId, &'static str);

/// One segment's documents in one field's order.
pub(crate) struct SortOrder {
    /// The documents, ascending by (value, work id).
    docs: Vec<DocId>,
    /// Each document's place in `docs`, made on first use (by a page in
    /// the middle of a big set).
    places: std::sync::OnceLock<Vec<u32>>,
}

impl SortOrder {
    fn places(&self) -> &[u32] {
        self.places.get_or_init(|| {
            let mut places = vec![0u32; self.docs.len()];
            for (place, &doc) in self.docs.iter().enumerate() {
                places[doc as usize] = place as u32;
            }
            places
        })
    }
}

/// Each live segment's documents in each sort field's order (four bytes a
/// document per field: 40 MB for a million works and ten fields). Kept
/// whole, whatever a segment's size, and trimmed to the live segments
/// after each change ([`SortOrders::retain`]).
#[derive(Default)]
pub(crate) struct SortOrders {
    entries: Mutex<HashMap<OrderKey, Arc<SortOrder>>>,
}

impl SortOrders {
    /// The segment's documents (deleted ones too) ascending by the field
    /// `field`, then by work id: the ascending order of a listing.
    pub(crate) fn of(
        &self,
        segment: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<SortOrder>> {
        let key = (segment.segment_id(), field);
        if let Some(kept) = self.lock().get(&key) {
            return Ok(kept.clone());
        }
        let fast = segment.fast_fields();
        let values = fast.u64(field)?;
        let ids = fast.u64("id")?;
        let mut all: Vec<(u64, u64, DocId)> = (0..segment.max_doc())
            .map(|d| (values.first(d).unwrap_or(0), ids.first(d).unwrap_or(0), d))
            .collect();
        all.sort_unstable();
        let order = Arc::new(SortOrder {
            docs: all.into_iter().map(|(_, _, d)| d).collect(),
            places: std::sync::OnceLock::new(),
        });
        self.lock().insert(key, order.clone());
        Ok(order)
    }

    /// Forgets the orders of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|(s, _), _| live.contains(s));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<OrderKey, Arc<SortOrder>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a page walk needs of one segment.
pub(crate) struct SegmentWalk<'a> {
    pub segment: &'a SegmentReader,
    pub order: Arc<SortOrder>,
    pub members: Arc<SegmentCounts>,
    /// What the request takes away (any excluded tag or creator).
    pub excluded: Option<&'a dyn Weight>,
}

/// Pages at most this far from either end of the set are walked from
/// that end; a page further in is found by rank ([`middle`]).
pub(crate) const WALK_UP_TO: usize = 10_000;

/// The page `[offset, offset + limit)` of a set of exactly `total`
/// matches ordered by `field` (`descending` or not), from the segments'
/// kept orders: walked from an end when within `walk_up_to` of it,
/// otherwise found by rank.
pub(crate) fn page(
    walks: &[SegmentWalk<'_>],
    field: &'static str,
    descending: bool,
    offset: usize,
    limit: usize,
    total: usize,
    walk_up_to: usize,
) -> tantivy::Result<ListingFruit> {
    let start = offset.min(total);
    let end = offset.saturating_add(limit).min(total);
    if start >= end {
        return Ok(ListingFruit {
            total,
            ..ListingFruit::default()
        });
    }
    let readings = walks
        .iter()
        .map(|w| Reading::of(w, field))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let window: Vec<Entry> = if end <= walk_up_to || total - start <= walk_up_to {
        near_end(&readings, descending, start, end, total)
    } else {
        // Positions in the kept (ascending) order.
        let (lo, count) = if descending {
            (total - end, end - start)
        } else {
            (start, end - start)
        };
        let mut keys = middle(&readings, lo, count, walk_up_to.clamp(4, CHECK));
        if descending {
            keys.reverse();
        }
        keys.into_iter()
            .map(|(v, id)| (order(v, descending), order(id, descending)))
            .collect()
    };
    let next = if end < total {
        window.last().copied()
    } else {
        None
    };
    Ok(ListingFruit {
        total,
        ids: window
            .iter()
            .map(|(_, id)| id_of(*id, descending))
            .collect(),
        facets: Vec::new(),
        next,
    })
}

/// Counts a set's matches before the checkpoints of a field's order, and
/// each document's place in that order, ahead of the first page in the
/// middle of the set.
pub(crate) fn warm_middle(walk: &SegmentWalk<'_>, field: &'static str) -> tantivy::Result<()> {
    let r = Reading::of(walk, field)?;
    r.before_checks(CHECK);
    r.sort.places();
    Ok(())
}

/// One segment's kept order with what decides which of its documents
/// a page may show.
struct Reading<'a> {
    field: &'static str,
    order: &'a [DocId],
    sort: &'a SortOrder,
    deleted: u32,
    values: Column<u64>,
    ids: Column<u64>,
    members: &'a SegmentCounts,
    alive: Option<&'a AliveBitSet>,
    excluded: Option<Vec<u64>>,
}

impl<'a> Reading<'a> {
    fn of(w: &'a SegmentWalk<'a>, field: &'static str) -> tantivy::Result<Reading<'a>> {
        let fast = w.segment.fast_fields();
        Ok(Reading {
            field,
            order: &w.order.docs,
            sort: &w.order,
            deleted: w.segment.num_deleted_docs(),
            values: fast.u64(field)?,
            ids: fast.u64("id")?,
            members: &w.members,
            alive: w.segment.alive_bitset(),
            excluded: match w.excluded {
                Some(weight) => Some(bits(w.segment, weight)?),
                None => None,
            },
        })
    }

    /// Alive, in the set and not excluded.
    fn keep(&self, doc: DocId) -> bool {
        self.live_member(doc)
            && self
                .excluded
                .as_ref()
                .is_none_or(|x| x[doc as usize / 64] & (1 << (doc % 64)) == 0)
    }

    /// Alive and in the set (excluded or not).
    fn live_member(&self, doc: DocId) -> bool {
        self.members.contains(doc) && self.alive.is_none_or(|a| a.is_alive(doc))
    }

    /// The matches before each checkpoint (every `check` documents of the
    /// order, and its end): the set's live members, counted once and
    /// kept with the set's counts, less the excluded ones, found by
    /// their places in the order.
    fn before_checks(&self, check: usize) -> Vec<usize> {
        let kept = self
            .members
            .checkpoints((self.field, check, self.deleted), || {
                let mut so_far = Vec::with_capacity(self.order.len() / check + 2);
                let mut n = 0;
                for block in self.order.chunks(check) {
                    so_far.push(n);
                    n += block.iter().filter(|&&doc| self.live_member(doc)).count();
                }
                so_far.push(n);
                so_far
            });
        let mut so_far = (*kept).clone();
        let Some(excluded) = &self.excluded else {
            return so_far;
        };
        // An excluded match in block b is one fewer before checkpoints b+1..
        let places = self.sort.places();
        let mut gone = vec![0usize; so_far.len() + 1];
        for (i, &word) in excluded.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let doc = (i * 64) as DocId + bits.trailing_zeros();
                bits &= bits - 1;
                if self.live_member(doc) {
                    gone[places[doc as usize] as usize / check + 1] += 1;
                }
            }
        }
        let mut less = 0;
        for (n, g) in so_far.iter_mut().zip(&gone) {
            less += g;
            *n -= less;
        }
        so_far
    }

    /// The document's place in the ascending order: (value, work id).
    fn key(&self, doc: DocId) -> (u64, u64) {
        (
            self.values.first(doc).unwrap_or(0),
            self.ids.first(doc).unwrap_or(0),
        )
    }

    /// The listing's entry for `doc`.
    fn entry(&self, doc: DocId, descending: bool) -> Entry {
        let (v, id) = self.key(doc);
        (order(v, descending), order(id, descending))
    }
}

/// A page near an end of the listing: each segment gives its first
/// matches from that end, and the merged takes are cut to the page.
fn near_end(
    readings: &[Reading<'_>],
    descending: bool,
    start: usize,
    end: usize,
    total: usize,
) -> Vec<Entry> {
    let from_start = end <= total - start;
    let take = if from_start { end } else { total - start };
    // The listing's order is the field ascending, or descending (the kept
    // order reversed).
    let forward = from_start != descending;
    let mut taken: Vec<Entry> = Vec::new();
    for r in readings {
        let docs: Box<dyn Iterator<Item = &DocId>> = if forward {
            Box::new(r.order.iter())
        } else {
            Box::new(r.order.iter().rev())
        };
        taken.extend(
            docs.filter(|&&doc| r.keep(doc))
                .take(take)
                .map(|&doc| r.entry(doc, descending)),
        );
    }
    taken.sort_unstable();
    if from_start {
        taken[start.min(taken.len())..end.min(taken.len())].to_vec()
    } else {
        // The last `take` entries of all are positions start..total.
        let first = taken.len().saturating_sub(take);
        let tail = &taken[first..];
        tail[..(end - start).min(tail.len())].to_vec()
    }
}

/// Every this many documents of a segment's order, [`middle`] counts
/// the matches so far and takes the key as a candidate threshold (fewer
/// when pages are walked only closer to the ends than this: tests set
/// that bound to 0 to try many checkpoints on a small archive).
const CHECK: usize = 1024;

/// The keys (value, work id) at positions `[lo, lo + count)` of the
/// matches in ascending order, found by rank rather than by a walk from
/// an end. A threshold key's rank (the matches below it) is the sum over
/// segments of the matches before its place in each order: a binary
/// search for the place, the matches counted up to the last checkpoint
/// before it, and at most `check` more checked. The thresholds tried are
/// the checkpoints' keys; below the next one, each segment holds at most
/// `check` documents, so the page is then a short walk from the last
/// threshold whose rank is not past `lo`. The matches before each
/// checkpoint are the set's, kept once per segment and field, less the
/// excluded documents' (one visit each); then a few hundred value reads
/// and at most a few thousand membership checks.
fn middle(readings: &[Reading<'_>], lo: usize, count: usize, check: usize) -> Vec<(u64, u64)> {
    // Matches before each checkpoint, per segment.
    let before_checks: Vec<Vec<usize>> = readings.iter().map(|r| r.before_checks(check)).collect();
    // A segment's first place at or above `key`, and its matches before it.
    let place = |r: &Reading<'_>, so_far: &[usize], key: (u64, u64)| -> (usize, usize) {
        let at = r.order.partition_point(|&doc| r.key(doc) < key);
        let block = at / check;
        let matches = so_far[block]
            + r.order[block * check..at]
                .iter()
                .filter(|&&doc| r.keep(doc))
                .count();
        (at, matches)
    };
    let rank = |key: (u64, u64)| -> usize {
        readings
            .iter()
            .zip(&before_checks)
            .map(|(r, so_far)| place(r, so_far, key).1)
            .sum()
    };
    let mut thresholds: Vec<(u64, u64)> = readings
        .iter()
        .flat_map(|r| r.order.iter().step_by(check).map(|&doc| r.key(doc)))
        .collect();
    thresholds.sort_unstable();
    // Ranks only grow with the key: the last threshold not past `lo`.
    let below = thresholds.partition_point(|&key| rank(key) <= lo);
    let (starts, skipped): (Vec<usize>, usize) = match below.checked_sub(1) {
        None => (vec![0; readings.len()], 0),
        Some(i) => {
            let places: Vec<(usize, usize)> = readings
                .iter()
                .zip(&before_checks)
                .map(|(r, so_far)| place(r, so_far, thresholds[i]))
                .collect();
            (
                places.iter().map(|p| p.0).collect(),
                places.iter().map(|p| p.1).sum(),
            )
        }
    };
    let need = lo - skipped.min(lo) + count;
    let mut taken: Vec<(u64, u64)> = Vec::new();
    for (r, &from) in readings.iter().zip(&starts) {
        taken.extend(
            r.order[from..]
                .iter()
                .filter(|&&doc| r.keep(doc))
                .take(need)
                .map(|&doc| r.key(doc)),
        );
    }
    taken.sort_unstable();
    taken
        .into_iter()
        .skip(lo - skipped.min(lo))
        .take(count)
        .collect()
}

/// The segment's documents matching `weight`, one bit each.
fn bits(segment: &SegmentReader, weight: &dyn Weight) -> tantivy::Result<Vec<u64>> {
    let mut out = vec![0u64; (segment.max_doc() as usize).div_ceil(64)];
    let mut scorer = weight.scorer(segment, 1.0)?;
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        out[doc as usize / 64] |= 1 << (doc % 64);
        doc = scorer.advance();
    }
    Ok(out)
}
