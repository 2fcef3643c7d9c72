//! The comment pages' compiled templates.

use askama::Template;

use super::view::{CommentForm, ThreadItem};
use crate::templates::Chrome;
use crate::view::Pager;

/// A comment's own page, or the form again after a refusal.
#[derive(Template)]
#[template(path = "comment_page.html")]
pub struct CommentPage {
    pub chrome: Chrome,
    pub heading: String,
    pub work_href: String,
    pub work_title: String,
    pub message: Option<String>,
    pub error: Option<String>,
    pub items: Vec<ThreadItem>,
    pub reply_form: Option<CommentForm>,
}

#[derive(Template)]
#[template(path = "comment_edit.html")]
pub struct CommentEditPage {
    pub chrome: Chrome,
    pub id: i64,
    pub work_href: String,
    pub work_title: String,
    pub text: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "comment_delete.html")]
pub struct CommentDeletePage {
    pub chrome: Chrome,
    pub id: i64,
    pub work_href: String,
    pub work_title: String,
}

/// A list of comments to act on: a work's unreviewed comments, or the
/// spam queue.
#[derive(Template)]
#[template(path = "comments_unreviewed.html")]
pub struct UnreviewedCommentsPage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: Option<String>,
    pub work_href: Option<String>,
    pub work_title: String,
    pub empty: &'static str,
    /// The "Approve All" form's action.
    pub approve_all: Option<String>,
    pub items: Vec<ThreadItem>,
    pub pager: Pager,
}
