//! Comments on both backends: threads, counts, moderation, the rules'
//! refusals, rate limits and what each viewer sees.

use chrono::{Duration, NaiveDateTime, Utc};
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::comments::{
    CommentPermission, CommentRefusal, CommentSettings, Commenter, Sight, THREADS_PER_PAGE,
};
use ficus_core::people::Relation;

use super::{each_backend, sample};
use crate::comments::{CommentNode, CommentTarget, ModerationAction, NewComment};
use crate::{Found, Store};

struct Person {
    viewer: Viewer,
    commenter: Commenter,
}

fn person(store: &Store, name: &str, role: Role) -> Person {
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

fn guest(name: &str) -> Commenter {
    Commenter::Guest {
        name: name.into(),
        email: format!("{name}@example.org"),
    }
}

/// Lifts the rate limit, for tests about other rules.
fn no_rate_limit(store: &Store) {
    store
        .set_setting("comment_rate_limit", "0/60")
        .expect("setting");
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A posted work by `owner` with the given comment settings.
fn work_by(store: &Store, owner: &Person, permission: CommentPermission, moderated: bool) -> i64 {
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

fn post(
    store: &Store,
    target: CommentTarget,
    who: &Commenter,
    body: &str,
) -> Result<i64, CommentRefusal> {
    post_keyed(store, target, who, body, Some("visitor-1"))
}

fn post_keyed(
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

fn section(store: &Store, work: i64, viewer: Viewer) -> crate::comments::CommentSection {
    match store
        .comment_section(work, None, viewer, Some(1))
        .expect("read")
    {
        Found::Visible(s) => s,
        other => panic!("not visible: {other:?}", other = other.visible().is_some()),
    }
}

fn count(store: &Store, work: i64) -> u64 {
    section(store, work, Viewer::System).total
}

fn ids(nodes: &[CommentNode]) -> Vec<i64> {
    nodes.iter().map(|n| n.id).collect()
}

#[test]
fn threads_replies_and_counts() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let root = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>Loved it</p>",
        )
        .expect("root");
        let reply = post(
            store,
            CommentTarget::Reply(root),
            &ada.commenter,
            "<p>Thanks!</p>",
        )
        .expect("reply");
        let guest_reply = post(
            store,
            CommentTarget::Reply(reply),
            &guest("Cam"),
            "<p>Me too</p>",
        )
        .expect("guest reply");
        assert_eq!(
            count(store, work),
            3,
            "replies count, as AO3's Comments (N)"
        );
        let s = section(store, work, Viewer::Guest);
        assert_eq!(s.threads.total, 1);
        let top = &s.threads.items[0];
        assert_eq!(top.id, root);
        assert_eq!(
            top.chapter_position, 2,
            "a comment from the work goes to its last chapter"
        );
        assert_eq!(ids(&top.replies), vec![reply]);
        assert_eq!(ids(&top.replies[0].replies), vec![guest_reply]);
        assert_eq!(top.replies[0].replies[0].depth, 2);
        assert!(top.may.reply, "guests may reply on a work open to everyone");
        assert!(
            !top.may.edit && !top.may.delete,
            "guests cannot edit or delete"
        );
        assert!(
            !top.replies[0].may.edit,
            "a comment with replies is not editable"
        );

        // Its own page holds the comment and what is below it.
        let Found::Visible(t) = store.comment_thread(reply, Viewer::Guest).expect("read") else {
            panic!("thread")
        };
        assert_eq!(t.node.id, reply);
        assert_eq!(ids(&t.node.replies), vec![guest_reply]);

        // A chapter's comments are that chapter's only.
        let first_chapter: i64 = store
            .chapters_full(work)
            .expect("chapters")
            .first()
            .map(|c| c.id)
            .expect("chapter");
        let on_first = post(
            store,
            CommentTarget::Chapter(first_chapter),
            &bea.commenter,
            "<p>Chapter one!</p>",
        )
        .expect("on chapter 1");
        let Found::Visible(ch1) = store
            .comment_section(work, Some(first_chapter), Viewer::Guest, Some(1))
            .expect("read")
        else {
            panic!("chapter")
        };
        assert_eq!(ids(&ch1.threads.items), vec![on_first]);
        assert_eq!(count(store, work), 4);
    });
}

