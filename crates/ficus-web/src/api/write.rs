//! Writing through the API with a personal API token: post a work, edit
//! or delete it, add and edit chapters. Every request goes through the
//! same rules as the web forms ([`ficus_core::posting::WorkForm`] and
//! [`ficus_core::posting::ChapterForm`]) and the same ownership checks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ficus_core::html::plain_text_to_html;
use ficus_core::posting::{ChapterForm, FieldError, TextFormat, WorkForm};

use super::read::work_detail;
use super::schema::{
    ChapterInput, ChapterJson, ErrorBody, NewWorkJson, TextFormatParam, WorkDetail, WorkPatchJson,
};
use super::{ApiCaller, ApiFailure, ApiJson};
use crate::AppState;
use crate::error::WebError;
use crate::owner::owned_work;
use crate::params;
use ficus_app::posting::{form_of, today};

fn text_format(p: TextFormatParam) -> TextFormat {
    match p {
        TextFormatParam::Html => TextFormat::Html,
        TextFormatParam::Plain => TextFormat::Plain,
    }
}

/// Joins tag names the way the form's comma-separated fields hold them;
/// a name with a comma in it is refused (commas separate tags).
fn tag_list(field: &'static str, names: &[String], errors: &mut Vec<FieldError>) -> String {
    for n in names {
        if n.contains([',', '，', '、']) {
            errors.push(FieldError {
                field,
                message: format!("Tag names may not contain commas: {n:?}."),
            });
        }
    }
    names.join(", ")
}

/// The caller's pseuds named in `names` (their default pseud when empty).
fn chosen_pseuds(
    names: &[String],
    own: &[(i64, String)],
    default: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Vec<i64> {
    if names.is_empty() {
        return default
            .or_else(|| own.first().map(|p| p.0))
            .into_iter()
            .collect();
    }
    let mut out = Vec::new();
    for n in names {
        match own
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(n.trim()))
        {
            Some((id, _)) => out.push(*id),
            None => errors.push(FieldError {
                field: "pseuds",
                message: format!("{n:?} is not one of your pseuds."),
            }),
        }
    }
    out
}

/// Post a work (or save a draft).
#[utoipa::path(
    post, path = "/api/v1/works", tag = "works",
    request_body = NewWorkJson,
    responses(
        (status = 201, description = "Posted; Location names the work", body = WorkDetail),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The work breaks a rule", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create_work(
    State(st): State<AppState>,
    caller: ApiCaller,
    body: Result<ApiJson<NewWorkJson>, ApiFailure>,
) -> Result<Response, ApiFailure> {
    let user = caller.writer()?;
    let ApiJson(input) = body?;
    let uid = user.id;
    let login = user.login.clone();
    let (own, default) = st
        .db(move |s| {
            let own = s.pseuds_of(uid)?;
            let default = s.default_pseud_of(&login)?.map(|(pseud, _)| pseud);
            Ok((own, default))
        })
        .await?;
    let mut errors = Vec::new();
    let form = WorkForm {
        title: input.title,
        pseuds: chosen_pseuds(&input.pseuds, &own, default, &mut errors),
        co_creators: input.co_creators.join(", "),
        rating: input.rating,
        warnings: input.warnings,
        categories: input.categories,
        fandoms: tag_list("fandoms", &input.fandoms, &mut errors),
        relationships: tag_list("relationships", &input.relationships, &mut errors),
        characters: tag_list("characters", &input.characters, &mut errors),
        freeforms: tag_list("freeforms", &input.freeforms, &mut errors),
        language: input.language.unwrap_or_default(),
        summary: input.summary.unwrap_or_default(),
        notes: input.notes.unwrap_or_default(),
        end_notes: input.end_notes.unwrap_or_default(),
        chapter_title: input.chapter_title.unwrap_or_default(),
        text: input.text,
        text_format: text_format(input.text_format),
        restricted: input.restricted,
        comment_permission: input.comment_permission.unwrap_or_default(),
        moderate_comments: input.moderate_comments,
        complete: input.complete,
        expected_chapters: input
            .expected_chapters
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into()),
        series: input.series.unwrap_or_default(),
        collections: tag_list("collections", &input.collections, &mut errors),
        recipients: Some(tag_list("gifts", &input.gifts, &mut errors)),
        assignment: input.assignment,
    };
    let checked = st
        .db(move |s| ficus_app::posting::check_new(s, uid, &form, errors))
        .await?
        .map_err(ApiFailure::Invalid)?;
    let draft = input.draft;
    let id = st
        .db(move |s| ficus_app::posting::post(s, uid, checked, draft))
        .await?;
    let detail = work_detail(&st, &caller, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/works/{id}"))],
        Json(detail),
    )
        .into_response())
}

