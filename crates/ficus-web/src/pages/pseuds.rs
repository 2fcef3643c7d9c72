//! Pseuds: an account's names on bylines. Listed publicly; added, renamed
//! and described by their account.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::account::{self, MAX_PSEUD_DESCRIPTION_CHARS};
use ficus_store::{StoreError, UserRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{Chrome, PseudView, PseudsPage};
use crate::view::encode_segment;

async fn account(st: &AppState, login: &str) -> Result<UserRecord, WebError> {
    let l = login.to_string();
    st.db(move |s| s.user_for_login(&l))
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| WebError::NotFound(format!("There is no user named {login:?}.")))
}

async fn render(
    st: &AppState,
    visitor: &Visitor,
    user: &UserRecord,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let uid = user.id;
    let pseuds = st.db(move |s| s.pseud_records(uid)).await?;
    let page = PseudsPage {
        chrome: Chrome::of(visitor),
        login: user.login.clone(),
        own: visitor.user.as_ref().is_some_and(|u| u.id == user.id),
        error,
        pseuds: pseuds
            .into_iter()
            .map(|p| PseudView {
                id: p.id,
                href_name: encode_segment(&p.name),
                description_text: p.description.clone().unwrap_or_default(),
                name: p.name,
                description: p.description,
                is_default: p.is_default,
            })
            .collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /users/{login}/pseuds`.
pub async fn index(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    let user = account(&st, &login).await?;
    render(&st, &visitor, &user, StatusCode::OK, None).await
}

/// Validates a pseud form: (name, description).
fn read(form: &StrictForm) -> Result<(String, Option<String>), String> {
    let name = account::parse_pseud_name(form.field("pseud[name]")).map_err(|e| e.to_string())?;
    let description = form.field("pseud[description]").trim();
    if description.chars().count() > MAX_PSEUD_DESCRIPTION_CHARS {
        return Err(format!(
            "The description is limited to {MAX_PSEUD_DESCRIPTION_CHARS} characters."
        ));
    }
    Ok((
        name,
        (!description.is_empty()).then(|| description.to_string()),
    ))
}

fn own(visitor: &Visitor, user: &UserRecord) -> Result<(), WebError> {
    match &visitor.user {
        Some(u) if u.id == user.id => Ok(()),
        _ => Err(WebError::Forbidden(
            "You can only change your own pseuds.".into(),
        )),
    }
}

/// `POST /users/{login}/pseuds`: a new pseud.
pub async fn create(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = account(&st, &login).await?;
    own(&visitor, &user)?;
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let (name, description) = match read(&form) {
        Ok(v) => v,
        Err(e) => {
            return render(
                &st,
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
            )
            .await;
        }
    };
    let uid = user.id;
    match st
        .db(move |s| s.create_pseud(uid, &name, description.as_deref()))
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/users/{}/pseuds", encode_segment(&user.login))).into_response(),
        ),
        Err(WebError::Store(StoreError::Taken(what))) => {
            render(
                &st,
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("You already have that {what}.")),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /users/{login}/pseuds/{id}/edit`: rename or describe.
pub async fn update(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((login, id)): Path<(String, String)>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = account(&st, &login).await?;
    own(&visitor, &user)?;
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let id = params::id(&id, "pseud")?;
    let (name, description) = match read(&form) {
        Ok(v) => v,
        Err(e) => {
            return render(
                &st,
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
            )
            .await;
        }
    };
    let uid = user.id;
    match st
        .db(move |s| s.update_pseud(uid, id, &name, description.as_deref()))
        .await
    {
        Ok(true) => Ok(
            Redirect::to(&format!("/users/{}/pseuds", encode_segment(&user.login))).into_response(),
        ),
        Ok(false) => Err(WebError::NotFound("That pseud is not yours.".into())),
        Err(WebError::Store(StoreError::Taken(what))) => {
            render(
                &st,
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("You already have that {what}.")),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `GET /claims/{token}`: shows what the claim link would attach.
pub async fn claim_form(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let Some(user) = visitor.user.clone() else {
        return Ok(Redirect::to(&format!(
            "/users/login?return_to={}",
            encode_segment(&format!("/claims/{token}"))
        ))
        .into_response());
    };
    let hash = account::token_hash(&token);
    let (_, name, works) = st.db(move |s| s.open_claim(&hash)).await?.ok_or_else(|| {
        WebError::NotFound("This claim link is not valid, or has been used.".into())
    })?;
    let uid = user.id;
    let pseuds = st.db(move |s| s.pseuds_of(uid)).await?;
    let page = crate::templates::ClaimPage {
        chrome: Chrome::of(&visitor),
        token,
        name,
        works,
        pseuds,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /claims/{token}`: attaches the works to the chosen pseud.
pub async fn claim(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let Some(user) = visitor.user.clone() else {
        return Ok(Redirect::to("/users/login").into_response());
    };
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let pseud = params::id(form.field("pseud_id"), "pseud")?;
    let hash = account::token_hash(&token);
    let uid = user.id;
    st.db(move |s| s.redeem_claim(&hash, uid, pseud))
        .await?
        .ok_or_else(|| {
            WebError::NotFound(
                "This claim link is not valid, has been used, or the pseud is not yours.".into(),
            )
        })?;
    let name = st
        .db(move |s| s.pseuds_of(uid))
        .await?
        .into_iter()
        .find(|(id, _)| *id == pseud)
        .map(|(_, n)| n)
        .unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/users/{}/pseuds/{}/works",
        encode_segment(&user.login),
        encode_segment(&name)
    ))
    .into_response())
}
