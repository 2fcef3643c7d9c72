//! A work's chapters: adding, editing, reordering and deleting them.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::posting::today;
use ficus_core::NewChapter;
use ficus_core::posting::TextFormat;

use crate::AppState;
use crate::error::WebError;
use crate::extract::{ChapterId, OwnerGet, OwnerPost};
use crate::params::StrictForm;
use crate::session::Visitor;
use crate::templates::{ChapterFormPage, Chrome, ManageChaptersPage};

/// `GET /works/{id}/chapters/new`.
pub async fn new_chapter(
    OwnerGet {
        visitor,
        id,
        reading,
        ..
    }: OwnerGet,
) -> Result<Response, WebError> {
    chapter_form(
        &visitor,
        ChapterMode::New,
        StatusCode::OK,
        id,
        &reading.work.title,
        Vec::new(),
        "",
        "",
        "",
        false,
    )
}

/// Which chapter form: adding one, or editing chapter `n`.
#[derive(Clone, Copy)]
enum ChapterMode {
    New,
    Edit(i64),
}

#[allow(clippy::too_many_arguments)]
fn chapter_form(
    visitor: &Visitor,
    mode: ChapterMode,
    status: StatusCode,
    id: i64,
    title: &str,
    errors: Vec<String>,
    chapter_title: &str,
    notes: &str,
    text: &str,
    plain_text: bool,
) -> Result<Response, WebError> {
    let (heading, action, submit_label) = match mode {
        ChapterMode::New => (
            "Add a chapter",
            format!("/works/{id}/chapters"),
            "Post Chapter",
        ),
        ChapterMode::Edit(cid) => (
            "Edit chapter",
            format!("/works/{id}/chapters/{cid}/edit"),
            "Update Chapter",
        ),
    };
    let page = ChapterFormPage {
        chrome: Chrome::of(visitor),
        heading,
        action,
        submit_label,
        work_id: id,
        title: title.to_string(),
        errors,
        chapter_title: chapter_title.to_string(),
        notes: notes.to_string(),
        text: text.to_string(),
        plain_text,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /works/{id}/chapters`: appends a chapter.
pub async fn create_chapter(
    State(st): State<AppState>,
    OwnerPost {
        visitor,
        id,
        reading,
        form: p,
        ..
    }: OwnerPost,
) -> Result<Response, WebError> {
    let chapter = match read_chapter(&p) {
        Ok(c) => c,
        Err(e) => {
            return chapter_form(
                &visitor,
                ChapterMode::New,
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                &reading.work.title,
                e.errors,
                &e.title,
                &e.notes,
                &e.text,
                e.plain,
            );
        }
    };
    let day = today();
    let cid = st
        .db(move |s| s.add_chapter(id, &chapter, day))
        .await?
        .ok_or_else(|| WebError::NotFound("This work does not exist.".into()))?;
    Ok(Redirect::to(&format!("/works/{id}/chapters/{cid}")).into_response())
}

/// A chapter form that did not validate, kept for showing again.
struct ChapterFormErrors {
    errors: Vec<String>,
    title: String,
    notes: String,
    text: String,
    plain: bool,
}

/// Reads and checks a chapter form.
fn read_chapter(p: &StrictForm) -> Result<NewChapter, ChapterFormErrors> {
    let form = ficus_core::posting::ChapterForm {
        title: p.field("chapter[title]").trim().to_string(),
        notes: p.field("chapter[notes]").to_string(),
        text: p.field("chapter[content]").to_string(),
        text_format: if p.field("chapter[text_format]") == "plain" {
            TextFormat::Plain
        } else {
            TextFormat::Html
        },
    };
    form.to_chapter().map_err(|errors| ChapterFormErrors {
        errors,
        plain: form.text_format == TextFormat::Plain,
        title: form.title,
        notes: form.notes,
        text: form.text,
    })
}

/// `GET /works/{id}/chapters/{chapter_id}/edit`.
pub async fn edit_chapter(
    State(st): State<AppState>,
    ChapterId(cid): ChapterId,
    OwnerGet {
        visitor,
        id,
        reading,
        ..
    }: OwnerGet,
) -> Result<Response, WebError> {
    let chapter = st
        .db(move |s| s.chapter(id, cid))
        .await?
        .ok_or_else(|| WebError::NotFound("This chapter does not exist in this work.".into()))?;
    chapter_form(
        &visitor,
        ChapterMode::Edit(cid),
        StatusCode::OK,
        id,
        &reading.work.title,
        Vec::new(),
        chapter.title.as_deref().unwrap_or(""),
        chapter.notes.as_deref().unwrap_or(""),
        &chapter.body,
        false,
    )
}

/// `POST /works/{id}/chapters/{chapter_id}/edit`.
pub async fn update_chapter(
    State(st): State<AppState>,
    ChapterId(cid): ChapterId,
    OwnerPost {
        visitor,
        id,
        reading,
        form: p,
        ..
    }: OwnerPost,
) -> Result<Response, WebError> {
    let chapter = match read_chapter(&p) {
        Ok(c) => c,
        Err(e) => {
            return chapter_form(
                &visitor,
                ChapterMode::Edit(cid),
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                &reading.work.title,
                e.errors,
                &e.title,
                &e.notes,
                &e.text,
                e.plain,
            );
        }
    };
    if !st.db(move |s| s.update_chapter(id, cid, &chapter)).await? {
        return Err(WebError::NotFound(
            "This chapter does not exist in this work.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/works/{id}/chapters/{cid}")).into_response())
}

/// `GET /works/{id}/chapters/manage`: reorder and delete chapters.
pub async fn manage_chapters(
    OwnerGet {
        visitor,
        id,
        reading,
        ..
    }: OwnerGet,
) -> Result<Response, WebError> {
    let page = ManageChaptersPage {
        chrome: Chrome::of(&visitor),
        work_id: id,
        title: reading.work.title.clone(),
        chapters: reading
            .chapters
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.position,
                    c.title
                        .clone()
                        .unwrap_or_else(|| format!("Chapter {}", c.position)),
                )
            })
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /works/{id}/chapters/reorder`: `position[{chapter id}] = n` for
/// every chapter.
pub async fn reorder_chapters(
    State(st): State<AppState>,
    OwnerPost { id, form: p, .. }: OwnerPost,
) -> Result<Response, WebError> {
    let mut wanted: Vec<(u32, i64)> = Vec::new();
    for (k, v) in &p.0 {
        if let Some(cid) = k
            .strip_prefix("position[")
            .and_then(|r| r.strip_suffix(']'))
        {
            let cid = cid
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("{cid:?} is not a chapter id.")))?;
            let pos = v
                .trim()
                .parse::<u32>()
                .map_err(|_| WebError::BadRequest(format!("{v:?} is not a position.")))?;
            wanted.push((pos, cid));
        }
    }
    wanted.sort_unstable();
    let positions: Vec<u32> = wanted.iter().map(|(p, _)| *p).collect();
    let expected: Vec<u32> = (1..=u32::try_from(wanted.len()).unwrap_or(u32::MAX)).collect();
    if positions != expected {
        return Err(WebError::BadRequest(
            "Give every chapter a different place, from 1 up.".into(),
        ));
    }
    let order: Vec<i64> = wanted.into_iter().map(|(_, c)| c).collect();
    if !st.db(move |s| s.reorder_chapters(id, &order)).await? {
        return Err(WebError::BadRequest(
            "List every chapter of the work exactly once.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/works/{id}/navigate")).into_response())
}

/// `POST /works/{id}/chapters/{chapter_id}/delete` (never the last chapter).
pub async fn delete_chapter(
    State(st): State<AppState>,
    ChapterId(cid): ChapterId,
    OwnerPost { id, .. }: OwnerPost,
) -> Result<Response, WebError> {
    if !st.db(move |s| s.delete_chapter(id, cid)).await? {
        return Err(WebError::BadRequest(
            "That chapter cannot be deleted: it is not in this work, or it is the only one (delete the work instead).".into(),
        ));
    }
    Ok(Redirect::to(&format!("/works/{id}/chapters/manage")).into_response())
}
