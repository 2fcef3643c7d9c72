//! The index against an independent reference: a fixed generated corpus
//! in a real database (SQLite, and PostgreSQL when available), every
//! filter kind, every sort in both directions, first, middle and last
//! pages, exact totals and sidebar counts; then wrangling changes and a
//! crash in the middle of a batch.

use std::collections::{BTreeMap, BTreeSet};

use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::search_query::{NumericField, SortColumn, SortDirection};
use ficus_core::wrangling::TagGraph;
use ficus_gen::{CorpusGen, GenOptions};
use ficus_search::fields::sort_key;
use ficus_search::{Crossover, Indexer, Request, SearchIndex};
use ficus_store::testing::TestStore;
use ficus_store::works::BulkExtras;
use ficus_store::wrangling::WrangleChange;
use ficus_store::{Store, WorkRecord, WorkStats};

const WORKS: usize = 240;

fn fill(store: &Store) {
    let mut corpus = CorpusGen::new(GenOptions::demo(11));
    let mut batch = Vec::new();
    for i in 0..WORKS {
        let g = corpus.next_work();
        let mut work = g.work;
        work.restricted = i % 7 == 3;
        work.posted = i % 13 != 5;
        batch.push((
            work,
            BulkExtras {
                word_count: None,
                stats: WorkStats {
                    kudos: g.stats.kudos as i64,
                    hits: g.stats.hits as i64,
                    comments: g.stats.comments as i64,
                    bookmarks: g.stats.bookmarks as i64,
                },
            },
        ));
    }
    store.insert_works_bulk(&batch).expect("bulk load");
    store.wrangle_bulk(&corpus.wrangling()).expect("wrangle");
}

/// A work as the reference sees it: its record and all its tag ids.
struct RefWork {
    record: WorkRecord,
    tags: Vec<(i64, TagType)>,
}

fn reference_works(store: &Store) -> Vec<RefWork> {
    let ids: Vec<i64> = (1..=WORKS as i64 + 50).collect();
    let records = store.works_by_ids(&ids).expect("records");
    let mut rating_ids = BTreeMap::new();
    for r in ficus_core::Rating::NAMES {
        for t in store.tags_named(r).expect("rating tag") {
            if t.kind == TagType::Rating {
                rating_ids.insert(r.to_string(), t.id);
            }
        }
    }
    records
        .into_iter()
        .map(|record| {
            let mut tags: Vec<(i64, TagType)> =
                record.tags.iter().map(|t| (t.id, t.kind)).collect();
            tags.push((rating_ids[record.rating.name()], TagType::Rating));
            RefWork { record, tags }
        })
        .collect()
}

/// The reference answer: (total, page ids, facet counts by tag id).
fn reference(
    works: &[RefWork],
    graph: &TagGraph,
    req: &Request,
) -> (u64, Vec<i64>, BTreeMap<i64, u32>) {
    let viewer = if req.members {
        Viewer::User {
            id: 999_999,
            role: ficus_core::account::Role::User,
        }
    } else {
        Viewer::Guest
    };
    let mut hits: Vec<&RefWork> = works
        .iter()
        .filter(|w| viewer.may_see(&w.record.access()))
        .filter(|w| {
            let filter = graph.filter_tags(w.tags.iter().map(|t| t.0));
            let fandoms: Vec<i64> = w
                .tags
                .iter()
                .filter(|t| t.1 == TagType::Fandom)
                .map(|t| t.0)
                .collect();
            let crossover = graph.is_crossover(&fandoms);
            req.include
                .iter()
                .all(|g| g.iter().any(|t| filter.contains(t)))
                && req.exclude.iter().all(|t| !filter.contains(t))
                && req
                    .exclude_creators
                    .iter()
                    .all(|c| !w.record.creator_ids.contains(c))
                && match req.crossover {
                    Crossover::Include => true,
                    Crossover::Exclude => !crossover,
                    Crossover::Only => crossover,
                }
                && req.complete.is_none_or(|c| c == w.record.complete)
                && (!req.single_chapter || w.record.chapter_count == 1)
                && req.numbers.iter().all(|(f, lo, hi)| {
                    let v = match f {
                        NumericField::Words => w.record.word_count,
                        NumericField::Kudos => w.record.stats.kudos,
                        _ => unreachable!("not used here"),
                    } as u64;
                    lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v <= hi)
                })
        })
        .collect();
    let key = |w: &RefWork| -> u64 {
        let r = &w.record;
        let days = |d: chrono::NaiveDate| ficus_search::fields::day_number(d);
        match req.sort {
            SortColumn::Updated | SortColumn::BestMatch => days(r.updated),
            SortColumn::Posted => days(r.published),
            SortColumn::Words => r.word_count as u64,
            SortColumn::Kudos => r.stats.kudos as u64,
            SortColumn::Hits => r.stats.hits as u64,
            SortColumn::Comments => r.stats.comments as u64,
            SortColumn::Bookmarks => r.stats.bookmarks as u64,
            SortColumn::Title => sort_key(&r.title, true),
            SortColumn::Creator => sort_key(r.creators.first().map_or("", String::as_str), false),
        }
    };
    hits.sort_by_key(|w| (key(w), w.record.id));
    if req.direction == SortDirection::Desc {
        hits.reverse();
    }
    let mut facets = BTreeMap::new();
    for w in &hits {
        for t in graph.filter_tags(w.tags.iter().map(|t| t.0)) {
            *facets.entry(t).or_insert(0) += 1;
        }
    }
    let page = hits
        .iter()
        .skip(req.offset)
        .take(req.limit)
        .map(|w| w.record.id)
        .collect();
    (hits.len() as u64, page, facets)
}

