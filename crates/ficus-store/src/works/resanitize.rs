//! Re-sanitizing what is stored: after the sanitizer's rules change, rows
//! stored under the old rules are brought under the new ones.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::helpers::WorkHelpers;
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{chapters, series, works};

/// Rows read and rewritten per transaction.
const BATCH: i64 = 200;

/// An optional HTML field as the store keeps it: sanitized, blank → none.
fn clean(html: &Option<String>) -> Option<String> {
    html.as_deref()
        .map(ficus_core::html::sanitize)
        .filter(|h| !h.trim().is_empty())
}

impl Store {
    /// Runs every stored HTML field — works' summaries and notes,
    /// chapters' texts and notes, series' descriptions and notes — through
    /// the sanitizer again, rewriting only the rows that change (a
    /// chapter's word count and its work's counts follow its text).
    /// Batches of [`BATCH`] rows, each one transaction. Returns how many
    /// rows changed.
    pub fn resanitize_all(&self) -> Result<usize, StoreError> {
        let mut changed = 0;
        let now = Utc::now().naive_utc();
        type WorkFields = (i64, Option<String>, Option<String>, Option<String>);
        let mut after = 0;
        loop {
            let (last, n) = with_conn!(self, |conn| conn.write_transaction(|conn| {
                let rows: Vec<WorkFields> = works::table
                    .filter(works::id.gt(after))
                    .order(works::id.asc())
                    .limit(BATCH)
                    .select((works::id, works::summary, works::notes, works::end_notes))
                    .load(conn)?;
                let mut n = 0;
                for (id, summary, notes, end_notes) in &rows {
                    let new = (clean(summary), clean(notes), clean(end_notes));
                    if (&new.0, &new.1, &new.2) != (summary, notes, end_notes) {
                        diesel::update(works::table.find(id))
                            .set((
                                works::summary.eq(new.0),
                                works::notes.eq(new.1),
                                works::end_notes.eq(new.2),
                                works::updated_at.eq(now),
                            ))
                            .execute(conn)?;
                        n += 1;
                    }
                }
                Ok::<_, DieselError>((rows.last().map(|r| r.0), n))
            }))?;
            changed += n;
            match last {
                Some(id) => after = id,
                None => break,
            }
        }
        type ChapterFields = (
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let mut after = 0;
        loop {
            let (last, n) = with_conn!(self, |conn| conn.write_transaction(|conn| {
                let rows: Vec<ChapterFields> = chapters::table
                    .filter(chapters::id.gt(after))
                    .order(chapters::id.asc())
                    .limit(BATCH)
                    .select((
                        chapters::id,
                        chapters::work_id,
                        chapters::summary,
                        chapters::notes,
                        chapters::end_notes,
                        chapters::body,
                    ))
                    .load(conn)?;
                let mut n = 0;
                for (id, work_id, summary, notes, end_notes, body) in &rows {
                    let new_body = ficus_core::html::sanitize(body);
                    let new = (clean(summary), clean(notes), clean(end_notes));
                    if (&new.0, &new.1, &new.2) == (summary, notes, end_notes) && &new_body == body
                    {
                        continue;
                    }
                    let words = i64::try_from(ficus_core::wordcount::count_html(&new_body))
                        .unwrap_or(i64::MAX);
                    diesel::update(chapters::table.find(id))
                        .set((
                            chapters::summary.eq(new.0),
                            chapters::notes.eq(new.1),
                            chapters::end_notes.eq(new.2),
                            chapters::body.eq(&new_body),
                            chapters::word_count.eq(words),
                        ))
                        .execute(conn)?;
                    conn.refresh_counts(*work_id)?;
                    diesel::update(works::table.find(work_id))
                        .set(works::updated_at.eq(now))
                        .execute(conn)?;
                    n += 1;
                }
                Ok::<_, DieselError>((rows.last().map(|r| r.0), n))
            }))?;
            changed += n;
            match last {
                Some(id) => after = id,
                None => break,
            }
        }
        type SeriesFields = (i64, Option<String>, Option<String>);
        let rows: Vec<SeriesFields> = with_conn!(self, |conn| series::table
            .select((series::id, series::summary, series::notes))
            .load(conn)?);
        for (id, summary, notes) in rows {
            let new = (clean(&summary), clean(&notes));
            if (&new.0, &new.1) != (&summary, &notes) {
                with_conn!(self, |conn| diesel::update(series::table.find(id))
                    .set((series::summary.eq(new.0), series::notes.eq(new.1)))
                    .execute(conn)?);
                changed += 1;
            }
        }
        Ok(changed)
    }
}
