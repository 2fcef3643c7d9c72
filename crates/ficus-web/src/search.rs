//! The web node's search index and the background thread that keeps it in
//! step with the database's change log.
//!
//! The thread wakes when this node changes something (see
//! [`read_your_writes`]) and every half second otherwise, so changes made
//! by other nodes or by `ficus import` arrive too.

use std::path::Path;
use std::sync::atomic::AtomicI64;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use ficus_core::wrangling::TagGraph;
use ficus_search::{Indexer, SearchError, SearchIndex};
use ficus_store::Store;

use crate::AppState;

/// How often the indexer looks at the log when nobody wakes it.
const POLL: Duration = Duration::from_millis(500);
/// How long a state-changing request waits for its change to be indexed.
const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// The index and the indexer thread's progress.
pub struct SearchHandle {
    pub index: SearchIndex,
    /// The wrangling graph, reloaded whenever the index moves on (a
    /// wrangling change reaches every node through the log).
    graph: std::sync::RwLock<Arc<TagGraph>>,
    wake: Mutex<Sender<()>>,
    indexed: Mutex<i64>,
    progressed: Condvar,
    /// How far this node's page cache has read the log (the indexer
    /// records no position past it, so the log is kept for it).
    hold: Arc<AtomicI64>,
}

impl SearchHandle {
    /// Opens the index in `dir`, builds it first when it is new (printing
    /// progress), and starts the indexer thread named `node`.
    pub fn start(store: Store, dir: &Path, node: &str) -> Result<Arc<SearchHandle>, SearchError> {
        let index = SearchIndex::open(dir)?;
        // Take the writer's lock now: a second node on the same directory
        // fails here, clearly, instead of serving a stale index.
        index.lock_for_writing().map_err(|e| {
            SearchError::Io(
                format!(
                    "the search index in {} (each web node needs its own --index-dir)",
                    dir.display()
                ),
                std::io::Error::other(e.to_string()),
            )
        })?;
        {
            let mut indexer = Indexer::new(&index, &store, node);
            if indexer.needs_rebuild()? {
                let started = Instant::now();
                let n = indexer.rebuild(|_, _| {})?;
                tracing::info!(
                    works = n,
                    secs = started.elapsed().as_secs_f64(),
                    "built the search index"
                );
            }
            indexer.catch_up()?;
        }
        // This node's position, under its own name, before the shared
        // name every node once used goes (that row would hold the log
        // back for good).
        store.ack_index_log(node, index.state()?.seq)?;
        if node != ficus_search::LEGACY_CONSUMER {
            store.forget_index_consumer(ficus_search::LEGACY_CONSUMER)?;
        }
        // The big listings' counts and sort orders, before the first
        // reader (a second or two at a million works).
        warm(&index);
        let (tx, rx) = channel();
        let seq = index.state()?.seq;
        let graph = std::sync::RwLock::new(Arc::new(store.tag_graph()?));
        let handle = Arc::new(SearchHandle {
            index,
            graph,
            wake: Mutex::new(tx),
            indexed: Mutex::new(seq),
            progressed: Condvar::new(),
            hold: Arc::new(AtomicI64::new(i64::MAX)),
        });
        let worker = handle.clone();
        let node = node.to_string();
        std::thread::Builder::new()
            .name("ficus-indexer".into())
            .spawn(move || worker.follow(store, &node, rx))
            .map_err(|e| SearchError::Io("the indexer thread".into(), e))?;
        Ok(handle)
    }

    fn follow(&self, store: Store, node: &str, wake: Receiver<()>) {
        // After each change only the new segments cost anything.
        let mut indexer = Indexer::new(&self.index, &store, node);
        indexer.hold = Some(self.hold.clone());
        // The big listings' counts and sort orders, ahead of their first
        // reader; after each change only new segments cost anything.
        loop {
            if let Err(e) = indexer.catch_up() {
                tracing::warn!(error = %e, "search indexer: catching up failed; retrying");
                let _ = self.index.rollback();
            }
            if let Ok(state) = self.index.state() {
                let moved = self.indexed_seq() != state.seq;
                if moved
                    && let Ok(graph) = store.tag_graph()
                    && let Ok(mut slot) = self.graph.write()
                {
                    *slot = Arc::new(graph);
                }
                if let Ok(mut indexed) = self.indexed.lock() {
                    *indexed = state.seq;
                    self.progressed.notify_all();
                }
                if moved {
                    warm(&self.index);
                }
            }
            match wake.recv_timeout(POLL) {
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
            while wake.try_recv().is_ok() {}
        }
    }

    /// Wakes the indexer.
    pub fn wake(&self) {
        if let Ok(tx) = self.wake.lock() {
            let _ = tx.send(());
        }
    }

    /// Waits until the index holds log entry `seq`, or `timeout` passes.
    pub fn wait_for(&self, seq: i64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut indexed) = self.indexed.lock() else {
            return false;
        };
        while *indexed < seq {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.progressed.wait_timeout(indexed, left) {
                Ok((guard, _)) => indexed = guard,
                Err(_) => return false,
            }
        }
        true
    }

    /// The wrangling graph as of the index's position.
    pub fn graph(&self) -> Arc<TagGraph> {
        self.graph
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|_| Arc::new(TagGraph::default()))
    }

    /// How far this node's other reader of the log (the page cache) has
    /// read it: the indexer keeps the log from there on.
    pub fn log_hold(&self) -> Arc<AtomicI64> {
        self.hold.clone()
    }

    /// The last log entry the index holds.
    pub fn indexed_seq(&self) -> i64 {
        self.indexed.lock().map(|g| *g).unwrap_or(0)
    }
}

/// Counts and orders the big listings ahead of their readers.
fn warm(index: &SearchIndex) {
    if let Err(e) = index.warm() {
        tracing::warn!(error = %e, "search index: warming the big listings failed");
    }
}

/// Middleware: after a state-changing request, wake the indexer and wait
/// (briefly) until the change is searchable, so a writer sees their own
/// work in listings. Wrangling requests don't wait: re-filtering may touch
/// many works and runs in the background. Kudos don't either: the giver
/// goes back to the work page, which reads the count from the database,
/// and listings follow within moments.
pub async fn read_your_writes(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // POST from forms; PATCH and DELETE from the API.
    let post = matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::DELETE | Method::PUT
    );
    let path = req.uri().path();
    let no_wait = path.starts_with("/tags/") || path == "/kudos" || path.ends_with("/kudos");
    // A browser's work pages (a guest's or a plain reader's) may come
    // from any node's page cache.
    let browser = !path.starts_with("/api/");
    let mut response = next.run(req).await;
    if post {
        // The writer's next request must not get a page kept from before:
        // this node reads the log now; the writer's browser carries the
        // log's head to any other node (see `page_cache::SEEN_COOKIE`).
        let pages = st.pages.clone();
        let store = st.store.clone();
        let head = tokio::task::spawn_blocking(move || {
            pages.catch_up_or_forget(&store);
            store.index_log_head().ok()
        })
        .await
        .ok()
        .flatten();
        if let Some(head) = head.filter(|_| browser && st.pages.enabled())
            && let Ok(v) = axum::http::HeaderValue::from_str(&format!(
                "{}={head}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
                crate::page_cache::SEEN_COOKIE
            ))
        {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, v);
        }
    }
    if post && no_wait {
        st.search.wake();
    } else if post {
        let search = st.search.clone();
        let store = st.store.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(head) = store.index_log_head() {
                search.wake();
                search.wait_for(head, READ_YOUR_WRITES);
            }
        })
        .await;
    }
    response
}
