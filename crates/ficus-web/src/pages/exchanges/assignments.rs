//! Matching and assignment pages: the maintainers' match report
//! (`/collections/{name}/potential_matches`, `POST …/generate`), sending
//! assignments out (`POST /collections/{name}/assignments/send_out`), the
//! maintainers' assignments by status (`/collections/{name}/assignments`),
//! one assignment (`/collections/{name}/assignments/{id}`: its writer and
//! the maintainers) with defaulting (`POST …/{id}/default`) and pinch
//! hitting (`POST …/{id}/cover`), and a writer's own
//! (`/users/{login}/assignments`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::exchange::rules::AssignmentStatus;
use ficus_store::collections::CollectionRecord;
use ficus_store::exchanges::{AssignmentRecord, ExchangeRecord, SignupRecord, UnmatchedRecord};

use super::{collection_href, exchange_of, maintains, must_maintain, refusal_status};
use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap};
use crate::templates::Chrome;
use crate::view::encode_segment;

#[derive(Template)]
#[template(path = "exchange_matches.html")]
struct MatchesPage {
    chrome: Chrome,
    c: CollectionRecord,
    exchange: ExchangeRecord,
    /// Sign-ups still open (matching waits).
    open: bool,
    assignments: Vec<AssignmentRecord>,
    /// Assignments with a giver.
    matched: usize,
    unmatched: Vec<UnmatchedRecord>,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "exchange_assignments.html")]
struct ListPage {
    chrome: Chrome,
    heading: String,
    /// (tab label, href, current); empty on a writer's own list.
    tabs: Vec<(&'static str, String, bool)>,
    assignments: Vec<AssignmentRecord>,
    /// Show the writer column (the maintainers' list).
    maintainer: bool,
    message: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "exchange_assignment.html")]
struct ShowPage {
    chrome: Chrome,
    c: CollectionRecord,
    a: AssignmentRecord,
    /// The recipient's sign-up (their requests).
    recipient: Option<SignupRecord>,
    writer: bool,
    maintainer: bool,
    message: Option<&'static str>,
    error: Option<String>,
}

/// `GET /collections/{name}/potential_matches`: the match report.
pub async fn matches(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let (c, exchange) = exchange_of(&st, &name).await?;
    must_maintain(&c, &visitor)?;
    let cid = c.id;
    let (assignments, unmatched) = st
        .db(move |s| Ok((s.exchange_assignments(cid)?, s.exchange_unmatched(cid)?)))
        .await?;
    let page = MatchesPage {
        chrome: Chrome::of(&visitor),
        open: exchange
            .settings
            .signups_open(chrono::Utc::now().naive_utc()),
        c,
        exchange,
        matched: assignments
            .iter()
            .filter(|a| a.giver_login.is_some())
            .count(),
        assignments,
        unmatched,
        message: match q.get("matches").map(String::as_str) {
            Some("generated") => Some("Matching is complete.".into()),
            Some("sent") => Some("Assignments have been sent out.".into()),
            _ => None,
        },
    };
    Ok(Html(page.render()?).into_response())
}

/// A maintainer's action on the exchange's matches, then back to the
/// match report with `notice` (`?matches=`), or the refusal.
async fn on_matches<T: Send + 'static>(
    st: &AppState,
    visitor: &crate::session::Visitor,
    name: &str,
    notice: &str,
    act: fn(&ficus_store::Store, Viewer, i64, NaiveDateTime) -> ficus_app::exchanges::Outcome<T>,
) -> Result<Response, WebError> {
    let (c, _) = exchange_of(st, name).await?;
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let cid = c.id;
    match st.db(move |s| act(s, viewer, cid, now)).await? {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}/potential_matches?matches={notice}",
            collection_href(&c)
        ))
        .into_response()),
        Err(r) => Err(refusal_status(&r).unwrap_or(WebError::BadRequest(r.to_string()))),
    }
}

/// `POST /collections/{name}/potential_matches/generate`.
pub async fn generate_matches(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    on_matches(
        &st,
        &visitor,
        &name,
        "generated",
        ficus_app::exchanges::run_matching,
    )
    .await
}

/// `POST /collections/{name}/assignments/send_out`.
pub async fn send_out(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    on_matches(&st, &visitor, &name, "sent", ficus_app::exchanges::send_out).await
}

