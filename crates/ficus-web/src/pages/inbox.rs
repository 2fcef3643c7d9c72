//! `/users/{login}/inbox`: comments on your works and replies to your
//! comments, AO3's filters (read, replied to, date) and bulk marks (Mark
//! Read, Mark Unread, Delete From Inbox), with a reply form and, for
//! comments waiting on your works, the Approve button on each item — all
//! plain forms (the per-item ones sit outside the bulk form and are
//! reached with the `form` attribute, as forms cannot nest).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_store::comments::{InboxAction, InboxFilter};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::pages::comments::view::{CommentView, comment_view, outcome_message};
use crate::params::{self, QueryMap};
use crate::templates::Chrome;
use crate::view::{Pager, pager};

/// One inbox item as shown.
pub struct InboxItem {
    pub c: CommentView,
    pub work_href: String,
    pub work_title: String,
    pub read: bool,
    pub replied_to: bool,
    pub may_reply: bool,
    pub may_approve: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub chrome: Chrome,
    pub login: String,
    pub total: u64,
    pub unread: u64,
    pub message: Option<&'static str>,
    /// The filter form's choices: (read, replied, date).
    pub read: &'static str,
    pub replied: &'static str,
    pub date: &'static str,
    pub items: Vec<InboxItem>,
    pub pager: Pager,
    /// This page, where the per-item forms come back to.
    pub back: String,
    /// The same, as a query value.
    pub back_q: String,
}

fn own(user: &ficus_store::UserRecord, login: &str) -> Result<(), WebError> {
    super::only_own(user, login, "inbox")
}

/// `GET /users/{login}/inbox`.
pub async fn show(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let choice = |name: &str, allowed: &[&'static str]| -> Result<&'static str, WebError> {
        match q.get(name).map(String::as_str) {
            None | Some("") => Ok(allowed[0]),
            Some(v) => allowed.iter().find(|a| **a == v).copied().ok_or_else(|| {
                WebError::BadRequest(format!("{name} must be one of {}.", allowed.join(", ")))
            }),
        }
    };
    let read = choice("filters[read]", &["all", "false", "true"])?;
    let replied = choice("filters[replied_to]", &["all", "false", "true"])?;
    let date = choice("filters[date]", &["desc", "asc"])?;
    let flag = |v: &str| match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let filter = InboxFilter {
        read: flag(read),
        replied: flag(replied),
        oldest_first: date == "asc",
    };
    let (uid, viewer) = (user.id, visitor.viewer());
    let inbox = st.db(move |s| s.inbox(uid, viewer, filter, page)).await?;
    let base = format!(
        "/users/{}/inbox?filters%5Bread%5D={read}&filters%5Breplied_to%5D={replied}&filters%5Bdate%5D={date}",
        user.login
    );
    let back = if page > 1 {
        format!("{base}&page={page}")
    } else {
        base.clone()
    };
    let back_q = crate::view::encode_segment(&back);
    let items = inbox
        .items
        .items
        .iter()
        .enumerate()
        .map(|(i, e)| InboxItem {
            c: comment_view(&e.node, i, e.chaptered, &back_q),
            work_href: format!("/works/{}", e.node.work_id),
            work_title: e.work_title.clone(),
            read: e.read,
            replied_to: e.replied_to,
            may_reply: e.node.may.reply,
            may_approve: e.node.may.approve,
        })
        .collect();
    let page_view = InboxPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
        total: inbox.total,
        unread: inbox.unread,
        message: q.get("comment").and_then(|c| outcome_message(c)),
        read,
        replied,
        date,
        items,
        pager: pager(&base, page, inbox.items.page_count()),
        back_q,
        back,
    };
    Ok(Html(page_view.render()?).into_response())
}

/// `POST /users/{login}/inbox`: the bulk marks.
pub async fn update(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(login): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let action = match form.field("commit") {
        "Mark Read" => InboxAction::Read,
        "Mark Unread" => InboxAction::Unread,
        "Delete From Inbox" => InboxAction::Delete,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an inbox action."
            )));
        }
    };
    let ids = form
        .fields("inbox_comments[]")
        .iter()
        .map(|v| params::id(v, "comment"))
        .collect::<Result<Vec<i64>, _>>()?;
    let uid = user.id;
    st.db(move |s| s.mark_inbox(uid, &ids, action)).await?;
    Ok(Redirect::to(&format!("/users/{}/inbox", user.login)).into_response())
}