#[test]
fn twenty_five_threads_a_page_and_depth_five() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::RegisteredOnly, false);
        let mut roots = Vec::new();
        for i in 0..(THREADS_PER_PAGE + 2) {
            roots.push(
                post(
                    store,
                    CommentTarget::Work(work),
                    &ada.commenter,
                    &format!("<p>Thread {i}</p>"),
                )
                .expect("root"),
            );
        }
        let Found::Visible(p2) = store
            .comment_section(work, None, Viewer::Guest, Some(2))
            .expect("read")
        else {
            panic!("page 2")
        };
        assert_eq!(p2.threads.total, u64::from(THREADS_PER_PAGE) + 2);
        assert_eq!(
            ids(&p2.threads.items),
            roots[THREADS_PER_PAGE as usize..].to_vec()
        );
        // A chain of 8 replies: 5 levels shown, then "3 more".
        let mut at = roots[0];
        let mut chain = vec![at];
        for i in 0..8 {
            let who = if i % 2 == 0 { &bea } else { &ada };
            at = post(
                store,
                CommentTarget::Reply(at),
                &who.commenter,
                &format!("<p>r{i}</p>"),
            )
            .expect("reply");
            chain.push(at);
        }
        let s = section(store, work, Viewer::Guest);
        let mut node = &s.threads.items[0];
        for _ in 0..4 {
            assert_eq!(node.more, 0);
            node = &node.replies[0];
        }
        assert!(node.replies.is_empty(), "depth 5 is the last shown");
        assert_eq!(node.more, 4, "the rest is counted");
        assert_eq!(node.id, chain[4]);
        let Found::Visible(t) = store.comment_thread(chain[4], Viewer::Guest).expect("read") else {
            panic!("own page")
        };
        assert_eq!(
            ids(&t.node.replies),
            vec![chain[5]],
            "its own page goes deeper"
        );
    });
}

#[test]
fn who_may_comment_and_reply() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let registered = work_by(store, &ada, CommentPermission::RegisteredOnly, false);
        let closed = work_by(store, &ada, CommentPermission::NoOne, false);
        let open = work_by(store, &ada, CommentPermission::Everyone, false);
        let g = guest("Dee");
        assert_eq!(
            post(store, CommentTarget::Work(registered), &g, "<p>hi</p>"),
            Err(CommentRefusal::RegisteredOnly)
        );
        assert_eq!(
            post(
                store,
                CommentTarget::Work(closed),
                &bea.commenter,
                "<p>hi</p>"
            ),
            Err(CommentRefusal::NoComments)
        );
        post(
            store,
            CommentTarget::Work(closed),
            &ada.commenter,
            "<p>my own</p>",
        )
        .expect("a creator may always comment");
        // Empty work ids and chapters are refused, not errors.
        assert_eq!(
            post(
                store,
                CommentTarget::Work(987_654),
                &bea.commenter,
                "<p>x</p>"
            ),
            Err(CommentRefusal::NotFound)
        );
        // The archive switch.
        store
            .set_setting("guest_comments_off", "true")
            .expect("setting");
        assert_eq!(
            post(store, CommentTarget::Work(open), &g, "<p>hi</p>"),
            Err(CommentRefusal::GuestCommentsOff)
        );
        store
            .set_setting("guest_comments_off", "false")
            .expect("setting");
        post(store, CommentTarget::Work(open), &g, "<p>hi</p>").expect("guests again");
        // Duplicates.
        post(
            store,
            CommentTarget::Work(open),
            &bea.commenter,
            "<p>same</p>",
        )
        .expect("first");
        assert_eq!(
            post(
                store,
                CommentTarget::Work(open),
                &bea.commenter,
                "<p>same</p>"
            ),
            Err(CommentRefusal::Duplicate)
        );
        // Blocked by the creator: no comment; blocked by a commenter: no reply to them.
        let (Viewer::User { id: ada_id, .. }, Viewer::User { id: bea_id, .. }) =
            (ada.viewer, bea.viewer)
        else {
            unreachable!()
        };
        store
            .set_related(Relation::Block, ada_id, "cam", true, now())
            .expect("block")
            .expect("blocked");
        assert_eq!(
            post(
                store,
                CommentTarget::Work(open),
                &cam.commenter,
                "<p>let me</p>"
            ),
            Err(CommentRefusal::BlockedByCreator)
        );
        let beas = post(
            store,
            CommentTarget::Work(registered),
            &bea.commenter,
            "<p>b</p>",
        )
        .expect("bea");
        let cams_work = work_by(store, &cam, CommentPermission::Everyone, false);
        let beas_on_cam = post(
            store,
            CommentTarget::Work(cams_work),
            &bea.commenter,
            "<p>b</p>",
        )
        .expect("bea on cam's");
        store
            .set_related(Relation::Block, bea_id, "cam", true, now())
            .expect("block")
            .expect("blocked");
        assert_eq!(
            post(
                store,
                CommentTarget::Reply(beas_on_cam),
                &cam.commenter,
                "<p>r</p>"
            ),
            Err(CommentRefusal::BlockedByParent),
            "even on cam's own work, bea's block holds for replies to her"
        );
        let _ = beas;
        // Guest replies off: on other users' works only.
        let mut prefs = store.user(bea_id).expect("read").expect("bea").0.prefs;
        prefs.guest_replies_off = true;
        store.set_preferences(bea_id, prefs).expect("prefs");
        let beas_open = post(
            store,
            CommentTarget::Work(open),
            &bea.commenter,
            "<p>open</p>",
        )
        .expect("bea on open");
        assert_eq!(
            post(store, CommentTarget::Reply(beas_open), &g, "<p>reply</p>"),
            Err(CommentRefusal::GuestRepliesOff)
        );
        let s = section(store, open, Viewer::Guest);
        let node = s
            .threads
            .items
            .iter()
            .find(|n| n.id == beas_open)
            .expect("shown");
        assert!(
            !node.may.reply,
            "the page offers no reply the store would refuse"
        );
        let beas_own = work_by(store, &bea, CommentPermission::Everyone, false);
        let on_own = post(
            store,
            CommentTarget::Work(beas_own),
            &bea.commenter,
            "<p>own</p>",
        )
        .expect("bea on her own");
        post(store, CommentTarget::Reply(on_own), &g, "<p>reply</p>")
            .expect("the preference does not apply on her own works");
    });
}

