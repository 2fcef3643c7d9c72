//! What a subscription's mail says: the updates a message or a digest
//! tells, read when it is sent and as its recipient may see them then —
//! nothing from a work since hidden, deleted or no longer visible to them,
//! nor from a subscription since stopped or set to send no mail.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::mail::{MailKind, SubscriptionMail};

use super::fanout::{DigestQueue, weekly_due};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::mail::digest_due;
use crate::schema::{chapters, subscription_updates, subscriptions};
use ficus_core::TagType;

/// One update as a message tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailUpdate {
    pub work_id: i64,
    pub chapter_id: i64,
    /// "work" (a new work) or "chapter" (a new chapter).
    pub event: String,
    /// What brought it: "work", "series", "user", "tag" or "search".
    pub reason: String,
    pub subscription_id: i64,
    pub work_title: String,
    /// The byline as readers see it.
    pub byline: String,
    pub fandoms: Vec<String>,
    pub chapter_position: i32,
    pub chapter_title: Option<String>,
    pub chapter_words: i64,
    /// The whole work's words (a new work's message).
    pub work_words: i64,
    /// The work's summary as plain text (a new work's message).
    pub summary: String,
}

/// Which updates a message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMail {
    /// The one update on this chapter (a message each).
    Chapter(i64),
    /// The updates of this frequency from the period keyed by `day`
    /// (a day, or a week's Monday).
    Digest(SubscriptionMail, NaiveDate),
}

impl UpdateMail {
    /// The updates a job of `kind` tells, when it names what it needs.
    pub fn of_job(
        kind: MailKind,
        chapter_id: Option<i64>,
        day: Option<NaiveDate>,
    ) -> Option<UpdateMail> {
        match kind {
            MailKind::Subscription => chapter_id.map(UpdateMail::Chapter),
            MailKind::SubscriptionDaily => {
                day.map(|d| UpdateMail::Digest(SubscriptionMail::Daily, d))
            }
            MailKind::SubscriptionWeekly => {
                day.map(|d| UpdateMail::Digest(SubscriptionMail::Weekly, d))
            }
            _ => None,
        }
    }
}

type Row = (i64, i64, String, String, Option<i64>, String);

impl Store {
    /// The updates `what` tells `user_id` (as `viewer`), oldest first.
    pub fn mail_updates(
        &self,
        user_id: i64,
        viewer: Viewer,
        what: UpdateMail,
    ) -> Result<Vec<MailUpdate>, StoreError> {
        let rows: Vec<Row> = with_conn!(self, |conn| {
            let mine = subscription_updates::table
                .inner_join(
                    subscriptions::table.on(subscriptions::id
                        .nullable()
                        .eq(subscription_updates::subscription_id)),
                )
                .filter(subscription_updates::user_id.eq(user_id))
                .filter(subscriptions::mail.ne(SubscriptionMail::Off.as_str()))
                .select((
                    subscription_updates::work_id,
                    subscription_updates::chapter_id,
                    subscription_updates::event,
                    subscription_updates::reason,
                    subscription_updates::subscription_id,
                    subscription_updates::mail,
                ))
                .order((
                    subscription_updates::created_at.asc(),
                    subscription_updates::chapter_id.asc(),
                ));
            match what {
                UpdateMail::Chapter(chapter) => mine
                    .filter(subscription_updates::chapter_id.eq(chapter))
                    .filter(subscription_updates::mailed_at.is_null())
                    .load(conn)?,
                // Every update of this frequency not mailed yet, up to the
                // period's end: one written as an earlier period closed
                // comes now rather than never.
                UpdateMail::Digest(mail, day) => {
                    let to: NaiveDateTime = match mail {
                        SubscriptionMail::Weekly => weekly_due(day),
                        _ => digest_due(day),
                    };
                    mine.filter(subscription_updates::mail.eq(mail.as_str()))
                        .filter(subscription_updates::mailed_at.is_null())
                        .filter(subscription_updates::created_at.lt(to))
                        .load(conn)?
                }
            }
        });
        // A message each is for updates that were to come that way.
        let rows: Vec<Row> = rows
            .into_iter()
            .filter(|r| {
                !matches!(what, UpdateMail::Chapter(_))
                    || r.5 == SubscriptionMail::Immediate.as_str()
            })
            .collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut work_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        work_ids.sort_unstable();
        work_ids.dedup();
        let works = self.works_by_ids(&work_ids)?;
        let chapter_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let chapters: Vec<(i64, i32, Option<String>, i64)> = with_conn!(self, |conn| {
            let mut all = Vec::new();
            for chunk in chapter_ids.chunks(500) {
                all.extend(
                    chapters::table
                        .filter(chapters::id.eq_any(chunk))
                        .select((
                            chapters::id,
                            chapters::position,
                            chapters::title,
                            chapters::word_count,
                        ))
                        .load::<(i64, i32, Option<String>, i64)>(conn)?,
                );
            }
            Ok::<_, StoreError>(all)
        })?;
        let mut out = Vec::new();
        for (work_id, chapter_id, event, reason, subscription_id, _) in rows {
            let Some(work) = works
                .iter()
                .find(|w| w.id == work_id)
                .filter(|w| w.posted && !w.hidden && viewer.may_see(&w.access()))
            else {
                continue;
            };
            let Some(chapter) = chapters.iter().find(|c| c.0 == chapter_id) else {
                continue;
            };
            out.push(MailUpdate {
                work_id,
                chapter_id,
                event,
                reason,
                subscription_id: subscription_id.unwrap_or_default(),
                work_title: work.title.clone(),
                byline: work.creators.join(", "),
                fandoms: work
                    .tags_of(TagType::Fandom)
                    .map(|t| t.name.clone())
                    .collect(),
                chapter_position: chapter.1,
                chapter_title: chapter.2.clone(),
                chapter_words: chapter.3,
                work_words: work.word_count,
                summary: work
                    .summary
                    .as_deref()
                    .map(ficus_core::html::plain_text)
                    .unwrap_or_default(),
            });
        }
        Ok(out)
    }
}

impl Store {
    /// Notes that `user_id`'s updates on `chapters` went out by e-mail;
    /// after a digest of `digest` frequency, queues the next period's
    /// digest when updates of that frequency are still waiting (written
    /// while this one was being sent).
    pub fn updates_mailed(
        &self,
        user_id: i64,
        chapters: &[i64],
        digest: Option<SubscriptionMail>,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            for chunk in chapters.chunks(500) {
                diesel::update(
                    subscription_updates::table
                        .filter(subscription_updates::user_id.eq(user_id))
                        .filter(subscription_updates::chapter_id.eq_any(chunk)),
                )
                .set(subscription_updates::mailed_at.eq(now))
                .execute(conn)?;
            }
            let Some(mail) = digest else {
                return Ok::<_, diesel::result::Error>(());
            };
            let waiting: i64 = subscription_updates::table
                .filter(subscription_updates::user_id.eq(user_id))
                .filter(subscription_updates::mail.eq(mail.as_str()))
                .filter(subscription_updates::mailed_at.is_null())
                .count()
                .get_result(conn)?;
            if waiting > 0 {
                conn.queue_digest(user_id, mail, now)?;
            }
            Ok(())
        })?);
        Ok(())
    }
}
