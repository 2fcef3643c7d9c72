//! Accounts, pseuds and sessions, kept in the database so that several
//! web nodes share them (throttles: `throttles.rs`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use ficus_core::account::{Login, Role};
use serde::Serialize;

use crate::bylines::BylineHelpers;
use crate::conn::WriteTransaction;
use crate::schema::{api_tokens, pseuds, retired_logins, sessions, users};
use crate::{Store, StoreError};

/// A stored account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub login: String,
    pub email: String,
    pub role: Role,
    pub prefs: Preferences,
}

/// Reading preferences of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Preferences {
    /// Never ask "this work could have adult content".
    pub skip_adult: bool,
    /// Open multi-chapter works whole.
    pub full_work: bool,
    /// Hide archive warnings (spoilers) until asked.
    pub hide_warnings: bool,
    /// Hide additional tags until asked.
    pub hide_freeforms: bool,
    /// Guests may not reply to my comments (on works I did not create).
    pub guest_replies_off: bool,
    /// E-mail about comments: each, a daily digest, or none.
    pub comment_mail: ficus_core::mail::MailPref,
    /// E-mail about kudos: a daily digest, or none.
    pub kudos_mail: ficus_core::mail::MailPref,
    /// Keep a reading history ("Turn on History."; on for new accounts).
    pub history: bool,
    /// "Allow anyone to gift me works." (off for new accounts).
    pub allow_gifts: bool,
    /// E-mail about gift exchange assignments: each, or none.
    pub challenge_mail: ficus_core::mail::MailPref,
}

type UserRow = (
    i64,
    String,
    String,
    String,
    (
        bool,
        bool,
        bool,
        bool,
        bool,
        String,
        String,
        bool,
        bool,
        String,
    ),
);

fn user_record(row: UserRow) -> UserRecord {
    let (
        id,
        login,
        email,
        role,
        (
            skip_adult,
            full_work,
            hide_warnings,
            hide_freeforms,
            guest_replies_off,
            comment_mail,
            kudos_mail,
            history,
            allow_gifts,
            challenge_mail,
        ),
    ) = row;
    UserRecord {
        id,
        login,
        email,
        role: Role::parse(&role).unwrap_or_default(),
        prefs: Preferences {
            skip_adult,
            full_work,
            hide_warnings,
            hide_freeforms,
            guest_replies_off,
            comment_mail: ficus_core::mail::MailPref::parse(&comment_mail).unwrap_or_default(),
            kudos_mail: ficus_core::mail::MailPref::parse(&kudos_mail)
                .unwrap_or(ficus_core::mail::MailPref::Daily),
            history,
            allow_gifts,
            challenge_mail: ficus_core::mail::MailPref::parse(&challenge_mail).unwrap_or_default(),
        },
    }
}

/// The columns a [`UserRecord`] is read from.
type UserColumns = (
    users::id,
    users::login,
    users::email,
    users::role,
    (
        users::pref_skip_adult,
        users::pref_full_work,
        users::pref_hide_warnings,
        users::pref_hide_freeforms,
        users::pref_guest_replies_off,
        users::pref_comment_mail,
        users::pref_kudos_mail,
        users::pref_history,
        users::pref_allow_gifts,
        users::pref_challenge_mail,
    ),
);
const USER_COLUMNS: UserColumns = (
    users::id,
    users::login,
    users::email,
    users::role,
    (
        users::pref_skip_adult,
        users::pref_full_work,
        users::pref_hide_warnings,
        users::pref_hide_freeforms,
        users::pref_guest_replies_off,
        users::pref_comment_mail,
        users::pref_kudos_mail,
        users::pref_history,
        users::pref_allow_gifts,
        users::pref_challenge_mail,
    ),
);