#[test]
fn moderated_comments_wait_for_the_creator() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let work = work_by(store, &ada, CommentPermission::RegisteredOnly, true);
        let held = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>Please approve</p>",
        )
        .expect("held");
        let own = post(
            store,
            CommentTarget::Work(work),
            &ada.commenter,
            "<p>Creator note</p>",
        )
        .expect("own");
        assert_eq!(count(store, work), 1, "only the creator's counts");
        let seen = |v: Viewer| ids(&section(store, work, v).threads.items);
        assert_eq!(seen(ada.viewer), vec![held, own], "the creator sees it");
        assert_eq!(seen(bea.viewer), vec![held, own], "its author sees it");
        assert_eq!(seen(cam.viewer), vec![own], "others do not");
        assert_eq!(seen(Viewer::Guest), vec![own]);
        assert_eq!(section(store, work, ada.viewer).unreviewed, 1);
        assert_eq!(section(store, work, cam.viewer).unreviewed, 0);
        assert_eq!(
            post(
                store,
                CommentTarget::Reply(held),
                &ada.commenter,
                "<p>r</p>"
            ),
            Err(CommentRefusal::ReplyToUnreviewed)
        );
        assert_eq!(
            store
                .moderate_comment(held, cam.viewer, ModerationAction::Approve, now())
                .expect("store"),
            Err(CommentRefusal::NotFound),
            "a stranger cannot even see it"
        );
        store
            .moderate_comment(held, ada.viewer, ModerationAction::Approve, now())
            .expect("store")
            .expect("approved");
        assert_eq!(seen(cam.viewer), vec![held, own]);
        assert_eq!(count(store, work), 2);
        // A small edit stays approved; a large one goes back to review.
        store
            .edit_comment(held, bea.viewer, "<p>Please approve!</p>", now())
            .expect("store")
            .expect("small edit");
        assert_eq!(count(store, work), 2);
        let (_, back) = store
            .edit_comment(
                held,
                bea.viewer,
                "<p>Something entirely different now</p>",
                now(),
            )
            .expect("store")
            .expect("large edit");
        assert!(back, "back to review");
        assert_eq!(count(store, work), 1);
        let Found::Visible((_, waiting)) =
            store.unreviewed_comments(work, ada.viewer).expect("read")
        else {
            panic!("list")
        };
        assert_eq!(ids(&waiting), vec![held]);
        assert!(waiting[0].edited_at.is_some());
        assert!(matches!(
            store.unreviewed_comments(work, bea.viewer).expect("read"),
            Found::NotFound
        ));
        assert_eq!(
            store
                .approve_all_comments(work, ada.viewer, now())
                .expect("store"),
            Ok(1)
        );
        assert_eq!(count(store, work), 2);
    });
}

