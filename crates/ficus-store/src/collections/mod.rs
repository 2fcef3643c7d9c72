//! Collections as stored: `collections` (URL name unique by case,
//! settings), `collection_participants` (owner, moderators, members) and
//! `collection_items` (a work in a collection, approved by its creator and
//! by the collection). Each action is one transaction; the rules are
//! `ficus_core::collections`. Reads are in `read.rs`.

mod read;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::access::{Viewer, WorkAccess};
use ficus_core::collections::{
    self as rules, Adder, Approval, CollectionDraft, CollectionRefusal, MAX_COLLECTIONS_PER_WORK,
    Role,
};

pub use read::{CollectionRecord, CollectionRef, ItemRecord, ItemsShown};

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::reports::StandingHelpers;
use crate::schema::{collection_items, collection_participants, collections, users, works};
use crate::subscriptions::fanout::FanoutHelpers;
use crate::works::helpers::WorkHelpers;

type Outcome<T> = Result<Result<T, CollectionRefusal>, StoreError>;

/// What happened to one collection of an "add to collections" form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub collection: String,
    pub title: String,
    pub user_approval: Approval,
    pub collection_approval: Approval,
}

/// Typed helpers on a connection of either backend.
pub(crate) trait CollectionHelpers {
    /// The account's role in the collection, if any.
    fn role_in(&mut self, collection_id: i64, user_id: i64) -> QueryResult<Option<Role>>;

    /// Sets `works.unrevealed` and `works.anonymous` of `work_ids` from
    /// their approved items; a work revealed by it is queued for its
    /// subscribers (it told nobody while it was a mystery).
    fn refresh_reveal_flags(&mut self, work_ids: &[i64], now: NaiveDateTime) -> QueryResult<()>;

