//! Bookmarks through the API, on the same use cases as the pages:
//! `GET /api/v1/works/{id}/bookmarks`, `/api/v1/series/{id}/bookmarks`,
//! `/api/v1/external_works/{id}/bookmarks` and
//! `/api/v1/users/{login}/bookmarks` (pages of 20, newest first), `GET
//! /api/v1/bookmarks/{id}`; with a token, `POST
//! /api/v1/works/{id}/bookmarks`, `POST /api/v1/series/{id}/bookmarks`,
//! `POST /api/v1/bookmarks` (an external work, by its details), `PATCH`
//! and `DELETE /api/v1/bookmarks/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_app::bookmarks::{BookmarkForm, BookmarkOf};
use ficus_core::bookmarks::{BookmarkKind, BookmarkRefusal, ItemSight};
use ficus_core::external_works::ExternalWorkForm;
use ficus_store::bookmarks::{BookmarkItem, BookmarkRecord};
use ficus_store::{Found, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params;

/// One bookmark as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookmarkJson {
    pub id: i64,
    /// What is bookmarked: `work`, `series` or `external_work`.
    pub kind: String,
    /// The bookmarked item's id and title, when the caller may see it
    /// (else `null`).
    pub item_id: Option<i64>,
    pub item_title: Option<String>,
    /// An external work's address (linked, never fetched).
    pub external_url: Option<String>,
    /// The bookmarked work (a bookmark of a work the caller may see).
    pub work_id: Option<i64>,
    pub work_title: Option<String>,
    /// "deleted" or "unavailable" when the caller sees a placeholder
    /// instead of the item.
    pub placeholder: Option<String>,
    /// The bookmarker's login and the pseud they bookmarked under.
    pub login: String,
    pub pseud: String,
    /// Sanitized HTML (`null`: none, or withheld with a placeholder).
    pub notes: Option<String>,
    /// The bookmarker's tags, in their order.
    pub tags: Vec<String>,
    pub private: bool,
    pub rec: bool,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
    pub updated_at: String,
}

/// A page of bookmarks.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookmarksJson {
    /// Bookmarks the caller sees in this list.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub bookmarks: Vec<BookmarkJson>,
}

/// A new bookmark, or the fields to change (omitted fields keep their
/// value on `PATCH`; on `POST` they are empty or false).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookmarkInputJson {
    /// HTML or plain text; at most 5,000 characters of text.
    #[serde(default)]
    pub notes: Option<String>,
    /// The bookmarker's tags (each at most 150 characters; 75 at most).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub private: Option<bool>,
    #[serde(default)]
    pub rec: Option<bool>,
    /// One of the caller's pseuds (default: their default pseud; on
    /// `PATCH`, the bookmark's).
    #[serde(default)]
    pub pseud_id: Option<i64>,
    /// The external work bookmarked: only on `POST /api/v1/bookmarks`,
    /// where it is required.
    #[serde(default)]
    pub external: Option<ExternalWorkInputJson>,
}

/// A work elsewhere on the web, as a bookmark names it. A work already
/// bookmarked at the same address keeps its first details.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalWorkInputJson {
    /// `http(s)` address, at most 2,000 characters (stored, never fetched).
    pub url: String,
    pub title: String,
    pub creator: String,
    /// HTML or plain text; at most 1,250 characters of text.
    #[serde(default)]
    pub summary: Option<String>,
    /// At least one.
    pub fandoms: Vec<String>,
    /// One of the ratings' names.
    #[serde(default)]
    pub rating: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub relationships: Vec<String>,
    #[serde(default)]
    pub characters: Vec<String>,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct BookmarksQuery {
    /// Page, from 1.
    pub page: Option<u32>,
}

