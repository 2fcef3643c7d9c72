//! Comments as pages show them: a thread tree flattened into AO3's
//! nested `ol.thread` markup (open, comment, close items, so the template
//! needs no recursion), each comment's byline, notices and the actions
//! the viewer may take.

use ficus_core::comments::{CommentRefusal, Sight};
use ficus_store::comments::{CommentAuthor, CommentNode};

use crate::view::encode_segment;

/// One step of a flattened thread.
#[derive(Debug, Clone)]
pub enum ThreadItem {
    Comment(Box<CommentView>),
    /// `<li><ol class="thread">`: the replies of the comment before.
    Open,
    /// `</ol></li>`.
    Close,
    /// "(N more comments in this thread)", linking to the comment's page.
    More {
        id: i64,
        count: u64,
    },
}

/// One action under a comment: a link, or a one-button form (POST).
#[derive(Debug, Clone)]
pub struct CommentAction {
    /// AO3's `li` id, when it has one.
    pub li_id: String,
    pub label: &'static str,
    pub href: String,
    pub post: bool,
}

/// One comment as shown.
#[derive(Debug, Clone)]
pub struct CommentView {
    pub id: i64,
    /// AO3's class string for the `li`.
    pub li_class: String,
    /// The author's link (accounts) and shown name.
    pub author_href: Option<String>,
    pub author_name: String,
    pub guest: bool,
    /// "on Chapter N" in chaptered works.
    pub on_chapter: Option<i32>,
    pub posted: String,
    /// Sanitized HTML, when the viewer sees the text.
    pub body: Option<String>,
    /// The placeholder instead of the comment (deleted, hidden, blocked).
    pub placeholder: Option<&'static str>,
    /// Notices over the text (hidden, spam, unreviewed, frozen).
    pub notices: Vec<&'static str>,
    pub edited: Option<String>,
    pub unreviewed: bool,
    pub frozen: bool,
    pub actions: Vec<CommentAction>,
}

