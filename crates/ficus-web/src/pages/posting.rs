//! Posting and editing: new work (preview, draft, post), edit, add chapter,
//! delete with confirmation. Only a work's creators may change it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Local, NaiveDate};
use ficus_core::NewChapter;
use ficus_core::TagType;
use ficus_core::posting::{FieldError, TextFormat, WorkForm};
use ficus_core::tag::{ARCHIVE_WARNINGS, CATEGORIES, Rating};
use ficus_store::{ChapterChoice, Reading, StoreError, UserRecord, WorkRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{
    ChapterFormPage, Chrome, ConfirmDeletePage, CreatorshipsPage, ManageChaptersPage, OrphanPage,
    Preview, WorkFormPage,
};
use crate::view::encode_segment;

type Pairs = StrictForm;

fn pairs(f: Pairs) -> Result<Vec<(String, String)>, WebError> {
    Ok(f.0)
}

fn one<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

pub(crate) fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The logged-in account, or a redirect to the log-in page.
fn require_user(visitor: &Visitor, path: &str) -> Result<UserRecord, Redirect> {
    visitor
        .user
        .clone()
        .ok_or_else(|| Redirect::to(&format!("/users/login?return_to={}", encode_segment(path))))
}

/// The start of every page that changes a work: a logged-in account (else
/// the log-in page, coming back to `back_to`) that is one of its creators.
async fn owner_get(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
    back_to: &str,
) -> Result<Result<(UserRecord, Reading), Response>, WebError> {
    let user = match require_user(visitor, back_to) {
        Ok(u) => u,
        Err(login) => return Ok(Err(login.into_response())),
    };
    let reading = owned_work(st, visitor, id).await?;
    Ok(Ok((user, reading)))
}

/// What every POST that changes a work starts with.
struct OwnerPost {
    user: UserRecord,
    reading: Reading,
    form: Vec<(String, String)>,
}

/// The common start of every POST that changes a work: a logged-in
/// account (else the log-in page, coming back to `back_to`), a valid CSRF
/// token, and one of the work's creators (else 403, or 404 when the work
/// is not visible at all).
async fn owner_post(
    st: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    id: i64,
    f: Pairs,
    back_to: &str,
) -> Result<Result<OwnerPost, Response>, WebError> {
    let user = match require_user(visitor, back_to) {
        Ok(u) => u,
        Err(login) => return Ok(Err(login.into_response())),
    };
    let form = pairs(f)?;
    verify_csrf(headers, Some(one(&form, CSRF_FIELD)))?;
    let reading = owned_work(st, visitor, id).await?;
    Ok(Ok(OwnerPost {
        user,
        reading,
        form,
    }))
}

/// The work if `visitor` is one of its creators: 404 when they cannot see
/// it at all, 403 when they can but it is not theirs.
pub(crate) async fn owned_work(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Reading, WebError> {
    let viewer = visitor.viewer();
    let reading = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::First))
        .await?
        .ok_or_else(|| {
            WebError::NotFound("This work does not exist, or is not visible to you.".into())
        })?;
    if !viewer.owns(&reading.work.access()) {
        return Err(WebError::Forbidden(
            "Only the work's creators can change it.".into(),
        ));
    }
    Ok(reading)
}

/// Reads the posting form; pseuds not belonging to `user` are dropped
/// (and reported if that leaves none).
fn read_form(pairs: &[(String, String)], own_pseuds: &[(i64, String)]) -> WorkForm {
    let pseuds = all(pairs, "work[pseud_ids][]")
        .iter()
        .filter_map(|v| v.parse::<i64>().ok())
        .filter(|id| own_pseuds.iter().any(|(p, _)| p == id))
        .collect();
    WorkForm {
        title: one(pairs, "work[title]").to_string(),
        pseuds,
        co_creators: one(pairs, "work[co_creator_logins]").to_string(),
        rating: one(pairs, "work[rating_string]").to_string(),
        warnings: all(pairs, "work[archive_warning_strings][]"),
        categories: all(pairs, "work[category_strings][]"),
        fandoms: one(pairs, "work[fandom_string]").to_string(),
        relationships: one(pairs, "work[relationship_string]").to_string(),
        characters: one(pairs, "work[character_string]").to_string(),
        freeforms: one(pairs, "work[freeform_string]").to_string(),
        language: one(pairs, "work[language]").to_string(),
        summary: one(pairs, "work[summary]").to_string(),
        notes: one(pairs, "work[notes]").to_string(),
        end_notes: one(pairs, "work[endnotes]").to_string(),
        chapter_title: one(pairs, "work[chapter_attributes][title]").to_string(),
        text: one(pairs, "work[chapter_attributes][content]").to_string(),
        text_format: if one(pairs, "work[text_format]") == "plain" {
            TextFormat::Plain
        } else {
            TextFormat::Html
        },
        restricted: one(pairs, "work[restricted]") == "1",
        complete: one(pairs, "work[complete]") == "1",
        expected_chapters: one(pairs, "work[wip_length]").to_string(),
        series: one(pairs, "work[series_attributes][title]").to_string(),
    }
}