fn stamp(at: chrono::NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn bookmark_json(b: &BookmarkRecord, caller_id: Option<i64>) -> BookmarkJson {
    let shown = b.item == ItemSight::Shown;
    // With a placeholder, notes and tags (which often tell about the
    // work) are its owner's alone, as on the pages.
    let withheld = !shown && caller_id != Some(b.user_id);
    let (item_title, external_url) = match &b.shown {
        Some(BookmarkItem::Work(w)) => (Some(w.title.clone()), None),
        Some(BookmarkItem::Series(s)) => (Some(s.title.clone()), None),
        Some(BookmarkItem::External(e)) => (Some(e.title.clone()), Some(e.url.clone())),
        None => (None, None),
    };
    BookmarkJson {
        id: b.id,
        kind: b.kind.as_str().into(),
        item_id: b.shown.as_ref().and(b.item_id),
        item_title,
        external_url,
        work_id: b.work().map(|w| w.id),
        work_title: b.work().map(|w| w.title.clone()),
        placeholder: match b.item {
            ItemSight::Shown => None,
            ItemSight::Deleted => Some("deleted".into()),
            ItemSight::Unavailable => Some("unavailable".into()),
        },
        login: b.login.clone(),
        pseud: b.pseud.clone(),
        notes: (!withheld && !b.notes.is_empty()).then(|| b.notes.clone()),
        tags: if withheld {
            Vec::new()
        } else {
            b.tags.iter().map(|t| t.1.clone()).collect()
        },
        private: b.private,
        rec: b.rec,
        created_at: stamp(b.created_at),
        updated_at: stamp(b.updated_at),
    }
}

/// The tags of a JSON list as the form's comma-separated string; a comma
/// inside one tag is refused rather than read as two tags.
fn tag_string(tags: &[String]) -> Result<String, BookmarkRefusal> {
    if let Some(t) = tags.iter().find(|t| t.contains([',', '，'])) {
        return Err(BookmarkRefusal::BadTag(format!(
            "{t:?}: a tag cannot hold a comma"
        )));
    }
    Ok(tags.join(","))
}

fn page_json(page: &Page<BookmarkRecord>, caller_id: Option<i64>) -> BookmarksJson {
    BookmarksJson {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        bookmarks: page
            .items
            .iter()
            .map(|b| bookmark_json(b, caller_id))
            .collect(),
    }
}

fn not_found() -> ApiFailure {
    WebError::NotFound("Bookmark or work not found, or not visible to you.".into()).into()
}

/// A refusal as the API answers it (someone else's bookmark is not there
/// for the caller).
fn refused(refusal: BookmarkRefusal) -> ApiFailure {
    let field = match refusal {
        BookmarkRefusal::NotFound | BookmarkRefusal::NotYours => return not_found(),
        BookmarkRefusal::NotesTooLong => "notes",
        BookmarkRefusal::TagTooLong(_)
        | BookmarkRefusal::TooManyTags
        | BookmarkRefusal::BadTag(_) => "tags",
        BookmarkRefusal::NotYourPseud => "pseud_id",
        BookmarkRefusal::AlreadyBookmarked | BookmarkRefusal::Suspended => "bookmark",
        BookmarkRefusal::External(_) => "external",
    };
    ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
        field,
        message: refusal.to_string(),
    }])
}

