//! Bookmarking a work, changing and deleting a bookmark — for the pages,
//! the API and anything else: the form is checked here
//! (`ficus_core::bookmarks::BookmarkDraft`), then the store applies it in
//! one transaction.

use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::bookmarks::{BookmarkDraft, BookmarkRefusal};
use ficus_store::{Store, StoreError};

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

/// Bookmarks work `work_id`; the new bookmark's id.
pub fn create(
    store: &Store,
    viewer: Viewer,
    work_id: i64,
    form: &BookmarkForm<'_>,
    now: NaiveDateTime,
) -> Outcome<i64> {
    match draft(form) {
        Ok(d) => store.create_bookmark(viewer, form.pseud_id, work_id, &d, now),
        Err(r) => Ok(Err(r)),
    }
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