#[test]
fn edit_delete_freeze_hide_and_spam() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let root = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>root</p>",
        )
        .expect("root");
        let reply = post(
            store,
            CommentTarget::Reply(root),
            &cam.commenter,
            "<p>reply</p>",
        )
        .expect("reply");
        assert_eq!(
            store
                .edit_comment(root, bea.viewer, "<p>new</p>", now())
                .expect("store"),
            Err(CommentRefusal::HasReplies)
        );
        assert_eq!(
            store
                .edit_comment(reply, bea.viewer, "<p>new</p>", now())
                .expect("store"),
            Err(CommentRefusal::NotAllowed),
            "only its author edits"
        );
        // Freezing the root freezes the reply too.
        assert_eq!(
            store
                .moderate_comment(root, bea.viewer, ModerationAction::Freeze, now())
                .expect("store"),
            Err(CommentRefusal::NotAllowed),
            "commenters do not freeze"
        );
        store
            .moderate_comment(root, ada.viewer, ModerationAction::Freeze, now())
            .expect("store")
            .expect("frozen");
        assert_eq!(
            post(
                store,
                CommentTarget::Reply(reply),
                &bea.commenter,
                "<p>more</p>"
            ),
            Err(CommentRefusal::Frozen)
        );
        assert_eq!(
            store
                .edit_comment(reply, cam.viewer, "<p>edited</p>", now())
                .expect("store"),
            Err(CommentRefusal::Frozen)
        );
        store
            .moderate_comment(root, moe.viewer, ModerationAction::Unfreeze, now())
            .expect("store")
            .expect("unfrozen");
        store
            .edit_comment(reply, cam.viewer, "<p>edited</p>", now())
            .expect("store")
            .expect("editable again");
        // Hidden by a moderator: a message for others, the text for its author.
        assert_eq!(
            store
                .moderate_comment(reply, ada.viewer, ModerationAction::Hide, now())
                .expect("store"),
            Err(CommentRefusal::NotAllowed),
            "creators do not hide"
        );
        store
            .moderate_comment(reply, moe.viewer, ModerationAction::Hide, now())
            .expect("store")
            .expect("hidden");
        assert_eq!(count(store, work), 1);
        let sight_of = |v: Viewer| {
            let s = section(store, work, v);
            let r = &s.threads.items[0].replies[0];
            (r.sight, r.body.clone())
        };
        assert_eq!(
            sight_of(Viewer::Guest),
            (Sight::HiddenMessage, String::new())
        );
        assert_eq!(sight_of(cam.viewer), (Sight::Full, "<p>edited</p>".into()));
        assert!(
            store
                .audit_entries(10)
                .expect("audit")
                .iter()
                .any(|e| e.action == "hide_comment")
        );
        store
            .moderate_comment(reply, moe.viewer, ModerationAction::Unhide, now())
            .expect("store")
            .expect("unhidden");
        assert_eq!(count(store, work), 2);
        // Deleting the root keeps it as a placeholder while it has replies.
        store
            .delete_comment(root, bea.viewer, now())
            .expect("store")
            .expect("deleted");
        let s = section(store, work, Viewer::Guest);
        assert_eq!(s.threads.items[0].sight, Sight::Deleted);
        assert_eq!(ids(&s.threads.items[0].replies), vec![reply]);
        assert_eq!(count(store, work), 1);
        // A creator deletes the childless reply: gone.
        store
            .delete_comment(reply, ada.viewer, now())
            .expect("store")
            .expect("deleted");
        assert_eq!(count(store, work), 0);
        assert!(matches!(
            store.comment_thread(reply, Viewer::System).expect("read"),
            Found::NotFound
        ));
        // Spam: a creator may mark a guest's comment; it leaves the page.
        let g = post(
            store,
            CommentTarget::Work(work),
            &guest("Spammer"),
            "<p>buy</p>",
        )
        .expect("guest");
        assert_eq!(count(store, work), 1);
        store
            .moderate_comment(g, ada.viewer, ModerationAction::Spam, now())
            .expect("store")
            .expect("spam");
        assert_eq!(count(store, work), 0);
        assert!(
            section(store, work, ada.viewer)
                .threads
                .items
                .iter()
                .all(|n| n.id != g)
        );
        let queue = store.spam_queue(moe.viewer, 1).expect("queue");
        assert_eq!(queue.items.len(), 1);
        assert_eq!(
            queue.items[0].guest_email.as_deref(),
            Some("Spammer@example.org")
        );
        store
            .moderate_comment(g, moe.viewer, ModerationAction::NotSpam, now())
            .expect("store")
            .expect("released");
        assert_eq!(count(store, work), 1);
        assert_eq!(store.spam_queue(moe.viewer, 1).expect("queue").total, 0);
    });
}

#[test]
fn spam_verdicts_are_held_not_shown() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let g = guest("Bot");
        let posted = store
            .post_comment(
                &NewComment {
                    target: CommentTarget::Work(work),
                    commenter: &g,
                    visitor_key: Some("k"),
                    body: "<p>casino casino</p>",
                    spam: true,
                },
                now(),
            )
            .expect("store")
            .expect("held");
        assert!(posted.spam);
        assert_eq!(count(store, work), 0);
        assert!(section(store, work, ada.viewer).threads.items.is_empty());
        assert_eq!(
            ids(&section(store, work, moe.viewer).threads.items),
            vec![posted.id]
        );
        store
            .delete_comment(posted.id, moe.viewer, now())
            .expect("store")
            .expect("deleted");
        assert_eq!(store.spam_queue(moe.viewer, 1).expect("queue").total, 0);
    });
}

