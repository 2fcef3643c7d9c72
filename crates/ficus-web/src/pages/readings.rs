//! Reading history and Mark for Later, AO3's URLs: `/users/{login}/readings`
//! (`?show=to-read`: "Marked for Later"), its owner's only; `POST
//! /works/{id}/mark_for_later` and `/mark_as_read`; "Delete from History"
//! and "Clear History" (with a confirmation). Views are recorded by the
//! work page through `reading_log` (batched, like hits).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::bookmarks::ItemSight;
use ficus_store::Found;

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap};
use crate::templates::Chrome;
use crate::view::{self, Blurb, Pager, encode_segment, thousands};

/// One entry of the history as shown.
pub struct ReadingView {
    pub work_id: i64,
    pub blurb: Option<Blurb>,
    pub placeholder: &'static str,
    pub last_visited: String,
    pub update_available: bool,
    pub views: i64,
    pub to_read: bool,
}

#[derive(Template)]
#[template(path = "readings.html")]
pub struct ReadingsPage {
    pub chrome: Chrome,
    pub login: String,
    pub to_read: bool,
    pub message: Option<&'static str>,
    /// "N works" in this list.
    pub count: String,
    pub entries: Vec<ReadingView>,
    pub pager: Pager,
    /// This page, for the forms to come back to.
    pub back: String,
}

#[derive(Template)]
#[template(path = "readings_clear.html")]
pub struct ClearHistoryPage {
    pub chrome: Chrome,
    pub login: String,
}

fn own(user: &ficus_store::UserRecord, login: &str) -> Result<(), WebError> {
    super::only_own(user, login, "history")
}

fn history_href(login: &str) -> String {
    format!("/users/{}/readings", encode_segment(login))
}

/// `GET /users/{login}/readings[?show=to-read&page=N]`.
pub async fn show(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let to_read = match q.get("show").map(String::as_str) {
        None | Some("") => false,
        Some("to-read") => true,
        Some(other) => {
            return Err(WebError::BadRequest(format!(
                "show is \"to-read\" or nothing, not {other:?}."
            )));
        }
    };
    let viewer = visitor.viewer();
    let uid = user.id;
    let listed = st
        .db(move |s| s.readings(uid, viewer, to_read, page))
        .await?;
    let prefs = user.prefs;
    let base = history_href(&user.login);
    let base = if to_read {
        format!("{base}?show=to-read")
    } else {
        base
    };
    let back = match listed.page {
        1 => base.clone(),
        n => format!("{base}{}page={n}", if to_read { '&' } else { '?' }),
    };
    let page = ReadingsPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
        to_read,
        message: match q.get("history").map(String::as_str) {
            Some("deleted") => Some("Work successfully deleted from your history."),
            Some("cleared") => Some("Your history is now cleared."),
            _ if !user.prefs.history => Some(
                "Your history is turned off (\"Turn on History.\" in your preferences): works you read are not added to it.",
            ),
            _ => None,
        },
        count: format!(
            "{} {}",
            thousands(i64::try_from(listed.total).unwrap_or(i64::MAX)),
            if listed.total == 1 { "work" } else { "works" }
        ),
        entries: listed
            .items
            .iter()
            .map(|r| ReadingView {
                work_id: r.work_id,
                blurb: r.work.as_ref().map(|w| view::blurb_for(w, &prefs)),
                placeholder: match r.item {
                    ItemSight::Shown => "",
                    ItemSight::Deleted => "This has been deleted, sorry!",
                    ItemSight::Unavailable => "This work is not available.",
                },
                last_visited: r.last_viewed.format("%d %b %Y").to_string(),
                update_available: r.update_available,
                views: r.view_count,
                to_read: r.to_read,
            })
            .collect(),
        pager: view::pager(&base, listed.page, listed.page_count()),
        back,
    };
    Ok(Html(page.render()?).into_response())
}

/// Where a mark sends the reader back to: a page of their history when
/// the form says so, else the work.
fn back_to(form: &params::StrictForm, work_id: i64, login: &str) -> String {
    super::accounts::safe_return_to(form.field("return_to"))
        .filter(|p| p.starts_with(&history_href(login)))
        .unwrap_or_else(|| format!("/works/{work_id}"))
}

async fn mark(
    st: AppState,
    visitor: crate::session::Visitor,
    user: ficus_store::UserRecord,
    id: String,
    form: params::StrictForm,
    to_read: bool,
) -> Result<Response, WebError> {
    let work_id = params::id(&id, "work")?;
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    match st
        .db(move |s| s.mark_for_later(viewer, work_id, to_read, now))
        .await?
    {
        Found::Visible(()) => {
            Ok(Redirect::to(&back_to(&form, work_id, &user.login)).into_response())
        }
        Found::LogInFirst | Found::NotFound => Err(WebError::NotFound(
            "This work does not exist, or is not visible to you.".into(),
        )),
    }
}

/// `POST /works/{id}/mark_for_later`.
pub async fn mark_for_later(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    mark(st, visitor, user, id, form, true).await
}

/// `POST /works/{id}/mark_as_read`.
pub async fn mark_as_read(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    mark(st, visitor, user, id, form, false).await
}

/// `POST /users/{login}/readings/{work_id}/delete`: "Delete from History".
pub async fn delete(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path((login, work_id)): Path<(String, String)>,
    CsrfForm(_form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let work_id = params::id(&work_id, "work")?;
    let uid = user.id;
    if !st.db(move |s| s.delete_reading(uid, work_id)).await? {
        return Err(WebError::NotFound(
            "That work is not in your history.".into(),
        ));
    }
    Ok(Redirect::to(&format!("{}?history=deleted", history_href(&user.login))).into_response())
}

/// `GET /users/{login}/readings/clear`: the confirmation.
pub async fn confirm_clear(
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let page = ClearHistoryPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /users/{login}/readings/clear`.
pub async fn clear(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(login): Path<String>,
    CsrfForm(_form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let uid = user.id;
    let now = chrono::Utc::now().naive_utc();
    st.db(move |s| s.clear_readings(uid, now)).await?;
    Ok(Redirect::to(&format!("{}?history=cleared", history_href(&user.login))).into_response())
}