/// Typed helpers on a connection of either backend.
pub(crate) trait SessionHelpers {
    /// See [`Store::session_user`].
    fn session_user_on(
        &mut self,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<UserRecord>>;
}

impl_for_both_backends! {
    impl SessionHelpers {
        fn session_user_on(
            &mut self,
            token_hash: &str,
            now: NaiveDateTime,
        ) -> QueryResult<Option<UserRecord>> {
            let row: Option<UserRow> = sessions::table
                .inner_join(users::table)
                .filter(sessions::token_hash.eq(token_hash))
                .filter(sessions::expires_at.gt(now))
                .select(USER_COLUMNS)
                .first(self)
                .optional()?;
            Ok(row.map(user_record))
        }
    }
}

impl Store {
    /// Creates an account with its default pseud (named like the login).
    /// A login or e-mail already in use (case-insensitively) is
    /// [`StoreError::Taken`].
    pub fn create_user(
        &self,
        login: &Login,
        email: &str,
        password_hash: &str,
        role: Role,
        now: NaiveDateTime,
    ) -> Result<UserRecord, StoreError> {
        let login_key = login.key();
        let email_key = email.to_lowercase();
        let result = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let taken_login: i64 = users::table
                .filter(users::login_key.eq(&login_key))
                .count()
                .get_result(conn)?;
            // A deleted account's login is kept out of sign-up for a while.
            let retired: i64 = retired_logins::table
                .filter(retired_logins::login_key.eq(&login_key))
                .filter(retired_logins::retired_until.gt(now))
                .count()
                .get_result(conn)?;
            if taken_login > 0 || retired > 0 {
                return Ok(Err("user name"));
            }
            let taken_email: i64 = users::table
                .filter(users::email_key.eq(&email_key))
                .count()
                .get_result(conn)?;
            if taken_email > 0 {
                return Ok(Err("e-mail address"));
            }
            let id: i64 = diesel::insert_into(users::table)
                .values((
                    users::login.eq(login.as_str()),
                    users::login_key.eq(&login_key),
                    users::email.eq(email),
                    users::email_key.eq(&email_key),
                    users::password_hash.eq(password_hash),
                    users::role.eq(role.as_str()),
                    users::created_at.eq(now),
                ))
                .returning(users::id)
                .get_result(conn)?;
            diesel::insert_into(pseuds::table)
                .values((
                    pseuds::user_id.eq(id),
                    pseuds::name.eq(login.as_str()),
                    pseuds::name_key.eq(&login_key),
                    pseuds::is_default.eq(true),
                ))
                .execute(conn)?;
            Ok::<_, DieselError>(Ok(id))
        }));
        match result {
            Ok(Ok(id)) => Ok(UserRecord {
                id,
                login: login.to_string(),
                email: email.to_string(),
                role,
                prefs: Preferences::default(),
            }),
            Ok(Err(what)) => Err(StoreError::Taken(what)),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Err(StoreError::Taken("user name or e-mail address"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The account with this login (case-insensitively) and its password hash.
    pub fn user_for_login(&self, login: &str) -> Result<Option<(UserRecord, String)>, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        let row: Option<(UserRow, String)> = with_conn!(self, |conn| users::table
            .filter(users::login_key.eq(&key))
            .select((USER_COLUMNS, users::password_hash))
            .first(conn)
            .optional()?);
        Ok(row.map(|(u, hash)| (user_record(u), hash)))
    }

    /// An account's pseuds: (id, name), the default first.
    pub fn pseuds_of(&self, user_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_conn!(self, |conn| pseuds::table
            .filter(pseuds::user_id.eq(user_id))
            .order((pseuds::is_default.desc(), pseuds::id.asc()))
            .select((pseuds::id, pseuds::name))
            .load(conn)?))
    }

    /// Changes an account's role; false when no such account.
    pub fn set_role(&self, login: &str, role: Role) -> Result<bool, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        let n = with_conn!(self, |conn| diesel::update(
            users::table.filter(users::login_key.eq(&key))
        )
        .set(users::role.eq(role.as_str()))
        .execute(conn)?);
        Ok(n > 0)
    }

    /// Stores a session (by the hash of its token).
    pub fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: NaiveDateTime,
        expires_at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        with_conn!(self, |conn| diesel::insert_into(sessions::table)
            .values((
                sessions::token_hash.eq(token_hash),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(now),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?);
        Ok(())
    }

    /// The account a live session belongs to.
    pub fn session_user(
        &self,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> Result<Option<UserRecord>, StoreError> {
        Ok(with_conn!(self, |conn| conn.session_user_on(token_hash, now)?))
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        with_conn!(self, |conn| diesel::delete(
            sessions::table.filter(sessions::token_hash.eq(token_hash))
        )
        .execute(conn)?);
        Ok(())
    }
}

impl Store {
    /// Moves a work from `user_id` to the orphan account: each of the
    /// user's pseuds on the byline becomes an orphan-account pseud of the
    /// same name (`keep_names`) or the anonymous `orphan_account` pseud.
    /// Other creators stay. False when the user is not on the byline.
    pub fn orphan_work(
        &self,
        work_id: i64,
        user_id: i64,
        keep_names: bool,
    ) -> Result<bool, StoreError> {
        use crate::schema::{creators, work_creators};
        use ficus_core::account::ORPHAN_LOGIN;
        let now = chrono::Utc::now().naive_utc();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // The orphan account, made on first use; its password hash is
            // not a hash, so nobody can log in as it.
            let orphan: Option<i64> = users::table
                .filter(users::login_key.eq(ORPHAN_LOGIN))
                .select(users::id)
                .first(conn)
                .optional()?;
            let orphan = match orphan {
                Some(id) => id,
                None => {
                    let id: i64 = diesel::insert_into(users::table)
                        .values((
                            users::login.eq(ORPHAN_LOGIN),
                            users::login_key.eq(ORPHAN_LOGIN),
                            users::email.eq("orphan_account@localhost.invalid"),
                            users::email_key.eq("orphan_account@localhost.invalid"),
                            users::password_hash.eq("!"),
                            users::role.eq(Role::User.as_str()),
                            users::created_at.eq(now),
                        ))
                        .returning(users::id)
                        .get_result(conn)?;
                    diesel::insert_into(pseuds::table)
                        .values((
                            pseuds::user_id.eq(id),
                            pseuds::name.eq(ORPHAN_LOGIN),
                            pseuds::name_key.eq(ORPHAN_LOGIN),
                            pseuds::is_default.eq(true),
                        ))
                        .execute(conn)?;
                    id
                }
            };
            // The user's bylines on this work: (creator id, pseud name).
            let mine: Vec<(i64, String)> = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(work_creators::work_id.eq(work_id))
                .filter(pseuds::user_id.eq(user_id))
                .select((creators::id, pseuds::name))
                .load(conn)?;
            if mine.is_empty() {
                return Ok::<_, DieselError>(false);
            }
            for (old_creator, name) in mine {
                let name = if keep_names {
                    name
                } else {
                    ORPHAN_LOGIN.to_string()
                };
                let key = name.to_lowercase();
                let pseud: Option<i64> = pseuds::table
                    .filter(pseuds::user_id.eq(orphan))
                    .filter(pseuds::name_key.eq(&key))
                    .select(pseuds::id)
                    .first(conn)
                    .optional()?;
                let pseud = match pseud {
                    Some(p) => p,
                    None => diesel::insert_into(pseuds::table)
                        .values((
                            pseuds::user_id.eq(orphan),
                            pseuds::name.eq(&name),
                            pseuds::name_key.eq(&key),
                            pseuds::is_default.eq(false),
                        ))
                        .returning(pseuds::id)
                        .get_result(conn)?,
                };
                let creator = conn.pseud_creator(pseud)?;
                conn.move_byline(work_id, old_creator, creator)?;
            }
            Ok(true)
        }))?)
    }
}