    /// Reveals collection `cid`'s items (AO3's reveal): `works` clears
    /// their unrevealed flag, `creators` their anonymous flag; the works'
    /// own flags follow.
    fn clear_item_flags(
        &mut self,
        cid: i64,
        works: bool,
        creators: bool,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Adds work `work_id` to the collections `names` as `viewer` (see
    /// [`Store::add_to_collections`]), inside the caller's transaction.
    fn add_items(
        &mut self,
        viewer: Viewer,
        work_id: i64,
        names: &[String],
        now: NaiveDateTime,
    ) -> QueryResult<Result<Vec<Added>, CollectionRefusal>>;
}

impl_for_both_backends! {
    impl CollectionHelpers {
        fn add_items(
            &mut self,
            viewer: Viewer,
            work_id: i64,
            names: &[String],
            now: NaiveDateTime,
        ) -> QueryResult<Result<Vec<Added>, CollectionRefusal>> {
            let Some(user) = viewer.user_id() else {
                return Ok(Err(CollectionRefusal::NotFound));
            };
            let conn = self;
            let parts = conn.load_work_parts(&[work_id])?;
            let Some(row) = parts.0.first() else {
                return Ok(Err(CollectionRefusal::NotFound));
            };
            let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
            let access = WorkAccess {
                posted: row.posted,
                restricted: row.restricted,
                hidden: row.hidden,
                unrevealed: row.unrevealed,
                owners: &owners,
            };
            if !viewer.may_see(&access) {
                return Ok(Err(CollectionRefusal::NotFound));
            }
            if !conn.standing_of(user, now)?.may_act() {
                return Ok(Err(CollectionRefusal::Suspended));
            }
            let held: i64 = collection_items::table
                .filter(collection_items::work_id.eq(work_id))
                .count()
                .get_result(conn)?;
            if held as usize + names.len() > MAX_COLLECTIONS_PER_WORK {
                return Ok(Err(CollectionRefusal::TooMany));
            }
            // Every name is checked before anything is written: one that
            // cannot take the work refuses the whole form.
            let mut planned = Vec::new();
            for name in names {
                type Found = (i64, String, String, bool, bool, bool, bool);
                let found: Option<Found> = collections::table
                    .filter(collections::name_key.eq(rules::name_key(name)))
                    .select((
                        collections::id,
                        collections::name,
                        collections::title,
                        collections::moderated,
                        collections::closed,
                        collections::unrevealed,
                        collections::anonymous,
                    ))
                    .first(conn)
                    .optional()?;
                let Some((cid, cname, title, moderated, closed, unrevealed, anonymous)) = found
                else {
                    return Ok(Err(CollectionRefusal::NoSuchCollection(name.clone())));
                };
                let settings = rules::Settings {
                    moderated,
                    closed,
                    unrevealed,
                    anonymous,
                };
                let adder = Adder {
                    creator: owners.contains(&user),
                    role: conn.role_in(cid, user)?,
                };
                let (user_approval, collection_approval) =
                    match rules::new_item(settings, adder, &title) {
                        Ok(pair) => pair,
                        Err(r) => return Ok(Err(r)),
                    };
                let there: i64 = collection_items::table
                    .filter(collection_items::collection_id.eq(cid))
                    .filter(collection_items::work_id.eq(work_id))
                    .count()
                    .get_result(conn)?;
                if there > 0 || planned.iter().any(|(id, _, _)| *id == cid) {
                    return Ok(Err(CollectionRefusal::AlreadyIn(title)));
                }
                planned.push((
                    cid,
                    (unrevealed, anonymous),
                    Added {
                        collection: cname,
                        title,
                        user_approval,
                        collection_approval,
                    },
                ));
            }
            let mut added = Vec::new();
            for (cid, (unrevealed, anonymous), item) in planned {
                // A racing form may have made the same item a moment ago:
                // the unique index keeps one.
                diesel::insert_into(collection_items::table)
                    .values((
                        collection_items::collection_id.eq(cid),
                        collection_items::work_id.eq(work_id),
                        collection_items::user_approval.eq(item.user_approval.code()),
                        collection_items::collection_approval.eq(item.collection_approval.code()),
                        collection_items::unrevealed.eq(unrevealed),
                        collection_items::anonymous.eq(anonymous),
                        collection_items::added_by.eq(Some(user)),
                        collection_items::created_at.eq(now),
                        collection_items::updated_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                added.push(item);
            }
            conn.refresh_reveal_flags(&[work_id], now)?;
            Ok(Ok(added))
                }

        fn refresh_reveal_flags(&mut self, work_ids: &[i64], now: NaiveDateTime) -> QueryResult<()> {
            for &work in work_ids {
                // The creator's side decides: a work the creator put in a
                // collection is kept secret while the collection has not
                // refused it (a moderated one's approval may come later);
                // a maintainer's invitation hides nothing until accepted.
                let approved = collection_items::table
                    .filter(collection_items::work_id.eq(work))
                    .filter(collection_items::user_approval.eq(Approval::Approved.code()))
                    .filter(collection_items::collection_approval.ne(Approval::Rejected.code()));
                let unrevealed: i64 = approved
                    .filter(collection_items::unrevealed.eq(true))
                    .count()
                    .get_result(self)?;
                let anonymous: i64 = approved
                    .filter(collection_items::anonymous.eq(true))
                    .count()
                    .get_result(self)?;
                let Some((was_unrevealed, was_anonymous, posted)) = works::table
                    .find(work)
                    .select((works::unrevealed, works::anonymous, works::posted))
                    .first::<(bool, bool, bool)>(self)
                    .optional()?
                else {
                    continue;
                };
                let (unrevealed, anonymous) = (unrevealed > 0, anonymous > 0);
                if (unrevealed, anonymous) == (was_unrevealed, was_anonymous) {
                    continue;
                }
                // The comment pages' cache key moves too: a creator's
                // comments are signed differently now.
                // The row's change time moves too: it keys the download
                // cache, whose files name (or do not name) the creators.
                diesel::update(works::table.find(work))
                    .set((
                        works::unrevealed.eq(unrevealed),
                        works::anonymous.eq(anonymous),
                        works::comments_version.eq(works::comments_version + 1),
                        works::updated_at.eq(now),
                    ))
                    .execute(self)?;
                // A draft's subscribers hear of it when it is posted.
                if was_unrevealed && !unrevealed && posted {
                    self.requeue_new_work(work, now)?;
                }
            }
            Ok(())
        }

        fn clear_item_flags(
            &mut self,
            cid: i64,
            works: bool,
            creators: bool,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            if works {
                diesel::update(
                    collection_items::table
                        .filter(collection_items::collection_id.eq(cid))
                        .filter(collection_items::unrevealed.eq(true)),
                )
                .set(collection_items::unrevealed.eq(false))
                .execute(self)?;
            }
            if creators {
                diesel::update(
                    collection_items::table
                        .filter(collection_items::collection_id.eq(cid))
                        .filter(collection_items::anonymous.eq(true)),
                )
                .set(collection_items::anonymous.eq(false))
                .execute(self)?;
            }
            let members: Vec<i64> = collection_items::table
                .filter(collection_items::collection_id.eq(cid))
                .select(collection_items::work_id)
                .load(self)?;
            self.refresh_reveal_flags(&members, now)
        }

        fn role_in(&mut self, collection_id: i64, user_id: i64) -> QueryResult<Option<Role>> {
            let role: Option<String> = collection_participants::table
                .filter(collection_participants::collection_id.eq(collection_id))
                .filter(collection_participants::user_id.eq(user_id))
                .select(collection_participants::role)
                .first(self)
                .optional()?;
            Ok(role.as_deref().and_then(Role::parse))
        }
    }
}

/// The viewer's account, or `NotFound` (guests make no collections).
fn account(viewer: Viewer) -> Result<i64, CollectionRefusal> {
    viewer.user_id().ok_or(CollectionRefusal::NotFound)
}

impl Store {
    /// Makes a collection owned by `viewer`, in one transaction: its name
    /// free (by case), the account in good standing.
    pub fn create_collection(
        &self,
        viewer: Viewer,
        draft: &CollectionDraft,
        now: NaiveDateTime,
    ) -> Outcome<i64> {
        let owner = match account(viewer) {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        let key = rules::name_key(&draft.name);
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            if !conn.standing_of(owner, now)?.may_act() {
                return Ok::<_, diesel::result::Error>(Err(CollectionRefusal::Suspended));
            }
            let s = draft.settings;
            let inserted = diesel::insert_into(collections::table)
                .values((
                    collections::name.eq(&draft.name),
                    collections::name_key.eq(&key),
                    collections::title.eq(&draft.title),
                    collections::description.eq(&draft.description),
                    collections::intro.eq(&draft.intro),
                    collections::owner_id.eq(owner),
                    collections::moderated.eq(s.moderated),
                    collections::closed.eq(s.closed),
                    collections::unrevealed.eq(s.unrevealed),
                    collections::anonymous.eq(s.anonymous),
                    collections::created_at.eq(now),
                    collections::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if inserted == 0 {
                return Ok(Err(CollectionRefusal::NameTaken));
            }
            let id: i64 = collections::table
                .filter(collections::name_key.eq(&key))
                .select(collections::id)
                .first(conn)?;
            diesel::insert_into(collection_participants::table)
                .values((
                    collection_participants::collection_id.eq(id),
                    collection_participants::user_id.eq(owner),
                    collection_participants::role.eq(Role::Owner.as_str()),
                    collection_participants::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Ok(id))
        }))?)
    }

    /// Changes a collection's name, title, texts and settings (its
    /// maintainers only), in one transaction. Turning unrevealed or
    /// anonymous off reveals every item (AO3's reveal).
    pub fn update_collection(
        &self,
        viewer: Viewer,
        id: i64,
        draft: &CollectionDraft,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        let key = rules::name_key(&draft.name);
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            if !conn.role_in(id, user)?.is_some_and(Role::maintains) {
                return Ok::<_, diesel::result::Error>(Err(CollectionRefusal::NotMaintainer));
            }
            let taken: i64 = collections::table
                .filter(collections::name_key.eq(&key))
                .filter(collections::id.ne(id))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Ok(Err(CollectionRefusal::NameTaken));
            }
            let s = draft.settings;
            diesel::update(collections::table.find(id))
                .set((
                    collections::name.eq(&draft.name),
                    collections::name_key.eq(&key),
                    collections::title.eq(&draft.title),
                    collections::description.eq(&draft.description),
                    collections::intro.eq(&draft.intro),
                    collections::moderated.eq(s.moderated),
                    collections::closed.eq(s.closed),
                    collections::unrevealed.eq(s.unrevealed),
                    collections::anonymous.eq(s.anonymous),
                    collections::updated_at.eq(now),
                ))
                .execute(conn)?;
            conn.clear_item_flags(id, !s.unrevealed, !s.anonymous, now)?;
            Ok(Ok(()))
        }))?)
    }

    /// Gives account `login` a role in the collection (a maintainer's
    /// action; the owner's role is not given).
    pub fn add_participant(
        &self,
        viewer: Viewer,
        collection_id: i64,
        login: &str,
        role: Role,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        if role == Role::Owner {
            return Ok(Err(CollectionRefusal::NotMaintainer));
        }
        let login = login.trim().to_string();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            if !conn
                .role_in(collection_id, user)?
                .is_some_and(Role::maintains)
            {
                return Ok::<_, diesel::result::Error>(Err(CollectionRefusal::NotMaintainer));
            }
            let Some(target) = users::table
                .filter(users::login.eq(&login))
                .select(users::id)
                .first::<i64>(conn)
                .optional()?
            else {
                return Ok(Err(CollectionRefusal::NoSuchUser(login.clone())));
            };
            if conn.role_in(collection_id, target)? == Some(Role::Owner) {
                return Ok(Ok(()));
            }
            diesel::delete(
                collection_participants::table
                    .filter(collection_participants::collection_id.eq(collection_id))
                    .filter(collection_participants::user_id.eq(target)),
            )
            .execute(conn)?;
            diesel::insert_into(collection_participants::table)
                .values((
                    collection_participants::collection_id.eq(collection_id),
                    collection_participants::user_id.eq(target),
                    collection_participants::role.eq(role.as_str()),
                    collection_participants::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Ok(()))
        }))?)
    }

    /// Adds work `work_id` to the collections named `names`, as `viewer`
    /// (a creator of the work, or a maintainer inviting it), in one
    /// transaction: every name must be a collection that takes it, or
    /// nothing is added.
    pub fn add_to_collections(
        &self,
        viewer: Viewer,
        work_id: i64,
        names: &[String],
        now: NaiveDateTime,
    ) -> Outcome<Vec<Added>> {
        if let Err(r) = account(viewer) {
            return Ok(Err(r));
        }
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            conn.add_items(viewer, work_id, names, now)
        }))?)
    }

    /// A creator's or a maintainer's answer on item `item_id`: the
    /// collection's maintainers approve or reject for the collection, the
    /// work's creators for the work (an invitation). Both, when the viewer
    /// is both.
    pub fn review_item(
        &self,
        viewer: Viewer,
        item_id: i64,
        approve: bool,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        let answer = if approve {
            Approval::Approved
        } else {
            Approval::Rejected
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((cid, work_id)) = collection_items::table
                .find(item_id)
                .select((collection_items::collection_id, collection_items::work_id))
                .first::<(i64, i64)>(conn)
                .optional()?
            else {
                return Ok::<_, diesel::result::Error>(Err(CollectionRefusal::NotFound));
            };
            let maintainer = conn.role_in(cid, user)?.is_some_and(Role::maintains);
            let parts = conn.load_work_parts(&[work_id])?;
            let creator = parts.2.iter().any(|r| r.3 == Some(user));
            if !maintainer && !creator {
                return Ok(Err(CollectionRefusal::NotFound));
            }
            if maintainer {
                diesel::update(collection_items::table.find(item_id))
                    .set((
                        collection_items::collection_approval.eq(answer.code()),
                        collection_items::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            if creator {
                diesel::update(collection_items::table.find(item_id))
                    .set((
                        collection_items::user_approval.eq(answer.code()),
                        collection_items::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            conn.refresh_reveal_flags(&[work_id], now)?;
            Ok(Ok(()))
        }))?)
    }

    /// Takes a work out of a collection (a creator of the work or a
    /// maintainer of the collection).
    pub fn remove_item(&self, viewer: Viewer, item_id: i64, now: NaiveDateTime) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((cid, work_id)) = collection_items::table
                .find(item_id)
                .select((collection_items::collection_id, collection_items::work_id))
                .first::<(i64, i64)>(conn)
                .optional()?
            else {
                return Ok::<_, diesel::result::Error>(Err(CollectionRefusal::NotFound));
            };
            let maintainer = conn.role_in(cid, user)?.is_some_and(Role::maintains);
            let creator = conn
                .load_work_parts(&[work_id])?
                .2
                .iter()
                .any(|r| r.3 == Some(user));
            if !maintainer && !creator {
                return Ok(Err(CollectionRefusal::NotFound));
            }
            diesel::delete(collection_items::table.find(item_id)).execute(conn)?;
            conn.refresh_reveal_flags(&[work_id], now)?;
            Ok(Ok(()))
        }))?)
    }
}
