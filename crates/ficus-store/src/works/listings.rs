//! Listings in SQL (the front page, creators' pages) and tag lookups.
//! Browsing by tag and search go through the index (`ficus-search`).

use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::tag::tag_key;

use super::{MAX_PER_PAGE, tag_record};
use crate::Store;
use crate::error::StoreError;
use crate::records::{Page, TagRecord, WorkRecord};
use crate::schema::{creators, pseuds, taggings, tags, users, work_creators, works};

/// Which works a listing draws from.
#[derive(Clone, Copy)]
enum ListScope<'a> {
    All,
    /// A creator's works; `own`: the viewer is that account, who also sees
    /// their works in unrevealed and anonymous collections.
    Creators(&'a [i64], bool),
}

impl Store {
    /// Works `viewer` may see, most recently updated first.
    pub fn list_works(
        &self,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        self.list(viewer, ListScope::All, page, per_page)
    }

    /// The byline identity behind `/users/{login}/pseuds/{pseud}`: the
    /// account's pseud when `login` is an account, else the bare
    /// (imported) creator name `pseud`. Returns (creator id, name).
    pub fn creator_for(
        &self,
        login: &str,
        pseud: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        use crate::schema::{pseuds, users};
        let login_key = login.trim().to_ascii_lowercase();
        let pseud_key = tag_key(pseud);
        with_conn!(self, |conn| {
            let user: Option<i64> = users::table
                .filter(users::login_key.eq(&login_key))
                .select(users::id)
                .first(conn)
                .optional()?;
            let found = match user {
                Some(user_id) => creators::table
                    .inner_join(pseuds::table)
                    .filter(pseuds::user_id.eq(user_id))
                    .filter(pseuds::name_key.eq(&pseud_key))
                    .select((creators::id, creators::name))
                    .first(conn)
                    .optional()?,
                None => creators::table
                    .filter(creators::name_key.eq(&pseud_key))
                    .filter(creators::pseud_id.is_null())
                    .select((creators::id, creators::name))
                    .first(conn)
                    .optional()?,
            };
            Ok(found)
        })
    }

    /// Works by one creator that `viewer` may see, most recently updated first.
    pub fn list_works_by_creator(
        &self,
        creator_id: i64,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        self.list(
            viewer,
            ListScope::Creators(&[creator_id], false),
            page,
            per_page,
        )
    }

    /// The account with this login (its spelling as stored) and the byline
    /// entries of all its pseuds; `None` when there is no such account.
    pub fn account_creators(&self, login: &str) -> Result<Option<(String, Vec<i64>)>, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        Ok(with_conn!(self, |conn| {
            let user: Option<(i64, String)> = users::table
                .filter(users::login_key.eq(&key))
                .select((users::id, users::login))
                .first(conn)
                .optional()?;
            match user {
                Some((id, login)) => {
                    let creators: Vec<i64> = creators::table
                        .inner_join(pseuds::table)
                        .filter(pseuds::user_id.eq(id))
                        .select(creators::id)
                        .load(conn)?;
                    Some((login, creators))
                }
                None => None,
            }
        }))
    }

    /// The byline entries a creator's listing covers: every pseud of the
    /// account with this login (possibly none yet), or — when no account
    /// has it — the imported names (not pseuds) spelled this way; `None`
    /// when neither exists. Orphaned works are under `orphan_account`, so
    /// they are not found by their old name.
    pub fn creator_listing_ids(&self, login: &str) -> Result<Option<Vec<i64>>, StoreError> {
        if let Some((_, ids)) = self.account_creators(login)? {
            return Ok(Some(ids));
        }
        let key = ficus_core::tag::tag_key(login);
        let names: Vec<i64> = with_conn!(self, |conn| creators::table
            .filter(creators::name_key.eq(&key))
            .filter(creators::pseud_id.is_null())
            .select(creators::id)
            .load(conn)?);
        Ok((!names.is_empty()).then_some(names))
    }

    /// Works by any pseud of an account that `viewer` may see, most
    /// recently updated first. `None` when there is no such account.
    pub fn list_works_by_user(
        &self,
        login: &str,
        viewer: Viewer,
        page: u32,
        per_page: u32,
    ) -> Result<Option<(String, Page<WorkRecord>)>, StoreError> {
        let Some((login, creator_ids)) = self.account_creators(login)? else {
            return Ok(None);
        };
        let own = match viewer.user_id() {
            Some(uid) => self
                .user_for_login(&login)?
                .is_some_and(|(u, _)| u.id == uid),
            None => false,
        };
        let page = self.list(
            viewer,
            ListScope::Creators(&creator_ids, own),
            page,
            per_page,
        )?;
        Ok(Some((login, page)))
    }

    /// Tags of any type whose name matches `name` case-insensitively.
    pub fn tags_named(&self, name: &str) -> Result<Vec<TagRecord>, StoreError> {
        let key = tag_key(name);
        let rows: Vec<(i64, String, String)> = with_conn!(self, |conn| tags::table
            .filter(tags::name_key.eq(&key))
            .select((tags::id, tags::tag_type, tags::name))
            .order(tags::id.asc())
            .load(conn)?);
        rows.into_iter()
            .map(|(id, kind, name)| tag_record(id, &kind, name))
            .collect()
    }

    fn list(
        &self,
        viewer: Viewer,
        scope: ListScope<'_>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<WorkRecord>, StoreError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let members = viewer.is_member();
        let (ids, total): (Vec<i64>, i64) = with_conn!(self, |conn| {
            let filtered = || {
                let mut q = works::table
                    .filter(works::posted.eq(true))
                    .filter(works::hidden.eq(false))
                    .into_boxed();
                if !members {
                    q = q.filter(works::restricted.eq(false));
                }
                match scope {
                    ListScope::All | ListScope::Creators(_, false) => {
                        // A mystery to all but its creators; an anonymous
                        // work is never listed under its creator's name.
                        q = q.filter(works::unrevealed.eq(false));
                    }
                    ListScope::Creators(_, true) => {}
                }
                if let ListScope::Creators(_, false) = scope {
                    q = q.filter(works::anonymous.eq(false));
                }
                match scope {
                    ListScope::All => {}
                    ListScope::Creators(creator_ids, _) => {
                        q = q.filter(
                            works::id.eq_any(
                                work_creators::table
                                    .filter(work_creators::creator_id.eq_any(creator_ids.to_vec()))
                                    .select(work_creators::work_id),
                            ),
                        );
                    }
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let ids: Vec<i64> = filtered()
                .order((works::updated_on.desc(), works::id.desc()))
                .select(works::id)
                .limit(i64::from(per_page))
                .offset(offset)
                .load(conn)?;
            Ok::<_, StoreError>((ids, total))
        })?;
        let items = self.works_by_ids(&ids)?;
        Ok(Page {
            items,
            page,
            per_page,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The `limit` most used tags of a type (for suggestions while typing).
    pub fn popular_tags(&self, kind: TagType, limit: i64) -> Result<Vec<String>, StoreError> {
        use diesel::dsl::count_star;
        Ok(with_conn!(self, |conn| tags::table
            .inner_join(taggings::table)
            .filter(tags::tag_type.eq(kind.as_str()))
            .group_by((tags::id, tags::name))
            .select(tags::name)
            .order(count_star().desc())
            .limit(limit)
            .load::<String>(conn)?))
    }

    /// Number of posted works (all visibilities).
    pub fn count_works(&self) -> Result<u64, StoreError> {
        let n: i64 = with_conn!(self, |conn| works::table.count().get_result(conn)?);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
