//! Gift exchanges through the API, on the same use cases as the pages:
//! `GET /api/v1/collections/{name}/gift_exchange` (the challenge as
//! everyone sees it), `GET`/`PUT`/`DELETE
//! /api/v1/collections/{name}/signup` (the caller's own sign-up) and
//! `GET /api/v1/assignments` (the caller's assignments, with what each
//! recipient asked for). Running an exchange (settings, matching,
//! sending, pinch hitters) stays on the maintainers' pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_core::exchange::rules::{ExchangeRefusal, PromptForm};
use ficus_core::posting::FieldError;
use ficus_store::exchanges::{AssignmentRecord, ExchangeRecord, PromptRecord, SignupRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiJson};
use crate::AppState;
use crate::error::WebError;

fn when(t: Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(|t| t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A gift exchange as everyone sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeJson {
    /// Sign-ups are taken now.
    pub signups_open: bool,
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC), when set.
    pub signups_open_at: Option<String>,
    pub signups_close_at: Option<String>,
    pub assignments_due_at: Option<String>,
    pub reveal_at: Option<String>,
    pub requests_required: u32,
    pub requests_allowed: u32,
    pub offers_required: u32,
    pub offers_allowed: u32,
    /// Shared tags a match needs, by kind.
    pub match_fandoms: u32,
    pub match_characters: u32,
    pub match_relationships: u32,
    pub match_freeforms: u32,
    /// Sanitized HTML.
    pub instructions: String,
    pub signups: i64,
    /// Assignments have been sent out.
    pub assignments_sent: bool,
}

impl ExchangeJson {
    fn of(e: &ExchangeRecord) -> ExchangeJson {
        let s = &e.settings;
        ExchangeJson {
            signups_open: e.sent_at.is_none() && s.signups_open(chrono::Utc::now().naive_utc()),
            signups_open_at: when(s.signups_open_at),
            signups_close_at: when(s.signups_close_at),
            assignments_due_at: when(s.assignments_due_at),
            reveal_at: when(s.reveal_at),
            requests_required: s.requests_required,
            requests_allowed: s.requests_allowed,
            offers_required: s.offers_required,
            offers_allowed: s.offers_allowed,
            match_fandoms: s.rules.fandoms,
            match_characters: s.rules.characters,
            match_relationships: s.rules.relationships,
            match_freeforms: s.rules.freeforms,
            instructions: s.instructions.clone(),
            signups: e.signups,
            assignments_sent: e.sent_at.is_some(),
        }
    }
}

/// One request or offer: tag names by kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromptJson {
    pub fandoms: Vec<String>,
    pub characters: Vec<String>,
    pub relationships: Vec<String>,
    pub freeforms: Vec<String>,
    /// Sanitized HTML.
    pub description: String,
}

impl PromptJson {
    fn of(p: &PromptRecord) -> PromptJson {
        PromptJson {
            fandoms: p.fandoms.clone(),
            characters: p.characters.clone(),
            relationships: p.relationships.clone(),
            freeforms: p.freeforms.clone(),
            description: p.description.clone(),
        }
    }
}

/// A sign-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupJson {
    pub id: i64,
    pub collection: String,
    pub requests: Vec<PromptJson>,
    pub offers: Vec<PromptJson>,
}

impl SignupJson {
    fn of(s: &SignupRecord, collection: &str) -> SignupJson {
        SignupJson {
            id: s.id,
            collection: collection.to_string(),
            requests: s.requests.iter().map(PromptJson::of).collect(),
            offers: s.offers.iter().map(PromptJson::of).collect(),
        }
    }
}

/// One request or offer as given: tag names the archive has, by kind.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptInputJson {
    #[serde(default)]
    pub fandoms: Vec<String>,
    #[serde(default)]
    pub characters: Vec<String>,
    #[serde(default)]
    pub relationships: Vec<String>,
    #[serde(default)]
    pub freeforms: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl PromptInputJson {
    fn form(&self) -> PromptForm {
        PromptForm {
            fandoms: self.fandoms.join(","),
            characters: self.characters.join(","),
            relationships: self.relationships.join(","),
            freeforms: self.freeforms.join(","),
            description: self.description.clone().unwrap_or_default(),
        }
    }
}

/// A sign-up as given (it replaces the caller's earlier one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupInputJson {
    #[serde(default)]
    pub requests: Vec<PromptInputJson>,
    #[serde(default)]
    pub offers: Vec<PromptInputJson>,
}

/// An assignment the caller writes.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentJson {
    pub id: i64,
    pub collection: String,
    /// The recipient's pseud (the gift goes to it).
    pub recipient: String,
    /// `open`, `complete`, `defaulted` or `pinch_hit`.
    pub status: String,
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC), when set.
    pub due_at: Option<String>,
    /// The work posted (or drafted) for it.
    pub work_id: Option<i64>,
    /// What the recipient asked for.
    pub requests: Vec<PromptJson>,
}

fn refused(r: ExchangeRefusal) -> ApiFailure {
    match r {
        ExchangeRefusal::NotFound | ExchangeRefusal::NotAnExchange => {
            WebError::NotFound(r.to_string()).into()
        }
        ExchangeRefusal::NotMaintainer => WebError::Forbidden(r.to_string()).into(),
        _ => ApiFailure::Invalid(vec![FieldError {
            field: "signup",
            message: r.to_string(),
        }]),
    }
}

