//! Bookmarks on both backends: one per account per work (races too), the
//! public count, tags, and what each viewer sees of a bookmark and its work
//! once the work is restricted, hidden or deleted.

use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::bookmarks::{BookmarkDraft, BookmarkRefusal, ItemSight};
use ficus_core::comments::CommentPermission;

use super::comment_fixtures::*;
use super::each_backend;
use crate::Found;
use crate::bookmarks::BookmarkTarget;
use crate::schema::works;

fn draft(notes: &str, tags: &str, private: bool) -> BookmarkDraft {
    BookmarkDraft::parse(notes, tags, private, false).expect("valid draft")
}

fn pseud(p: &Person) -> i64 {
    pseud_of(p)
}

fn public_count(store: &crate::Store, work: i64) -> i64 {
    store
        .work(work, Viewer::System)
        .expect("read")
        .expect("work")
        .stats
        .bookmarks
}

fn restrict(store: &crate::Store, work: i64) {
    let set = || -> Result<usize, crate::StoreError> {
        Ok(with_conn!(store, |conn| diesel::update(
            works::table.find(work)
        )
        .set(works::restricted.eq(true))
        .execute(conn))?)
    };
    assert_eq!(set().expect("restrict"), 1);
}

#[test]
fn one_bookmark_per_account_and_a_public_count() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let id = store
            .create_bookmark(
                bea.viewer,
                Some(pseud(&bea)),
                BookmarkTarget::Work(work),
                &draft("So good.", "comfort read, Harry Potter", false),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        assert_eq!(public_count(store, work), 1);
        assert_eq!(
            store
                .create_bookmark(
                    bea.viewer,
                    Some(pseud(&bea)),
                    BookmarkTarget::Work(work),
                    &draft("", "", true),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::AlreadyBookmarked)
        );
        assert_eq!(
            store
                .create_bookmark(
                    cam.viewer,
                    Some(pseud(&bea)),
                    BookmarkTarget::Work(work),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::NotYourPseud)
        );
        assert_eq!(
            store
                .create_bookmark(
                    Viewer::Guest,
                    Some(pseud(&bea)),
                    BookmarkTarget::Work(work),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::NotFound)
        );
        // A private bookmark counts nowhere public.
        let cams = store
            .create_bookmark(
                cam.viewer,
                Some(pseud(&cam)),
                BookmarkTarget::Work(work),
                &draft("", "", true),
                now(),
            )
            .expect("store")
            .expect("private");
        assert_eq!(public_count(store, work), 1);
        // Its tags, in order; an existing tag is found by name.
        let Found::Visible(b) = store.bookmark(id, Viewer::Guest).expect("read") else {
            panic!("visible")
        };
        let names: Vec<&str> = b.tags.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(names, vec!["comfort read", "Harry Potter"]);
        assert_eq!(b.item, ItemSight::Shown);
        assert!(b.work().is_some());
        assert_eq!(b.notes, "<p>So good.</p>");
        // Private → public moves the count; only the owner changes it,
        // and a refused edit changes nothing (not even the row's time).
        let Found::Visible(before) = store.bookmark(cams, cam.viewer).expect("read") else {
            panic!("cam's own")
        };
        assert_eq!(
            store
                .update_bookmark(
                    bea.viewer,
                    cams,
                    Some(pseud(&bea)),
                    &draft("", "", false),
                    now() + chrono::Duration::hours(1)
                )
                .expect("store"),
            Err(BookmarkRefusal::NotYours)
        );
        let Found::Visible(after) = store.bookmark(cams, cam.viewer).expect("read") else {
            panic!("cam's own")
        };
        assert_eq!(after.updated_at, before.updated_at);
        store
            .update_bookmark(
                cam.viewer,
                cams,
                Some(pseud(&cam)),
                &draft("", "x", false),
                now(),
            )
            .expect("store")
            .expect("updated");
        assert_eq!(public_count(store, work), 2);
        assert_eq!(
            store.delete_bookmark(bea.viewer, cams).expect("store"),
            Err(BookmarkRefusal::NotYours)
        );
        assert_eq!(
            store.delete_bookmark(cam.viewer, cams).expect("store"),
            Ok(Some(work))
        );
        assert_eq!(public_count(store, work), 1);
        assert_eq!(
            store
                .bookmark_of(cam.viewer.user_id().expect("id"), work)
                .expect("read"),
            None
        );
        // An account deleted: its public bookmark leaves the count.
        assert_eq!(public_count(store, work), 1);
        store
            .delete_user(bea.viewer.user_id().expect("id"), true)
            .expect("delete account");
        assert_eq!(public_count(store, work), 0);
    });
}

