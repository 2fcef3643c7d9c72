//! Creator statistics: per work and in total (hits, kudos, comment
//! threads, words), all time or one year, and daily series from
//! `work_daily_stats` (per work or for all of an account's works).

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use crate::Store;
use crate::error::StoreError;
use crate::schema::{
    bookmarks, comments, creators, pseuds, work_creators, work_daily_stats, works,
};

/// One work's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkStat {
    pub work_id: i64,
    pub title: String,
    pub published: NaiveDate,
    pub words: i64,
    pub hits: i64,
    pub kudos: i64,
    /// Top-level comments every reader sees (AO3's "Comment Threads").
    pub comment_threads: i64,
    /// Every bookmark of the work, private ones too (as AO3's statistics;
    /// blurbs count the public ones).
    pub bookmarks: i64,
}

/// One day of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayStat {
    pub day: NaiveDate,
    pub hits: i64,
    pub kudos: i64,
    pub comments: i64,
}

impl Store {
    /// The posted works of account `user_id` with their numbers: all
    /// time, or only what happened in `year` (hits, kudos and comment
    /// threads of that year; works and words as they are).
    pub fn creator_stats(
        &self,
        user_id: i64,
        year: Option<i32>,
    ) -> Result<Vec<WorkStat>, StoreError> {
        type Row = (i64, String, NaiveDate, i64, i64, i64, i64);
        type Loaded = (
            Vec<Row>,
            Vec<(i64, NaiveDate, i64, i64)>,
            Vec<(i64, chrono::NaiveDateTime)>,
            Vec<(Option<i64>, chrono::NaiveDateTime, bool, bool)>,
        );
        let (rows, daily, threads, marks): Loaded = with_conn!(self, |conn| {
            let mine = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(pseuds::user_id.eq(user_id))
                .select(work_creators::work_id);
            let rows: Vec<Row> = works::table
                .filter(works::id.eq_any(mine))
                .filter(works::posted.eq(true))
                .order(works::published_on.desc())
                .select((
                    works::id,
                    works::title,
                    works::published_on,
                    works::word_count,
                    works::hits_count,
                    works::kudos_count,
                    works::bookmarks_count,
                ))
                .load(conn)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let daily: Vec<(i64, NaiveDate, i64, i64)> = match year {
                Some(_) => work_daily_stats::table
                    .filter(work_daily_stats::work_id.eq_any(&ids))
                    .select((
                        work_daily_stats::work_id,
                        work_daily_stats::day,
                        work_daily_stats::hits,
                        work_daily_stats::kudos,
                    ))
                    .load(conn)?,
                None => Vec::new(),
            };
            let threads: Vec<(i64, chrono::NaiveDateTime)> = comments::table
                .filter(comments::work_id.eq_any(&ids))
                .filter(comments::parent_id.is_null())
                .filter(comments::unreviewed.eq(false))
                .filter(comments::hidden.eq(false))
                .filter(comments::deleted.eq(false))
                .filter(comments::spam.eq(false))
                .select((comments::work_id, comments::created_at))
                .load(conn)?;
            let marks = bookmarks::table
                .filter(bookmarks::work_id.eq_any(&ids))
                .select((
                    bookmarks::work_id,
                    bookmarks::created_at,
                    bookmarks::private,
                    bookmarks::hidden_by_admin,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((rows, daily, threads, marks))
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(work_id, title, published, words, hits, kudos, public_marks)| {
                    let in_year = |d: NaiveDate| year.is_none_or(|y| d.year() == y);
                    let (hits, kudos) = match year {
                        None => (hits, kudos),
                        Some(_) => daily
                            .iter()
                            .filter(|(w, d, ..)| *w == work_id && in_year(*d))
                            .fold((0, 0), |(h, k), (_, _, dh, dk)| (h + dh, k + dk)),
                    };
                    let comment_threads = threads
                        .iter()
                        .filter(|(w, at)| *w == work_id && in_year(at.date()))
                        .count() as i64;
                    let of_work = marks.iter().filter(|m| m.0 == Some(work_id));
                    // All time: the public count (imported ones included) and
                    // the others; a year: the bookmarks made in it.
                    let bookmarks = match year {
                        None => {
                            public_marks
                                + of_work
                                    .filter(|m| !ficus_core::bookmarks::is_public(m.2, m.3))
                                    .count() as i64
                        }
                        Some(_) => of_work.filter(|m| in_year(m.1.date())).count() as i64,
                    };
                    WorkStat {
                        work_id,
                        title,
                        published,
                        words,
                        hits,
                        kudos,
                        comment_threads,
                        bookmarks,
                    }
                },
            )
            .collect())
    }

    /// Daily hits, kudos and comments from `from` to `to` (inclusive) for
    /// one work of `user_id`'s, or all of them; days with nothing are
    /// left out.
    pub fn creator_daily_stats(
        &self,
        user_id: i64,
        work_id: Option<i64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayStat>, StoreError> {
        let rows: Vec<(NaiveDate, i64, i64, i64)> = with_conn!(self, |conn| {
            let mine = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(pseuds::user_id.eq(user_id))
                .select(work_creators::work_id);
            let mut q = work_daily_stats::table
                .filter(work_daily_stats::work_id.eq_any(mine))
                .filter(work_daily_stats::day.ge(from))
                .filter(work_daily_stats::day.le(to))
                .into_boxed();
            if let Some(w) = work_id {
                q = q.filter(work_daily_stats::work_id.eq(w));
            }
            let rows: Vec<(NaiveDate, i64, i64, i64)> = q
                .order(work_daily_stats::day.asc())
                .select((
                    work_daily_stats::day,
                    work_daily_stats::hits,
                    work_daily_stats::kudos,
                    work_daily_stats::comments,
                ))
                .load(conn)?;
            Ok::<_, StoreError>(rows)
        })?;
        let mut out: Vec<DayStat> = Vec::new();
        for (day, hits, kudos, comments) in rows {
            match out.last_mut() {
                Some(last) if last.day == day => {
                    last.hits += hits;
                    last.kudos += kudos;
                    last.comments += comments;
                }
                _ => out.push(DayStat {
                    day,
                    hits,
                    kudos,
                    comments,
                }),
            }
        }
        Ok(out)
    }
}
