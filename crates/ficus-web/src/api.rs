//! The JSON API, version 1 (read-only for now).

use axum::Json;
use axum::extract::{Path, State};
use ficus_core::TagType;
use ficus_store::{ChapterChoice, ChapterRecord, ChapterSummary, Reading};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::params;
use crate::session::Visitor;

#[derive(Serialize)]
struct ChapterEntry {
    id: i64,
    position: i32,
    title: Option<String>,
    word_count: i64,
    published: String,
    url: String,
}

fn entry(work_id: i64, c: &ChapterSummary) -> ChapterEntry {
    ChapterEntry {
        id: c.id,
        position: c.position,
        title: c.title.clone(),
        word_count: c.word_count,
        published: c.published.to_string(),
        url: format!("/works/{work_id}/chapters/{}", c.id),
    }
}

fn missing(what: &str) -> ApiError {
    ApiError(WebError::NotFound(format!("{what} not found")))
}

/// `GET /api/v1/works/{id}`: every field of a work, tags by type, creators
/// and the chapter list.
pub async fn work(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = params::id(&id, "work")?;
    let viewer = visitor.viewer();
    let Reading { work, chapters, .. } = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::NoText))
        .await?
        .ok_or_else(|| missing("work"))?;
    let mut tags = Map::new();
    for kind in TagType::ALL {
        let names: Vec<Value> = if kind == TagType::Rating {
            vec![json!(work.rating.name())]
        } else {
            work.tags_of(kind).map(|t| json!(t.name)).collect()
        };
        tags.insert(kind.as_str().to_string(), Value::Array(names));
    }
    Ok(Json(json!({
        "id": work.id,
        "url": format!("/works/{}", work.id),
        "title": work.title,
        "creators": work.creators,
        "summary": work.summary,
        "notes": work.notes,
        "end_notes": work.end_notes,
        "language": work.language,
        "rating": work.rating.name(),
        "tags": tags,
        "published": work.published.to_string(),
        "updated": work.updated.to_string(),
        "complete": work.complete,
        "expected_chapters": work.expected_chapters,
        "chapter_count": work.chapter_count,
        "word_count": work.word_count,
        "restricted": work.restricted,
        "origin": work.origin,
        "chapters": chapters.iter().map(|c| entry(id, c)).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/works/{id}/chapters/{chapter_id}`: one chapter with its HTML.
pub async fn chapter(
    State(st): State<AppState>,
    visitor: Visitor,
    Path((id, chapter_id)): Path<(String, String)>,
) -> Result<Json<ChapterRecord>, ApiError> {
    let id = params::id(&id, "work")?;
    let viewer = visitor.viewer();
    let chapter_id = params::id(&chapter_id, "chapter")?;
    let reading = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::One(chapter_id)))
        .await?
        .ok_or_else(|| missing("work"))?;
    let chapter = reading
        .texts
        .into_iter()
        .next()
        .ok_or_else(|| missing("chapter"))?;
    Ok(Json(chapter))
}

/// Any other `/api/v1/…` path.
pub async fn not_found() -> ApiError {
    missing("endpoint")
}