#[test]
fn racing_edits_move_the_count_once() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let id = store
            .create_bookmark(
                bea.viewer,
                None,
                BookmarkTarget::Work(work),
                &draft("", "", false),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        assert_eq!(public_count(store, work), 1);
        // Eight "make it private" at once, each with new tags.
        std::thread::scope(|s| {
            for i in 0..8 {
                let bea = &bea;
                s.spawn(move || {
                    store
                        .update_bookmark(
                            bea.viewer,
                            id,
                            None,
                            &draft("", &format!("shared new tag, tag {i}"), true),
                            now(),
                        )
                        .expect("store")
                        .expect("updated");
                });
            }
        });
        assert_eq!(public_count(store, work), 0, "moved once, not eight times");
    });
}

#[test]
fn racing_bookmarks_make_one() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        store
                            .create_bookmark(
                                bea.viewer,
                                None,
                                BookmarkTarget::Work(work),
                                &draft("", "", false),
                                now(),
                            )
                            .expect("store")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(
            results
                .iter()
                .filter(|r| r.is_err())
                .all(|r| *r == Err(BookmarkRefusal::AlreadyBookmarked))
        );
        assert_eq!(public_count(store, work), 1);
    });
}

#[test]
fn who_sees_bookmarks_as_their_works_change() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let moe = person(store, "moe", Role::Moderator);
        let bea_id = bea.viewer.user_id().expect("id");
        let open = work_by(store, &ada, CommentPermission::Everyone, false);
        let later_restricted = work_by(store, &ada, CommentPermission::Everyone, false);
        let later_hidden = work_by(store, &ada, CommentPermission::Everyone, false);
        let later_deleted = work_by(store, &ada, CommentPermission::Everyone, false);
        let mut ids = Vec::new();
        for (work, private) in [
            (open, true),
            (later_restricted, false),
            (later_hidden, false),
            (later_deleted, false),
        ] {
            ids.push(
                store
                    .create_bookmark(
                        bea.viewer,
                        Some(pseud(&bea)),
                        BookmarkTarget::Work(work),
                        &draft("", "", private),
                        now(),
                    )
                    .expect("store")
                    .expect("bookmarked"),
            );
        }
        restrict(store, later_restricted);
        let moe_id = moe.viewer.user_id().expect("id");
        assert!(
            store
                .set_hidden(later_hidden, true, moe_id, "test")
                .expect("hide")
        );
        assert!(store.delete_work(later_deleted).expect("delete"));

        let seen = |viewer: Viewer| {
            let page = store.user_bookmarks(bea_id, viewer, 1).expect("list");
            assert_eq!(page.total as usize, page.items.len(), "exact count");
            page.items
                .iter()
                .map(|b| (b.work_id(), b.item, b.work().is_some()))
                .collect::<Vec<_>>()
        };
        // The owner: everything, newest first; the deleted work a placeholder.
        let own = seen(bea.viewer);
        assert_eq!(own.len(), 4);
        assert_eq!(own[0], (None, ItemSight::Deleted, false));
        assert_eq!(own[1], (Some(later_hidden), ItemSight::Unavailable, false));
        assert_eq!(own[2], (Some(later_restricted), ItemSight::Shown, true));
        assert_eq!(own[3], (Some(open), ItemSight::Shown, true));
        // A guest: not the private one, not the deleted work's; the
        // restricted and hidden works as placeholders, never the work.
        assert_eq!(
            seen(Viewer::Guest),
            vec![
                (Some(later_hidden), ItemSight::Unavailable, false),
                (Some(later_restricted), ItemSight::Unavailable, false),
            ]
        );
        // Another account: the restricted work itself.
        assert_eq!(
            seen(cam.viewer),
            vec![
                (Some(later_hidden), ItemSight::Unavailable, false),
                (Some(later_restricted), ItemSight::Shown, true),
            ]
        );
        // Not even a moderator sees a private bookmark.
        assert_eq!(seen(moe.viewer).len(), 2);
        assert!(matches!(
            store.bookmark(ids[0], moe.viewer).expect("read"),
            Found::NotFound
        ));
        assert!(matches!(
            store.bookmark(ids[0], bea.viewer).expect("read"),
            Found::Visible(_)
        ));
        // One bookmark's own page: a guest logs in for the restricted work.
        assert!(matches!(
            store.bookmark(ids[1], Viewer::Guest).expect("read"),
            Found::LogInFirst
        ));
        assert!(matches!(
            store.bookmark(ids[3], cam.viewer).expect("read"),
            Found::NotFound
        ));
        // A work's bookmarks page follows the work's own access.
        assert!(matches!(
            store
                .work_bookmarks(later_restricted, Viewer::Guest, 1)
                .expect("read"),
            Found::LogInFirst
        ));
        let Found::Visible((_, page)) = store.work_bookmarks(open, cam.viewer, 1).expect("read")
        else {
            panic!("visible")
        };
        assert_eq!(page.total, 0, "a private bookmark is not listed");
    });
}

