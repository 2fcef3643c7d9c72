//! Kudos as stored: one row per giver and work (unique indexes hold the
//! one-per rule under any concurrency), the work's `kudos_count` and the
//! day's count moved in the same transaction.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::kudos::{self as rules, KudosRefusal, KudosSentence};

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::mail::MailHelpers;
use crate::reports::StandingHelpers;
use crate::schema::{blocked_users, kudos, users, work_daily_stats, works};
use crate::works::helpers::WorkHelpers;
use crate::{Page, Store};

/// Who leaves kudos: an account, or a guest known by a keyed hash of
/// their address.
#[derive(Debug, Clone, Copy)]
pub enum Giver<'a> {
    Account { viewer: Viewer, user_id: i64 },
    Guest { key: &'a str },
}

impl Giver<'_> {
    fn viewer(&self) -> Viewer {
        match self {
            Giver::Account { viewer, .. } => *viewer,
            Giver::Guest { .. } => Viewer::Guest,
        }
    }
}

/// One name on a work's kudos list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KudosName {
    pub login: String,
    pub at: NaiveDateTime,
}

/// The day a moment falls on, for daily statistics.
fn day_of(at: NaiveDateTime) -> chrono::NaiveDate {
    at.date()
}

impl Store {
    /// Leaves kudos on work `work_id`, checked against the rules in one
    /// write transaction: the work as the giver may see it, not their own,
    /// not as a guest on a restricted work, not blocked by a creator, once. `Ok(Err(_))` is a
    /// refusal the giver caused.
    pub fn leave_kudos(
        &self,
        work_id: i64,
        giver: Giver<'_>,
    ) -> Result<Result<(), KudosRefusal>, StoreError> {
        let now = Utc::now().naive_utc();
        let viewer = giver.viewer();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let parts = conn.load_work_parts(&[work_id])?;
            let Some(row) = parts.0.first() else {
                return Ok::<_, diesel::result::Error>(Err(KudosRefusal::NotFound));
            };
            let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
            let access = ficus_core::access::WorkAccess {
                posted: row.posted,
                restricted: row.restricted,
                hidden: row.hidden,
                unrevealed: row.unrevealed,
                owners: &owners,
            };
            if let Err(refusal) = rules::check(viewer, &access) {
                return Ok(Err(refusal));
            }
            if let Giver::Account { user_id, .. } = giver {
                let blocked: i64 = blocked_users::table
                    .filter(blocked_users::other_id.eq(user_id))
                    .filter(blocked_users::user_id.eq_any(&owners))
                    .count()
                    .get_result(conn)?;
                if blocked > 0 {
                    return Ok(Err(KudosRefusal::Blocked));
                }
                if !conn.standing_of(user_id, now)?.may_act() {
                    return Ok(Err(KudosRefusal::Suspended));
                }
            }
            let (user_id, guest_key) = match giver {
                Giver::Account { user_id, .. } => (Some(user_id), None),
                Giver::Guest { key } => (None, Some(key)),
            };
            let inserted = diesel::insert_into(kudos::table)
                .values((
                    kudos::work_id.eq(work_id),
                    kudos::user_id.eq(user_id),
                    kudos::guest_key.eq(guest_key),
                    kudos::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if inserted == 0 {
                return Ok(Err(KudosRefusal::AlreadyLeft));
            }
            diesel::update(works::table.find(work_id))
                .set(works::kudos_count.eq(works::kudos_count + 1))
                .execute(conn)?;
            diesel::insert_into(work_daily_stats::table)
                .values((
                    work_daily_stats::work_id.eq(work_id),
                    work_daily_stats::day.eq(day_of(now)),
                    work_daily_stats::kudos.eq(1i64),
                ))
                .on_conflict((work_daily_stats::work_id, work_daily_stats::day))
                .do_update()
                .set(work_daily_stats::kudos.eq(work_daily_stats::kudos + 1))
                .execute(conn)?;
            conn.queue_kudos_digest(&owners, now)?;
            Ok(Ok(()))
        }))?)
    }

    /// The sentence under work `work_id`: the newest [`rules::NAMES_SHOWN`]
    /// names, how many more accounts, how many guests.
    pub fn kudos_sentence(&self, work_id: i64) -> Result<KudosSentence, StoreError> {
        let names = with_conn!(self, |conn| {
            let names: Vec<String> = kudos::table
                .inner_join(users::table)
                .filter(kudos::work_id.eq(work_id))
                .order(kudos::id.desc())
                .select(users::login)
                .limit(rules::NAMES_SHOWN as i64)
                .load(conn)?;
            Ok::<_, StoreError>(names)
        })?;
        let (accounts, guests) = self.kudos_totals(work_id)?;
        let shown = names.len() as u64;
        Ok(KudosSentence {
            names,
            more_users: accounts.saturating_sub(shown),
            guests,
        })
    }

    /// Page `page` (from 1) of the accounts that left kudos on a work,
    /// newest first, [`rules::NAMES_SHOWN`] per page, and the number of
    /// guests.
    pub fn kudos_names(
        &self,
        work_id: i64,
        page: u32,
    ) -> Result<(Page<KudosName>, u64), StoreError> {
        let page = page.max(1);
        let per_page = rules::NAMES_SHOWN as u32;
        let offset = i64::from(page - 1) * i64::from(per_page);
        let rows = with_conn!(self, |conn| {
            let rows: Vec<(String, NaiveDateTime)> = kudos::table
                .inner_join(users::table)
                .filter(kudos::work_id.eq(work_id))
                .order(kudos::id.desc())
                .select((users::login, kudos::created_at))
                .limit(i64::from(per_page))
                .offset(offset)
                .load(conn)?;
            Ok::<_, StoreError>(rows)
        })?;
        let (total, guests) = self.kudos_totals(work_id)?;
        Ok((
            Page {
                items: rows
                    .into_iter()
                    .map(|(login, at)| KudosName { login, at })
                    .collect(),
                page,
                per_page,
                total,
            },
            guests,
        ))
    }

    /// (accounts, guests) who left kudos on a work; a deleted account's
    /// kudos count as a guest's.
    fn kudos_totals(&self, work_id: i64) -> Result<(u64, u64), StoreError> {
        let (accounts, guests): (i64, i64) = with_conn!(self, |conn| {
            let of_work = || kudos::table.filter(kudos::work_id.eq(work_id));
            let accounts: i64 = of_work()
                .filter(kudos::user_id.is_not_null())
                .count()
                .get_result(conn)?;
            let guests: i64 = of_work()
                .filter(kudos::user_id.is_null())
                .count()
                .get_result(conn)?;
            Ok::<_, StoreError>((accounts, guests))
        })?;
        let (accounts, guests) = (
            u64::try_from(accounts).unwrap_or(0),
            u64::try_from(guests).unwrap_or(0),
        );
        Ok((accounts, guests))
    }

    /// Forgets the keyed address hashes of guest kudos older than
    /// `cutoff` (the kudos stay, counted as a guest's; that guest could
    /// leave kudos on the work once more). Returns how many.
    pub fn forget_guest_keys(&self, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
        Ok(with_conn!(self, |conn| diesel::update(
            kudos::table
                .filter(kudos::guest_key.is_not_null())
                .filter(kudos::created_at.lt(cutoff))
        )
        .set(kudos::guest_key.eq(None::<String>))
        .execute(conn)?))
    }
}
