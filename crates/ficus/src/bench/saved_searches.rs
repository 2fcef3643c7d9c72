//! The saved-search half of `ficus bench fanout`: many accounts follow
//! saved searches of three shapes (a fandom's listing with a filter, all
//! works with an included tag, a full-text search); a new work is posted
//! and its fan-out job finds the searches it matches
//! (`ficus_web::fanout::SavedSearches`: each search built as its listing
//! builds it and run against the new work indexed alone in memory).
//! Reports searches matched per second, checks the count of matches
//! against the one computed from how the searches were made, and compares
//! with a baseline measured in the same run: the same requests run
//! against an on-disk index of the whole archive (the other way to match,
//! which would also have to wait for the node's index to catch up).

use std::time::Instant;

use anyhow::bail;
use ficus_app::discovery::{self, Mutes};
use ficus_store::subscriptions::SavedSearch;
use ficus_store::{CoCreatorInvites, Store};

const FANDOMS: usize = 20;
const TAGS: usize = 50;
const WORDS: usize = 100;

/// The tags every saved search may name, carried by the archive's first
/// work so that each name is a tag.
pub(super) fn seed_tags() -> Vec<ficus_core::tag::Tag> {
    use ficus_core::TagType;
    use ficus_core::tag::{Tag, TagName};
    let tag = |kind, name: String| Tag {
        kind,
        name: TagName::parse(&name).expect("a valid tag name"),
    };
    (0..FANDOMS)
        .map(|i| tag(TagType::Fandom, format!("Fandom {i}")))
        .chain((0..TAGS).map(|i| tag(TagType::Freeform, format!("Tag {i}"))))
        .collect()
}

/// The i-th saved search, and whether the benchmark's new work (Fandom 3,
/// Tag 7, the word "word42") is in its listing.
fn search(i: usize) -> (SavedSearch, bool) {
    match i % 3 {
        0 => (
            SavedSearch {
                path: format!("/tags/Fandom%20{}/works", i % FANDOMS),
                query: "work%5Fsearch%5Bwords%5Ffrom%5D=1".into(),
            },
            i % FANDOMS == 3,
        ),
        1 => (
            SavedSearch {
                path: "/works".into(),
                query: format!("work%5Fsearch%5Bother%5Ftag%5Fnames%5D=Tag%20{}", i % TAGS),
            },
            i % TAGS == 7,
        ),
        _ => (
            SavedSearch {
                path: "/works/search".into(),
                query: format!("work%5Fsearch%5Bquery%5D=word{}", i % WORDS),
            },
            i % WORDS == 42,
        ),
    }
}

/// Runs the saved-search part with `count` searches, one per reader.
pub(super) fn run(
    store: &Store,
    index_dir: &std::path::Path,
    readers: &[i64],
    pseud: i64,
    writer: i64,
    count: usize,
) -> anyhow::Result<()> {
    if readers.len() < count {
        bail!("--searches may not exceed --subscribers");
    }
    let now = chrono::Utc::now().naive_utc();
    let mut expected = 0;
    for (i, reader) in readers.iter().take(count).enumerate() {
        let (saved, hit) = search(i);
        expected += usize::from(hit);
        store.subscribe_search(
            *reader,
            &saved,
            ficus_core::mail::SubscriptionMail::Daily,
            ficus_app::subscriptions::MAX_SEARCHES,
            now,
        )?;
    }
    let mut work = ficus_core::NewWork::new(
        "Found By Searches",
        "<p>A lighthouse, word42, and the sea.</p>".to_string(),
        now.date(),
    );
    work.pseuds = vec![pseud];
    work.tags = seed_tags()
        .into_iter()
        .filter(|t| t.name.as_str() == "Fandom 3" || t.name.as_str() == "Tag 7")
        .collect();
    let invites = CoCreatorInvites {
        pseuds: vec![],
        by: writer,
        ..Default::default()
    };
    let work_id = store.post_work(&work, Some(&invites))?.work_id();
    let t = Instant::now();
    let mut queued = 0;
    while let Some(report) = store.run_fanout_job(
        chrono::Utc::now().naive_utc() + chrono::Duration::seconds(1),
        &ficus_web::fanout::SavedSearches,
    )? {
        queued += report.queued;
    }
    let took = t.elapsed().as_secs_f64();
    if queued != expected {
        bail!("saved searches: {queued} matched, {expected} should have");
    }
    let rate = count as f64 / took;
    println!(
        "saved searches: {count} matched against the new work in {took:.3}s = {rate:.0} searches/s ({queued} matches, checked)"
    );

    // Baseline: the same requests against an on-disk index of the archive.
    let index = ficus_search::SearchIndex::open(index_dir)?;
    ficus_search::Indexer::new(&index, store, "bench").rebuild(|_, _| {})?;
    let graph = store.tag_graph()?;
    let searcher = index.searcher();
    let t = Instant::now();
    let mut found = 0;
    for i in 0..count {
        let (saved, _) = search(i);
        let Some((scope, filters)) = ficus_web::filter_form::saved_filters(store, &saved)? else {
            continue;
        };
        let built =
            discovery::build_request(store, &graph, &filters, &scope, true, Mutes::default())?;
        let hits = index.search_uncached(&searcher, &built.request)?;
        found += usize::from(hits.ids.contains(&work_id));
    }
    let base = t.elapsed().as_secs_f64();
    if found != expected {
        bail!("baseline: {found} matched, {expected} should have");
    }
    let base_rate = count as f64 / base;
    println!(
        "baseline (the same searches on an on-disk index of the archive): {base:.3}s = {base_rate:.0} searches/s"
    );
    println!(
        "ratio saved-search matching/baseline throughput: {:.2}",
        rate / base_rate
    );
    Ok(())
}