#[test]
fn a_moderator_hides_a_bookmark() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let moderator = person(store, "mod", Role::Moderator);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        let id = store
            .create_bookmark(
                bea.viewer,
                Some(pseud(&bea)),
                BookmarkTarget::Work(work),
                &draft("Spam spam.", "", false),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        assert_eq!(public_count(store, work), 1);
        let mod_id = moderator.viewer.user_id().expect("account");
        assert!(
            store
                .set_bookmark_hidden(id, true, mod_id, "spam", now())
                .expect("hide")
        );
        // Twice changes nothing more.
        assert!(
            store
                .set_bookmark_hidden(id, true, mod_id, "", now())
                .expect("hide")
        );
        assert_eq!(public_count(store, work), 0);
        assert!(matches!(
            store.bookmark(id, cam.viewer).expect("read"),
            crate::Found::NotFound | crate::Found::LogInFirst
        ));
        assert!(matches!(
            store.bookmark(id, bea.viewer).expect("read"),
            crate::Found::Visible(_)
        ));
        assert!(matches!(
            store.bookmark(id, moderator.viewer).expect("read"),
            crate::Found::Visible(_)
        ));
        let log = store.audit_entries(10).expect("audit");
        assert_eq!(log[0].action, "hide_bookmark");
        assert_eq!(log[0].work_id, Some(work));
        assert_eq!(
            log[0].detail.as_deref(),
            Some(format!("bookmark {id}").as_str())
        );
        assert_eq!(
            log[1].detail.as_deref(),
            Some(format!("bookmark {id}: spam").as_str())
        );
        assert!(
            store
                .set_bookmark_hidden(id, false, mod_id, "", now())
                .expect("unhide")
        );
        assert_eq!(public_count(store, work), 1);
        assert!(matches!(
            store.bookmark(id, cam.viewer).expect("read"),
            crate::Found::Visible(_)
        ));
        assert!(
            !store
                .set_bookmark_hidden(id + 1000, true, mod_id, "", now())
                .expect("none")
        );
    });
}

