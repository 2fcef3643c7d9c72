//! Sign up, log in, log out. Throttles count in the database so that they
//! hold across web nodes.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use ficus_app::sign_in::SignInError;
use ficus_core::account::{
    self, AccountError, Login, Role, check_password, parse_email, random_token, token_hash,
};
use ficus_store::{StoreError, UserRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, QueryMap, StrictForm};
use crate::session::{
    CSRF_COOKIE, CSRF_FIELD, ClientIp, SESSION_COOKIE, Visitor, cookie_header, is_https,
    verify_csrf,
};
use crate::templates::{Chrome, LoginPage, SignupPage};

/// How long a "remember me" session lasts.
const REMEMBER_DAYS: i64 = 30;
/// How long any other session lasts on the server (the cookie ends with the browser).
const SESSION_HOURS: i64 = 24;

type FormMap = StrictForm;

/// The form's fields (the last value wins for repeated names).
fn form(f: FormMap) -> Result<HashMap<String, String>, WebError> {
    Ok(f.0.into_iter().collect())
}

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("")
}

/// Where to go after logging in: only a path that stays on this archive
/// once a browser has read it. The browser's URL parser (WHATWG rules:
/// tabs and line breaks dropped, backslashes read as slashes, leading
/// spaces and controls trimmed) resolves it against this archive; anything
/// that leaves the origin (`//evil`, `/\evil`, `/%09/evil`, `https:…`,
/// `javascript:…`) is refused, and what is followed is the parser's own
/// serialization (percent-encoded: never a control character in a header).
pub(crate) fn safe_return_to(raw: &str) -> Option<String> {
    const HERE: &str = "http://ficus.invalid/";
    if raw.len() >= 2000 || !raw.trim_start().starts_with(['/', '\\']) {
        return None;
    }
    let base = url::Url::parse(HERE).ok()?;
    let url = base.join(raw).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    // Still a path of this origin: one slash, then not a second one.
    (path.starts_with('/') && !path.starts_with("//")).then_some(path)
}

/// Counts a hit and refuses with 429 + Retry-After beyond `limit`.
async fn throttle(
    st: &AppState,
    bucket: String,
    limit: u32,
    window: i64,
    what: &str,
) -> Result<(), WebError> {
    let now = Utc::now().timestamp();
    let t = st.db(move |s| s.throttle_hit(&bucket, window, now)).await?;
    if t.hits() > limit {
        let retry_after = t.retry_after(limit);
        return Err(WebError::TooManyRequests {
            message: format!("Too many {what}. Please wait {retry_after} seconds and try again."),
            retry_after,
        });
    }
    Ok(())
}

/// Starts a session: a fresh token (never one the browser had before), a
/// fresh CSRF token, and a redirect. The session the browser had before
/// (another account's, say) ends.
async fn start_session(
    st: &AppState,
    headers: &HeaderMap,
    user: &UserRecord,
    remember: bool,
    to: &str,
) -> Result<Response, WebError> {
    let token = random_token();
    let hash = token_hash(&token);
    let now = Utc::now().naive_utc();
    let expires = now
        + if remember {
            Duration::days(REMEMBER_DAYS)
        } else {
            Duration::hours(SESSION_HOURS)
        };
    let user_id = user.id;
    let previous = params::cookie(headers, SESSION_COOKIE).map(token_hash);
    st.db(move |s| {
        if let Some(previous) = previous {
            s.delete_session(&previous)?;
        }
        s.create_session(&hash, user_id, now, expires)
    })
    .await?;
    let secure = is_https(headers);
    let max_age = remember.then_some(REMEMBER_DAYS * 86_400);
    let mut resp = Redirect::to(to).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, &token, max_age, "Lax", secure),
    );
    h.append(
        header::SET_COOKIE,
        cookie_header(CSRF_COOKIE, &random_token(), None, "Strict", secure),
    );
    Ok(resp)
}

