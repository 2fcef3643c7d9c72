//! Following through the API, on the same store calls as the pages: the
//! caller's subscriptions (`GET`/`POST /api/v1/subscriptions`, `PATCH`
//! (its e-mail) and `DELETE /api/v1/subscriptions/{id}`), the updates they brought (`GET
//! /api/v1/subscriptions/updates`), the reading history (`GET
//! /api/v1/readings`, `?to_read=true` for Marked for Later; `DELETE
//! /api/v1/readings/{work_id}`) and marking (`POST
//! /api/v1/works/{id}/mark_for_later`, `.../mark_as_read`). Reads take a
//! token or the session; changes take a token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_app::subscriptions::Target;
use ficus_core::mail::SubscriptionMail;
use ficus_store::Found;
use ficus_store::subscriptions::{SubscriptionKind, SubscriptionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params;

fn stamp(at: chrono::NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn signed_in(caller: &ApiCaller) -> Result<ficus_store::UserRecord, ApiFailure> {
    caller.user.clone().ok_or_else(|| {
        ApiFailure::Unauthenticated(
            "This needs an account: a personal API token (Authorization: Bearer TOKEN).".into(),
        )
    })
}

/// One subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionJson {
    pub id: i64,
    /// "work", "series", "user", "tag" or "search".
    pub kind: String,
    /// What it follows (for a search, the saved search's id).
    pub target_id: i64,
    /// For a search: the listing's address with its filters.
    pub search: Option<String>,
    /// E-mail: "immediate", "daily", "weekly" or "off".
    pub mail: String,
    pub created_at: String,
}

impl From<SubscriptionRecord> for SubscriptionJson {
    fn from(s: SubscriptionRecord) -> Self {
        SubscriptionJson {
            id: s.id,
            kind: s.kind.as_str().into(),
            target_id: s.target_id,
            search: s.search.map(|x| x.href()),
            mail: s.mail.as_str().into(),
            created_at: stamp(s.created_at),
        }
    }
}

/// The caller's subscriptions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionsJson {
    pub subscriptions: Vec<SubscriptionJson>,
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscriptionJson {
    /// "work", "series", "user", "tag" or "search".
    pub kind: String,
    /// The work, series, account or tag (not for a search).
    pub target_id: Option<i64>,
    /// For a search: a listing's address with its filters (`/works?...`,
    /// `/works/search?...` or `/tags/NAME/works?...`).
    pub search: Option<String>,
    /// E-mail: "immediate", "daily", "weekly" or "off" (default: a
    /// message each for works, series and accounts; a daily digest for
    /// tags and searches).
    pub mail: Option<String>,
}

/// A subscription's e-mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionMailJson {
    /// "immediate", "daily", "weekly" or "off".
    pub mail: String,
}

fn mail_of(raw: &str) -> Result<SubscriptionMail, ApiFailure> {
    SubscriptionMail::parse(raw).ok_or_else(|| {
        WebError::BadRequest(format!(
            "mail is immediate, daily, weekly or off, not {raw:?}."
        ))
        .into()
    })
}

/// One update a subscription brought.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateJson {
    /// `null` when the work is no longer there for the caller.
    pub work_id: Option<i64>,
    pub work_title: Option<String>,
    pub chapter_id: Option<i64>,
    /// "work" (a new work) or "chapter" (a new chapter).
    pub event: String,
    /// The kind of subscription that brought it.
    pub reason: String,
    pub created_at: String,
}

/// A page of updates, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdatesJson {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub updates: Vec<UpdateJson>,
}

/// One entry of the reading history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingJson {
    pub work_id: i64,
    /// `null` when the caller may no longer see the work.
    pub work_title: Option<String>,
    pub last_viewed: String,
    pub views: i64,
    pub marked_for_later: bool,
    /// The work changed since it was last read.
    pub update_available: bool,
}

/// A page of the reading history, last read first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingsJson {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub readings: Vec<ReadingJson>,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page, from 1.
    pub page: Option<u32>,
}

