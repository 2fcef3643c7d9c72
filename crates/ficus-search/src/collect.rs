//! One pass over the matching works that yields everything a listing
//! page needs: the exact total, the page (at any depth) and the sidebar's
//! tag counts.
//!
//! Written by hand because tantivy's `TopDocs` keeps a heap as deep as the
//! page (page 40,000 would hold 800,000 entries) and its facet collector
//! wants facet paths: here each match costs one sort-key read, and the
//! page is chosen with a linear-time selection, so the last page costs
//! what the first does.

use std::cell::RefCell;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Which key the page is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    /// A u64 fast field, by name.
    Field(&'static str),
    /// The relevance score.
    Score,
}

/// The collector: sort key, direction, page window, and whether to count facets.
pub(crate) struct ListingCollector {
    pub key: SortKey,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
    /// Only entries ordered after this one (keyset paging).
    pub after: Option<Entry>,
    pub facets: bool,
}

/// (ordering key, work id), both in ordering form; smaller comes first.
pub(crate) type Entry = (u64, u64);

/// Pages ending at most this deep keep only their first entries per
/// segment (a bounded heap) instead of every match: a page of a million
/// works then costs one comparison per match, not a million entries to
/// select from.
const BOUNDED_UP_TO: usize = 10_000;

/// What one segment found.
pub(crate) struct SegmentFruit {
    entries: Vec<Entry>,
    /// How many matched (more than `entries` when bounded).
    count: usize,
    facets: Vec<(u64, u32)>,
}

/// The merged result.
#[derive(Debug, Default)]
pub(crate) struct ListingFruit {
    pub total: usize,
    /// Work ids of the page, in order.
    pub ids: Vec<i64>,
    /// (facet value, count) for every tag present in the results.
    pub facets: Vec<(u64, u32)>,
    /// The page's last entry, when more results follow it.
    pub next: Option<Entry>,
}

pub(crate) struct ListingSegment {
    key_column: Option<Column<u64>>,
    id_column: Column<u64>,
    facet_column: Option<Column<u64>>,
    score_key: bool,
    descending: bool,
    entries: Vec<Entry>,
    /// Keep only the `k` first entries (a max-heap of them).
    bound: Option<usize>,
    heap: std::collections::BinaryHeap<Entry>,
    count: usize,
}