#[test]
fn guests_and_new_accounts_are_rate_limited_in_the_database() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        for i in 0..3 {
            post_keyed(
                store,
                CommentTarget::Work(work),
                &guest("G"),
                &format!("<p>{i}</p>"),
                Some("addr"),
            )
            .expect("within the limit");
        }
        let refused = post_keyed(
            store,
            CommentTarget::Work(work),
            &guest("Other name"),
            "<p>4</p>",
            Some("addr"),
        );
        assert!(
            matches!(refused, Err(CommentRefusal::RateLimited(s)) if s > 0 && s <= 900),
            "{refused:?}"
        );
        post_keyed(
            store,
            CommentTarget::Work(work),
            &guest("G"),
            "<p>4</p>",
            Some("other addr"),
        )
        .expect("another visitor is not limited");
        for i in 0..3 {
            post(
                store,
                CommentTarget::Work(work),
                &bea.commenter,
                &format!("<p>b{i}</p>"),
            )
            .expect("within the limit");
        }
        assert!(matches!(
            post(
                store,
                CommentTarget::Work(work),
                &bea.commenter,
                "<p>b3</p>"
            ),
            Err(CommentRefusal::RateLimited(_))
        ));
        for i in 0..5 {
            post(
                store,
                CommentTarget::Work(work),
                &ada.commenter,
                &format!("<p>a{i}</p>"),
            )
            .expect("a creator on their own work is not limited");
        }
        // Configurable: an archive setting, read by every node.
        store
            .set_setting("comment_rate_limit", "10/60")
            .expect("setting");
        post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>b3</p>",
        )
        .expect("raised");
        store
            .set_setting("comment_new_account_days", "0")
            .expect("setting");
        for i in 4..20 {
            post(
                store,
                CommentTarget::Work(work),
                &bea.commenter,
                &format!("<p>b{i}</p>"),
            )
            .expect("accounts are not new any more");
        }
        assert!(
            store
                .comment_needs_checks(CommentTarget::Work(work), None, now())
                .expect("read"),
            "guests are always checked"
        );
        let forgotten = store
            .forget_comment_visitor_keys(now() + Duration::days(1))
            .expect("forget");
        assert!(forgotten >= 4);
    });
}

#[test]
fn inboxes_get_comments_and_replies_with_exact_counts() {
    use crate::comments::{InboxAction, InboxFilter};
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let uid = |p: &Person| p.viewer.user_id().expect("account");
        let inbox = |p: &Person, filter: InboxFilter| {
            store.inbox(uid(p), p.viewer, filter, 1).expect("inbox")
        };
        let all = InboxFilter::default();
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let beas = post(store, CommentTarget::Work(work), &bea.commenter, "<p>b</p>").expect("b");
        let own = post(
            store,
            CommentTarget::Work(work),
            &ada.commenter,
            "<p>own</p>",
        )
        .expect("own");
        let a = inbox(&ada, all);
        assert_eq!((a.total, a.unread), (1, 1), "not her own comment");
        assert_eq!(a.items.items[0].node.id, beas);
        // The creator replies: bea gets it; ada's item is replied to and read.
        let reply = post(
            store,
            CommentTarget::Reply(beas),
            &ada.commenter,
            "<p>thanks</p>",
        )
        .expect("reply");
        let b = inbox(&bea, all);
        assert_eq!((b.total, b.unread), (1, 1));
        assert_eq!(b.items.items[0].node.id, reply);
        let a = inbox(&ada, all);
        assert!(a.items.items[0].replied_to && a.items.items[0].read);
        assert_eq!(a.unread, 0);
        // A guest's reply to ada's reply reaches ada (its author and the
        // creator), not bea.
        let g = post(
            store,
            CommentTarget::Reply(reply),
            &guest("Gus"),
            "<p>hi</p>",
        )
        .expect("g");
        assert_eq!(inbox(&bea, all).total, 1);
        assert_eq!(inbox(&ada, all).total, 2);
        // Filters, marks, delete.
        let unread = InboxFilter {
            read: Some(false),
            ..InboxFilter::default()
        };
        assert_eq!(inbox(&ada, unread).items.total, 1);
        assert_eq!(
            store
                .mark_inbox(uid(&ada), &[g], InboxAction::Read)
                .expect("mark"),
            1
        );
        assert_eq!(inbox(&ada, unread).items.total, 0);
        store
            .mark_inbox(uid(&ada), &[g], InboxAction::Unread)
            .expect("mark");
        assert_eq!(inbox(&ada, all).unread, 1);
        store
            .mark_inbox(uid(&ada), &[g], InboxAction::Delete)
            .expect("mark");
        assert_eq!(inbox(&ada, all).total, 1, "out of the inbox…");
        assert!(
            matches!(
                store.comment_thread(g, ada.viewer).expect("read"),
                Found::Visible(_)
            ),
            "…but the comment stays"
        );
        // Someone else's marks change nothing of mine.
        assert_eq!(
            store
                .mark_inbox(uid(&cam), &[beas], InboxAction::Delete)
                .expect("mark"),
            0
        );
        // Hidden comments leave inboxes; an edit makes an item unread again.
        store
            .moderate_comment(reply, moe.viewer, ModerationAction::Hide, now())
            .expect("store")
            .expect("hidden");
        assert_eq!(inbox(&bea, all).total, 0);
        store
            .mark_inbox(uid(&ada), &[beas], InboxAction::Read)
            .expect("mark");
        assert_eq!(
            store
                .edit_comment(beas, bea.viewer, "<p>b, edited</p>", now())
                .expect("store"),
            Err(CommentRefusal::HasReplies)
        );
        let _ = own;
        let cams = post(store, CommentTarget::Work(work), &cam.commenter, "<p>c</p>").expect("c");
        store
            .mark_inbox(uid(&ada), &[cams], InboxAction::Read)
            .expect("mark");
        store
            .edit_comment(cams, cam.viewer, "<p>c, edited</p>", now())
            .expect("store")
            .expect("edited");
        let a = inbox(&ada, all);
        let item = a
            .items
            .items
            .iter()
            .find(|i| i.node.id == cams)
            .expect("cam's");
        assert!(!item.read, "edited: unread again");
        // Blocking cam takes cam's comments out of ada's inbox.
        let before = inbox(&ada, all).total;
        store
            .set_related(Relation::Block, uid(&ada), "cam", true, now())
            .expect("block")
            .expect("blocked");
        assert_eq!(inbox(&ada, all).total, before - 1);
    });
}

