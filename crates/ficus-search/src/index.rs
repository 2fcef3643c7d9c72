//! The index on disk: opening it, searching it, and writing to it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use ficus_core::TagType;
use ficus_core::search_query::{SortColumn, SortDirection};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::SearchError;
use crate::collect::{ListingCollector, SortKey};
use crate::counts::CountCache;

mod kept;
use crate::fields::{Fields, SCHEMA_VERSION};
use crate::request::{QueryBuilder, Request};
use kept::{BaseView, KEPT_FROM, most_used};

/// What a commit records beside the documents, atomically with them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitState {
    /// The schema version the index was built with.
    pub schema: u32,
    /// The last change-log entry whose effect the index holds.
    pub seq: i64,
    /// Whether a full build has completed (an index that crashed during
    /// its first build is rebuilt).
    pub built: bool,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// Exact number of matching works.
    pub total: u64,
    /// The page's work ids, in order.
    pub ids: Vec<i64>,
    /// Tags present in the results with their exact counts, grouped by type
    /// and most frequent first.
    pub facets: Vec<(TagType, Vec<(i64, u32)>)>,
    /// Where the next page starts, for keyset paging ([`Request::after`]);
    /// `None` on the last page.
    pub next: Option<(u64, u64)>,
}

/// An embedded tantivy index of works.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    pub(crate) fields: Fields,
    dir: PathBuf,
    writer_heap: usize,
    /// Answers by request, for the searcher generation they were computed
    /// on; a commit makes them stale.
    cache: Mutex<ResultCache>,
    /// Per-segment tag counts of the big canonical sets (see [`crate::counts`]).
    counts: CountCache,
    /// Per-segment sort orders for their pages (see [`crate::sorted`]).
    orders: crate::sorted::SortOrders,
    /// Kept sets' merged counts for the current searcher generation.
    views: Mutex<(u64, std::collections::HashMap<String, Arc<BaseView>>)>,
    /// The size from which a set's counts are kept.
    kept_from: std::sync::atomic::AtomicU64,
    /// Pages of kept sets this near an end are walked from it; further
    /// in, found by rank ([`crate::sorted::WALK_UP_TO`]).
    walk_up_to: std::sync::atomic::AtomicUsize,
}

/// Recent answers (the popular pages of a busy archive repeat).
#[derive(Default)]
struct ResultCache {
    generation: u64,
    hits: std::collections::HashMap<String, Hits>,
}

/// Answers kept per searcher generation.
const CACHE_ENTRIES: usize = 1_024;

