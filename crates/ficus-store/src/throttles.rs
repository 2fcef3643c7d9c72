//! Throttles: sliding-window counters in the database (`throttles`), so
//! every web node counts the same hits, and the honest wait they imply.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::conn::WriteTransaction;
use crate::schema::throttles;
use crate::{Store, StoreError};

impl Store {
    /// Counts one hit in `bucket` and returns the bucket's state over the
    /// last `window_secs` (this hit included): a sliding window over two
    /// fixed windows, all hits of the current window plus the previous
    /// window's hits weighted by how much of it still overlaps. Shared by
    /// every web node on the database.
    pub fn throttle_hit(
        &self,
        bucket: &str,
        window_secs: i64,
        now_secs: i64,
    ) -> Result<Throttle, StoreError> {
        let window = window_secs.max(1);
        let start = now_secs - now_secs.rem_euclid(window);
        let (current, previous): (i32, Option<i32>) = with_conn!(self, |conn| conn
            .write_transaction(|conn| {
                if now_secs.rem_euclid(64) == 0 {
                    // Now and then, forget windows older than a day.
                    diesel::delete(
                        throttles::table.filter(throttles::window_start.lt(now_secs - 86_400)),
                    )
                    .execute(conn)?;
                }
                let current = diesel::insert_into(throttles::table)
                    .values((
                        throttles::bucket.eq(bucket),
                        throttles::window_start.eq(start),
                        throttles::hits.eq(1),
                    ))
                    .on_conflict((throttles::bucket, throttles::window_start))
                    .do_update()
                    .set(throttles::hits.eq(throttles::hits + 1))
                    .returning(throttles::hits)
                    .get_result::<i32>(conn)?;
                let previous = throttles::table
                    .filter(throttles::bucket.eq(bucket))
                    .filter(throttles::window_start.eq(start - window))
                    .select(throttles::hits)
                    .first::<i32>(conn)
                    .optional()?;
                Ok::<_, DieselError>((current, previous))
            })?);
        Ok(Throttle::new(current, previous, window, now_secs))
    }

    /// The bucket's state as [`Store::throttle_hit`] sees it, without
    /// counting a hit (for limits that count only failures).
    pub fn throttle_peek(
        &self,
        bucket: &str,
        window_secs: i64,
        now_secs: i64,
    ) -> Result<Throttle, StoreError> {
        let window = window_secs.max(1);
        let start = now_secs - now_secs.rem_euclid(window);
        let rows: Vec<(i64, i32)> = with_conn!(self, |conn| throttles::table
            .filter(throttles::bucket.eq(bucket))
            .filter(throttles::window_start.eq_any([start, start - window]))
            .select((throttles::window_start, throttles::hits))
            .load(conn)?);
        let of = |at: i64| rows.iter().find(|(s, _)| *s == at).map(|(_, h)| *h);
        Ok(Throttle::new(
            of(start).unwrap_or(0),
            of(start - window),
            window,
            now_secs,
        ))
    }
}

/// A throttle bucket at one moment: the hits of the current fixed window
/// and of the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    current: u32,
    previous: u32,
    window: i64,
    /// Seconds into the current window.
    elapsed: i64,
}

impl Throttle {
    fn new(current: i32, previous: Option<i32>, window: i64, now_secs: i64) -> Throttle {
        Throttle {
            current: u32::try_from(current).unwrap_or(0),
            previous: previous.and_then(|p| u32::try_from(p).ok()).unwrap_or(0),
            window,
            elapsed: now_secs.rem_euclid(window),
        }
    }

    /// The estimated hits in the last window, `t` seconds from now if no
    /// hit came meanwhile.
    fn estimate_after(&self, t: i64) -> f64 {
        let at = self.elapsed + t;
        let (current, previous, elapsed) = match at.div_euclid(self.window) {
            0 => (self.current, self.previous, at),
            1 => (0, self.current, at - self.window),
            _ => return 0.0,
        };
        let overlap = (self.window - elapsed) as f64 / self.window as f64;
        f64::from(current) + f64::from(previous) * overlap
    }

    /// The estimated hits in the last window (rounded up).
    pub fn hits(&self) -> u32 {
        self.estimate_after(0).ceil() as u32
    }

    /// Seconds until one more hit stays within `limit`: never less than
    /// the real wait (a client that waits this long is let through), at
    /// least 1.
    pub fn retry_after(&self, limit: u32) -> u64 {
        let horizon = 2 * self.window;
        (1..=horizon)
            .find(|&t| self.estimate_after(t) + 1.0 <= f64::from(limit))
            .map_or(horizon, |t| t)
            .max(1) as u64
    }
}
#[cfg(test)]
mod throttle_tests {
    use super::Throttle;

    /// A client that waits `retry_after` seconds is let through, and one
    /// second earlier it would not have been.
    #[test]
    fn retry_after_is_the_real_wait() {
        for window in [1, 20, 300] {
            for elapsed in [0, window / 3, window - 1] {
                for (current, previous) in [(6, 0), (12, 0), (3, 9), (30, 30), (1, 40)] {
                    let t = Throttle::new(current, Some(previous), window, 1000 * window + elapsed);
                    let limit = 5;
                    let wait = t.retry_after(limit) as i64;
                    let let_through = |s: i64| t.estimate_after(s) + 1.0 <= f64::from(limit);
                    if t.hits() > limit {
                        assert!(let_through(wait), "{window} {elapsed} {current} {previous}");
                        assert!(
                            wait == 1 || !let_through(wait - 1),
                            "understated: {window} {elapsed} {current} {previous}"
                        );
                    }
                    // Never beyond two windows: by then nothing counts.
                    assert!(wait <= 2 * window);
                }
            }
        }
        // The old formula (the rest of the current window) understated
        // this one: 12 hits at the end of a 20-second window still weigh
        // in the next.
        let t = Throttle::new(12, Some(0), 20, 19);
        assert!(t.retry_after(5) > 1);
    }
}