#[test]
fn bookmarks_of_series_and_external_works() {
    use crate::bookmarks::BookmarkItem;
    use ficus_core::TagType;
    use ficus_core::bookmarks::BookmarkKind;
    use ficus_core::external_works::ExternalWorkForm;

    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        // A series whose only work is for registered users.
        let mut w = super::sample("In A Series", None, 1);
        w.pseuds = vec![pseud(&ada)];
        w.creators = vec![];
        w.restricted = true;
        w.series = vec![("The Long Road".into(), 1)];
        let work = store.insert_work(&w).expect("insert").work_id();
        let series = store.series_of_works(&[work]).expect("places")[&work][0].series_id;

        let bea_series = store
            .create_bookmark(
                bea.viewer,
                None,
                BookmarkTarget::Series(series),
                &draft("A series rec.", "long reads", false),
                now(),
            )
            .expect("store")
            .expect("a member sees the series");
        assert_eq!(
            store
                .create_bookmark(
                    bea.viewer,
                    None,
                    BookmarkTarget::Series(series),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::AlreadyBookmarked),
            "once per account per series"
        );
        // Bookmarking the series is not bookmarking its work.
        store
            .create_bookmark(
                bea.viewer,
                None,
                BookmarkTarget::Work(work),
                &draft("", "", false),
                now(),
            )
            .expect("store")
            .expect("the work too");
        assert_eq!(
            store
                .create_bookmark(
                    Viewer::Guest,
                    None,
                    BookmarkTarget::Series(series),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::NotFound)
        );
        assert_eq!(
            store
                .create_bookmark(
                    bea.viewer,
                    None,
                    BookmarkTarget::Series(series + 1000),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::NotFound),
            "no such series"
        );
        // A member sees the series in the bookmark; a guest a placeholder
        // without the notes' owner-only parts (the page decides those).
        let Found::Visible(b) = store.bookmark(bea_series, cam.viewer).expect("read") else {
            panic!("visible to a member")
        };
        assert_eq!(b.kind, BookmarkKind::Series);
        assert!(matches!(&b.shown, Some(BookmarkItem::Series(s)) if s.title == "The Long Road"));
        assert_eq!(b.item_bookmarks, 1);
        assert_eq!(
            b.item_href().as_deref(),
            Some(&*format!("/series/{series}"))
        );
        let Found::Visible(g) = store.bookmark(bea_series, Viewer::Guest).expect("read") else {
            panic!("the bookmark is public; its series a placeholder")
        };
        assert_eq!(g.item, ItemSight::Unavailable);
        assert!(g.shown.is_none());
        assert_eq!(g.item_title(), "an unavailable series");
        let (_, listed) = store
            .series_bookmarks(series, cam.viewer, 1)
            .expect("read")
            .expect("visible");
        assert_eq!(listed.total, 1);
        assert!(
            store
                .series_bookmarks(series, Viewer::Guest, 1)
                .expect("read")
                .is_none(),
            "a guest cannot see the series"
        );

        // External works: checked details, one row per address.
        let cats = vec!["Gen".to_string()];
        let form = ExternalWorkForm {
            url: "https://Example.org/story/7#part2",
            title: "Elsewhere",
            creator: "Someone Else",
            summary: "Found on an old site.",
            fandoms: "Old Fandom",
            rating: "General Audiences",
            categories: &cats,
            relationships: "",
            characters: "Wanderer",
        };
        let details = form.check().expect("valid");
        let bea_ext = store
            .create_bookmark(
                bea.viewer,
                None,
                BookmarkTarget::External(&details),
                &draft("", "found it", true),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        let other = ExternalWorkForm {
            title: "Another Title Given Later",
            url: "example.org/story/7",
            ..form
        }
        .check()
        .expect("valid");
        assert_eq!(other.url, "http://example.org/story/7", "http differs");
        let same = ExternalWorkForm {
            title: "Another Title Given Later",
            ..form
        }
        .check()
        .expect("valid");
        let cam_ext = store
            .create_bookmark(
                cam.viewer,
                None,
                BookmarkTarget::External(&same),
                &draft("Worth it.", "", false),
                now(),
            )
            .expect("store")
            .expect("bookmarked");
        let Found::Visible(c) = store.bookmark(cam_ext, Viewer::Guest).expect("read") else {
            panic!("a public bookmark of an external work is everyone's to see")
        };
        let Some(BookmarkItem::External(e)) = &c.shown else {
            panic!("the external work")
        };
        assert_eq!(e.url, "https://example.org/story/7");
        assert_eq!(e.title, "Elsewhere", "the first details stand");
        let tags: Vec<(TagType, &str)> = e.tags.iter().map(|t| (t.kind, t.name.as_str())).collect();
        assert_eq!(
            tags,
            vec![
                (TagType::Fandom, "Old Fandom"),
                (TagType::Rating, "General Audiences"),
                (TagType::Category, "Gen"),
                (TagType::Character, "Wanderer"),
            ]
        );
        assert_eq!(c.item_bookmarks, 1, "bea's is private");
        let Found::Visible(mine) = store.bookmark(bea_ext, bea.viewer).expect("read") else {
            panic!("her own private bookmark")
        };
        assert_eq!(mine.item_id, c.item_id, "one external work per address");
        let (_, listed) = store
            .external_work_bookmarks(c.item_id.expect("id"), Viewer::Guest, 1)
            .expect("read")
            .expect("exists");
        assert_eq!(listed.total, 1, "the public one only");
        assert_eq!(
            store
                .create_bookmark(
                    bea.viewer,
                    None,
                    BookmarkTarget::External(&same),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::AlreadyBookmarked)
        );
        // A refused bookmark of a new address leaves no external work.
        let fresh = ExternalWorkForm {
            url: "https://example.net/unsaved",
            ..form
        }
        .check()
        .expect("valid");
        assert_eq!(
            store
                .create_bookmark(
                    bea.viewer,
                    Some(pseud(&cam)),
                    BookmarkTarget::External(&fresh),
                    &draft("", "", false),
                    now()
                )
                .expect("store"),
            Err(BookmarkRefusal::NotYourPseud)
        );
        let count = || -> Result<i64, crate::StoreError> {
            Ok(with_conn!(store, |conn| {
                crate::schema::external_works::table
                    .count()
                    .get_result::<i64>(conn)
            })?)
        };
        assert_eq!(count().expect("count"), 1);

        // Listings hold all three kinds; the account's total is exact.
        let all = store
            .user_bookmarks(id_of(&bea), bea.viewer, 1)
            .expect("read");
        assert_eq!(all.total, 3);
        let kinds: Vec<BookmarkKind> = all.items.iter().map(|b| b.kind).collect();
        assert!(kinds.contains(&BookmarkKind::Series));
        assert!(kinds.contains(&BookmarkKind::ExternalWork));
        let seen = store
            .user_bookmarks(id_of(&bea), Viewer::Guest, 1)
            .expect("read");
        assert_eq!(seen.total, 2, "the private one is hers alone");
        let recent = store.recent_bookmarks(Viewer::Guest, 1).expect("read");
        assert_eq!(recent.total, 3, "bea's two public ones and cam's");
    });
}

fn id_of(p: &Person) -> i64 {
    p.viewer.user_id().expect("an account")
}
