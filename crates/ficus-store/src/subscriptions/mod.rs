//! Subscriptions: an account follows a work (new chapters), a series or
//! an account (new works), a tag (new works carrying it, one of its
//! synonyms or a subtag) or a saved search (new works it finds), each with
//! its own e-mail frequency.
//!
//! - this file: following, unfollowing, listing, and the updates inbox;
//! - [`fanout`]: what posting owes the subscribers, written in batches by
//!   a leased background job;
//! - [`mail`]: what a subscription's message or digest says.

pub mod fanout;
pub mod mail;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::mail::SubscriptionMail;

pub(crate) use fanout::FanoutHelpers;
pub use fanout::{FANOUT_BATCH, FanoutReport, NoSearches, SearchMatcher};

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{saved_searches, subscription_updates, subscriptions};
use crate::{Page, Store};

/// What an account can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionKind {
    Work,
    Series,
    User,
    Tag,
    /// A saved search (`target_id` names a `saved_searches` row).
    Search,
}

impl SubscriptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionKind::Work => "work",
            SubscriptionKind::Series => "series",
            SubscriptionKind::User => "user",
            SubscriptionKind::Tag => "tag",
            SubscriptionKind::Search => "search",
        }
    }

    /// The e-mail a new subscription gets: a message each for a work, a
    /// series or an account (AO3's way); a daily digest for a tag or a
    /// search, which may bring many works a day.
    pub fn default_mail(self) -> SubscriptionMail {
        match self {
            SubscriptionKind::Work | SubscriptionKind::Series | SubscriptionKind::User => {
                SubscriptionMail::Immediate
            }
            SubscriptionKind::Tag | SubscriptionKind::Search => SubscriptionMail::Daily,
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionKind> {
        Some(match s {
            "work" => SubscriptionKind::Work,
            "series" => SubscriptionKind::Series,
            "user" => SubscriptionKind::User,
            "tag" => SubscriptionKind::Tag,
            "search" => SubscriptionKind::Search,
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
    pub mail: SubscriptionMail,
    /// The saved search, for a search subscription.
    pub search: Option<SavedSearch>,
}

/// A subscription made (or found already there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscribed {
    pub id: i64,
    /// What it follows (for a search: the saved search's id).
    pub target_id: i64,
    /// False when the account already followed it.
    pub new: bool,
}

/// A saved search: a listing's path (`/works`, `/works/search` or
/// `/tags/{name}/works`) and its normalized filter query (without the
/// page), as the web layer wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    pub path: String,
    pub query: String,
}

impl SavedSearch {
    /// The listing's address.
    pub fn href(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

/// One update a subscriber got.
#[derive(Debug, Clone)]
pub struct UpdateRecord {
    pub work_id: i64,
    pub chapter_id: i64,
    /// "work" (a new work) or "chapter" (a new chapter).
    pub event: String,
    /// The subscription that brought it ("work", "series", "user", "tag",
    /// "search").
    pub reason: String,
    pub created_at: NaiveDateTime,
    /// The work as the subscriber sees it now (`None`: gone or hidden).
    pub work: Option<WorkRecord>,
}

/// Updates on a page.
pub const UPDATES_PER_PAGE: u32 = 20;

impl Store {
    /// Follows `kind` `target_id` for `user_id` with `mail` (kept as it
    /// was when already followed).
    pub fn subscribe(
        &self,
        user_id: i64,
        kind: SubscriptionKind,
        target_id: i64,
        mail: SubscriptionMail,
        now: NaiveDateTime,
    ) -> Result<Subscribed, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let (id, new) = conn.insert_subscription(user_id, kind, target_id, mail, now)?;
            Ok::<_, diesel::result::Error>(Subscribed { id, target_id, new })
        })?))
    }

    /// Follows a saved search (saved once per account and search) with
    /// `mail`; as [`Store::subscribe`].
    pub fn subscribe_search(
        &self,
        user_id: i64,
        search: &SavedSearch,
        mail: SubscriptionMail,
        max_searches: usize,
        now: NaiveDateTime,
    ) -> Result<Option<Subscribed>, StoreError> {
        let max = i64::try_from(max_searches).unwrap_or(i64::MAX);
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let known: Option<i64> = saved_searches::table
                .filter(saved_searches::user_id.eq(user_id))
                .filter(saved_searches::path.eq(&search.path))
                .filter(saved_searches::query.eq(&search.query))
                .select(saved_searches::id)
                .first(conn)
                .optional()?;
            if known.is_none() {
                let held: i64 = saved_searches::table
                    .filter(saved_searches::user_id.eq(user_id))
                    .count()
                    .get_result(conn)?;
                if held >= max {
                    return Ok::<_, diesel::result::Error>(None);
                }
            }
            diesel::insert_into(saved_searches::table)
                .values((
                    saved_searches::user_id.eq(user_id),
                    saved_searches::path.eq(&search.path),
                    saved_searches::query.eq(&search.query),
                    saved_searches::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            let saved: i64 = saved_searches::table
                .filter(saved_searches::user_id.eq(user_id))
                .filter(saved_searches::path.eq(&search.path))
                .filter(saved_searches::query.eq(&search.query))
                .select(saved_searches::id)
                .first(conn)?;
            let (id, new) =
                conn.insert_subscription(user_id, SubscriptionKind::Search, saved, mail, now)?;
            Ok(Some(Subscribed {
                id,
                target_id: saved,
                new,
            }))
        })?))
    }

    /// Stops subscription `id` of `user_id` (and forgets its saved
    /// search); false when not theirs.
    pub fn unsubscribe(&self, user_id: i64, id: i64) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let found: Option<(String, i64)> = subscriptions::table
                .filter(subscriptions::id.eq(id))
                .filter(subscriptions::user_id.eq(user_id))
                .select((subscriptions::kind, subscriptions::target_id))
                .first(conn)
                .optional()?;
            let Some((kind, target)) = found else {
                return Ok::<_, diesel::result::Error>(false);
            };
            diesel::delete(subscriptions::table.find(id)).execute(conn)?;
            if kind == SubscriptionKind::Search.as_str() {
                diesel::delete(
                    saved_searches::table
                        .filter(saved_searches::id.eq(target))
                        .filter(saved_searches::user_id.eq(user_id)),
                )
                .execute(conn)?;
            }
            Ok(true)
        })?))
    }

    /// Sets how subscription `id` of `user_id` comes by e-mail; false when
    /// not theirs.
    pub fn set_subscription_mail(
        &self,
        user_id: i64,
        id: i64,
        mail: SubscriptionMail,
    ) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| diesel::update(
            subscriptions::table
                .filter(subscriptions::id.eq(id))
                .filter(subscriptions::user_id.eq(user_id))
        )
        .set(subscriptions::mail.eq(mail.as_str()))
        .execute(conn)?);
        Ok(n > 0)
    }

    /// Sets every subscription of `user_id` to `mail` (a digest's
    /// unsubscribe link turns them all off). Returns how many.
    pub fn set_all_subscription_mail(
        &self,
        user_id: i64,
        mail: SubscriptionMail,
    ) -> Result<usize, StoreError> {
        Ok(with_conn!(self, |conn| diesel::update(
            subscriptions::table.filter(subscriptions::user_id.eq(user_id))
        )
        .set(subscriptions::mail.eq(mail.as_str()))
        .execute(conn)?))
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

    /// The account's subscription to a saved search, if any.
    pub fn search_subscription_to(
        &self,
        user_id: i64,
        search: &SavedSearch,
    ) -> Result<Option<i64>, StoreError> {
        Ok(with_conn!(self, |conn| subscriptions::table
            .inner_join(saved_searches::table.on(saved_searches::id.eq(subscriptions::target_id)))
            .filter(subscriptions::user_id.eq(user_id))
            .filter(subscriptions::kind.eq(SubscriptionKind::Search.as_str()))
            .filter(saved_searches::user_id.eq(user_id))
            .filter(saved_searches::path.eq(&search.path))
            .filter(saved_searches::query.eq(&search.query))
            .select(subscriptions::id)
            .first(conn)
            .optional())?)
    }

    /// Every subscription of an account, newest first.
    pub fn subscriptions_of(&self, user_id: i64) -> Result<Vec<SubscriptionRecord>, StoreError> {
        type Row = (i64, String, i64, NaiveDateTime, String);
        let (rows, searches): (Vec<Row>, Vec<(i64, String, String)>) = with_conn!(self, |conn| {
            let rows = subscriptions::table
                .filter(subscriptions::user_id.eq(user_id))
                .order((subscriptions::created_at.desc(), subscriptions::id.desc()))
                .select((
                    subscriptions::id,
                    subscriptions::kind,
                    subscriptions::target_id,
                    subscriptions::created_at,
                    subscriptions::mail,
                ))
                .load(conn)?;
            let searches = saved_searches::table
                .filter(saved_searches::user_id.eq(user_id))
                .select((
                    saved_searches::id,
                    saved_searches::path,
                    saved_searches::query,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((rows, searches))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, kind, target_id, created_at, mail)| {
                let kind = SubscriptionKind::parse(&kind)?;
                Some(SubscriptionRecord {
                    id,
                    kind,
                    target_id,
                    created_at,
                    mail: SubscriptionMail::parse(&mail).unwrap_or_default(),
                    search: (kind == SubscriptionKind::Search)
                        .then(|| {
                            searches
                                .iter()
                                .find(|s| s.0 == target_id)
                                .map(|(_, path, query)| SavedSearch {
                                    path: path.clone(),
                                    query: query.clone(),
                                })
                        })
                        .flatten(),
                })
            })
            .collect())
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

/// Following inside a transaction, on either backend.
trait FollowHelpers {
    /// Inserts a subscription unless the account has it; its id and
    /// whether it is new.
    fn insert_subscription(
        &mut self,
        user_id: i64,
        kind: SubscriptionKind,
        target_id: i64,
        mail: SubscriptionMail,
        now: NaiveDateTime,
    ) -> QueryResult<(i64, bool)>;
}

impl_for_both_backends! {
    impl FollowHelpers {
        fn insert_subscription(
            &mut self,
            user_id: i64,
            kind: SubscriptionKind,
            target_id: i64,
            mail: SubscriptionMail,
            now: NaiveDateTime,
        ) -> QueryResult<(i64, bool)> {
            let made = diesel::insert_into(subscriptions::table)
                .values((
                    subscriptions::user_id.eq(user_id),
                    subscriptions::kind.eq(kind.as_str()),
                    subscriptions::target_id.eq(target_id),
                    subscriptions::created_at.eq(now),
                    subscriptions::mail.eq(mail.as_str()),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            let id = subscriptions::table
                .filter(subscriptions::user_id.eq(user_id))
                .filter(subscriptions::kind.eq(kind.as_str()))
                .filter(subscriptions::target_id.eq(target_id))
                .select(subscriptions::id)
                .first(self)?;
            Ok((id, made > 0))
        }
    }
}
