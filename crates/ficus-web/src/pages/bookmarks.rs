//! Bookmark pages, AO3's URLs: the form (`GET /works/{id}/bookmarks/new`,
//! `GET /bookmarks/{id}/edit`), create (`POST /works/{id}/bookmarks`),
//! one bookmark (`GET /bookmarks/{id}`), update or delete (`POST
//! /bookmarks/{id}` with `_method=put|delete`, as AO3's forms send them),
//! the delete confirmation, and the listings `/users/{login}/bookmarks`
//! and `/works/{id}/bookmarks`. Every rule is the use case's
//! (`ficus_app::bookmarks`) and the store's; handlers only translate.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::bookmarks::BookmarkForm;
use ficus_core::bookmarks::{BookmarkRefusal, ItemSight};
use ficus_store::Found;
use ficus_store::bookmarks::BookmarkRecord;

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap, StrictForm};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, Blurb, Pager, encode_segment, thousands};

/// One bookmark as a listing or its own page shows it (AO3's
/// `li.bookmark.blurb.group`).
pub struct BookmarkView {
    pub id: i64,
    pub li_class: String,
    /// "N Bookmarks" (the work's public count).
    pub status_title: String,
    /// `private`, `hidden`, `rec` or `public`, and its words.
    pub symbol_class: &'static str,
    pub symbol_text: &'static str,
    /// The work's bookmarks page and its public count.
    pub count: Option<(String, String)>,
    /// The work's blurb, when the viewer sees it.
    pub work: Option<Blurb>,
    /// Said instead of the work.
    pub placeholder: &'static str,
    pub log_in_href: Option<String>,
    pub own: bool,
    pub pseud: String,
    pub bookmarker_href: String,
    pub date: String,
    /// (name, href)
    pub tags: Vec<(String, String)>,
    pub notes: Option<String>,
}

