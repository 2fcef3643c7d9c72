//! Gifts as stored (`gifts`: a work given to a pseud or to a name that is
//! not an account; one per recipient per work; refused or not) and the
//! accounts' consent (`users.pref_allow_gifts`, blocks). A work's gifts
//! are written in its posting or edit transaction
//! ([`GiftHelpers::write_gifts`]); rules are `ficus_core::gifts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::gifts::{self as rules, GiftRefusal, GiftTo};

use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::schema::{blocked_users, gifts, pseuds, users, works};
use crate::{Page, Store};

/// A gift as a work's page shows it: the recipient's name and, for an
/// account, its gifts page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GiftLine {
    pub name: String,
    /// The recipient's login, for an account.
    pub login: Option<String>,
}

/// (pseud, account, login, name) of one gift.
type TargetRow = (Option<i64>, Option<i64>, Option<String>, Option<String>);

/// One gift on a recipient's page.
#[derive(Debug, Clone)]
pub struct GiftRecord {
    pub id: i64,
    pub rejected: bool,
    pub work: WorkRecord,
}

/// Typed helpers on a connection of either backend.
pub(crate) trait GiftHelpers {
    /// Makes work `work_id`'s gifts exactly `to`: gifts already there stay
    /// (a refusal too), others go, new ones are added.
    fn write_gifts(&mut self, work_id: i64, to: &[GiftTo], now: NaiveDateTime) -> QueryResult<()>;

