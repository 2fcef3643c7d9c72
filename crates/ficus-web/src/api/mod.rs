//! The JSON API, version 1, under `/api/v1`.
//!
//! - `read.rs`: works (listings with the browsing filters and cursor
//!   paging, by tag, by creator, search), one work, a chapter, tags with
//!   their wrangling, series.
//! - `write.rs`: posting and editing works and chapters with a personal
//!   API token, through the same rules as the web forms.
//! - `kudos.rs`, `comments.rs`, `inbox.rs`, `people.rs`, `bookmarks.rs`,
//!   `following.rs` (subscriptions, updates, reading history): the
//!   community's actions, on the same use cases as the pages.
//! - `schema.rs`: the JSON shapes.
//!
//! Callers are identified by `Authorization: Bearer TOKEN` (a personal API
//! token, see `pages/api_tokens.rs`) or, for reads only, by their session
//! cookie. Writes take tokens only: a browser never sends one on its own,
//! so token requests need no CSRF token. Every error is a JSON
//! [`schema::ErrorBody`]; the OpenAPI document (`/api/v1/openapi.json`) is
//! generated from the handlers' annotations and these types.

pub mod bookmarks;
pub mod collections;
pub mod comments;
pub mod exchanges;
pub mod following;
pub mod inbox;
pub mod kudos;
pub mod people;
pub mod read;
pub mod schema;
pub mod write;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ficus_core::account::token_hash;
use ficus_core::posting::FieldError;
use ficus_store::UserRecord;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::error::WebError;
use crate::session::Visitor;

/// An API failure: rendered as a JSON [`schema::ErrorBody`].
#[derive(Debug)]
pub enum ApiFailure {
    /// Any web error, with its status.
    Web(WebError),
    /// 401: no valid token where one is needed.
    Unauthenticated(String),
    /// 422: the submitted work or chapter breaks the rules.
    Invalid(Vec<FieldError>),
}

impl<E: Into<WebError>> From<E> for ApiFailure {
    fn from(e: E) -> Self {
        ApiFailure::Web(e.into())
    }
}

fn error_response(status: StatusCode, message: String, fields: Vec<FieldError>) -> Response {
    let body = schema::ErrorBody {
        error: schema::ErrorDetail {
            status: status.as_u16(),
            message,
            fields: fields
                .into_iter()
                .map(|f| schema::FieldProblem {
                    field: f.field.to_string(),
                    message: f.message,
                })
                .collect(),
        },
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        match self {
            ApiFailure::Web(e) => {
                // Store-level validation (a work that breaks a rule the
                // form check did not see) is the caller's problem, not ours.
                if let WebError::Store(
                    store @ (ficus_store::StoreError::InvalidWork(_)
                    | ficus_store::StoreError::Invalid(_)
                    | ficus_store::StoreError::Limit(_)),
                ) = &e
                {
                    return error_response(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        store.to_string(),
                        Vec::new(),
                    );
                }
                e.into_json()
            }
            ApiFailure::Unauthenticated(message) => {
                let mut r = error_response(StatusCode::UNAUTHORIZED, message, Vec::new());
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"Ficus API\""),
                );
                r
            }
            ApiFailure::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                error_response(StatusCode::UNPROCESSABLE_ENTITY, message, fields)
            }
        }
    }
}

/// A `?page=` parameter: 1 when absent; 0 is a 400.
pub(crate) fn page_param(page: Option<u32>) -> Result<u32, ApiFailure> {
    match page {
        None => Ok(1),
        Some(p) if p >= 1 => Ok(p),
        Some(_) => Err(WebError::BadRequest("page starts at 1.".into()).into()),
    }
}

/// Who is calling: an account by token or session, or a guest.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: Option<UserRecord>,
    /// Whether the account came from an API token (writes need one).
    pub by_token: bool,
}