impl BookmarkView {
    fn of(b: &BookmarkRecord, visitor: &Visitor) -> BookmarkView {
        let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
        let own = visitor.user.as_ref().is_some_and(|u| u.id == b.user_id);
        let withheld = b.item != ItemSight::Shown && !own;
        let mut li_class = String::from("bookmark blurb group");
        if let (Some(id), Some(work)) = (b.work_id, &b.work) {
            li_class.push_str(&format!(" work-{id}"));
            for owner in &work.owners {
                li_class.push_str(&format!(" user-{owner}"));
            }
        }
        let me = format!(" user-{}", b.user_id);
        if !li_class.contains(&me) {
            li_class.push_str(&me);
        }
        let (symbol_class, symbol_text) = if b.private {
            ("private", "Private Bookmark")
        } else if b.hidden_by_admin {
            ("hidden", "Bookmark Hidden by Admin")
        } else if b.rec {
            ("rec", "Rec")
        } else {
            ("public", "Public Bookmark")
        };
        let count = b.work.as_ref().map(|w| {
            let n = w.stats.bookmarks;
            (
                format!("/works/{}/bookmarks", w.id),
                if n >= 100 { "*".into() } else { thousands(n) },
            )
        });
        let placeholder = match b.item {
            ItemSight::Shown => "",
            ItemSight::Deleted => "This has been deleted, sorry!",
            ItemSight::Unavailable if b.log_in_to_see => {
                "This work is only available to registered users of the archive."
            }
            ItemSight::Unavailable => "This work is not available.",
        };
        BookmarkView {
            id: b.id,
            li_class,
            status_title: b
                .work
                .as_ref()
                .map(|w| format!("{} Bookmarks", thousands(w.stats.bookmarks)))
                .unwrap_or_else(|| "Bookmark".into()),
            symbol_class,
            symbol_text,
            count,
            work: b.work.as_ref().map(|w| view::blurb_for(w, &prefs)),
            placeholder,
            log_in_href: b.log_in_to_see.then(|| {
                format!(
                    "/users/login?restricted=true&return_to={}",
                    encode_segment(&format!("/bookmarks/{}", b.id))
                )
            }),
            own,
            pseud: b.pseud.clone(),
            bookmarker_href: format!("/users/{}/bookmarks", encode_segment(&b.login)),
            date: b.created_at.format("%d %b %Y").to_string(),
            // Notes and tags often tell about the work: with the
            // placeholder, only its owner sees them.
            tags: if withheld {
                Vec::new()
            } else {
                b.tags
                    .iter()
                    .map(|(_, name)| (name.clone(), view::tag_href(name)))
                    .collect()
            },
            notes: (!withheld && !b.notes.is_empty()).then(|| b.notes.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "bookmark_form.html")]
pub struct BookmarkFormPage {
    pub chrome: Chrome,
    pub verb: &'static str,
    pub editing: bool,
    pub action: String,
    /// The work's page, when the bookmarker may still see it.
    pub work_id: Option<i64>,
    pub work_title: String,
    pub error: Option<String>,
    /// (id, name, selected)
    pub pseuds: Vec<(i64, String, bool)>,
    pub notes: String,
    pub tag_string: String,
    pub private: bool,
    pub rec: bool,
}

#[derive(Template)]
#[template(path = "bookmark_page.html")]
pub struct BookmarkPage {
    pub chrome: Chrome,
    pub message: Option<&'static str>,
    pub bm: BookmarkView,
    pub back_href: String,
    /// For a moderator: whether the bookmark is hidden (the Hide /
    /// Unhide button).
    pub moderation: Option<bool>,
}

#[derive(Template)]
#[template(path = "bookmark_list.html")]
pub struct BookmarkListPage {
    pub chrome: Chrome,
    pub title: String,
    pub heading: String,
    pub heading_link: Option<(String, String)>,
    pub message: Option<&'static str>,
    /// "Bookmark" / "Edit Bookmark" on a work's bookmarks page.
    pub bookmark_href: Option<(String, &'static str)>,
    pub bookmarks: Vec<BookmarkView>,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "bookmark_delete.html")]
pub struct BookmarkDeletePage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
}

fn no_bookmark() -> WebError {
    WebError::NotFound("There is no such bookmark, or it is not visible to you.".into())
}

fn log_in_then(path: &str) -> Response {
    Redirect::to(&format!(
        "/users/login?restricted=true&return_to={}",
        encode_segment(path)
    ))
    .into_response()
}

/// The message after a bookmark action (`?bookmark=` on the redirect).
fn outcome_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "Bookmark was successfully created.",
        "updated" => "Bookmark was successfully updated.",
        "deleted" => "Bookmark was successfully deleted.",
        _ => return None,
    })
}

/// "1 - 20 of N Bookmarks" (or "N Bookmarks" on one page), as AO3.
fn heading(total: u64, page: u32, per_page: u32) -> String {
    let noun = if total == 1 { "Bookmark" } else { "Bookmarks" };
    let n = thousands(i64::try_from(total).unwrap_or(i64::MAX));
    if total <= u64::from(per_page) {
        return format!("{n} {noun}");
    }
    let first = u64::from(page.max(1) - 1) * u64::from(per_page) + 1;
    if first > total {
        // A page past the last: the list is empty; say what there is.
        return format!("{n} {noun}");
    }
    let last = (first + u64::from(per_page) - 1).min(total);
    format!(
        "{} - {} of {n} {noun}",
        thousands(first as i64),
        thousands(last as i64)
    )
}

/// The form's fields, typed.
#[derive(Clone)]
struct Typed {
    pseud_id: Option<i64>,
    notes: String,
    tag_string: String,
    private: bool,
    rec: bool,
}

impl Typed {
    /// The use case's input.
    fn form(&self) -> BookmarkForm<'_> {
        BookmarkForm {
            pseud_id: self.pseud_id,
            notes: &self.notes,
            tag_string: &self.tag_string,
            private: self.private,
            rec: self.rec,
        }
    }

    fn of(form: &StrictForm) -> Typed {
        let checked = |name: &str| form.fields(name).contains(&"1");
        Typed {
            pseud_id: form.field("bookmark[pseud_id]").parse().ok(),
            notes: form.field("bookmark[bookmarker_notes]").to_string(),
            tag_string: form.field("bookmark[tag_string]").to_string(),
            private: checked("bookmark[private]"),
            rec: checked("bookmark[rec]"),
        }
    }
}