    /// A posting's collections and gifts (see
    /// [`crate::works::CoCreatorInvites`]); a collection refusal rolls the
    /// transaction back.
    fn posting_extras(
        &mut self,
        work_id: i64,
        extras: &crate::CoCreatorInvites,
        now: NaiveDateTime,
    ) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl GiftHelpers {
        fn posting_extras(
            &mut self,
            work_id: i64,
            extras: &crate::CoCreatorInvites,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            use crate::collections::CollectionHelpers;
            use crate::exchanges::AssignmentHelpers;
            if let Some(to) = &extras.gifts {
                self.write_gifts(work_id, to, now)?;
            }
            if !extras.collections.is_empty() {
                let poster = Viewer::User {
                    id: extras.by,
                    role: ficus_core::account::Role::User,
                };
                // Names already holding the work are skipped (an edit
                // names its collections again).
                let held: Vec<String> = crate::schema::collection_items::table
                    .inner_join(crate::schema::collections::table)
                    .filter(crate::schema::collection_items::work_id.eq(work_id))
                    .select(crate::schema::collections::name_key)
                    .load(self)?;
                let new: Vec<String> = extras
                    .collections
                    .iter()
                    .filter(|n| !held.contains(&ficus_core::collections::name_key(n)))
                    .cloned()
                    .collect();
                if !new.is_empty()
                    && let Err(refusal) = self.add_items(poster, work_id, &new, now)?
                {
                    return Err(diesel::result::Error::QueryBuilderError(
                        refusal.to_string().into(),
                    ));
                }
            }
            if let Some(assignment) = extras.assignment
                && let Err(refusal) =
                    self.fulfil_assignment(work_id, assignment, extras.by, now)?
            {
                return Err(diesel::result::Error::QueryBuilderError(
                    refusal.to_string().into(),
                ));
            }
            Ok(())
        }

        fn write_gifts(&mut self, work_id: i64, to: &[GiftTo], now: NaiveDateTime) -> QueryResult<()> {
            let held: Vec<(i64, Option<i64>, Option<String>)> = gifts::table
                .filter(gifts::work_id.eq(work_id))
                .select((gifts::id, gifts::pseud_id, gifts::recipient_name))
                .load(self)?;
            let wanted = |pseud: Option<i64>, name: &Option<String>| {
                to.iter().any(|g| match g {
                    GiftTo::Pseud { pseud_id, .. } => pseud == Some(*pseud_id),
                    GiftTo::Name(n) => pseud.is_none() && name.as_deref() == Some(n.as_str()),
                })
            };
            for (id, pseud, name) in &held {
                // A refusal stays: giving the work again does not undo it.
                if !wanted(*pseud, name) {
                    diesel::delete(gifts::table.find(*id).filter(gifts::rejected.eq(false)))
                        .execute(self)?;
                }
            }
            for g in to {
                let (pseud, name) = match g {
                    GiftTo::Pseud { pseud_id, .. } => (Some(*pseud_id), None),
                    GiftTo::Name(n) => (None, Some(n.clone())),
                };
                let there = held
                    .iter()
                    .any(|(_, p, n)| (pseud.is_some() && *p == pseud) || (pseud.is_none() && p.is_none() && *n == name));
                if there {
                    continue;
                }
                diesel::insert_into(gifts::table)
                    .values((
                        gifts::work_id.eq(work_id),
                        gifts::pseud_id.eq(pseud),
                        gifts::recipient_name.eq(name),
                        gifts::rejected.eq(false),
                        gifts::created_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(())
        }
    }
}

impl Store {
    /// Resolves a recipient named on the work form by `giver`: an
    /// account's login (its default pseud) or a pseud's name, when it
    /// takes gifts from the giver; else a name that is not an account's.
    pub fn gift_recipient(
        &self,
        name: &str,
        giver: i64,
    ) -> Result<Result<GiftTo, GiftRefusal>, StoreError> {
        let name = name.trim();
        let key = name.to_lowercase();
        type Found = (i64, i64, String, bool);
        let found: Option<Found> = with_conn!(self, |conn| {
            let by_login: Option<Found> = pseuds::table
                .inner_join(users::table)
                .filter(users::login_key.eq(&key))
                .filter(pseuds::is_default.eq(true))
                .select((pseuds::id, users::id, pseuds::name, users::pref_allow_gifts))
                .first(conn)
                .optional()?;
            match by_login {
                Some(f) => Some(f),
                None => {
                    let named: Vec<Found> = pseuds::table
                        .inner_join(users::table)
                        .filter(
                            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(pseuds.name) = ")
                                .bind::<diesel::sql_types::Text, _>(&key),
                        )
                        .select((pseuds::id, users::id, pseuds::name, users::pref_allow_gifts))
                        .limit(2)
                        .load(conn)?;
                    // A pseud name two accounts share names neither.
                    if named.len() == 1 {
                        named.into_iter().next()
                    } else {
                        None
                    }
                }
            }
        });
        let Some((pseud_id, user_id, byline, allows)) = found else {
            return Ok(rules::check_name(name).map(GiftTo::Name));
        };
        if user_id == giver {
            return Ok(Err(GiftRefusal::ToSelf));
        }
        let blocked: i64 = with_conn!(self, |conn| blocked_users::table
            .filter(blocked_users::user_id.eq(user_id))
            .filter(blocked_users::other_id.eq(giver))
            .count()
            .get_result(conn)?);
        Ok(rules::may_give(allows, blocked > 0, &byline)
            .map(|()| GiftTo::Pseud { pseud_id, user_id }))
    }

    /// The gifts of work `work_id` as its edit form names them (an
    /// account's login, else the name), with whom each goes to: an edit
    /// naming them again keeps them as they are.
    pub fn work_gift_targets(&self, work_id: i64) -> Result<Vec<(String, GiftTo)>, StoreError> {
        let rows: Vec<TargetRow> = with_conn!(self, |conn| gifts::table
            .left_join(pseuds::table.left_join(users::table))
            .filter(gifts::work_id.eq(work_id))
            .filter(gifts::rejected.eq(false))
            .order(gifts::id.asc())
            .select((
                gifts::pseud_id,
                users::id.nullable(),
                users::login.nullable(),
                gifts::recipient_name,
            ))
            .load(conn)?);
        Ok(rows
            .into_iter()
            .filter_map(
                |(pseud, user, login, name)| match (pseud, user, login, name) {
                    (Some(pseud_id), Some(user_id), Some(login), _) => {
                        Some((login, GiftTo::Pseud { pseud_id, user_id }))
                    }
                    (None, _, _, Some(n)) => Some((n.clone(), GiftTo::Name(n))),
                    _ => None,
                },
            )
            .collect())
    }

    /// The gifts of work `work_id` its page names (not refused), in order.
    pub fn gifts_of_work(&self, work_id: i64) -> Result<Vec<GiftLine>, StoreError> {
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> =
            with_conn!(self, |conn| {
                gifts::table
                    .left_join(pseuds::table.left_join(users::table))
                    .filter(gifts::work_id.eq(work_id))
                    .filter(gifts::rejected.eq(false))
                    .order(gifts::id.asc())
                    .select((
                        pseuds::name.nullable(),
                        users::login.nullable(),
                        gifts::recipient_name,
                    ))
                    .load(conn)?
            });
        Ok(rows
            .into_iter()
            .filter_map(|(pseud, login, name)| match (pseud, login, name) {
                (Some(p), Some(l), _) => Some(GiftLine {
                    name: p,
                    login: Some(l),
                }),
                (_, _, Some(n)) => Some(GiftLine {
                    name: n,
                    login: None,
                }),
                _ => None,
            })
            .collect())
    }

    /// Page `page` of the works given to account `user_id`'s pseuds that
    /// `viewer` may see, newest gift first: the accepted ones, or (for the
    /// account itself) the refused ones.
    pub fn user_gifts(
        &self,
        user_id: i64,
        viewer: Viewer,
        refused: bool,
        page: u32,
    ) -> Result<Page<GiftRecord>, StoreError> {
        let page = page.max(1);
        let per_page = 20u32;
        let rows: Vec<(i64, i64, bool)> = with_conn!(self, |conn| gifts::table
            .inner_join(pseuds::table)
            .inner_join(works::table)
            .filter(pseuds::user_id.eq(user_id))
            .filter(gifts::rejected.eq(refused))
            .filter(works::posted.eq(true))
            .order((gifts::created_at.desc(), gifts::id.desc()))
            .limit(2_000)
            .select((gifts::id, gifts::work_id, gifts::rejected))
            .load(conn)?);
        let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let works = self.works_by_ids(&ids)?;
        // Visibility is the works' own rule, so the total is what is shown.
        let visible: Vec<GiftRecord> = rows
            .into_iter()
            .filter_map(|(id, work, rejected)| {
                works
                    .iter()
                    .find(|w| w.id == work && viewer.may_see(&w.access()))
                    .map(|w| GiftRecord {
                        id,
                        rejected,
                        work: w.clone(),
                    })
            })
            .collect();
        let total = visible.len() as u64;
        let items = visible
            .into_iter()
            .skip(usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX))
            .take(per_page as usize)
            .collect();
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Sets whether gift `gift_id` is refused (its recipient only); false
    /// when it is not theirs.
    pub fn set_gift_rejected(
        &self,
        user_id: i64,
        gift_id: i64,
        rejected: bool,
    ) -> Result<bool, StoreError> {
        let own_pseuds = pseuds::table
            .filter(pseuds::user_id.eq(user_id))
            .select(pseuds::id.nullable());
        Ok(with_conn!(self, |conn| diesel::update(
            gifts::table
                .filter(gifts::id.eq(gift_id))
                .filter(gifts::pseud_id.eq_any(own_pseuds))
        )
        .set(gifts::rejected.eq(rejected))
        .execute(conn))?
            > 0)
    }

    /// Refuses or accepts again gift `gift_id` (its recipient only): the
    /// gift's new state (`Some(true)`: refused); `None` when it is not
    /// theirs.
    pub fn toggle_gift_rejected(
        &self,
        user_id: i64,
        gift_id: i64,
    ) -> Result<Option<bool>, StoreError> {
        use crate::conn::WriteTransaction;
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let row: Option<bool> = gifts::table
                .inner_join(pseuds::table)
                .filter(gifts::id.eq(gift_id))
                .filter(pseuds::user_id.eq(user_id))
                .select(gifts::rejected)
                .first(conn)
                .optional()?;
            let Some(was) = row else {
                return Ok::<_, diesel::result::Error>(None);
            };
            diesel::update(gifts::table.find(gift_id))
                .set(gifts::rejected.eq(!was))
                .execute(conn)?;
            Ok(Some(!was))
        }))?)
    }
}
