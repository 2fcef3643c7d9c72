//! Keeping the index in step with the database.
//!
//! The database's `index_log` is an ordered list of changes, written by
//! triggers in the same transaction as each change. The indexer reads the
//! entries after the position its last commit recorded, re-derives the
//! affected documents from the database, and commits the documents and the
//! new position together. A crash loses only uncommitted work, which the
//! next catch-up redoes; replaying an entry twice is harmless. Each web
//! node keeps its own index and position, so several nodes can follow one
//! PostgreSQL log.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use ficus_core::wrangling::TagGraph;
use ficus_store::Store;
use ficus_store::index_feed::LogEntry;

use crate::SearchError;
use crate::fields::SCHEMA_VERSION;
use crate::index::{CommitState, SearchIndex};

/// Log entries read per round.
const LOG_BATCH: i64 = 5_000;
/// Works loaded from the database per batch.
const DOC_BATCH: usize = 1_000;
/// How long a gap in the log's sequence numbers may stay open before the
/// indexer moves past it. On PostgreSQL a sequence number is taken before
/// its transaction commits, so a later number can be visible first; a gap
/// that never fills belonged to a rolled-back transaction.
const GAP_PATIENCE: Duration = Duration::from_secs(10);

/// The file in an index directory that names its node.
pub const NODE_ID_FILE: &str = "node-id";

/// The name an index directory's reader of the log goes by in
/// `index_consumers`: a random id made once and kept in the directory
/// (kept through rebuilds), so each web node (each has its own index
/// directory) keeps its own position whatever its machine's or
/// container's name, and the log is pruned only below the slowest.
pub fn consumer_name(dir: &std::path::Path) -> Result<String, SearchError> {
    let io = |e| SearchError::Io(dir.display().to_string(), e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let file = dir.join(NODE_ID_FILE);
    match std::fs::read_to_string(&file) {
        Ok(id) if !id.trim().is_empty() => Ok(format!("node-{}", id.trim())),
        _ => {
            let id = ficus_core::account::random_token();
            std::fs::write(&file, &id).map_err(io)?;
            Ok(format!("node-{id}"))
        }
    }
}

/// The name every node used before positions were kept per node; its row
/// would keep the whole log from being pruned.
pub const LEGACY_CONSUMER: &str = "main";

/// Follows the change log into one index.
pub struct Indexer<'a> {
    pub index: &'a SearchIndex,
    pub store: &'a Store,
    /// This index's name in `index_consumers` (one per node).
    pub name: String,
    /// Whether to index the chapters' text.
    pub bodies: bool,
    gap_since: Option<(i64, Instant)>,
    /// Test hook: stop after adding this many documents of a batch,
    /// without committing, as a crash would.
    pub crash_after: Option<usize>,
    /// Another reader of the log on this node (the web node's page
    /// cache) and how far it has read: the position this index records
    /// (below which the log may be pruned) never passes it.
    pub hold: Option<Arc<AtomicI64>>,
}

