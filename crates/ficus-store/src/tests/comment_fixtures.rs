//! Fixtures of the comment tests (`comments.rs`, `feedback_flow.rs`,
//! `moderation.rs`): people, guests, a work with comment settings, posting.

use chrono::{NaiveDateTime, Utc};
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::comments::{CommentPermission, CommentRefusal, CommentSettings, Commenter};

use super::sample;
use crate::comments::{CommentNode, CommentTarget, NewComment};
use crate::{Found, Store};

pub(super) struct Person {
    pub viewer: Viewer,
    pub commenter: Commenter,
}

/// A person's pseud (an account's commenter).
pub(super) fn pseud_of(p: &Person) -> i64 {
    match p.commenter {
        Commenter::Account { pseud_id, .. } => pseud_id,
        _ => panic!("an account"),
    }
}

pub(super) fn person(store: &Store, name: &str, role: Role) -> Person {
    let user = crate::testing::account(store, name);
    if role != Role::User {
        store.set_role(name, role).expect("role");
    }
    let pseud = store.pseuds_of(user.id).expect("pseuds")[0].0;
    let viewer = Viewer::User { id: user.id, role };
    Person {
        viewer,
        commenter: Commenter::Account {
            viewer,
            user_id: user.id,
            pseud_id: pseud,
        },
    }
}

pub(super) fn guest(name: &str) -> Commenter {
    Commenter::Guest {
        name: name.into(),
        email: format!("{name}@example.org"),
    }
}

/// Lifts the rate limit, for tests about other rules.
pub(super) fn no_rate_limit(store: &Store) {
    store
        .set_setting("comment_rate_limit", "0/60")
        .expect("setting");
}

pub(super) fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A posted work by `owner` with the given comment settings.
pub(super) fn work_by(
    store: &Store,
    owner: &Person,
    permission: CommentPermission,
    moderated: bool,
) -> i64 {
    let Commenter::Account { pseud_id, .. } = owner.commenter else {
        unreachable!()
    };
    let mut w = sample("Commented", None, 2);
    w.pseuds = vec![pseud_id];
    w.creators = vec![];
    w.comments = CommentSettings {
        permission,
        moderated,
    };
    store.insert_work(&w).expect("insert").work_id()
}

pub(super) fn post(
    store: &Store,
    target: CommentTarget,
    who: &Commenter,
    body: &str,
) -> Result<i64, CommentRefusal> {
    post_keyed(store, target, who, body, Some("visitor-1"))
}

pub(super) fn post_keyed(
    store: &Store,
    target: CommentTarget,
    who: &Commenter,
    body: &str,
    key: Option<&str>,
) -> Result<i64, CommentRefusal> {
    store
        .post_comment(
            &NewComment {
                target,
                commenter: who,
                visitor_key: key,
                body,
                spam: false,
            },
            now(),
        )
        .expect("store")
        .map(|p| p.id)
}

pub(super) fn section(store: &Store, work: i64, viewer: Viewer) -> crate::comments::CommentSection {
    match store
        .comment_section(work, None, viewer, Some(1))
        .expect("read")
    {
        Found::Visible(s) => s,
        other => panic!("not visible: {other:?}", other = other.visible().is_some()),
    }
}

pub(super) fn count(store: &Store, work: i64) -> u64 {
    section(store, work, Viewer::System).total
}

pub(super) fn ids(nodes: &[CommentNode]) -> Vec<i64> {
    nodes.iter().map(|n| n.id).collect()
}

/// A guest comment on `work` that the spam check flagged: held, not shown.
pub(super) fn post_spam(store: &Store, work: i64) -> i64 {
    store
        .post_comment(
            &NewComment {
                target: CommentTarget::Work(work),
                commenter: &guest("Bot"),
                visitor_key: Some("k"),
                body: "<p>casino casino</p>",
                spam: true,
            },
            now(),
        )
        .expect("store")
        .expect("held")
        .id
}