/// The index directory inside a data directory.
pub const INDEX_DIR: &str = "index";

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing. An index of an
    /// older schema is wiped (it is derived data) and reports seq 0 and
    /// `built: false`, so the caller rebuilds it.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        Self::open_with_heap(dir, 64 * 1024 * 1024)
    }

    /// [`SearchIndex::open`] with the writer's memory budget in bytes
    /// (larger is faster for full builds).
    pub fn open_with_heap(dir: &Path, writer_heap: usize) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::build();
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(dir.display().to_string(), e))?;
        let mmap = MmapDirectory::open(dir)?;
        let index = if Index::exists(&mmap)? {
            let existing = Index::open(mmap.clone())?;
            let state = read_state(&existing)?;
            if state.schema != SCHEMA_VERSION || existing.schema() != schema {
                drop(existing);
                wipe(dir)?;
                Index::create(MmapDirectory::open(dir)?, schema, Default::default())?
            } else {
                existing
            }
        } else {
            Index::create(mmap, schema, Default::default())?
        };
        // A query's segments are collected on up to two threads: a big
        // listing's one pass over a million works takes half the time
        // when the machine has a core to spare (a busy server's requests
        // take both cores anyway).
        let mut index = index;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2);
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        Self::around(index, fields, dir.to_path_buf(), writer_heap)
    }

    /// The handle on an opened tantivy index (reloaded by hand, after
    /// each commit).
    fn around(
        index: Index,
        fields: Fields,
        dir: PathBuf,
        writer_heap: usize,
    ) -> Result<SearchIndex, SearchError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            dir,
            writer_heap,
            cache: Mutex::new(ResultCache::default()),
            counts: CountCache::default(),
            orders: crate::sorted::SortOrders::default(),
            views: Mutex::new((u64::MAX, std::collections::HashMap::new())),
            kept_from: std::sync::atomic::AtomicU64::new(KEPT_FROM),
            walk_up_to: std::sync::atomic::AtomicUsize::new(crate::sorted::WALK_UP_TO),
        })
    }

    /// An index held in memory holding `docs` (built with [`Fields`]
    /// from [`Fields::build`]), written as one segment on this thread —
    /// no writer threads, no merges: a [`crate::Probe`]'s one work.
    pub(crate) fn in_memory(docs: Vec<TantivyDocument>) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::build();
        let mut writer =
            tantivy::SingleSegmentIndexWriter::new(Index::create_in_ram(schema), 15_000_000)?;
        for d in docs {
            writer.add_document(d)?;
        }
        Self::around(writer.finalize()?, fields, PathBuf::new(), 15_000_000)
    }

    /// The directory the index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the last commit recorded.
    pub fn state(&self) -> Result<CommitState, SearchError> {
        read_state(&self.index)
    }

    /// The index's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The writer, opened on first use (only one process may write an
    /// index directory; tantivy's lock file enforces it).
    pub(crate) fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        if guard.is_none() {
            *guard = Some(self.index.writer(self.writer_heap)?);
        }
        Ok(guard)
    }

    /// Opens the writer now, taking the directory's lock (only one process
    /// may write an index).
    pub fn lock_for_writing(&self) -> Result<(), SearchError> {
        self.writer().map(drop)
    }

    /// Replaces the documents of `ids` by `docs` (works absent from `docs`
    /// are deleted), without committing.
    pub(crate) fn replace_uncommitted(
        &self,
        ids: &[i64],
        docs: Vec<TantivyDocument>,
    ) -> Result<(), SearchError> {
        let guard = self.writer()?;
        let writer = guard.as_ref().ok_or(SearchError::Poisoned)?;
        for &id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, id as u64));
        }
        for d in docs {
            writer.add_document(d)?;
        }
        Ok(())
    }

    /// Answers a request (from the cache when the same request was
    /// answered on the same index generation).
    pub fn search(&self, req: &Request) -> Result<Hits, SearchError> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let key = format!("{req:?}");
        if let Ok(cache) = self.cache.lock()
            && cache.generation == generation
            && let Some(hits) = cache.hits.get(&key)
        {
            return Ok(hits.clone());
        }
        let hits = self.search_uncached(&searcher, req)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.generation != generation || cache.hits.len() >= CACHE_ENTRIES {
                cache.hits.clear();
                cache.generation = generation;
            }
            cache.hits.insert(key, hits.clone());
        }
        Ok(hits)
    }

    /// Keeps the sidebar counts of sets from `works` works on (default
    /// 20,000; tests lower it to check kept counts on a small archive).
    /// Forgets the answers kept so far.
    pub fn keep_counts_from(&self, works: u64) {
        self.kept_from
            .store(works, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut cache) = self.cache.lock() {
            cache.hits.clear();
        }
    }

    /// Walks kept sets' pages from an end only when within `n` of it
    /// (default [`crate::sorted::WALK_UP_TO`]); other pages are found by
    /// rank. Tests set 0 to check the rank path on a small archive.
    pub fn walk_ends_up_to(&self, n: usize) {
        self.walk_up_to
            .store(n, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut cache) = self.cache.lock() {
            cache.hits.clear();
        }
    }

    /// The current searcher (a consistent view of the index).
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Answers a request on `searcher`, bypassing the cache (benchmarks).
    pub fn search_uncached(
        &self,
        searcher: &tantivy::Searcher,
        req: &Request,
    ) -> Result<Hits, SearchError> {
        let query = self.query(req)?;
        let by_bookmark = req.bookmarks.as_ref().is_some_and(|b| b.by_date_bookmarked);
        let key = match req.sort {
            _ if by_bookmark => SortKey::Field("bookmarked_at"),
            SortColumn::BestMatch => {
                if req.query.as_ref().is_some_and(|q| q.has_text()) {
                    SortKey::Score
                } else {
                    SortKey::Field("updated")
                }
            }
            SortColumn::Creator => SortKey::Field("creator_key"),
            SortColumn::Title => SortKey::Field("title_key"),
            SortColumn::Posted => SortKey::Field("published"),
            SortColumn::Updated => SortKey::Field("updated"),
            SortColumn::Words => SortKey::Field("words"),
            SortColumn::Hits => SortKey::Field("hits"),
            SortColumn::Kudos => SortKey::Field("kudos"),
            SortColumn::Comments => SortKey::Field("comments"),
            SortColumn::Bookmarks => SortKey::Field("bookmarks"),
        };
        let descending = match (req.sort, key) {
            _ if by_bookmark => req.direction == SortDirection::Desc,
            (_, SortKey::Score) | (SortColumn::BestMatch, _) => true,
            _ => req.direction == SortDirection::Desc,
        };
        // A large canonical set's counts come from the per-segment kept
        // counts, less those of what the request excludes; the page is
        // then chosen without counting.
        let kept = if req.facets {
            self.kept_counts(searcher, req)?
        } else {
            None
        };
        let fruit = match (&kept, key) {
            (Some(kept), SortKey::Field(field)) if req.after.is_none() => {
                self.kept_page(searcher, kept, field, descending, req)?
            }
            _ => searcher.search(
                &*query,
                &ListingCollector {
                    key,
                    descending,
                    offset: req.offset,
                    limit: req.limit,
                    after: req.after,
                    facets: req.facets && kept.is_none(),
                },
            )?,
        };
        if let Some(kept) = kept {
            debug_assert_eq!(kept.total as usize, fruit.total);
            return Ok(Hits {
                total: fruit.total as u64,
                ids: fruit.ids,
                facets: kept.by_type,
                next: fruit.next,
            });
        }
        let mut by_type = kept::by_type(fruit.facets);
        for (_, list) in &mut by_type {
            // A million works carry tens of thousands of tags; the sidebar
            // shows a few of each type.
            if let Some(n) = req.facet_limit
                && n < list.len()
            {
                if n > 0 {
                    list.select_nth_unstable_by(n - 1, most_used);
                }
                list.truncate(n);
            }
            list.sort_unstable_by(most_used);
        }
        Ok(Hits {
            total: fruit.total as u64,
            ids: fruit.ids,
            facets: by_type,
            next: fruit.next,
        })
    }

    fn query(&self, req: &Request) -> Result<Box<dyn Query>, SearchError> {
        let analyzer = self.index.tokenizer_for_field(self.fields.body)?;
        let mut builder = QueryBuilder {
            fields: &self.fields,
            analyzer,
        };
        Ok(builder.build(req))
    }

    /// A highlighted passage of `text` (a work's plain text) matching the
    /// request's words, as HTML with `<b>` around the matches; `None` when
    /// nothing in it matches.
    pub fn snippet(&self, req: &Request, text: &str) -> Result<Option<String>, SearchError> {
        if !req.query.as_ref().is_some_and(|q| q.has_text()) {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let query = self.query(req)?;
        let mut generator = SnippetGenerator::create(&searcher, &*query, self.fields.body)?;
        generator.set_max_num_chars(240);
        // Look only near the first match: tokenizing a 500,000-word work
        // for every result would dominate the page.
        let window = near_first_match(text, &self.query_words(req)?, 4_000);
        let snippet = generator.snippet(window);
        if snippet.highlighted().is_empty() {
            return Ok(None);
        }
        Ok(Some(snippet.to_html()))
    }

    fn query_words(&self, req: &Request) -> Result<Vec<String>, SearchError> {
        let analyzer = self.index.tokenizer_for_field(self.fields.body)?;
        let mut builder = QueryBuilder {
            fields: &self.fields,
            analyzer,
        };
        let mut words = Vec::new();
        if let Some(q) = &req.query {
            for ficus_core::search_query::Alternatives(terms) in &q.query.must {
                for t in terms {
                    match t {
                        ficus_core::search_query::Term::Word { word, .. } => {
                            words.extend(builder.tokens(word))
                        }
                        ficus_core::search_query::Term::Phrase { words: ws, .. } => {
                            for w in ws {
                                words.extend(builder.tokens(w));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(words)
    }

    /// Number of documents in the index.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Deletes every document and commits `state` (the start of a rebuild).
    pub(crate) fn clear(&self, state: CommitState) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().ok_or(SearchError::Poisoned)?;
        writer.delete_all_documents()?;
        commit(writer, state)?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Adds documents without committing (a rebuild's batches).
    pub(crate) fn add_uncommitted(&self, docs: Vec<TantivyDocument>) -> Result<(), SearchError> {
        let guard = self.writer()?;
        let writer = guard.as_ref().ok_or(SearchError::Poisoned)?;
        for d in docs {
            writer.add_document(d)?;
        }
        Ok(())
    }

    /// Commits what was added, with `state`.
    pub(crate) fn commit(&self, state: CommitState) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().ok_or(SearchError::Poisoned)?;
        commit(writer, state)?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Drops uncommitted changes (what a crash would lose).
    pub fn rollback(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        if let Some(writer) = guard.as_mut() {
            writer.rollback()?;
        }
        Ok(())
    }
}

fn commit(writer: &mut IndexWriter, state: CommitState) -> Result<(), SearchError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&state).map_err(|_| SearchError::Poisoned)?);
    prepared.commit()?;
    Ok(())
}

fn read_state(index: &Index) -> Result<CommitState, SearchError> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(CommitState {
            schema: SCHEMA_VERSION,
            seq: 0,
            built: false,
        }))
}

fn wipe(dir: &Path) -> Result<(), SearchError> {
    let io = |e| SearchError::Io(dir.display().to_string(), e);
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        // The node's name in the change log's consumers outlives the index.
        if path
            .file_name()
            .is_some_and(|n| n == crate::sync::NODE_ID_FILE)
        {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(io)?;
        } else {
            std::fs::remove_file(&path).map_err(io)?;
        }
    }
    Ok(())
}

/// The part of `text` around the first occurrence (case-insensitive, ASCII
/// folding only) of any of `words`, about `span` bytes long; the start of
/// the text when none occurs.
fn near_first_match<'t>(text: &'t str, words: &[String], span: usize) -> &'t str {
    let lower = text.to_lowercase();
    let hit = if lower.len() == text.len() {
        words.iter().filter_map(|w| lower.find(w.as_str())).min()
    } else {
        None
    };
    let centre = hit.unwrap_or(0);
    let mut start = centre.saturating_sub(span / 2);
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + span).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}
