//! Reading history and Mark for Later on both backends: batched views add
//! up, the history preference is honoured at write time, "Update
//! available." follows the work's changes, and works the reader may no
//! longer see are placeholders.

use chrono::Duration;
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::bookmarks::ItemSight;
use ficus_core::comments::CommentPermission;

use super::comment_fixtures::*;
use super::each_backend;
use crate::Found;
use crate::readings::ReadingVisit;
use crate::schema::works;

#[test]
fn history_and_marked_for_later() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let bea_id = bea.viewer.user_id().expect("id");
        let cam_id = cam.viewer.user_id().expect("id");
        let first = work_by(store, &ada, CommentPermission::Everyone, false);
        let second = work_by(store, &ada, CommentPermission::Everyone, false);
        let t0 = now() - Duration::minutes(10);
        let visit = |user_id, work_id, at, views| ReadingVisit {
            user_id,
            work_id,
            at,
            views,
            // The work as it is now (posted just before).
            version: now() + Duration::seconds(1),
        };
        // Cam turned history off: his views are dropped at write time.
        let mut prefs = store.user(cam_id).expect("read").expect("cam").0.prefs;
        prefs.history = false;
        store.set_preferences(cam_id, prefs).expect("prefs");
        let written = store
            .record_readings(&[
                visit(bea_id, first, t0, 2),
                visit(bea_id, second, t0 + Duration::minutes(1), 1),
                visit(cam_id, first, t0, 1),
            ])
            .expect("record");
        assert_eq!(written, 2);
        store
            .record_readings(&[visit(bea_id, first, t0 + Duration::minutes(2), 1)])
            .expect("record");
        // A late batch with an older view: counted, but it moves neither
        // the last view nor the version read back.
        store
            .record_readings(&[visit(bea_id, first, t0, 1)])
            .expect("record");
        let page = store.readings(bea_id, bea.viewer, false, 1).expect("list");
        assert_eq!(page.total, 2);
        assert_eq!(page.items[0].work_id, first, "last read first");
        assert_eq!(page.items[0].view_count, 4);
        assert_eq!(
            page.items[0].last_viewed.and_utc().timestamp_micros(),
            (t0 + Duration::minutes(2)).and_utc().timestamp_micros()
        );
        assert!(!page.items[0].update_available);
        assert_eq!(
            store
                .readings(cam_id, cam.viewer, false, 1)
                .expect("list")
                .total,
            0
        );

        // Marked for later, and back.
        assert!(matches!(
            store
                .mark_for_later(bea.viewer, second, true, now())
                .expect("mark"),
            Found::Visible(())
        ));
        assert_eq!(store.reading_of(bea_id, second).expect("read"), Some(true));
        let later = store.readings(bea_id, bea.viewer, true, 1).expect("list");
        assert_eq!(later.total, 1);
        assert_eq!(later.items[0].work_id, second);
        assert!(matches!(
            store
                .mark_for_later(Viewer::Guest, second, true, now())
                .expect("mark"),
            Found::NotFound
        ));

        // The work changes after it was read: "Update available."
        let later_on = now() + Duration::minutes(5);
        let touch = || -> Result<usize, crate::StoreError> {
            Ok(with_conn!(store, |conn| diesel::update(
                works::table.find(first)
            )
            .set(works::updated_at.eq(later_on))
            .execute(conn))?)
        };
        assert_eq!(touch().expect("touch"), 1);
        let page = store.readings(bea_id, bea.viewer, false, 1).expect("list");
        let entry = page
            .items
            .iter()
            .find(|r| r.work_id == first)
            .expect("first");
        assert!(entry.update_available);

        // Hidden since: a placeholder, never the work.
        let moe_id = moe.viewer.user_id().expect("id");
        assert!(
            store
                .set_hidden(second, true, moe_id, "test")
                .expect("hide")
        );
        let page = store.readings(bea_id, bea.viewer, false, 1).expect("list");
        let entry = page
            .items
            .iter()
            .find(|r| r.work_id == second)
            .expect("second");
        assert_eq!(entry.item, ItemSight::Unavailable);
        assert!(entry.work.is_none());

        assert!(store.delete_reading(bea_id, first).expect("delete"));
        assert!(!store.delete_reading(bea_id, first).expect("delete again"));
        assert_eq!(store.clear_readings(bea_id, now()).expect("clear"), 1);
        // A view from before the clearing, still held by a node: dropped.
        store
            .record_readings(&[visit(bea_id, first, now() - Duration::seconds(3), 1)])
            .expect("record");
        assert_eq!(
            store
                .readings(bea_id, bea.viewer, false, 1)
                .expect("list")
                .total,
            0
        );
    });
}

