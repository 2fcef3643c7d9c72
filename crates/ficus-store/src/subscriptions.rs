//! Subscriptions and their fan-out. An account follows a work (new
//! chapters), a series or an account (new works), or a tag (new works
//! carrying it, one of its synonyms or a subtag). Posting queues one
//! `fanout_jobs` row in its own transaction ([`FanoutHelpers::queue_fanout`]),
//! so the writer is answered at once; [`Store::run_fanout_job`] (a web
//! node's background task, leased so one node does each job) turns it into
//! `subscription_updates` rows in batches — once per subscriber and
//! chapter, never for the work's own creators, nor for subscribers who
//! blocked or muted a creator, were blocked by one, or muted a tag the
//! work carries, nor from hidden works or drafts.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{
    blocked_users, chapters, fanout_jobs, muted_creators, muted_tags, muted_users, serial_works,
    subscription_updates, subscriptions,
};
use crate::wrangling::WranglingHelpers;
use crate::{Page, Store};

/// What an account can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionKind {
    Work,
    Series,
    User,
    Tag,
}

impl SubscriptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionKind::Work => "work",
            SubscriptionKind::Series => "series",
            SubscriptionKind::User => "user",
            SubscriptionKind::Tag => "tag",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionKind> {
        Some(match s {
            "work" => SubscriptionKind::Work,
            "series" => SubscriptionKind::Series,
            "user" => SubscriptionKind::User,
            "tag" => SubscriptionKind::Tag,
            _ => return None,
        })
    }
}

/// One subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub id: i64,
    pub kind: SubscriptionKind,
    pub target_id: i64,
    pub created_at: NaiveDateTime,
}

/// One update a subscriber got.
#[derive(Debug, Clone)]
pub struct UpdateRecord {
    pub work_id: i64,
    pub chapter_id: i64,
    /// "work" (a new work) or "chapter" (a new chapter).
    pub event: String,
    /// The subscription that brought it ("work", "series", "user", "tag").
    pub reason: String,
    pub created_at: NaiveDateTime,
    /// The work as the subscriber sees it now (`None`: gone or hidden).
    pub work: Option<WorkRecord>,
}

/// Subscribers written per transaction.
pub const FANOUT_BATCH: usize = 1_000;

/// How long a node holds a fan-out job before another may take it.
const LEASE_SECS: i64 = 120;

