//! Who is asking: the session cookie (server-side sessions in the
//! database, shared by every web node) and the CSRF token (double-submit:
//! an HttpOnly SameSite=Strict cookie that every form repeats in a hidden
//! `authenticity_token` field).

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use ficus_core::access::Viewer;
use ficus_core::account::{constant_time_eq, random_token, token_hash};
use ficus_store::UserRecord;

use crate::AppState;
use crate::error::WebError;
use crate::params::cookie;

/// The session cookie.
pub const SESSION_COOKIE: &str = "ficus_session";
/// The CSRF cookie.
pub const CSRF_COOKIE: &str = "ficus_csrf";
/// The form field that repeats the CSRF cookie.
pub const CSRF_FIELD: &str = "authenticity_token";

/// The CSRF token of this browser, placed in request extensions by
/// [`csrf_cookie`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the request came over https (directly or through a proxy that
/// says so), so cookies get `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value; `max_age` `None` makes a browser-session cookie,
/// `Some(0)` deletes it.
pub fn cookie_header(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    same_site: &str,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// Middleware: makes sure the browser has a CSRF cookie, and exposes it to
/// handlers as [`CsrfToken`].
pub async fn csrf_cookie(mut req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), CSRF_COOKIE)
        .filter(|t| is_token(t))
        .map(str::to_string);
    let secure = is_https(req.headers());
    let token = existing.clone().unwrap_or_else(random_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if existing.is_none() {
        resp.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(CSRF_COOKIE, &token, None, "Strict", secure),
        );
    }
    resp
}

/// Checks a submitted form's token against the browser's CSRF cookie.
pub fn verify_csrf(headers: &HeaderMap, submitted: Option<&str>) -> Result<(), WebError> {
    let expected = cookie(headers, CSRF_COOKIE).filter(|t| is_token(t));
    match (expected, submitted) {
        (Some(e), Some(s)) if constant_time_eq(e, s) => Ok(()),
        _ => Err(WebError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        )),
    }
}

/// The person behind a request: their account (if logged in) and the CSRF
/// token their forms must carry.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<UserRecord>,
    pub csrf: String,
}

impl Visitor {
    /// The access-policy view of this visitor.
    pub fn viewer(&self) -> Viewer {
        match &self.user {
            Some(u) => Viewer::User {
                id: u.id,
                role: u.role,
            },
            None => Viewer::Guest,
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let user = match cookie(&parts.headers, SESSION_COOKIE).filter(|t| is_token(t)) {
            Some(token) => {
                let hash = token_hash(token);
                let now = Utc::now().naive_utc();
                state.db(move |s| s.session_user(&hash, now)).await?
            }
            None => None,
        };
        Ok(Visitor { user, csrf })
    }
}

/// The client's IP address as the socket saw it ("unknown" when the server
/// was built without connection info, as in-process tests may be).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        Ok(ClientIp(ip))
    }
}