fn render_login(
    visitor: &Visitor,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    login: &str,
    return_to: &str,
) -> Result<Response, WebError> {
    let page = LoginPage {
        chrome: Chrome::of(visitor),
        notice,
        error,
        login: login.to_string(),
        return_to: return_to.to_string(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /users/login`.
pub async fn login_form(visitor: Visitor, q: QueryMap) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let return_to = q
        .get("return_to")
        .and_then(|r| safe_return_to(r))
        .unwrap_or_default();
    let notice = params::flag(&q, "restricted").then(|| {
        "This work is only available to registered users of the archive. Please log in.".to_string()
    });
    if visitor.user.is_some() && !return_to.is_empty() {
        return Ok(Redirect::to(&return_to).into_response());
    }
    render_login(&visitor, StatusCode::OK, notice, None, "", &return_to)
}

/// `POST /users/login`.
pub async fn login(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    f: FormMap,
) -> Result<Response, WebError> {
    let f = form(f)?;
    verify_csrf(&st, &headers, f.get(CSRF_FIELD).map(String::as_str))?;
    let login = field(&f, "user[login]").trim().to_string();
    let password = field(&f, "user[password]").to_string();
    let remember = field(&f, "user[remember_me]") == "1";
    let return_to = safe_return_to(field(&f, "return_to")).unwrap_or_default();

    let lookup = login.clone();
    let now_secs = Utc::now().timestamp();
    let user = st
        .web_blocking(move |s| {
            match ficus_app::sign_in::authenticate(s, &lookup, &password, &ip, now_secs) {
                Ok(user) => Ok(Some(user)),
                Err(SignInError::WrongCredentials) => Ok(None),
                Err(SignInError::Throttled { retry_after, from }) => {
                    Err(WebError::TooManyRequests {
                        message: format!(
                            "Too many failed log-in attempts {from}. Please wait {retry_after} seconds and try again."
                        ),
                        retry_after,
                    })
                }
                Err(SignInError::Store(e)) => Err(e.into()),
            }
        })
        .await?;
    match user {
        Some(user) => {
            let to = if return_to.is_empty() {
                "/".to_string()
            } else {
                return_to
            };
            start_session(&st, &headers, &user, remember, &to).await
        }
        None => render_login(
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("The user name or password you entered doesn't match our records.".into()),
            &login,
            &return_to,
        ),
    }
}

/// `POST /users/logout`: ends the session everywhere it is stored.
pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    f: FormMap,
) -> Result<Response, WebError> {
    let f = form(f)?;
    verify_csrf(&st, &headers, f.get(CSRF_FIELD).map(String::as_str))?;
    if let Some(token) = params::cookie(&headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        st.db(move |s| s.delete_session(&hash)).await?;
    }
    let secure = is_https(&headers);
    let mut resp = Redirect::to("/").into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, "", Some(0), "Lax", secure),
    );
    h.append(
        header::SET_COOKIE,
        cookie_header(CSRF_COOKIE, &random_token(), None, "Strict", secure),
    );
    Ok(resp)
}

fn render_signup(
    invitation_only: bool,
    visitor: &Visitor,
    status: StatusCode,
    errors: Vec<String>,
    login: &str,
    email: &str,
) -> Result<Response, WebError> {
    let page = SignupPage {
        chrome: Chrome::of(visitor),
        invitation_only,
        errors,
        login: login.to_string(),
        email: email.to_string(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Whether sign-ups need an invitation code (an admin setting).
async fn invitation_only(st: &AppState) -> Result<bool, WebError> {
    let mode = st
        .db(|s| s.setting(ficus_store::claims::SIGNUPS_SETTING))
        .await?;
    Ok(mode.as_deref() == Some("invitation"))
}

/// `GET /signup`.
pub async fn signup_form(
    State(st): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let invitation_only = invitation_only(&st).await?;
    render_signup(
        invitation_only,
        &visitor,
        StatusCode::OK,
        Vec::new(),
        "",
        "",
    )
}

/// `POST /signup`: creates the account and logs it in.
pub async fn signup(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    f: FormMap,
) -> Result<Response, WebError> {
    let f = form(f)?;
    verify_csrf(&st, &headers, f.get(CSRF_FIELD).map(String::as_str))?;
    let raw_login = field(&f, "user[login]");
    let raw_email = field(&f, "user[email]");
    let password = field(&f, "user[password]").to_string();
    let confirmation = field(&f, "user[password_confirmation]");
    let invitation_only = invitation_only(&st).await?;
    let code_hash = token_hash(field(&f, "invitation_code").trim());

    let mut errors = Vec::new();
    if invitation_only {
        let h = code_hash.clone();
        if !st.db(move |s| s.invitation_code_open(&h)).await? {
            errors.push("That invitation code is not valid, or has been used.".to_string());
        }
    }
    let login = Login::parse(raw_login)
        .map_err(|e| errors.push(e.to_string()))
        .ok()
        .filter(|l| {
            let reserved = account::is_reserved(l);
            if reserved {
                errors.push(AccountError::Reserved.to_string());
            }
            !reserved
        });
    let email = parse_email(raw_email)
        .map_err(|e| errors.push(e.to_string()))
        .ok();
    if let Err(e) = check_password(&password) {
        errors.push(e.to_string());
    } else if password != confirmation {
        errors.push(AccountError::PasswordMismatch.to_string());
    }
    let (Some(login), Some(email)) = (login, email) else {
        return render_signup(
            invitation_only,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            raw_login,
            raw_email,
        );
    };
    if !errors.is_empty() {
        return render_signup(
            invitation_only,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            raw_login,
            raw_email,
        );
    }
    throttle(
        &st,
        format!("signup:ip:{ip}"),
        st.signups_per_hour,
        3600,
        "sign-ups from your address",
    )
    .await?;

    let new_login = login.clone();
    let new_email = email.clone();
    let created = st
        .db(move |s| {
            let hash = account::hash_password(&password)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            s.create_user(
                &new_login,
                &new_email,
                &hash,
                Role::User,
                Utc::now().naive_utc(),
            )
        })
        .await;
    match created {
        Ok(user) => {
            if invitation_only {
                let uid = user.id;
                let used = st
                    .db(move |s| s.use_invitation_code(&code_hash, uid))
                    .await?;
                if !used {
                    // Another sign-up used the code first: undo this one.
                    st.db(move |s| s.delete_user(uid, false)).await?;
                    return render_signup(
                        invitation_only,
                        &visitor,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        vec!["That invitation code has just been used.".to_string()],
                        raw_login,
                        raw_email,
                    );
                }
            }
            start_session(&st, &headers, &user, false, "/").await
        }
        Err(WebError::Store(StoreError::Taken(what))) => render_signup(
            invitation_only,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![format!("That {what} is already taken.")],
            raw_login,
            raw_email,
        ),
        Err(e) => Err(e),
    }
}
