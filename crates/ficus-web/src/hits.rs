//! Hits without a database write on the page's path: the work page adds
//! a visit to an in-memory set, and a task hands the set to the store
//! every [`FLUSH_SECS`] seconds and once more at shutdown
//! (`Store::record_hits` counts each visitor once per work and day across
//! all nodes). A node that crashes loses at most the visits of one flush
//! interval; a flush that fails keeps its visits for the next one.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::Utc;
use ficus_store::hits::Visit;

use crate::AppState;

/// Seconds between flushes: the most a crash can lose.
pub const FLUSH_SECS: u64 = 5;

/// Visits held before a flush; beyond it new ones wait for the next.
const MAX_PENDING: usize = 200_000;

/// This node's visits since the last flush.
#[derive(Debug, Default)]
pub struct HitCounter {
    pending: Mutex<HashSet<Visit>>,
}

impl HitCounter {
    /// Notes that `visitor` read work `work_id` now.
    pub fn record(&self, work_id: i64, visitor: String) {
        let visit = Visit {
            day: Utc::now().date_naive(),
            work_id,
            visitor,
        };
        if let Ok(mut pending) = self.pending.lock()
            && pending.len() < MAX_PENDING
        {
            pending.insert(visit);
        }
    }

    fn take(&self) -> Vec<Visit> {
        self.pending
            .lock()
            .map(|mut p| p.drain().collect())
            .unwrap_or_default()
    }

    fn put_back(&self, visits: Vec<Visit>) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.extend(visits);
        }
    }
}

/// Whether a `User-Agent` is an obvious robot (crawlers, fetch tools):
/// their visits are not hits.
pub fn is_bot(user_agent: &str) -> bool {
    const MARKS: [&str; 9] = [
        "bot",
        "crawl",
        "spider",
        "slurp",
        "curl/",
        "wget/",
        "python-requests",
        "scrapy",
        "httpclient",
    ];
    let ua = user_agent.to_ascii_lowercase();
    MARKS.iter().any(|m| ua.contains(m))
}

/// Hands this node's visits to the store now; returns the hits counted.
pub async fn flush(st: &AppState) -> u64 {
    let visits = st.hits.take();
    if visits.is_empty() {
        return 0;
    }
    let today = Utc::now().date_naive();
    let held = visits.clone();
    match st.db(move |s| s.record_hits(&visits, today)).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "could not record hits; keeping them for the next flush");
            st.hits.put_back(held);
            0
        }
    }
}

/// Flushes every [`FLUSH_SECS`] seconds, forever.
pub async fn flush_every_few_seconds(st: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(FLUSH_SECS));
    loop {
        tick.tick().await;
        flush(&st).await;
        // Reading history goes out on the same beat.
        crate::reading_log::flush(&st).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_are_told_apart_from_readers() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("curl/8.5.0"));
        assert!(is_bot("python-requests/2.31"));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36"
        ));
        assert!(!is_bot("KOReader/2024.04"));
    }

    #[test]
    fn visits_are_deduplicated_until_taken() {
        let c = HitCounter::default();
        c.record(1, "u1".into());
        c.record(1, "u1".into());
        c.record(2, "u1".into());
        let mut taken = c.take();
        taken.sort_by_key(|v| v.work_id);
        assert_eq!(taken.len(), 2);
        assert!(c.take().is_empty());
        c.put_back(taken);
        assert_eq!(c.take().len(), 2);
    }
}
