//! An account's own settings: reading preferences, password, e-mail, and
//! deleting the account (orphaning or deleting its works).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::account::{self, check_password, parse_email, token_hash};
use ficus_core::mail::MailPref;
use ficus_store::{Preferences, StoreError, UserRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, QueryMap, StrictForm};
use crate::session::{CSRF_FIELD, SESSION_COOKIE, Visitor, cookie_header, is_https, verify_csrf};
use crate::templates::{Chrome, SettingsPage};
use crate::view::encode_segment;

/// The visitor, if they are the account named in the path; else the
/// log-in page (coming back to `return_to`) for guests, 403 for others.
pub(crate) fn own_account(
    visitor: &Visitor,
    login: &str,
    return_to: &str,
) -> Result<Result<UserRecord, Response>, WebError> {
    match &visitor.user {
        None => Ok(Err(Redirect::to(&format!(
            "/users/login?return_to={}",
            encode_segment(return_to)
        ))
        .into_response())),
        Some(u) if u.login.eq_ignore_ascii_case(login) => Ok(Ok(u.clone())),
        Some(_) => Err(WebError::Forbidden(
            "You can only change your own account.".into(),
        )),
    }
}

/// The start of every settings form: the visitor's own account (else the
/// log-in page or 403) and a valid CSRF token.
fn own_post(
    st: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    login: &str,
    form: &StrictForm,
) -> Result<Result<UserRecord, Response>, WebError> {
    let user = own_account(visitor, login, &format!("/users/{login}/edit"))?;
    if user.is_ok() {
        verify_csrf(st, headers, Some(form.field(CSRF_FIELD)))?;
    }
    Ok(user)
}

fn render(
    visitor: &Visitor,
    user: &UserRecord,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let page = SettingsPage {
        chrome: Chrome::of(visitor),
        login: user.login.clone(),
        email: user.email.clone(),
        prefs: user.prefs,
        notice,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Back to the settings page, saying what was saved.
fn saved(user: &UserRecord, what: &str) -> Response {
    Redirect::to(&format!(
        "/users/{}/edit?saved={what}",
        encode_segment(&user.login)
    ))
    .into_response()
}

/// Checks the account's current password (on the blocking pool: argon2 is slow on purpose).
async fn password_ok(st: &AppState, user_id: i64, password: String) -> Result<bool, WebError> {
    st.db(move |s| {
        Ok::<_, StoreError>(
            s.user(user_id)?
                .is_some_and(|(_, hash)| account::verify_password(&password, &hash)),
        )
    })
    .await
}

/// `GET /users/{login}/edit`.
pub async fn edit(
    visitor: Visitor,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let user = match own_account(&visitor, &login, &format!("/users/{login}/edit"))? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let q = params::query(q)?;
    let notice = q.get("saved").map(|what| match what.as_str() {
        "password" => "Your password has been changed.".to_string(),
        "email" => "Your e-mail address has been changed.".to_string(),
        _ => "Your preferences have been saved.".to_string(),
    });
    render(&visitor, &user, StatusCode::OK, notice, None)
}

/// `POST /users/{login}/preferences`.
pub async fn preferences(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_post(&st, &visitor, &headers, &login, &form)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let prefs = Preferences {
        skip_adult: form.field("skip_adult") == "1",
        full_work: form.field("full_work") == "1",
        hide_warnings: form.field("hide_warnings") == "1",
        hide_freeforms: form.field("hide_freeforms") == "1",
        guest_replies_off: form.field("guest_replies_off") == "1",
        history: form.field("history") == "1",
        allow_gifts: form.field("allow_gifts") == "1",
        // Absent from the form: as they were.
        comment_mail: MailPref::parse(form.field("pref_comment_mail"))
            .unwrap_or(user.prefs.comment_mail),
        kudos_mail: MailPref::parse(form.field("pref_kudos_mail"))
            .filter(|p| *p != MailPref::Immediate)
            .unwrap_or(user.prefs.kudos_mail),
        challenge_mail: MailPref::parse(form.field("pref_challenge_mail"))
            .filter(|p| *p != MailPref::Daily)
            .unwrap_or(user.prefs.challenge_mail),
    };
    let uid = user.id;
    st.db(move |s| s.set_preferences(uid, prefs)).await?;
    Ok(saved(&user, "preferences"))
}

/// `POST /users/{login}/password`: needs the current password; ends every
/// other session.
pub async fn password(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_post(&st, &visitor, &headers, &login, &form)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let new = form.field("new_password").to_string();
    if !password_ok(&st, user.id, form.field("current_password").to_string()).await? {
        return render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("Your current password was not right.".into()),
        );
    }
    if let Err(e) = check_password(&new) {
        return render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(e.to_string()),
        );
    }
    if new != form.field("new_password_confirmation") {
        return render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(account::AccountError::PasswordMismatch.to_string()),
        );
    }
    let keep = params::cookie(&headers, SESSION_COOKIE).map(token_hash);
    let uid = user.id;
    st.db(move |s| {
        let hash = account::hash_password(&new).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        s.set_password_hash(uid, &hash, keep.as_deref())
    })
    .await?;
    Ok(saved(&user, "password"))
}

/// `POST /users/{login}/email`: needs the password.
pub async fn email(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_post(&st, &visitor, &headers, &login, &form)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    if !password_ok(&st, user.id, form.field("password").to_string()).await? {
        return render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("Your password was not right.".into()),
        );
    }
    let new = match parse_email(form.field("new_email")) {
        Ok(e) => e,
        Err(e) => {
            return render(
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e.to_string()),
            );
        }
    };
    let uid = user.id;
    match st.db(move |s| s.set_email(uid, &new)).await {
        Ok(()) => Ok(saved(&user, "email")),
        Err(WebError::Store(StoreError::Taken(what))) => render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(format!("That {what} is already taken.")),
        ),
        Err(e) => Err(e),
    }
}

/// `POST /users/{login}/delete`: needs the password; orphans or deletes
/// the works, deletes the account, logs out.
pub async fn delete(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let user = match own_post(&st, &visitor, &headers, &login, &form)? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    if !password_ok(&st, user.id, form.field("password").to_string()).await? {
        return render(
            &visitor,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("Your password was not right.".into()),
        );
    }
    let orphan = match form.field("works") {
        "orphan" => true,
        "delete" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a choice: orphan or delete."
            )));
        }
    };
    let uid = user.id;
    st.db(move |s| s.delete_user(uid, orphan)).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(SESSION_COOKIE, "", Some(0), "Lax", is_https(&headers)),
    );
    Ok(resp)
}