/// The form page for `work_id`, filled from `typed`.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    visitor: &Visitor,
    user_id: i64,
    login: &str,
    work_id: Option<i64>,
    work_title: String,
    editing: Option<i64>,
    typed: Typed,
    error: Option<String>,
) -> Result<Response, WebError> {
    let l = login.to_string();
    let (own, default) = st
        .db(move |s| Ok((s.pseuds_of(user_id)?, s.default_pseud_of(&l)?)))
        .await?;
    let chosen = typed.pseud_id.or(default.map(|(p, _)| p));
    let page = BookmarkFormPage {
        chrome: Chrome::of(visitor),
        verb: if editing.is_some() { "Editing" } else { "New" },
        editing: editing.is_some(),
        action: match (editing, work_id) {
            (Some(id), _) => format!("/bookmarks/{id}"),
            (None, Some(w)) => format!("/works/{w}/bookmarks"),
            (None, None) => return Err(no_bookmark()),
        },
        work_id,
        work_title,
        pseuds: own
            .into_iter()
            .map(|(id, name)| (id, name, Some(id) == chosen))
            .collect(),
        notes: typed.notes,
        tag_string: typed.tag_string,
        private: typed.private,
        rec: typed.rec,
        error: error.clone(),
    };
    let mut response = Html(page.render()?).into_response();
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// A work the visitor may see, or the response instead (log in, 404).
async fn visible_work(
    st: &AppState,
    visitor: &Visitor,
    work_id: i64,
    path: &str,
) -> Result<Result<ficus_store::WorkRecord, Response>, WebError> {
    Ok(super::works::load(
        st,
        visitor,
        work_id,
        ficus_store::ChapterChoice::NoText,
        path,
    )
    .await?
    .map(|reading| reading.work))
}

/// `GET /works/{id}/bookmarks/new`: the form (or the visitor's bookmark
/// of it, to edit).
pub async fn new_form(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let work_id = params::id(&id, "work")?;
    let path = format!("/works/{work_id}/bookmarks/new");
    let work = match visible_work(&st, &visitor, work_id, &path).await? {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    let uid = user.id;
    if let Some(existing) = st.db(move |s| s.bookmark_of(uid, work_id)).await? {
        return Ok(Redirect::to(&format!("/bookmarks/{existing}/edit")).into_response());
    }
    let typed = Typed {
        pseud_id: None,
        notes: String::new(),
        tag_string: String::new(),
        private: false,
        rec: false,
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        Some(work_id),
        work.title,
        None,
        typed,
        None,
    )
    .await
}

/// `POST /works/{id}/bookmarks`.
pub async fn create(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let work_id = params::id(&id, "work")?;
    let typed = Typed::of(&form);
    let viewer = visitor.viewer();
    let input = typed.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = st
        .db(move |s| ficus_app::bookmarks::create(s, viewer, work_id, &input.form(), now))
        .await?;
    let refusal = match outcome {
        Ok(bid) => {
            return Ok(Redirect::to(&format!("/bookmarks/{bid}?bookmark=created")).into_response());
        }
        Err(BookmarkRefusal::NotFound) => {
            return Err(WebError::NotFound(
                "This work does not exist, or is not visible to you.".into(),
            ));
        }
        Err(r) => r,
    };
    let path = format!("/works/{work_id}/bookmarks/new");
    let work = match visible_work(&st, &visitor, work_id, &path).await? {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        Some(work_id),
        work.title,
        None,
        typed,
        Some(refusal.to_string()),
    )
    .await
}

/// One bookmark as the visitor sees it, or the response instead.
async fn load(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<BookmarkRecord, Response>, WebError> {
    let viewer = visitor.viewer();
    match st.db(move |s| s.bookmark(id, viewer)).await? {
        Found::Visible(b) => Ok(Ok(b)),
        Found::LogInFirst => Ok(Err(log_in_then(&format!("/bookmarks/{id}")))),
        Found::NotFound => Err(no_bookmark()),
    }
}

/// `GET /bookmarks/{id}`.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let q = params::query(q)?;
    let b = match load(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let page = BookmarkPage {
        chrome: Chrome::of(&visitor),
        message: q.get("bookmark").and_then(|c| outcome_message(c)),
        back_href: format!("/users/{}/bookmarks", encode_segment(&b.login)),
        bm: BookmarkView::of(&b, &visitor),
        moderation: visitor.viewer().moderates().then_some(b.hidden_by_admin),
    };
    Ok(Html(page.render()?).into_response())
}

/// The visitor's own bookmark, or a refusal.
async fn own(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<BookmarkRecord, Response>, WebError> {
    let b = match load(st, visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(Err(r)),
    };
    if visitor.user.as_ref().map(|u| u.id) != Some(b.user_id) {
        return Err(WebError::Forbidden(BookmarkRefusal::NotYours.to_string()));
    }
    Ok(Ok(b))
}

fn title_of(b: &BookmarkRecord) -> String {
    match (&b.work, b.item) {
        (Some(w), _) => w.title.clone(),
        (None, ItemSight::Deleted) => "a deleted work".into(),
        (None, _) => "an unavailable work".into(),
    }
}

/// `GET /bookmarks/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let typed = Typed {
        pseud_id: Some(b.pseud_id),
        notes: b.notes.clone(),
        tag_string: b
            .tags
            .iter()
            .map(|t| t.1.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        private: b.private,
        rec: b.rec,
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        b.work.as_ref().map(|w| w.id),
        title_of(&b),
        Some(id),
        typed,
        None,
    )
    .await
}

/// `POST /bookmarks/{id}`: an update, or with `_method=delete` a delete.
pub async fn update_or_delete(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let viewer = visitor.viewer();
    if form.field("_method") == "delete" {
        return match st
            .db(move |s| ficus_app::bookmarks::delete(s, viewer, id))
            .await?
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/users/{}/bookmarks?bookmark=deleted",
                encode_segment(&user.login)
            ))
            .into_response()),
            Err(BookmarkRefusal::NotFound) => Err(no_bookmark()),
            Err(r) => Err(WebError::Forbidden(r.to_string())),
        };
    }
    let typed = Typed::of(&form);
    let input = typed.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = st
        .db(move |s| ficus_app::bookmarks::update(s, viewer, id, &input.form(), now))
        .await?;
    let refusal = match outcome {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/bookmarks/{id}?bookmark=updated")).into_response());
        }
        Err(BookmarkRefusal::NotFound) => return Err(no_bookmark()),
        Err(BookmarkRefusal::NotYours) => {
            return Err(WebError::Forbidden(BookmarkRefusal::NotYours.to_string()));
        }
        Err(r) => r,
    };
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        b.work.as_ref().map(|w| w.id),
        title_of(&b),
        Some(id),
        typed,
        Some(refusal.to_string()),
    )
    .await
}

