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
