//! Readers' saved exclusions: muted tags and muted creators. The search
//! index applies them inside its query, so counts stay exact.

use diesel::prelude::*;

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::TagRecord;
use crate::schema::{creators, muted_creators, muted_tags, tags};

/// What one account has muted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mutes {
    pub tags: Vec<TagRecord>,
    /// Byline entries: (creator id, name).
    pub creators: Vec<(i64, String)>,
    /// The byline entries of the accounts blocked or muted (their works
    /// are left out too; kept apart from `creators`, which the mutes form
    /// edits).
    pub account_creators: Vec<i64>,
}

impl Mutes {
    /// The muted tag ids.
    pub fn tag_ids(&self) -> Vec<i64> {
        self.tags.iter().map(|t| t.id).collect()
    }

    /// The muted creator ids (the byline entries muted one by one).
    pub fn creator_ids(&self) -> Vec<i64> {
        self.creators.iter().map(|c| c.0).collect()
    }

    /// Every byline entry whose works are left out: those muted one by
    /// one and those of blocked and muted accounts.
    pub fn hidden_creator_ids(&self) -> Vec<i64> {
        let mut ids = self.creator_ids();
        ids.extend(&self.account_creators);
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl Store {
    /// Everything `user_id` has muted.
    pub fn mutes(&self, user_id: i64) -> Result<Mutes, StoreError> {
        let (tag_ids, creator_rows): (Vec<i64>, Vec<(i64, String)>) = with_conn!(self, |conn| {
            let tag_ids: Vec<i64> = muted_tags::table
                .filter(muted_tags::user_id.eq(user_id))
                .select(muted_tags::tag_id)
                .load(conn)?;
            let creator_rows: Vec<(i64, String)> = muted_creators::table
                .inner_join(creators::table)
                .filter(muted_creators::user_id.eq(user_id))
                .select((creators::id, creators::name))
                .order(creators::name_key.asc())
                .load(conn)?;
            (tag_ids, creator_rows)
        });
        let mut tags = self.tags_by_ids(&tag_ids)?;
        crate::wrangling::sort_tags(&mut tags);
        Ok(Mutes {
            tags,
            creators: creator_rows,
            account_creators: self.creators_of_related(user_id)?,
        })
    }

    /// Mutes (or unmutes) the tags and byline entries given for
    /// `user_id`, all in one transaction; ids that do not exist are
    /// skipped.
    pub fn set_muted(
        &self,
        user_id: i64,
        tag_ids: &[i64],
        creator_ids: &[i64],
        muted: bool,
    ) -> Result<(), StoreError> {
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            let tag_ids: Vec<i64> = tags::table
                .filter(tags::id.eq_any(tag_ids))
                .select(tags::id)
                .load(conn)?;
            let creator_ids: Vec<i64> = creators::table
                .filter(creators::id.eq_any(creator_ids))
                .select(creators::id)
                .load(conn)?;
            if muted {
                for &tag_id in &tag_ids {
                    diesel::insert_into(muted_tags::table)
                        .values((
                            muted_tags::user_id.eq(user_id),
                            muted_tags::tag_id.eq(tag_id),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)?;
                }
                for &creator_id in &creator_ids {
                    diesel::insert_into(muted_creators::table)
                        .values((
                            muted_creators::user_id.eq(user_id),
                            muted_creators::creator_id.eq(creator_id),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)?;
                }
            } else {
                diesel::delete(
                    muted_tags::table
                        .filter(muted_tags::user_id.eq(user_id))
                        .filter(muted_tags::tag_id.eq_any(&tag_ids)),
                )
                .execute(conn)?;
                diesel::delete(
                    muted_creators::table
                        .filter(muted_creators::user_id.eq(user_id))
                        .filter(muted_creators::creator_id.eq_any(&creator_ids)),
                )
                .execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        }))?;
        Ok(())
    }

    /// Byline entries by id (unknown ids left out), as (id, name), by name.
    pub fn creators_by_ids(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out: Vec<(i64, String)> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String)> = with_conn!(self, |conn| creators::table
                .filter(creators::id.eq_any(chunk))
                .select((creators::id, creators::name))
                .load(conn)?);
            out.extend(rows);
        }
        out.sort_by_key(|a| (a.1.to_lowercase(), a.0));
        out.dedup();
        Ok(out)
    }

    /// Byline entries named `name` (case-insensitively): bare imported
    /// names and pseuds, plus every pseud of an account with that login.
    pub fn creators_named(&self, name: &str) -> Result<Vec<(i64, String)>, StoreError> {
        use crate::schema::{pseuds, users};
        let key = ficus_core::tag::tag_key(name);
        let login_key = name.trim().to_ascii_lowercase();
        with_conn!(self, |conn| {
            let mut out: Vec<(i64, String)> = creators::table
                .filter(creators::name_key.eq(&key))
                .select((creators::id, creators::name))
                .load(conn)?;
            let of_account: Vec<(i64, String)> = creators::table
                .inner_join(pseuds::table.inner_join(users::table))
                .filter(users::login_key.eq(&login_key))
                .select((creators::id, creators::name))
                .load(conn)?;
            out.extend(of_account);
            out.sort();
            out.dedup();
            Ok(out)
        })
    }
}
