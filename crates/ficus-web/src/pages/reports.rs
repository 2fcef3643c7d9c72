//! Reports and the moderators' tools: `/abuse_reports/new` (AO3's URL; a
//! link to a work, a comment or an account, a reason, a description, an
//! e-mail for guests), `/admin/reports` (the queue, resolve with a note)
//! and `/admin/users/{login}` (suspend until a date, ban, lift). Every
//! moderator action lands in the audit log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::reports::{ReportReason, ReportRefusal, ReportTarget, Standing};
use ficus_store::reports::{ReportRecord, StandingChange};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::Pager;

#[derive(Template)]
#[template(path = "report_form.html")]
pub struct ReportFormPage {
    pub chrome: Chrome,
    pub url: String,
    pub reason: String,
    pub description: String,
    pub email: String,
    /// Guests give an e-mail; accounts use theirs.
    pub guest: bool,
    pub reasons: Vec<(&'static str, &'static str)>,
    pub error: Option<String>,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "reports_queue.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub reports: Vec<(ReportRecord, String, String)>,
    pub open_only: bool,
    pub total: u64,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "standing.html")]
pub struct StandingPage {
    pub chrome: Chrome,
    pub login: String,
    pub standing: String,
    pub message: Option<String>,
}

fn reasons() -> Vec<(&'static str, &'static str)> {
    ReportReason::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

/// `GET /abuse_reports/new[?url=…]`.
pub async fn new(visitor: Visitor, q: QueryMap) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page = ReportFormPage {
        chrome: Chrome::of(&visitor),
        url: q.get("url").cloned().unwrap_or_default(),
        reason: String::new(),
        description: String::new(),
        email: String::new(),
        guest: visitor.user.is_none(),
        reasons: reasons(),
        error: None,
        done: false,
    };
    Ok(Html(page.render()?).into_response())
}

/// The path part of a link (absolute or not), without query or fragment.
fn path_of(link: &str) -> &str {
    let link = link.trim();
    let after_scheme = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
        .map(|rest| rest.find('/').map_or("/", |i| &rest[i..]));
    let path = after_scheme.unwrap_or(link);
    path.split(['?', '#']).next().unwrap_or("")
}

/// `POST /abuse_reports`.
pub async fn create(
    State(st): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let url = form.field("abuse_report[url]").to_string();
    let reason_raw = form.field("abuse_report[reason]").to_string();
    let description = form.field("abuse_report[comment]").to_string();
    let typed_email = form.field("abuse_report[email]").to_string();
    let segments: Vec<String> = path_of(&url)
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let user = visitor.user.clone();
    let outcome: Result<i64, ReportRefusal> = {
        let (reason, description_checked) = (
            ReportReason::parse(&reason_raw),
            ficus_core::reports::check_description(&description),
        );
        let email = match &user {
            Some(u) => Ok(u.email.clone()),
            None => {
                ficus_core::account::parse_email(&typed_email).map_err(|_| ReportRefusal::BadEmail)
            }
        };
        match (reason, description_checked, email) {
            (None, _, _) => Err(ReportRefusal::NoReason),
            (_, Err(e), _) | (_, _, Err(e)) => Err(e),
            (Some(reason), Ok(text), Ok(email)) => {
                let reporter = user.as_ref().map(|u| u.id);
                st.db(move |s| {
                    let seg = |i: usize| segments.get(i).map(String::as_str);
                    let target = match (seg(0), seg(1)) {
                        (Some("works"), Some(id)) => id.parse().ok().map(ReportTarget::Work),
                        (Some("chapters"), Some(id)) => match id.parse() {
                            Ok(c) => s.chapter_work_id(c)?.map(ReportTarget::Work),
                            Err(_) => None,
                        },
                        (Some("comments"), Some(id)) => id.parse().ok().map(ReportTarget::Comment),
                        (Some("users"), Some(login)) => s
                            .user_for_login(login)?
                            .map(|(u, _)| ReportTarget::Account(u.id)),
                        _ => None,
                    };
                    let Some(target) = target else {
                        return Ok(Err(ReportRefusal::BadTarget));
                    };
                    s.file_report(
                        target,
                        reporter,
                        &email,
                        reason,
                        &text,
                        chrono::Utc::now().naive_utc(),
                    )
                })
                .await?
            }
        }
    };
    let (status, error, done) = match outcome {
        Ok(_) => (StatusCode::OK, None, true),
        Err(e @ (ReportRefusal::TargetLimit | ReportRefusal::EmailLimit)) => {
            (StatusCode::TOO_MANY_REQUESTS, Some(e.to_string()), false)
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, Some(e.to_string()), false),
    };
    let page = ReportFormPage {
        chrome: Chrome::of(&visitor),
        url: if done { String::new() } else { url },
        reason: if done { String::new() } else { reason_raw },
        description: if done { String::new() } else { description },
        email: if done { String::new() } else { typed_email },
        guest: visitor.user.is_none(),
        reasons: reasons(),
        error,
        done,
    };
    let mut response = Html(page.render()?).into_response();
    *response.status_mut() = status;
    Ok(response)
}

