//! What comments set off, on both backends: inbox delivery and counts,
//! held replies, the mail queue.

use chrono::Duration;
use ficus_core::account::Role;
use ficus_core::comments::{CommentPermission, CommentRefusal};
use ficus_core::people::Relation;

use super::comment_fixtures::*;
use super::each_backend;
use crate::Found;
use crate::comments::{CommentTarget, ModerationAction};

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
            .mail_job_failed(&first[0], "refused", t + Duration::seconds(30))
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
        // The node whose lease ran out records nothing; the new holder does.
        assert!(!store.mail_job_done(&again[0], t).expect("done"));
        assert!(!store.mail_job_failed(&again[0], "late", t).expect("failed"));
        assert_eq!(store.mail_backlog().expect("backlog"), (1, 0));
        assert!(store.mail_job_done(&after_death[0], t).expect("done"));
        assert_eq!(store.mail_backlog().expect("backlog"), (0, 0));
        // Spam sends nothing.
        post_spam(store, work);
        assert_eq!(store.mail_backlog().expect("backlog"), (0, 0));
    });
}