#[test]
fn held_replies_reach_the_parent_author_once_approved() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let uid = |p: &Person| p.viewer.user_id().expect("account");
        let work = work_by(store, &ada, CommentPermission::RegisteredOnly, true);
        let beas = post(store, CommentTarget::Work(work), &bea.commenter, "<p>b</p>").expect("b");
        store
            .moderate_comment(beas, ada.viewer, ModerationAction::Approve, now())
            .expect("store")
            .expect("approved");
        let held = post(
            store,
            CommentTarget::Reply(beas),
            &cam.commenter,
            "<p>c</p>",
        )
        .expect("c");
        let count = |p: &Person| {
            store
                .inbox(uid(p), p.viewer, Default::default(), 1)
                .expect("inbox")
                .total
        };
        assert_eq!(count(&bea), 0, "not while it waits");
        assert_eq!(count(&ada), 2, "the creator sees it to approve it");
        let ada_inbox = store
            .inbox(uid(&ada), ada.viewer, Default::default(), 1)
            .expect("inbox");
        let item = ada_inbox
            .items
            .items
            .iter()
            .find(|i| i.node.id == held)
            .expect("held");
        assert!(item.node.may.approve);
        store
            .approve_all_comments(work, ada.viewer, now())
            .expect("store")
            .expect("approved");
        assert_eq!(count(&bea), 1);
        let ada_inbox = store
            .inbox(uid(&ada), ada.viewer, Default::default(), 1)
            .expect("inbox");
        assert!(
            ada_inbox
                .items
                .items
                .iter()
                .find(|i| i.node.id == held)
                .expect("held")
                .read
        );
    });
}

#[test]
fn mail_jobs_are_queued_with_the_comment_and_leased_once() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>mail me</p>",
        )
        .expect("c");
        let t = now();
        let first = store
            .lease_mail_jobs(t, 10, Duration::minutes(5))
            .expect("lease");
        assert_eq!(first.len(), 1, "one job: ada's message");
        assert_eq!(first[0].user_id, ada.viewer.user_id().expect("ada"));
        assert!(
            store
                .lease_mail_jobs(t, 10, Duration::minutes(5))
                .expect("lease")
                .is_empty(),
            "leased: nobody else takes it"
        );
        let (_, content) = store
            .mail_content(&first[0])
            .expect("content")
            .expect("something to say");
        assert!(
            matches!(content, crate::mail::MailContent::Comment(ref c) if c.text.contains("mail me"))
        );
        // A failure puts it back later; the lease of a dead node runs out.
        store
            .mail_job_failed(first[0].id, "refused", t + Duration::seconds(30))
            .expect("failed");
        assert!(
            store
                .lease_mail_jobs(t, 10, Duration::minutes(5))
                .expect("lease")
                .is_empty()
        );
        let again = store
            .lease_mail_jobs(t + Duration::seconds(31), 10, Duration::minutes(5))
            .expect("lease");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        let after_death = store
            .lease_mail_jobs(t + Duration::minutes(10), 10, Duration::minutes(5))
            .expect("lease");
        assert_eq!(after_death.len(), 1, "the lease ran out: taken again");
        store.mail_job_done(again[0].id, t).expect("done");
        assert_eq!(store.mail_backlog().expect("backlog"), (0, 0));
        // Spam sends nothing.
        store
            .post_comment(
                &NewComment {
                    target: CommentTarget::Work(work),
                    commenter: &guest("Bot"),
                    visitor_key: Some("k"),
                    body: "<p>casino</p>",
                    spam: true,
                },
                now(),
            )
            .expect("store")
            .expect("held");
        assert_eq!(store.mail_backlog().expect("backlog"), (0, 0));
    });
}

