//! The caller's inbox through the API: `GET /api/v1/inbox` (AO3's
//! filters: read, replied to, date order) and `POST /api/v1/inbox` (mark
//! read or unread, or take items out).

use axum::Json;
use axum::extract::State;
use ficus_store::comments::{InboxAction, InboxFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::comments::{CommentJson, comment_json};
use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::WebError;

/// One inbox item.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItemJson {
    pub read: bool,
    pub replied_to: bool,
    pub work_title: String,
    pub comment: CommentJson,
}

/// A page of the caller's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxJson {
    /// Every item the caller sees, whatever the filter.
    pub total: u64,
    pub unread: u64,
    /// Items under this filter.
    pub filtered_total: u64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<InboxItemJson>,
}

/// Filters of the inbox.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct InboxQuery {
    /// Only read (`true`) or unread (`false`) items.
    pub read: Option<bool>,
    /// Only items replied to (`true`) or not (`false`).
    pub replied: Option<bool>,
    /// `desc` (newest first, the default) or `asc`.
    pub order: Option<String>,
    /// Page, from 1.
    pub page: Option<u32>,
}

/// What to do to chosen items.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxMarkJson {
    /// `read`, `unread` or `delete` (out of the inbox; the comment stays).
    pub action: String,
    pub comment_ids: Vec<i64>,
}

/// How many items changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxMarkedJson {
    pub changed: usize,
}

fn signed_in(caller: &ApiCaller) -> Result<ficus_store::UserRecord, ApiFailure> {
    caller.user.clone().ok_or_else(|| {
        ApiFailure::Unauthenticated(
            "The inbox needs an account: send a personal API token (Authorization: Bearer TOKEN)."
                .into(),
        )
    })
}

/// Your inbox: comments on your works and replies to your comments.
#[utoipa::path(
    get, path = "/api/v1/inbox", tag = "comments",
    params(InboxQuery),
    responses(
        (status = 200, description = "A page of the inbox", body = InboxJson),
        (status = 400, description = "Bad filter or page", body = ErrorBody),
        (status = 401, description = "No account", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list(
    State(st): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<InboxJson>, ApiFailure> {
    let user = signed_in(&caller)?;
    let page = super::page_param(q.page)?;
    let oldest_first = match q.order.as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(
                WebError::BadRequest(format!("order is asc or desc, not {other:?}.")).into(),
            );
        }
    };
    let filter = InboxFilter {
        read: q.read,
        replied: q.replied,
        oldest_first,
    };
    let viewer = caller.visitor().viewer();
    let inbox = st
        .db(move |s| s.inbox(user.id, viewer, filter, page))
        .await?;
    Ok(Json(InboxJson {
        total: inbox.total,
        unread: inbox.unread,
        filtered_total: inbox.items.total,
        page,
        per_page: inbox.items.per_page,
        items: inbox
            .items
            .items
            .iter()
            .map(|e| InboxItemJson {
                read: e.read,
                replied_to: e.replied_to,
                work_title: e.work_title.clone(),
                comment: comment_json(&e.node),
            })
            .collect(),
    }))
}

/// Mark inbox items read or unread, or take them out of the inbox.
#[utoipa::path(
    post, path = "/api/v1/inbox", tag = "comments",
    request_body = InboxMarkJson,
    responses(
        (status = 200, description = "Marked", body = InboxMarkedJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown action", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn mark(
    State(st): State<AppState>,
    caller: ApiCaller,
    body: Result<ApiJson<InboxMarkJson>, ApiFailure>,
) -> Result<Json<InboxMarkedJson>, ApiFailure> {
    let user = caller.writer()?;
    let ApiJson(input) = body?;
    let action = match input.action.as_str() {
        "read" => InboxAction::Read,
        "unread" => InboxAction::Unread,
        "delete" => InboxAction::Delete,
        other => {
            return Err(ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
                field: "action",
                message: format!("{other:?} is not one of read, unread, delete."),
            }]));
        }
    };
    let ids = input.comment_ids;
    let changed = st.db(move |s| s.mark_inbox(user.id, &ids, action)).await?;
    Ok(Json(InboxMarkedJson { changed }))
}
