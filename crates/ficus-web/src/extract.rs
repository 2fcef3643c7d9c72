//! Extractors for the pages that change things: a signed-in account
//! ([`SignedIn`]), a form with a valid CSRF token ([`CsrfForm`]), and a
//! work whose creator is asking ([`OwnerGet`] for its pages, [`OwnerPost`]
//! for its forms). A guest is sent to the log-in page and comes back to
//! the page they were on; everything else refused is a [`WebError`].

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Path, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use ficus_store::{Reading, UserRecord};

use crate::AppState;
use crate::error::WebError;
use crate::owner::owned_work;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::view::encode_segment;

/// Why an extractor refused: log in first (coming back to a page), or an
/// error page.
#[derive(Debug)]
pub enum Refusal {
    /// A guest: the log-in page, then back to this path.
    LogIn(String),
    Error(WebError),
}

impl From<WebError> for Refusal {
    fn from(e: WebError) -> Self {
        Refusal::Error(e)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::LogIn(back) => {
                Redirect::to(&format!("/users/login?return_to={}", encode_segment(&back)))
                    .into_response()
            }
            Refusal::Error(e) => e.into_response(),
        }
    }
}

/// The page a form posting to a route is on, where the route's own path
/// is not a page: a guest who posts it comes back there after logging in.
/// Every other route comes back to its own path.
const FORM_PAGES: &[(&str, &str)] = &[
    ("/works", "/works/new"),
    ("/works/{id}/delete", "/works/{id}"),
    ("/works/{id}/chapters", "/works/{id}/chapters/new"),
    (
        "/works/{id}/chapters/reorder",
        "/works/{id}/chapters/manage",
    ),
    (
        "/works/{id}/chapters/{chapter_id}/delete",
        "/works/{id}/chapters/manage",
    ),
    ("/creatorships/{id}", "/"),
    ("/comments/{id}/freeze", "/comments/{id}"),
    ("/comments/{id}/unfreeze", "/comments/{id}"),
    ("/comments/{id}/hide", "/comments/{id}"),
    ("/comments/{id}/unhide", "/comments/{id}"),
    ("/comments/{id}/review", "/comments/{id}"),
    ("/comments/{id}/spam", "/comments/{id}"),
    ("/comments/{id}/not_spam", "/comments/{id}"),
    ("/works/{id}/comments/review_all", "/works/{id}"),
];

/// Fills `template`'s `{name}` segments with the segments of `path` that
/// stand where `matched` (the route `path` matched) has the same name.
fn fill(template: &str, matched: &str, path: &str) -> String {
    let values: HashMap<&str, &str> = matched
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, v)| {
            t.strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .map(|n| (n, v))
        })
        .collect();
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => values.get(name).copied().unwrap_or(""),
                None => seg,
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a guest comes back to after logging in: the page itself, or for
/// a form, the page the form is on.
fn come_back_to(parts: &Parts) -> String {
    let path = parts.uri.path();
    if parts.method == Method::GET || parts.method == Method::HEAD {
        return path.to_string();
    }
    let Some(matched) = parts.extensions.get::<MatchedPath>() else {
        return path.to_string();
    };
    match FORM_PAGES
        .iter()
        .find(|(route, _)| *route == matched.as_str())
    {
        Some((_, page)) => fill(page, matched.as_str(), path),
        None => path.to_string(),
    }
}

/// A signed-in account (and the visitor, for the page chrome).
pub struct SignedIn {
    pub visitor: Visitor,
    pub user: UserRecord,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Refusal> {
        let visitor = Visitor::from_request_parts(parts, st).await?;
        match visitor.user.clone() {
            Some(user) => Ok(SignedIn { visitor, user }),
            None => Err(Refusal::LogIn(come_back_to(parts))),
        }
    }
}

/// A form body (decoded strictly) whose CSRF token matches the cookie's;
/// 403 otherwise, before anything else is done with it.
pub struct CsrfForm(pub StrictForm);

impl FromRequest<AppState> for CsrfForm {
    type Rejection = WebError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, WebError> {
        let headers = req.headers().clone();
        let form = StrictForm::from_request(req, st).await?;
        verify_csrf(st, &headers, Some(form.field(CSRF_FIELD)))?;
        Ok(CsrfForm(form))
    }
}

/// The id in the route's `{name}` segment: 400 when malformed.
async fn path_id(
    parts: &mut Parts,
    st: &AppState,
    name: &str,
    what: &str,
) -> Result<i64, WebError> {
    let Path(segments) = Path::<HashMap<String, String>>::from_request_parts(parts, st)
        .await
        .map_err(|e| WebError::BadRequest(e.body_text()))?;
    let raw = segments.get(name).map(String::as_str).unwrap_or("");
    params::id(raw, what)
}

/// The work id of the route's `{id}`: 400 when malformed.
async fn work_id(parts: &mut Parts, st: &AppState) -> Result<i64, WebError> {
    path_id(parts, st, "id", "work").await
}

/// The route's `{id}` as a work id, 400 when malformed (before anything
/// else is looked at).
pub struct WorkId(pub i64);

impl FromRequestParts<AppState> for WorkId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, WebError> {
        Ok(WorkId(work_id(parts, st).await?))
    }
}

/// The route's `{chapter_id}`, 400 when malformed (before anything else
/// is looked at).
pub struct ChapterId(pub i64);

impl FromRequestParts<AppState> for ChapterId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, WebError> {
        Ok(ChapterId(
            path_id(parts, st, "chapter_id", "chapter").await?,
        ))
    }
}

/// A page of a work that only its creators see (`/works/{id}/…`): the
/// work id (400 when malformed), a signed-in account (else the log-in
/// page), one of the work's creators (403; 404 when the work is not
/// visible at all), with the work and its first chapter's text.
pub struct OwnerGet {
    pub visitor: Visitor,
    pub user: UserRecord,
    pub id: i64,
    pub reading: Reading,
}

impl FromRequestParts<AppState> for OwnerGet {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Refusal> {
        let id = work_id(parts, st).await?;
        let SignedIn { visitor, user } = SignedIn::from_request_parts(parts, st).await?;
        let reading = owned_work(st, &visitor, id).await?;
        Ok(OwnerGet {
            visitor,
            user,
            id,
            reading,
        })
    }
}

/// A form that changes a work: as [`OwnerGet`], with the form's CSRF
/// token checked before the work is looked at.
pub struct OwnerPost {
    pub visitor: Visitor,
    pub user: UserRecord,
    pub id: i64,
    pub reading: Reading,
    pub form: StrictForm,
}

impl FromRequest<AppState> for OwnerPost {
    type Rejection = Refusal;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Refusal> {
        let (mut parts, body) = req.into_parts();
        let id = work_id(&mut parts, st).await?;
        let SignedIn { visitor, user } = SignedIn::from_request_parts(&mut parts, st).await?;
        let CsrfForm(form) = CsrfForm::from_request(Request::from_parts(parts, body), st).await?;
        let reading = owned_work(st, &visitor, id).await?;
        Ok(OwnerPost {
            visitor,
            user,
            id,
            reading,
            form,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn a_form_page_takes_the_route_s_values() {
        assert_eq!(
            fill(
                "/works/{id}/chapters/manage",
                "/works/{id}/chapters/{chapter_id}/delete",
                "/works/7/chapters/12/delete"
            ),
            "/works/7/chapters/manage"
        );
        assert_eq!(fill("/works/new", "/works", "/works"), "/works/new");
    }
}
