//! Bookmarks as stored: one row per account per item — a work, a series
//! or an external work (`bookmarks.kind` and the item's id in its column;
//! a unique index per kind) —, the bookmarker's tags (`bookmark_tags`, tags of any
//! type found by name, new ones created as non-canonical freeform tags,
//! as AO3's unsorted tags), and `works.bookmarks_count` — the public
//! bookmarks — moved in the transaction of the change. Who sees what is
//! `ficus_core::bookmarks`; listings filter in SQL so their counts stay
//! exact, and the access-matrix tests hold the two together.

mod external;
mod read;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::access::{Viewer, WorkAccess};
use ficus_core::bookmarks::{self as rules, BookmarkDraft, BookmarkKind, BookmarkRefusal};
use ficus_core::external_works::ExternalWorkDraft;
use ficus_core::tag::TagName;

pub use external::ExternalWorkRecord;
pub use read::{BookmarkItem, BookmarkLine, BookmarkRecord};

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::reports::StandingHelpers;
use crate::schema::{bookmark_tags, bookmarks, pseuds, serial_works, series, tags, works};
use crate::works::helpers::WorkHelpers;
use external::ExternalWorkHelpers;

type Outcome<T> = Result<Result<T, BookmarkRefusal>, StoreError>;

/// What a new bookmark is of.
#[derive(Debug, Clone, Copy)]
pub enum BookmarkTarget<'a> {
    Work(i64),
    Series(i64),
    /// Found by its address, or made from these details.
    External(&'a ExternalWorkDraft),
}

