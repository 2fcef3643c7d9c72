//! Posting and editing: the work form (new work with preview, draft and
//! post; edit; delete with confirmation) and what every page that changes
//! a work starts with. Chapters are in `chapters.rs`, orphaning and
//! co-creator invitations in `creatorship.rs`. Only a work's creators may
//! change it; the checks and the store transaction are
//! [`ficus_app::posting`]'s.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::posting::form_of;
use ficus_core::TagType;
use ficus_core::posting::{FieldError, TextFormat, WorkForm};
use ficus_core::tag::{ARCHIVE_WARNINGS, CATEGORIES, Rating};
use ficus_store::{StoreError, WorkRecord};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, OwnerGet, OwnerPost, SignedIn};
use crate::params::StrictForm;
use crate::session::Visitor;
use crate::templates::{Chrome, ConfirmDeletePage, Preview, WorkFormPage};

mod chapters;
mod creatorship;

pub use chapters::{
    create_chapter, delete_chapter, edit_chapter, manage_chapters, new_chapter, reorder_chapters,
    update_chapter,
};
pub use creatorship::{answer_creatorship, creatorships, orphan, orphan_form};

/// Reads the posting form; pseuds not belonging to `user` are dropped
/// (and reported if that leaves none).
fn read_form(form: &StrictForm, own_pseuds: &[(i64, String)]) -> WorkForm {
    let pseuds = form
        .fields("work[pseud_ids][]")
        .iter()
        .filter_map(|v| v.parse::<i64>().ok())
        .filter(|id| own_pseuds.iter().any(|(p, _)| p == id))
        .collect();
    WorkForm {
        title: form.field("work[title]").to_string(),
        pseuds,
        co_creators: form.field("work[co_creator_logins]").to_string(),
        rating: form.field("work[rating_string]").to_string(),
        warnings: form
            .fields("work[archive_warning_strings][]")
            .into_iter()
            .map(str::to_string)
            .collect(),
        categories: form
            .fields("work[category_strings][]")
            .into_iter()
            .map(str::to_string)
            .collect(),
        fandoms: form.field("work[fandom_string]").to_string(),
        relationships: form.field("work[relationship_string]").to_string(),
        characters: form.field("work[character_string]").to_string(),
        freeforms: form.field("work[freeform_string]").to_string(),
        language: form.field("work[language]").to_string(),
        summary: form.field("work[summary]").to_string(),
        notes: form.field("work[notes]").to_string(),
        end_notes: form.field("work[endnotes]").to_string(),
        chapter_title: form.field("work[chapter_attributes][title]").to_string(),
        text: form.field("work[chapter_attributes][content]").to_string(),
        text_format: if form.field("work[text_format]") == "plain" {
            TextFormat::Plain
        } else {
            TextFormat::Html
        },
        restricted: form.field("work[restricted]") == "1",
        comment_permission: form.field("work[comment_permissions]").to_string(),
        moderate_comments: form.field("work[moderated_commenting_enabled]") == "1",
        complete: form.field("work[complete]") == "1",
        expected_chapters: form.field("work[wip_length]").to_string(),
        series: form.field("work[series_attributes][title]").to_string(),
        collections: form.field("work[collection_names]").to_string(),
        // A form without the field (an old page, a script) leaves the
        // gifts as they are.
        recipients: form
            .has("work[recipients]")
            .then(|| form.field("work[recipients]").to_string()),
        // A value that is no id names no assignment: the check says so.
        assignment: match form.field("work[challenge_assignment_ids][]") {
            "" => None,
            raw => Some(raw.parse().unwrap_or(-1)),
        },
    }
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
    let writer = visitor.user.as_ref().map(|u| u.id);
    let (suggestions, assignments) = st
        .db(move |s| {
            let suggestions = [
                TagType::Fandom,
                TagType::Relationship,
                TagType::Character,
                TagType::Freeform,
            ]
            .into_iter()
            .map(|kind| Ok((kind.css_class(), s.popular_tags(kind, 200)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
            let assignments = match writer {
                Some(u) => s.user_assignments(u)?,
                None => Vec::new(),
            };
            Ok((suggestions, assignments))
        })
        .await?;
    let assignments = assignments
        .into_iter()
        .filter(|a| a.work.is_none() || form.assignment == Some(a.id))
        .map(|a| {
            (
                a.id,
                format!("For {} in {}", a.recipient_pseud, a.collection_title),
                form.assignment == Some(a.id),
            )
        })
        .collect();
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
        assignments,
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
pub async fn new_work(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    q: crate::params::QueryMap,
) -> Result<Response, WebError> {
    let q = crate::params::query(q)?;
    // "Fulfill" on an assignment: the form comes with it chosen.
    let assignment = match q.get("assignment_id") {
        Some(raw) => Some(crate::params::id(raw, "assignment")?),
        None => None,
    };
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let form = WorkForm {
        pseuds: own.first().map(|p| vec![p.0]).unwrap_or_default(),
        assignment,
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
    SignedIn { visitor, user }: SignedIn,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let uid = user.id;
    let own = st.db(move |s| s.pseuds_of(uid)).await?;
    let form = read_form(&p, &own);
    let checked_form = form.clone();
    let checked = st
        .db(move |s| ficus_app::posting::check_new(s, uid, &checked_form, Vec::new()))
        .await?;
    let checked = match checked {
        Ok(checked) => checked,
        Err(errors) => {
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
    if !p.field("preview_button").is_empty() {
        let preview = preview_of(&checked.work);
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
    let draft = !p.field("save_button").is_empty();
    let id = st
        .db(move |s| ficus_app::posting::post(s, uid, checked, draft))
        .await?;
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
    OwnerGet {
        visitor,
        user,
        id,
        reading,
    }: OwnerGet,
) -> Result<Response, WebError> {
    let uid = user.id;
    let (own, recipients) = st
        .db(move |s| Ok((s.pseuds_of(uid)?, ficus_app::posting::recipients_of(s, id)?)))
        .await?;
    let mut form = form_of(&reading.work, reading.texts.first(), &own);
    form.recipients = Some(recipients);
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
    OwnerPost {
        visitor,
        user,
        id,
        reading,
        form: p,
    }: OwnerPost,
) -> Result<Response, WebError> {
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
    // Series the writer ticked "remove" for (only ones the work is in).
    let leave: Vec<i64> = p
        .fields("work[series_remove][]")
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
    let checked_form = form.clone();
    let current = reading.work.clone();
    let checked = st
        .db(move |s| {
            ficus_app::posting::check_edit(
                s,
                uid,
                &current,
                chapters,
                &checked_form,
                leave,
                Vec::new(),
            )
        })
        .await?;
    let checked = match checked {
        Ok(checked) => checked,
        Err(errors) => {
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
    if !p.field("preview_button").is_empty() {
        let preview = preview_of(&checked.work);
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
    // Saving a draft's edit posts it.
    let publish = !reading.work.posted;
    st.db(move |s| ficus_app::posting::save_edit(s, uid, id, checked, publish))
        .await?;
    Ok(Redirect::to(&format!("/works/{id}")).into_response())
}

/// `GET /works/{id}/confirm_delete`.
pub async fn confirm_delete(
    OwnerGet {
        visitor,
        id,
        reading,
        ..
    }: OwnerGet,
) -> Result<Response, WebError> {
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
    OwnerPost { id, .. }: OwnerPost,
) -> Result<Response, WebError> {
    st.db(move |s| s.delete_work(id)).await?;
    Ok(Redirect::to("/").into_response())
}