fn requests(works: &[RefWork], graph: &TagGraph) -> Vec<Request> {
    // The most used fandom, character and freeform filter tags.
    let mut counts: BTreeMap<(TagType, i64), usize> = BTreeMap::new();
    for w in works {
        for &(t, kind) in &w.tags {
            *counts.entry((kind, graph.filter_form(t))).or_default() += 1;
        }
    }
    let top = |kind: TagType, n: usize| -> Vec<i64> {
        let mut v: Vec<(usize, i64)> = counts
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|((_, t), n)| (*n, *t))
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.into_iter().take(n).map(|(_, t)| t).collect()
    };
    let fandoms = top(TagType::Fandom, 3);
    let freeforms = top(TagType::Freeform, 3);
    let ratings = top(TagType::Rating, 2);
    let creator = works[0].record.creator_ids[0];
    let mut base: Vec<Request> = vec![
        Request::default(),
        Request {
            include: vec![vec![fandoms[0]]],
            ..Request::default()
        },
        Request {
            include: vec![vec![fandoms[0]], vec![freeforms[0]]],
            ..Request::default()
        },
        Request {
            include: vec![ratings.clone()],
            exclude: vec![freeforms[1]],
            ..Request::default()
        },
        Request {
            exclude: freeforms.clone(),
            ..Request::default()
        },
        Request {
            exclude_creators: vec![creator],
            ..Request::default()
        },
        Request {
            crossover: Crossover::Only,
            ..Request::default()
        },
        Request {
            crossover: Crossover::Exclude,
            complete: Some(true),
            ..Request::default()
        },
        Request {
            complete: Some(false),
            single_chapter: true,
            ..Request::default()
        },
        Request {
            numbers: vec![(NumericField::Words, Some(1_500), Some(40_000))],
            include: vec![vec![fandoms[1], fandoms[2]]],
            ..Request::default()
        },
        Request {
            numbers: vec![(NumericField::Kudos, Some(50), None)],
            ..Request::default()
        },
    ];
    for r in &mut base {
        r.facets = true;
    }
    let mut out = Vec::new();
    for (i, r) in base.into_iter().enumerate() {
        for members in [false, true] {
            for sort in [
                SortColumn::Updated,
                SortColumn::Posted,
                SortColumn::Words,
                SortColumn::Kudos,
                SortColumn::Hits,
                SortColumn::Comments,
                SortColumn::Bookmarks,
                SortColumn::Title,
                SortColumn::Creator,
            ] {
                for direction in [SortDirection::Asc, SortDirection::Desc] {
                    // First page, a middle page, and (via a large offset) the last.
                    for offset in [0, 20 * (i % 3), 100_000] {
                        out.push(Request {
                            members,
                            sort,
                            direction,
                            offset,
                            limit: 20,
                            ..r.clone()
                        });
                    }
                }
            }
        }
    }
    out
}

