//! Bookmark listings: an account's (`/users/{login}/bookmarks`), the
//! archive's latest (`/bookmarks`), and an item's — a work's, a series',
//! an external work's (`/external_works/{id}`, which is its page too).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use ficus_core::bookmarks::BookmarkKind;
use ficus_store::Found;
use ficus_store::bookmarks::BookmarkRecord;

use super::{BookmarkListPage, BookmarkView, ExternalBlurb, heading, log_in_then, outcome_message};
use crate::AppState;
use crate::error::WebError;
use crate::filter_form::BookmarkSearchForm;
use crate::params::{self, QueryMap};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, encode_segment};

/// A listing page of `listed` (its heading is "N Bookmarks" then
/// `heading_tail`), paged under `base`.
struct ListingParts<'a> {
    title: String,
    heading_tail: &'a str,
    heading_link: Option<(String, String)>,
    message: Option<&'static str>,
    bookmark_href: Option<(String, &'static str)>,
    /// The external work itself, above its bookmarks.
    external: Option<ExternalBlurb>,
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
        external: parts.external,
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
            external: None,
            base: &base,
        },
    )
}

/// `GET /bookmarks`: the archive's latest public bookmarks.
pub async fn recent(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    // With filters: the bookmarked works, through the search index.
    if BookmarkSearchForm::asked(raw.as_deref())? {
        return crate::pages::discover::filtered_bookmarks(st, visitor, headers, raw).await;
    }
    let pairs = params::parse_form(raw.as_deref().unwrap_or("").as_bytes())?;
    let q: std::collections::HashMap<String, String> = pairs.into_iter().collect();
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
            bookmark_href: Some((
                "/bookmarks?bookmark_search%5Bsort_column%5D=created_at".into(),
                "Sort and filter bookmarked works",
            )),
            external: None,
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
            let mine = own_bookmark(s, reader, BookmarkKind::Work, work_id)?;
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
    let bookmark_href = bookmark_link(reader, mine, format!("/works/{work_id}/bookmarks/new"));
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
            external: None,
            base: &base,
        },
    )
}

/// The signed-in reader's own bookmark of an item, if any.
fn own_bookmark(
    s: &ficus_store::Store,
    reader: Option<i64>,
    kind: BookmarkKind,
    id: i64,
) -> Result<Option<i64>, ficus_store::StoreError> {
    match reader {
        Some(uid) => s.bookmark_of_item(uid, kind, id),
        None => Ok(None),
    }
}

/// "Bookmark" / "Edit Bookmark" for a signed-in reader.
fn bookmark_link(
    reader: Option<i64>,
    mine: Option<i64>,
    new_href: String,
) -> Option<(String, &'static str)> {
    reader.map(|_| match mine {
        Some(b) => (format!("/bookmarks/{b}/edit"), "Edit Bookmark"),
        None => (new_href, "Bookmark"),
    })
}

/// `GET /series/{id}/bookmarks`: a series' public bookmarks.
pub async fn series_bookmarks(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let series_id = params::id(&id, "series")?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let viewer = visitor.viewer();
    let reader = visitor.user.as_ref().map(|u| u.id);
    let (found, mine) = st
        .db(move |s| {
            let mine = own_bookmark(s, reader, BookmarkKind::Series, series_id)?;
            Ok((s.series_bookmarks(series_id, viewer, page)?, mine))
        })
        .await?;
    let (series, listed) = found.ok_or_else(|| {
        WebError::NotFound("This series does not exist, or is not visible to you.".into())
    })?;
    let base = format!("/series/{series_id}/bookmarks");
    listing(
        &visitor,
        &listed,
        ListingParts {
            title: format!("Bookmarks of {}", series.title),
            heading_tail: " of",
            heading_link: Some((format!("/series/{series_id}"), series.title.clone())),
            message: None,
            bookmark_href: bookmark_link(
                reader,
                mine,
                format!("/series/{series_id}/bookmarks/new"),
            ),
            external: None,
            base: &base,
        },
    )
}

/// `GET /external_works/{id}` (and `/external_works/{id}/bookmarks`): an
/// external work and its public bookmarks.
pub async fn external_work(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let external_id = params::id(&id, "external work")?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let viewer = visitor.viewer();
    let reader = visitor.user.as_ref().map(|u| u.id);
    let (found, mine) = st
        .db(move |s| {
            let mine = own_bookmark(s, reader, BookmarkKind::ExternalWork, external_id)?;
            Ok((s.external_work_bookmarks(external_id, viewer, page)?, mine))
        })
        .await?;
    let (work, listed) =
        found.ok_or_else(|| WebError::NotFound("There is no such external work.".into()))?;
    let base = format!("/external_works/{external_id}");
    listing(
        &visitor,
        &listed,
        ListingParts {
            title: format!("{} (external work)", work.title),
            heading_tail: " of",
            heading_link: Some((base.clone(), work.title.clone())),
            message: None,
            bookmark_href: bookmark_link(
                reader,
                mine,
                format!("/external_works/new?external_work_id={external_id}"),
            ),
            external: Some(ExternalBlurb::of(&work)),
            base: &base,
        },
    )
}
