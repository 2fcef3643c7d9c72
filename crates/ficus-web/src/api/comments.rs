//! Comments through the API, on the same use cases as the pages:
//! `GET /api/v1/works/{id}/comments` (a page of threads, flattened in
//! thread order with `parent_id` and `depth`), `POST` (a new comment with
//! a token), `GET /api/v1/comments/{id}` (a comment and the replies below
//! it), `POST /api/v1/comments/{id}/replies`, `PATCH` and `DELETE
//! /api/v1/comments/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ficus_app::comments::Author;
use ficus_core::comments::{CommentRefusal, Sight};
use ficus_store::Found;
use ficus_store::comments::{CommentAuthor, CommentNode, CommentTarget};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::ErrorBody;
use super::{ApiCaller, ApiFailure, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params;

/// One comment as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentJson {
    pub id: i64,
    pub work_id: i64,
    pub chapter_id: i64,
    /// The chapter's position in the work (from 1).
    pub chapter_position: i32,
    /// `null` for a thread's first comment.
    pub parent_id: Option<i64>,
    /// The id of the thread's first comment.
    pub thread_id: i64,
    /// 0 for a thread's first comment.
    pub depth: i32,
    /// The writing account's login (`null` for guests, deleted accounts
    /// and placeholders).
    pub login: Option<String>,
    /// The pseud it was written under.
    pub pseud: Option<String>,
    /// A guest's name (their e-mail is never shown).
    pub guest_name: Option<String>,
    /// Sanitized HTML; `null` when the caller sees only a placeholder.
    pub body: Option<String>,
    /// "deleted", "hidden" or "blocked" when the caller sees a placeholder.
    pub placeholder: Option<String>,
    /// Waiting for a creator's approval.
    pub unreviewed: bool,
    pub frozen: bool,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub posted_at: String,
    pub edited_at: Option<String>,
    /// Replies below the display depth, on the comment's own page.
    pub more_replies: u64,
}

/// A page of a work's comment threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentsJson {
    pub work_id: i64,
    pub work_title: String,
    /// Comments every reader sees, replies included.
    pub total: u64,
    /// Threads the caller sees.
    pub threads_total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The page's threads, each comment followed by its replies.
    pub comments: Vec<CommentJson>,
}

/// A comment and the replies below it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentThreadJson {
    pub work_id: i64,
    pub work_title: String,
    /// The comment first, then its replies in thread order.
    pub comments: Vec<CommentJson>,
}

/// A stored comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedCommentJson {
    pub id: i64,
    pub work_id: i64,
    pub chapter_id: i64,
    /// Waiting for a creator's approval (moderated works).
    pub unreviewed: bool,
    /// Held for the moderators by the spam check.
    pub held_as_spam: bool,
}

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommentJson {
    /// HTML or plain text, at most 10,000 characters.
    pub text: String,
    /// The chapter (default: the work's last chapter).
    #[serde(default)]
    pub chapter_id: Option<i64>,
}

/// A reply, or a comment's new text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentTextJson {
    /// HTML or plain text, at most 10,000 characters.
    pub text: String,
}

/// `?page=` and `?chapter_id=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CommentsQuery {
    /// Page of threads, from 1.
    pub page: Option<u32>,
    /// Only this chapter's comments.
    pub chapter_id: Option<i64>,
}

