//! An exchange's assignments: reading them (the maintainers' list, a
//! writer's own, one), a writer defaulting, a maintainer naming a pinch
//! hitter, posting a work to an assignment (inside the posting's
//! transaction: the work joins the collection and becomes the recipient's
//! gift, whatever the recipient's gift preference), and the reveal date.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::collections::{Approval, Role};
use ficus_core::exchange::rules::{AssignmentStatus, ExchangeRefusal};

use super::{ExchangeHelpers, Outcome, account};
use crate::Store;
use crate::collections::CollectionHelpers;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::mail::MailHelpers;
use crate::schema::{
    challenge_assignments, challenge_signups, collection_items, collections, gift_exchanges, gifts,
    pseuds, users, works,
};
use crate::works::helpers::WorkHelpers;

/// One assignment: who writes for whom, and where it stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AssignmentRecord {
    pub id: i64,
    pub collection_id: i64,
    pub collection_name: String,
    pub collection_title: String,
    pub recipient_signup_id: i64,
    pub recipient_login: String,
    /// The recipient's pseud (the gift goes to it).
    pub recipient_pseud: String,
    /// The matched giver's login (none: matching found no one).
    pub giver_login: Option<String>,
    pub pinch_hitter_login: Option<String>,
    /// The writer's account: the pinch hitter, else the giver unless they
    /// defaulted.
    pub writer_id: Option<i64>,
    /// Tags the giver's offer and the recipient's request share.
    pub overlap: i32,
    pub status: AssignmentStatus,
    /// The work posted (or drafted) for it: (id, title, posted).
    pub work: Option<(i64, String, bool)>,
    pub defaulted_at: Option<NaiveDateTime>,
    pub covered_at: Option<NaiveDateTime>,
    /// The maintainers sent the exchange's assignments out.
    pub sent: bool,
    pub due_at: Option<NaiveDateTime>,
}

impl AssignmentRecord {
    /// Who writes it now: the pinch hitter, else the giver unless they
    /// defaulted.
    pub fn writer(&self) -> Option<&str> {
        match (&self.pinch_hitter_login, &self.giver_login) {
            (Some(p), _) => Some(p),
            (None, Some(g)) if self.defaulted_at.is_none() => Some(g),
            _ => None,
        }
    }
}

type Row = (
    i64,
    i64,
    i64,
    Option<i64>,
    i32,
    Option<i64>,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

macro_rules! assignment_columns {
    () => {
        (
            challenge_assignments::id,
            challenge_assignments::collection_id,
            challenge_assignments::recipient_signup_id,
            challenge_assignments::giver_signup_id,
            challenge_assignments::overlap,
            challenge_assignments::pinch_hitter_id,
            challenge_assignments::work_id,
            challenge_assignments::defaulted_at,
            challenge_assignments::covered_at,
        )
    };
}

/// (writer's account: the pinch hitter, else the undefaulted giver's;
/// recipient's account and pseud; the linked work; the collection).
type Parties = (Option<i64>, i64, i64, Option<i64>, i64);

/// (recipient sign-up, giver sign-up, pinch hitter, defaulted at, work,
/// collection) as stored.
type PartiesRow = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<i64>,
    i64,
);

/// Typed helpers on a connection of either backend.
pub(crate) trait AssignmentHelpers {
    /// Who is who on assignment `id`.
    fn parties(&mut self, id: i64) -> QueryResult<Option<Parties>>;

    /// Takes assignment `id`'s row lock (a no-op update): its writes
    /// serialize on PostgreSQL as on SQLite.
    fn lock_assignment(&mut self, id: i64) -> QueryResult<()>;