/// Typed helpers on a connection of either backend.
pub(crate) trait BookmarkHelpers {
    /// Writes a bookmark's tags (replacing any), finding tags by name.
    fn write_bookmark_tags(
        &mut self,
        bookmark_id: i64,
        names: &[TagName],
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// The tags of these bookmarks: (bookmark, tag id, name), in order.
    fn bookmark_tag_rows(&mut self, ids: &[i64]) -> QueryResult<Vec<(i64, i64, String)>>;

    /// Moves a work's public bookmark count by `delta`.
    fn move_bookmark_count(&mut self, work_id: Option<i64>, delta: i64) -> QueryResult<()>;

    /// Whether `pseud_id` is one of `user_id`'s pseuds.
    fn pseud_is_users(&mut self, pseud_id: i64, user_id: i64) -> QueryResult<bool>;

    /// The account's default pseud.
    fn default_pseud(&mut self, user_id: i64) -> QueryResult<Option<i64>>;

    /// The account's bookmark of an item, if any.
    fn bookmark_of_item(
        &mut self,
        user_id: i64,
        kind: BookmarkKind,
        item_id: i64,
    ) -> QueryResult<Option<i64>>;

    /// Whether `viewer` may bookmark work `work_id` (it exists, is posted
    /// and visible to them).
    fn may_bookmark_work(&mut self, viewer: Viewer, work_id: i64) -> QueryResult<bool>;

    /// `None` when series `series_id` does not exist; else whether
    /// `viewer` sees it (one of its works is visible to them, or it is
    /// theirs), as the series page decides.
    fn series_visible(&mut self, viewer: Viewer, series_id: i64) -> QueryResult<Option<bool>>;
}

impl_for_both_backends! {
    impl BookmarkHelpers {
        fn write_bookmark_tags(
            &mut self,
            bookmark_id: i64,
            names: &[TagName],
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            diesel::delete(bookmark_tags::table.filter(bookmark_tags::bookmark_id.eq(bookmark_id)))
                .execute(self)?;
            for (position, name) in names.iter().enumerate() {
                // A tag of any type by that name (a canonical one first),
                // else a new freeform tag for the wranglers to sort.
                let key = name.key();
                let found: Option<i64> = tags::table
                    .filter(tags::name_key.eq(&key))
                    .order((tags::canonical.desc(), tags::id.asc()))
                    .select(tags::id)
                    .first(self)
                    .optional()?;
                let tag_id = match found {
                    Some(id) => id,
                    None => {
                        // Another bookmark may create the same tag at the
                        // same moment: take theirs.
                        diesel::insert_into(tags::table)
                            .values((
                                tags::tag_type.eq(TagType::Freeform.as_str()),
                                tags::name.eq(name.as_str()),
                                tags::name_key.eq(&key),
                                tags::canonical.eq(false),
                                tags::created_at.eq(now),
                            ))
                            .on_conflict_do_nothing()
                            .execute(self)?;
                        tags::table
                            .filter(tags::tag_type.eq(TagType::Freeform.as_str()))
                            .filter(tags::name_key.eq(&key))
                            .select(tags::id)
                            .first(self)?
                    }
                };
                diesel::insert_into(bookmark_tags::table)
                    .values((
                        bookmark_tags::bookmark_id.eq(bookmark_id),
                        bookmark_tags::tag_id.eq(tag_id),
                        bookmark_tags::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                    ))
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(())
        }

        fn bookmark_tag_rows(&mut self, ids: &[i64]) -> QueryResult<Vec<(i64, i64, String)>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            bookmark_tags::table
                .inner_join(tags::table)
                .filter(bookmark_tags::bookmark_id.eq_any(ids))
                .order((bookmark_tags::bookmark_id.asc(), bookmark_tags::position.asc()))
                .select((bookmark_tags::bookmark_id, tags::id, tags::name))
                .load(self)
        }

        fn move_bookmark_count(&mut self, work_id: Option<i64>, delta: i64) -> QueryResult<()> {
            let Some(work_id) = work_id else {
                return Ok(());
            };
            if delta == 0 {
                return Ok(());
            }
            diesel::update(works::table.find(work_id))
                .set(works::bookmarks_count.eq(works::bookmarks_count + delta))
                .execute(self)?;
            Ok(())
        }

        fn pseud_is_users(&mut self, pseud_id: i64, user_id: i64) -> QueryResult<bool> {
            let n: i64 = pseuds::table
                .filter(pseuds::id.eq(pseud_id))
                .filter(pseuds::user_id.eq(user_id))
                .count()
                .get_result(self)?;
            Ok(n > 0)
        }

        fn default_pseud(&mut self, user_id: i64) -> QueryResult<Option<i64>> {
            pseuds::table
                .filter(pseuds::user_id.eq(user_id))
                .order((pseuds::is_default.desc(), pseuds::id.asc()))
                .select(pseuds::id)
                .first(self)
                .optional()
        }

        fn bookmark_of_item(
            &mut self,
            user_id: i64,
            kind: BookmarkKind,
            item_id: i64,
        ) -> QueryResult<Option<i64>> {
            let q = bookmarks::table
                .filter(bookmarks::user_id.eq(user_id))
                .select(bookmarks::id)
                .into_boxed();
            match kind {
                BookmarkKind::Work => q.filter(bookmarks::work_id.eq(item_id)),
                BookmarkKind::Series => q.filter(bookmarks::series_id.eq(item_id)),
                BookmarkKind::ExternalWork => q.filter(bookmarks::external_work_id.eq(item_id)),
            }
            .first(self)
            .optional()
        }

        fn may_bookmark_work(&mut self, viewer: Viewer, work_id: i64) -> QueryResult<bool> {
            let parts = self.load_work_parts(&[work_id])?;
            let Some(row) = parts.0.first() else {
                return Ok(false);
            };
            let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
            let access = WorkAccess {
                posted: row.posted,
                restricted: row.restricted,
                hidden: row.hidden,
                unrevealed: row.unrevealed,
                owners: &owners,
            };
            Ok(rules::may_bookmark(viewer, &access).is_ok())
        }

        fn series_visible(&mut self, viewer: Viewer, series_id: i64) -> QueryResult<Option<bool>> {
            let owner: Option<Option<i64>> = series::table
                .find(series_id)
                .select(series::user_id)
                .first(self)
                .optional()?;
            let Some(owner) = owner else {
                return Ok(None);
            };
            if owner.is_some() && owner == viewer.user_id() {
                return Ok(Some(true));
            }
            let ids: Vec<i64> = serial_works::table
                .filter(serial_works::series_id.eq(series_id))
                .select(serial_works::work_id)
                .load(self)?;
            let parts = self.load_work_parts(&ids)?;
            Ok(Some(parts.0.iter().any(|row| {
                let owners: Vec<i64> = parts
                    .2
                    .iter()
                    .filter(|r| r.0 == row.id)
                    .filter_map(|r| r.3)
                    .collect();
                viewer.may_see(&WorkAccess {
                    posted: row.posted,
                    restricted: row.restricted,
                    hidden: row.hidden,
                unrevealed: row.unrevealed,
                    owners: &owners,
                })
            })))
        }
    }
}

/// The viewer's account id, or `NotFound` (guests do not bookmark).
fn account(viewer: Viewer) -> Result<i64, BookmarkRefusal> {
    viewer.user_id().ok_or(BookmarkRefusal::NotFound)
}

impl Store {
    /// Bookmarks `target` for `viewer` under `pseud_id` (their default
    /// pseud when `None`), in one transaction: a work or series must be one
    /// they may see (an external work is made from its details, or found by
    /// its address), the pseud theirs, their account in good standing, and
    /// no bookmark of theirs on the item yet.
    pub fn create_bookmark(
        &self,
        viewer: Viewer,
        pseud_id: Option<i64>,
        target: BookmarkTarget<'_>,
        draft: &BookmarkDraft,
        now: NaiveDateTime,
    ) -> Outcome<i64> {
        let user_id = match account(viewer) {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let (kind, item_id) = match target {
                BookmarkTarget::Work(work_id) => {
                    if !conn.may_bookmark_work(viewer, work_id)? {
                        return Ok::<_, diesel::result::Error>(Err(BookmarkRefusal::NotFound));
                    }
                    (BookmarkKind::Work, work_id)
                }
                BookmarkTarget::Series(series_id) => {
                    if conn.series_visible(viewer, series_id)? != Some(true) || !viewer.is_member()
                    {
                        return Ok(Err(BookmarkRefusal::NotFound));
                    }
                    (BookmarkKind::Series, series_id)
                }
                BookmarkTarget::External(_) => {
                    if !viewer.is_member() {
                        return Ok(Err(BookmarkRefusal::NotFound));
                    }
                    // Refusals come before the external work is made, so a
                    // refused bookmark leaves nothing behind.
                    (BookmarkKind::ExternalWork, 0)
                }
            };
            let pseud_id = match pseud_id {
                Some(p) => p,
                None => conn.default_pseud(user_id)?.unwrap_or(0),
            };
            if !conn.pseud_is_users(pseud_id, user_id)? {
                return Ok(Err(BookmarkRefusal::NotYourPseud));
            }
            if !conn.standing_of(user_id, now)?.may_act() {
                return Ok(Err(BookmarkRefusal::Suspended));
            }
            let item_id = match target {
                BookmarkTarget::External(details) => conn.external_work_for(details, now)?,
                _ => item_id,
            };
            let of = |k: BookmarkKind| (k == kind).then_some(item_id);
            let inserted = diesel::insert_into(bookmarks::table)
                .values((
                    bookmarks::user_id.eq(user_id),
                    bookmarks::pseud_id.eq(pseud_id),
                    bookmarks::kind.eq(kind.as_str()),
                    bookmarks::work_id.eq(of(BookmarkKind::Work)),
                    bookmarks::series_id.eq(of(BookmarkKind::Series)),
                    bookmarks::external_work_id.eq(of(BookmarkKind::ExternalWork)),
                    bookmarks::notes.eq(&draft.notes),
                    bookmarks::private.eq(draft.private),
                    bookmarks::rec.eq(draft.rec),
                    bookmarks::created_at.eq(now),
                    bookmarks::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if inserted == 0 {
                return Ok(Err(BookmarkRefusal::AlreadyBookmarked));
            }
            let Some(id) = conn.bookmark_of_item(user_id, kind, item_id)? else {
                return Err(diesel::result::Error::NotFound);
            };
            conn.write_bookmark_tags(id, &draft.tags, now)?;
            conn.move_bookmark_count(
                of(BookmarkKind::Work),
                i64::from(rules::is_public(draft.private, false)),
            )?;
            Ok(Ok(id))
        }))?)
    }

