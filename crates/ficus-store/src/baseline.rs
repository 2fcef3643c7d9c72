//! Plain-SQL baselines for benchmarks: the cheapest way to store the same
//! bytes, measured in the same run as the real code path.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::conn::WriteTransaction;
use crate::{Store, StoreError};

impl Store {
    /// (Re)creates the empty `bench_baseline` table.
    pub fn raw_baseline_reset(&self) -> Result<(), StoreError> {
        with_conn!(self, |conn| {
            conn.batch_execute(
                "DROP TABLE IF EXISTS bench_baseline; CREATE TABLE bench_baseline (body TEXT NOT NULL);",
            )?;
            Ok(())
        })
    }

    /// One `INSERT` of `body` into `bench_baseline`, in its own transaction.
    pub fn raw_baseline_insert(&self, body: &str) -> Result<(), StoreError> {
        with_conn!(self, |conn| {
            conn.write_transaction(|conn| {
                diesel::sql_query("INSERT INTO bench_baseline (body) VALUES ($1)")
                    .bind::<Text, _>(body)
                    .execute(conn)
            })?;
            Ok(())
        })
    }
}