fn check_against_reference(store: &Store, index: &SearchIndex) {
    let graph = store.tag_graph().expect("graph");
    let works = reference_works(store);
    let mut checked = 0;
    for mut req in requests(&works, &graph) {
        let (total, _, _) = reference(
            &works,
            &graph,
            &Request {
                limit: 0,
                ..req.clone()
            },
        );
        if req.offset == 100_000 {
            // The last page.
            req.offset = ((total.max(1) - 1) / 20 * 20) as usize;
        }
        let (total, ids, facets) = reference(&works, &graph, &req);
        let hits = index.search(&req).expect("search");
        assert_eq!(hits.total, total, "total for {req:?}");
        assert_eq!(hits.ids, ids, "page for {req:?}");
        let got: BTreeMap<i64, u32> = hits
            .facets
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        assert_eq!(got, facets, "sidebar counts for {req:?}");
        if req.facets {
            // The sidebar's few: the most used of each type, as in full.
            let few = index
                .search(&Request {
                    facet_limit: Some(3),
                    ..req.clone()
                })
                .expect("search");
            let expected: Vec<_> = hits
                .facets
                .iter()
                .map(|(k, l)| (*k, l.iter().take(3).copied().collect::<Vec<_>>()))
                .collect();
            assert_eq!(few.facets, expected, "top tags for {req:?}");
            assert_eq!(few.ids, hits.ids);
        }
        checked += 1;
    }
    assert!(checked > 1000, "{checked} requests checked");
}

fn build(store: &Store, dir: &std::path::Path) -> SearchIndex {
    let index = SearchIndex::open(dir).expect("open index");
    let mut indexer = Indexer::new(&index, store, "test");
    indexer.rebuild(|_, _| {}).expect("rebuild");
    indexer.catch_up().expect("catch up");
    index
}

fn filter_finds(index: &SearchIndex, tag: i64) -> BTreeSet<i64> {
    index
        .search(&Request {
            include: vec![vec![tag]],
            members: true,
            limit: 10_000,
            ..Request::default()
        })
        .expect("search")
        .ids
        .into_iter()
        .collect()
}

fn works_tagged(store: &Store, tags: &[i64]) -> BTreeSet<i64> {
    let ids = store.works_tagged_any(tags).expect("tagged");
    store
        .works_by_ids(&ids)
        .expect("records")
        .into_iter()
        .filter(|w| w.posted && !w.hidden)
        .map(|w| w.id)
        .collect()
}