#[test]
fn reports_have_limits_and_standing_stops_comments_and_kudos() {
    use ficus_core::reports::{ReportReason, ReportRefusal, ReportTarget, Standing};
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let file = |target, email: &str| {
            store
                .file_report(target, None, email, ReportReason::Spam, "why", now())
                .expect("store")
        };
        for n in 0..5 {
            file(ReportTarget::Work(work), &format!("r{n}@example.org")).expect("filed");
        }
        assert_eq!(
            file(ReportTarget::Work(work), "x@example.org"),
            Err(ReportRefusal::TargetLimit)
        );
        assert_eq!(
            file(ReportTarget::Work(987_654), "x@example.org"),
            Err(ReportRefusal::BadTarget)
        );
        let bea_id = bea.viewer.user_id().expect("bea");
        for _ in 0..4 {
            file(ReportTarget::Account(bea_id), "r0@example.org").expect("filed");
        }
        assert_eq!(
            file(ReportTarget::Account(bea_id), "r0@example.org"),
            Err(ReportRefusal::EmailLimit),
            "the sixth report of the day from one address"
        );
        let open = store.reports(1, true).expect("queue");
        assert_eq!(open.total, 9);
        let moe_id = moe.viewer.user_id().expect("moe");
        assert!(
            store
                .resolve_report(open.items[0].id, moe_id, "done", now())
                .expect("resolve")
        );
        assert!(
            !store
                .resolve_report(open.items[0].id, moe_id, "again", now())
                .expect("resolve")
        );
        assert_eq!(store.reports(1, true).expect("queue").total, 8);
        // Suspended: no comments, no kudos; lifted: both again.
        let until = now() + Duration::days(2);
        assert!(
            store
                .set_standing(
                    "bea",
                    crate::reports::StandingChange::Suspend {
                        until,
                        reason: "spam"
                    },
                    moe_id,
                    now()
                )
                .expect("suspend")
        );
        assert!(matches!(
            store.standing(bea_id, now()).expect("standing"),
            Standing::Suspended { .. }
        ));
        assert_eq!(
            post(
                store,
                CommentTarget::Work(work),
                &bea.commenter,
                "<p>hi</p>"
            ),
            Err(CommentRefusal::Suspended)
        );
        assert_eq!(
            store
                .leave_kudos(
                    work,
                    crate::kudos::Giver::Account {
                        viewer: bea.viewer,
                        user_id: bea_id
                    }
                )
                .expect("store"),
            Err(ficus_core::kudos::KudosRefusal::Suspended)
        );
        assert!(
            store
                .set_standing("bea", crate::reports::StandingChange::Lift, moe_id, now())
                .expect("lift")
        );
        post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>hi</p>",
        )
        .expect("back");
        assert!(
            !store
                .set_standing(
                    "nobody",
                    crate::reports::StandingChange::Lift,
                    moe_id,
                    now()
                )
                .expect("lift")
        );
    });
}

#[test]
fn creator_statistics_per_work_year_and_day() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let uid = ada.viewer.user_id().expect("ada");
        post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>one</p>",
        )
        .expect("c");
        let root = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>two</p>",
        )
        .expect("c");
        post(
            store,
            CommentTarget::Reply(root),
            &ada.commenter,
            "<p>reply</p>",
        )
        .expect("r");
        store
            .leave_kudos(
                work,
                crate::kudos::Giver::Account {
                    viewer: bea.viewer,
                    user_id: bea.viewer.user_id().expect("bea"),
                },
            )
            .expect("store")
            .expect("kudos");
        let all = store.creator_stats(uid, None).expect("stats");
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].kudos, all[0].comment_threads),
            (1, 2),
            "threads, not replies"
        );
        let year = chrono::Datelike::year(&now().date());
        let this_year = store.creator_stats(uid, Some(year)).expect("stats");
        assert_eq!((this_year[0].kudos, this_year[0].comment_threads), (1, 2));
        let long_ago = store.creator_stats(uid, Some(2001)).expect("stats");
        assert_eq!((long_ago[0].kudos, long_ago[0].comment_threads), (0, 0));
        let today = now().date();
        let days = store
            .creator_daily_stats(uid, None, today - Duration::days(3), today)
            .expect("days");
        assert_eq!(days.len(), 1);
        assert_eq!(
            (days[0].kudos, days[0].comments),
            (1, 3),
            "every comment that day"
        );
        assert!(
            store
                .creator_stats(bea.viewer.user_id().expect("bea"), None)
                .expect("stats")
                .is_empty()
        );
    });
}

