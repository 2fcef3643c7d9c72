//! Bookmarks as stored: one row per account per work (`bookmarks`, a
//! unique index), the bookmarker's tags (`bookmark_tags`, tags of any
//! type found by name, new ones created as non-canonical freeform tags,
//! as AO3's unsorted tags), and `works.bookmarks_count` — the public
//! bookmarks — moved in the transaction of the change. Who sees what is
//! `ficus_core::bookmarks`; listings filter in SQL so their counts stay
//! exact, and the access-matrix tests hold the two together.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::bookmarks::{
    self as rules, BOOKMARKS_PER_PAGE, BookmarkDraft, BookmarkRefusal, ItemSight,
};
use ficus_core::tag::TagName;

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::WorkRecord;
use crate::reports::StandingHelpers;
use crate::schema::{bookmark_tags, bookmarks, pseuds, tags, users, works};
use crate::works::helpers::WorkHelpers;
use crate::{Found, Page, Store};

type Outcome<T> = Result<Result<T, BookmarkRefusal>, StoreError>;

/// One bookmark as one viewer sees it.
#[derive(Debug, Clone)]
pub struct BookmarkRecord {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub pseud_id: i64,
    pub pseud: String,
    /// The bookmarked work's id (`None`: it was deleted).
    pub work_id: Option<i64>,
    /// Sanitized HTML (empty: none).
    pub notes: String,
    /// The bookmarker's tags (id, name), in their order.
    pub tags: Vec<(i64, String)>,
    pub private: bool,
    pub rec: bool,
    pub hidden_by_admin: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What this viewer sees of the work.
    pub item: ItemSight,
    /// The work is for registered users and the viewer is a guest.
    pub log_in_to_see: bool,
    /// The work, when `item` is `Shown`.
    pub work: Option<WorkRecord>,
}

type BookmarkRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    bool,
    bool,
    bool,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
);

macro_rules! bookmark_columns {
    () => {
        (
            bookmarks::id,
            bookmarks::user_id,
            bookmarks::pseud_id,
            bookmarks::work_id,
            bookmarks::notes,
            bookmarks::private,
            bookmarks::rec,
            bookmarks::hidden_by_admin,
            bookmarks::created_at,
            bookmarks::updated_at,
            users::login,
            pseuds::name,
        )
    };
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
    }
}

/// The viewer's account id, or `NotFound` (guests do not bookmark).
fn account(viewer: Viewer) -> Result<i64, BookmarkRefusal> {
    viewer.user_id().ok_or(BookmarkRefusal::NotFound)
}