impl ApiCaller {
    /// The visitor the page-side rules take.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            user: self.user.clone(),
            csrf: String::new(),
        }
    }

    /// The token holder, or a 401.
    pub fn writer(&self) -> Result<UserRecord, ApiFailure> {
        match (&self.user, self.by_token) {
            (Some(user), true) => Ok(user.clone()),
            _ => Err(ApiFailure::Unauthenticated(
                "Changing works through the API needs a personal API token \
                 (Authorization: Bearer TOKEN); make one on your account's API tokens page."
                    .into(),
            )),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(auth) = parts.headers.get(header::AUTHORIZATION) else {
            let visitor = Visitor::from_request_parts(parts, state).await?;
            return Ok(ApiCaller {
                user: visitor.user,
                by_token: false,
            });
        };
        let bad = || ApiFailure::Unauthenticated("This API token is not valid.".into());
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| ficus_core::account::is_api_token(t))
            .ok_or_else(bad)?;
        let hash = token_hash(token);
        let now = chrono::Utc::now().naive_utc();
        let user = state
            .db(move |s| s.api_token_user(&hash, now))
            .await?
            .ok_or_else(bad)?;
        Ok(ApiCaller {
            user: Some(user),
            by_token: true,
        })
    }
}

/// Query parameters, with a JSON 400 for anything malformed.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        // Text that is not UTF-8 is a 400, as on the pages, never silently
        // replaced.
        crate::params::parse_form(raw.as_bytes()).map_err(|_| {
            ApiFailure::from(WebError::BadRequest(
                "The query contains text that is not valid UTF-8.".into(),
            ))
        })?;
        serde_urlencoded::from_str(raw)
            .map(ApiQuery)
            .map_err(|e| WebError::BadRequest(format!("Bad query parameters: {e}.")).into())
    }
}

