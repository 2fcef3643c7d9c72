//! Kudos through the API: `GET /api/v1/works/{id}/kudos` (who left them,
//! 50 accounts a page, and how many guests) and `POST` (leave kudos with a
//! token; the same use case as the work page's button).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_app::kudos::Who;
use ficus_core::kudos::KudosRefusal;
use ficus_store::{ChapterChoice, Found};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params;

/// One account that left kudos.
#[derive(Debug, Serialize, ToSchema)]
pub struct KudosGiverJson {
    pub login: String,
    /// When, `YYYY-MM-DDTHH:MM:SSZ`.
    pub left_at: String,
}

/// A page of the accounts that left kudos on a work, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct KudosJson {
    pub work_id: i64,
    pub work_title: String,
    pub users: Vec<KudosGiverJson>,
    /// Accounts in all.
    pub users_total: u64,
    /// Guests (and deleted accounts) who left kudos.
    pub guests: u64,
    /// All kudos: accounts and guests.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The answer to leaving kudos.
#[derive(Debug, Serialize, ToSchema)]
pub struct KudosLeftJson {
    pub work_id: i64,
    /// The work's kudos now, yours included.
    pub total: u64,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct KudosPage {
    /// Page, from 1.
    pub page: Option<u32>,
}

/// The work's title, when the caller may see it.
async fn visible(st: &AppState, caller: &ApiCaller, id: i64) -> Result<String, ApiFailure> {
    let viewer = caller.visitor().viewer();
    match st
        .db(move |s| s.read_work(id, viewer, ChapterChoice::NoText))
        .await?
    {
        Found::Visible(reading) => Ok(reading.work.title),
        Found::LogInFirst | Found::NotFound => {
            Err(WebError::NotFound("Work not found, or not visible to you.".into()).into())
        }
    }
}

/// Who left kudos on a work.
#[utoipa::path(
    get, path = "/api/v1/works/{id}/kudos", tag = "kudos",
    params(("id" = i64, Path, description = "Work id"), KudosPage),
    responses(
        (status = 200, description = "A page of the accounts, and the guests", body = KudosJson),
        (status = 400, description = "Bad id or page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such work or page, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<KudosPage>,
) -> Result<Json<KudosJson>, ApiFailure> {
    let id = params::id(&id, "work")?;
    let page = super::page_param(q.page)?;
    let work_title = visible(&st, &caller, id).await?;
    let (names, guests) = st.db(move |s| s.kudos_names(id, page)).await?;
    let pages = names.total.div_ceil(u64::from(names.per_page)).max(1);
    if u64::from(page) > pages {
        return Err(WebError::NotFound(format!("There are only {pages} pages of kudos.")).into());
    }
    Ok(Json(KudosJson {
        work_id: id,
        work_title,
        users_total: names.total,
        guests,
        total: names.total + guests,
        page,
        per_page: names.per_page,
        users: names
            .items
            .into_iter()
            .map(|n| KudosGiverJson {
                login: n.login,
                left_at: n.at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            })
            .collect(),
    }))
}

/// Leave kudos on a work (once; never on your own).
#[utoipa::path(
    post, path = "/api/v1/works/{id}/kudos", tag = "kudos",
    params(("id" = i64, Path, description = "Work id")),
    responses(
        (status = 201, description = "Kudos left", body = KudosLeftJson),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
        (status = 422, description = "Already left, or your own work", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn leave(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<KudosLeftJson>), ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "work")?;
    let viewer = caller.visitor().viewer();
    let key = st.visitor_key.clone();
    let outcome = st
        .db(move |s| {
            let left = ficus_app::kudos::leave(
                s,
                &key,
                id,
                Who::Account {
                    viewer,
                    user_id: user.id,
                },
            )?;
            let total = s.kudos_sentence(id)?;
            Ok::<_, ficus_store::StoreError>(
                left.map(|()| total.names.len() as u64 + total.more_users + total.guests),
            )
        })
        .await?;
    match outcome {
        Ok(total) => Ok((
            StatusCode::CREATED,
            Json(KudosLeftJson { work_id: id, total }),
        )),
        Err(KudosRefusal::NotFound) => {
            Err(WebError::NotFound("Work not found, or not visible to you.".into()).into())
        }
        Err(refusal) => Err(ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
            field: "work",
            message: refusal.to_string(),
        }])),
    }
}
