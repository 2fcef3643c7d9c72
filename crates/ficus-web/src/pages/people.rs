//! `/users/{login}/blocked` and `/users/{login}/muted`: an account's own
//! lists of blocked and muted accounts, with forms to add and remove.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::people::Relation;
use ficus_store::UserRecord;

use crate::AppState;
use crate::error::WebError;
use crate::extract::CsrfForm;
use crate::session::Visitor;
use crate::templates::{Chrome, PeoplePage};

fn texts(relation: Relation) -> (&'static str, &'static str, &'static str) {
    match relation {
        Relation::Block => (
            "Blocked Users",
            "Block",
            "A blocked account cannot leave kudos on your works (nor, as they come, comment on them, reply to your comments or give you gifts), and its works, comments and bookmarks disappear from what you see. It is not told.",
        ),
        Relation::Mute => (
            "Muted Users",
            "Mute",
            "A muted account's works disappear from your listings, searches and e-reader catalogs, and the counts leave them out. It is not told, and it can still leave you feedback.",
        ),
    }
}

async fn render(
    st: &AppState,
    visitor: &Visitor,
    user: &UserRecord,
    relation: Relation,
    status: StatusCode,
    error: Option<String>,
    typed: String,
) -> Result<Response, WebError> {
    let uid = user.id;
    let people = st.db(move |s| s.related(relation, uid)).await?;
    let (heading, verb_title, explanation) = texts(relation);
    let page = PeoplePage {
        chrome: Chrome::of(visitor),
        login: user.login.clone(),
        page: relation.page(),
        verb: relation.verb(),
        verb_title,
        heading,
        explanation,
        error,
        notice: None,
        typed,
        count: people.len(),
        people,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show(
    st: AppState,
    visitor: Visitor,
    login: String,
    relation: Relation,
) -> Result<Response, WebError> {
    let back = format!("/users/{login}/{}", relation.page());
    let user = match super::settings::own_account(&visitor, &login, &back)? {
        Ok(user) => user,
        Err(to_log_in) => return Ok(to_log_in),
    };
    render(
        &st,
        &visitor,
        &user,
        relation,
        StatusCode::OK,
        None,
        String::new(),
    )
    .await
}

async fn change(
    st: AppState,
    visitor: Visitor,
    login: String,
    form: CsrfForm,
    relation: Relation,
) -> Result<Response, WebError> {
    let back = format!("/users/{login}/{}", relation.page());
    let user = match super::settings::own_account(&visitor, &login, &back)? {
        Ok(user) => user,
        Err(to_log_in) => return Ok(to_log_in),
    };
    let CsrfForm(form) = form;
    let on = match form.field("action") {
        "add" => true,
        "remove" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not something this form does."
            )));
        }
    };
    let other = form.field("other").trim().to_string();
    let uid = user.id;
    let lookup = other.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = st
        .db(move |s| s.set_related(relation, uid, &lookup, on, now))
        .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(refusal) => {
            render(
                &st,
                &visitor,
                &user,
                relation,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(refusal.to_string()),
                other,
            )
            .await
        }
    }
}

/// `GET /users/{login}/blocked`.
pub async fn blocked(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    show(st, visitor, login, Relation::Block).await
}

/// `POST /users/{login}/blocked` (`action` add or remove, `other`).
pub async fn change_blocked(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    change(st, visitor, login, form, Relation::Block).await
}

/// `GET /users/{login}/muted`.
pub async fn muted(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    show(st, visitor, login, Relation::Mute).await
}

/// `POST /users/{login}/muted`.
pub async fn change_muted(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    change(st, visitor, login, form, Relation::Mute).await
}