fn scenario(store: &Store) {
    fill(store);
    let dir = tempfile::tempdir().expect("temp dir");
    let index = build(store, dir.path());
    check_against_reference(store, &index);
    // The same answers with every set's counts kept per segment (what a
    // big archive's large sets use), excluded tags subtracted.
    index.keep_counts_from(0);
    check_against_reference(store, &index);
    // And every page of them found by rank, none walked from an end.
    index.walk_ends_up_to(0);
    check_against_reference(store, &index);
    index.walk_ends_up_to(usize::MAX);
    index.keep_counts_from(u64::MAX);

    // Wrangling: make an unwrangled freeform a synonym of a canonical one,
    // then give that canonical a new meta tag; catch-up re-filters.
    let graph = store.tag_graph().expect("graph");
    let works = reference_works(store);
    let mut free: BTreeMap<i64, usize> = BTreeMap::new();
    for w in &works {
        for &(t, k) in &w.tags {
            if k == TagType::Freeform && graph.merger_of(t).is_none() {
                *free.entry(t).or_default() += 1;
            }
        }
    }
    let mut by_use: Vec<(usize, i64)> = free.iter().map(|(t, n)| (*n, *t)).collect();
    by_use.sort_unstable_by(|a, b| b.cmp(a));
    let canonical = by_use[0].1;
    store
        .wrangle(canonical, &WrangleChange::SetCanonical(true))
        .expect("canonical");
    let synonym = by_use
        .iter()
        .map(|(_, t)| *t)
        .find(|&t| t != canonical && graph.synonyms_of(t).is_empty() && graph.subs_of(t).is_empty())
        .expect("a second freeform");
    store
        .wrangle(synonym, &WrangleChange::SetCanonical(false))
        .expect("not canonical");
    store
        .wrangle(synonym, &WrangleChange::SynonymOf(Some(canonical)))
        .expect("synonym");
    let meta = store
        .find_or_create_tag(TagType::Freeform, "Test Meta Tag")
        .expect("meta");
    store
        .wrangle(canonical, &WrangleChange::AddMeta(meta.id))
        .expect("meta link");
    let top = store
        .find_or_create_tag(TagType::Freeform, "Test Top Tag")
        .expect("top");
    store
        .wrangle(meta.id, &WrangleChange::AddMeta(top.id))
        .expect("transitive meta link");
    assert!(matches!(
        store.wrangle(top.id, &WrangleChange::AddMeta(canonical)),
        Err(ficus_store::StoreError::Wrangle(_))
    ));
    // Parents: a fandom (the most used) becomes the parent of the
    // canonical freeform; the tag pages show both directions; a freeform
    // cannot be a fandom's parent.
    let fandom = works
        .iter()
        .flat_map(|w| w.tags.iter())
        .find(|t| t.1 == TagType::Fandom)
        .expect("a fandom")
        .0;
    store
        .wrangle(canonical, &WrangleChange::AddParent(fandom))
        .expect("parent");
    assert!(matches!(
        store.wrangle(fandom, &WrangleChange::AddParent(canonical)),
        Err(ficus_store::StoreError::Wrangle(_))
    ));
    let detail = store
        .tag_detail(canonical, ficus_core::access::Viewer::System)
        .expect("detail")
        .expect("tag");
    assert!(detail.parents.iter().any(|p| p.id == fandom));
    assert!(detail.synonyms.iter().any(|t| t.id == synonym));
    assert!(detail.metas.iter().any(|t| t.id == meta.id));
    let fandom_detail = store
        .tag_detail(fandom, ficus_core::access::Viewer::System)
        .expect("detail")
        .expect("tag");
    assert!(fandom_detail.children.iter().any(|c| c.id == canonical));
    let mut indexer = Indexer::new(&index, store, "test");
    indexer.catch_up().expect("catch up");
    let graph = store.tag_graph().expect("graph");
    let found: Vec<i64> = graph.expand_down(canonical).into_iter().collect();
    assert!(found.contains(&synonym));
    let expected = works_tagged(store, &found);
    assert!(works_tagged(store, &[synonym]).is_subset(&expected));
    assert!(!works_tagged(store, &[synonym]).is_empty());
    assert_eq!(filter_finds(&index, canonical), expected, "synonyms follow");
    assert_eq!(filter_finds(&index, meta.id), expected, "subtags follow");
    assert_eq!(filter_finds(&index, top.id), expected, "transitively");
    check_against_reference(store, &index);
    // Re-indexed works left deleted documents in the kept segments.
    index.keep_counts_from(0);
    check_against_reference(store, &index);
    index.walk_ends_up_to(0);
    check_against_reference(store, &index);
    index.walk_ends_up_to(usize::MAX);
    index.keep_counts_from(u64::MAX);

    // A crash mid-batch: new works, the indexer dies after adding one
    // document without committing; a fresh process catches up fully.
    let mut corpus = CorpusGen::new(GenOptions::demo(99));
    for _ in 0..30 {
        store.insert_work(&corpus.next_work().work).expect("insert");
    }
    let before = index.state().expect("state").seq;
    let mut crashing = Indexer::new(&index, store, "test");
    crashing.crash_after = Some(1);
    assert!(crashing.catch_up().is_err());
    drop(index);
    let index = SearchIndex::open(dir.path()).expect("reopen after crash");
    assert_eq!(
        index.state().expect("state").seq,
        before,
        "nothing committed"
    );
    let mut indexer = Indexer::new(&index, store, "test");
    indexer.catch_up().expect("catch up after crash");
    assert_eq!(
        index.state().expect("state").seq,
        store.index_log_head().expect("head")
    );
    check_against_reference(store, &index);
    index.keep_counts_from(0);
    check_against_reference(store, &index);
}

#[test]
fn index_matches_reference_on_sqlite() {
    scenario(TestStore::sqlite().store());
}

#[test]
fn index_matches_reference_on_postgres() {
    let Some(store) = TestStore::postgres() else {
        return;
    };
    scenario(store.store());
}
