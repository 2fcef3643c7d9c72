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

/// What one segment found.
pub(crate) struct SegmentFruit {
    entries: Vec<Entry>,
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
        for f in fruits {
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
        let total = entries.len();
        if let Some(after) = self.after {
            entries.retain(|e| *e > after);
        }
        let remaining = entries.len();
        let start = self.offset.min(remaining);
        let end = self.offset.saturating_add(self.limit).min(remaining);
        let mut window: Vec<Entry> = if start >= end {
            Vec::new()
        } else {
            // Bring the first `end` entries to the front, then order them.
            if end < remaining {
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

/// The ordering form of a value: for a descending sort, its complement.
fn order(v: u64, descending: bool) -> u64 {
    if descending { !v } else { v }
}

fn id_of(ordered: u64, descending: bool) -> i64 {
    order(ordered, descending) as i64
}

impl SegmentCollector for ListingSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let id = self.id_column.first(doc).unwrap_or(0);
        let key = if self.score_key {
            // Non-negative floats order like their bit patterns.
            u64::from(score.max(0.0).to_bits())
        } else {
            self.key_column
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(0)
        };
        self.entries
            .push((order(key, self.descending), order(id, self.descending)));
        if let Some(col) = &self.facet_column {
            COUNTERS.with(|cell| {
                let (counts, touched) = &mut *cell.borrow_mut();
                for v in col.values_for_doc(doc) {
                    let slot = (v >> 3) as usize;
                    if slot >= counts.len() {
                        counts.resize((slot + 1).next_power_of_two(), 0);
                    }
                    if counts[slot] == 0 {
                        touched.push(v);
                    }
                    counts[slot] += 1;
                }
            });
        }
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
        SegmentFruit {
            entries: self.entries,
            facets,
        }
    }
}