impl Store {
    /// The account with this id.
    pub fn user(&self, id: i64) -> Result<Option<(UserRecord, String)>, StoreError> {
        let row: Option<(UserRow, String)> = with_conn!(self, |conn| users::table
            .find(id)
            .select((USER_COLUMNS, users::password_hash))
            .first(conn)
            .optional()?);
        Ok(row.map(|(u, hash)| (user_record(u), hash)))
    }

    /// Replaces an account's password hash, ends every session but
    /// `keep_session` (the one that made the change) and revokes every
    /// personal API token (whoever knew the old password may have made one).
    pub fn set_password_hash(
        &self,
        user_id: i64,
        hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            diesel::update(users::table.find(user_id))
                .set(users::password_hash.eq(hash))
                .execute(conn)?;
            let mut q =
                diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).into_boxed();
            if let Some(keep) = keep_session {
                q = q.filter(sessions::token_hash.ne(keep));
            }
            q.execute(conn)?;
            diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id)))
                .execute(conn)?;
            Ok::<_, DieselError>(())
        }))?;
        Ok(())
    }

    /// Changes an account's e-mail address; [`StoreError::Taken`] when
    /// another account uses it.
    pub fn set_email(&self, user_id: i64, email: &str) -> Result<(), StoreError> {
        let key = email.to_lowercase();
        let taken: i64 = with_conn!(self, |conn| users::table
            .filter(users::email_key.eq(&key))
            .filter(users::id.ne(user_id))
            .count()
            .get_result(conn)?);
        if taken > 0 {
            return Err(StoreError::Taken("e-mail address"));
        }
        with_conn!(self, |conn| diesel::update(users::table.find(user_id))
            .set((users::email.eq(email), users::email_key.eq(&key)))
            .execute(conn)?);
        Ok(())
    }

    /// Saves an account's reading preferences.
    pub fn set_preferences(&self, user_id: i64, prefs: Preferences) -> Result<(), StoreError> {
        with_conn!(self, |conn| diesel::update(users::table.find(user_id))
            .set((
                users::pref_skip_adult.eq(prefs.skip_adult),
                users::pref_full_work.eq(prefs.full_work),
                users::pref_hide_warnings.eq(prefs.hide_warnings),
                users::pref_hide_freeforms.eq(prefs.hide_freeforms),
                users::pref_guest_replies_off.eq(prefs.guest_replies_off),
                users::pref_comment_mail.eq(prefs.comment_mail.as_str()),
                users::pref_kudos_mail.eq(prefs.kudos_mail.as_str()),
                users::pref_history.eq(prefs.history),
                users::pref_allow_gifts.eq(prefs.allow_gifts),
                users::pref_challenge_mail.eq(prefs.challenge_mail.as_str()),
            ))
            .execute(conn)?);
        Ok(())
    }

    /// Deletes an account. Its works are orphaned (`orphan_works`, keeping
    /// pseud names) or deleted; on co-created works only its byline goes.
    pub fn delete_user(&self, user_id: i64, orphan_works: bool) -> Result<(), StoreError> {
        use crate::schema::{creators, work_creators};
        // Works with this account on the byline, and whether it is the only account there.
        let rows: Vec<(i64, Option<i64>)> = with_conn!(self, |conn| {
            let mine: Vec<i64> = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(pseuds::user_id.eq(user_id))
                .select(work_creators::work_id)
                .load(conn)?;
            work_creators::table
                .inner_join(creators::table.left_join(pseuds::table))
                .filter(work_creators::work_id.eq_any(&mine))
                .select((work_creators::work_id, pseuds::user_id.nullable()))
                .load(conn)?
        });
        let mut works: Vec<i64> = rows.iter().map(|(w, _)| *w).collect();
        works.sort_unstable();
        works.dedup();
        for work in works {
            let shared = rows.iter().any(|(w, u)| *w == work && *u != Some(user_id));
            if orphan_works {
                self.orphan_work(work, user_id, true)?;
            } else if shared {
                with_conn!(self, |conn| {
                    let mine: Vec<i64> = creators::table
                        .inner_join(pseuds::table)
                        .filter(pseuds::user_id.eq(user_id))
                        .select(creators::id)
                        .load(conn)?;
                    diesel::delete(
                        work_creators::table
                            .filter(work_creators::work_id.eq(work))
                            .filter(work_creators::creator_id.eq_any(&mine)),
                    )
                    .execute(conn)?
                });
            } else {
                self.delete_work(work)?;
            }
        }
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            // Its byline identities are on no work now; drop them with it.
            let pseud_ids: Vec<i64> = pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .select(pseuds::id)
                .load(conn)?;
            diesel::delete(creators::table.filter(creators::pseud_id.eq_any(&pseud_ids)))
                .execute(conn)?;
            // Keep the login out of sign-up for a while (impersonation).
            let login_key: Option<String> = users::table
                .find(user_id)
                .select(users::login_key)
                .first(conn)
                .optional()?;
            if let Some(key) = login_key {
                let until = chrono::Utc::now().naive_utc()
                    + chrono::Duration::days(ficus_core::account::RETIRED_LOGIN_DAYS);
                diesel::insert_into(retired_logins::table)
                    .values((
                        retired_logins::login_key.eq(&key),
                        retired_logins::retired_until.eq(until),
                    ))
                    .on_conflict(retired_logins::login_key)
                    .do_update()
                    .set(retired_logins::retired_until.eq(until))
                    .execute(conn)?;
            }
            use crate::schema::{bookmarks, works};
            // Its public bookmarks go with it (one per work): their works'
            // public counts drop by one each.
            let bookmarked = bookmarks::table
                .filter(bookmarks::user_id.eq(user_id))
                .filter(bookmarks::private.eq(false))
                .filter(bookmarks::hidden_by_admin.eq(false))
                .filter(bookmarks::work_id.is_not_null())
                .select(bookmarks::work_id.assume_not_null());
            diesel::update(works::table.filter(works::id.eq_any(bookmarked)))
                .set(works::bookmarks_count.eq(works::bookmarks_count - 1))
                .execute(conn)?;
            diesel::delete(users::table.find(user_id)).execute(conn)?;
            Ok::<_, DieselError>(())
        }))?;
        Ok(())
    }
}

