//! The big listings' answers from what their segments keep: exact
//! counts by way of [`crate::counts`] (a set less what a request
//! excludes), pages from [`crate::sorted`], and warming them ahead of
//! their first reader.

use std::sync::Arc;

use ficus_core::TagType;
use ficus_core::search_query::{SortColumn, SortDirection};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::SearchIndex;
use crate::SearchError;
use crate::collect::{ListingCollector, SortKey};
use crate::fields::facet_parts;
use crate::request::Request;

/// A big set kept per segment: its exact counts (less what the request
/// excludes), and what finds its pages.
pub(super) struct KeptSet {
    pub(super) total: u64,
    /// Tags by type, most used first (at most the request's limit).
    pub(super) by_type: Vec<(TagType, Vec<(i64, u32)>)>,
    base_query: Box<dyn Query>,
    base_key: String,
    /// Any excluded tag or creator (`None`: nothing excluded).
    excluded: Option<Box<dyn Query>>,
}

/// A kept set's counts for one searcher: by type, most used first.
pub(super) struct BaseView {
    total: u64,
    by_type: Vec<(TagType, Vec<(i64, u32)>)>,
    /// The same counts by tag.
    by_tag: std::collections::HashMap<i64, u32>,
}

/// What a request takes away from a kept set: another kept set's counts,
/// or counts made for this request (total, by tag).
enum Taken {
    Kept(Arc<BaseView>),
    Counted(u64, std::collections::HashMap<i64, u32>),
}

/// The sidebar's order: most used first, then by tag id.
pub(super) fn most_used(a: &(i64, u32), b: &(i64, u32)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then(a.0.cmp(&b.0))
}

/// `list` (most used first) less the counts `taken`, most used first, at
/// most `limit` of them. With a limit the walk stops once `limit` tags
/// keep more than any tag further down had to begin with: counts only
/// go down, so none of those can overtake them.
fn most_used_less(
    list: &[(i64, u32)],
    taken: &std::collections::HashMap<i64, u32>,
    limit: Option<usize>,
) -> Vec<(i64, u32)> {
    let left = |&(tag, n): &(i64, u32)| {
        let n = n.saturating_sub(taken.get(&tag).copied().unwrap_or(0));
        (n > 0).then_some((tag, n))
    };
    let Some(limit) = limit else {
        let mut out: Vec<(i64, u32)> = list.iter().filter_map(left).collect();
        out.sort_unstable_by(most_used);
        return out;
    };
    let mut out = Vec::new();
    // The `limit` largest counts kept so far (a min-heap).
    let mut best: std::collections::BinaryHeap<std::cmp::Reverse<u32>> =
        std::collections::BinaryHeap::new();
    for item in list {
        if limit == 0 || (best.len() == limit && best.peek().is_some_and(|r| r.0 > item.1)) {
            break;
        }
        if let Some(kept) = left(item) {
            out.push(kept);
            best.push(std::cmp::Reverse(kept.1));
            if best.len() > limit {
                best.pop();
            }
        }
    }
    out.sort_unstable_by(most_used);
    out.truncate(limit);
    out
}

/// At most this many big tags' counts are warmed (see
/// [`SearchIndex::is_big_tag`]).
const WARM_BIG_TAGS: usize = 8;

/// Every sort field a listing may use.
const SORT_FIELDS: [&str; 10] = [
    "updated",
    "published",
    "words",
    "hits",
    "kudos",
    "comments",
    "bookmarks",
    "title_key",
    "creator_key",
    "bookmarked_at",
];

/// Sets at least this large (an upper bound from their tags) have
/// their sidebar counts kept per segment (see [`crate::counts`]).
pub(super) const KEPT_FROM: u64 = 20_000;