/// `?to_read=` and `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ReadingsQuery {
    /// Only what is marked for later.
    pub to_read: Option<bool>,
    /// Page, from 1.
    pub page: Option<u32>,
}

fn not_found(what: &str) -> ApiFailure {
    WebError::NotFound(format!("No such {what}, or not visible to you.")).into()
}

/// The caller's subscriptions.
#[utoipa::path(
    get, path = "/api/v1/subscriptions", tag = "following",
    responses(
        (status = 200, description = "The caller's subscriptions", body = SubscriptionsJson),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn subscriptions(
    State(st): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<SubscriptionsJson>, ApiFailure> {
    let user = signed_in(&caller)?;
    let list = st.db(move |s| s.subscriptions_of(user.id)).await?;
    Ok(Json(SubscriptionsJson {
        subscriptions: list.into_iter().map(SubscriptionJson::from).collect(),
    }))
}

/// Subscribe to a work, a series, an account, a tag or a search.
#[utoipa::path(
    post, path = "/api/v1/subscriptions", tag = "following",
    request_body = NewSubscriptionJson,
    responses(
        (status = 201, description = "Subscribed (or already)", body = SubscriptionJson),
        (status = 400, description = "Malformed JSON or kind", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "Nothing to follow there, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn subscribe(
    State(st): State<AppState>,
    caller: ApiCaller,
    body: Result<ApiJson<NewSubscriptionJson>, ApiFailure>,
) -> Result<(StatusCode, Json<SubscriptionJson>), ApiFailure> {
    let user = caller.writer()?;
    let ApiJson(input) = body?;
    let kind = SubscriptionKind::parse(&input.kind).ok_or_else(|| {
        ApiFailure::from(WebError::BadRequest(
            "kind is work, series, user, tag or search.".into(),
        ))
    })?;
    let id = || {
        input.target_id.ok_or_else(|| {
            ApiFailure::from(WebError::BadRequest(
                "target_id names what to follow.".into(),
            ))
        })
    };
    let target = match kind {
        SubscriptionKind::Work => Target::Work(id()?),
        SubscriptionKind::Series => Target::Series(id()?),
        SubscriptionKind::User => Target::User(id()?),
        SubscriptionKind::Tag => Target::Tag(id()?),
        SubscriptionKind::Search => Target::Search(crate::filter_form::saved_search(
            input.search.as_deref().ok_or_else(|| {
                ApiFailure::from(WebError::BadRequest(
                    "search is the listing's address with its filters.".into(),
                ))
            })?,
        )?),
    };
    let mail = input.mail.as_deref().map(mail_of).transpose()?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    let made = st
        .db(move |s| {
            let made =
                match ficus_app::subscriptions::follow(s, user.id, viewer, &target, mail, now)? {
                    Ok(made) => made,
                    Err(refusal) => return Ok(Err(refusal)),
                };
            Ok(Ok(s
                .subscriptions_of(user.id)?
                .into_iter()
                .find(|x| x.id == made.id)))
        })
        .await?
        .map_err(WebError::from)?
        .ok_or_else(|| not_found("work, series, account or tag"))?;
    Ok((StatusCode::CREATED, Json(SubscriptionJson::from(made))))
}

/// Choose how a subscription's updates come by e-mail.
#[utoipa::path(
    patch, path = "/api/v1/subscriptions/{id}", tag = "following",
    params(("id" = i64, Path, description = "Subscription id")),
    request_body = SubscriptionMailJson,
    responses(
        (status = 200, description = "Changed", body = SubscriptionJson),
        (status = 400, description = "Bad id, JSON or mail", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such subscription of yours", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn set_mail(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<SubscriptionMailJson>, ApiFailure>,
) -> Result<Json<SubscriptionJson>, ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "subscription")?;
    let ApiJson(input) = body?;
    let mail = mail_of(&input.mail)?;
    let changed = st
        .db(move |s| {
            if !s.set_subscription_mail(user.id, id, mail)? {
                return Ok(None);
            }
            Ok(s.subscriptions_of(user.id)?
                .into_iter()
                .find(|x| x.id == id))
        })
        .await?
        .ok_or_else(|| not_found("subscription of yours"))?;
    Ok(Json(SubscriptionJson::from(changed)))
}

/// Unsubscribe.
#[utoipa::path(
    delete, path = "/api/v1/subscriptions/{id}", tag = "following",
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such subscription of yours", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn unsubscribe(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "subscription")?;
    if !st.db(move |s| s.unsubscribe(user.id, id)).await? {
        return Err(not_found("subscription of yours"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What the caller's subscriptions brought.
#[utoipa::path(
    get, path = "/api/v1/subscriptions/updates", tag = "following",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of updates", body = UpdatesJson),
        (status = 400, description = "Bad page", body = ErrorBody),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn updates(
    State(st): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<UpdatesJson>, ApiFailure> {
    let user = signed_in(&caller)?;
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let listed = st
        .db(move |s| s.subscription_updates(user.id, viewer, page))
        .await?;
    Ok(Json(UpdatesJson {
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        updates: listed
            .items
            .into_iter()
            .map(|u| UpdateJson {
                work_id: u.work.as_ref().map(|w| w.id),
                work_title: u.work.as_ref().map(|w| w.title.clone()),
                chapter_id: u.work.as_ref().map(|_| u.chapter_id),
                event: u.event,
                reason: u.reason,
                created_at: stamp(u.created_at),
            })
            .collect(),
    }))
}

/// The caller's reading history.
#[utoipa::path(
    get, path = "/api/v1/readings", tag = "following",
    params(ReadingsQuery),
    responses(
        (status = 200, description = "A page of the history", body = ReadingsJson),
        (status = 400, description = "Bad page", body = ErrorBody),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn readings(
    State(st): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ReadingsQuery>,
) -> Result<Json<ReadingsJson>, ApiFailure> {
    let user = signed_in(&caller)?;
    let page = super::page_param(q.page)?;
    let to_read = q.to_read.unwrap_or(false);
    let viewer = caller.visitor().viewer();
    let listed = st
        .db(move |s| s.readings(user.id, viewer, to_read, page))
        .await?;
    Ok(Json(ReadingsJson {
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        readings: listed
            .items
            .into_iter()
            .map(|r| ReadingJson {
                work_id: r.work_id,
                work_title: r.work.as_ref().map(|w| w.title.clone()),
                last_viewed: stamp(r.last_viewed),
                views: r.view_count,
                marked_for_later: r.to_read,
                update_available: r.update_available,
            })
            .collect(),
    }))
}

/// Take a work out of the caller's history.
#[utoipa::path(
    delete, path = "/api/v1/readings/{work_id}", tag = "following",
    params(("work_id" = i64, Path, description = "Work id")),
    responses(
        (status = 204, description = "Taken out"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "Not in your history", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn delete_reading(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(work_id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let user = caller.writer()?;
    let work_id = params::id(&work_id, "work")?;
    if !st.db(move |s| s.delete_reading(user.id, work_id)).await? {
        return Err(not_found("work in your history"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn mark(
    st: AppState,
    caller: ApiCaller,
    id: String,
    to_read: bool,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let work_id = params::id(&id, "work")?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    match st
        .db(move |s| s.mark_for_later(viewer, work_id, to_read, now))
        .await?
    {
        Found::Visible(()) => Ok(StatusCode::NO_CONTENT),
        Found::LogInFirst | Found::NotFound => Err(not_found("work")),
    }
}

/// Mark a work for later.
#[utoipa::path(
    post, path = "/api/v1/works/{id}/mark_for_later", tag = "following",
    params(("id" = i64, Path, description = "Work id")),
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn mark_for_later(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    mark(st, caller, id, true).await
}

/// Mark a work as read (no longer for later).
#[utoipa::path(
    post, path = "/api/v1/works/{id}/mark_as_read", tag = "following",
    params(("id" = i64, Path, description = "Work id")),
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn mark_as_read(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    mark(st, caller, id, false).await
}
