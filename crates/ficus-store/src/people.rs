//! Blocked and muted accounts as stored (`blocked_users`, `muted_users`):
//! one row per pair, at most [`MAX_PER_LIST`] per account, checked in the
//! write transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::people::{MAX_PER_LIST, PeopleRefusal, Relation};

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{blocked_users, creators, muted_users, pseuds, users};

/// Runs `$body` with `$table` bound to the relation's table module.
macro_rules! on_table {
    ($relation:expr, $table:ident, $body:expr) => {
        match $relation {
            Relation::Block => {
                use crate::schema::blocked_users as $table;
                $body
            }
            Relation::Mute => {
                use crate::schema::muted_users as $table;
                $body
            }
        }
    };
}

impl Store {
    /// Adds (or, with `on` false, removes) the account `login` to
    /// `user_id`'s list, in one write transaction. `Ok(Err(_))` is a
    /// refusal: yourself, no such account, the list is full.
    pub fn set_related(
        &self,
        relation: Relation,
        user_id: i64,
        login: &str,
        on: bool,
        now: NaiveDateTime,
    ) -> Result<Result<(), PeopleRefusal>, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let other: Option<i64> = users::table
                .filter(users::login_key.eq(&key))
                .select(users::id)
                .first(conn)
                .optional()?;
            let Some(other) = other else {
                return Ok::<_, diesel::result::Error>(Err(PeopleRefusal::NoSuchAccount(
                    login.trim().to_string(),
                )));
            };
            if other == user_id {
                return Ok(Err(PeopleRefusal::Yourself(relation.verb())));
            }
            on_table!(relation, t, {
                if !on {
                    diesel::delete(
                        t::table
                            .filter(t::user_id.eq(user_id))
                            .filter(t::other_id.eq(other)),
                    )
                    .execute(conn)?;
                    return Ok(Ok(()));
                }
                let held: i64 = t::table
                    .filter(t::user_id.eq(user_id))
                    .count()
                    .get_result(conn)?;
                if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_PER_LIST {
                    return Ok(Err(PeopleRefusal::Full {
                        verb: relation.verb(),
                    }));
                }
                diesel::insert_into(t::table)
                    .values((
                        t::user_id.eq(user_id),
                        t::other_id.eq(other),
                        t::created_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                Ok(Ok(()))
            })
        }))?)
    }

    /// The accounts on `user_id`'s list: (id, login), by login.
    pub fn related(
        &self,
        relation: Relation,
        user_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_conn!(self, |conn| on_table!(relation, t, {
            t::table
                .inner_join(users::table.on(users::id.eq(t::other_id)))
                .filter(t::user_id.eq(user_id))
                .order(users::login_key.asc())
                .select((users::id, users::login))
                .load(conn)?
        })))
    }

    /// The byline entries (creator ids) of every account `user_id` has
    /// blocked or muted: their works are left out of what `user_id` sees.
    pub fn creators_of_related(&self, user_id: i64) -> Result<Vec<i64>, StoreError> {
        let blocked = blocked_users::table
            .filter(blocked_users::user_id.eq(user_id))
            .select(blocked_users::other_id);
        let muted = muted_users::table
            .filter(muted_users::user_id.eq(user_id))
            .select(muted_users::other_id);
        Ok(with_conn!(self, |conn| creators::table
            .inner_join(pseuds::table)
            .filter(
                pseuds::user_id
                    .eq_any(blocked)
                    .or(pseuds::user_id.eq_any(muted)),
            )
            .select(creators::id)
            .load(conn)?))
    }

    /// Whether any of `owners` has blocked `user_id`.
    pub fn blocked_by_any(&self, user_id: i64, owners: &[i64]) -> Result<bool, StoreError> {
        if owners.is_empty() {
            return Ok(false);
        }
        let n: i64 = with_conn!(self, |conn| blocked_users::table
            .filter(blocked_users::other_id.eq(user_id))
            .filter(blocked_users::user_id.eq_any(owners))
            .count()
            .get_result(conn)?);
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestStore;

    #[test]
    fn lists_refuse_yourself_and_strangers() {
        for store in TestStore::all() {
            let now = chrono::Utc::now().naive_utc();
            let make = |name: &str| crate::testing::account(&store, name);
            let (ada, bea) = (make("ada"), make("bea"));
            for relation in [Relation::Block, Relation::Mute] {
                assert_eq!(
                    store
                        .set_related(relation, ada.id, "ada", true, now)
                        .expect("s"),
                    Err(PeopleRefusal::Yourself(relation.verb()))
                );
                assert!(matches!(
                    store
                        .set_related(relation, ada.id, "nobody", true, now)
                        .expect("s"),
                    Err(PeopleRefusal::NoSuchAccount(_))
                ));
                assert_eq!(
                    store
                        .set_related(relation, ada.id, " BEA ", true, now)
                        .expect("s"),
                    Ok(())
                );
                assert_eq!(
                    store
                        .set_related(relation, ada.id, "bea", true, now)
                        .expect("twice"),
                    Ok(())
                );
                assert_eq!(
                    store.related(relation, ada.id).expect("list"),
                    vec![(bea.id, "bea".to_string())]
                );
            }
            assert!(store.blocked_by_any(bea.id, &[ada.id]).expect("b"));
            assert!(!store.blocked_by_any(ada.id, &[bea.id]).expect("b"));
            let bea_creators = store.creators_of_related(ada.id).expect("c");
            assert!(bea_creators.is_empty(), "bea has no byline yet");
            store
                .set_related(Relation::Block, ada.id, "bea", false, now)
                .expect("unblock")
                .expect("ok");
            assert!(!store.blocked_by_any(bea.id, &[ada.id]).expect("b"));
        }
    }
}