/// Tag counts `(facet value, count)` grouped by type, in type order (each
/// type's list in no particular order).
pub(super) fn by_type(facets: Vec<(u64, u32)>) -> Vec<(TagType, Vec<(i64, u32)>)> {
    let mut out: Vec<(TagType, Vec<(i64, u32)>)> = Vec::new();
    for (value, count) in facets {
        let (tag, Some(kind)) = facet_parts(value) else {
            continue;
        };
        match out.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => list.push((tag, count)),
            None => out.push((kind, vec![(tag, count)])),
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out
}

impl SearchIndex {
    /// The exact counts of `req`'s results by way of the kept counts of
    /// its canonical set (`None` when it is not one: a text query, ranges
    /// and dates make sets that are rarely asked twice).
    pub(super) fn kept_counts(
        &self,
        searcher: &tantivy::Searcher,
        req: &Request,
    ) -> Result<Option<KeptSet>, SearchError> {
        if req.query.is_some() || !req.numbers.is_empty() || !req.dates.is_empty() {
            return Ok(None);
        }
        // Only big sets: a small one is cheap to count, and keeping the
        // counts of every small set would crowd out the big ones.
        let f = &self.fields;
        let mut bound = searcher.num_docs();
        for group in &req.include {
            let mut in_group = 0u64;
            for &t in group {
                in_group += searcher.doc_freq(&Term::from_field_u64(f.filter_tags, t as u64))?;
            }
            bound = bound.min(in_group);
        }
        if bound < self.kept_from.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(None);
        }
        let base = Request {
            exclude: Vec::new(),
            exclude_creators: Vec::new(),
            sort: SortColumn::Updated,
            direction: SortDirection::Desc,
            offset: 0,
            limit: 0,
            after: None,
            facets: true,
            facet_limit: None,
            ..req.clone()
        };
        let base_query = self.query(&base)?;
        let base_key = format!("{base:?}");
        let view = self.base_view(searcher, &*base_query, &base_key)?;
        if req.exclude.is_empty() && req.exclude_creators.is_empty() {
            let by_type = view
                .by_type
                .iter()
                .map(|(kind, list)| {
                    let n = req.facet_limit.unwrap_or(usize::MAX).min(list.len());
                    (*kind, list[..n].to_vec())
                })
                .collect();
            return Ok(Some(KeptSet {
                total: view.total,
                by_type,
                base_query,
                base_key,
                excluded: None,
            }));
        }
        // What the request takes away from the set.
        let excluded: Vec<(Occur, Box<dyn Query>)> = req
            .exclude
            .iter()
            .map(|&t| (f.filter_tags, t))
            .chain(req.exclude_creators.iter().map(|&c| (f.creator_ids, c)))
            .map(|(field, v)| {
                let term: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_u64(field, v as u64),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, term)
            })
            .collect();
        let excluded: Box<dyn Query> = Box::new(BooleanQuery::new(excluded));
        // All works less one big tag: the works with that tag are a big
        // set of their own, whose counts are kept too (and warmed).
        let big_tag = match (
            &req.include[..],
            &req.exclude[..],
            &req.exclude_creators[..],
        ) {
            ([], [tag], []) => {
                let term = Term::from_field_u64(f.filter_tags, *tag as u64);
                self.is_big_tag(searcher.doc_freq(&term)?, searcher.num_docs())
                    .then_some(*tag)
            }
            _ => None,
        };
        let taken: Taken = if let Some(tag) = big_tag {
            let with_tag = Request {
                include: vec![vec![tag]],
                ..base.clone()
            };
            let tagged =
                self.base_view(searcher, &*self.query(&with_tag)?, &format!("{with_tag:?}"))?;
            Taken::Kept(tagged)
        } else {
            // Otherwise counted directly: the works of the set that
            // an excluded tag or creator takes away.
            let within = BooleanQuery::new(vec![
                (Occur::Must, base_query.box_clone()),
                (Occur::Must, excluded.box_clone()),
            ]);
            let minus = searcher.search(
                &within,
                &ListingCollector {
                    key: SortKey::Field("updated"),
                    descending: true,
                    offset: 0,
                    limit: 0,
                    after: None,
                    facets: true,
                },
            )?;
            let taken = minus
                .facets
                .iter()
                .map(|&(v, n)| (facet_parts(v).0, n))
                .collect();
            Taken::Counted(minus.total as u64, taken)
        };
        let (taken_total, taken) = match &taken {
            Taken::Kept(view) => (view.total, &view.by_tag),
            Taken::Counted(total, by_tag) => (*total, by_tag),
        };
        let by_type = view
            .by_type
            .iter()
            .map(|(kind, list)| (*kind, most_used_less(list, taken, req.facet_limit)))
            .filter(|(_, list)| !list.is_empty())
            .collect();
        Ok(Some(KeptSet {
            total: view.total.saturating_sub(taken_total),
            by_type,
            base_query,
            base_key,
            excluded: Some(excluded),
        }))
    }

    /// A kept set's counts by type, most used first, for this searcher
    /// (kept until the next commit: each new combination of the set
    /// starts from them).
    fn base_view(
        &self,
        searcher: &tantivy::Searcher,
        base_query: &dyn Query,
        base_key: &str,
    ) -> Result<Arc<BaseView>, SearchError> {
        let generation = searcher.generation().generation_id();
        if let Ok(views) = self.views.lock()
            && views.0 == generation
            && let Some(view) = views.1.get(base_key)
        {
            return Ok(view.clone());
        }
        let counts = self.counts.counts(searcher, base_query, base_key)?;
        let mut by_type = by_type(counts.facets);
        for (_, list) in &mut by_type {
            list.sort_unstable_by(most_used);
        }
        let by_tag = by_type
            .iter()
            .flat_map(|(_, list)| list.iter().copied())
            .collect();
        let view = Arc::new(BaseView {
            total: counts.total,
            by_type,
            by_tag,
        });
        if let Ok(mut views) = self.views.lock() {
            if views.0 != generation || views.1.len() >= 256 {
                views.1.clear();
                views.0 = generation;
            }
            views.1.insert(base_key.to_string(), view.clone());
        }
        Ok(view)
    }

    /// The page of a kept set, walked in the sort field's kept order.
    pub(super) fn kept_page(
        &self,
        searcher: &tantivy::Searcher,
        kept: &KeptSet,
        field: &'static str,
        descending: bool,
        req: &Request,
    ) -> Result<crate::collect::ListingFruit, SearchError> {
        let scoring = tantivy::query::EnableScoring::disabled_from_searcher(searcher);
        let base = kept.base_query.weight(scoring)?;
        let excluded = match &kept.excluded {
            Some(q) => Some(q.weight(scoring)?),
            None => None,
        };
        let mut walks = Vec::new();
        for segment in searcher.segment_readers() {
            walks.push(crate::sorted::SegmentWalk {
                segment,
                order: self.orders.of(segment, field)?,
                members: self.counts.segment(segment, &*base, &kept.base_key)?,
                excluded: excluded.as_deref(),
            });
        }
        Ok(crate::sorted::page(
            &walks,
            field,
            descending,
            req.offset,
            req.limit,
            kept.total as usize,
            self.walk_up_to.load(std::sync::atomic::Ordering::Relaxed),
        )?)
    }

    /// Whether a tag on `uses` of `all` works is big enough that "all works
    /// less it" takes its own kept counts off (at least an eighth of the
    /// archive, and a kept set's size): counting that many works per
    /// request is what costs; a smaller tag is counted directly, and the
    /// big ones' kept counts stay few (each holds every tag its works
    /// carry, per segment).
    pub(super) fn is_big_tag(&self, uses: u64, all: u64) -> bool {
        uses >= self.kept_from.load(std::sync::atomic::Ordering::Relaxed)
            && uses.saturating_mul(8) >= all
    }

    /// Counts and orders the big listings ahead of their first reader:
    /// all works as guests and as members see them, in every sort order,
    /// and the big tags' works (to take away from all works) as guests
    /// see them (new segments only, once kept).
    pub fn warm(&self) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        let live: Vec<tantivy::index::SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(tantivy::SegmentReader::segment_id)
            .collect();
        self.counts.retain(&live);
        self.orders.retain(&live);
        let mut all_works = Vec::new();
        for members in [false, true] {
            all_works.extend(self.kept_counts(
                &searcher,
                &Request {
                    members,
                    facets: true,
                    limit: 0,
                    ..Request::default()
                },
            )?);
        }
        for segment in searcher.segment_readers() {
            for field in SORT_FIELDS {
                self.orders.of(segment, field)?;
            }
        }
        // And where the middle pages of all works start counting from.
        let scoring = tantivy::query::EnableScoring::disabled_from_searcher(&searcher);
        for kept in &all_works {
            let base = kept.base_query.weight(scoring)?;
            for segment in searcher.segment_readers() {
                for field in SORT_FIELDS {
                    crate::sorted::warm_middle(
                        &crate::sorted::SegmentWalk {
                            segment,
                            order: self.orders.of(segment, field)?,
                            members: self.counts.segment(segment, &*base, &kept.base_key)?,
                            excluded: None,
                        },
                        field,
                    )?;
                }
            }
        }
        // All works less one big tag, as guests see them: the big tags'
        // own counts (the most used first).
        let mut uses: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
        for segment in searcher.segment_readers() {
            let terms = segment.inverted_index(self.fields.filter_tags)?;
            let mut stream = terms
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                if let Ok(bytes) = <[u8; 8]>::try_from(stream.key()) {
                    *uses.entry(u64::from_be_bytes(bytes)).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let all = searcher.num_docs();
        let mut big: Vec<(u64, u64)> = uses
            .into_iter()
            .filter(|&(_, n)| self.is_big_tag(n, all))
            .collect();
        big.sort_unstable_by_key(|b| std::cmp::Reverse(b.1));
        for &(tag, _) in big.iter().take(WARM_BIG_TAGS) {
            self.kept_counts(
                &searcher,
                &Request {
                    exclude: vec![tag as i64],
                    facets: true,
                    limit: 0,
                    ..Request::default()
                },
            )?;
        }
        Ok(())
    }
}
