//! `/series/{id}`: a series and the works of it the reader may see, in
//! order, with AO3's markup (`div#main.series-show`, `dl.series.meta`,
//! `ul.series.work.index`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::error::WebError;
use crate::params;
use crate::session::Visitor;
use crate::templates::{Chrome, SeriesPage};
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
    let series = st.db(move |s| s.series(id, viewer)).await?.ok_or_else(|| {
        WebError::NotFound("This series does not exist, or is not visible to you.".into())
    })?;
    let page = SeriesPage {
        chrome: Chrome::of(&visitor),
        title: series.title.clone(),
        creators: series.creators(),
        begun: view::iso(series.created_at.date()),
        updated: view::iso(series.updated_at.date()),
        summary: series.summary.clone(),
        notes: series.notes.clone(),
        words: view::thousands(series.word_count()),
        complete: series.complete,
        blurbs: series
            .works
            .iter()
            .map(|(_, w)| blurb_for(w, &prefs))
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}