fn moderator(visitor: &Visitor) -> Result<i64, WebError> {
    match &visitor.user {
        Some(u) if visitor.viewer().moderates() => Ok(u.id),
        _ => Err(WebError::Forbidden(
            "Only the archive's moderators can do that.".into(),
        )),
    }
}

/// `GET /admin/reports[?all=true&page=N]`: the queue.
pub async fn queue(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    q: QueryMap,
) -> Result<Response, WebError> {
    moderator(&visitor)?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let open_only = !params::flag(&q, "all");
    let list = st.db(move |s| s.reports(page, open_only)).await?;
    let base = if open_only {
        "/admin/reports".to_string()
    } else {
        "/admin/reports?all=true".to_string()
    };
    let view = ReportsPage {
        chrome: Chrome::of(&visitor),
        total: list.total,
        pager: crate::view::pager(&base, page, list.page_count()),
        open_only,
        reports: list
            .items
            .into_iter()
            .map(|r| {
                let href = match r.target_kind.as_str() {
                    "work" => format!("/works/{}", r.target_id),
                    "comment" => format!("/comments/{}", r.target_id),
                    _ => format!("/admin/users/by_id/{}", r.target_id),
                };
                let reason = ReportReason::parse(&r.reason)
                    .map(|x| x.label().to_string())
                    .unwrap_or_else(|| r.reason.clone());
                (r, href, reason)
            })
            .collect(),
    };
    Ok(Html(view.render()?).into_response())
}

/// `POST /admin/reports/{id}/resolve`.
pub async fn resolve(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let me = moderator(&visitor)?;
    let id = params::id(&id, "report")?;
    let note = form.field("resolution").trim().to_string();
    let now = chrono::Utc::now().naive_utc();
    if !st.db(move |s| s.resolve_report(id, me, &note, now)).await? {
        return Err(WebError::NotFound("There is no such open report.".into()));
    }
    Ok(Redirect::to("/admin/reports").into_response())
}

/// `GET /admin/users/by_id/{id}`: to the account's page by its id.
pub async fn user_by_id(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    moderator(&visitor)?;
    let id = params::id(&id, "account")?;
    let Some((user, _)) = st.db(move |s| s.user(id)).await? else {
        return Err(WebError::NotFound("There is no such account.".into()));
    };
    Ok(Redirect::to(&format!("/admin/users/{}", user.login)).into_response())
}

/// `GET /admin/users/{login}`: the account's standing and the forms.
pub async fn standing(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    moderator(&visitor)?;
    let q = params::query(q)?;
    let lookup = login.clone();
    let Some(user) = st
        .db(move |s| s.user_for_login(&lookup).map(|u| u.map(|(u, _)| u)))
        .await?
    else {
        return Err(WebError::NotFound("There is no such account.".into()));
    };
    let uid = user.id;
    let now = chrono::Utc::now().naive_utc();
    let standing = st.db(move |s| s.standing(uid, now)).await?;
    let page = StandingPage {
        chrome: Chrome::of(&visitor),
        login: user.login,
        standing: match standing {
            Standing::Good => "In good standing.".into(),
            Standing::Suspended { until } => {
                format!("Suspended until {} UTC.", until.format("%Y-%m-%d %H:%M"))
            }
            Standing::Banned => "Banned.".into(),
        },
        message: q.get("saved").map(|_| "Saved.".to_string()),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /admin/users/{login}/standing`: suspend (`days`, `reason`),
/// ban (`reason`) or lift.
pub async fn set_standing(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(login): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let me = moderator(&visitor)?;
    let now = chrono::Utc::now().naive_utc();
    let reason = form.field("reason").trim().to_string();
    let action = form.field("standing").to_string();
    let days: Option<i64> = form.field("days").trim().parse().ok();
    if action != "lift" && reason.is_empty() {
        return Err(WebError::BadRequest("Please give a reason.".into()));
    }
    let target = login.clone();
    let done = st
        .db(move |s| {
            let change = match action.as_str() {
                "suspend" => match days {
                    Some(d) if (1..=3650).contains(&d) => StandingChange::Suspend {
                        until: now + chrono::Duration::days(d),
                        reason: &reason,
                    },
                    _ => return Ok(None),
                },
                "ban" => StandingChange::Ban { reason: &reason },
                "lift" => StandingChange::Lift,
                _ => return Ok(None),
            };
            s.set_standing(&target, change, me, now).map(Some)
        })
        .await?;
    match done {
        None => Err(WebError::BadRequest(
            "Choose suspend (with 1 to 3650 days), ban or lift.".into(),
        )),
        Some(false) => Err(WebError::NotFound(
            "There is no such account (or it is an admin's).".into(),
        )),
        Some(true) => Ok(Redirect::to(&format!("/admin/users/{login}?saved=1")).into_response()),
    }
}
