//! Who is asking: the session cookie (server-side sessions in the
//! database, shared by every web node) and the CSRF token. The browser
//! holds a random HttpOnly SameSite=Strict CSRF cookie; every form carries
//! in a hidden `authenticity_token` field an HMAC, under the archive's
//! secret key, of that cookie and the session cookie. A form token thus
//! works only with the cookies it was made for, and nobody who can plant
//! cookies (a sibling subdomain, say) can make a matching pair without
//! the key.

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

pub use crate::origin::{ClientIp, is_https};

/// The form token for a browser's CSRF cookie and session cookie (none
/// for a guest): hex HMAC-SHA256 under the archive's key.
pub fn form_token(key: &[u8], csrf_cookie: &str, session: Option<&str>) -> String {
    use hmac::Mac;
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key) else {
        // HMAC takes keys of any length; this never happens.
        return String::new();
    };
    mac.update(b"ficus-csrf\0");
    mac.update(csrf_cookie.as_bytes());
    mac.update(b"\0");
    mac.update(session.unwrap_or("").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|t| is_token(t))
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

/// Checks a submitted form's token against the browser's CSRF and
/// session cookies.
pub fn verify_csrf(
    st: &AppState,
    headers: &HeaderMap,
    submitted: Option<&str>,
) -> Result<(), WebError> {
    let expected = cookie(headers, CSRF_COOKIE)
        .filter(|t| is_token(t))
        .map(|c| form_token(&st.csrf_key, c, session_cookie(headers)));
    match (expected, submitted) {
        (Some(e), Some(s)) if constant_time_eq(&e, s) => Ok(()),
        _ => Err(WebError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        )),
    }
}

/// The person behind a request: their account (if logged in) and the CSRF
/// form token their forms must carry.
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

/// What a request says of its visitor before the database is asked: the
/// form token of their browser and the hash of their session cookie, if
/// any. A handler that reads the database anyway takes this and looks the
/// session up in the same call ([`SessionKey::visitor`]).
#[derive(Debug, Clone)]
pub struct SessionKey {
    pub csrf: String,
    pub session_hash: Option<String>,
}

impl SessionKey {
    /// The visitor, their session looked up on `store` (blocking).
    pub fn visitor(self, store: &ficus_store::Store) -> Result<Visitor, ficus_store::StoreError> {
        let user = match &self.session_hash {
            Some(hash) => store.session_user(hash, Utc::now().naive_utc())?,
            None => None,
        };
        Ok(Visitor {
            user,
            csrf: self.csrf,
        })
    }
}

impl FromRequestParts<AppState> for SessionKey {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| form_token(&state.csrf_key, &t.0, session_cookie(&parts.headers)))
            .unwrap_or_default();
        Ok(SessionKey {
            csrf,
            session_hash: session_cookie(&parts.headers).map(token_hash),
        })
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = SessionKey::from_request_parts(parts, state).await?;
        if key.session_hash.is_none() {
            return Ok(Visitor {
                user: None,
                csrf: key.csrf,
            });
        }
        state.db(move |s| key.visitor(s)).await
    }
}
