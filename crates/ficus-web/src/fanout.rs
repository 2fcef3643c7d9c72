//! The background task that fans posted works and chapters out to their
//! subscribers (`Store::run_fanout_job`): every few seconds it runs the
//! due jobs one after another. Jobs are leased in the database, so any
//! number of nodes may run this task and each job is done by one.

use crate::AppState;

/// Seconds between looks at the queue.
pub const FANOUT_SECS: u64 = 2;

/// Runs every due fan-out job now; returns the updates written.
pub async fn run_due(st: &AppState) -> usize {
    let mut written = 0;
    loop {
        let now = chrono::Utc::now().naive_utc();
        match st.db(move |s| s.run_fanout_job(now)).await {
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
