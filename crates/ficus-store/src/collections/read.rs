//! Reading collections: one by name with its maintainers, the archive's
//! collections, a maintainer's queue of items, a creator's invitations,
//! and the collections each work is in.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::collections::{Approval, COLLECTIONS_PER_PAGE, Role, Settings};

use super::CollectionHelpers;
use crate::error::StoreError;
use crate::schema::{
    collection_items, collection_participants, collections, creators, pseuds, users, work_creators,
    works,
};
use crate::{Page, Store};

/// A collection as everyone sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CollectionRecord {
    pub id: i64,
    /// The URL name.
    pub name: String,
    pub title: String,
    /// Sanitized HTML (empty: none).
    pub description: String,
    /// Sanitized HTML (empty: none).
    pub intro: String,
    pub settings: Settings,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// (login, role) of everyone who takes part, owner first.
    pub participants: Vec<(String, Role)>,
}

impl CollectionRecord {
    /// The role of account `login`, if any.
    pub fn role_of(&self, login: &str) -> Option<Role> {
        self.participants
            .iter()
            .find(|(l, _)| l == login)
            .map(|(_, r)| *r)
    }
}

/// A collection as a work's page names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CollectionRef {
    pub id: i64,
    /// The URL name.
    pub name: String,
    pub title: String,
}

/// One work in (or on its way into) a collection.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemRecord {
    pub id: i64,
    pub collection_name: String,
    pub collection_title: String,
    pub work_id: i64,
    pub work_title: String,
    pub user_approval: Approval,
    pub collection_approval: Approval,
    pub unrevealed: bool,
    pub anonymous: bool,
    pub created_at: NaiveDateTime,
}

/// Which items a maintainer's queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemsShown {
    /// Waiting for the collection's approval.
    Unreviewed,
    /// In the collection (both approved).
    Approved,
    /// Refused by the collection.
    Rejected,
    /// Invited by the collection, waiting for the creator.
    Invited,
}

type CollectionRow = (
    i64,
    String,
    String,
    String,
    String,
    bool,
    bool,
    bool,
    bool,
    NaiveDateTime,
    NaiveDateTime,
);

macro_rules! collection_columns {
    () => {
        (
            collections::id,
            collections::name,
            collections::title,
            collections::description,
            collections::intro,
            collections::moderated,
            collections::closed,
            collections::unrevealed,
            collections::anonymous,
            collections::created_at,
            collections::updated_at,
        )
    };
}

type ItemRow = (
    i64,
    String,
    String,
    i64,
    String,
    i32,
    i32,
    bool,
    bool,
    NaiveDateTime,
);

macro_rules! item_columns {
    () => {
        (
            collection_items::id,
            collections::name,
            collections::title,
            collection_items::work_id,
            works::title,
            collection_items::user_approval,
            collection_items::collection_approval,
            collection_items::unrevealed,
            collection_items::anonymous,
            collection_items::created_at,
        )
    };
}

fn item(r: ItemRow) -> ItemRecord {
    ItemRecord {
        id: r.0,
        collection_name: r.1,
        collection_title: r.2,
        work_id: r.3,
        work_title: r.4,
        user_approval: Approval::from_code(r.5),
        collection_approval: Approval::from_code(r.6),
        unrevealed: r.7,
        anonymous: r.8,
        created_at: r.9,
    }
}

impl Store {
    /// The collection named `name` (by case), with its participants.
    pub fn collection_by_name(&self, name: &str) -> Result<Option<CollectionRecord>, StoreError> {
        let key = ficus_core::collections::name_key(name);
        let row: Option<CollectionRow> = with_conn!(self, |conn| collections::table
            .filter(collections::name_key.eq(&key))
            .select(collection_columns!())
            .first(conn)
            .optional()?);
        let Some(row) = row else { return Ok(None) };
        Ok(self.assemble_collections(vec![row])?.pop())
    }