    /// The assignments a draft was saved for, once it is posted: each
    /// its creators still write is fulfilled (the gift and the exchange's
    /// item); any other is unlinked.
    fn complete_draft_assignments(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()>;

    /// What fulfilling assignment `id` with posted work `work_id` does:
    /// the work joins the exchange's collection (approved on both sides)
    /// and is given to the recipient's pseud `r_pseud`.
    fn apply_fulfilment(
        &mut self,
        work_id: i64,
        cid: i64,
        r_pseud: i64,
        by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Links work `work_id` to assignment `id`, written by account `by`,
    /// inside the posting's transaction. A posted work fulfils it at once
    /// ([`AssignmentHelpers::apply_fulfilment`]); a draft is only linked
    /// (it replaces another draft's link) and fulfils it when posted.
    fn fulfil_assignment(
        &mut self,
        work_id: i64,
        id: i64,
        by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<Result<(), ExchangeRefusal>>;
}

impl_for_both_backends! {
    impl AssignmentHelpers {
        fn parties(&mut self, id: i64) -> QueryResult<Option<Parties>> {
            let row: Option<PartiesRow> =
                challenge_assignments::table
                    .find(id)
                    .select((
                        challenge_assignments::recipient_signup_id,
                        challenge_assignments::giver_signup_id,
                        challenge_assignments::pinch_hitter_id,
                        challenge_assignments::defaulted_at,
                        challenge_assignments::work_id,
                        challenge_assignments::collection_id,
                    ))
                    .first(self)
                    .optional()?;
            let Some((recipient, giver, pinch, defaulted, work, cid)) = row else {
                return Ok(None);
            };
            let (r_user, r_pseud): (i64, i64) = challenge_signups::table
                .find(recipient)
                .select((challenge_signups::user_id, challenge_signups::pseud_id))
                .first(self)?;
            let giver_user: Option<i64> = match giver {
                Some(g) if defaulted.is_none() => challenge_signups::table
                    .find(g)
                    .select(challenge_signups::user_id)
                    .first(self)
                    .optional()?,
                _ => None,
            };
            Ok(Some((pinch.or(giver_user), r_user, r_pseud, work, cid)))
        }

        fn lock_assignment(&mut self, id: i64) -> QueryResult<()> {
            diesel::update(challenge_assignments::table.find(id))
                .set(challenge_assignments::id.eq(challenge_assignments::id))
                .execute(self)?;
            Ok(())
        }

        fn fulfil_assignment(
            &mut self,
            work_id: i64,
            id: i64,
            by: i64,
            now: NaiveDateTime,
        ) -> QueryResult<Result<(), ExchangeRefusal>> {
            self.lock_assignment(id)?;
            let Some((writer, _, r_pseud, linked, cid)) = self.parties(id)? else {
                return Ok(Err(ExchangeRefusal::NotFound));
            };
            if writer != Some(by) {
                return Ok(Err(ExchangeRefusal::NotYourAssignment));
            }
            if !matches!(self.exchange_settings(cid)?, Some((_, _, Some(_)))) {
                return Ok(Err(ExchangeRefusal::NotFound));
            }
            // Another posted work fulfils it; another draft's link gives
            // way (a draft carries neither gift nor item yet).
            if let Some(other) = linked.filter(|w| *w != work_id)
                && self.work_posted(Some(other))?
            {
                return Ok(Err(ExchangeRefusal::AlreadyFulfilled));
            }
            diesel::update(challenge_assignments::table.find(id))
                .set(challenge_assignments::work_id.eq(Some(work_id)))
                .execute(self)?;
            if self.work_posted(Some(work_id))? {
                self.apply_fulfilment(work_id, cid, r_pseud, by, now)?;
            }
            Ok(Ok(()))
        }

        fn complete_draft_assignments(&mut self, work_id: i64, now: NaiveDateTime) -> QueryResult<()> {
            let ids: Vec<i64> = challenge_assignments::table
                .filter(challenge_assignments::work_id.eq(work_id))
                .select(challenge_assignments::id)
                .load(self)?;
            let creators: Vec<i64> = self
                .load_work_parts(&[work_id])?
                .2
                .iter()
                .filter_map(|r| r.3)
                .collect();
            for id in ids {
                self.lock_assignment(id)?;
                let Some((writer, _, r_pseud, _, cid)) = self.parties(id)? else {
                    continue;
                };
                let sent = matches!(self.exchange_settings(cid)?, Some((_, _, Some(_))));
                match writer.filter(|w| sent && creators.contains(w)) {
                    Some(by) => self.apply_fulfilment(work_id, cid, r_pseud, by, now)?,
                    None => {
                        diesel::update(challenge_assignments::table.find(id))
                            .set(challenge_assignments::work_id.eq(None::<i64>))
                            .execute(self)?;
                    }
                }
            }
            Ok(())
        }

        fn apply_fulfilment(
            &mut self,
            work_id: i64,
            cid: i64,
            r_pseud: i64,
            by: i64,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            diesel::insert_into(gifts::table)
                .values((
                    gifts::work_id.eq(work_id),
                    gifts::pseud_id.eq(Some(r_pseud)),
                    gifts::rejected.eq(false),
                    gifts::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            let (unrevealed, anonymous): (bool, bool) = collections::table
                .find(cid)
                .select((collections::unrevealed, collections::anonymous))
                .first(self)?;
            // The maintainers assigned it: the collection approves, and
            // the writer approves by posting.
            diesel::insert_into(collection_items::table)
                .values((
                    collection_items::collection_id.eq(cid),
                    collection_items::work_id.eq(work_id),
                    collection_items::user_approval.eq(Approval::Approved.code()),
                    collection_items::collection_approval.eq(Approval::Approved.code()),
                    collection_items::unrevealed.eq(unrevealed),
                    collection_items::anonymous.eq(anonymous),
                    collection_items::added_by.eq(Some(by)),
                    collection_items::created_at.eq(now),
                    collection_items::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            diesel::update(
                collection_items::table
                    .filter(collection_items::collection_id.eq(cid))
                    .filter(collection_items::work_id.eq(work_id)),
            )
            .set((
                collection_items::user_approval.eq(Approval::Approved.code()),
                collection_items::collection_approval.eq(Approval::Approved.code()),
            ))
            .execute(self)?;
            self.refresh_reveal_flags(&[work_id], now)
        }
    }
}

impl Store {
    fn assemble_assignments(&self, rows: Vec<Row>) -> Result<Vec<AssignmentRecord>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut signup_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
        signup_ids.extend(rows.iter().filter_map(|r| r.3));
        signup_ids.sort_unstable();
        signup_ids.dedup();
        let pinch_ids: Vec<i64> = rows.iter().filter_map(|r| r.5).collect();
        let work_ids: Vec<i64> = rows.iter().filter_map(|r| r.6).collect();
        let mut cids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        cids.sort_unstable();
        cids.dedup();
        type Exchange = (
            i64,
            String,
            String,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        );
        let (signups, pinch, works_, exchanges) = with_conn!(self, |conn| {
            let mut signups: HashMap<i64, (String, String, i64)> = HashMap::new();
            for chunk in signup_ids.chunks(500) {
                let found: Vec<(i64, String, String, i64)> = challenge_signups::table
                    .inner_join(users::table)
                    .inner_join(pseuds::table)
                    .filter(challenge_signups::id.eq_any(chunk))
                    .select((
                        challenge_signups::id,
                        users::login,
                        pseuds::name,
                        challenge_signups::user_id,
                    ))
                    .load(conn)?;
                signups.extend(found.into_iter().map(|(id, l, p, u)| (id, (l, p, u))));
            }
            let mut pinch: HashMap<i64, String> = HashMap::new();
            for chunk in pinch_ids.chunks(500) {
                let found: Vec<(i64, String)> = users::table
                    .filter(users::id.eq_any(chunk))
                    .select((users::id, users::login))
                    .load(conn)?;
                pinch.extend(found);
            }
            let mut works_: HashMap<i64, (String, bool)> = HashMap::new();
            for chunk in work_ids.chunks(500) {
                let found: Vec<(i64, String, bool)> = works::table
                    .filter(works::id.eq_any(chunk))
                    .select((works::id, works::title, works::posted))
                    .load(conn)?;
                works_.extend(found.into_iter().map(|(id, t, p)| (id, (t, p))));
            }
            let exchanges: Vec<Exchange> = collections::table
                .inner_join(gift_exchanges::table)
                .filter(collections::id.eq_any(&cids))
                .select((
                    collections::id,
                    collections::name,
                    collections::title,
                    gift_exchanges::sent_at,
                    gift_exchanges::assignments_due_at,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((signups, pinch, works_, exchanges))
        })?;
        let exchanges: HashMap<i64, Exchange> = exchanges.into_iter().map(|e| (e.0, e)).collect();
        let mut out = Vec::with_capacity(rows.len());
        for (id, cid, recipient, giver, overlap, pinch_id, work, defaulted_at, covered_at) in rows {
            let Some((_, cname, ctitle, sent, due)) = exchanges.get(&cid) else {
                continue;
            };
            let Some((r_login, r_pseud, _)) = signups.get(&recipient) else {
                continue;
            };
            let work = work.and_then(|w| works_.get(&w).map(|(t, p)| (w, t.clone(), *p)));
            let fulfilled = work.as_ref().is_some_and(|w| w.2);
            out.push(AssignmentRecord {
                id,
                collection_id: cid,
                collection_name: cname.clone(),
                collection_title: ctitle.clone(),
                recipient_signup_id: recipient,
                recipient_login: r_login.clone(),
                recipient_pseud: r_pseud.clone(),
                giver_login: giver
                    .and_then(|g| signups.get(&g))
                    .map(|(l, _, _)| l.clone()),
                pinch_hitter_login: pinch_id.and_then(|p| pinch.get(&p)).cloned(),
                writer_id: pinch_id.or_else(|| {
                    giver
                        .filter(|_| defaulted_at.is_none())
                        .and_then(|g| signups.get(&g))
                        .map(|(_, _, u)| *u)
                }),
                overlap,
                status: AssignmentStatus::of(
                    fulfilled,
                    giver.is_some(),
                    defaulted_at.is_some(),
                    pinch_id.is_some(),
                ),
                work,
                defaulted_at,
                covered_at,
                sent: sent.is_some(),
                due_at: *due,
            });
        }
        Ok(out)
    }

    /// Exchange `cid`'s assignments, in recipients' sign-up order (the
    /// maintainers' list and match report).
    pub fn exchange_assignments(&self, cid: i64) -> Result<Vec<AssignmentRecord>, StoreError> {
        let rows: Vec<Row> = with_conn!(self, |conn| challenge_assignments::table
            .filter(challenge_assignments::collection_id.eq(cid))
            .order(challenge_assignments::recipient_signup_id)
            .select(assignment_columns!())
            .load(conn)?);
        self.assemble_assignments(rows)
    }

    /// Assignment `id`, if any.
    pub fn assignment(&self, id: i64) -> Result<Option<AssignmentRecord>, StoreError> {
        let rows: Vec<Row> = with_conn!(self, |conn| challenge_assignments::table
            .filter(challenge_assignments::id.eq(id))
            .select(assignment_columns!())
            .load(conn)?);
        Ok(self.assemble_assignments(rows)?.pop())
    }

    /// The sent assignments account `user` writes (as giver, not
    /// defaulted, or as pinch hitter), newest exchange first.
    pub fn user_assignments(&self, user: i64) -> Result<Vec<AssignmentRecord>, StoreError> {
        let rows: Vec<Row> = with_conn!(self, |conn| {
            let as_giver = challenge_signups::table
                .filter(challenge_signups::user_id.eq(user))
                .select(challenge_signups::id.nullable());
            let sent = gift_exchanges::table
                .filter(gift_exchanges::sent_at.is_not_null())
                .select(gift_exchanges::collection_id);
            challenge_assignments::table
                .filter(challenge_assignments::collection_id.eq_any(sent))
                .filter(
                    challenge_assignments::pinch_hitter_id.eq(user).or(
                        challenge_assignments::pinch_hitter_id
                            .is_null()
                            .and(challenge_assignments::defaulted_at.is_null())
                            .and(challenge_assignments::giver_signup_id.eq_any(as_giver)),
                    ),
                )
                .order(challenge_assignments::id.desc())
                .select(assignment_columns!())
                .load(conn)?
        });
        self.assemble_assignments(rows)
    }

    /// The writer of assignment `id` gives it up (AO3's default): a
    /// pinch hitter's cover ends, a giver's assignment waits for one.
    /// Not once a posted work fulfils it.
    pub fn default_assignment(&self, viewer: Viewer, id: i64, now: NaiveDateTime) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            conn.lock_assignment(id)?;
            let Some((writer, _, _, work, cid)) = conn.parties(id)? else {
                return Ok::<_, diesel::result::Error>(Err(ExchangeRefusal::NotFound));
            };
            if writer != Some(user)
                || !matches!(conn.exchange_settings(cid)?, Some((_, _, Some(_))))
            {
                return Ok(Err(ExchangeRefusal::NotFound));
            }
            if conn.work_posted(work)? {
                return Ok(Err(ExchangeRefusal::AlreadyFulfilled));
            }
            let pinch: Option<i64> = challenge_assignments::table
                .find(id)
                .select(challenge_assignments::pinch_hitter_id)
                .first(conn)?;
            if pinch == Some(user) {
                diesel::update(challenge_assignments::table.find(id))
                    .set((
                        challenge_assignments::pinch_hitter_id.eq(None::<i64>),
                        challenge_assignments::covered_at.eq(None::<NaiveDateTime>),
                        challenge_assignments::work_id.eq(None::<i64>),
                    ))
                    .execute(conn)?;
            } else {
                diesel::update(challenge_assignments::table.find(id))
                    .set((
                        challenge_assignments::defaulted_at.eq(Some(now)),
                        challenge_assignments::work_id.eq(None::<i64>),
                    ))
                    .execute(conn)?;
            }
            Ok(Ok(()))
        }))?)
    }

    /// A maintainer names account `login` pinch hitter of assignment `id`
    /// (one no one writes, or anyone's): not the recipient, not once a
    /// posted work fulfils it.
    pub fn cover_assignment(
        &self,
        viewer: Viewer,
        id: i64,
        login: &str,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        let login = login.trim().to_string();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            conn.lock_assignment(id)?;
            let Some((_, recipient, _, work, cid)) = conn.parties(id)? else {
                return Ok::<_, diesel::result::Error>(Err(ExchangeRefusal::NotFound));
            };
            if !conn.role_in(cid, user)?.is_some_and(Role::maintains) {
                return Ok(Err(ExchangeRefusal::NotMaintainer));
            }
            if conn.work_posted(work)? {
                return Ok(Err(ExchangeRefusal::AlreadyFulfilled));
            }
            let Some(hitter) = users::table
                .filter(users::login_key.eq(login.to_lowercase()))
                .select(users::id)
                .first::<i64>(conn)
                .optional()?
            else {
                return Ok(Err(ExchangeRefusal::NoSuchUser(login.clone())));
            };
            if hitter == recipient {
                return Ok(Err(ExchangeRefusal::OwnGift));
            }
            diesel::update(challenge_assignments::table.find(id))
                .set((
                    challenge_assignments::pinch_hitter_id.eq(Some(hitter)),
                    challenge_assignments::covered_at.eq(Some(now)),
                    challenge_assignments::work_id.eq(None::<i64>),
                ))
                .execute(conn)?;
            // The giver it replaces is done with it: should the pinch
            // hitter default too, it waits for another, not for them.
            diesel::update(
                challenge_assignments::table
                    .find(id)
                    .filter(challenge_assignments::defaulted_at.is_null()),
            )
            .set(challenge_assignments::defaulted_at.eq(Some(now)))
            .execute(conn)?;
            // Once assignments are out the pinch hitter hears of it now
            // (before, with everyone at the send-out).
            if matches!(conn.exchange_settings(cid)?, Some((_, _, Some(_)))) {
                conn.queue_assignment_mail(&[(hitter, id)], now)?;
            }
            Ok(Ok(()))
        }))?)
    }

    /// Reveals every exchange whose reveal date has come (works and
    /// creators), each in one transaction; returns how many.
    pub fn reveal_due_exchanges(&self, now: NaiveDateTime) -> Result<usize, StoreError> {
        let due: Vec<i64> = with_conn!(self, |conn| gift_exchanges::table
            .filter(gift_exchanges::reveal_at.le(now))
            .filter(gift_exchanges::revealed_at.is_null())
            .select(gift_exchanges::collection_id)
            .load(conn)?);
        let mut revealed = 0;
        for &cid in &due {
            revealed += with_conn!(self, |conn| conn.write_transaction(|conn| {
                // Claimed again inside the transaction: a date moved
                // meanwhile, or another node's reveal, leaves it be.
                let claimed = diesel::update(
                    gift_exchanges::table
                        .find(cid)
                        .filter(gift_exchanges::revealed_at.is_null())
                        .filter(gift_exchanges::reveal_at.le(now)),
                )
                .set(gift_exchanges::revealed_at.eq(Some(now)))
                .execute(conn)?;
                if claimed == 0 {
                    return Ok::<_, diesel::result::Error>(0);
                }
                diesel::update(collections::table.find(cid))
                    .set((
                        collections::unrevealed.eq(false),
                        collections::anonymous.eq(false),
                        collections::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                conn.clear_item_flags(cid, true, true, now)?;
                Ok(1)
            }))?;
        }
        Ok(revealed)
    }
}

/// Whether a linked work is posted (a draft does not fulfil yet).
trait PostedHelper {
    fn work_posted(&mut self, work: Option<i64>) -> QueryResult<bool>;
}

impl_for_both_backends! {
    impl PostedHelper {
        fn work_posted(&mut self, work: Option<i64>) -> QueryResult<bool> {
            let Some(work) = work else { return Ok(false) };
            Ok(works::table
                .find(work)
                .select(works::posted)
                .first::<bool>(self)
                .optional()?
                .unwrap_or(false))
        }
    }
}