/// The form filled from a stored work (for editing).
pub(crate) fn form_of(
    work: &WorkRecord,
    first: Option<&ficus_store::ChapterRecord>,
    own_pseuds: &[(i64, String)],
) -> WorkForm {
    let names = |kind| {
        work.tags_of(kind)
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    };
    WorkForm {
        title: work.title.clone(),
        pseuds: own_pseuds
            .iter()
            .filter(|(_, name)| work.creators.contains(name))
            .map(|(id, _)| *id)
            .collect(),
        co_creators: String::new(),
        rating: work.rating.name().to_string(),
        warnings: names(TagType::ArchiveWarning),
        categories: names(TagType::Category),
        fandoms: names(TagType::Fandom).join(", "),
        relationships: names(TagType::Relationship).join(", "),
        characters: names(TagType::Character).join(", "),
        freeforms: names(TagType::Freeform).join(", "),
        language: work.language.clone().unwrap_or_default(),
        summary: work.summary.clone().unwrap_or_default(),
        notes: work.notes.clone().unwrap_or_default(),
        end_notes: work.end_notes.clone().unwrap_or_default(),
        chapter_title: first.and_then(|c| c.title.clone()).unwrap_or_default(),
        text: first.map(|c| c.body.clone()).unwrap_or_default(),
        text_format: TextFormat::Html,
        restricted: work.restricted,
        complete: work.complete,
        expected_chapters: work
            .expected_chapters
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into()),
        series: String::new(),
    }
}

/// Resolves the co-creator logins of a form to default pseuds, or the
/// field errors for names that are no account (or are the writer).
pub(crate) async fn co_creator_pseuds(
    st: &AppState,
    form: &WorkForm,
    me: i64,
) -> Result<Result<Vec<i64>, Vec<FieldError>>, WebError> {
    let mut pseuds = Vec::new();
    let mut errors = Vec::new();
    for login in ficus_core::posting::split_tags(&form.co_creators) {
        let l = login.to_string();
        match st.db(move |s| s.default_pseud_of(&l)).await? {
            Some((pseud, user)) if user != me => pseuds.push(pseud),
            Some(_) => errors.push(FieldError {
                field: "co_creators",
                message: "You are already a creator of this work.".into(),
            }),
            None => errors.push(FieldError {
                field: "co_creators",
                message: format!("There is no user named {login:?}."),
            }),
        }
    }
    Ok(if errors.is_empty() {
        Ok(pseuds)
    } else {
        Err(errors)
    })
}

pub(crate) async fn invite_all(
    st: &AppState,
    work_id: i64,
    pseuds: Vec<i64>,
    me: i64,
) -> Result<(), WebError> {
    for pseud in pseuds {
        st.db(move |s| s.invite_co_creator(work_id, pseud, me))
            .await?;
    }
    Ok(())
}

/// What the preview shows of a validated work.
fn preview_of(work: &ficus_core::NewWork) -> Preview {
    Preview {
        title: work.title.clone(),
        summary: work.summary.clone(),
        body: work
            .chapters
            .first()
            .map(|c| c.body.clone())
            .unwrap_or_default(),
    }
}