thread_local! {
    /// Per-thread facet counters indexed by tag id, with the list of slots
    /// touched, so each query resets only what it used.
    static COUNTERS: RefCell<(Vec<u32>, Vec<u64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Collector for ListingCollector {
    type Fruit = ListingFruit;
    type Child = ListingSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<ListingSegment> {
        let fast = segment.fast_fields();
        let key_column = match self.key {
            SortKey::Field(name) => Some(fast.u64(name)?),
            SortKey::Score => None,
        };
        let facet_column = if self.facets {
            // A collection that ended early (an error) may have left its
            // counts on this thread: clear them first.
            COUNTERS.with(|cell| {
                let (counts, touched) = &mut *cell.borrow_mut();
                for v in touched.drain(..) {
                    if let Some(c) = counts.get_mut((v >> 3) as usize) {
                        *c = 0;
                    }
                }
            });
            Some(fast.u64("facet_tags")?)
        } else {
            None
        };
        Ok(ListingSegment {
            key_column,
            id_column: fast.u64("id")?,
            facet_column,
            score_key: self.key == SortKey::Score,
            descending: self.descending,
            entries: Vec::new(),
            bound: self.bound(),
            heap: std::collections::BinaryHeap::new(),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.key == SortKey::Score
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<ListingFruit> {
        let mut entries: Vec<Entry> =
            Vec::with_capacity(fruits.iter().map(|f| f.entries.len()).sum());
        let mut facets: Vec<(u64, u32)> = Vec::new();
        let several = fruits.len() > 1;
        let mut matched = 0;
        for f in fruits {
            matched += f.count;
            entries.extend(f.entries);
            facets.extend(f.facets);
        }
        if several && self.facets {
            facets.sort_unstable();
            let mut merged: Vec<(u64, u32)> = Vec::with_capacity(facets.len());
            for (v, n) in facets {
                match merged.last_mut() {
                    Some((last, count)) if *last == v => *count += n,
                    _ => merged.push((v, n)),
                }
            }
            facets = merged;
        }
        let total = matched;
        if let Some(after) = self.after {
            entries.retain(|e| *e > after);
        }
        // Bounded: the entries held include the first `end` of all.
        let remaining = if self.bound().is_some() {
            total
        } else {
            entries.len()
        };
        let start = self.offset.min(remaining);
        let end = self.offset.saturating_add(self.limit).min(remaining);
        let mut window: Vec<Entry> = if start >= end {
            Vec::new()
        } else {
            // Bring the first `end` entries to the front, then order them.
            if end < entries.len() {
                entries.select_nth_unstable(end - 1);
            }
            let head = &mut entries[..end];
            if start > 0 {
                head.select_nth_unstable(start);
            }
            let mut w = head[start..end].to_vec();
            w.sort_unstable();
            w
        };
        window.dedup();
        let next = if end < remaining {
            window.last().copied()
        } else {
            None
        };
        Ok(ListingFruit {
            total,
            next,
            ids: window
                .into_iter()
                .map(|(_, id)| id_of(id, self.descending))
                .collect(),
            facets,
        })
    }
}

impl ListingCollector {
    /// How many first entries each segment keeps (`None`: all of them).
    fn bound(&self) -> Option<usize> {
        let end = self.offset.saturating_add(self.limit);
        (self.after.is_none() && end <= BOUNDED_UP_TO).then_some(end)
    }
}

/// The ordering form of a value: for a descending sort, its complement.
pub(crate) fn order(v: u64, descending: bool) -> u64 {
    if descending { !v } else { v }
}

pub(crate) fn id_of(ordered: u64, descending: bool) -> i64 {
    order(ordered, descending) as i64
}

/// Adds one document's facet values to dense counters indexed by tag id
/// (`value >> 3`), noting each value the first time it is counted.
pub(crate) fn count_values(
    counts: &mut Vec<u32>,
    touched: &mut Vec<u64>,
    values: impl Iterator<Item = u64>,
) {
    for v in values {
        let slot = (v >> 3) as usize;
        if slot >= counts.len() {
            counts.resize((slot + 1).next_power_of_two(), 0);
        }
        if counts[slot] == 0 {
            touched.push(v);
        }
        counts[slot] += 1;
    }
}

impl ListingSegment {
    /// Adds a match's tags to the sidebar counts (when counting).
    fn count_facets(&mut self, doc: DocId) {
        if let Some(col) = &self.facet_column {
            COUNTERS.with(|cell| {
                let (counts, touched) = &mut *cell.borrow_mut();
                count_values(counts, touched, col.values_for_doc(doc));
            });
        }
    }
}

impl SegmentCollector for ListingSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.bound == Some(0) {
            // Counting only.
            self.count += 1;
            self.count_facets(doc);
            return;
        }
        let key = if self.score_key {
            // Non-negative floats order like their bit patterns.
            u64::from(score.max(0.0).to_bits())
        } else {
            self.key_column
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(0)
        };
        self.count += 1;
        let ordered_key = order(key, self.descending);
        // A full bounded heap: a key past its largest cannot enter, and
        // the id need not be read.
        let beyond = matches!(self.bound, Some(k) if self.heap.len() >= k
            && self.heap.peek().is_some_and(|top| ordered_key > top.0));
        if beyond {
            self.count_facets(doc);
            return;
        }
        let id = self.id_column.first(doc).unwrap_or(0);
        let entry = (ordered_key, order(id, self.descending));
        match self.bound {
            None => self.entries.push(entry),
            Some(0) => {}
            Some(k) if self.heap.len() < k => self.heap.push(entry),
            Some(_) => {
                if let Some(mut largest) = self.heap.peek_mut()
                    && entry < *largest
                {
                    *largest = entry;
                }
            }
        }
        self.count_facets(doc);
    }

    fn harvest(self) -> SegmentFruit {
        let facets = if self.facet_column.is_some() {
            COUNTERS.with(|cell| {
                let (counts, touched) = &mut *cell.borrow_mut();
                let mut out = Vec::with_capacity(touched.len());
                for v in touched.drain(..) {
                    let slot = (v >> 3) as usize;
                    out.push((v, counts[slot]));
                    counts[slot] = 0;
                }
                out
            })
        } else {
            Vec::new()
        };
        let entries = match self.bound {
            None => self.entries,
            Some(_) => self.heap.into_vec(),
        };
        SegmentFruit {
            entries,
            count: self.count,
            facets,
        }
    }
}
