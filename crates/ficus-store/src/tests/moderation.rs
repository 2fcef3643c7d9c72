//! Reports, accounts' standing, creator statistics, and the review's
//! findings about comment bookkeeping, on both backends.

use chrono::Duration;
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::comments::{CommentPermission, CommentRefusal};

use super::comment_fixtures::*;
use super::each_backend;
use crate::Found;
use crate::comments::{CommentTarget, ModerationAction};

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

/// A suspended creator or moderator moderates nothing: no approving,
/// freezing, hiding, marking spam or deleting another's comment until the
/// suspension is lifted.
#[test]
fn suspended_creators_and_moderators_do_not_moderate() {
    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let root = person(store, "root", Role::Admin);
        let root_id = root.viewer.user_id().expect("root");
        let work = work_by(store, &ada, CommentPermission::Everyone, true);
        let waiting = post(
            store,
            CommentTarget::Work(work),
            &bea.commenter,
            "<p>hm</p>",
        )
        .expect("posted");
        let suspend = |login: &str| {
            assert!(
                store
                    .set_standing(
                        login,
                        crate::reports::StandingChange::Suspend {
                            until: now() + Duration::days(2),
                            reason: "test"
                        },
                        root_id,
                        now()
                    )
                    .expect("suspend")
            );
        };
        suspend("ada");
        suspend("moe");
        for (who, action) in [
            (ada.viewer, ModerationAction::Approve),
            (ada.viewer, ModerationAction::Freeze),
            (moe.viewer, ModerationAction::Hide),
            (moe.viewer, ModerationAction::Spam),
        ] {
            assert_eq!(
                store
                    .moderate_comment(waiting, who, action, now())
                    .expect("store"),
                Err(CommentRefusal::Suspended),
                "{action:?}"
            );
        }
        assert_eq!(
            store
                .approve_all_comments(work, ada.viewer, now())
                .expect("store"),
            Err(CommentRefusal::Suspended)
        );
        for who in [ada.viewer, moe.viewer] {
            assert_eq!(
                store.delete_comment(waiting, who, now()).expect("store"),
                Err(CommentRefusal::Suspended),
                "another's comment"
            );
        }
        assert!(
            store
                .set_standing("ada", crate::reports::StandingChange::Lift, root_id, now())
                .expect("lift")
        );
        assert_eq!(
            store
                .approve_all_comments(work, ada.viewer, now())
                .expect("store"),
            Ok(1)
        );
    });
}
