//! Hits as stored: each node counts visits in memory and hands them here
//! in batches. A visit counts once per visitor, work and day however many
//! nodes saw it (`hit_visits` has a primary key on the three); new ones
//! move the work's `hits_count` and the day's count in the same
//! transaction. Rows of past days are deleted as batches arrive.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{hit_visits, work_daily_stats, works};

/// One visit: a visitor (an account as `u<id>`, a guest as `g<keyed
/// hash>`) reading a work on a day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Visit {
    pub day: NaiveDate,
    pub work_id: i64,
    pub visitor: String,
}

/// Visits per transaction.
const BATCH: usize = 500;

impl Store {
    /// Records visits; returns how many were new (hits counted). Visits to
    /// drafts, hidden or deleted works count nothing. Visit rows older
    /// than the day before `today` are deleted.
    pub fn record_hits(&self, visits: &[Visit], today: NaiveDate) -> Result<u64, StoreError> {
        let mut counted = 0u64;
        for batch in visits.chunks(BATCH) {
            counted += with_conn!(self, |conn| conn.write_transaction(|conn| {
                let mut new: HashMap<(i64, NaiveDate), i64> = HashMap::new();
                for v in batch {
                    let inserted = diesel::insert_into(hit_visits::table)
                        .values((
                            hit_visits::day.eq(v.day),
                            hit_visits::work_id.eq(v.work_id),
                            hit_visits::visitor.eq(&v.visitor),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)?;
                    if inserted > 0 {
                        *new.entry((v.work_id, v.day)).or_default() += 1;
                    }
                }
                let mut counted = 0u64;
                let mut keys: Vec<_> = new.into_iter().collect();
                keys.sort_unstable();
                for ((work_id, day), n) in keys {
                    let moved = diesel::update(
                        works::table
                            .filter(works::id.eq(work_id))
                            .filter(works::posted.eq(true))
                            .filter(works::hidden.eq(false))
                            // No hits while a mystery (AO3's rule).
                            .filter(works::unrevealed.eq(false)),
                    )
                    .set(works::hits_count.eq(works::hits_count + n))
                    .execute(conn)?;
                    if moved == 0 {
                        continue;
                    }
                    diesel::insert_into(work_daily_stats::table)
                        .values((
                            work_daily_stats::work_id.eq(work_id),
                            work_daily_stats::day.eq(day),
                            work_daily_stats::hits.eq(n),
                        ))
                        .on_conflict((work_daily_stats::work_id, work_daily_stats::day))
                        .do_update()
                        .set(work_daily_stats::hits.eq(work_daily_stats::hits + n))
                        .execute(conn)?;
                    counted += u64::try_from(n).unwrap_or(0);
                }
                if let Some(yesterday) = today.pred_opt() {
                    diesel::delete(hit_visits::table.filter(hit_visits::day.lt(yesterday)))
                        .execute(conn)?;
                }
                Ok::<_, diesel::result::Error>(counted)
            })?);
        }
        Ok(counted)
    }

    /// A work's daily counts (day, hits, kudos, comments), oldest first.
    pub fn daily_stats(&self, work_id: i64) -> Result<Vec<(NaiveDate, i64, i64, i64)>, StoreError> {
        Ok(with_conn!(self, |conn| work_daily_stats::table
            .filter(work_daily_stats::work_id.eq(work_id))
            .order(work_daily_stats::day.asc())
            .select((
                work_daily_stats::day,
                work_daily_stats::hits,
                work_daily_stats::kudos,
                work_daily_stats::comments,
            ))
            .load(conn)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestStore;

    #[test]
    fn a_visitor_counts_once_a_day_whoever_reports_it() {
        for store in TestStore::all() {
            let id = store
                .insert_work(&ficus_testkit::work("Read").build())
                .expect("insert")
                .work_id();
            let day = ficus_testkit::day(2026, 12, 6);
            let visit = |who: &str, day| Visit {
                day,
                work_id: id,
                visitor: who.to_string(),
            };
            // Two nodes report the same visitor; a second visitor; the next day.
            let node_a = [visit("u1", day), visit("g1", day)];
            let node_b = [visit("u1", day), visit("g1", day), visit("g2", day)];
            assert_eq!(store.record_hits(&node_a, day).expect("a"), 2);
            assert_eq!(store.record_hits(&node_b, day).expect("b"), 1);
            let next = day.succ_opt().expect("day");
            assert_eq!(store.record_hits(&[visit("u1", next)], next).expect("c"), 1);
            let work = store
                .work(id, ficus_core::access::Viewer::System)
                .expect("work")
                .expect("exists");
            assert_eq!(work.stats.hits, 4);
            let daily = store.daily_stats(id).expect("daily");
            assert_eq!(
                daily.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(),
                vec![(day, 3), (next, 1)]
            );
            // Drafts and missing works count nothing.
            assert_eq!(
                store
                    .record_hits(
                        &[Visit {
                            day: next,
                            work_id: 999_999,
                            visitor: "u1".into()
                        }],
                        next
                    )
                    .expect("missing"),
                0
            );
        }
    }
}
