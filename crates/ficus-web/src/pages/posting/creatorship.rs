//! Creatorship: orphaning a work, and answering co-creator invitations.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{OwnerPost, Pairs, one, owner_get, owner_post, pairs, require_user};
use crate::AppState;
use crate::error::WebError;
use crate::params;
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{Chrome, CreatorshipsPage, OrphanPage};
use crate::view::encode_segment;

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
