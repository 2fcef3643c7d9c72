//! Comments on both backends: threads, counts, moderation, the rules'
//! refusals, rate limits and what each viewer sees.

use chrono::Duration;
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::comments::{CommentPermission, CommentRefusal, Commenter, Sight, THREADS_PER_PAGE};
use ficus_core::people::Relation;

use super::comment_fixtures::*;
use super::each_backend;
use crate::Found;
use crate::comments::{CommentTarget, ModerationAction, NewComment};

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

/// A page reads a span of the work's threads: threads within it that the
/// viewer may not see (held as spam, unreviewed) and other works' threads
/// posted meanwhile never reach the page, and each thread keeps its own
/// replies.
#[test]
fn a_page_holds_only_its_own_visible_threads() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let other = work_by(store, &ada, CommentPermission::Everyone, false);
        let first = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>first</p>",
        )
        .expect("posted");
        let reply = post(
            store,
            CommentTarget::Reply(first),
            &ada.commenter,
            "<p>reply</p>",
        )
        .expect("posted");
        let held = post_spam(store, work);
        let elsewhere = post(
            store,
            CommentTarget::Work(other),
            &bea.commenter,
            "<p>there</p>",
        )
        .expect("posted");
        let elsewhere_reply = post(
            store,
            CommentTarget::Reply(elsewhere),
            &bea.commenter,
            "<p>there too</p>",
        )
        .expect("posted");
        let last = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>last</p>",
        )
        .expect("posted");
        for viewer in [Viewer::Guest, bea.viewer, ada.viewer] {
            let page = section(store, work, viewer);
            assert_eq!(ids(&page.threads.items), vec![first, last], "{viewer:?}");
            assert_eq!(page.threads.total, 2, "{viewer:?}");
            assert_eq!(ids(&page.threads.items[0].replies), vec![reply]);
            assert!(page.threads.items[1].replies.is_empty());
        }
        let moderated = section(store, work, moe.viewer);
        assert_eq!(ids(&moderated.threads.items), vec![first, held, last]);
        let there = section(store, other, Viewer::Guest);
        assert_eq!(ids(&there.threads.items), vec![elsewhere]);
        assert_eq!(ids(&there.threads.items[0].replies), vec![elsewhere_reply]);
    });
}

/// Posts racing from one guest address, or from one new account, pass the
/// rate limit together no more often than one at a time would: each takes
/// its address's or account's lock first (PostgreSQL's READ COMMITTED
/// would otherwise let every racer count the same earlier comments).
#[test]
fn racing_posts_do_not_pass_the_rate_limit_together() {
    each_backend(|store| {
        store
            .set_setting("comment_rate_limit", "3/900")
            .expect("setting");
        let ada = person(store, "ada", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let newcomer = person(store, "newcomer", Role::User);
        let racers: Vec<Commenter> = (0..8).map(|_| guest("G")).collect();
        for who in [None, Some(&newcomer.commenter)] {
            let passed = std::thread::scope(|scope| {
                let handles: Vec<_> = racers
                    .iter()
                    .enumerate()
                    .map(|(i, g)| {
                        scope.spawn(move || {
                            post_keyed(
                                store,
                                CommentTarget::Work(work),
                                who.unwrap_or(g),
                                &format!("<p>racing {i}</p>"),
                                Some("one address"),
                            )
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("thread"))
                    .filter(Result::is_ok)
                    .count()
            });
            assert_eq!(
                passed,
                3,
                "{}",
                if who.is_some() { "account" } else { "guest" }
            );
        }
    });
}

#[test]
fn the_comments_version_moves_with_every_change_a_thread_shows() {
    // Rendered comment pages are cached under it (ficus-web's
    // comment_cache): a change that does not move it would be shown stale.
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let other = work_by(store, &ada, CommentPermission::Everyone, false);
        let version = |id: i64| {
            store
                .work(id, Viewer::System)
                .expect("read")
                .expect("work")
                .comments_version
        };
        let mut last = version(work);
        let mut moved = |what: &str| {
            let now = version(work);
            assert!(now > last, "{what} moves the comments version");
            last = now;
        };
        let root = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>First!</p>",
        )
        .expect("root");
        moved("a comment posted");
        store
            .edit_comment(root, bea.viewer, "<p>First, and edited.</p>", now())
            .expect("store")
            .expect("edited");
        moved("an edit");
        let reply = post(
            store,
            CommentTarget::Reply(root),
            &guest("Cam"),
            "<p>A guest's reply</p>",
        )
        .expect("reply");
        moved("a reply");
        for action in [
            ModerationAction::Freeze,
            ModerationAction::Unfreeze,
            ModerationAction::Hide,
            ModerationAction::Unhide,
            ModerationAction::Spam,
            ModerationAction::NotSpam,
        ] {
            store
                .moderate_comment(reply, moe.viewer, action, now())
                .expect("store")
                .expect("moderated");
            moved(&format!("{action:?}"));
        }
        let Viewer::User { id: bea_id, .. } = bea.viewer else {
            unreachable!()
        };
        store
            .set_preferences(
                bea_id,
                crate::accounts::Preferences {
                    guest_replies_off: true,
                    ..Default::default()
                },
            )
            .expect("prefs");
        moved("the commenter's guest-replies preference");
        let Commenter::Account { pseud_id, .. } = bea.commenter else {
            unreachable!()
        };
        assert!(
            store
                .update_pseud(bea_id, pseud_id, "Bea Renamed", None)
                .expect("rename")
        );
        moved("the commenter's pseud renamed");
        let mut chapters: Vec<i64> = store
            .chapters_full(work)
            .expect("chapters")
            .iter()
            .map(|c| c.id)
            .collect();
        chapters.reverse();
        assert!(store.reorder_chapters(work, &chapters).expect("reorder"));
        moved("the chapters reordered ('on Chapter N')");
        store
            .delete_comment(reply, moe.viewer, now())
            .expect("store")
            .expect("deleted");
        moved("a comment deleted");
        store.delete_user(bea_id, true).expect("delete account");
        moved("the commenter's account deleted");

        // Another work's comments leave this one's version alone.
        let before = version(work);
        post(
            store,
            CommentTarget::Work(other),
            &ada.commenter,
            "<p>Elsewhere</p>",
        )
        .expect("elsewhere");
        assert_eq!(version(work), before);
    });
}