    /// Changes the viewer's bookmark `id` (pseud — kept when `None` —,
    /// notes, tags, private, rec) in one transaction; the public count
    /// follows.
    pub fn update_bookmark(
        &self,
        viewer: Viewer,
        id: i64,
        pseud_id: Option<i64>,
        draft: &BookmarkDraft,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user_id = match account(viewer) {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // Take the row's lock before reading it (PostgreSQL's READ
            // COMMITTED): two edits at once then move the count once each
            // from what the other left, never twice from the same start.
            // The lock writes nothing: a refused edit changes nothing.
            diesel::update(bookmarks::table.find(id))
                .set(bookmarks::hidden_by_admin.eq(bookmarks::hidden_by_admin))
                .execute(conn)?;
            let row: Option<(i64, Option<i64>, bool, bool, i64)> = bookmarks::table
                .find(id)
                .select((
                    bookmarks::user_id,
                    bookmarks::work_id,
                    bookmarks::private,
                    bookmarks::hidden_by_admin,
                    bookmarks::pseud_id,
                ))
                .first(conn)
                .optional()?;
            let Some((owner, work_id, was_private, hidden, current_pseud)) = row else {
                return Ok::<_, diesel::result::Error>(Err(BookmarkRefusal::NotFound));
            };
            if owner != user_id {
                return Ok(Err(BookmarkRefusal::NotYours));
            }
            let pseud_id = pseud_id.unwrap_or(current_pseud);
            if !conn.pseud_is_users(pseud_id, user_id)? {
                return Ok(Err(BookmarkRefusal::NotYourPseud));
            }
            if !conn.standing_of(user_id, now)?.may_act() {
                return Ok(Err(BookmarkRefusal::Suspended));
            }
            diesel::update(bookmarks::table.find(id))
                .set((
                    bookmarks::pseud_id.eq(pseud_id),
                    bookmarks::notes.eq(&draft.notes),
                    bookmarks::private.eq(draft.private),
                    bookmarks::rec.eq(draft.rec),
                    bookmarks::updated_at.eq(now),
                ))
                .execute(conn)?;
            conn.write_bookmark_tags(id, &draft.tags, now)?;
            let delta = i64::from(rules::is_public(draft.private, hidden))
                - i64::from(rules::is_public(was_private, hidden));
            conn.move_bookmark_count(work_id, delta)?;
            Ok(Ok(()))
        }))?)
    }

    /// Deletes the viewer's bookmark `id`; its work's id (if the work
    /// still exists) on success.
    pub fn delete_bookmark(&self, viewer: Viewer, id: i64) -> Outcome<Option<i64>> {
        let user_id = match account(viewer) {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // The row's lock before reading it, as an edit or a
            // moderator's hide takes it: the count moves from what they
            // left, never twice from the same start.
            diesel::update(bookmarks::table.find(id))
                .set(bookmarks::hidden_by_admin.eq(bookmarks::hidden_by_admin))
                .execute(conn)?;
            let row: Option<(i64, Option<i64>, bool, bool)> = bookmarks::table
                .find(id)
                .select((
                    bookmarks::user_id,
                    bookmarks::work_id,
                    bookmarks::private,
                    bookmarks::hidden_by_admin,
                ))
                .first(conn)
                .optional()?;
            let Some((owner, work_id, private, hidden)) = row else {
                return Ok::<_, diesel::result::Error>(Err(BookmarkRefusal::NotFound));
            };
            if owner != user_id {
                return Ok(Err(BookmarkRefusal::NotYours));
            }
            let deleted = diesel::delete(bookmarks::table.find(id)).execute(conn)?;
            if deleted == 0 {
                return Ok(Err(BookmarkRefusal::NotFound));
            }
            conn.move_bookmark_count(work_id, -i64::from(rules::is_public(private, hidden)))?;
            Ok(Ok(work_id))
        }))?)
    }

    /// The viewer's own bookmark of `work_id`, if any (for "Edit
    /// Bookmark" on the work page).
    pub fn bookmark_of(&self, user_id: i64, work_id: i64) -> Result<Option<i64>, StoreError> {
        self.bookmark_of_item(user_id, BookmarkKind::Work, work_id)
    }

    /// The account's own bookmark of the item (`kind`, `item_id`), if any.
    pub fn bookmark_of_item(
        &self,
        user_id: i64,
        kind: BookmarkKind,
        item_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(with_conn!(self, |conn| conn.bookmark_of_item(user_id, kind, item_id))?)
    }
}

