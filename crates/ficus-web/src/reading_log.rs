//! Reading history without a database write on the page's path: the work
//! page notes an account's view in memory, and the hits' flush task hands
//! the views to the store every few seconds and at shutdown
//! (`Store::record_readings`). A node that crashes loses at most the views
//! of one flush interval; a flush that fails keeps its views.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{NaiveDateTime, Utc};
use ficus_store::readings::ReadingVisit;

use crate::AppState;

/// Accounts × works held before a flush; beyond it new ones wait.
const MAX_PENDING: usize = 200_000;

/// Views held for one account and work: the last, how many, and the
/// newest version of the work seen.
type Held = (NaiveDateTime, i64, NaiveDateTime);

/// This node's views by accounts since the last flush.
#[derive(Debug, Default)]
pub struct ReadingLog {
    /// (account, work) → (last view, views, the work's version seen)
    pending: Mutex<HashMap<(i64, i64), Held>>,
}

impl ReadingLog {
    /// Notes that account `user_id` read work `work_id` now, as it was at
    /// `version` (its last change, unix seconds).
    pub fn record(&self, user_id: i64, work_id: i64, version: i64) {
        let now = Utc::now().naive_utc();
        let version = chrono::DateTime::from_timestamp(version, 0)
            .map(|d| d.naive_utc())
            .unwrap_or(now);
        if let Ok(mut pending) = self.pending.lock() {
            if pending.len() >= MAX_PENDING && !pending.contains_key(&(user_id, work_id)) {
                return;
            }
            let entry = pending
                .entry((user_id, work_id))
                .or_insert((now, 0, version));
            entry.0 = now;
            entry.1 += 1;
            entry.2 = entry.2.max(version);
        }
    }

    fn take(&self) -> Vec<ReadingVisit> {
        self.pending
            .lock()
            .map(|mut p| {
                p.drain()
                    .map(|((user_id, work_id), (at, views, version))| ReadingVisit {
                        user_id,
                        work_id,
                        at,
                        views,
                        version,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn put_back(&self, visits: Vec<ReadingVisit>) {
        if let Ok(mut pending) = self.pending.lock() {
            for v in visits {
                let entry = pending
                    .entry((v.user_id, v.work_id))
                    .or_insert((v.at, 0, v.version));
                entry.0 = entry.0.max(v.at);
                entry.1 += v.views;
                entry.2 = entry.2.max(v.version);
            }
        }
    }
}

/// Views written per transaction (a long backlog after an outage must not
/// hold the database's write lock for long).
const CHUNK: usize = 1_000;

/// Hands this node's views to the store now, a chunk a transaction (a
/// chunk that fails is kept for the next flush); returns the rows written.
pub async fn flush(st: &AppState) -> usize {
    let visits = st.readings.take();
    let mut written = 0;
    for chunk in visits.chunks(CHUNK) {
        let chunk = chunk.to_vec();
        let held = chunk.clone();
        match st.db(move |s| s.record_readings(&chunk)).await {
            Ok(n) => written += n,
            Err(e) => {
                tracing::warn!(error = %e, "could not record readings; keeping them for the next flush");
                st.readings.put_back(held);
            }
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_add_up_until_taken() {
        let log = ReadingLog::default();
        log.record(1, 10, 100);
        log.record(1, 10, 200);
        log.record(2, 10, 100);
        let mut taken = log.take();
        taken.sort_by_key(|v| v.user_id);
        assert_eq!(taken.len(), 2);
        assert_eq!(taken[0].views, 2);
        assert_eq!(
            taken[0].version.and_utc().timestamp(),
            200,
            "the newest seen"
        );
        assert!(log.take().is_empty());
        log.put_back(taken);
        log.record(1, 10, 100);
        let again = log.take();
        assert_eq!(
            again.iter().find(|v| v.user_id == 1).map(|v| v.views),
            Some(3)
        );
    }
}
