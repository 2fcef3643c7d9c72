//! Creatorship: orphaning a work, and answering co-creator invitations.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, OwnerGet, OwnerPost, SignedIn, WorkId};
use crate::templates::{Chrome, CreatorshipsPage, OrphanPage};
use crate::view::encode_segment;

/// `GET /works/{id}/orphan`: asks how to orphan.
pub async fn orphan_form(
    OwnerGet {
        visitor,
        id,
        reading,
        ..
    }: OwnerGet,
) -> Result<Response, WebError> {
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
    OwnerPost {
        user, id, form: p, ..
    }: OwnerPost,
) -> Result<Response, WebError> {
    let keep = p.field("use_default") != "anonymous";
    let uid = user.id;
    st.db(move |s| s.orphan_work(id, uid, keep)).await?;
    Ok(Redirect::to(&format!("/works/{id}")).into_response())
}

/// `GET /users/{login}/creatorships`: the logged-in account's co-creator
/// invitations, to accept or decline.
pub async fn creatorships(
    State(st): State<AppState>,
    Path(login): Path<String>,
    SignedIn { visitor, user }: SignedIn,
) -> Result<Response, WebError> {
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
    WorkId(id): WorkId,
    SignedIn { user, .. }: SignedIn,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let accept = match p.field("answer") {
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