    /// Page `page` of the archive's collections, newest first.
    pub fn collections_page(&self, page: u32) -> Result<Page<CollectionRecord>, StoreError> {
        let page = page.max(1);
        let per_page = COLLECTIONS_PER_PAGE;
        let (total, rows): (i64, Vec<CollectionRow>) = with_conn!(self, |conn| {
            let total: i64 = collections::table.count().get_result(conn)?;
            let rows = collections::table
                .order((collections::created_at.desc(), collections::id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select(collection_columns!())
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        Ok(Page {
            items: self.assemble_collections(rows)?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    /// The account's role in the collection, if any.
    pub fn collection_role(
        &self,
        collection_id: i64,
        user_id: i64,
    ) -> Result<Option<Role>, StoreError> {
        Ok(with_conn!(self, |conn| conn.role_in(collection_id, user_id))?)
    }

    fn assemble_collections(
        &self,
        rows: Vec<CollectionRow>,
    ) -> Result<Vec<CollectionRecord>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let people: Vec<(i64, String, String)> = with_conn!(self, |conn| {
            collection_participants::table
                .inner_join(users::table)
                .filter(collection_participants::collection_id.eq_any(&ids))
                .order((
                    collection_participants::collection_id.asc(),
                    collection_participants::created_at.asc(),
                    users::login.asc(),
                ))
                .select((
                    collection_participants::collection_id,
                    users::login,
                    collection_participants::role,
                ))
                .load(conn)?
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut participants: Vec<(String, Role)> = people
                    .iter()
                    .filter(|p| p.0 == r.0)
                    .filter_map(|p| Role::parse(&p.2).map(|role| (p.1.clone(), role)))
                    .collect();
                participants.sort_by_key(|(_, role)| match role {
                    Role::Owner => 0,
                    Role::Moderator => 1,
                    Role::Member => 2,
                });
                CollectionRecord {
                    id: r.0,
                    name: r.1,
                    title: r.2,
                    description: r.3,
                    intro: r.4,
                    settings: Settings {
                        moderated: r.5,
                        closed: r.6,
                        unrevealed: r.7,
                        anonymous: r.8,
                    },
                    created_at: r.9,
                    updated_at: r.10,
                    participants,
                }
            })
            .collect())
    }

    /// A maintainer's queue: the collection's items of one kind, newest
    /// first (the caller checks the viewer maintains the collection).
    pub fn collection_items(
        &self,
        collection_id: i64,
        shown: ItemsShown,
    ) -> Result<Vec<ItemRecord>, StoreError> {
        let (user, coll): (Option<i32>, Option<i32>) = match shown {
            ItemsShown::Unreviewed => (None, Some(Approval::Unreviewed.code())),
            ItemsShown::Approved => (
                Some(Approval::Approved.code()),
                Some(Approval::Approved.code()),
            ),
            ItemsShown::Rejected => (None, Some(Approval::Rejected.code())),
            ItemsShown::Invited => (
                Some(Approval::Unreviewed.code()),
                Some(Approval::Approved.code()),
            ),
        };
        let rows: Vec<ItemRow> = with_conn!(self, |conn| {
            let mut q = collection_items::table
                .inner_join(collections::table)
                .inner_join(works::table)
                .filter(collection_items::collection_id.eq(collection_id))
                .into_boxed();
            if let Some(u) = user {
                q = q.filter(collection_items::user_approval.eq(u));
            } else {
                // Waiting for the collection: the creator's side is theirs
                // (approved), not a pending invitation.
                q = q.filter(collection_items::user_approval.eq(Approval::Approved.code()));
            }
            if let Some(c) = coll {
                q = q.filter(collection_items::collection_approval.eq(c));
            }
            q.order((
                collection_items::created_at.desc(),
                collection_items::id.desc(),
            ))
            .limit(500)
            .select(item_columns!())
            .load(conn)?
        });
        Ok(rows.into_iter().map(item).collect())
    }

    /// The items of account `user_id`'s works, newest first: invitations
    /// waiting for them, and where their works are.
    pub fn user_collection_items(&self, user_id: i64) -> Result<Vec<ItemRecord>, StoreError> {
        let rows: Vec<ItemRow> = with_conn!(self, |conn| {
            let mine = work_creators::table
                .inner_join(creators::table.inner_join(pseuds::table))
                .filter(pseuds::user_id.eq(user_id))
                .select(work_creators::work_id);
            collection_items::table
                .inner_join(collections::table)
                .inner_join(works::table)
                .filter(collection_items::work_id.eq_any(mine))
                .order((
                    collection_items::user_approval.asc(),
                    collection_items::created_at.desc(),
                    collection_items::id.desc(),
                ))
                .limit(500)
                .select(item_columns!())
                .load(conn)?
        });
        Ok(rows.into_iter().map(item).collect())
    }

    /// Whether the collection named `name` takes a new work from its
    /// creator `user_id` (it exists; closed ones only from maintainers).
    pub fn collection_takes_from(
        &self,
        name: &str,
        user_id: i64,
    ) -> Result<Result<(), ficus_core::collections::CollectionRefusal>, StoreError> {
        use ficus_core::collections::{Adder, CollectionRefusal};
        let Some(c) = self.collection_by_name(name)? else {
            return Ok(Err(CollectionRefusal::NoSuchCollection(name.to_string())));
        };
        let role = self.collection_role(c.id, user_id)?;
        Ok(ficus_core::collections::new_item(
            c.settings,
            Adder {
                creator: true,
                role,
            },
            &c.title,
        )
        .map(|_| ()))
    }

    /// Whether work `id` is posted and in an unrevealed collection (a
    /// "Mystery Work" to whoever may not see it).
    pub fn work_is_unrevealed(&self, id: i64) -> Result<bool, StoreError> {
        let n: i64 = with_conn!(self, |conn| works::table
            .filter(works::id.eq(id))
            .filter(works::posted.eq(true))
            .filter(works::hidden.eq(false))
            .filter(works::unrevealed.eq(true))
            .count()
            .get_result(conn)?);
        Ok(n > 0)
    }

    /// How many of a collection's works are not revealed yet.
    pub fn unrevealed_in(&self, collection_id: i64) -> Result<i64, StoreError> {
        Ok(with_conn!(self, |conn| collection_items::table
            .inner_join(works::table)
            .filter(collection_items::collection_id.eq(collection_id))
            .filter(collection_items::user_approval.eq(Approval::Approved.code()))
            .filter(collection_items::collection_approval.eq(Approval::Approved.code()))
            .filter(collection_items::unrevealed.eq(true))
            .filter(works::posted.eq(true))
            .count()
            .get_result(conn)?))
    }

    /// The collections each of `work_ids` is in (both approved), by
    /// title.
    pub fn collections_of_works(
        &self,
        work_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<CollectionRef>>, StoreError> {
        let mut out: HashMap<i64, Vec<CollectionRef>> = HashMap::new();
        for chunk in work_ids.chunks(500) {
            let rows: Vec<(i64, i64, String, String)> = with_conn!(self, |conn| {
                collection_items::table
                    .inner_join(collections::table)
                    .filter(collection_items::work_id.eq_any(chunk))
                    .filter(collection_items::user_approval.eq(Approval::Approved.code()))
                    .filter(collection_items::collection_approval.eq(Approval::Approved.code()))
                    .order(collections::title.asc())
                    .select((
                        collection_items::work_id,
                        collections::id,
                        collections::name,
                        collections::title,
                    ))
                    .load(conn)?
            });
            for (work, id, name, title) in rows {
                out.entry(work)
                    .or_default()
                    .push(CollectionRef { id, name, title });
            }
        }
        Ok(out)
    }
}
