//! Comment pages and forms, AO3's URLs: `POST /works/{id}/comments` (the
//! last chapter, as from the full-work view), `POST
//! /chapters/{id}/comments`, `GET /comments/{id}` (a comment's own page
//! with the reply form), `POST /comments/{id}/comments` (a reply), edit
//! and delete (with a confirmation page), the creators' and moderators'
//! one-button actions (`/comments/{id}/freeze|unfreeze|hide|unhide|
//! review|spam|not_spam`), `POST /works/{id}/comments/review_all`,
//! `GET /works/{id}/comments/unreviewed` and the moderators' spam queue
//! `GET /admin/comments/spam`. Every rule is the use case's
//! (`ficus_app::comments`); handlers only translate.

pub mod pages;
pub mod view;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::comments::Author;
use ficus_core::comments::CommentRefusal;
use ficus_store::Found;
use ficus_store::comments::{CommentNode, CommentTarget, ModerationAction};

use crate::AppState;
use crate::comment_cache::{CommentsKey, RenderedComments, ViewerClass};
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::origin::ClientIp;
use crate::params::{self, QueryMap, StrictForm};
use crate::session::Visitor;
use crate::templates::{Chrome, ThreadList};
use crate::view::encode_segment;
use pages::{CommentDeletePage, CommentEditPage, CommentPage, UnreviewedCommentsPage};
use view::{CommentForm, ThreadItem, flatten, form_refusal, outcome_message};

fn no_comment() -> WebError {
    WebError::NotFound("There is no such comment, or it is not visible to you.".into())
}

fn work_href(work_id: i64) -> String {
    format!("/works/{work_id}")
}

/// The log-in page, coming back to `path`.
fn log_in_first(path: &str) -> Response {
    Redirect::to(&format!(
        "/users/login?restricted_commenting=true&return_to={}",
        encode_segment(path)
    ))
    .into_response()
}

/// The form a visitor gets for `action` (their pseuds, or a guest's
/// name and e-mail), refilled from `typed` when a refusal sends it back.
pub(crate) async fn comment_form(
    st: &AppState,
    visitor: &Visitor,
    action: String,
    for_id: i64,
    legend: &'static str,
    moderated: bool,
    typed: Option<&StrictForm>,
) -> Result<CommentForm, WebError> {
    let pseuds = match &visitor.user {
        Some(u) => {
            let uid = u.id;
            let login = u.login.clone();
            let (own, default) = st
                .db(move |s| Ok((s.pseuds_of(uid)?, s.default_pseud_of(&login)?)))
                .await?;
            let chosen = typed
                .and_then(|f| f.field("comment[pseud_id]").parse::<i64>().ok())
                .or(default.map(|(p, _)| p));
            own.into_iter()
                .map(|(id, name)| (id, name, Some(id) == chosen))
                .collect()
        }
        None => Vec::new(),
    };
    Ok(form_with_pseuds(
        visitor, pseuds, action, for_id, legend, moderated, typed,
    ))
}

/// [`comment_form`] with the account's pseuds (id, name, chosen) known.
pub(crate) fn form_with_pseuds(
    visitor: &Visitor,
    pseuds: Vec<(i64, String, bool)>,
    action: String,
    for_id: i64,
    legend: &'static str,
    moderated: bool,
    typed: Option<&StrictForm>,
) -> CommentForm {
    let field = |name: &str| typed.map(|f| f.field(name).to_string()).unwrap_or_default();
    CommentForm {
        action,
        for_id,
        guest: visitor.user.is_none(),
        pseuds,
        text: field("comment[comment_content]"),
        name: field("comment[name]"),
        email: field("comment[email]"),
        legend,
        moderated,
    }
}