/// `GET /collections/{name}/assignments?status=open|complete|defaulted|pinch_hit`.
pub async fn assignments(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let (c, _) = exchange_of(&st, &name).await?;
    must_maintain(&c, &visitor)?;
    let status = match q.get("status").map(String::as_str) {
        None | Some("") => AssignmentStatus::Open,
        Some(s) => AssignmentStatus::parse(s).ok_or_else(|| {
            WebError::BadRequest(format!(
                "{s:?} is not an assignment status (open, complete, defaulted or pinch_hit)."
            ))
        })?,
    };
    let cid = c.id;
    let all = st.db(move |s| s.exchange_assignments(cid)).await?;
    let base = format!("{}/assignments", collection_href(&c));
    let page = ListPage {
        chrome: Chrome::of(&visitor),
        heading: format!("Assignments for {}", c.title),
        tabs: [
            AssignmentStatus::Open,
            AssignmentStatus::Complete,
            AssignmentStatus::Defaulted,
            AssignmentStatus::PinchHit,
        ]
        .into_iter()
        .map(|s| {
            (
                s.label(),
                format!("{base}?status={}", s.as_str()),
                s == status,
            )
        })
        .collect(),
        assignments: all.into_iter().filter(|a| a.status == status).collect(),
        maintainer: true,
        message: None,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /users/{login}/assignments`: the account's own (sent) assignments.
pub async fn user_assignments(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    if !user.login.eq_ignore_ascii_case(&login) {
        return Err(WebError::Forbidden(
            "Only the account's owner sees its assignments.".into(),
        ));
    }
    let uid = user.id;
    let mine = st.db(move |s| s.user_assignments(uid)).await?;
    let page = ListPage {
        chrome: Chrome::of(&visitor),
        heading: "My Assignments".into(),
        tabs: Vec::new(),
        assignments: mine,
        maintainer: false,
        message: (q.get("assignment").map(String::as_str) == Some("defaulted")).then_some(
            "You have defaulted on your assignment; the maintainers will find a pinch hitter.",
        ),
    };
    Ok(Html(page.render()?).into_response())
}

/// The assignment, when the visitor is its writer (once sent) or a
/// maintainer; else 404.
async fn visible(
    st: &AppState,
    name: &str,
    id: &str,
    visitor: &crate::session::Visitor,
    user_id: i64,
) -> Result<(CollectionRecord, AssignmentRecord, bool, bool), WebError> {
    let id = params::id(id, "assignment")?;
    let (c, _) = exchange_of(st, name).await?;
    let cid = c.id;
    let a = st
        .db(move |s| s.assignment(id))
        .await?
        .filter(|a| a.collection_id == cid);
    let maintainer = maintains(&c, visitor);
    let not_found =
        || WebError::NotFound("There is no such assignment, or it is not visible to you.".into());
    let a = a.ok_or_else(not_found)?;
    let writer = a.sent && a.writer_id == Some(user_id);
    if !writer && !maintainer {
        return Err(not_found());
    }
    Ok((c, a, writer, maintainer))
}

/// `GET /collections/{name}/assignments/{id}`.
pub async fn assignment(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path((name, id)): Path<(String, String)>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let (c, a, writer, maintainer) = visible(&st, &name, &id, &visitor, user.id).await?;
    let rid = a.recipient_signup_id;
    let recipient = st.db(move |s| s.signup(rid)).await?;
    let page = ShowPage {
        chrome: Chrome::of(&visitor),
        c,
        a,
        recipient,
        writer,
        maintainer,
        message: match q.get("assignment").map(String::as_str) {
            Some("defaulted") => Some("You have defaulted on this assignment."),
            Some("covered") => Some("The pinch hitter has been assigned."),
            _ => None,
        },
        error: None,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /collections/{name}/assignments/{id}/default`: the writer gives
/// it up.
pub async fn default(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path((name, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm,
) -> Result<Response, WebError> {
    let (_, a, _, _) = visible(&st, &name, &id, &visitor, user.id).await?;
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let aid = a.id;
    match st
        .db(move |s| ficus_app::exchanges::default(s, viewer, aid, now))
        .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/users/{}/assignments?assignment=defaulted",
            encode_segment(&user.login)
        ))
        .into_response()),
        Err(r) => Err(refusal_status(&r).unwrap_or(WebError::BadRequest(r.to_string()))),
    }
}

/// `POST /collections/{name}/assignments/{id}/cover`: a maintainer names a
/// pinch hitter (`pinch_hitter[login]`).
pub async fn cover(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path((name, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let (c, a, writer, maintainer) = visible(&st, &name, &id, &visitor, user.id).await?;
    let login = form.field("pinch_hitter[login]").to_string();
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let aid = a.id;
    match st
        .db(move |s| ficus_app::exchanges::cover(s, viewer, aid, &login, now))
        .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/assignments/{aid}?assignment=covered",
            collection_href(&c)
        ))
        .into_response()),
        Err(r) => {
            if let Some(e) = refusal_status(&r) {
                return Err(e);
            }
            let rid = a.recipient_signup_id;
            let recipient = st.db(move |s| s.signup(rid)).await?;
            let page = ShowPage {
                chrome: Chrome::of(&visitor),
                c,
                a,
                recipient,
                writer,
                maintainer,
                message: None,
                error: Some(r.to_string()),
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render()?),
            )
                .into_response())
        }
    }
}
