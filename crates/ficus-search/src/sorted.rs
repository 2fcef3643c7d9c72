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
//! [`WALK_UP_TO`] from both ends) are left to the one-pass collector.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED};

use crate::collect::{Entry, ListingFruit, id_of, order};
use crate::counts::SegmentCounts;

type OrderKey = (SegmentId, &'static str);

/// Each live segment's documents in each sort field's order (four bytes a
/// document per field: 40 MB for a million works and ten fields). Kept
/// whole, whatever a segment's size, and trimmed to the live segments
/// after each change ([`SortOrders::retain`]).
#[derive(Default)]
pub(crate) struct SortOrders {
    entries: Mutex<HashMap<OrderKey, Arc<Vec<DocId>>>>,
}

impl SortOrders {
    /// The segment's documents (deleted ones too) ascending by the field
    /// `field`, then by work id: the ascending order of a listing.
    pub(crate) fn of(
        &self,
        segment: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<Vec<DocId>>> {
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
        let order = Arc::new(all.into_iter().map(|(_, _, d)| d).collect::<Vec<_>>());
        self.lock().insert(key, order.clone());
        Ok(order)
    }

    /// Forgets the orders of segments not in `live` (merged away).
    pub(crate) fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|(s, _), _| live.contains(s));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<OrderKey, Arc<Vec<DocId>>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a page walk needs of one segment.
pub(crate) struct SegmentWalk<'a> {
    pub segment: &'a SegmentReader,
    pub order: Arc<Vec<DocId>>,
    pub members: Arc<SegmentCounts>,
    /// What the request takes away (any excluded tag or creator).
    pub excluded: Option<&'a dyn Weight>,
}

/// Pages at most this far from either end of the set are walked; the
/// middle of a huge set (rarely read) is left to the one-pass collector.
pub(crate) const WALK_UP_TO: usize = 10_000;

/// Whether the page `[offset, offset + limit)` of `total` is near enough
/// an end to walk.
pub(crate) fn walkable(offset: usize, limit: usize, total: usize) -> bool {
    let end = offset.saturating_add(limit).min(total);
    end <= WALK_UP_TO || total.saturating_sub(offset) <= WALK_UP_TO
}

/// The page `[offset, offset + limit)` of a set of exactly `total`
/// matches ordered by `field` (`descending` or not), from the segments'
/// kept orders.
pub(crate) fn page(
    walks: &[SegmentWalk<'_>],
    field: &'static str,
    descending: bool,
    offset: usize,
    limit: usize,
    total: usize,
) -> tantivy::Result<ListingFruit> {
    let start = offset.min(total);
    let end = offset.saturating_add(limit).min(total);
    if start >= end {
        return Ok(ListingFruit {
            total,
            ..ListingFruit::default()
        });
    }
    // Walk from whichever end is nearer the page.
    let from_start = end <= total - start;
    let take = if from_start { end } else { total - start };
    let mut taken: Vec<Entry> = Vec::new();
    for w in walks {
        taken.extend(walk(w, field, descending, from_start, take)?);
    }
    taken.sort_unstable();
    let window: Vec<Entry> = if from_start {
        taken[start.min(taken.len())..end.min(taken.len())].to_vec()
    } else {
        // The last `take` entries of all are positions start..total.
        let first = taken.len().saturating_sub(take);
        let tail = &taken[first..];
        tail[..(end - start).min(tail.len())].to_vec()
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

/// Up to `take` matching entries of one segment, from the start of the
/// listing's order (or from its end).
fn walk(
    w: &SegmentWalk<'_>,
    field: &'static str,
    descending: bool,
    from_start: bool,
    take: usize,
) -> tantivy::Result<Vec<Entry>> {
    let excluded = match w.excluded {
        Some(weight) => Some(bits(w.segment, weight)?),
        None => None,
    };
    let alive = w.segment.alive_bitset();
    let fast = w.segment.fast_fields();
    let values = fast.u64(field)?;
    let ids = fast.u64("id")?;
    let keep = |doc: DocId| {
        w.members.contains(doc)
            && alive.is_none_or(|a| a.is_alive(doc))
            && excluded
                .as_ref()
                .is_none_or(|x| x[doc as usize / 64] & (1 << (doc % 64)) == 0)
    };
    // The listing's order is the field ascending, or descending (the kept
    // order reversed).
    let forward = from_start != descending;
    let mut out = Vec::with_capacity(take.min(4_096));
    let mut push = |doc: DocId| {
        let key = values.first(doc).unwrap_or(0);
        let id = ids.first(doc).unwrap_or(0);
        out.push((order(key, descending), order(id, descending)));
    };
    let mut n = 0;
    if forward {
        for &doc in w.order.iter() {
            if n == take {
                break;
            }
            if keep(doc) {
                push(doc);
                n += 1;
            }
        }
    } else {
        for &doc in w.order.iter().rev() {
            if n == take {
                break;
            }
            if keep(doc) {
                push(doc);
                n += 1;
            }
        }
    }
    Ok(out)
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