impl Store {
    /// Hides or unhides bookmark `id` (a moderator's action, recorded in
    /// the audit log with the bookmarked work and `reason`), moving the
    /// work's public count with it, in one transaction. False when there
    /// is no such bookmark.
    pub fn set_bookmark_hidden(
        &self,
        id: i64,
        hidden: bool,
        actor_id: i64,
        reason: &str,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        use crate::schema::audit_log;
        let action = if hidden {
            "hide_bookmark"
        } else {
            "unhide_bookmark"
        };
        let reason = reason.trim();
        let detail = if reason.is_empty() {
            format!("bookmark {id}")
        } else {
            format!("bookmark {id}: {reason}")
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // The row's lock first, as an edit takes it (see update).
            let locked = diesel::update(bookmarks::table.find(id))
                .set(bookmarks::hidden_by_admin.eq(bookmarks::hidden_by_admin))
                .execute(conn)?;
            if locked == 0 {
                return Ok::<_, diesel::result::Error>(false);
            }
            let (work_id, private, was_hidden): (Option<i64>, bool, bool) = bookmarks::table
                .find(id)
                .select((
                    bookmarks::work_id,
                    bookmarks::private,
                    bookmarks::hidden_by_admin,
                ))
                .first(conn)?;
            diesel::update(bookmarks::table.find(id))
                .set(bookmarks::hidden_by_admin.eq(hidden))
                .execute(conn)?;
            let delta = i64::from(rules::is_public(private, hidden))
                - i64::from(rules::is_public(private, was_hidden));
            conn.move_bookmark_count(work_id, delta)?;
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::actor_id.eq(actor_id),
                    audit_log::action.eq(action),
                    audit_log::work_id.eq(work_id),
                    audit_log::detail.eq(Some(detail.as_str())),
                    audit_log::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }))?)
    }
}