fn stamp(at: chrono::NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn flatten(nodes: &[CommentNode], out: &mut Vec<CommentJson>) {
    for n in nodes {
        out.push(comment_json(n));
        flatten(&n.replies, out);
    }
}

/// One comment (without its replies) as the API shows it.
pub(super) fn comment_json(n: &CommentNode) -> CommentJson {
    let shows = n.sight == Sight::Full && !n.from_blocked;
    let (login, pseud, guest_name) = match (&n.author, shows) {
        (CommentAuthor::Account { login, pseud, .. }, true) => {
            (Some(login.clone()), Some(pseud.clone()), None)
        }
        (CommentAuthor::Guest { name }, true) => (None, None, Some(name.clone())),
        (CommentAuthor::AnonymousCreator, true) => (
            None,
            Some(ficus_store::comments::ANONYMOUS_CREATOR.to_string()),
            None,
        ),
        _ => (None, None, None),
    };
    CommentJson {
        id: n.id,
        work_id: n.work_id,
        chapter_id: n.chapter_id,
        chapter_position: n.chapter_position,
        parent_id: n.parent_id,
        thread_id: n.thread_id,
        depth: n.depth,
        login,
        pseud,
        guest_name,
        body: shows.then(|| n.body.clone()),
        placeholder: match n.sight {
            Sight::Deleted => Some("deleted".into()),
            Sight::HiddenMessage => Some("hidden".into()),
            _ if n.from_blocked => Some("blocked".into()),
            _ => None,
        },
        unreviewed: n.state.unreviewed,
        frozen: n.state.frozen,
        posted_at: stamp(n.created_at),
        edited_at: n.edited_at.filter(|_| shows).map(stamp),
        more_replies: n.more,
    }
}

fn not_found() -> ApiFailure {
    WebError::NotFound("Comment or work not found, or not visible to you.".into()).into()
}

/// A refusal as the API answers it.
fn refused(refusal: CommentRefusal) -> ApiFailure {
    match refusal {
        CommentRefusal::NotFound | CommentRefusal::LogInFirst => not_found(),
        CommentRefusal::RateLimited(secs) => WebError::TooManyRequests {
            message: refusal.to_string(),
            retry_after: secs,
        }
        .into(),
        other => ApiFailure::Invalid(vec![ficus_core::posting::FieldError {
            field: "text",
            message: other.to_string(),
        }]),
    }
}

/// A work's comments.
#[utoipa::path(
    get, path = "/api/v1/works/{id}/comments", tag = "comments",
    params(("id" = i64, Path, description = "Work id"), CommentsQuery),
    responses(
        (status = 200, description = "A page of threads", body = CommentsJson),
        (status = 400, description = "Bad id or page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such work or page, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn list(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CommentsQuery>,
) -> Result<Json<CommentsJson>, ApiFailure> {
    let id = params::id(&id, "work")?;
    let page = super::page_param(q.page)?;
    let viewer = caller.visitor().viewer();
    let chapter = q.chapter_id;
    let Found::Visible(section) = st
        .db(move |s| s.comment_section(id, chapter, viewer, Some(page)))
        .await?
    else {
        return Err(not_found());
    };
    let pages = section.threads.page_count();
    if page > pages {
        return Err(
            WebError::NotFound(format!("There are only {pages} pages of comments.")).into(),
        );
    }
    let mut comments = Vec::new();
    flatten(&section.threads.items, &mut comments);
    Ok(Json(CommentsJson {
        work_id: id,
        work_title: section.work_title,
        total: section.total,
        threads_total: section.threads.total,
        page,
        per_page: section.threads.per_page,
        comments,
    }))
}

/// A comment and the replies below it.
#[utoipa::path(
    get, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses(
        (status = 200, description = "The comment, then its replies", body = CommentThreadJson),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such comment, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn show(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<CommentThreadJson>, ApiFailure> {
    let id = params::id(&id, "comment")?;
    let viewer = caller.visitor().viewer();
    let Found::Visible(thread) = st.db(move |s| s.comment_thread(id, viewer)).await? else {
        return Err(not_found());
    };
    let mut comments = Vec::new();
    flatten(std::slice::from_ref(&thread.node), &mut comments);
    Ok(Json(CommentThreadJson {
        work_id: thread.work_id,
        work_title: thread.work_title,
        comments,
    }))
}

async fn post_as_caller(
    st: &AppState,
    caller: &ApiCaller,
    target: CommentTarget,
    text: String,
) -> Result<(StatusCode, Json<PostedCommentJson>), ApiFailure> {
    let user = caller.writer()?;
    let viewer = caller.visitor().viewer();
    let key = st.visitor_key.clone();
    let spam = st.spam.clone();
    let outcome = st
        .db(move |s| {
            let Some((pseud, _)) = s.default_pseud_of(&user.login)? else {
                return Ok(Err(CommentRefusal::NotAllowed));
            };
            let author = Author::Account {
                viewer,
                user_id: user.id,
                pseud_id: pseud,
                name: &user.login,
            };
            ficus_app::comments::post(s, &key, spam.as_ref(), target, author, &text)
        })
        .await?;
    let posted = outcome.map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(PostedCommentJson {
            id: posted.id,
            work_id: posted.work_id,
            chapter_id: posted.chapter_id,
            unreviewed: posted.unreviewed,
            held_as_spam: posted.spam,
        }),
    ))
}

/// Comment on a work (its last chapter, or `chapter_id`).
#[utoipa::path(
    post, path = "/api/v1/works/{id}/comments", tag = "comments",
    params(("id" = i64, Path, description = "Work id")),
    request_body = NewCommentJson,
    responses(
        (status = 201, description = "Stored (maybe waiting for approval)", body = PostedCommentJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such work or chapter, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: empty, too long, a duplicate, comments closed…", body = ErrorBody),
        (status = 429, description = "Too many comments in a short time", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<NewCommentJson>, ApiFailure>,
) -> Result<(StatusCode, Json<PostedCommentJson>), ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "work")?;
    let ApiJson(input) = body?;
    let target = match input.chapter_id {
        None => CommentTarget::Work(id),
        Some(c) => {
            let work = st.db(move |s| s.chapter_work_id(c)).await?;
            if work != Some(id) {
                return Err(not_found());
            }
            CommentTarget::Chapter(c)
        }
    };
    post_as_caller(&st, &caller, target, input.text).await
}

/// Reply to a comment.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/replies", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = CommentTextJson,
    responses(
        (status = 201, description = "Stored (maybe waiting for approval)", body = PostedCommentJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such comment, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: frozen, blocked, empty…", body = ErrorBody),
        (status = 429, description = "Too many comments in a short time", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn reply(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<CommentTextJson>, ApiFailure>,
) -> Result<(StatusCode, Json<PostedCommentJson>), ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "comment")?;
    let ApiJson(input) = body?;
    post_as_caller(&st, &caller, CommentTarget::Reply(id), input.text).await
}

/// Edit your comment (while it has no replies and is not frozen).
#[utoipa::path(
    patch, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = CommentTextJson,
    responses(
        (status = 200, description = "The comment and its replies", body = CommentThreadJson),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such comment, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: not yours, has replies, frozen, empty…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn update(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<CommentTextJson>, ApiFailure>,
) -> Result<Json<CommentThreadJson>, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "comment")?;
    let ApiJson(input) = body?;
    let viewer = caller.visitor().viewer();
    st.db(move |s| ficus_app::comments::edit(s, id, viewer, &input.text))
        .await?
        .map_err(refused)?;
    show(State(st), caller, Path(id.to_string())).await
}

/// Delete a comment (yours, one on your work, or as a moderator).
#[utoipa::path(
    delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such comment, or not visible", body = ErrorBody),
        (status = 422, description = "Not yours to delete", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn delete(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "comment")?;
    let viewer = caller.visitor().viewer();
    st.db(move |s| ficus_app::comments::delete(s, id, viewer))
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}
