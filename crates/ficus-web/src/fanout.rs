//! The background task that fans posted works and chapters out to their
//! subscribers (`Store::run_fanout_job`): every few seconds it runs the
//! due jobs one after another. Jobs are leased in the database, so any
//! number of nodes may run this task and each job is done by one.
//!
//! Saved searches are matched here ([`SavedSearches`]): each search's
//! filters are built as its listing builds them and run against the new
//! work indexed alone ([`ficus_search::Probe`]), so a match means the
//! work is in that listing, and does not wait for this node's index.

use ficus_app::discovery::{self, Mutes};
use ficus_core::wrangling::TagGraph;
use ficus_search::Probe;
use ficus_store::subscriptions::{SavedSearch, SearchMatcher};
use ficus_store::{Store, StoreError};

use crate::AppState;
use crate::filter_form::saved_filters;

/// Seconds between looks at the queue.
pub const FANOUT_SECS: u64 = 2;

/// Matches saved searches by the listings' own rules.
pub struct SavedSearches;

impl SearchMatcher for SavedSearches {
    fn matching(
        &self,
        store: &Store,
        graph: &TagGraph,
        work_id: i64,
        searches: &[(i64, SavedSearch)],
    ) -> Result<Vec<i64>, StoreError> {
        let failed = |e: ficus_search::SearchError| StoreError::Invalid(e.to_string());
        let Some(probe) = Probe::of_work(store, graph, work_id).map_err(failed)? else {
            return Ok(Vec::new());
        };
        let mut matched = Vec::new();
        for (id, search) in searches {
            // A search whose tag is gone, or whose query no longer parses,
            // finds nothing (as its listing would show nothing).
            let Some((scope, filters)) = saved_filters(store, search)? else {
                continue;
            };
            // As an account sees it: subscribers are accounts; their mutes
            // are applied to every update by the fan-out itself.
            let built =
                discovery::build_request(store, graph, &filters, &scope, true, Mutes::default())?;
            if built.error.is_none() && probe.matches(&built.request).map_err(failed)? {
                matched.push(*id);
            }
        }
        Ok(matched)
    }
}

/// Runs every due fan-out job now; returns the updates written.
pub async fn run_due(st: &AppState) -> usize {
    let mut written = 0;
    loop {
        let now = chrono::Utc::now().naive_utc();
        match st.db(move |s| s.run_fanout_job(now, &SavedSearches)).await {
            Ok(Some(report)) => written += report.queued,
            Ok(None) => return written,
            Err(e) => {
                tracing::warn!(error = %e, "subscription fan-out failed; it is retried when its lease ends");
                return written;
            }
        }
    }
}

/// Runs the due jobs every [`FANOUT_SECS`] seconds, forever.
pub async fn every_few_seconds(st: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(FANOUT_SECS));
    loop {
        tick.tick().await;
        run_due(&st).await;
    }
}
