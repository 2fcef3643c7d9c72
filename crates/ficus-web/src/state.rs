//! The state every handler shares.

use ficus_store::Store;

use crate::error::WebError;
use crate::{ServeOptions, comment_cache, hits, origin, page_cache, reading_log, search};

/// Shared state of every handler: one `Arc`, so the clone every
/// extractor and middleware layer makes is one counter increment.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<AppStateParts>);

impl std::ops::Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct AppStateParts {
    pub store: Store,
    /// Drafts are deleted this many days after they were created.
    pub draft_days: i64,
    /// Sign-ups allowed per IP address per hour.
    pub signups_per_hour: u32,
    /// General limit: requests per IP address per window (0 = off).
    pub requests_per_ip: u32,
    /// The general limit's window, in seconds.
    pub request_window_secs: i64,
    /// This node's search index.
    pub search: std::sync::Arc<search::SearchHandle>,
    /// Where built downloads are cached.
    pub downloads_dir: std::path::PathBuf,
    /// The archive's key for CSRF form tokens (kept in the database's
    /// settings, so every node shares it).
    pub csrf_key: std::sync::Arc<Vec<u8>>,
    /// Trusted proxies and the public URL.
    pub origin: std::sync::Arc<origin::Origin>,
    /// The key that knows a guest again without keeping their address.
    pub visitor_key: ficus_app::visitors::VisitorKey,
    /// This node's hits since the last flush.
    pub hits: std::sync::Arc<hits::HitCounter>,
    /// This node's views by accounts (reading history) since the last flush.
    pub readings: std::sync::Arc<reading_log::ReadingLog>,
    /// The spam check for guests' and new accounts' comments (the
    /// built-in heuristic unless a real service is plugged in).
    pub spam: std::sync::Arc<dyn ficus_app::comments::SpamCheck>,
    /// The key unsubscribe links are signed with (in the database's
    /// settings, shared by every node).
    pub mail_key: std::sync::Arc<Vec<u8>>,
    /// Rendered comment threads of work pages, for viewers who all see
    /// the same (guests).
    pub comment_cache: std::sync::Arc<comment_cache::CommentCache>,
    /// Whole work pages as guests see them (see [`page_cache`]).
    pub pages: std::sync::Arc<page_cache::PageCache>,
}

/// The setting that holds the CSRF key.
const CSRF_KEY_SETTING: &str = "csrf_key";

impl AppState {
    /// The state of an archive on `store`: reads (or, on first start,
    /// makes) the archive's keys.
    pub fn new(
        store: Store,
        search: std::sync::Arc<search::SearchHandle>,
        downloads_dir: std::path::PathBuf,
        options: ServeOptions,
    ) -> Result<AppState, ficus_store::StoreError> {
        let key = store.setting_or_init(CSRF_KEY_SETTING, ficus_core::account::random_token)?;
        let visitor_key = ficus_app::visitors::VisitorKey::of(&store)?;
        let mail_key = ficus_app::mail::mail_key(&store)?;
        Ok(AppState(std::sync::Arc::new(AppStateParts {
            draft_days: options.draft_days,
            signups_per_hour: options.signups_per_hour,
            requests_per_ip: options.requests_per_ip,
            request_window_secs: options.request_window_secs,
            downloads_dir,
            csrf_key: std::sync::Arc::new(key.into_bytes()),
            origin: std::sync::Arc::new(options.origin),
            visitor_key,
            hits: std::sync::Arc::default(),
            readings: std::sync::Arc::default(),
            spam: std::sync::Arc::new(ficus_app::comments::Heuristic),
            mail_key: std::sync::Arc::new(mail_key),
            comment_cache: std::sync::Arc::new(comment_cache::CommentCache::new(
                options.comment_cache_bytes,
            )),
            pages: std::sync::Arc::new(page_cache::PageCache::new(
                options.page_cache_bytes,
                search.log_hold(),
                search.indexed_seq(),
            )),
            store,
            search,
        })))
    }

    /// Runs blocking work (store and index calls) on the blocking pool.
    pub async fn web_blocking<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, WebError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store)).await?
    }

    /// Runs a store call on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, ficus_store::StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        Ok(tokio::task::spawn_blocking(move || f(&store)).await??)
    }
}
