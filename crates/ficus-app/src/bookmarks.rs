//! Bookmarking a work, a series or an external work, changing and
//! deleting a bookmark — for the pages, the API and anything else: the
//! forms are checked here (`ficus_core::bookmarks::BookmarkDraft`,
//! `ficus_core::external_works::ExternalWorkForm`), then the store
//! applies them in one transaction.

use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::bookmarks::{BookmarkDraft, BookmarkRefusal};
use ficus_core::external_works::ExternalWorkForm;
use ficus_store::bookmarks::BookmarkTarget;
use ficus_store::{Store, StoreError};

/// What a new bookmark is of.
#[derive(Debug, Clone, Copy)]
pub enum BookmarkOf<'a> {
    Work(i64),
    Series(i64),
    /// A work elsewhere, by its details as typed.
    External(ExternalWorkForm<'a>),
}

/// A bookmark form as typed.
#[derive(Debug, Clone, Copy)]
pub struct BookmarkForm<'a> {
    /// The bookmarker's pseud (one of theirs): their default pseud for a
    /// new bookmark when `None`, the bookmark's own on an update.
    pub pseud_id: Option<i64>,
    /// Notes: plain text (blank lines between paragraphs) or HTML.
    pub notes: &'a str,
    /// The bookmarker's tags, comma-separated.
    pub tag_string: &'a str,
    pub private: bool,
    pub rec: bool,
}

/// `Ok(Err(_))` is a refusal the bookmarker caused.
pub type Outcome<T> = Result<Result<T, BookmarkRefusal>, StoreError>;

fn draft(form: &BookmarkForm<'_>) -> Result<BookmarkDraft, BookmarkRefusal> {
    BookmarkDraft::parse(form.notes, form.tag_string, form.private, form.rec)
}

/// Bookmarks `of`; the new bookmark's id.
pub fn create(
    store: &Store,
    viewer: Viewer,
    of: BookmarkOf<'_>,
    form: &BookmarkForm<'_>,
    now: NaiveDateTime,
) -> Outcome<i64> {
    let d = match draft(form) {
        Ok(d) => d,
        Err(r) => return Ok(Err(r)),
    };
    let details;
    let target = match of {
        BookmarkOf::Work(id) => BookmarkTarget::Work(id),
        BookmarkOf::Series(id) => BookmarkTarget::Series(id),
        BookmarkOf::External(typed) => {
            details = match typed.check() {
                Ok(details) => details,
                Err(r) => return Ok(Err(r.into())),
            };
            BookmarkTarget::External(&details)
        }
    };
    store.create_bookmark(viewer, form.pseud_id, target, &d, now)
}

/// Changes the viewer's bookmark `id`.
pub fn update(
    store: &Store,
    viewer: Viewer,
    id: i64,
    form: &BookmarkForm<'_>,
    now: NaiveDateTime,
) -> Outcome<()> {
    match draft(form) {
        Ok(d) => store.update_bookmark(viewer, id, form.pseud_id, &d, now),
        Err(r) => Ok(Err(r)),
    }
}

/// Deletes the viewer's bookmark `id`; the work's id if it still exists.
pub fn delete(store: &Store, viewer: Viewer, id: i64) -> Outcome<Option<i64>> {
    store.delete_bookmark(viewer, id)
}