#[test]
fn a_readers_own_relation_to_a_work_is_read_in_one_call() {
    use crate::bookmarks::BookmarkTarget;
    use crate::comments::CommentTarget;
    use crate::subscriptions::SubscriptionKind;
    use ficus_core::bookmarks::BookmarkDraft;
    use ficus_core::mail::SubscriptionMail;
    use ficus_core::people::Relation;

    each_backend(|store| {
        no_rate_limit(store);
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let ada_id = ada.viewer.user_id().expect("id");
        let bea_id = bea.viewer.user_id().expect("id");
        let cam_id = cam.viewer.user_id().expect("id");
        let work = work_by(store, &ada, CommentPermission::Everyone, false);

        let bea_reads = store.reader_of_work(bea_id, work).expect("read");
        assert!(!bea_reads.owner && !bea_reads.blocked && bea_reads.plain_comments);
        assert_eq!(
            (bea_reads.bookmark, bea_reads.marked, bea_reads.subscription),
            (None, false, None)
        );
        assert_eq!(bea_reads.pseuds, vec![(pseud_of(&bea), "bea".to_string())]);
        assert!(store.reader_of_work(ada_id, work).expect("read").owner);
        let bookmark = store
            .create_bookmark(
                bea.viewer,
                Some(pseud_of(&bea)),
                BookmarkTarget::Work(work),
                &BookmarkDraft::parse("", "", false, false).expect("draft"),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        store
            .mark_for_later(bea.viewer, work, true, now())
            .expect("mark");
        let sub = store
            .subscribe(
                bea_id,
                SubscriptionKind::Work,
                work,
                SubscriptionMail::Off,
                now(),
            )
            .expect("subscribe");
        post(store, CommentTarget::Work(work), &bea.commenter, "Lovely.").expect("comment");
        let bea_reads = store.reader_of_work(bea_id, work).expect("read");
        assert_eq!(
            (bea_reads.bookmark, bea_reads.marked, bea_reads.subscription),
            (Some(bookmark), true, Some(sub.id))
        );
        assert!(!bea_reads.plain_comments, "her own comment is on the work");
        // What a work page asks first: the session's account and its
        // relation to the work, in one call.
        store
            .create_session("bea-session", bea_id, now(), now() + Duration::hours(1))
            .expect("session");
        let (user, reader) = store
            .session_reader_of_work("bea-session", now(), work)
            .expect("read");
        assert_eq!(user.map(|u| u.login), Some("bea".to_string()));
        assert_eq!(reader.as_ref(), Some(&bea_reads));
        assert_eq!(
            reader.map(|r| (r.bookmark, r.subscription)),
            Some((Some(bookmark), Some(sub.id))),
            "her relation to this very work"
        );
        assert_eq!(
            store
                .session_reader_of_work("no-such-session", now(), work)
                .expect("read"),
            (None, None)
        );
        assert_eq!(
            store
                .session_reader_of_work("bea-session", now() + Duration::hours(2), work)
                .expect("read"),
            (None, None),
            "an expired session is nobody"
        );

        // Cam is blocked by the work's creator: no kudos button, and his
        // page is his own.
        store
            .set_related(Relation::Block, ada_id, "cam", true, now())
            .expect("store")
            .expect("blocked");
        let cam_reads = store.reader_of_work(cam_id, work).expect("read");
        assert!(cam_reads.blocked && !cam_reads.plain_comments && !cam_reads.owner);

        // A block by someone who is not a creator, or of a creator by the
        // reader: no kudos button lost, but the page is the reader's own.
        let dan = person(store, "dan", Role::User);
        let dan_id = dan.viewer.user_id().expect("id");
        store
            .set_related(Relation::Block, bea_id, "dan", true, now())
            .expect("store")
            .expect("blocked");
        let dan_reads = store.reader_of_work(dan_id, work).expect("read");
        assert!(!dan_reads.blocked && !dan_reads.plain_comments);
        let eve = person(store, "eve", Role::User);
        let eve_id = eve.viewer.user_id().expect("id");
        store
            .set_related(Relation::Block, eve_id, "ada", true, now())
            .expect("store")
            .expect("blocked");
        let eve_reads = store.reader_of_work(eve_id, work).expect("read");
        assert!(!eve_reads.blocked && !eve_reads.plain_comments);

        // A work of two creators: the second one's block counts too.
        let fay = person(store, "fay", Role::User);
        let gus = person(store, "gus", Role::User);
        let gus_id = gus.viewer.user_id().expect("id");
        let mut w = super::sample("Two Hands", None, 3);
        w.pseuds = vec![pseud_of(&ada), pseud_of(&fay)];
        w.creators = vec![];
        let shared = store.insert_work(&w).expect("insert").work_id();
        store
            .set_related(
                Relation::Block,
                fay.viewer.user_id().expect("id"),
                "gus",
                true,
                now(),
            )
            .expect("store")
            .expect("blocked");
        let gus_reads = store.reader_of_work(gus_id, shared).expect("read");
        assert!(gus_reads.blocked && !gus_reads.owner);
        assert!(
            store
                .reader_of_work(fay.viewer.user_id().expect("id"), shared)
                .expect("read")
                .owner
        );
    });
}
