//! Moderators and admins: hide and unhide works and bookmarks; read the
//! audit log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{AuditPage, AuditRow, Chrome};

/// Longest reason recorded with a moderation action.
const MAX_REASON_CHARS: usize = 500;

fn require_moderator(visitor: &Visitor) -> Result<i64, WebError> {
    match &visitor.user {
        Some(u) if visitor.viewer().moderates() => Ok(u.id),
        Some(_) => Err(WebError::Forbidden(
            "Only moderators and admins can do that.".into(),
        )),
        None => Err(WebError::NotFound(
            "There is no page at this address.".into(),
        )),
    }
}

/// What a moderator hides.
#[derive(Clone, Copy)]
enum Hideable {
    Work,
    Bookmark,
}

async fn set_hidden(
    st: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    (what, id): (Hideable, String),
    form: StrictForm,
    hidden: bool,
) -> Result<Response, WebError> {
    let actor = require_moderator(&visitor)?;
    let id = params::id(
        &id,
        match what {
            Hideable::Work => "work",
            Hideable::Bookmark => "bookmark",
        },
    )?;
    let fields = form.0;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    verify_csrf(&st, &headers, get(CSRF_FIELD))?;
    let reason: String = get("reason")
        .unwrap_or("")
        .chars()
        .take(MAX_REASON_CHARS)
        .collect();
    let now = chrono::Utc::now().naive_utc();
    let found = st
        .db(move |s| match what {
            Hideable::Work => s.set_hidden(id, hidden, actor, &reason),
            Hideable::Bookmark => s.set_bookmark_hidden(id, hidden, actor, &reason, now),
        })
        .await?;
    match (found, what) {
        (false, Hideable::Work) => Err(WebError::NotFound("This work does not exist.".into())),
        (false, Hideable::Bookmark) => {
            Err(WebError::NotFound("This bookmark does not exist.".into()))
        }
        (true, Hideable::Work) => Ok(Redirect::to("/admin/audit").into_response()),
        (true, Hideable::Bookmark) => Ok(Redirect::to(&format!("/bookmarks/{id}")).into_response()),
    }
}

/// `POST /works/{id}/hide`.
pub async fn hide(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    set_hidden(st, visitor, headers, (Hideable::Work, id), form, true).await
}

/// `POST /works/{id}/unhide`.
pub async fn unhide(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    set_hidden(st, visitor, headers, (Hideable::Work, id), form, false).await
}

/// `POST /bookmarks/{id}/hide`.
pub async fn hide_bookmark(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    set_hidden(st, visitor, headers, (Hideable::Bookmark, id), form, true).await
}

/// `POST /bookmarks/{id}/unhide`.
pub async fn unhide_bookmark(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    set_hidden(st, visitor, headers, (Hideable::Bookmark, id), form, false).await
}

/// `GET /admin/audit`.
pub async fn audit(State(st): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    require_moderator(&visitor)?;
    let entries = st.db(|s| s.audit_entries(500)).await?;
    let page = AuditPage {
        chrome: Chrome::of(&visitor),
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor: e.actor.unwrap_or_else(|| "(deleted account)".into()),
                action: e.action,
                work_id: e.work_id,
                detail: e.detail.unwrap_or_default(),
            })
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}