/// The collection's id and its exchange, or 404.
async fn exchange_of(st: &AppState, name: String) -> Result<(i64, ExchangeRecord), ApiFailure> {
    let lookup = name.clone();
    let found = st
        .db(move |s| {
            let Some(c) = s.collection_by_name(&lookup)? else {
                return Ok(None);
            };
            Ok(s.exchange(c.id)?.map(|e| (c.id, e)))
        })
        .await?;
    found.ok_or_else(|| {
        WebError::NotFound(format!("There is no gift exchange named {name:?}.")).into()
    })
}

/// A collection's gift exchange.
#[utoipa::path(
    get, path = "/api/v1/collections/{name}/gift_exchange", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    responses(
        (status = 200, description = "The challenge", body = ExchangeJson),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such gift exchange", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn show(
    State(st): State<AppState>,
    _caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<ExchangeJson>, ApiFailure> {
    let (_, e) = exchange_of(&st, name).await?;
    Ok(Json(ExchangeJson::of(&e)))
}

/// The caller's sign-up for a gift exchange.
#[utoipa::path(
    get, path = "/api/v1/collections/{name}/signup", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    responses(
        (status = 200, description = "The caller's sign-up", body = SignupJson),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such gift exchange, or no sign-up", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn own_signup(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<SignupJson>, ApiFailure> {
    let user = caller.writer()?;
    let (cid, _) = exchange_of(&st, name.clone()).await?;
    let found = st.db(move |s| s.signup_of(cid, user.id)).await?;
    let s = found.ok_or_else(|| {
        ApiFailure::from(WebError::NotFound(
            "You have not signed up for this gift exchange.".into(),
        ))
    })?;
    Ok(Json(SignupJson::of(&s, &name)))
}

/// Sign up for a gift exchange, or change the caller's sign-up (while
/// sign-ups are open).
#[utoipa::path(
    put, path = "/api/v1/collections/{name}/signup", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    request_body = SignupInputJson,
    responses(
        (status = 200, description = "The sign-up as stored", body = SignupJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such gift exchange", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused (closed, counts, unknown tags)", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn sign_up(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    body: Result<ApiJson<SignupInputJson>, ApiFailure>,
) -> Result<Json<SignupJson>, ApiFailure> {
    let user = caller.writer()?;
    let (cid, _) = exchange_of(&st, name.clone()).await?;
    let ApiJson(input) = body?;
    let requests: Vec<PromptForm> = input.requests.iter().map(PromptInputJson::form).collect();
    let offers: Vec<PromptForm> = input.offers.iter().map(PromptInputJson::form).collect();
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    let stored = st
        .db(move |s| {
            match ficus_app::exchanges::sign_up(s, viewer, cid, &requests, &offers, now)? {
                Ok(_) => Ok(Ok(s.signup_of(cid, user.id)?)),
                Err(r) => Ok(Err(r)),
            }
        })
        .await?
        .map_err(refused)?;
    let s = stored
        .ok_or_else(|| ApiFailure::from(WebError::NotFound("The sign-up is gone.".into())))?;
    Ok(Json(SignupJson::of(&s, &name)))
}

/// Withdraw the caller's sign-up (while sign-ups are open).
#[utoipa::path(
    delete, path = "/api/v1/collections/{name}/signup", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such gift exchange, or no sign-up", body = ErrorBody),
        (status = 422, description = "Sign-ups are closed", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn withdraw(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let user = caller.writer()?;
    let (cid, _) = exchange_of(&st, name).await?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    st.db(move |s| match s.signup_of(cid, user.id)? {
        Some(mine) => ficus_app::exchanges::withdraw(s, viewer, mine.id, now),
        None => Ok(Err(ExchangeRefusal::NotFound)),
    })
    .await?
    .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The assignments the caller writes (sent out, as giver or pinch
/// hitter), newest exchange first.
#[utoipa::path(
    get, path = "/api/v1/assignments", tag = "collections",
    responses(
        (status = 200, description = "The caller's assignments", body = Vec<AssignmentJson>),
        (status = 401, description = "No valid API token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn assignments(
    State(st): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<AssignmentJson>>, ApiFailure> {
    let user = caller.writer()?;
    let listed: Vec<(AssignmentRecord, Option<SignupRecord>)> = st
        .db(move |s| {
            s.user_assignments(user.id)?
                .into_iter()
                .map(|a| {
                    let recipient = s.signup(a.recipient_signup_id)?;
                    Ok((a, recipient))
                })
                .collect()
        })
        .await?;
    Ok(Json(
        listed
            .into_iter()
            .map(|(a, r)| AssignmentJson {
                id: a.id,
                collection: a.collection_name,
                recipient: a.recipient_pseud,
                status: a.status.as_str().to_string(),
                due_at: when(a.due_at),
                work_id: a.work.map(|w| w.0),
                requests: r
                    .map(|r| r.requests.iter().map(PromptJson::of).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    ))
}
