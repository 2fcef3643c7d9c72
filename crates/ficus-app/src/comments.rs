//! Comments as user actions, for the work page's forms, the comment
//! pages, the inbox and the API alike: the text checked and sanitized,
//! the spam check run where it applies, then one store transaction.
//!
//! **Spam checks are pluggable.** [`SpamCheck`] is the seam: the built-in
//! [`Heuristic`] (links, known phrases, repeated text) is the default; a
//! real service plugs in by implementing the trait — an Akismet client,
//! for one, would send the candidate's text, name, e-mail and the
//! visitor's address to `https://{key}.rest.akismet.com/1.1/comment-check`
//! and answer its `true`/`false` — and handing it to the web state
//! instead of the heuristic. The check runs before the write transaction
//! (it may be slow; nothing is locked meanwhile), for guests and new
//! accounts only, never for a creator on their own work. A spam verdict
//! does not refuse the comment: it is stored held, out of sight, in the
//! moderators' spam queue, where they release or delete it.

use chrono::{NaiveDateTime, Utc};
use ficus_core::access::Viewer;
use ficus_core::comments::{self as rules, CommentRefusal, Commenter, SpamCandidate};
use ficus_store::comments::{CommentTarget, ModerationAction, NewComment, PostedComment};
use ficus_store::{Store, StoreError};

use crate::visitors::VisitorKey;

/// A spam check: the built-in heuristic or a real service.
pub trait SpamCheck: Send + Sync {
    /// Whether the comment is spam.
    fn is_spam(&self, candidate: &SpamCandidate<'_>) -> bool;
}

/// The built-in check (`ficus_core::comments::looks_like_spam`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Heuristic;

impl SpamCheck for Heuristic {
    fn is_spam(&self, candidate: &SpamCandidate<'_>) -> bool {
        rules::looks_like_spam(candidate)
    }
}

/// Who writes a comment, as a handler knows them.
#[derive(Debug, Clone, Copy)]
pub enum Author<'a> {
    Account {
        viewer: Viewer,
        user_id: i64,
        /// The pseud chosen on the form (checked to be the account's).
        pseud_id: i64,
        /// Shown name, for the spam check.
        name: &'a str,
    },
    Guest {
        name: &'a str,
        email: &'a str,
        /// The visitor's address: only its keyed hash is stored.
        ip: &'a str,
    },
}

/// Posts a comment or a reply. `Ok(Err(_))` is a refusal the writer
/// caused, worded for them.
pub fn post(
    store: &Store,
    key: &VisitorKey,
    spam: &dyn SpamCheck,
    target: CommentTarget,
    author: Author<'_>,
    text: &str,
) -> Result<Result<PostedComment, CommentRefusal>, StoreError> {
    let now = Utc::now().naive_utc();
    if let Err(refusal) = rules::check_text(text) {
        return Ok(Err(refusal));
    }
    let (commenter, visitor, shown_name) = match author {
        Author::Account {
            viewer,
            user_id,
            pseud_id,
            name,
        } => (
            Commenter::Account {
                viewer,
                user_id,
                pseud_id,
            },
            None,
            name.to_string(),
        ),
        Author::Guest { name, email, ip } => match rules::check_guest(name, email) {
            Ok((name, email)) => (
                Commenter::Guest {
                    name: name.clone(),
                    email,
                },
                Some(key.guest(ip)),
                name,
            ),
            Err(refusal) => return Ok(Err(refusal)),
        },
    };
    let guest = matches!(commenter, Commenter::Guest { .. });
    let body = rules::format_body(text, guest);
    if let Err(refusal) = rules::check_text(&body) {
        return Ok(Err(refusal));
    }
    let is_spam = store.comment_needs_checks(target, commenter.user_id(), now)?
        && spam.is_spam(&SpamCandidate {
            body: &body,
            author: &shown_name,
            email: match &commenter {
                Commenter::Guest { email, .. } => Some(email.as_str()),
                Commenter::Account { .. } => None,
            },
            is_guest: guest,
        });
    store.post_comment(
        &NewComment {
            target,
            commenter: &commenter,
            visitor_key: visitor.as_deref(),
            body: &body,
            spam: is_spam,
        },
        now,
    )
}

