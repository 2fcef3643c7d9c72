//! Fan-out: posting queues one `fanout_jobs` row in its own transaction
//! ([`FanoutHelpers::queue_fanout`]), so the writer is answered at once;
//! [`Store::run_fanout_job`] (a web node's background task, leased so one
//! node does each job) turns it into `subscription_updates` rows — once
//! per subscriber and chapter — and their mail (a message now, or a place
//! in a daily or weekly digest), in batches of [`FANOUT_BATCH`], each batch
//! one transaction. Never for the work's own creators, nor for subscribers
//! who blocked or muted a creator, were blocked by one, or muted a tag the
//! work carries, nor from hidden works or drafts. A job run again (its
//! node died) writes nothing twice: updates are keyed by subscriber and
//! chapter, messages by recipient and chapter, digests by recipient and
//! period.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ficus_core::mail::{MailKind, SubscriptionMail};
use ficus_core::wrangling::TagGraph;

use super::{SavedSearch, SubscriptionKind};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::mail::digest_due;
use crate::schema::{
    blocked_users, chapters, fanout_jobs, mail_jobs, muted_creators, muted_tags, muted_users,
    saved_searches, serial_works, subscription_updates, subscriptions,
};
use crate::wrangling::WranglingHelpers;

/// Subscribers written per transaction.
pub const FANOUT_BATCH: usize = 1_000;

/// How long a node holds a fan-out job before another may take it.
const LEASE_SECS: i64 = 120;

/// Which saved searches a new work matches. The search semantics live
/// above the store (in the index crate and the web layer's filter
/// parsing); the fan-out asks through this.
pub trait SearchMatcher {
    /// The ids (of `searches`) whose listing holds `work_id` now;
    /// `graph` is the tag graph the fan-out loaded for this work.
    fn matching(
        &self,
        store: &Store,
        graph: &TagGraph,
        work_id: i64,
        searches: &[(i64, SavedSearch)],
    ) -> Result<Vec<i64>, StoreError>;
}

/// A matcher for callers without saved searches (tools, benchmarks):
/// matches none.
pub struct NoSearches;

impl SearchMatcher for NoSearches {
    fn matching(
        &self,
        _: &Store,
        _: &TagGraph,
        _: i64,
        _: &[(i64, SavedSearch)],
    ) -> Result<Vec<i64>, StoreError> {
        Ok(Vec::new())
    }
}

/// The mail kind of a digest frequency.
fn digest_kind(mail: SubscriptionMail) -> MailKind {
    if mail == SubscriptionMail::Weekly {
        MailKind::SubscriptionWeekly
    } else {
        MailKind::SubscriptionDaily
    }
}

/// The period key and due time of the digest an update on `today` goes
/// in: this period's, or the next one's when this one's was sent
/// already (`closed`).
fn digest_period(
    mail: SubscriptionMail,
    today: NaiveDate,
    closed: bool,
) -> (NaiveDate, NaiveDateTime) {
    if mail == SubscriptionMail::Weekly {
        let week = week_of(today) + Duration::days(if closed { 7 } else { 0 });
        (week, weekly_due(week))
    } else {
        let day = today + Duration::days(i64::from(closed));
        (day, digest_due(day))
    }
}