/// `GET /bookmarks/{id}/confirm_delete`.
pub async fn confirm_delete(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let page = BookmarkDeletePage {
        chrome: Chrome::of(&visitor),
        id,
        title: title_of(&b),
    };
    Ok(Html(page.render()?).into_response())
}

/// A listing page of `listed` (its heading is "N Bookmarks" then
/// `heading_tail`), paged under `base`.
struct ListingParts<'a> {
    title: String,
    heading_tail: &'a str,
    heading_link: Option<(String, String)>,
    message: Option<&'static str>,
    bookmark_href: Option<(String, &'static str)>,
    base: &'a str,
}

fn listing(
    visitor: &Visitor,
    listed: &ficus_store::Page<BookmarkRecord>,
    parts: ListingParts<'_>,
) -> Result<Response, WebError> {
    let page = BookmarkListPage {
        chrome: Chrome::of(visitor),
        title: parts.title,
        heading: format!(
            "{}{}",
            heading(listed.total, listed.page, listed.per_page),
            parts.heading_tail
        ),
        heading_link: parts.heading_link,
        message: parts.message,
        bookmark_href: parts.bookmark_href,
        bookmarks: listed
            .items
            .iter()
            .map(|b| BookmarkView::of(b, visitor))
            .collect(),
        pager: view::pager(parts.base, listed.page, listed.page_count()),
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /users/{login}/bookmarks`: the account's bookmarks, newest first
/// (its owner sees their private ones too).
pub async fn user_bookmarks(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let lookup = login.clone();
    let user = st
        .db(move |s| s.user_for_login(&lookup))
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| WebError::NotFound(format!("There is no user named {login:?}.")))?;
    let viewer = visitor.viewer();
    let uid = user.id;
    let listed = st.db(move |s| s.user_bookmarks(uid, viewer, page)).await?;
    let base = format!("/users/{}/bookmarks", encode_segment(&user.login));
    listing(
        &visitor,
        &listed,
        ListingParts {
            title: format!("{} - Bookmarks", user.login),
            heading_tail: &format!(" by {}", user.login),
            heading_link: None,
            message: q.get("bookmark").and_then(|c| outcome_message(c)),
            bookmark_href: None,
            base: &base,
        },
    )
}

/// `GET /bookmarks`: the archive's latest public bookmarks.
pub async fn recent(
    State(st): State<AppState>,
    visitor: Visitor,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let viewer = visitor.viewer();
    let listed = st.db(move |s| s.recent_bookmarks(viewer, page)).await?;
    listing(
        &visitor,
        &listed,
        ListingParts {
            title: "Latest Bookmarks".into(),
            heading_tail: "",
            heading_link: None,
            message: q.get("bookmark").and_then(|c| outcome_message(c)),
            bookmark_href: None,
            base: "/bookmarks",
        },
    )
}

/// `GET /works/{id}/bookmarks`: a work's public bookmarks, newest first.
pub async fn work_bookmarks(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let work_id = params::id(&id, "work")?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let viewer = visitor.viewer();
    let reader = visitor.user.as_ref().map(|u| u.id);
    let (found, mine) = st
        .db(move |s| {
            let mine = match reader {
                Some(uid) => s.bookmark_of(uid, work_id)?,
                None => None,
            };
            Ok((s.work_bookmarks(work_id, viewer, page)?, mine))
        })
        .await?;
    let (work, listed) = match found {
        Found::Visible(v) => v,
        Found::LogInFirst => return Ok(log_in_then(&format!("/works/{work_id}/bookmarks"))),
        Found::NotFound => {
            return Err(WebError::NotFound(
                "This work does not exist, or is not visible to you.".into(),
            ));
        }
    };
    let bookmark_href = reader.map(|_| match mine {
        Some(b) => (format!("/bookmarks/{b}/edit"), "Edit Bookmark"),
        None => (format!("/works/{work_id}/bookmarks/new"), "Bookmark"),
    });
    let base = format!("/works/{work_id}/bookmarks");
    listing(
        &visitor,
        &listed,
        ListingParts {
            title: format!("Bookmarks of {}", work.title),
            heading_tail: " of",
            heading_link: Some((format!("/works/{work_id}"), work.title.clone())),
            message: None,
            bookmark_href,
            base: &base,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::heading;

    #[test]
    fn listing_headings_as_ao3_words_them() {
        assert_eq!(heading(0, 1, 20), "0 Bookmarks");
        assert_eq!(heading(1, 1, 20), "1 Bookmark");
        assert_eq!(heading(20, 1, 20), "20 Bookmarks");
        assert_eq!(heading(25, 1, 20), "1 - 20 of 25 Bookmarks");
        assert_eq!(heading(25, 2, 20), "21 - 25 of 25 Bookmarks");
        assert_eq!(heading(25, 3, 20), "25 Bookmarks", "a page past the last");
        assert_eq!(heading(1_234, 2, 20), "21 - 40 of 1,234 Bookmarks");
    }
}
