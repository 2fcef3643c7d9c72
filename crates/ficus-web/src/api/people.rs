//! The caller's blocked and muted accounts through the API:
//! `GET /api/v1/blocked` and `/api/v1/muted` (the list), `PUT` and
//! `DELETE /api/v1/blocked/{login}` and `/api/v1/muted/{login}` (add,
//! remove) — the same store calls as `/users/{login}/blocked` and
//! `/muted`, with their limits and refusals.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_core::people::Relation;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure};
use crate::AppState;

/// The accounts on one of the caller's lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleJson {
    /// Logins, alphabetically.
    pub logins: Vec<String>,
}

async fn list(
    st: AppState,
    caller: ApiCaller,
    relation: Relation,
) -> Result<Json<PeopleJson>, ApiFailure> {
    let user = caller.user.clone().ok_or_else(|| {
        ApiFailure::Unauthenticated("This list needs an account: send a personal API token.".into())
    })?;
    let people = st.db(move |s| s.related(relation, user.id)).await?;
    Ok(Json(PeopleJson {
        logins: people.into_iter().map(|(_, login)| login).collect(),
    }))
}

async fn change(
    st: AppState,
    caller: ApiCaller,
    relation: Relation,
    login: String,
    on: bool,
) -> Result<StatusCode, ApiFailure> {
    let user = caller.writer()?;
    let now = chrono::Utc::now().naive_utc();
    st.db(move |s| s.set_related(relation, user.id, &login, on, now))
        .await?
        .map_err(|refusal| {
            ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
                field: "login",
                message: refusal.to_string(),
            }])
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// The accounts you blocked.
#[utoipa::path(
    get, path = "/api/v1/blocked", tag = "people",
    responses(
        (status = 200, description = "Your blocked accounts", body = PeopleJson),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn blocked(
    State(st): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<PeopleJson>, ApiFailure> {
    list(st, caller, Relation::Block).await
}

/// The accounts you muted.
#[utoipa::path(
    get, path = "/api/v1/muted", tag = "people",
    responses(
        (status = 200, description = "Your muted accounts", body = PeopleJson),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn muted(
    State(st): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<PeopleJson>, ApiFailure> {
    list(st, caller, Relation::Mute).await
}

/// Block an account: it cannot comment on or leave kudos on your works or
/// reply to your comments, and its works and comments leave what you see.
#[utoipa::path(
    put, path = "/api/v1/blocked/{login}", tag = "people",
    params(("login" = String, Path, description = "The account to block")),
    responses(
        (status = 204, description = "Blocked"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 422, description = "Yourself, no such account, or the list is full", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn block(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    change(st, caller, Relation::Block, login, true).await
}

/// Unblock an account.
#[utoipa::path(
    delete, path = "/api/v1/blocked/{login}", tag = "people",
    params(("login" = String, Path, description = "The account to unblock")),
    responses(
        (status = 204, description = "Not blocked (any more)"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 422, description = "Yourself, or no such account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn unblock(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    change(st, caller, Relation::Block, login, false).await
}

/// Mute an account: its works leave your listings, searches and feeds.
#[utoipa::path(
    put, path = "/api/v1/muted/{login}", tag = "people",
    params(("login" = String, Path, description = "The account to mute")),
    responses(
        (status = 204, description = "Muted"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 422, description = "Yourself, no such account, or the list is full", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn mute(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    change(st, caller, Relation::Mute, login, true).await
}

/// Unmute an account.
#[utoipa::path(
    delete, path = "/api/v1/muted/{login}", tag = "people",
    params(("login" = String, Path, description = "The account to unmute")),
    responses(
        (status = 204, description = "Not muted (any more)"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 422, description = "Yourself, or no such account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn unmute(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    change(st, caller, Relation::Mute, login, false).await
}