/// Edits a comment's text (its author). Returns the work and whether
/// the comment now waits for review.
pub fn edit(
    store: &Store,
    id: i64,
    viewer: Viewer,
    text: &str,
) -> Result<Result<(i64, bool), CommentRefusal>, StoreError> {
    if let Err(refusal) = rules::check_text(text) {
        return Ok(Err(refusal));
    }
    let body = rules::format_body(text, false);
    if let Err(refusal) = rules::check_text(&body) {
        return Ok(Err(refusal));
    }
    store.edit_comment(id, viewer, &body, now())
}

/// Deletes a comment. Returns its work.
pub fn delete(
    store: &Store,
    id: i64,
    viewer: Viewer,
) -> Result<Result<i64, CommentRefusal>, StoreError> {
    store.delete_comment(id, viewer, now())
}

/// A creator's or moderator's action on a comment. Returns its work.
pub fn moderate(
    store: &Store,
    id: i64,
    viewer: Viewer,
    action: ModerationAction,
) -> Result<Result<i64, CommentRefusal>, StoreError> {
    store.moderate_comment(id, viewer, action, now())
}

/// Approves every comment waiting on a work. Returns how many.
pub fn approve_all(
    store: &Store,
    work_id: i64,
    viewer: Viewer,
) -> Result<Result<usize, CommentRefusal>, StoreError> {
    store.approve_all_comments(work_id, viewer, now())
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_core::comments::CommentPermission;
    use ficus_store::Found;
    use ficus_store::testing::TestStore;

    /// A check that calls everything spam, to see where checks run.
    struct Everything;
    impl SpamCheck for Everything {
        fn is_spam(&self, _: &SpamCandidate<'_>) -> bool {
            true
        }
    }

    #[test]
    fn guests_are_checked_and_their_images_become_links() {
        for test_store in TestStore::all() {
            let store: &Store = &test_store;
            let writer = ficus_store::testing::account(store, "writer");
            let pseud = store.pseuds_of(writer.id).expect("pseuds")[0].0;
            let mut work = ficus_testkit::work("Open").build();
            work.pseuds = vec![pseud];
            work.comments.permission = CommentPermission::Everyone;
            let id = store.insert_work(&work).expect("insert").work_id();
            let key = VisitorKey::new(b"k".to_vec());
            let guest = Author::Guest {
                name: "Reader",
                email: "reader@example.org",
                ip: "203.0.113.9",
            };
            let posted = post(
                store,
                &key,
                &Heuristic,
                CommentTarget::Work(id),
                guest,
                "Look <img src=\"https://i.example/cat.png\" alt=\"cat\">\n\nBye",
            )
            .expect("store")
            .expect("posted");
            assert!(!posted.spam);
            let Found::Visible(s) = store
                .comment_section(id, None, Viewer::Guest, Some(1))
                .expect("read")
            else {
                panic!("visible")
            };
            let body = &s.threads.items[0].body;
            assert!(!body.contains("<img"), "{body}");
            assert!(body.contains("https://i.example/cat.png"), "{body}");
            assert!(body.contains("<p>Bye</p>"), "{body}");
            // A guest with a bad e-mail, an empty text: refused, nothing stored.
            let bad = Author::Guest {
                name: "Reader",
                email: "nope",
                ip: "203.0.113.9",
            };
            assert_eq!(
                post(store, &key, &Heuristic, CommentTarget::Work(id), bad, "hi").expect("store"),
                Err(CommentRefusal::GuestEmailInvalid)
            );
            assert_eq!(
                post(
                    store,
                    &key,
                    &Heuristic,
                    CommentTarget::Work(id),
                    guest,
                    "<script>x</script>"
                )
                .expect("store"),
                Err(CommentRefusal::Empty)
            );
            // The pluggable check: held, not shown.
            let held = post(
                store,
                &key,
                &Everything,
                CommentTarget::Work(id),
                guest,
                "held",
            )
            .expect("store")
            .expect("stored");
            assert!(held.spam);
            // …but never for the creator on their own work.
            let own = post(
                store,
                &key,
                &Everything,
                CommentTarget::Work(id),
                Author::Account {
                    viewer: Viewer::User {
                        id: writer.id,
                        role: writer.role,
                    },
                    user_id: writer.id,
                    pseud_id: pseud,
                    name: "writer",
                },
                "thanks all",
            )
            .expect("store")
            .expect("stored");
            assert!(!own.spam);
        }
    }
}
