//! Kudos: `POST /kudos` (AO3's form and fields: `kudo[commentable_id]`,
//! `kudo[commentable_type]=Work`), then back to the work with a message;
//! `GET /works/{id}/kudos`: every account that left kudos, 50 a page, and
//! how many guests.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::kudos::Who;
use ficus_core::kudos::KudosRefusal;
use ficus_store::ChapterChoice;

use crate::AppState;
use crate::error::WebError;
use crate::extract::CsrfForm;
use crate::origin::ClientIp;
use crate::params::{self, QueryMap};
use crate::session::Visitor;
use crate::templates::{Chrome, KudosIndexPage};
use crate::view;

/// `POST /kudos`.
pub async fn create(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    if form.field("kudo[commentable_type]") != "Work" {
        return Err(WebError::BadRequest(
            "Kudos can only be left on works.".into(),
        ));
    }
    let work_id = params::id(form.field("kudo[commentable_id]").trim(), "work")?;
    let key = st.visitor_key.clone();
    let account = visitor.user.as_ref().map(|u| (visitor.viewer(), u.id));
    let outcome = st
        .db(move |s| {
            let who = match account {
                Some((viewer, user_id)) => Who::Account { viewer, user_id },
                None => Who::Guest { ip: &ip },
            };
            ficus_app::kudos::leave(s, &key, work_id, who)
        })
        .await?;
    let code = match outcome {
        Ok(()) => "left",
        Err(KudosRefusal::AlreadyLeft) => "already",
        Err(KudosRefusal::OwnWork) => "own",
        Err(KudosRefusal::GuestOnRestricted) => "restricted",
        Err(KudosRefusal::Blocked) => "blocked",
        Err(KudosRefusal::Suspended) => "suspended",
        Err(KudosRefusal::NotFound) => {
            return Err(WebError::NotFound(
                "This work does not exist, or is not visible to you.".into(),
            ));
        }
    };
    Ok(Redirect::to(&format!("/works/{work_id}?kudos={code}#kudos_message")).into_response())
}

/// `GET /works/{id}/kudos[?page=N]`.
pub async fn index(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let path = format!("/works/{id}/kudos");
    let reading = match super::works::load(&st, &visitor, id, ChapterChoice::NoText, &path).await? {
        Ok(reading) => reading,
        Err(login) => return Ok(login),
    };
    let (names, guests) = st.db(move |s| s.kudos_names(id, page)).await?;
    let pages = names.total.div_ceil(u64::from(names.per_page)).max(1);
    if u64::from(page) > pages {
        return Err(WebError::NotFound(format!(
            "There are only {pages} pages of kudos."
        )));
    }
    let first_number = u64::from(page - 1) * u64::from(names.per_page) + 1;
    let index = KudosIndexPage {
        chrome: Chrome::of(&visitor),
        work_id: id,
        title: reading.work.title.clone(),
        names: names
            .items
            .into_iter()
            .map(|n| (n.login, view::iso(n.at.date())))
            .collect(),
        first_number,
        guests,
        page,
        pager: view::pager(&path, page, u32::try_from(pages).unwrap_or(u32::MAX)),
    };
    Ok(Html(index.render()?).into_response())
}
