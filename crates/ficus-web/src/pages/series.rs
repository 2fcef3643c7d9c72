//! `/series/{id}`: a series and the works of it the reader may see, in
//! order, with AO3's markup (`div#main.series-show`, `dl.series.meta`,
//! `ul.series.work.index`); and its owner's edit form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::bookmarks::BookmarkKind;
use ficus_store::{SeriesEdit, SeriesRecord, StoreError};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{Chrome, SeriesFormPage, SeriesPage};
use crate::view::{self, blurb_for};

/// `GET /series/{id}`.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "series")?;
    let viewer = visitor.viewer();
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let reader = viewer.user_id();
    let (series, subscribed, bookmark, bookmarks) = st
        .db(move |s| {
            let (subscribed, bookmark) = match reader {
                Some(uid) => (
                    s.subscription_to(
                        uid,
                        ficus_store::subscriptions::SubscriptionKind::Series,
                        id,
                    )?,
                    s.bookmark_of_item(uid, BookmarkKind::Series, id)?,
                ),
                None => (None, None),
            };
            let bookmarks = s
                .public_bookmark_counts(BookmarkKind::Series, &[id])?
                .get(&id)
                .copied()
                .unwrap_or(0);
            Ok((s.series(id, viewer)?, subscribed, bookmark, bookmarks))
        })
        .await?;
    let series = series.ok_or_else(|| {
        WebError::NotFound("This series does not exist, or is not visible to you.".into())
    })?;
    let page = SeriesPage {
        subscribe: visitor.user.as_ref().map(|u| view::SubscribeButton {
            login: u.login.clone(),
            kind: "Series",
            target_id: id,
            existing: subscribed,
            back: format!("/series/{id}"),
        }),
        bookmark_href: reader.map(|_| match bookmark {
            Some(b) => (format!("/bookmarks/{b}/edit"), "Edit Bookmark"),
            None => (format!("/series/{id}/bookmarks/new"), "Bookmark Series"),
        }),
        bookmarks: view::thousands(bookmarks),
        chrome: Chrome::of(&visitor),
        title: series.title.clone(),
        creators: series.creators(),
        begun: view::iso(series.created_at.date()),
        updated: view::iso(series.updated_at.date()),
        summary: series.summary.clone(),
        notes: series.notes.clone(),
        words: view::thousands(series.word_count()),
        complete: series.complete,
        editable: series.owner.is_some() && series.owner == viewer.user_id(),
        id,
        blurbs: series
            .works
            .iter()
            .map(|(_, w)| blurb_for(w, &prefs))
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

/// The series `id` if the visitor owns it: a log-in redirect for guests,
/// 403 for anyone else, 404 when there is no such series.
async fn owned_series(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<(i64, SeriesRecord), Response>, WebError> {
    let Some(user) = &visitor.user else {
        return Ok(Err(Redirect::to(&format!(
            "/users/login?return_to={}",
            view::encode_segment(&format!("/series/{id}/edit"))
        ))
        .into_response()));
    };
    let viewer = visitor.viewer();
    let series = st.db(move |s| s.series(id, viewer)).await?.ok_or_else(|| {
        WebError::NotFound("This series does not exist, or is not visible to you.".into())
    })?;
    if series.owner != Some(user.id) {
        return Err(WebError::Forbidden(
            "Only the series' creator can edit it.".into(),
        ));
    }
    Ok(Ok((user.id, series)))
}

fn form_page(
    visitor: &Visitor,
    id: i64,
    edit: SeriesEdit,
    error: Option<String>,
) -> SeriesFormPage {
    SeriesFormPage {
        chrome: Chrome::of(visitor),
        id,
        title: edit.title,
        summary: edit.summary.unwrap_or_default(),
        notes: edit.notes.unwrap_or_default(),
        complete: edit.complete,
        error,
    }
}

/// `GET /series/{id}/edit`.
pub async fn edit(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "series")?;
    let series = match owned_series(&st, &visitor, id).await? {
        Ok((_, series)) => series,
        Err(login) => return Ok(login),
    };
    let edit = SeriesEdit {
        title: series.title,
        summary: series.summary,
        notes: series.notes,
        complete: series.complete,
    };
    Ok(Html(form_page(&visitor, id, edit, None).render()?).into_response())
}

/// `POST /series/{id}/edit`.
pub async fn update(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "series")?;
    let field = |name: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    verify_csrf(&st, &headers, Some(&field(CSRF_FIELD)))?;
    let uid = match owned_series(&st, &visitor, id).await? {
        Ok((uid, _)) => uid,
        Err(login) => return Ok(login),
    };
    let optional = |v: String| (!v.trim().is_empty()).then_some(v);
    let edit = SeriesEdit {
        title: field("series[title]"),
        summary: optional(field("series[summary]")),
        notes: optional(field("series[series_notes]")),
        complete: field("series[complete]") == "1",
    };
    let change = edit.clone();
    match st.db(move |s| s.update_series(id, uid, &change)).await {
        Ok(_) => Ok(Redirect::to(&format!("/series/{id}")).into_response()),
        Err(WebError::Store(StoreError::Invalid(message))) => {
            let page = form_page(&visitor, id, edit, Some(message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}
