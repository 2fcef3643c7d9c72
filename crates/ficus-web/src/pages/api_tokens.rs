//! `/users/{login}/api_tokens`: personal API tokens, made and revoked by
//! their owner. A token is shown once; the database keeps its sha256.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::account::token_hash;
use ficus_store::{StoreError, UserRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::{ApiTokensPage, Chrome, TokenRow};
use crate::view::{self, encode_segment};

/// Longest token name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// The visitor, if they own the tokens page of `login`.
fn own_account(visitor: &Visitor, login: &str) -> Result<Result<UserRecord, Response>, WebError> {
    super::settings::own_account(visitor, login, &format!("/users/{login}/api_tokens"))
}

async fn render(
    st: &AppState,
    visitor: &Visitor,
    user: &UserRecord,
    status: StatusCode,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let uid = user.id;
    let tokens = st
        .db(move |s| s.api_tokens(uid))
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: view::iso(t.created_at.date()),
            last_used: t
                .last_used_at
                .map(|d| view::iso(d.date()))
                .unwrap_or_else(|| "never".into()),
        })
        .collect();
    let page = ApiTokensPage {
        chrome: Chrome::of(visitor),
        login: user.login.clone(),
        tokens,
        new_token,
        error,
    };
    let mut response = (status, Html(page.render()?)).into_response();
    // The page may show a secret: never cache it.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `GET /users/{login}/api_tokens`.
pub async fn index(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    let user = match own_account(&visitor, &login)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    render(&st, &visitor, &user, StatusCode::OK, None, None).await
}

/// `POST /users/{login}/api_tokens`: makes a token and shows it once.
pub async fn create(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_account(&visitor, &login)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let name = form.field("name").trim().to_string();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        let error = format!("Please give the token a name of 1 to {MAX_NAME_CHARS} characters.");
        return render(
            &st,
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(error),
        )
        .await;
    }
    let token = ficus_core::account::new_api_token();
    let hash = token_hash(&token);
    let uid = user.id;
    let now = chrono::Utc::now().naive_utc();
    match st
        .db(move |s| s.create_api_token(uid, &name, &hash, now))
        .await
    {
        Ok(_) => render(&st, &visitor, &user, StatusCode::OK, Some(token), None).await,
        Err(WebError::Store(e @ StoreError::Limit(_))) => {
            render(
                &st,
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(format!("{}.", capitalised(&e.to_string()))),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `POST /users/{login}/api_tokens/{id}/delete`: revokes a token.
pub async fn revoke(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((login, id)): Path<(String, String)>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_account(&visitor, &login)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let id = params::id(&id, "token")?;
    let uid = user.id;
    if !st.db(move |s| s.revoke_api_token(uid, id)).await? {
        return Err(WebError::NotFound("You have no such API token.".into()));
    }
    Ok(Redirect::to(&format!(
        "/users/{}/api_tokens",
        encode_segment(&user.login)
    ))
    .into_response())
}