struct FormContext {
    heading: String,
    action: String,
    show_text: bool,
    can_draft: bool,
    post_label: &'static str,
    /// The work's series places (editing), each with a "remove" box.
    series: Vec<ficus_store::SeriesPlace>,
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    st: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    ctx: FormContext,
    form: WorkForm,
    own_pseuds: &[(i64, String)],
    errors: Vec<FieldError>,
    preview: Option<Preview>,
) -> Result<Response, WebError> {
    let suggestions = st
        .db(|s| {
            [
                TagType::Fandom,
                TagType::Relationship,
                TagType::Character,
                TagType::Freeform,
            ]
            .into_iter()
            .map(|kind| Ok((kind.css_class(), s.popular_tags(kind, 200)?)))
            .collect::<Result<Vec<_>, StoreError>>()
        })
        .await?;
    let page = WorkFormPage {
        chrome: Chrome::of(visitor),
        heading: ctx.heading,
        action: ctx.action,
        errors,
        preview,
        plain_text: form.text_format == TextFormat::Plain,
        ratings: Rating::NAMES
            .iter()
            .map(|r| (*r, form.rating == *r))
            .collect(),
        warnings: ARCHIVE_WARNINGS
            .iter()
            .map(|w| (*w, form.warnings.iter().any(|x| x == w)))
            .collect(),
        categories: CATEGORIES
            .iter()
            .map(|c| (*c, form.categories.iter().any(|x| x == c)))
            .collect(),
        pseuds: own_pseuds
            .iter()
            .map(|(id, name)| (*id, name.clone(), form.pseuds.contains(id)))
            .collect(),
        suggestions,
        show_text: ctx.show_text,
        can_draft: ctx.can_draft,
        post_label: ctx.post_label,
        series: ctx
            .series
            .into_iter()
            .map(|p| (p.series_id, p.position, p.title))
            .collect(),
        form,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn new_context() -> FormContext {
    FormContext {
        heading: "Post New Work".into(),
        action: "/works".into(),
        show_text: true,
        can_draft: true,
        post_label: "Post",
        series: Vec::new(),
    }
}

/// `GET /works/new`.
pub async fn new_work(State(st): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let user = match require_user(&visitor, "/works/new") {
        Ok(u) => u,
        Err(login) => return Ok(login.into_response()),
    };
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let form = WorkForm {
        pseuds: own.first().map(|p| vec![p.0]).unwrap_or_default(),
        ..WorkForm::default()
    };
    render_form(
        &st,
        &visitor,
        StatusCode::OK,
        new_context(),
        form,
        &own,
        Vec::new(),
        None,
    )
    .await
}

/// `POST /works`: preview, save as draft, or post.
pub async fn create_work(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    f: Pairs,
) -> Result<Response, WebError> {
    let user = match require_user(&visitor, "/works/new") {
        Ok(u) => u,
        Err(login) => return Ok(login.into_response()),
    };
    let p = pairs(f)?;
    verify_csrf(&headers, Some(one(&p, CSRF_FIELD)))?;
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let form = read_form(&p, &own);
    let invitees = co_creator_pseuds(&st, &form, uid).await?;
    let work = match (form.to_work(today(), 1), invitees.clone()) {
        (Ok(w), Ok(_)) => w,
        (result, invitees) => {
            let mut errors = result.err().unwrap_or_default();
            errors.extend(invitees.err().unwrap_or_default());
            return render_form(
                &st,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                new_context(),
                form,
                &own,
                errors,
                None,
            )
            .await;
        }
    };
    if !one(&p, "preview_button").is_empty() {
        let preview = preview_of(&work);
        return render_form(
            &st,
            &visitor,
            StatusCode::OK,
            new_context(),
            form,
            &own,
            Vec::new(),
            Some(preview),
        )
        .await;
    }
    let mut work = work;
    work.posted = one(&p, "save_button").is_empty();
    let id = st.db(move |s| s.insert_work(&work)).await?.work_id();
    invite_all(&st, id, invitees.unwrap_or_default(), uid).await?;
    Ok(Redirect::to(&format!("/works/{id}")).into_response())
}

fn edit_context(id: i64, work: &WorkRecord) -> FormContext {
    FormContext {
        heading: format!("Edit Work: {}", work.title),
        action: format!("/works/{id}/edit"),
        show_text: work.chapter_count <= 1,
        can_draft: false,
        post_label: if work.posted { "Update" } else { "Post" },
        series: work.series.clone(),
    }
}

/// `GET /works/{id}/edit`.
pub async fn edit_work(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let (user, reading) = match owner_get(&st, &visitor, id, &format!("/works/{id}/edit")).await? {
        Ok(found) => found,
        Err(login) => return Ok(login),
    };
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let form = form_of(&reading.work, reading.texts.first(), &own);
    let ctx = edit_context(id, &reading.work);
    render_form(
        &st,
        &visitor,
        StatusCode::OK,
        ctx,
        form,
        &own,
        Vec::new(),
        None,
    )
    .await
}

/// `POST /works/{id}/edit`: saves changes (and posts a draft).
pub async fn update_work(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let OwnerPost {
        user,
        reading,
        form: p,
    } = match owner_post(&st, &visitor, &headers, id, f, &format!("/works/{id}/edit")).await? {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let mut form = read_form(&p, &own);
    let chapters = reading.chapters.len().max(1);
    if chapters > 1 {
        // The text of a multi-chapter work is edited chapter by chapter.
        form.text = reading
            .texts
            .first()
            .map(|c| c.body.clone())
            .unwrap_or_default();
        form.text_format = TextFormat::Html;
    }
    let ctx = edit_context(id, &reading.work);
    let invitees = co_creator_pseuds(&st, &form, uid).await?;
    let mut work = match (form.to_work(today(), chapters), invitees.clone()) {
        (Ok(w), Ok(_)) => w,
        (result, invitees) => {
            let mut errors = result.err().unwrap_or_default();
            errors.extend(invitees.err().unwrap_or_default());
            return render_form(
                &st,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx,
                form,
                &own,
                errors,
                None,
            )
            .await;
        }
    };
    // Series the writer ticked "remove" for (only ones the work is in).
    let leave: Vec<i64> = all(&p, "work[series_remove][]")
        .iter()
        .filter_map(|v| v.parse().ok())
        .filter(|sid| {
            reading
                .work
                .series
                .iter()
                .any(|place| place.series_id == *sid)
        })
        .collect();
    let staying: Vec<&str> = reading
        .work
        .series
        .iter()
        .filter(|place| !leave.contains(&place.series_id))
        .map(|place| place.title.as_str())
        .collect();
    if let Some(error) = ficus_core::posting::series_limit(&staying, &work) {
        return render_form(
            &st,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx,
            form,
            &own,
            vec![error],
            None,
        )
        .await;
    }
    if !one(&p, "preview_button").is_empty() {
        let preview = preview_of(&work);
        return render_form(
            &st,
            &visitor,
            StatusCode::OK,
            ctx,
            form,
            &own,
            Vec::new(),
            Some(preview),
        )
        .await;
    }
    // Co-creators and bare names stay on the byline (the store keeps them).
    work.creators = Vec::new();
    let was_draft = !reading.work.posted;
    st.db(move |s| s.update_work(id, &work, Some(uid), &leave))
        .await?;
    invite_all(&st, id, invitees.unwrap_or_default(), uid).await?;
    if was_draft {
        let day = today();
        st.db(move |s| s.publish_work(id, day)).await?;
    }
    Ok(Redirect::to(&format!("/works/{id}")).into_response())
}

/// `GET /works/{id}/confirm_delete`.
pub async fn confirm_delete(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let (_, reading) =
        match owner_get(&st, &visitor, id, &format!("/works/{id}/confirm_delete")).await? {
            Ok(found) => found,
            Err(login) => return Ok(login),
        };
    let page = ConfirmDeletePage {
        chrome: Chrome::of(&visitor),
        work_id: id,
        title: reading.work.title,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /works/{id}/delete`.
pub async fn delete_work(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let OwnerPost { .. } =
        match owner_post(&st, &visitor, &headers, id, f, &format!("/works/{id}")).await? {
            Ok(post) => post,
            Err(login) => return Ok(login),
        };
    st.db(move |s| s.delete_work(id)).await?;
    Ok(Redirect::to("/").into_response())
}

/// `GET /works/{id}/chapters/new`.
pub async fn new_chapter(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let (_, reading) =
        match owner_get(&st, &visitor, id, &format!("/works/{id}/chapters/new")).await? {
            Ok(found) => found,
            Err(login) => return Ok(login),
        };
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
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let OwnerPost {
        reading, form: p, ..
    } = match owner_post(
        &st,
        &visitor,
        &headers,
        id,
        f,
        &format!("/works/{id}/chapters/new"),
    )
    .await?
    {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
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

/// `GET /works/{id}/orphan`: asks how to orphan.
pub async fn orphan_form(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let (_, reading) = match owner_get(&st, &visitor, id, &format!("/works/{id}/orphan")).await? {
        Ok(found) => found,
        Err(login) => return Ok(login),
    };
    let page = OrphanPage {
        chrome: Chrome::of(&visitor),
        work_id: id,
        title: reading.work.title,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /works/{id}/orphan`: gives the work to the orphan account.
pub async fn orphan(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let OwnerPost { user, form: p, .. } = match owner_post(
        &st,
        &visitor,
        &headers,
        id,
        f,
        &format!("/works/{id}/orphan"),
    )
    .await?
    {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
    let keep = one(&p, "use_default") != "anonymous";
    let uid = user.id;
    st.db(move |s| s.orphan_work(id, uid, keep)).await?;
    Ok(Redirect::to(&format!("/works/{id}")).into_response())
}

/// `GET /users/{login}/creatorships`: the logged-in account's co-creator
/// invitations, to accept or decline.
pub async fn creatorships(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    let user = match require_user(
        &visitor,
        &format!("/users/{}/creatorships", encode_segment(&login)),
    ) {
        Ok(u) => u,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    if !user.login.eq_ignore_ascii_case(&login) {
        return Err(WebError::Forbidden(
            "You can only see your own invitations.".into(),
        ));
    }
    let uid = user.id;
    let invitations = st.db(move |s| s.invitations_for(uid)).await?;
    let page = CreatorshipsPage {
        chrome: Chrome::of(&visitor),
        invitations: invitations
            .into_iter()
            .map(|i| (i.work_id, i.work_title, i.pseud_name))
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /creatorships/{work_id}`: accept or decline.
pub async fn answer_creatorship(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let user = match require_user(&visitor, "/") {
        Ok(u) => u,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let p = pairs(f)?;
    verify_csrf(&headers, Some(one(&p, CSRF_FIELD)))?;
    let accept = match one(&p, "answer") {
        "accept" => true,
        "decline" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an answer: accept or decline."
            )));
        }
    };
    let uid = user.id;
    if !st.db(move |s| s.answer_invitation(id, uid, accept)).await? {
        return Err(WebError::NotFound("There is no such invitation.".into()));
    }
    let to = if accept {
        format!("/works/{id}")
    } else {
        format!("/users/{}/creatorships", encode_segment(&user.login))
    };
    Ok(Redirect::to(&to).into_response())
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
fn read_chapter(p: &[(String, String)]) -> Result<NewChapter, ChapterFormErrors> {
    let form = ficus_core::posting::ChapterForm {
        title: one(p, "chapter[title]").trim().to_string(),
        notes: one(p, "chapter[notes]").to_string(),
        text: one(p, "chapter[content]").to_string(),
        text_format: if one(p, "chapter[text_format]") == "plain" {
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
    visitor: Visitor,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let cid = params::id(&cid, "chapter")?;
    let (_, reading) = match owner_get(
        &st,
        &visitor,
        id,
        &format!("/works/{id}/chapters/{cid}/edit"),
    )
    .await?
    {
        Ok(found) => found,
        Err(login) => return Ok(login),
    };
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
    visitor: Visitor,
    headers: HeaderMap,
    Path((id, cid)): Path<(String, String)>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let cid = params::id(&cid, "chapter")?;
    let OwnerPost {
        reading, form: p, ..
    } = match owner_post(
        &st,
        &visitor,
        &headers,
        id,
        f,
        &format!("/works/{id}/chapters/{cid}/edit"),
    )
    .await?
    {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
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
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let (_, reading) =
        match owner_get(&st, &visitor, id, &format!("/works/{id}/chapters/manage")).await? {
            Ok(found) => found,
            Err(login) => return Ok(login),
        };
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
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let OwnerPost { form: p, .. } = match owner_post(
        &st,
        &visitor,
        &headers,
        id,
        f,
        &format!("/works/{id}/chapters/manage"),
    )
    .await?
    {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
    let mut wanted: Vec<(u32, i64)> = Vec::new();
    for (k, v) in &p {
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
    visitor: Visitor,
    headers: HeaderMap,
    Path((id, cid)): Path<(String, String)>,
    f: Pairs,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let cid = params::id(&cid, "chapter")?;
    let OwnerPost { .. } = match owner_post(
        &st,
        &visitor,
        &headers,
        id,
        f,
        &format!("/works/{id}/chapters/manage"),
    )
    .await?
    {
        Ok(post) => post,
        Err(login) => return Ok(login),
    };
    if !st.db(move |s| s.delete_chapter(id, cid)).await? {
        return Err(WebError::BadRequest(
            "That chapter cannot be deleted: it is not in this work, or it is the only one (delete the work instead).".into(),
        ));
    }
    Ok(Redirect::to(&format!("/works/{id}/chapters/manage")).into_response())
}