/// Posts a comment from a form and answers: the new comment, the work
/// with a message when it is held, or the form again with the refusal.
async fn post_from_form(
    st: &AppState,
    visitor: &Visitor,
    ip: String,
    target: CommentTarget,
    action: String,
    form: StrictForm,
) -> Result<Response, WebError> {
    let text = form.field("comment[comment_content]").to_string();
    let account = match &visitor.user {
        Some(u) => {
            let login = u.login.clone();
            let default = st.db(move |s| s.default_pseud_of(&login)).await?;
            let pseud = form
                .field("comment[pseud_id]")
                .parse::<i64>()
                .ok()
                .or(default.map(|(p, _)| p))
                .unwrap_or(0);
            Some((visitor.viewer(), u.id, pseud, u.login.clone()))
        }
        None => None,
    };
    let (name, email) = (
        form.field("comment[name]").to_string(),
        form.field("comment[email]").to_string(),
    );
    let key = st.visitor_key.clone();
    let spam = st.spam.clone();
    let outcome = st
        .db(move |s| {
            let author = match &account {
                Some((viewer, user_id, pseud_id, login)) => Author::Account {
                    viewer: *viewer,
                    user_id: *user_id,
                    pseud_id: *pseud_id,
                    name: login,
                },
                None => Author::Guest {
                    name: &name,
                    email: &email,
                    ip: &ip,
                },
            };
            ficus_app::comments::post(s, &key, spam.as_ref(), target, author, &text)
        })
        .await?;
    let back_path = match target {
        CommentTarget::Work(w) => work_href(w),
        CommentTarget::Chapter(c) => format!("/chapters/{c}"),
        CommentTarget::Reply(p) => format!("/comments/{p}"),
    };
    let refusal = match outcome {
        Ok(posted) if posted.spam => {
            let to = match target {
                CommentTarget::Reply(p) => format!("/comments/{p}?comment=held"),
                _ => format!(
                    "/works/{}?show_comments=true&view_full_work=true&comment=held#comments",
                    posted.work_id
                ),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Ok(posted) => {
            let code = if posted.unreviewed {
                "moderated"
            } else {
                "posted"
            };
            // A form elsewhere (the inbox's reply) comes back to its page.
            let back = form.field("return_to");
            if is_local_path(back) {
                let sep = if back.contains('?') { '&' } else { '?' };
                return Ok(Redirect::to(&format!("{back}{sep}comment={code}")).into_response());
            }
            return Ok(Redirect::to(&format!(
                "/comments/{}?comment={code}#comment_{}",
                posted.id, posted.id
            ))
            .into_response());
        }
        Err(CommentRefusal::LogInFirst) => return Ok(log_in_first(&back_path)),
        Err(CommentRefusal::NotFound) => return Err(no_comment()),
        Err(r) => r,
    };
    let Some((work_id, title)) = st.db(move |s| s.comment_target_work(target)).await? else {
        return Err(no_comment());
    };
    let status = match refusal {
        CommentRefusal::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let for_id = match target {
        CommentTarget::Work(w) => w,
        CommentTarget::Chapter(c) | CommentTarget::Reply(c) => c,
    };
    let cform = comment_form(
        st,
        visitor,
        action,
        for_id,
        "Post Comment",
        false,
        Some(&form),
    )
    .await?;
    let page = CommentPage {
        chrome: Chrome::of(visitor),
        heading: "Post Comment".into(),
        work_href: work_href(work_id),
        work_title: title,
        message: None,
        error: Some(refusal.to_string()),
        items: Vec::new(),
        reply_form: Some(cform),
    };
    let mut response = Html(page.render()?).into_response();
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /works/{id}/comments`.
pub async fn create_on_work(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let action = format!("/works/{id}/comments");
    post_from_form(&st, &visitor, ip, CommentTarget::Work(id), action, form).await
}

/// `POST /chapters/{chapter_id}/comments`.
pub async fn create_on_chapter(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(chapter_id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&chapter_id, "chapter")?;
    let action = format!("/chapters/{id}/comments");
    post_from_form(&st, &visitor, ip, CommentTarget::Chapter(id), action, form).await
}

/// `POST /comments/{id}/comments`: a reply.
pub async fn reply(
    State(st): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let action = format!("/comments/{id}/comments");
    post_from_form(&st, &visitor, ip, CommentTarget::Reply(id), action, form).await
}

/// The comment `id` as the visitor sees it, or the refusal page.
async fn thread_of(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<ficus_store::comments::CommentThread, Response>, WebError> {
    let viewer = visitor.viewer();
    match st.db(move |s| s.comment_thread(id, viewer)).await? {
        Found::Visible(t) => Ok(Ok(t)),
        Found::LogInFirst => Ok(Err(log_in_first(&format!("/comments/{id}")))),
        Found::NotFound => Err(no_comment()),
    }
}

/// `GET /comments/{id}`: the comment, its replies, and the reply form.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let q = params::query(q)?;
    let thread = match thread_of(&st, &visitor, id).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    let back = format!("/comments/{id}");
    let reply_form = if thread.node.may.reply {
        Some(
            comment_form(
                &st,
                &visitor,
                format!("/comments/{id}/comments"),
                id,
                "Post Reply",
                false,
                None,
            )
            .await?,
        )
    } else {
        None
    };
    let page = CommentPage {
        chrome: Chrome::of(&visitor),
        heading: "Comment".into(),
        work_href: work_href(thread.work_id),
        work_title: thread.work_title.clone(),
        message: q
            .get("comment")
            .and_then(|c| outcome_message(c))
            .map(str::to_string),
        error: None,
        items: flatten(std::slice::from_ref(&thread.node), thread.chaptered, &back),
        reply_form,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /comments/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let thread = match thread_of(&st, &visitor, id).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    if !thread.node.may.edit {
        return Err(WebError::Forbidden(
            "You can edit your own comments while they have no replies and are not frozen.".into(),
        ));
    }
    let page = CommentEditPage {
        chrome: Chrome::of(&visitor),
        id,
        work_href: work_href(thread.work_id),
        work_title: thread.work_title,
        text: thread.node.body,
        error: None,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /comments/{id}/edit`.
pub async fn update(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let viewer = visitor.viewer();
    let text = form.field("comment[comment_content]").to_string();
    let typed = text.clone();
    let outcome = st
        .db(move |s| ficus_app::comments::edit(s, id, viewer, &typed))
        .await?;
    let refusal = match outcome {
        Ok((_, unreviewed)) => {
            let code = if unreviewed { "moderated" } else { "edited" };
            return Ok(
                Redirect::to(&format!("/comments/{id}?comment={code}#comment_{id}"))
                    .into_response(),
            );
        }
        Err(CommentRefusal::NotFound) => return Err(no_comment()),
        Err(r) => r,
    };
    let thread = match thread_of(&st, &visitor, id).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    let page = CommentEditPage {
        chrome: Chrome::of(&visitor),
        id,
        work_href: work_href(thread.work_id),
        work_title: thread.work_title,
        text,
        error: Some(refusal.to_string()),
    };
    let mut response = Html(page.render()?).into_response();
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// `GET /comments/{id}/delete`: the confirmation.
pub async fn confirm_delete(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let thread = match thread_of(&st, &visitor, id).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    if !thread.node.may.delete {
        return Err(WebError::Forbidden(
            "Sorry, you don't have permission to delete that comment.".into(),
        ));
    }
    let page = CommentDeletePage {
        chrome: Chrome::of(&visitor),
        id,
        work_href: work_href(thread.work_id),
        work_title: thread.work_title,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /comments/{id}/delete`.
pub async fn delete(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "comment")?;
    let viewer = visitor.viewer();
    match st
        .db(move |s| ficus_app::comments::delete(s, id, viewer))
        .await?
    {
        Ok(work_id) => Ok(Redirect::to(&format!(
            "/works/{work_id}?show_comments=true&view_full_work=true&comment=deleted#comments"
        ))
        .into_response()),
        Err(CommentRefusal::NotFound) => Err(no_comment()),
        Err(r) => Err(WebError::Forbidden(r.to_string())),
    }
}

/// A path on this site (never another site's address).
fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
}

/// Where a one-button action returns: the page it was on (a local path
/// only), or the comment's own page.
fn return_to(q: &std::collections::HashMap<String, String>, id: i64) -> String {
    match q.get("return_to") {
        Some(p) if is_local_path(p) => p.clone(),
        _ => format!("/comments/{id}"),
    }
}

async fn moderate(
    st: AppState,
    SignedIn { visitor, .. }: SignedIn,
    raw_id: String,
    q: QueryMap,
    action: ModerationAction,
) -> Result<Response, WebError> {
    let id = params::id(&raw_id, "comment")?;
    let q = params::query(q)?;
    let viewer = visitor.viewer();
    match st
        .db(move |s| ficus_app::comments::moderate(s, id, viewer, action))
        .await?
    {
        Ok(_) => {
            let code = match action {
                ModerationAction::Freeze => "frozen",
                ModerationAction::Unfreeze => "unfrozen",
                ModerationAction::Hide => "hidden",
                ModerationAction::Unhide => "unhidden",
                ModerationAction::Approve => "approved",
                ModerationAction::Spam => "spam",
                ModerationAction::NotSpam => "not_spam",
            };
            let to = return_to(&q, id);
            let sep = if to.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{to}{sep}comment={code}")).into_response())
        }
        Err(CommentRefusal::NotFound) => Err(no_comment()),
        Err(r) => Err(WebError::Forbidden(r.to_string())),
    }
}

macro_rules! moderation_route {
    ($name:ident, $action:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            State(st): State<AppState>,
            signed_in: SignedIn,
            Path(id): Path<String>,
            q: QueryMap,
            CsrfForm(_form): CsrfForm,
        ) -> Result<Response, WebError> {
            moderate(st, signed_in, id, q, $action).await
        }
    };
}

moderation_route!(
    freeze,
    ModerationAction::Freeze,
    "`POST /comments/{id}/freeze`."
);
moderation_route!(
    unfreeze,
    ModerationAction::Unfreeze,
    "`POST /comments/{id}/unfreeze`."
);
moderation_route!(hide, ModerationAction::Hide, "`POST /comments/{id}/hide`.");
moderation_route!(
    unhide,
    ModerationAction::Unhide,
    "`POST /comments/{id}/unhide`."
);
moderation_route!(
    review,
    ModerationAction::Approve,
    "`POST /comments/{id}/review`."
);
moderation_route!(spam, ModerationAction::Spam, "`POST /comments/{id}/spam`.");
moderation_route!(
    not_spam,
    ModerationAction::NotSpam,
    "`POST /comments/{id}/not_spam`."
);

/// `POST /works/{id}/comments/review_all`.
pub async fn review_all(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let viewer = visitor.viewer();
    match st
        .db(move |s| ficus_app::comments::approve_all(s, id, viewer))
        .await?
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/works/{id}/comments/unreviewed?comment=approved"))
                .into_response(),
        ),
        Err(CommentRefusal::NotFound) => Err(WebError::NotFound(
            "This work does not exist, or is not visible to you.".into(),
        )),
        Err(r) => Err(WebError::Forbidden(r.to_string())),
    }
}

/// `GET /works/{id}/comments/unreviewed`: for the work's creators and
/// moderators.
pub async fn unreviewed(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let q = params::query(q)?;
    let viewer = visitor.viewer();
    let Found::Visible((title, nodes)) = st.db(move |s| s.unreviewed_comments(id, viewer)).await?
    else {
        return Err(WebError::NotFound(
            "This work does not exist, or you cannot review its comments.".into(),
        ));
    };
    let back = format!("/works/{id}/comments/unreviewed");
    let page = UnreviewedCommentsPage {
        chrome: Chrome::of(&visitor),
        heading: "Unreviewed Comments".into(),
        message: q
            .get("comment")
            .and_then(|c| outcome_message(c))
            .map(str::to_string),
        work_href: Some(work_href(id)),
        work_title: title,
        empty: "There are no unreviewed comments on this work.",
        approve_all: (!nodes.is_empty()).then(|| format!("/works/{id}/comments/review_all")),
        items: flatten(&nodes, false, &back),
        pager: crate::view::pager(&back, 1, 1),
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /admin/comments/spam[?page=N]`: the moderators' spam queue.
pub async fn spam_queue(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page_number = params::page(&q)?;
    let viewer = visitor.viewer();
    if !viewer.moderates() {
        return Err(WebError::Forbidden(
            "Only the archive's moderators can see the spam queue.".into(),
        ));
    }
    let queue = st.db(move |s| s.spam_queue(viewer, page_number)).await?;
    let pages = queue.page_count();
    let back = "/admin/comments/spam";
    let nodes: Vec<CommentNode> = queue.items.iter().map(|i| i.node.clone()).collect();
    let page = UnreviewedCommentsPage {
        chrome: Chrome::of(&visitor),
        heading: format!("Comments held as spam ({})", queue.total),
        message: q
            .get("comment")
            .and_then(|c| outcome_message(c))
            .map(str::to_string),
        work_href: None,
        work_title: String::new(),
        empty: "No comments are held as spam.",
        approve_all: None,
        items: flatten(&nodes, false, back),
        pager: crate::view::pager(back, page_number, pages),
    };
    Ok(Html(page.render()?).into_response())
}

/// The comment parts of a work page.
pub(crate) struct WorkPageComments {
    pub threads: Arc<RenderedComments>,
    pub form: Option<CommentForm>,
    pub pager: crate::view::Pager,
    pub rest: crate::templates::CommentsBox,
}

/// The comments under a work page: the "Comments (N)" toggle, the form
/// (or why there is none), and with `show_comments=true` the threads of
/// the chapter shown (`chapter`) or of the whole work, `page=N`. The part
/// comes from the comment cache when the visitor is of a class that shares
/// it (`cache_as`, decided with the page's other reads) and it holds it.
/// An account's pseuds (id, name, chosen), when the page read them
/// already, save the form a read.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn work_page_box(
    st: &AppState,
    visitor: &Visitor,
    chrome: &Chrome,
    work: &ficus_store::WorkRecord,
    chapter: Option<i64>,
    last_shown_chapter: Option<i64>,
    full: bool,
    path: &str,
    q: &std::collections::HashMap<String, String>,
    cache_as: Option<ViewerClass>,
    pseuds: Option<Vec<(i64, String, bool)>>,
) -> Result<WorkPageComments, WebError> {
    let show = params::flag(q, "show_comments");
    let page = if show { Some(params::page(q)?) } else { None };
    let viewer = visitor.viewer();
    let work_id = work.id;
    let full_query = if full { "&view_full_work=true" } else { "" };
    let base = format!("{path}?show_comments=true{full_query}");
    let back = match page {
        Some(n) if n > 1 => format!("{base}&page={n}"),
        _ => base.clone(),
    };
    let key = cache_as.map(|class| CommentsKey::of(work, chapter, full, page, class));
    let part = match key.as_ref().and_then(|k| st.comment_cache.get(k)) {
        Some(part) => part,
        None => {
            let section = match st
                .db(move |s| s.comment_section(work_id, chapter, viewer, page))
                .await?
            {
                Found::Visible(section) => section,
                // The page checked the work already; it changed meanwhile.
                Found::LogInFirst | Found::NotFound => {
                    return Err(WebError::NotFound(
                        "This work does not exist, or is not visible to you.".into(),
                    ));
                }
            };
            let items = flatten(&section.threads.items, section.chaptered, &back);
            let threads_html = if show {
                ThreadList {
                    items: &items,
                    chrome,
                }
                .render()?
            } else {
                String::new()
            };
            let part = Arc::new(RenderedComments {
                threads_html,
                page: section.threads.page,
                pages: section.threads.page_count(),
                total: section.total,
                may_comment: section.may_comment,
                moderated: section.moderated,
                unreviewed: section.unreviewed,
            });
            // Kept only when it holds nothing of one visitor's (a
            // one-button action carries the visitor's form token).
            let personal = items
                .iter()
                .any(|i| matches!(i, ThreadItem::Comment(c) if c.actions.iter().any(|a| a.post)));
            if let Some(key) = key
                && !personal
            {
                st.comment_cache.insert(key, part.clone());
            }
            part
        }
    };
    let (action, for_id) = match chapter {
        Some(c) => (format!("/chapters/{c}/comments"), c),
        None => (
            format!("/works/{work_id}/comments"),
            last_shown_chapter.unwrap_or(work_id),
        ),
    };
    let refusal = form_refusal(&part.may_comment);
    let moderated = part.moderated && !viewer.owns(&work.access());
    let form = if refusal.is_none() {
        Some(match pseuds {
            Some(pseuds) => form_with_pseuds(
                visitor,
                pseuds,
                action,
                for_id,
                "Post Comment",
                moderated,
                None,
            ),
            None => {
                comment_form(st, visitor, action, for_id, "Post Comment", moderated, None).await?
            }
        })
    } else {
        None
    };
    Ok(WorkPageComments {
        pager: crate::view::pager(&base, part.page, part.pages),
        rest: crate::templates::CommentsBox {
            count: crate::view::thousands(i64::try_from(part.total).unwrap_or(i64::MAX)),
            show,
            show_href: format!("{base}#comments"),
            hide_href: if full {
                format!("{path}?view_full_work=true")
            } else {
                path.to_string()
            },
            refusal,
            message: q.get("comment").and_then(|c| outcome_message(c)),
            unreviewed: part.unreviewed,
            unreviewed_href: format!("/works/{work_id}/comments/unreviewed"),
            too_far: show && part.page > part.pages,
        },
        threads: part,
        form,
    })
}