impl<'a> Indexer<'a> {
    /// An indexer for `index` fed from `store`.
    pub fn new(index: &'a SearchIndex, store: &'a Store, name: &str) -> Indexer<'a> {
        Indexer {
            index,
            store,
            name: name.to_string(),
            bodies: true,
            gap_since: None,
            crash_after: None,
            hold: None,
        }
    }

    /// Whether the index needs a full build (new, wiped, or its first build
    /// never finished).
    pub fn needs_rebuild(&self) -> Result<bool, SearchError> {
        Ok(!self.index.state()?.built)
    }

    /// Applies every pending log entry. Returns how many works were
    /// re-indexed.
    pub fn catch_up(&mut self) -> Result<usize, SearchError> {
        let mut done = 0;
        loop {
            let state = self.index.state()?;
            let entries = self.store.index_log_after(state.seq, LOG_BATCH)?;
            let usable = self.usable_prefix(state.seq, &entries);
            if usable.is_empty() {
                return Ok(done);
            }
            let last = usable[usable.len() - 1].seq;
            done += self.apply(usable, last)?;
            self.store.ack_index_log(&self.name, self.ackable(last))?;
            if usable.len() < entries.len() {
                return Ok(done);
            }
        }
    }

    /// How far this node may say it has read the log, having indexed up
    /// to `seq`.
    fn ackable(&self, seq: i64) -> i64 {
        self.hold
            .as_ref()
            .map_or(seq, |h| seq.min(h.load(Ordering::Acquire)))
    }

    /// The entries that may be applied now: all of them, unless a gap in
    /// the sequence is younger than [`GAP_PATIENCE`].
    fn usable_prefix<'e>(&mut self, after: i64, entries: &'e [LogEntry]) -> &'e [LogEntry] {
        let mut expected = after + 1;
        for (i, e) in entries.iter().enumerate() {
            if e.seq != expected && after > 0 {
                let first_seen = match self.gap_since {
                    Some((seq, at)) if seq == expected => at,
                    _ => {
                        self.gap_since = Some((expected, Instant::now()));
                        Instant::now()
                    }
                };
                if first_seen.elapsed() < GAP_PATIENCE {
                    return &entries[..i];
                }
            }
            expected = e.seq + 1;
        }
        self.gap_since = None;
        entries
    }

    fn apply(&mut self, entries: &[LogEntry], last: i64) -> Result<usize, SearchError> {
        let mut works: BTreeSet<i64> = entries.iter().filter_map(|e| e.work_id).collect();
        let tags: Vec<i64> = entries.iter().filter_map(|e| e.tag_id).collect();
        let graph = self.store.tag_graph()?;
        if !tags.is_empty() {
            let mut affected = BTreeSet::new();
            for t in tags {
                affected.extend(graph.affected_by_change(t));
            }
            let affected: Vec<i64> = affected.into_iter().collect();
            works.extend(self.store.works_tagged_any(&affected)?);
        }
        let works: Vec<i64> = works.into_iter().collect();
        let state = CommitState {
            schema: SCHEMA_VERSION,
            seq: last,
            built: true,
        };
        if works.is_empty() {
            self.index.commit(state)?;
            return Ok(0);
        }
        // All chunks go into one commit: readers see the change whole, and
        // a large re-wrangle pays for one commit, not one per chunk.
        for chunk in works.chunks(DOC_BATCH) {
            let docs = self.documents(chunk, &graph)?;
            if let Some(limit) = self.crash_after {
                let partial: Vec<_> = docs.into_iter().take(limit).collect();
                self.index.replace_uncommitted(chunk, partial)?;
                return Err(SearchError::SimulatedCrash);
            }
            self.index.replace_uncommitted(chunk, docs)?;
        }
        self.index.commit(state)?;
        Ok(works.len())
    }

    fn documents(
        &self,
        ids: &[i64],
        graph: &TagGraph,
    ) -> Result<Vec<tantivy::TantivyDocument>, SearchError> {
        let docs = self.store.index_docs(ids, self.bodies)?;
        let fields = self.index.fields();
        Ok(docs.iter().map(|d| fields.document(d, graph)).collect())
    }

    /// Rebuilds the index from the database, calling `progress(done,
    /// total)` as it goes. Changes made meanwhile are in the log after the
    /// position recorded at the start, and the next catch-up applies them.
    pub fn rebuild(&mut self, mut progress: impl FnMut(u64, u64)) -> Result<u64, SearchError> {
        let start_seq = self.store.index_log_head()?;
        let total = self.store.indexable_work_count()?.max(0) as u64;
        let graph = self.store.tag_graph()?;
        self.index.clear(CommitState {
            schema: SCHEMA_VERSION,
            seq: start_seq,
            built: false,
        })?;
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<Result<Vec<tantivy::TantivyDocument>, SearchError>>(4);
        let store = self.store.clone();
        let names = self.store.tag_names()?;
        let bodies = self.bodies;
        let fields = *self.index.fields();
        // Load from the database on one thread while tantivy indexes on others.
        let loader = std::thread::spawn(move || {
            let mut after = 0;
            loop {
                let ids = match store.indexable_work_ids(after, DOC_BATCH as i64) {
                    Ok(ids) => ids,
                    Err(e) => {
                        let _ = tx.send(Err(e.into()));
                        return;
                    }
                };
                let Some(&last) = ids.last() else {
                    return;
                };
                after = last;
                let docs = store
                    .index_docs_with(&ids, bodies, Some(&names))
                    .map(|docs| docs.iter().map(|d| fields.document(d, &graph)).collect())
                    .map_err(SearchError::from);
                if tx.send(docs).is_err() {
                    return;
                }
            }
        });
        let mut done = 0u64;
        for batch in rx {
            let batch = batch?;
            done += batch.len() as u64;
            self.index.add_uncommitted(batch)?;
            progress(done, total);
        }
        loader.join().map_err(|_| SearchError::Poisoned)?;
        self.index.commit(CommitState {
            schema: SCHEMA_VERSION,
            seq: start_seq,
            built: true,
        })?;
        self.store
            .ack_index_log(&self.name, self.ackable(start_seq))?;
        Ok(done)
    }
}
