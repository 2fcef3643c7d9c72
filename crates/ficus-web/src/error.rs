//! Errors of the web layer and how they render: an HTML page for pages,
//! a JSON object for the API. Never a bare 500 with internals.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::templates::{Chrome, ErrorPage};

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A body over the size limit.
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    #[error("storage failed: {0}")]
    Store(#[from] ficus_store::StoreError),
    #[error("page rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error("{0}")]
    Unavailable(String),
    /// Wrong HTTP Basic credentials (OPDS clients).
    #[error("{0}")]
    Unauthorized(String),
    #[error("search failed: {0}")]
    Search(#[from] ficus_search::SearchError),
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl WebError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            WebError::NotFound(m)
            | WebError::BadRequest(m)
            | WebError::TooLarge(m)
            | WebError::Forbidden(m)
            | WebError::Unavailable(m)
            | WebError::Unauthorized(m) => m.clone(),
            WebError::TooManyRequests { message, .. } => message.clone(),
            _ => "Something went wrong on our side. Please try again in a moment.".to_string(),
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// Renders as a JSON error object (for the API).
    pub fn into_json(self) -> Response {
        self.log();
        let status = self.status();
        let body = serde_json::json!({
            "error": { "status": status.as_u16(), "message": self.public_message() }
        });
        let mut response = (status, Json(body)).into_response();
        self.add_headers(&mut response, false);
        response
    }

    /// `Retry-After` on 429; on 401, `WWW-Authenticate: Basic` when
    /// `basic` (OPDS and downloads, not the token API).
    fn add_headers(&self, response: &mut Response, basic: bool) {
        if let WebError::TooManyRequests { retry_after, .. } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from((*retry_after).max(1)),
            );
        }
        if basic && self.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"Ficus\", charset=\"UTF-8\""),
            );
        }
    }

    /// A body that could not be read: 413 when it was over the limit,
    /// else 400.
    pub fn unreadable_body(status: StatusCode, detail: impl std::fmt::Display) -> WebError {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge("What you sent is larger than this archive accepts (16 MB).".into())
        } else {
            WebError::BadRequest(format!("The request body could not be read: {detail}"))
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::PAYLOAD_TOO_LARGE => "Too large",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Slow down",
            _ => "Error",
        };
        let page = ErrorPage {
            chrome: Chrome::anonymous(),
            heading: heading.to_string(),
            message: self.public_message(),
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, heading).into_response(),
        };
        self.add_headers(&mut response, true);
        response
    }
}

/// An error from an API handler: renders as JSON.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json()
    }
}

impl From<ficus_app::subscriptions::FollowRefusal> for WebError {
    fn from(r: ficus_app::subscriptions::FollowRefusal) -> Self {
        use ficus_app::subscriptions::{FollowRefusal, MAX_SEARCHES};
        match r {
            FollowRefusal::NotThere => WebError::NotFound(
                "There is nothing to subscribe to there, or it is not visible to you.".into(),
            ),
            FollowRefusal::TooManySearches => WebError::BadRequest(format!(
                "You follow {MAX_SEARCHES} searches already: unsubscribe from one first."
            )),
        }
    }
}