/// Updates on a page.
pub const UPDATES_PER_PAGE: u32 = 20;

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
    /// Follows `kind` `target_id` for `user_id`; false when already.
    pub fn subscribe(
        &self,
        user_id: i64,
        kind: SubscriptionKind,
        target_id: i64,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| diesel::insert_into(subscriptions::table)
            .values((
                subscriptions::user_id.eq(user_id),
                subscriptions::kind.eq(kind.as_str()),
                subscriptions::target_id.eq(target_id),
                subscriptions::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?);
        Ok(n > 0)
    }

    /// Stops subscription `id` of `user_id`; false when not theirs.
    pub fn unsubscribe(&self, user_id: i64, id: i64) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| diesel::delete(
            subscriptions::table
                .filter(subscriptions::id.eq(id))
                .filter(subscriptions::user_id.eq(user_id))
        )
        .execute(conn)?);
        Ok(n > 0)
    }

    /// The account's subscription to `kind` `target_id`, if any.
    pub fn subscription_to(
        &self,
        user_id: i64,
        kind: SubscriptionKind,
        target_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(with_conn!(self, |conn| subscriptions::table
            .filter(subscriptions::user_id.eq(user_id))
            .filter(subscriptions::kind.eq(kind.as_str()))
            .filter(subscriptions::target_id.eq(target_id))
            .select(subscriptions::id)
            .first(conn)
            .optional())?)
    }

    /// Every subscription of an account, newest first.
    pub fn subscriptions_of(&self, user_id: i64) -> Result<Vec<SubscriptionRecord>, StoreError> {
        let rows: Vec<(i64, String, i64, NaiveDateTime)> = with_conn!(self, |conn| {
            subscriptions::table
                .filter(subscriptions::user_id.eq(user_id))
                .order((subscriptions::created_at.desc(), subscriptions::id.desc()))
                .select((
                    subscriptions::id,
                    subscriptions::kind,
                    subscriptions::target_id,
                    subscriptions::created_at,
                ))
                .load(conn)?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(id, kind, target_id, created_at)| {
                Some(SubscriptionRecord {
                    id,
                    kind: SubscriptionKind::parse(&kind)?,
                    target_id,
                    created_at,
                })
            })
            .collect())
    }

    /// Runs the oldest due fan-out job (leased at `now`, so one node does
    /// it); `None` when there is none.
    pub fn run_fanout_job(&self, now: NaiveDateTime) -> Result<Option<FanoutReport>, StoreError> {
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
        let subscribers = self.fanout_subscribers(work_id, &event, posted_at)?;
        let mut queued = 0;
        for batch in subscribers.chunks(FANOUT_BATCH) {
            // One multi-row statement per batch (6 values a row: well
            // under either backend's limit on bound parameters).
            let rows: Vec<_> = batch
                .iter()
                .map(|(user_id, reason)| {
                    (
                        subscription_updates::user_id.eq(*user_id),
                        subscription_updates::chapter_id.eq(chapter_id),
                        subscription_updates::work_id.eq(work_id),
                        subscription_updates::event.eq(event.as_str()),
                        subscription_updates::reason.eq(reason.as_str()),
                        subscription_updates::created_at.eq(now),
                    )
                })
                .collect();
            queued += with_conn!(self, |conn| diesel::insert_into(
                subscription_updates::table
            )
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(conn)?);
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
    ) -> Result<Vec<(i64, SubscriptionKind)>, StoreError> {
        let Some(work) = self
            .works_by_ids(&[work_id])?
            .into_iter()
            .next()
            .filter(|w| w.posted && !w.hidden)
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

        let mut wanted: Vec<(SubscriptionKind, Vec<i64>)> = vec![
            (SubscriptionKind::User, owners.clone()),
            (SubscriptionKind::Series, series),
        ];
        match event {
            "chapter" => wanted.push((SubscriptionKind::Work, vec![work_id])),
            _ => wanted.push((SubscriptionKind::Tag, tag_list.clone())),
        }
        let mut reasons: HashMap<i64, SubscriptionKind> = HashMap::new();
        for (kind, targets) in wanted {
            for chunk in targets.chunks(500) {
                let users: Vec<i64> = with_conn!(self, |conn| subscriptions::table
                    .filter(subscriptions::kind.eq(kind.as_str()))
                    .filter(subscriptions::target_id.eq_any(chunk))
                    .filter(subscriptions::created_at.le(posted_at))
                    .select(subscriptions::user_id)
                    .load(conn)?);
                for u in users {
                    reasons.entry(u).or_insert(kind);
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
        let mut list: Vec<(i64, SubscriptionKind)> = reasons
            .into_iter()
            .filter(|(u, _)| !out.contains(u))
            .collect();
        list.sort_unstable_by_key(|(u, _)| *u);
        Ok(list)
    }

    /// Page `page` of an account's updates, newest first, with each work as
    /// `viewer` (the account) sees it now.
    pub fn subscription_updates(
        &self,
        user_id: i64,
        viewer: ficus_core::access::Viewer,
        page: u32,
    ) -> Result<Page<UpdateRecord>, StoreError> {
        let page = page.max(1);
        let per_page = UPDATES_PER_PAGE;
        type Row = (i64, i64, String, String, NaiveDateTime);
        let (total, rows): (i64, Vec<Row>) = with_conn!(self, |conn| {
            let total: i64 = subscription_updates::table
                .filter(subscription_updates::user_id.eq(user_id))
                .count()
                .get_result(conn)?;
            let rows = subscription_updates::table
                .filter(subscription_updates::user_id.eq(user_id))
                .order((
                    subscription_updates::created_at.desc(),
                    subscription_updates::chapter_id.desc(),
                ))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select((
                    subscription_updates::work_id,
                    subscription_updates::chapter_id,
                    subscription_updates::event,
                    subscription_updates::reason,
                    subscription_updates::created_at,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let works = self.works_by_ids(&ids)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(
                    |(work_id, chapter_id, event, reason, created_at)| UpdateRecord {
                        work: works
                            .iter()
                            .find(|w| w.id == work_id)
                            .filter(|w| viewer.may_see(&w.access()) && w.posted)
                            .cloned(),
                        work_id,
                        chapter_id,
                        event,
                        reason,
                        created_at,
                    },
                )
                .collect(),
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }
}