/// A work's public bookmarks.
#[utoipa::path(
    get, path = "/api/v1/works/{id}/bookmarks", tag = "bookmarks",
    params(("id" = i64, Path, description = "Work id"), BookmarksQuery),
    responses(
        (status = 200, description = "A page of bookmarks", body = BookmarksJson),
        (status = 400, description = "Bad id or page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn work_list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<BookmarksQuery>,
) -> Result<Json<BookmarksJson>, ApiFailure> {
    let id = params::id(&id, "work")?;
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let Found::Visible((_, listed)) = st.db(move |s| s.work_bookmarks(id, viewer, page)).await?
    else {
        return Err(not_found());
    };
    Ok(Json(page_json(&listed, viewer.user_id())))
}

/// A series' public bookmarks.
#[utoipa::path(
    get, path = "/api/v1/series/{id}/bookmarks", tag = "bookmarks",
    params(("id" = i64, Path, description = "Series id"), BookmarksQuery),
    responses(
        (status = 200, description = "A page of bookmarks", body = BookmarksJson),
        (status = 400, description = "Bad id or page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such series, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn series_list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<BookmarksQuery>,
) -> Result<Json<BookmarksJson>, ApiFailure> {
    let id = params::id(&id, "series")?;
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let Some((_, listed)) = st.db(move |s| s.series_bookmarks(id, viewer, page)).await? else {
        return Err(not_found());
    };
    Ok(Json(page_json(&listed, viewer.user_id())))
}

/// An external work's public bookmarks.
#[utoipa::path(
    get, path = "/api/v1/external_works/{id}/bookmarks", tag = "bookmarks",
    params(("id" = i64, Path, description = "External work id"), BookmarksQuery),
    responses(
        (status = 200, description = "A page of bookmarks", body = BookmarksJson),
        (status = 400, description = "Bad id or page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such external work", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn external_list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<BookmarksQuery>,
) -> Result<Json<BookmarksJson>, ApiFailure> {
    let id = params::id(&id, "external work")?;
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let Some((_, listed)) = st
        .db(move |s| s.external_work_bookmarks(id, viewer, page))
        .await?
    else {
        return Err(not_found());
    };
    Ok(Json(page_json(&listed, viewer.user_id())))
}

/// An account's bookmarks (its private ones to itself only).
#[utoipa::path(
    get, path = "/api/v1/users/{login}/bookmarks", tag = "bookmarks",
    params(("login" = String, Path, description = "Account login"), BookmarksQuery),
    responses(
        (status = 200, description = "A page of bookmarks", body = BookmarksJson),
        (status = 400, description = "Bad page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn user_list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
    ApiQuery(q): ApiQuery<BookmarksQuery>,
) -> Result<Json<BookmarksJson>, ApiFailure> {
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let listed = st
        .db(move |s| match s.user_for_login(&login)? {
            Some((user, _)) => Ok(Some(s.user_bookmarks(user.id, viewer, page)?)),
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| ApiFailure::from(WebError::NotFound("No such account.".into())))?;
    Ok(Json(page_json(&listed, viewer.user_id())))
}

/// One bookmark.
#[utoipa::path(
    get, path = "/api/v1/bookmarks/{id}", tag = "bookmarks",
    params(("id" = i64, Path, description = "Bookmark id")),
    responses(
        (status = 200, description = "The bookmark", body = BookmarkJson),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such bookmark, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn show(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<BookmarkJson>, ApiFailure> {
    let id = params::id(&id, "bookmark")?;
    let viewer = caller.visitor().viewer();
    match st.db(move |s| s.bookmark(id, viewer)).await? {
        // The API has no log-in page: what a guest may not see is not there.
        Found::Visible(b) => Ok(Json(bookmark_json(&b, viewer.user_id()))),
        Found::LogInFirst | Found::NotFound => Err(not_found()),
    }
}

/// Bookmark a work.
#[utoipa::path(
    post, path = "/api/v1/works/{id}/bookmarks", tag = "bookmarks",
    params(("id" = i64, Path, description = "Work id")),
    request_body = BookmarkInputJson,
    responses(
        (status = 201, description = "Bookmarked", body = BookmarkJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: bookmarked already, notes too long, not your pseud…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<BookmarkInputJson>, ApiFailure>,
) -> Result<(StatusCode, Json<BookmarkJson>), ApiFailure> {
    let id = params::id(&id, "work")?;
    save(st, caller, BookmarkKind::Work, id, body).await
}

/// Bookmark a series.
#[utoipa::path(
    post, path = "/api/v1/series/{id}/bookmarks", tag = "bookmarks",
    params(("id" = i64, Path, description = "Series id")),
    request_body = BookmarkInputJson,
    responses(
        (status = 201, description = "Bookmarked", body = BookmarkJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such series, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: bookmarked already, notes too long, not your pseud…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create_for_series(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<BookmarkInputJson>, ApiFailure>,
) -> Result<(StatusCode, Json<BookmarkJson>), ApiFailure> {
    let id = params::id(&id, "series")?;
    save(st, caller, BookmarkKind::Series, id, body).await
}

/// Bookmark a work elsewhere on the web (`external` required).
#[utoipa::path(
    post, path = "/api/v1/bookmarks", tag = "bookmarks",
    request_body = BookmarkInputJson,
    responses(
        (status = 201, description = "Bookmarked", body = BookmarkJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: no or bad external work, bookmarked already…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create_external(
    State(st): State<AppState>,
    caller: ApiCaller,
    body: Result<ApiJson<BookmarkInputJson>, ApiFailure>,
) -> Result<(StatusCode, Json<BookmarkJson>), ApiFailure> {
    save(st, caller, BookmarkKind::ExternalWork, 0, body).await
}

/// `external` given where it does not belong, or missing where it must be.
fn external_misplaced(message: &str) -> ApiFailure {
    ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
        field: "external",
        message: message.into(),
    }])
}

/// Creates a bookmark of `kind` (`id` for a work or series) from `body`.
async fn save(
    st: AppState,
    caller: ApiCaller,
    kind: BookmarkKind,
    id: i64,
    body: Result<ApiJson<BookmarkInputJson>, ApiFailure>,
) -> Result<(StatusCode, Json<BookmarkJson>), ApiFailure> {
    caller.writer()?;
    let ApiJson(input) = body?;
    match (kind, &input.external) {
        (BookmarkKind::ExternalWork, None) => {
            return Err(external_misplaced("Give the external work to bookmark."));
        }
        (BookmarkKind::Work | BookmarkKind::Series, Some(_)) => {
            return Err(external_misplaced(
                "An external work is bookmarked through POST /api/v1/bookmarks.",
            ));
        }
        _ => {}
    }
    let viewer = caller.visitor().viewer();
    let created = st
        .db(move |s| {
            let tags = match tag_string(&input.tags.unwrap_or_default()) {
                Ok(t) => t,
                Err(r) => return Ok(Err(r)),
            };
            let form = BookmarkForm {
                pseud_id: input.pseud_id,
                notes: input.notes.as_deref().unwrap_or(""),
                tag_string: &tags,
                private: input.private.unwrap_or(false),
                rec: input.rec.unwrap_or(false),
            };
            let external = input.external.unwrap_or_default();
            let (fandoms, relationships, characters) = match (
                tag_string(&external.fandoms),
                tag_string(&external.relationships),
                tag_string(&external.characters),
            ) {
                (Ok(f), Ok(r), Ok(c)) => (f, r, c),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Ok(Err(e)),
            };
            let of = match kind {
                BookmarkKind::Work => BookmarkOf::Work(id),
                BookmarkKind::Series => BookmarkOf::Series(id),
                BookmarkKind::ExternalWork => BookmarkOf::External(ExternalWorkForm {
                    url: &external.url,
                    title: &external.title,
                    creator: &external.creator,
                    summary: external.summary.as_deref().unwrap_or(""),
                    fandoms: &fandoms,
                    rating: external.rating.as_deref().unwrap_or(""),
                    categories: &external.categories,
                    relationships: &relationships,
                    characters: &characters,
                }),
            };
            let outcome =
                ficus_app::bookmarks::create(s, viewer, of, &form, chrono::Utc::now().naive_utc())?;
            Ok(match outcome {
                Ok(bid) => Ok(s.bookmark(bid, viewer)?),
                Err(r) => Err(r),
            })
        })
        .await?
        .map_err(refused)?;
    match created {
        Found::Visible(b) => Ok((
            StatusCode::CREATED,
            Json(bookmark_json(&b, viewer.user_id())),
        )),
        Found::LogInFirst | Found::NotFound => Err(not_found()),
    }
}

/// Change your bookmark.
#[utoipa::path(
    patch, path = "/api/v1/bookmarks/{id}", tag = "bookmarks",
    params(("id" = i64, Path, description = "Bookmark id")),
    request_body = BookmarkInputJson,
    responses(
        (status = 200, description = "The bookmark as it is now", body = BookmarkJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such bookmark of yours", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: notes too long, not your pseud…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn update(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<BookmarkInputJson>, ApiFailure>,
) -> Result<Json<BookmarkJson>, ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "bookmark")?;
    let ApiJson(input) = body?;
    if input.external.is_some() {
        return Err(external_misplaced(
            "An external work's details are not changed through a bookmark.",
        ));
    }
    let viewer = caller.visitor().viewer();
    let updated = st
        .db(move |s| {
            // Omitted fields keep the bookmark's values.
            let current = match s.bookmark(id, viewer)? {
                Found::Visible(b) if b.user_id == user.id => b,
                _ => return Ok(Err(BookmarkRefusal::NotFound)),
            };
            let tags = match input.tags {
                Some(t) => match tag_string(&t) {
                    Ok(t) => t,
                    Err(r) => return Ok(Err(r)),
                },
                None => current
                    .tags
                    .iter()
                    .map(|t| t.1.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            let form = BookmarkForm {
                pseud_id: input.pseud_id,
                notes: input.notes.as_deref().unwrap_or(&current.notes),
                tag_string: &tags,
                private: input.private.unwrap_or(current.private),
                rec: input.rec.unwrap_or(current.rec),
            };
            let outcome =
                ficus_app::bookmarks::update(s, viewer, id, &form, chrono::Utc::now().naive_utc())?;
            Ok(match outcome {
                Ok(()) => Ok(s.bookmark(id, viewer)?),
                Err(r) => Err(r),
            })
        })
        .await?
        .map_err(refused)?;
    match updated {
        Found::Visible(b) => Ok(Json(bookmark_json(&b, viewer.user_id()))),
        Found::LogInFirst | Found::NotFound => Err(not_found()),
    }
}

/// Delete your bookmark.
#[utoipa::path(
    delete, path = "/api/v1/bookmarks/{id}", tag = "bookmarks",
    params(("id" = i64, Path, description = "Bookmark id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such bookmark of yours", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn delete(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "bookmark")?;
    let viewer = caller.visitor().viewer();
    st.db(move |s| ficus_app::bookmarks::delete(s, viewer, id))
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}