/// A JSON body, with a JSON 400 for anything malformed.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(WebError::unreadable_body(rejection.status(), rejection.body_text()).into())
            }
            Err(rejection) => Err(WebError::BadRequest(rejection.body_text()).into()),
        }
    }
}

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document, generated from the handlers and schema types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ficus API",
        version = "1",
        description = "Read works, tags and series; post and edit works with a personal API token."
    ),
    paths(
        read::works,
        read::search,
        read::tag_works,
        read::creator_works,
        read::work,
        read::chapter,
        read::tag,
        read::series,
        write::create_work,
        write::update_work,
        write::delete_work,
        write::create_chapter,
        write::update_chapter,
        kudos::list,
        kudos::leave,
        following::subscriptions,
        following::subscribe,
        following::unsubscribe,
        following::set_mail,
        following::updates,
        following::readings,
        following::delete_reading,
        following::mark_for_later,
        following::mark_as_read,
        bookmarks::work_list,
        bookmarks::series_list,
        bookmarks::external_list,
        bookmarks::user_list,
        bookmarks::show,
        bookmarks::create,
        bookmarks::create_for_series,
        bookmarks::create_external,
        collections::index,
        collections::show,
        collections::create,
        collections::update,
        collections::works,
        collections::items,
        collections::add,
        collections::answer,
        collections::remove,
        collections::gifts,
        collections::set_gift,
        exchanges::show,
        exchanges::own_signup,
        exchanges::sign_up,
        exchanges::withdraw,
        exchanges::assignments,
        bookmarks::update,
        bookmarks::delete,
        comments::list,
        comments::create,
        comments::show,
        comments::reply,
        comments::update,
        comments::delete,
        inbox::list,
        inbox::mark,
        people::blocked,
        people::muted,
        people::block,
        people::unblock,
        people::mute,
        people::unmute,
    ),
    // Enums used only as query parameters: utoipa refers to them but
    // registers only schemas reachable from bodies.
    components(schemas(schema::SortParam, schema::DirectionParam, schema::CrossoverParam)),
    modifiers(&BearerScheme),
    tags(
        (name = "works", description = "Works and chapters"),
        (name = "tags", description = "Tags and their wrangling"),
        (name = "series", description = "Series"),
        (name = "kudos", description = "Kudos on works"),
        (name = "comments", description = "Comments on works and replies"),
        (name = "bookmarks", description = "Bookmarks of works, series and external works"),
        (name = "collections", description = "Collections and the works in them"),
        (name = "gifts", description = "Works given to accounts"),
        (name = "following", description = "Subscriptions, their updates, reading history"),
        (name = "people", description = "Blocked and muted accounts"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// Any other `/api/v1/…` path.
pub async fn not_found() -> ApiFailure {
    WebError::NotFound("There is no such API endpoint.".into()).into()
}

/// The API's routes.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/works", get(read::works).post(write::create_work))
        .route("/api/v1/works/search", get(read::search))
        .route(
            "/api/v1/works/{id}",
            get(read::work)
                .patch(write::update_work)
                .delete(write::delete_work),
        )
        .route(
            "/api/v1/works/{id}/chapters",
            axum::routing::post(write::create_chapter),
        )
        .route(
            "/api/v1/works/{id}/chapters/{chapter_id}",
            get(read::chapter).patch(write::update_chapter),
        )
        .route(
            "/api/v1/works/{id}/kudos",
            get(kudos::list).post(kudos::leave),
        )
        .route(
            "/api/v1/works/{id}/comments",
            get(comments::list).post(comments::create),
        )
        .route(
            "/api/v1/comments/{id}",
            get(comments::show)
                .patch(comments::update)
                .delete(comments::delete),
        )
        .route(
            "/api/v1/works/{id}/bookmarks",
            get(bookmarks::work_list).post(bookmarks::create),
        )
        .route("/api/v1/users/{login}/bookmarks", get(bookmarks::user_list))
        .route(
            "/api/v1/series/{id}/bookmarks",
            get(bookmarks::series_list).post(bookmarks::create_for_series),
        )
        .route(
            "/api/v1/external_works/{id}/bookmarks",
            get(bookmarks::external_list),
        )
        .route("/api/v1/bookmarks", post(bookmarks::create_external))
        .route(
            "/api/v1/collections",
            get(collections::index).post(collections::create),
        )
        .route(
            "/api/v1/collections/{name}",
            get(collections::show).patch(collections::update),
        )
        .route("/api/v1/collections/{name}/works", get(collections::works))
        .route("/api/v1/collections/{name}/items", get(collections::items))
        .route(
            "/api/v1/collections/{name}/gift_exchange",
            get(exchanges::show),
        )
        .route(
            "/api/v1/collections/{name}/signup",
            get(exchanges::own_signup)
                .put(exchanges::sign_up)
                .delete(exchanges::withdraw),
        )
        .route("/api/v1/assignments", get(exchanges::assignments))
        .route("/api/v1/works/{id}/collections", post(collections::add))
        .route(
            "/api/v1/collection_items/{id}",
            axum::routing::patch(collections::answer).delete(collections::remove),
        )
        .route("/api/v1/users/{login}/gifts", get(collections::gifts))
        .route(
            "/api/v1/gifts/{id}",
            axum::routing::patch(collections::set_gift),
        )
        .route(
            "/api/v1/bookmarks/{id}",
            get(bookmarks::show)
                .patch(bookmarks::update)
                .delete(bookmarks::delete),
        )
        .route(
            "/api/v1/subscriptions",
            get(following::subscriptions).post(following::subscribe),
        )
        .route("/api/v1/subscriptions/updates", get(following::updates))
        .route(
            "/api/v1/subscriptions/{id}",
            axum::routing::delete(following::unsubscribe).patch(following::set_mail),
        )
        .route("/api/v1/readings", get(following::readings))
        .route(
            "/api/v1/readings/{work_id}",
            axum::routing::delete(following::delete_reading),
        )
        .route(
            "/api/v1/works/{id}/mark_for_later",
            axum::routing::post(following::mark_for_later),
        )
        .route(
            "/api/v1/works/{id}/mark_as_read",
            axum::routing::post(following::mark_as_read),
        )
        .route("/api/v1/inbox", get(inbox::list).post(inbox::mark))
        .route("/api/v1/blocked", get(people::blocked))
        .route("/api/v1/muted", get(people::muted))
        .route(
            "/api/v1/blocked/{login}",
            axum::routing::put(people::block).delete(people::unblock),
        )
        .route(
            "/api/v1/muted/{login}",
            axum::routing::put(people::mute).delete(people::unmute),
        )
        .route(
            "/api/v1/comments/{id}/replies",
            axum::routing::post(comments::reply),
        )
        .route("/api/v1/tags/{name}", get(read::tag))
        .route("/api/v1/tags/{name}/works", get(read::tag_works))
        .route("/api/v1/users/{login}/works", get(read::creator_works))
        .route("/api/v1/series/{id}", get(read::series))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in the document points at something the document
    /// defines (a validator refuses a document with dangling references).
    #[test]
    fn the_openapi_document_has_no_dangling_references() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serializes");
        fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                            _ => refs(v, out),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty(), "the document uses references");
        for r in all {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("external ref {r}"));
            assert!(
                doc.pointer(pointer).is_some(),
                "dangling reference {r} in the OpenAPI document"
            );
        }
    }
}