/// Edit a work: only the fields given change.
#[utoipa::path(
    patch, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "Work id")),
    request_body = WorkPatchJson,
    responses(
        (status = 200, description = "The changed work", body = WorkDetail),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not one of the work's creators", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The work breaks a rule", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn update_work(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<WorkPatchJson>, ApiFailure>,
) -> Result<Json<WorkDetail>, ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "work")?;
    let ApiJson(patch) = body?;
    let reading = owned_work(&st, &caller.visitor(), id).await?;
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let chapters = reading.chapters.len().max(1);
    let mut form = form_of(&reading.work, reading.texts.first(), &own);
    let mut errors = Vec::new();
    if chapters > 1 && (patch.text.is_some() || patch.chapter_title.is_some()) {
        errors.push(FieldError {
            field: "text",
            message: "This work has several chapters: edit each through its chapter endpoint."
                .into(),
        });
    }
    macro_rules! set {
        ($field:ident) => {
            if let Some(v) = patch.$field {
                form.$field = v;
            }
        };
    }
    set!(title);
    set!(rating);
    set!(warnings);
    set!(categories);
    set!(language);
    // The form holds the stored (HTML) fields; a plain-text patch converts
    // only the fields it sends, so untouched ones are never re-escaped.
    let plain = patch.text_format.map(text_format) == Some(TextFormat::Plain);
    let rich = |v: String| if plain { plain_text_to_html(&v) } else { v };
    if let Some(v) = patch.summary.clone() {
        form.summary = rich(v);
    }
    if let Some(v) = patch.notes.clone() {
        form.notes = rich(v);
    }
    if let Some(v) = patch.end_notes.clone() {
        form.end_notes = rich(v);
    }
    if let Some(v) = patch.text.clone() {
        form.text = rich(v);
    }
    set!(chapter_title);
    set!(restricted);
    set!(comment_permission);
    set!(moderate_comments);
    set!(complete);
    set!(series);
    if let Some(v) = &patch.fandoms {
        form.fandoms = tag_list("fandoms", v, &mut errors);
    }
    if let Some(v) = &patch.relationships {
        form.relationships = tag_list("relationships", v, &mut errors);
    }
    if let Some(v) = &patch.characters {
        form.characters = tag_list("characters", v, &mut errors);
    }
    if let Some(v) = &patch.freeforms {
        form.freeforms = tag_list("freeforms", v, &mut errors);
    }
    if let Some(n) = patch.expected_chapters {
        form.expected_chapters = n.to_string();
    }
    let leave = patch.leave_series.clone().unwrap_or_default();
    if let Some(sid) = leave
        .iter()
        .find(|sid| !reading.work.series.iter().any(|p| p.series_id == **sid))
    {
        errors.push(FieldError {
            field: "leave_series",
            message: format!("This work is not in series {sid}."),
        });
    }
    let current = reading.work.clone();
    let checked = st
        .db(move |s| {
            ficus_app::posting::check_edit(s, uid, &current, chapters, &form, leave, errors)
        })
        .await?
        .map_err(ApiFailure::Invalid)?;
    let publish = !reading.work.posted && patch.draft == Some(false);
    st.db(move |s| ficus_app::posting::save_edit(s, uid, id, checked, publish))
        .await?;
    Ok(Json(work_detail(&st, &caller, id).await?))
}

/// Delete a work.
#[utoipa::path(
    delete, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "Work id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not one of the work's creators", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn delete_work(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "work")?;
    owned_work(&st, &caller.visitor(), id).await?;
    st.db(move |s| s.delete_work(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn chapter_form(input: ChapterInput) -> Result<ficus_core::NewChapter, ApiFailure> {
    ChapterForm {
        title: input.title.unwrap_or_default(),
        notes: input.notes.unwrap_or_default(),
        text: input.text,
        text_format: text_format(input.text_format),
    }
    .to_chapter()
    .map_err(|messages| {
        ApiFailure::Invalid(
            messages
                .into_iter()
                .map(|message| FieldError {
                    field: "chapter",
                    message,
                })
                .collect(),
        )
    })
}

async fn chapter_json(
    st: &AppState,
    work_id: i64,
    chapter_id: i64,
) -> Result<ChapterJson, ApiFailure> {
    let chapter = st
        .db(move |s| s.chapter(work_id, chapter_id))
        .await?
        .ok_or_else(|| ApiFailure::from(WebError::NotFound("Chapter not found.".into())))?;
    Ok(chapter.into())
}

/// Add a chapter at the end of a work.
#[utoipa::path(
    post, path = "/api/v1/works/{id}/chapters", tag = "works",
    params(("id" = i64, Path, description = "Work id")),
    request_body = ChapterInput,
    responses(
        (status = 201, description = "Added; Location names the chapter", body = ChapterJson),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not one of the work's creators", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The chapter breaks a rule", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create_chapter(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<ChapterInput>, ApiFailure>,
) -> Result<Response, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "work")?;
    let ApiJson(input) = body?;
    owned_work(&st, &caller.visitor(), id).await?;
    let chapter = chapter_form(input)?;
    let day = today();
    let cid = st
        .db(move |s| s.add_chapter(id, &chapter, day))
        .await?
        .ok_or_else(|| ApiFailure::from(WebError::NotFound("Work not found.".into())))?;
    let json = chapter_json(&st, id, cid).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/works/{id}/chapters/{cid}"),
        )],
        Json(json),
    )
        .into_response())
}

/// Replace a chapter's title, notes and text.
#[utoipa::path(
    patch, path = "/api/v1/works/{id}/chapters/{chapter_id}", tag = "works",
    params(
        ("id" = i64, Path, description = "Work id"),
        ("chapter_id" = i64, Path, description = "Chapter id"),
    ),
    request_body = ChapterInput,
    responses(
        (status = 200, description = "The changed chapter", body = ChapterJson),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not one of the work's creators", body = ErrorBody),
        (status = 404, description = "No such work or chapter, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The chapter breaks a rule", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn update_chapter(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path((id, cid)): Path<(String, String)>,
    body: Result<ApiJson<ChapterInput>, ApiFailure>,
) -> Result<Json<ChapterJson>, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "work")?;
    let cid = params::id(&cid, "chapter")?;
    let ApiJson(input) = body?;
    owned_work(&st, &caller.visitor(), id).await?;
    let chapter = chapter_form(input)?;
    if !st.db(move |s| s.update_chapter(id, cid, &chapter)).await? {
        return Err(WebError::NotFound("This chapter does not exist in this work.".into()).into());
    }
    Ok(Json(chapter_json(&st, id, cid).await?))
}
