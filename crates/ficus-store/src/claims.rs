//! Claim links (imported works → an account's pseud), sign-up invitation
//! codes, and archive-wide settings.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::bylines::BylineHelpers;
use crate::conn::WriteTransaction;
use crate::schema::{claims, creators, invitation_codes, pseuds, settings, work_creators};
use crate::{Store, StoreError};

/// The setting that makes sign-ups need an invitation code.
pub const SIGNUPS_SETTING: &str = "signups";

impl Store {
    /// The bare (imported) creator with this name: (id, name, works).
    pub fn unclaimed_creator(&self, name: &str) -> Result<Option<(i64, String, i64)>, StoreError> {
        let key = ficus_core::tag::tag_key(name);
        Ok(with_conn!(self, |conn| {
            let found: Option<(i64, String)> = creators::table
                .filter(creators::name_key.eq(&key))
                .filter(creators::pseud_id.is_null())
                .select((creators::id, creators::name))
                .first(conn)
                .optional()?;
            match found {
                Some((id, name)) => {
                    let works: i64 = work_creators::table
                        .filter(work_creators::creator_id.eq(id))
                        .count()
                        .get_result(conn)?;
                    Some((id, name, works))
                }
                None => None,
            }
        }))
    }

    /// Stores a claim link for a bare creator (by its token's hash).
    pub fn create_claim(&self, token_hash: &str, creator_id: i64) -> Result<(), StoreError> {
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| diesel::insert_into(claims::table)
            .values((
                claims::token_hash.eq(token_hash),
                claims::creator_id.eq(creator_id),
                claims::created_at.eq(now)
            ))
            .execute(conn)?);
        Ok(())
    }

    /// An unused claim: (creator id, creator name, works).
    pub fn open_claim(&self, token_hash: &str) -> Result<Option<(i64, String, i64)>, StoreError> {
        Ok(with_conn!(self, |conn| {
            let found: Option<(i64, String)> = claims::table
                .inner_join(creators::table)
                .filter(claims::token_hash.eq(token_hash))
                .filter(claims::used_at.is_null())
                .filter(creators::pseud_id.is_null())
                .select((creators::id, creators::name))
                .first(conn)
                .optional()?;
            match found {
                Some((id, name)) => {
                    let works: i64 = work_creators::table
                        .filter(work_creators::creator_id.eq(id))
                        .count()
                        .get_result(conn)?;
                    Some((id, name, works))
                }
                None => None,
            }
        }))
    }

    /// Uses a claim: every work of the bare creator moves to `pseud_id`
    /// (which must be `user_id`'s). Returns the number of works, or `None`
    /// when the claim is used, unknown, or the pseud not the account's.
    pub fn redeem_claim(
        &self,
        token_hash: &str,
        user_id: i64,
        pseud_id: i64,
    ) -> Result<Option<usize>, StoreError> {
        let now = Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let creator: Option<i64> = claims::table
                .filter(claims::token_hash.eq(token_hash))
                .filter(claims::used_at.is_null())
                .select(claims::creator_id)
                .first(conn)
                .optional()?;
            let owns_pseud: Option<i64> = pseuds::table
                .filter(pseuds::id.eq(pseud_id))
                .filter(pseuds::user_id.eq(user_id))
                .select(pseuds::id)
                .first(conn)
                .optional()?;
            let (Some(bare), Some(_)) = (creator, owns_pseud) else {
                return Ok::<_, DieselError>(None);
            };
            let target = conn.pseud_creator(pseud_id)?;
            let works: Vec<i64> = work_creators::table
                .filter(work_creators::creator_id.eq(bare))
                .select(work_creators::work_id)
                .load(conn)?;
            for &work in &works {
                conn.move_byline(work, bare, target)?;
            }
            diesel::update(claims::table.filter(claims::token_hash.eq(token_hash)))
                .set(claims::used_at.eq(now))
                .execute(conn)?;
            Ok(Some(works.len()))
        }))?)
    }

    /// An archive setting.
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(with_conn!(self, |conn| settings::table
            .find(name)
            .select(settings::value)
            .first(conn)
            .optional()?))
    }

    /// An archive setting, set to `make()` first when it has none (the
    /// first caller's value wins, also between nodes racing).
    pub fn setting_or_init(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, StoreError> {
        if let Some(value) = self.setting(name)? {
            return Ok(value);
        }
        let value = make();
        with_conn!(self, |conn| diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(&value)))
            .on_conflict(settings::name)
            .do_nothing()
            .execute(conn)?);
        self.setting(name)?
            .ok_or_else(|| StoreError::Corrupt(format!("setting {name} vanished")))
    }

    /// Sets an archive setting.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        with_conn!(self, |conn| diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .on_conflict(settings::name)
            .do_update()
            .set(settings::value.eq(value))
            .execute(conn)?);
        Ok(())
    }

    /// Stores a new invitation code (by its hash).
    pub fn create_invitation_code(&self, code_hash: &str) -> Result<(), StoreError> {
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| diesel::insert_into(invitation_codes::table)
            .values((
                invitation_codes::code_hash.eq(code_hash),
                invitation_codes::created_at.eq(now)
            ))
            .execute(conn)?);
        Ok(())
    }

    /// Whether an unused invitation code with this hash exists.
    pub fn invitation_code_open(&self, code_hash: &str) -> Result<bool, StoreError> {
        let n: i64 = with_conn!(self, |conn| invitation_codes::table
            .filter(invitation_codes::code_hash.eq(code_hash))
            .filter(invitation_codes::used_at.is_null())
            .count()
            .get_result(conn)?);
        Ok(n > 0)
    }

    /// Marks an invitation code used by an account; false if it was used
    /// already (two sign-ups racing for one code: one wins).
    pub fn use_invitation_code(&self, code_hash: &str, user_id: i64) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        let n = with_conn!(self, |conn| diesel::update(
            invitation_codes::table
                .filter(invitation_codes::code_hash.eq(code_hash))
                .filter(invitation_codes::used_at.is_null())
        )
        .set((
            invitation_codes::used_by.eq(user_id),
            invitation_codes::used_at.eq(now)
        ))
        .execute(conn)?);
        Ok(n > 0)
    }
}