impl Store {
    /// Bookmarks work `work_id` for `viewer` under `pseud_id` (their
    /// default pseud when `None`), in one transaction: the work must be one
    /// they may see, the pseud theirs, their account in good standing, and
    /// no bookmark of theirs on it yet.
    pub fn create_bookmark(
        &self,
        viewer: Viewer,
        pseud_id: Option<i64>,
        work_id: i64,
        draft: &BookmarkDraft,
        now: NaiveDateTime,
    ) -> Outcome<i64> {
        let user_id = match account(viewer) {
            Ok(id) => id,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let parts = conn.load_work_parts(&[work_id])?;
            let Some(row) = parts.0.first() else {
                return Ok::<_, diesel::result::Error>(Err(BookmarkRefusal::NotFound));
            };
            let owners: Vec<i64> = parts.2.iter().filter_map(|r| r.3).collect();
            let access = ficus_core::access::WorkAccess {
                posted: row.posted,
                restricted: row.restricted,
                hidden: row.hidden,
                owners: &owners,
            };
            if let Err(r) = rules::may_bookmark(viewer, &access) {
                return Ok(Err(r));
            }
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
            let inserted = diesel::insert_into(bookmarks::table)
                .values((
                    bookmarks::user_id.eq(user_id),
                    bookmarks::pseud_id.eq(pseud_id),
                    bookmarks::work_id.eq(work_id),
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
            let id: i64 = bookmarks::table
                .filter(bookmarks::user_id.eq(user_id))
                .filter(bookmarks::work_id.eq(work_id))
                .select(bookmarks::id)
                .first(conn)?;
            conn.write_bookmark_tags(id, &draft.tags, now)?;
            conn.move_bookmark_count(
                Some(work_id),
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
            diesel::update(bookmarks::table.find(id))
                .set(bookmarks::updated_at.eq(now))
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
        Ok(with_conn!(self, |conn| bookmarks::table
            .filter(bookmarks::user_id.eq(user_id))
            .filter(bookmarks::work_id.eq(work_id))
            .select(bookmarks::id)
            .first(conn)
            .optional())?)
    }

    /// One bookmark as `viewer` sees it: `NotFound` when they may not see
    /// it (a private bookmark not theirs, one of a deleted work not theirs,
    /// one an admin hid); `LogInFirst` for a guest when the work is for
    /// registered users (the work is never shown to them).
    pub fn bookmark(&self, id: i64, viewer: Viewer) -> Result<Found<BookmarkRecord>, StoreError> {
        let rows: Vec<BookmarkRow> = with_conn!(self, |conn| bookmarks::table
            .inner_join(users::table)
            .inner_join(pseuds::table)
            .filter(bookmarks::id.eq(id))
            .select(bookmark_columns!())
            .load(conn)?);
        let mut records = self.assemble_bookmarks(rows, viewer)?;
        let Some(record) = records.pop() else {
            return Ok(Found::NotFound);
        };
        if !rules::may_see_bookmark(
            viewer,
            record.user_id,
            record.private,
            record.hidden_by_admin,
            record.item,
        ) {
            return Ok(Found::NotFound);
        }
        if record.log_in_to_see {
            return Ok(Found::LogInFirst);
        }
        Ok(Found::Visible(record))
    }

    /// Page `page` of account `user_id`'s bookmarks, newest first, as
    /// `viewer` sees them: the owner all of theirs (private ones and those
    /// of deleted works too), everyone else the public ones of works that
    /// still exist (moderators also those an admin hid).
    pub fn user_bookmarks(
        &self,
        user_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Page<BookmarkRecord>, StoreError> {
        let page = page.max(1);
        let per_page = BOOKMARKS_PER_PAGE;
        let owner = viewer.user_id() == Some(user_id);
        let moderator = viewer.moderates();
        macro_rules! shown {
            () => {
                bookmarks::table
                    .filter(bookmarks::user_id.eq(user_id))
                    .filter(
                        owner.into_sql::<Bool>().or(bookmarks::private
                            .eq(false)
                            .and(bookmarks::work_id.is_not_null())
                            .and(
                                bookmarks::hidden_by_admin
                                    .eq(false)
                                    .or(moderator.into_sql::<Bool>()),
                            )),
                    )
            };
        }
        let (total, rows): (i64, Vec<BookmarkRow>) = with_conn!(self, |conn| {
            let total: i64 = shown!().count().get_result(conn)?;
            let rows = shown!()
                .inner_join(users::table)
                .inner_join(pseuds::table)
                .order((bookmarks::created_at.desc(), bookmarks::id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select(bookmark_columns!())
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        Ok(Page {
            items: self.assemble_bookmarks(rows, viewer)?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    /// Page `page` of the archive's public bookmarks, newest first (AO3's
    /// `/bookmarks`): those of works that still exist, not private, not
    /// hidden by an admin (moderators see those too); a work the viewer
    /// may not see is a placeholder.
    pub fn recent_bookmarks(
        &self,
        viewer: Viewer,
        page: u32,
    ) -> Result<Page<BookmarkRecord>, StoreError> {
        let page = page.max(1);
        let per_page = BOOKMARKS_PER_PAGE;
        let moderator = viewer.moderates();
        macro_rules! shown {
            () => {
                bookmarks::table
                    .filter(bookmarks::private.eq(false))
                    .filter(bookmarks::work_id.is_not_null())
                    .filter(
                        bookmarks::hidden_by_admin
                            .eq(false)
                            .or(moderator.into_sql::<Bool>()),
                    )
            };
        }
        let (total, rows): (i64, Vec<BookmarkRow>) = with_conn!(self, |conn| {
            let total: i64 = shown!().count().get_result(conn)?;
            let rows = shown!()
                .inner_join(users::table)
                .inner_join(pseuds::table)
                .order((bookmarks::created_at.desc(), bookmarks::id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select(bookmark_columns!())
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        Ok(Page {
            items: self.assemble_bookmarks(rows, viewer)?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    /// Page `page` of a work's public bookmarks, newest first — when
    /// `viewer` may see the work.
    pub fn work_bookmarks(
        &self,
        work_id: i64,
        viewer: Viewer,
        page: u32,
    ) -> Result<Found<(WorkRecord, Page<BookmarkRecord>)>, StoreError> {
        let work = match self.read_work(work_id, viewer, crate::ChapterChoice::NoText)? {
            Found::Visible(reading) => reading.work,
            Found::LogInFirst => return Ok(Found::LogInFirst),
            Found::NotFound => return Ok(Found::NotFound),
        };
        let page = page.max(1);
        let per_page = BOOKMARKS_PER_PAGE;
        let moderator = viewer.moderates();
        macro_rules! shown {
            () => {
                bookmarks::table
                    .filter(bookmarks::work_id.eq(work_id))
                    .filter(bookmarks::private.eq(false))
                    .filter(
                        bookmarks::hidden_by_admin
                            .eq(false)
                            .or(moderator.into_sql::<Bool>()),
                    )
            };
        }
        let (total, rows): (i64, Vec<BookmarkRow>) = with_conn!(self, |conn| {
            let total: i64 = shown!().count().get_result(conn)?;
            let rows = shown!()
                .inner_join(users::table)
                .inner_join(pseuds::table)
                .order((bookmarks::created_at.desc(), bookmarks::id.desc()))
                .limit(i64::from(per_page))
                .offset(i64::from(page - 1) * i64::from(per_page))
                .select(bookmark_columns!())
                .load(conn)?;
            Ok::<_, StoreError>((total, rows))
        })?;
        Ok(Found::Visible((
            work,
            Page {
                items: self.assemble_bookmarks(rows, viewer)?,
                page,
                per_page,
                total: total.max(0) as u64,
            },
        )))
    }

    /// Rows → records: their tags, and each work as `viewer` may see it.
    fn assemble_bookmarks(
        &self,
        rows: Vec<BookmarkRow>,
        viewer: Viewer,
    ) -> Result<Vec<BookmarkRecord>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let tag_rows = with_conn!(self, |conn| conn.bookmark_tag_rows(&ids)?);
        let mut work_ids: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
        work_ids.sort_unstable();
        work_ids.dedup();
        let works = self.works_by_ids(&work_ids)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let work = r.3.and_then(|w| works.iter().find(|x| x.id == w));
                let item = rules::item_sight(viewer, work.map(WorkRecord::access).as_ref());
                let log_in_to_see =
                    work.is_some_and(|w| viewer.must_log_in(&w.access()) && !w.hidden);
                BookmarkRecord {
                    id: r.0,
                    user_id: r.1,
                    pseud_id: r.2,
                    work_id: r.3,
                    notes: r.4,
                    private: r.5,
                    rec: r.6,
                    hidden_by_admin: r.7,
                    created_at: r.8,
                    updated_at: r.9,
                    login: r.10,
                    pseud: r.11,
                    tags: tag_rows
                        .iter()
                        .filter(|t| t.0 == r.0)
                        .map(|t| (t.1, t.2.clone()))
                        .collect(),
                    item,
                    log_in_to_see,
                    work: (item == ItemSight::Shown).then(|| work.cloned()).flatten(),
                }
            })
            .collect())
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
