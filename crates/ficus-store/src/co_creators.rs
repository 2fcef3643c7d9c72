//! Co-creators: invitations that put a pseud on a work's byline only once
//! its account accepts.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::bylines::BylineHelpers;
use crate::conn::WriteTransaction;
use crate::schema::{creator_invitations, creators, pseuds, users, work_creators, works};
use crate::{Store, StoreError};

/// An invitation as its invitee sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub work_id: i64,
    pub work_title: String,
    pub pseud_id: i64,
    pub pseud_name: String,
}

impl Store {
    /// The default pseud of the account with this login, if any.
    pub fn default_pseud_of(&self, login: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        Ok(with_conn!(self, |conn| pseuds::table
            .inner_join(users::table)
            .filter(users::login_key.eq(&key))
            .filter(pseuds::is_default.eq(true))
            .select((pseuds::id, users::id))
            .first(conn)
            .optional()?))
    }

    /// Invites a pseud to co-create a work (idempotent; a pseud already on
    /// the byline is not invited).
    pub fn invite_co_creator(
        &self,
        work_id: i64,
        pseud_id: i64,
        invited_by: i64,
    ) -> Result<(), StoreError> {
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| conn.write_transaction(
            |conn| conn.invite_co_creator(work_id, pseud_id, invited_by, now)
        ))?;
        Ok(())
    }

    /// Open invitations to any of an account's pseuds.
    pub fn invitations_for(&self, user_id: i64) -> Result<Vec<Invitation>, StoreError> {
        let rows: Vec<(i64, String, i64, String)> =
            with_conn!(self, |conn| creator_invitations::table
                .inner_join(works::table)
                .inner_join(pseuds::table)
                .filter(pseuds::user_id.eq(user_id))
                .order(creator_invitations::created_at.asc())
                .select((works::id, works::title, pseuds::id, pseuds::name))
                .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(work_id, work_title, pseud_id, pseud_name)| Invitation {
                work_id,
                work_title,
                pseud_id,
                pseud_name,
            })
            .collect())
    }

    /// Accepts (the pseud joins the byline) or declines an invitation of
    /// one of `user_id`'s pseuds. False when there is no such invitation.
    pub fn answer_invitation(
        &self,
        work_id: i64,
        user_id: i64,
        accept: bool,
    ) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let pseud: Option<i64> = creator_invitations::table
                .inner_join(pseuds::table)
                .filter(creator_invitations::work_id.eq(work_id))
                .filter(pseuds::user_id.eq(user_id))
                .select(pseuds::id)
                .first(conn)
                .optional()?;
            let Some(pseud_id) = pseud else {
                return Ok::<_, DieselError>(false);
            };
            diesel::delete(
                creator_invitations::table
                    .filter(creator_invitations::work_id.eq(work_id))
                    .filter(creator_invitations::pseud_id.eq(pseud_id)),
            )
            .execute(conn)?;
            if accept {
                let creator = conn.pseud_creator(pseud_id)?;
                let last: Option<i32> = work_creators::table
                    .filter(work_creators::work_id.eq(work_id))
                    .select(diesel::dsl::max(work_creators::position))
                    .first(conn)?;
                diesel::insert_into(work_creators::table)
                    .values((
                        work_creators::work_id.eq(work_id),
                        work_creators::creator_id.eq(creator),
                        work_creators::position.eq(last.unwrap_or(0) + 1),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
            }
            Ok(true)
        }))?)
    }
}

/// Co-creator helpers on a connection of either backend.
pub(crate) trait CoCreatorHelpers {
    /// Invites a pseud to co-create a work (idempotent; a pseud already on
    /// the byline is not invited).
    fn invite_co_creator(
        &mut self,
        work_id: i64,
        pseud_id: i64,
        invited_by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl CoCreatorHelpers {
        fn invite_co_creator(
            &mut self,
            work_id: i64,
            pseud_id: i64,
            invited_by: i64,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            let on_byline: i64 = work_creators::table
                .inner_join(creators::table)
                .filter(work_creators::work_id.eq(work_id))
                .filter(creators::pseud_id.eq(pseud_id))
                .count()
                .get_result(self)?;
            if on_byline == 0 {
                diesel::insert_into(creator_invitations::table)
                    .values((
                        creator_invitations::work_id.eq(work_id),
                        creator_invitations::pseud_id.eq(pseud_id),
                        creator_invitations::invited_by.eq(invited_by),
                        creator_invitations::created_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(())
        }
    }
}