#[test]
fn the_reviews_findings_hold() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let mia = person(store, "mia", Role::Moderator);
        let root_admin = person(store, "boss", Role::Admin);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        // Deleting a chapter takes its comments out of the count.
        let chapters = store.chapters_full(work).expect("chapters");
        let first = chapters[0].id;
        post(
            store,
            CommentTarget::Chapter(first),
            &bea.commenter,
            "<p>on one</p>",
        )
        .expect("c");
        post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>on two</p>",
        )
        .expect("c");
        assert_eq!(count(store, work), 2);
        assert!(store.delete_chapter(work, first).expect("delete"));
        assert_eq!(count(store, work), 1);
        // Spam never takes other people's replies with it.
        let g = post(
            store,
            CommentTarget::Work(work),
            &guest("G"),
            "<p>guest</p>",
        )
        .expect("g");
        post(
            store,
            CommentTarget::Reply(g),
            &bea.commenter,
            "<p>reply</p>",
        )
        .expect("r");
        for who in [&ada, &moe] {
            assert_eq!(
                store
                    .moderate_comment(g, who.viewer, ModerationAction::Spam, now())
                    .expect("store"),
                Err(CommentRefusal::NotAllowed)
            );
        }
        // A hidden comment is not its author's to rewrite; nor is any
        // comment a suspended author's.
        let b = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>mine</p>",
        )
        .expect("b");
        store
            .moderate_comment(b, moe.viewer, ModerationAction::Hide, now())
            .expect("store")
            .expect("hidden");
        assert_eq!(
            store
                .edit_comment(b, bea.viewer, "<p>rewritten</p>", now())
                .expect("store"),
            Err(CommentRefusal::NotAllowed)
        );
        let b2 = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>other</p>",
        )
        .expect("b2");
        let moe_id = moe.viewer.user_id().expect("moe");
        assert!(
            store
                .set_standing(
                    "bea",
                    crate::reports::StandingChange::Ban { reason: "x" },
                    moe_id,
                    now()
                )
                .expect("ban")
        );
        assert_eq!(
            store
                .edit_comment(b2, bea.viewer, "<p>changed</p>", now())
                .expect("store"),
            Err(CommentRefusal::Suspended)
        );
        // A deleted parent kept for its one reply goes when the reply goes.
        let p = post(
            store,
            CommentTarget::Work(work),
            &ada.commenter,
            "<p>parent</p>",
        )
        .expect("p");
        let r = post(
            store,
            CommentTarget::Reply(p),
            &ada.commenter,
            "<p>child</p>",
        )
        .expect("r");
        store
            .delete_comment(p, ada.viewer, now())
            .expect("store")
            .expect("soft");
        store
            .delete_comment(r, ada.viewer, now())
            .expect("store")
            .expect("hard");
        assert!(matches!(
            store.comment_thread(p, Viewer::System).expect("read"),
            Found::NotFound
        ));
        // Standing: not your own, not a fellow moderator's, never an admin's.
        let lift = crate::reports::StandingChange::Lift;
        assert!(!store.set_standing("moe", lift, moe_id, now()).expect("own"));
        assert!(
            !store
                .set_standing("mia", lift, moe_id, now())
                .expect("fellow")
        );
        let boss = root_admin.viewer.user_id().expect("boss");
        assert!(
            store
                .set_standing("mia", lift, boss, now())
                .expect("admin may")
        );
        assert!(
            !store
                .set_standing("boss", lift, moe_id, now())
                .expect("admin")
        );
        let _ = mia;
    });
}

#[test]
fn a_days_comments_count_what_was_received() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, true);
        let uid = ada.viewer.user_id().expect("ada");
        let today = || {
            store
                .creator_daily_stats(uid, None, now().date(), now().date())
                .expect("days")
                .first()
                .map_or(0, |d| d.comments)
        };
        let c = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>held</p>",
        )
        .expect("c");
        assert_eq!(today(), 0, "not received while it waits");
        store
            .moderate_comment(c, ada.viewer, ModerationAction::Approve, now())
            .expect("store")
            .expect("approved");
        assert_eq!(today(), 1);
        for action in [
            ModerationAction::Hide,
            ModerationAction::Unhide,
            ModerationAction::Hide,
            ModerationAction::Unhide,
        ] {
            store
                .moderate_comment(c, moe.viewer, action, now())
                .expect("store")
                .expect("done");
        }
        assert_eq!(today(), 1, "shown again is not received again");
        assert_eq!(count(store, work), 1);
    });
}