/// A pseud as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PseudRecord {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub is_default: bool,
}

impl Store {
    /// An account's pseuds with descriptions, the default first.
    pub fn pseud_records(&self, user_id: i64) -> Result<Vec<PseudRecord>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, bool)> = with_conn!(self, |conn| pseuds::table
            .filter(pseuds::user_id.eq(user_id))
            .order((pseuds::is_default.desc(), pseuds::id.asc()))
            .select((
                pseuds::id,
                pseuds::name,
                pseuds::description,
                pseuds::is_default
            ))
            .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(id, name, description, is_default)| PseudRecord {
                id,
                name,
                description,
                is_default,
            })
            .collect())
    }

    /// Adds a pseud; [`StoreError::Taken`] when the account has one of that name.
    pub fn create_pseud(
        &self,
        user_id: i64,
        name: &str,
        description: Option<&str>,
    ) -> Result<i64, StoreError> {
        let key = name.to_lowercase();
        let result = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let taken: i64 = pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .filter(pseuds::name_key.eq(&key))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Ok::<_, DieselError>(None);
            }
            diesel::insert_into(pseuds::table)
                .values((
                    pseuds::user_id.eq(user_id),
                    pseuds::name.eq(name),
                    pseuds::name_key.eq(&key),
                    pseuds::description.eq(description),
                    pseuds::is_default.eq(false),
                ))
                .returning(pseuds::id)
                .get_result(conn)
                .map(Some)
        }))?;
        result.ok_or(StoreError::Taken("pseud name"))
    }

    /// Renames a pseud and sets its description; bylines follow the new
    /// name. False when the pseud is not the account's.
    pub fn update_pseud(
        &self,
        user_id: i64,
        pseud_id: i64,
        name: &str,
        description: Option<&str>,
    ) -> Result<bool, StoreError> {
        use crate::schema::creators;
        let key = name.to_lowercase();
        let result = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let mine: i64 = pseuds::table
                .filter(pseuds::id.eq(pseud_id))
                .filter(pseuds::user_id.eq(user_id))
                .count()
                .get_result(conn)?;
            if mine == 0 {
                return Ok::<_, DieselError>(Some(false));
            }
            let clash: i64 = pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .filter(pseuds::name_key.eq(&key))
                .filter(pseuds::id.ne(pseud_id))
                .count()
                .get_result(conn)?;
            if clash > 0 {
                return Ok(None);
            }
            diesel::update(pseuds::table.find(pseud_id))
                .set((
                    pseuds::name.eq(name),
                    pseuds::name_key.eq(&key),
                    pseuds::description.eq(description),
                ))
                .execute(conn)?;
            diesel::update(creators::table.filter(creators::pseud_id.eq(pseud_id)))
                .set((creators::name.eq(name), creators::name_key.eq(&key)))
                .execute(conn)?;
            Ok(Some(true))
        }))?;
        result.ok_or(StoreError::Taken("pseud name"))
    }
}