/// Queuing one recipient's digest.
pub(crate) trait DigestQueue {
    /// Queues `user_id`'s digest of `mail` frequency for the period of
    /// `now`, or the next one when this one's was sent already.
    fn queue_digest(
        &mut self,
        user_id: i64,
        mail: SubscriptionMail,
        now: NaiveDateTime,
    ) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl DigestQueue {
        fn queue_digest(
            &mut self,
            user_id: i64,
            mail: SubscriptionMail,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            let kind = digest_kind(mail);
            let (day, _) = digest_period(mail, now.date(), false);
            let closed: i64 = mail_jobs::table
                .filter(mail_jobs::user_id.eq(user_id))
                .filter(mail_jobs::kind.eq(kind.as_str()))
                .filter(mail_jobs::day.eq(day))
                .filter(mail_jobs::sent_at.is_not_null())
                .count()
                .get_result(self)?;
            let (day, due) = digest_period(mail, now.date(), closed > 0);
            diesel::insert_into(mail_jobs::table)
                .values((
                    mail_jobs::user_id.eq(user_id),
                    mail_jobs::kind.eq(kind.as_str()),
                    mail_jobs::day.eq(Some(day)),
                    mail_jobs::created_at.eq(now),
                    mail_jobs::due_at.eq(due),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            Ok(())
        }
    }
}

/// One subscriber an update goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reach {
    user_id: i64,
    subscription_id: i64,
    kind: SubscriptionKind,
    mail: SubscriptionMail,
}

/// The first day of the week (Monday, UTC) that `day` is in: a weekly
/// digest's key.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// When a weekly digest keyed by `monday` is due: when the week is over.
pub fn weekly_due(monday: NaiveDate) -> NaiveDateTime {
    digest_due(monday + Duration::days(6))
}

/// Helpers inside the posting transactions.
pub(crate) trait FanoutHelpers {
    /// Queues what posting `chapter_id` of `work_id` owes its subscribers
    /// (`event`: "work" for a new work, "chapter" for a new chapter).
    fn queue_fanout(
        &mut self,
        work_id: i64,
        chapter_id: i64,
        event: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Queues a new work's fan-out on its first chapter.
    fn queue_new_work(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()>;

    /// Queues a work's fan-out again as new (a revealed mystery): its first
    /// chapter's job, done or not, runs once more from `now` (updates
    /// already written are not written twice).
    fn requeue_new_work(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl FanoutHelpers {
        fn queue_fanout(
            &mut self,
            work_id: i64,
            chapter_id: i64,
            event: &str,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            diesel::insert_into(fanout_jobs::table)
                .values((
                    fanout_jobs::work_id.eq(work_id),
                    fanout_jobs::chapter_id.eq(chapter_id),
                    fanout_jobs::event.eq(event),
                    fanout_jobs::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            Ok(())
        }

        fn requeue_new_work(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()> {
            let first: Option<i64> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .order(chapters::position.asc())
                .select(chapters::id)
                .first(self)
                .optional()?;
            let Some(chapter) = first else {
                return Ok(());
            };
            diesel::insert_into(fanout_jobs::table)
                .values((
                    fanout_jobs::work_id.eq(work_id),
                    fanout_jobs::chapter_id.eq(chapter),
                    fanout_jobs::event.eq("work"),
                    fanout_jobs::created_at.eq(now),
                ))
                .on_conflict(fanout_jobs::chapter_id)
                .do_update()
                .set((
                    fanout_jobs::event.eq("work"),
                    fanout_jobs::created_at.eq(now),
                    fanout_jobs::lease_until.eq(None::<NaiveDateTime>),
                    fanout_jobs::done_at.eq(None::<NaiveDateTime>),
                ))
                .execute(self)?;
            Ok(())
        }

        fn queue_new_work(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()> {
            let first: Option<i64> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .order(chapters::position.asc())
                .select(chapters::id)
                .first(self)
                .optional()?;
            match first {
                Some(chapter) => self.queue_fanout(work_id, chapter, "work", now),
                None => Ok(()),
            }
        }
    }
}

/// What one fan-out job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanoutReport {
    pub job_id: i64,
    /// Updates written (subscribers reached).
    pub queued: usize,
}

impl Store {
    /// Runs the oldest due fan-out job (leased at `now`, so one node does
    /// it), asking `matcher` which saved searches a new work matches;
    /// `None` when there is no job.
    pub fn run_fanout_job(
        &self,
        now: NaiveDateTime,
        matcher: &dyn SearchMatcher,
    ) -> Result<Option<FanoutReport>, StoreError> {
        // Lease the oldest open job whose lease is free.
        type Job = (i64, i64, i64, String, NaiveDateTime);
        let job: Option<Job> = with_conn!(self, |conn| {
            conn.write_transaction(|conn| {
                let candidate: Option<Job> = fanout_jobs::table
                    .filter(fanout_jobs::done_at.is_null())
                    .filter(
                        fanout_jobs::lease_until
                            .is_null()
                            .or(fanout_jobs::lease_until.lt(now)),
                    )
                    .order(fanout_jobs::id.asc())
                    .select((
                        fanout_jobs::id,
                        fanout_jobs::work_id,
                        fanout_jobs::chapter_id,
                        fanout_jobs::event,
                        fanout_jobs::created_at,
                    ))
                    .first(conn)
                    .optional()?;
                let Some(c) = candidate else {
                    return Ok::<_, diesel::result::Error>(None);
                };
                let taken = diesel::update(
                    fanout_jobs::table
                        .filter(fanout_jobs::id.eq(c.0))
                        .filter(fanout_jobs::done_at.is_null())
                        .filter(
                            fanout_jobs::lease_until
                                .is_null()
                                .or(fanout_jobs::lease_until.lt(now)),
                        ),
                )
                .set(fanout_jobs::lease_until.eq(now + Duration::seconds(LEASE_SECS)))
                .execute(conn)?;
                Ok((taken == 1).then_some(c))
            })?
        });
        // (Another node took it between the read and the lease: the next
        // call looks again.)
        let Some((job_id, work_id, chapter_id, event, posted_at)) = job else {
            return Ok(None);
        };
        let subscribers = self.fanout_subscribers(work_id, &event, posted_at, matcher)?;
        let mut queued = 0;
        for batch in subscribers.chunks(FANOUT_BATCH) {
            queued += with_conn!(self, |conn| conn.write_transaction(|conn| {
                conn.write_updates(batch, work_id, chapter_id, &event, now)
            })?);
        }
        with_conn!(self, |conn| diesel::update(fanout_jobs::table.find(job_id))
            .set(fanout_jobs::done_at.eq(now))
            .execute(conn)?);
        Ok(Some(FanoutReport { job_id, queued }))
    }

    /// Who gets an update about `work_id` (`event` "work" or "chapter",
    /// posted at `posted_at`: subscriptions made after it do not count),
    /// with the kind of subscription that brought each, in account order.
    fn fanout_subscribers(
        &self,
        work_id: i64,
        event: &str,
        posted_at: NaiveDateTime,
        matcher: &dyn SearchMatcher,
    ) -> Result<Vec<Reach>, StoreError> {
        let Some(work) = self
            .works_by_ids(&[work_id])?
            .into_iter()
            .next()
            .filter(|w| w.posted && !w.hidden && !w.unrevealed)
        else {
            return Ok(Vec::new());
        };
        let owners: Vec<i64> = work.owners.clone();
        let series: Vec<i64> = with_conn!(self, |conn| serial_works::table
            .filter(serial_works::work_id.eq(work_id))
            .select(serial_works::series_id)
            .load(conn)?);
        // A tag subscription fires for the tag, its synonyms and its subtags:
        // the work's tags with their canonical forms and meta tags, and the
        // synonyms of those (a subscription may name a synonym).
        let rating = with_conn!(self, |conn| {
            use crate::schema::taggings;
            taggings::table
                .filter(taggings::work_id.eq(work_id))
                .select(taggings::tag_id)
                .load::<i64>(conn)?
        });
        let graph = with_conn!(self, |conn| conn.load_graph()?);
        let mut tag_set: BTreeSet<i64> = graph.filter_tags(rating.iter().copied());
        tag_set.extend(rating.iter().copied());
        let synonyms: Vec<i64> = tag_set
            .iter()
            .flat_map(|t| graph.synonyms_of(*t).iter().copied())
            .collect();
        tag_set.extend(synonyms);
        let tag_list: Vec<i64> = tag_set.into_iter().collect();

        // An anonymous work is not told to its creators' or its series'
        // subscribers: that would name them.
        let (creators_told, series_told) = if work.anonymous {
            (Vec::new(), Vec::new())
        } else {
            (owners.clone(), series)
        };
        let mut wanted: Vec<(SubscriptionKind, Vec<i64>)> = vec![
            (SubscriptionKind::User, creators_told),
            (SubscriptionKind::Series, series_told),
        ];
        match event {
            "chapter" => wanted.push((SubscriptionKind::Work, vec![work_id])),
            _ => wanted.push((SubscriptionKind::Tag, tag_list.clone())),
        }
        // Several subscriptions may bring the same update: the one whose
        // mail comes soonest stands for it (the first, of equals).
        let mut reasons: HashMap<i64, Reach> = HashMap::new();
        let mut reach = |r: Reach| match reasons.get(&r.user_id) {
            Some(had) if !r.mail.sooner(had.mail) => {}
            _ => {
                reasons.insert(r.user_id, r);
            }
        };
        for (kind, targets) in wanted {
            for chunk in targets.chunks(500) {
                let rows: Vec<(i64, i64, String)> = with_conn!(self, |conn| subscriptions::table
                    .filter(subscriptions::kind.eq(kind.as_str()))
                    .filter(subscriptions::target_id.eq_any(chunk))
                    .filter(subscriptions::created_at.le(posted_at))
                    .select((
                        subscriptions::user_id,
                        subscriptions::id,
                        subscriptions::mail
                    ))
                    .load(conn)?);
                for (user_id, subscription_id, mail) in rows {
                    reach(Reach {
                        user_id,
                        subscription_id,
                        kind,
                        mail: SubscriptionMail::parse(&mail).unwrap_or_default(),
                    });
                }
            }
        }
        // Saved searches: asked of the matcher, for new works only.
        if event == "work" {
            type SearchRow = (i64, i64, String, i64, String, String);
            let rows: Vec<SearchRow> = with_conn!(self, |conn| subscriptions::table
                .inner_join(
                    saved_searches::table.on(saved_searches::id.eq(subscriptions::target_id)),
                )
                .filter(subscriptions::kind.eq(SubscriptionKind::Search.as_str()))
                .filter(subscriptions::created_at.le(posted_at))
                .select((
                    subscriptions::user_id,
                    subscriptions::id,
                    subscriptions::mail,
                    saved_searches::id,
                    saved_searches::path,
                    saved_searches::query,
                ))
                .load(conn)?);
            if !rows.is_empty() {
                let searches: Vec<(i64, SavedSearch)> = rows
                    .iter()
                    .map(|r| {
                        (
                            r.3,
                            SavedSearch {
                                path: r.4.clone(),
                                query: r.5.clone(),
                            },
                        )
                    })
                    .collect();
                let matched: HashSet<i64> = matcher
                    .matching(self, &graph, work_id, &searches)?
                    .into_iter()
                    .collect();
                for (user_id, subscription_id, mail, saved, _, _) in rows {
                    if matched.contains(&saved) {
                        reach(Reach {
                            user_id,
                            subscription_id,
                            kind: SubscriptionKind::Search,
                            mail: SubscriptionMail::parse(&mail).unwrap_or_default(),
                        });
                    }
                }
            }
        }
        if reasons.is_empty() {
            return Ok(Vec::new());
        }
        // Left out: the work's own creators; those who blocked a creator or
        // were blocked by one; who muted a creator (account or byline) or a
        // tag the work carries.
        let mut out: HashSet<i64> = owners.iter().copied().collect();
        let creator_ids = work.creator_ids.clone();
        let (blocks, blocked_by, muted, muted_bylines, muted_tag_users) =
            with_conn!(self, |conn| {
                let blocks: Vec<i64> = blocked_users::table
                    .filter(blocked_users::other_id.eq_any(&owners))
                    .select(blocked_users::user_id)
                    .load(conn)?;
                let blocked_by: Vec<i64> = blocked_users::table
                    .filter(blocked_users::user_id.eq_any(&owners))
                    .select(blocked_users::other_id)
                    .load(conn)?;
                let muted: Vec<i64> = muted_users::table
                    .filter(muted_users::other_id.eq_any(&owners))
                    .select(muted_users::user_id)
                    .load(conn)?;
                let muted_bylines: Vec<i64> = muted_creators::table
                    .filter(muted_creators::creator_id.eq_any(&creator_ids))
                    .select(muted_creators::user_id)
                    .load(conn)?;
                let mut muted_tag_users: Vec<i64> = Vec::new();
                for chunk in tag_list.chunks(500) {
                    muted_tag_users.extend(
                        muted_tags::table
                            .filter(muted_tags::tag_id.eq_any(chunk))
                            .select(muted_tags::user_id)
                            .load::<i64>(conn)?,
                    );
                }
                Ok::<_, StoreError>((blocks, blocked_by, muted, muted_bylines, muted_tag_users))
            })?;
        out.extend(blocks);
        out.extend(blocked_by);
        out.extend(muted);
        out.extend(muted_bylines);
        out.extend(muted_tag_users);
        let mut list: Vec<Reach> = reasons
            .into_values()
            .filter(|r| !out.contains(&r.user_id))
            .collect();
        list.sort_unstable_by_key(|r| r.user_id);
        Ok(list)
    }
}

/// Writing a batch of updates inside its transaction.
trait UpdateWriter {
    /// Writes the batch's updates and queues their mail; returns the
    /// updates written (a batch run again writes none).
    fn write_updates(
        &mut self,
        batch: &[Reach],
        work_id: i64,
        chapter_id: i64,
        event: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize>;
}

impl_for_both_backends! {
    impl UpdateWriter {
        fn write_updates(
            &mut self,
            batch: &[Reach],
            work_id: i64,
            chapter_id: i64,
            event: &str,
            now: NaiveDateTime,
        ) -> QueryResult<usize> {
            // One multi-row statement per batch (8 values a row: well
            // under either backend's limit on bound parameters).
            let rows: Vec<_> = batch
                .iter()
                .map(|r| {
                    (
                        subscription_updates::user_id.eq(r.user_id),
                        subscription_updates::chapter_id.eq(chapter_id),
                        subscription_updates::work_id.eq(work_id),
                        subscription_updates::event.eq(event),
                        subscription_updates::reason.eq(r.kind.as_str()),
                        subscription_updates::created_at.eq(now),
                        subscription_updates::subscription_id.eq(Some(r.subscription_id)),
                        subscription_updates::mail.eq(r.mail.as_str()),
                    )
                })
                .collect();
            let written = diesel::insert_into(subscription_updates::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .execute(self)?;
            // A message each (keyed by recipient and chapter), or a place
            // in the recipient's digest (one per recipient, kind and
            // period, due when the period ends; the next period's when
            // this one's was sent already, as the period closed).
            let today = now.date();
            let digest_users: Vec<i64> = batch
                .iter()
                .filter(|r| matches!(r.mail, SubscriptionMail::Daily | SubscriptionMail::Weekly))
                .map(|r| r.user_id)
                .collect();
            let sent: HashSet<(i64, String)> = if digest_users.is_empty() {
                HashSet::new()
            } else {
                mail_jobs::table
                    .filter(mail_jobs::user_id.eq_any(&digest_users))
                    .filter(mail_jobs::sent_at.is_not_null())
                    .filter(
                        mail_jobs::kind
                            .eq(MailKind::SubscriptionDaily.as_str())
                            .and(mail_jobs::day.eq(today))
                            .or(mail_jobs::kind
                                .eq(MailKind::SubscriptionWeekly.as_str())
                                .and(mail_jobs::day.eq(week_of(today)))),
                    )
                    .select((mail_jobs::user_id, mail_jobs::kind))
                    .load::<(i64, String)>(self)?
                    .into_iter()
                    .collect()
            };
            let mail: Vec<_> = batch
                .iter()
                .filter_map(|r| {
                    let (kind, chapter, day, due) = match r.mail {
                        SubscriptionMail::Off => return None,
                        SubscriptionMail::Immediate => {
                            (MailKind::Subscription, Some(chapter_id), None, now)
                        }
                        digest => {
                            let kind = digest_kind(digest);
                            let closed = sent.contains(&(r.user_id, kind.as_str().to_string()));
                            let (day, due) = digest_period(digest, today, closed);
                            (kind, None, Some(day), due)
                        }
                    };
                    Some((
                        mail_jobs::user_id.eq(r.user_id),
                        mail_jobs::kind.eq(kind.as_str()),
                        mail_jobs::chapter_id.eq(chapter),
                        mail_jobs::day.eq(day),
                        mail_jobs::created_at.eq(now),
                        mail_jobs::due_at.eq(due),
                    ))
                })
                .collect();
            if !mail.is_empty() {
                diesel::insert_into(mail_jobs::table)
                    .values(&mail)
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(written)
        }
    }
}