/// The date of comment bylines, as AO3 writes it ("Sun 06 Dec 2026
/// 10:34PM UTC"; `%a %d %b %Y %I:%M%p UTC`), written directly: a page
/// of comments formats hundreds of them.
fn when(at: chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    fn two(out: &mut String, n: u32) {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    let mut out = String::with_capacity(28);
    out.push_str(DAYS[at.weekday().num_days_from_monday() as usize]);
    out.push(' ');
    two(&mut out, at.day());
    out.push(' ');
    out.push_str(MONTHS[at.month0() as usize]);
    out.push(' ');
    out.push_str(&at.year().to_string());
    out.push(' ');
    let (pm, hour) = at.hour12();
    two(&mut out, hour);
    out.push(':');
    two(&mut out, at.minute());
    out.push_str(if pm { "PM UTC" } else { "AM UTC" });
    out
}

/// A comment node (without its replies) as shown; `parity` alternates
/// odd/even as AO3's rows; `back_q` is the page to return to after an
/// action, already encoded for a query value.
pub fn comment_view(n: &CommentNode, parity: usize, chaptered: bool, back_q: &str) -> CommentView {
    let shows = n.sight == Sight::Full && !n.from_blocked;
    let (author_href, author_name, guest) = match &n.author {
        CommentAuthor::Account { login, pseud, .. } => (
            Some(format!(
                "/users/{}/pseuds/{}",
                encode_segment(login),
                encode_segment(pseud)
            )),
            if pseud == login {
                login.clone()
            } else {
                format!("{pseud} ({login})")
            },
            false,
        ),
        CommentAuthor::Guest { name } => (None, name.clone(), true),
        CommentAuthor::Gone => (None, "(Deleted account)".into(), false),
        CommentAuthor::AnonymousCreator => {
            (None, ficus_store::comments::ANONYMOUS_CREATOR.into(), false)
        }
    };
    // AO3's class string: parity, then the states, then "comment group"
    // and the author's user class.
    let mut li_class = String::with_capacity(48);
    li_class.push_str(if parity.is_multiple_of(2) {
        "odd"
    } else {
        "even"
    });
    if !shows {
        li_class.push_str(" unavailable");
    }
    if guest {
        li_class.push_str(" guest");
    }
    if n.state.unreviewed {
        li_class.push_str(" unreviewed");
    }
    li_class.push_str(" comment group");
    if let CommentAuthor::Account { user_id, .. } = &n.author
        && shows
        && !n.state.hidden
    {
        li_class.push_str(" user-");
        li_class.push_str(&user_id.to_string());
    }
    let placeholder = match n.sight {
        Sight::Deleted => Some("(Previous comment deleted.)"),
        Sight::HiddenMessage => {
            Some("(This comment is under review by an admin and is currently unavailable.)")
        }
        _ if n.from_blocked => Some("(This comment is by an account you have blocked.)"),
        _ => None,
    };
    let mut notices = Vec::new();
    if shows {
        if n.state.spam {
            notices.push("This comment has been marked as spam.");
        }
        if n.state.hidden {
            notices.push("This comment has been hidden by an admin.");
        }
        if n.state.unreviewed {
            notices.push(
                "This comment is awaiting the creator's approval and is not shown to other readers.",
            );
        }
    }
    let id = n.id;
    let mut actions = Vec::with_capacity(4);
    let link = |li_id: String, label, href: String| CommentAction {
        li_id,
        label,
        href,
        post: false,
    };
    let button = |li_id: String, label, what: &str| CommentAction {
        li_id,
        label,
        href: format!("/comments/{id}/{what}?return_to={back_q}"),
        post: true,
    };
    if n.may.reply {
        actions.push(link(
            format!("add_comment_reply_link_{id}"),
            "Reply",
            // AO3's query fields (each `name=value`, no fragment: clients
            // such as ao3-api read `chapter_id` from it).
            format!(
                "/comments/{id}?add_comment_reply_id={id}&chapter_id={}",
                n.chapter_id
            ),
        ));
    }
    if let Some(parent) = n.parent_id {
        actions.push(link(String::new(), "Parent", format!("/comments/{parent}")));
    }
    if n.thread_id != n.id {
        actions.push(link(
            String::new(),
            "Thread",
            format!("/comments/{}", n.thread_id),
        ));
    }
    if n.may.freeze {
        actions.push(button(
            format!("freeze_comment_link_{id}"),
            "Freeze Thread",
            "freeze",
        ));
    }
    if n.may.unfreeze {
        actions.push(button(
            format!("freeze_comment_link_{id}"),
            "Unfreeze Thread",
            "unfreeze",
        ));
    }
    if n.may.hide {
        actions.push(button(
            format!("hide_comment_link_{id}"),
            "Hide Comment",
            "hide",
        ));
    }
    if n.may.unhide {
        actions.push(button(
            format!("hide_comment_link_{id}"),
            "Make Comment Visible",
            "unhide",
        ));
    }
    if n.may.edit {
        actions.push(link(
            format!("edit_comment_link_{id}"),
            "Edit",
            format!("/comments/{id}/edit"),
        ));
    }
    if n.may.spam {
        actions.push(button(
            format!("tag_comment_as_spam_link_{id}"),
            "Spam",
            "spam",
        ));
    }
    if n.may.not_spam {
        actions.push(button(
            format!("tag_comment_as_spam_link_{id}"),
            "Not Spam",
            "not_spam",
        ));
    }
    if n.may.approve {
        actions.push(button(
            format!("review_comment_link_{id}"),
            "Approve",
            "review",
        ));
    }
    if n.may.delete {
        actions.push(link(
            format!("delete_comment_link_{id}"),
            "Delete",
            format!("/comments/{id}/delete"),
        ));
    }
    CommentView {
        id,
        li_class,
        author_href: if shows { author_href } else { None },
        author_name: if shows { author_name } else { String::new() },
        guest,
        on_chapter: chaptered.then_some(n.chapter_position),
        posted: when(n.created_at),
        body: shows.then(|| n.body.clone()),
        placeholder,
        notices,
        edited: n.edited_at.filter(|_| shows).map(when),
        unreviewed: n.state.unreviewed,
        frozen: n.state.frozen,
        actions,
    }
}

/// Flattens threads into items for the template.
pub fn flatten(nodes: &[CommentNode], chaptered: bool, back: &str) -> Vec<ThreadItem> {
    let mut out = Vec::new();
    walk(nodes, chaptered, &encode_segment(back), &mut out);
    out
}

fn walk(nodes: &[CommentNode], chaptered: bool, back_q: &str, out: &mut Vec<ThreadItem>) {
    for (i, n) in nodes.iter().enumerate() {
        out.push(ThreadItem::Comment(Box::new(comment_view(
            n, i, chaptered, back_q,
        ))));
        if !n.replies.is_empty() || n.more > 0 {
            out.push(ThreadItem::Open);
            walk(&n.replies, chaptered, back_q, out);
            if n.more > 0 {
                out.push(ThreadItem::More {
                    id: n.id,
                    count: n.more,
                });
            }
            out.push(ThreadItem::Close);
        }
    }
}

/// The "Post Comment" form, as one viewer gets it.
#[derive(Debug, Clone, Default)]
pub struct CommentForm {
    /// Where it posts.
    pub action: String,
    /// The commentable's id, for AO3's element ids.
    pub for_id: i64,
    /// A guest: name and e-mail fields.
    pub guest: bool,
    /// The account's pseuds (id, name, selected) when more than one.
    pub pseuds: Vec<(i64, String, bool)>,
    pub text: String,
    pub name: String,
    pub email: String,
    pub legend: &'static str,
    /// Shown on moderated works.
    pub moderated: bool,
}

/// Why the form is not offered, worded for the reader; `None` when it is.
pub fn form_refusal(may: &Result<(), CommentRefusal>) -> Option<String> {
    match may {
        Ok(()) => None,
        Err(CommentRefusal::RegisteredOnly) => Some(format!(
            "{} You can however still leave Kudos!",
            CommentRefusal::RegisteredOnly
        )),
        Err(r) => Some(r.to_string()),
    }
}

/// The message after a comment action (`?comment=` on the redirect).
pub fn outcome_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "posted" => "Comment created!",
        "moderated" => {
            "This work's creator has chosen to moderate comments on the work. Your comment will not appear until it has been approved by the creator."
        }
        "held" => {
            "Your comment has been received. It will appear once the archive's moderators have reviewed it."
        }
        "edited" => "Comment was successfully updated.",
        "deleted" => "Comment deleted.",
        "frozen" => "Comment thread successfully frozen!",
        "unfrozen" => "Comment thread successfully unfrozen!",
        "hidden" => "Comment successfully hidden!",
        "unhidden" => "Comment successfully unhidden!",
        "approved" => "Comment approved.",
        "spam" => "Comment marked as spam.",
        "not_spam" => "Comment marked as not spam.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn bylines_date_as_chrono_formats_it() {
        let start = chrono::NaiveDate::from_ymd_opt(2023, 12, 31)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a date");
        // Every hour and weekday, midnight and noon, over two years.
        for step in 0..(2 * 365 * 24) {
            let at = start + chrono::Duration::minutes(step * 61);
            assert_eq!(
                when(at),
                at.format("%a %d %b %Y %I:%M%p UTC").to_string(),
                "{at}"
            );
        }
    }
}
