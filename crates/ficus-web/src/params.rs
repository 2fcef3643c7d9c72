//! Parsing what arrives in paths, queries and cookies, with clear 400s.

use std::collections::HashMap;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use crate::error::WebError;

/// Query parameters as a map; a malformed query string is a 400.
pub type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// Unwraps [`QueryMap`].
pub fn query(q: QueryMap) -> Result<HashMap<String, String>, WebError> {
    q.map(|Query(m)| m)
        .map_err(|e| WebError::BadRequest(format!("The address has a malformed query: {e}")))
}

/// Parses an id from a path segment: positive integers only.
pub fn id(raw: &str, what: &str) -> Result<i64, WebError> {
    match raw.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(WebError::BadRequest(format!(
            "{raw:?} is not a valid {what} id."
        ))),
    }
}

/// The `page` parameter: absent means 1; anything but a positive number is a 400.
pub fn page(q: &HashMap<String, String>) -> Result<u32, WebError> {
    match q.get("page").map(|s| s.trim()) {
        None | Some("") => Ok(1),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(WebError::BadRequest(format!(
                "{raw:?} is not a page number."
            ))),
        },
    }
}

/// Whether a boolean query flag is `true` (AO3 uses `true`/`1`).
pub fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    q.get(name).is_some_and(|v| v == "true" || v == "1")
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Cookie holding a guest's mutes for the browser session.
pub const GUEST_MUTES_COOKIE: &str = "ficus_mutes";

/// A guest's mutes, from their cookie (none without one).
pub fn guest_mutes_cookie(headers: &HeaderMap) -> ficus_app::mutes::GuestMutes {
    cookie(headers, GUEST_MUTES_COOKIE)
        .map(ficus_app::mutes::GuestMutes::parse)
        .unwrap_or_default()
}

/// A guest's mutes as the discovery request takes them.
pub fn guest_mutes(headers: &HeaderMap) -> ficus_app::discovery::Mutes {
    let mutes = guest_mutes_cookie(headers);
    ficus_app::discovery::Mutes {
        tags: mutes.tag_ids(),
        creators: mutes.creator_ids(),
    }
}

/// A form body (`application/x-www-form-urlencoded`) as ordered pairs,
/// decoded strictly: text that is not valid UTF-8 is a 400, never silently
/// replaced.
pub struct StrictForm(pub Vec<(String, String)>);

impl StrictForm {
    /// The first value of field `name`, or `""` when it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether field `name` was sent at all (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Every value of field `name` (checkbox lists), in order.
    pub fn fields(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn decode_component(raw: &[u8]) -> Result<String, WebError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| WebError::BadRequest("The form contained text that is not valid UTF-8. Please check the text and send it again.".into()))
}

/// Parses a form body strictly (see [`StrictForm`]).
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, WebError> {
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &part[..0]),
            };
            Ok((decode_component(k)?, decode_component(v)?))
        })
        .collect()
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for StrictForm {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::unreadable_body(e.status(), e.body_text()))?;
        Ok(StrictForm(parse_form(&bytes)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_strictly() {
        let pairs = parse_form(b"a=1&b=x+y%21&c&a=2&d=%E2%9C%93").expect("valid");
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y!".into()),
                ("c".into(), "".into()),
                ("a".into(), "2".into()),
                ("d".into(), "✓".into()),
            ]
        );
        assert!(parse_form(b"t=%FF%FE").is_err());
        assert!(parse_form(b"t=\xff").is_err());
    }
}