/// A personal API token as its owner sees it (the token itself is shown
/// once, when made; only its sha256 is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

/// Most personal API tokens one account may hold.
pub const MAX_API_TOKENS: i64 = 20;

impl Store {
    /// Stores a new API token for `user_id` by its hash. Fails with
    /// [`StoreError::Limit`] when the account already has
    /// [`MAX_API_TOKENS`].
    pub fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        let id: Option<i64> = with_conn!(self, |conn| conn.write_transaction(|conn| {
            let held: i64 = api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .count()
                .get_result(conn)?;
            if held >= MAX_API_TOKENS {
                return Ok::<_, DieselError>(None);
            }
            let id: i64 = diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(user_id),
                    api_tokens::name.eq(name),
                    api_tokens::token_hash.eq(token_hash),
                    api_tokens::created_at.eq(now),
                ))
                .returning(api_tokens::id)
                .get_result(conn)?;
            Ok(Some(id))
        })?);
        id.ok_or(StoreError::Limit("API tokens"))
    }

    /// The API tokens of `user_id`, newest first.
    pub fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows: Vec<(i64, String, NaiveDateTime, Option<NaiveDateTime>)> =
            with_conn!(self, |conn| api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .order(api_tokens::id.desc())
                .select((
                    api_tokens::id,
                    api_tokens::name,
                    api_tokens::created_at,
                    api_tokens::last_used_at,
                ))
                .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_used_at)| ApiTokenRecord {
                id,
                name,
                created_at,
                last_used_at,
            })
            .collect())
    }

    /// Revokes one of `user_id`'s tokens. False when they have no such token.
    pub fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, StoreError> {
        let n = with_conn!(self, |conn| diesel::delete(
            api_tokens::table
                .filter(api_tokens::id.eq(token_id))
                .filter(api_tokens::user_id.eq(user_id))
        )
        .execute(conn)?);
        Ok(n > 0)
    }

    /// The account an API token (by hash) belongs to, noting its use
    /// (at most once a minute, to spare the database).
    pub fn api_token_user(
        &self,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<(UserRow, i64, Option<NaiveDateTime>)> =
            with_conn!(self, |conn| api_tokens::table
                .inner_join(users::table)
                .filter(api_tokens::token_hash.eq(token_hash))
                .select((USER_COLUMNS, api_tokens::id, api_tokens::last_used_at))
                .first(conn)
                .optional()?);
        let Some((user, token_id, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|t| (now - t).num_seconds() >= 60) {
            with_conn!(self, |conn| diesel::update(
                api_tokens::table.find(token_id)
            )
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)?);
        }
        Ok(Some(user_record(user)))
    }
}
