//! Storage tests, run on SQLite and (when reachable) PostgreSQL.

use chrono::NaiveDate;
use ficus_core::access::Viewer;
use ficus_core::tag::{Tag, TagName};
use ficus_core::{NewChapter, NewWork, Rating, TagType, WorkOrigin};

use crate::testing::TestStore;
use crate::{InsertOutcome, Store};

const MEMBER: Viewer = Viewer::User {
    id: 1_000_000,
    role: ficus_core::account::Role::User,
};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).expect("valid date")
}

fn tag(kind: TagType, name: &str) -> Tag {
    Tag {
        kind,
        name: TagName::parse(name).expect("valid tag"),
    }
}

fn sample(title: &str, hash: Option<&str>, updated: u32) -> NewWork {
    let mut w = NewWork::new(title, "<p>One two three.</p>", day(1));
    w.updated = day(updated);
    w.summary = Some("<p>A summary.</p>".into());
    w.notes = Some("<p>Notes.</p>".into());
    w.end_notes = Some("<p>End.</p>".into());
    w.language = Some("English".into());
    w.rating = Rating::Mature;
    w.creators = vec!["Alice".into(), "Bob".into()];
    w.tags = vec![
        tag(TagType::ArchiveWarning, "No Archive Warnings Apply"),
        tag(TagType::Category, "F/F"),
        tag(TagType::Fandom, "Harry Potter"),
        tag(TagType::Fandom, "Good Omens"),
        tag(TagType::Relationship, "A/B"),
        tag(TagType::Character, "Zed"),
        tag(TagType::Character, "Amy"),
        tag(TagType::Freeform, "Fluff"),
    ];
    w.chapters.push(NewChapter {
        title: Some("Second".into()),
        notes: Some("<p>ch notes</p>".into()),
        body: "<p>Four <em>five</em> don't-stop.</p>".into(),
        published: Some(day(2)),
        ..NewChapter::default()
    });
    w.expected_chapters = Some(3);
    w.complete = false;
    w.origin = WorkOrigin {
        source_path: Some("/tmp/x.txt".into()),
        source_url: None,
        content_hash: hash.map(str::to_string),
        text_encoding: Some("utf-8".into()),
    };
    w
}

fn each_backend(test: impl Fn(&Store)) {
    for ts in TestStore::all() {
        eprintln!("backend: {}", ts.backend_name());
        test(&ts);
    }
}

#[test]
fn a_work_round_trips_with_every_field() {
    each_backend(|store| {
        let new = sample("Round Trip", Some("h1"), 5);
        let id = match store.insert_work(&new).expect("insert") {
            InsertOutcome::Inserted { id, word_count } => {
                assert_eq!(word_count, 6);
                id
            }
            other => panic!("unexpected {other:?}"),
        };
        let w = store
            .work(id, Viewer::Guest)
            .expect("read")
            .expect("visible");
        assert_eq!(w.title, "Round Trip");
        assert_eq!(w.summary, new.summary);
        assert_eq!(w.notes, new.notes);
        assert_eq!(w.end_notes, new.end_notes);
        assert_eq!(w.language.as_deref(), Some("English"));
        assert_eq!(w.rating, Rating::Mature);
        assert_eq!(w.creators, vec!["Alice", "Bob"]);
        let names: Vec<(TagType, &str)> =
            w.tags.iter().map(|t| (t.kind, t.name.as_str())).collect();
        assert_eq!(
            names,
            vec![
                (TagType::ArchiveWarning, "No Archive Warnings Apply"),
                (TagType::Category, "F/F"),
                (TagType::Fandom, "Harry Potter"),
                (TagType::Fandom, "Good Omens"),
                (TagType::Relationship, "A/B"),
                (TagType::Character, "Zed"),
                (TagType::Character, "Amy"),
                (TagType::Freeform, "Fluff"),
            ],
            "tags keep type order and the creator's order within a type"
        );
        assert_eq!(w.published, day(1));
        assert_eq!(w.updated, day(5));
        assert!(!w.complete);
        assert_eq!(w.expected_chapters, Some(3));
        assert_eq!(w.chapter_count, 2);
        assert_eq!(
            w.word_count,
            3 + 3,
            "sum of chapters: 3 + 'Four five dontstop'"
        );
        assert_eq!(w.origin, new.origin);

        let chapters = chapter_list(store, id).expect("chapters");
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[1].title.as_deref(), Some("Second"));
        assert_eq!(chapters[1].published, day(2));
        assert_eq!(chapters[0].published, day(1));
        let full = store.chapters_full(id).expect("full");
        assert_eq!(full[1].body, "<p>Four <em>five</em> don't-stop.</p>");
        assert_eq!(full[1].notes.as_deref(), Some("<p>ch notes</p>"));
        let one = store
            .chapter(id, chapters[1].id)
            .expect("chapter")
            .expect("exists");
        assert_eq!(one, full[1]);
        assert_eq!(
            store.chapter_work_id(chapters[0].id).expect("lookup"),
            Some(id)
        );
        assert_eq!(
            store.chapter(id + 1000, chapters[0].id).expect("chapter"),
            None
        );
        assert_eq!(store.work(id + 1000, Viewer::Guest).expect("read"), None);
    });
}

#[test]
fn same_content_is_stored_once() {
    each_backend(|store| {
        let first = store
            .insert_work(&sample("Once", Some("same-hash"), 3))
            .expect("first");
        let again = store
            .insert_work(&sample("Once again", Some("same-hash"), 3))
            .expect("second");
        assert_eq!(again, InsertOutcome::AlreadyExists(first.work_id()));
        assert_eq!(store.count_works().expect("count"), 1);
        let no_hash_1 = store
            .insert_work(&sample("No hash", None, 3))
            .expect("no hash");
        let no_hash_2 = store
            .insert_work(&sample("No hash", None, 3))
            .expect("no hash");
        assert_ne!(
            no_hash_1.work_id(),
            no_hash_2.work_id(),
            "works typed in twice are two works"
        );
    });
}

#[test]
fn tags_are_shared_and_case_insensitive_per_type() {
    each_backend(|store| {
        let mut a = sample("A", Some("a"), 3);
        a.tags = vec![
            tag(TagType::Fandom, "Harry Potter"),
            tag(TagType::Freeform, "Harry Potter"),
        ];
        let mut b = sample("B", Some("b"), 4);
        b.tags = vec![tag(TagType::Fandom, "harry   POTTER")];
        let a = store.insert_work(&a).expect("a").work_id();
        let b = store.insert_work(&b).expect("b").work_id();
        let named = store.tags_named("HARRY potter").expect("tags");
        assert_eq!(
            named.len(),
            2,
            "one fandom tag and one freeform tag: {named:?}"
        );
        assert!(
            named.iter().all(|t| t.name == "Harry Potter"),
            "first spelling is kept"
        );
        let fandom = named
            .iter()
            .find(|t| t.kind == TagType::Fandom)
            .expect("fandom");
        let wa = store.work(a, Viewer::Guest).expect("a").expect("a");
        let wb = store.work(b, Viewer::Guest).expect("b").expect("b");
        assert_eq!(
            wa.tags_of(TagType::Fandom).next().map(|t| t.id),
            Some(fandom.id)
        );
        assert_eq!(
            wb.tags_of(TagType::Fandom).next().map(|t| t.id),
            Some(fandom.id)
        );
    });
}

#[test]
fn listings_are_newest_first_paged_and_hide_restricted_from_guests() {
    each_backend(|store| {
        let mut ids = Vec::new();
        for i in 0..25u32 {
            let mut w = sample(&format!("W{i}"), Some(&format!("p{i}")), 1 + i % 28);
            w.restricted = i == 7;
            ids.push(store.insert_work(&w).expect("insert").work_id());
        }
        let p1 = store.list_works(Viewer::Guest, 1, 20).expect("page 1");
        let p2 = store.list_works(Viewer::Guest, 2, 20).expect("page 2");
        assert_eq!(
            p1.total, 24,
            "the restricted work is not counted for guests"
        );
        assert_eq!(p1.items.len(), 20);
        assert_eq!(p2.items.len(), 4);
        assert_eq!(p1.page_count(), 2);
        let listed: Vec<i64> = p1.items.iter().chain(&p2.items).map(|w| w.id).collect();
        let mut expected: Vec<i64> = ids.iter().copied().filter(|id| *id != ids[7]).collect();
        expected.reverse();
        assert_eq!(listed, expected);
        assert!(store.work(ids[7], Viewer::Guest).expect("read").is_none());
        assert!(store.work(ids[7], MEMBER).expect("read").is_some());
        assert_eq!(store.list_works(MEMBER, 1, 20).expect("member").total, 25);
        assert!(
            store
                .list_works(Viewer::Guest, 9, 20)
                .expect("past the end")
                .items
                .is_empty()
        );
    });
}

#[test]
fn invalid_works_store_nothing() {
    each_backend(|store| {
        let mut bad = sample("Bad", Some("bad"), 3);
        bad.chapters[1].body = "  ".into();
        assert!(store.insert_work(&bad).is_err());
        let mut bad_title = sample("", Some("bad2"), 3);
        bad_title.title = "x".repeat(300);
        assert!(store.insert_work(&bad_title).is_err());
        assert_eq!(store.count_works().expect("count"), 0);
        assert!(store.tags_named("Harry Potter").expect("tags").is_empty());
    });
}

#[test]
fn reopening_a_sqlite_archive_keeps_its_works() {
    let dir = ficus_testkit::temp_dir();
    let backend = crate::Backend::in_data_dir(&dir.path().join("nested/data"));
    let id = {
        let store = Store::open(&backend).expect("open");
        store
            .insert_work(&sample("Kept", Some("k"), 3))
            .expect("insert")
            .work_id()
    };
    let store = Store::open(&backend).expect("reopen");
    assert_eq!(
        store
            .work(id, Viewer::Guest)
            .expect("read")
            .map(|w| w.title),
        Some("Kept".into())
    );
}

#[test]
fn html_is_sanitized_on_the_way_in() {
    each_backend(|store| {
        let mut w = sample("XSS", Some("xss"), 3);
        w.summary = Some(r#"<p onclick="x()">S<script>alert(1)</script></p>"#.into());
        w.chapters[0].body = r#"<p>Hi <a href="javascript:alert(1)">x</a><img src=x onerror="alert(1)"></p><blockquote cite="javascript:alert(1)"><p>q</p></blockquote><q cite=" JaVaScRiPt:alert(1)">q</q>"#.into();
        let id = store.insert_work(&w).expect("insert").work_id();
        let stored = store
            .work(id, Viewer::Guest)
            .expect("read")
            .expect("visible");
        assert_eq!(stored.summary.as_deref(), Some("<p>S</p>"));
        let body = &store.chapters_full(id).expect("chapters")[0].body;
        assert!(
            !body.contains("javascript") && !body.contains("onerror") && !body.contains("alert"),
            "{body}"
        );
    });
}

#[test]
fn works_are_listed_by_creator() {
    each_backend(|store| {
        let a = store
            .insert_work(&sample("By Alice", Some("c1"), 3))
            .expect("a")
            .work_id();
        let mut other = sample("By Carol", Some("c2"), 4);
        other.creators = vec!["Carol".into()];
        store.insert_work(&other).expect("c");
        let (id, name) = store
            .creator_for("alice", "alice")
            .expect("lookup")
            .expect("exists");
        assert_eq!(name, "Alice");
        let page = store
            .list_works_by_creator(id, Viewer::Guest, 1, 20)
            .expect("list");
        assert_eq!(page.items.iter().map(|w| w.id).collect::<Vec<_>>(), vec![a]);
        assert_eq!(store.creator_for("nobody", "nobody").expect("lookup"), None);
    });
}

#[test]
fn reading_loads_what_the_work_page_needs_in_one_go() {
    use crate::ChapterChoice;
    each_backend(|store| {
        let id = store
            .insert_work(&sample("Read", Some("r"), 3))
            .expect("insert")
            .work_id();
        let all = store
            .reading(id, Viewer::Guest, ChapterChoice::All)
            .expect("all")
            .expect("visible");
        assert_eq!(all.work.title, "Read");
        assert_eq!(all.chapters.len(), 2);
        assert_eq!(all.texts.len(), 2);
        assert_eq!(all.texts[1].title.as_deref(), Some("Second"));
        let first = store
            .reading(id, Viewer::Guest, ChapterChoice::First)
            .expect("first")
            .expect("visible");
        assert_eq!(first.texts.len(), 1);
        assert_eq!(first.texts[0].position, 1);
        let second_id = all.chapters[1].id;
        let one = store
            .reading(id, Viewer::Guest, ChapterChoice::One(second_id))
            .expect("one")
            .expect("visible");
        assert_eq!(one.texts, vec![all.texts[1].clone()]);
        let none = store
            .reading(id, Viewer::Guest, ChapterChoice::NoText)
            .expect("none")
            .expect("visible");
        assert!(none.texts.is_empty());
        assert_eq!(none.chapters, all.chapters);

        let other = store
            .insert_work(&sample("Other", Some("r2"), 3))
            .expect("insert")
            .work_id();
        let foreign = store
            .reading(other, Viewer::Guest, ChapterChoice::One(second_id))
            .expect("foreign")
            .expect("visible");
        assert!(
            foreign.texts.is_empty(),
            "a chapter of another work is not loaded"
        );
        assert!(
            store
                .reading(99_999, Viewer::Guest, ChapterChoice::All)
                .expect("missing")
                .is_none()
        );

        let mut hidden = sample("Members only", Some("r3"), 3);
        hidden.restricted = true;
        let hidden = store.insert_work(&hidden).expect("insert").work_id();
        assert!(
            store
                .reading(hidden, Viewer::Guest, ChapterChoice::All)
                .expect("guest")
                .is_none()
        );
        assert!(
            store
                .reading(hidden, MEMBER, ChapterChoice::All)
                .expect("member")
                .is_some()
        );
    });
}

#[test]
fn accounts_sessions_and_throttles() {
    use chrono::{Duration, Utc};
    use ficus_core::account::{Login, Role};
    each_backend(|store| {
        let now = Utc::now().naive_utc();
        let ada = store
            .create_user(
                &Login::parse("Ada").expect("login"),
                "ada@example.org",
                "$hash",
                Role::User,
                now,
            )
            .expect("create");
        let taken = store.create_user(
            &Login::parse("ADA").expect("login"),
            "other@example.org",
            "$h",
            Role::User,
            now,
        );
        assert!(
            matches!(taken, Err(crate::StoreError::Taken("user name"))),
            "{taken:?}"
        );
        let taken = store.create_user(
            &Login::parse("bea").expect("login"),
            "ADA@example.org",
            "$h",
            Role::User,
            now,
        );
        assert!(
            matches!(taken, Err(crate::StoreError::Taken("e-mail address"))),
            "{taken:?}"
        );

        let (found, hash) = store
            .user_for_login("ada")
            .expect("lookup")
            .expect("exists");
        assert_eq!(
            (found.id, hash.as_str(), found.role),
            (ada.id, "$hash", Role::User)
        );
        assert!(store.set_role("ADA", Role::Admin).expect("set role"));
        assert!(!store.set_role("nobody", Role::Admin).expect("set role"));
        assert_eq!(
            store
                .user_for_login("ada")
                .expect("lookup")
                .expect("exists")
                .0
                .role,
            Role::Admin
        );

        store
            .create_session("live", ada.id, now, now + Duration::hours(1))
            .expect("session");
        store
            .create_session(
                "old",
                ada.id,
                now - Duration::hours(2),
                now - Duration::hours(1),
            )
            .expect("session");
        assert_eq!(
            store.session_user("live", now).expect("live").map(|u| u.id),
            Some(ada.id)
        );
        assert_eq!(store.session_user("old", now).expect("expired"), None);
        assert_eq!(store.session_user("nope", now).expect("unknown"), None);
        store.delete_session("live").expect("delete");
        assert_eq!(store.session_user("live", now).expect("ended"), None);

        let t = 1_000_000_007;
        assert_eq!(
            store
                .throttle_hit("login:ip:1.2.3.4", 20, t)
                .expect("hit")
                .hits(),
            1
        );
        assert_eq!(
            store
                .throttle_hit("login:ip:1.2.3.4", 20, t + 5)
                .expect("hit")
                .hits(),
            2
        );
        assert_eq!(
            store
                .throttle_hit("login:ip:5.6.7.8", 20, t)
                .expect("hit")
                .hits(),
            1,
            "buckets are separate"
        );
        // t + 20 is 7 s into the next window: 13/20 of the previous window's
        // 2 hits still count (1 + 1.3, rounded up).
        assert_eq!(
            store
                .throttle_hit("login:ip:1.2.3.4", 20, t + 20)
                .expect("hit")
                .hits(),
            3,
            "sliding window"
        );
        assert_eq!(
            store
                .throttle_hit("login:ip:1.2.3.4", 20, t + 60)
                .expect("hit")
                .hits(),
            1,
            "long after"
        );
        // Peeking reads the same estimate without counting.
        let peek = |at| {
            store
                .throttle_peek("login:ip:1.2.3.4", 20, at)
                .expect("peek")
        };
        assert_eq!(peek(t + 60).hits(), 1);
        assert_eq!(peek(t + 60).hits(), 1, "a peek counts nothing");
        assert_eq!(peek(t + 200).hits(), 0);
    });
}

#[test]
fn pseuds_own_works_and_drafts_stay_private() {
    use chrono::Utc;
    use ficus_core::account::{Login, Role};
    each_backend(|store| {
        let now = Utc::now().naive_utc();
        let ada = store
            .create_user(
                &Login::parse("ada").expect("login"),
                "a@example.org",
                "$h",
                Role::User,
                now,
            )
            .expect("ada");
        let bea = store
            .create_user(
                &Login::parse("bea").expect("login"),
                "b@example.org",
                "$h",
                Role::User,
                now,
            )
            .expect("bea");
        let pseuds = store.pseuds_of(ada.id).expect("pseuds");
        assert_eq!(
            pseuds.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
            vec!["ada"]
        );

        let mut draft = sample("Draft", None, 3);
        draft.pseuds = vec![pseuds[0].0];
        draft.creators = vec!["ada".into()]; // an imported "ada" is someone else
        draft.posted = false;
        let id = store.insert_work(&draft).expect("insert").work_id();
        let ada_view = Viewer::User {
            id: ada.id,
            role: Role::User,
        };
        let bea_view = Viewer::User {
            id: bea.id,
            role: Role::User,
        };
        let mine = store
            .work(id, ada_view)
            .expect("read")
            .expect("creators see drafts");
        assert_eq!(mine.owners, vec![ada.id]);
        assert_eq!(
            mine.creators,
            vec!["ada", "ada"],
            "pseud and bare name are two bylines"
        );
        assert!(store.work(id, bea_view).expect("read").is_none());
        assert!(store.work(id, Viewer::Guest).expect("read").is_none());
        assert_eq!(
            store.list_works(ada_view, 1, 20).expect("list").total,
            0,
            "drafts are not listed"
        );
    });
}

#[test]
fn editing_adding_chapters_publishing_and_deleting() {
    each_backend(|store| {
        let mut one = NewWork::new("One", "<p>a b c</p>", day(1));
        one.posted = false;
        one.tags = vec![tag(TagType::Fandom, "Old Fandom")];
        let id = store.insert_work(&one).expect("insert").work_id();

        let mut edited = NewWork::new("One, Edited", "<p>a b c d e</p>", day(1));
        edited.updated = day(4);
        edited.tags = vec![tag(TagType::Fandom, "New Fandom")];
        edited.rating = Rating::Explicit;
        assert!(
            store
                .update_work(id, &edited, &crate::WorkEdit::default())
                .expect("update")
        );
        let w = store
            .work(id, Viewer::System)
            .expect("read")
            .expect("exists");
        assert_eq!(
            (w.title.as_str(), w.word_count, w.rating, w.updated),
            ("One, Edited", 5, Rating::Explicit, day(4))
        );
        assert_eq!(
            w.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            vec!["New Fandom"]
        );
        assert!(!w.posted);

        let ch = NewChapter {
            title: Some("Two".into()),
            body: "<p>f g</p><script>x</script>".into(),
            ..NewChapter::default()
        };
        let cid = store
            .add_chapter(id, &ch, day(6))
            .expect("add")
            .expect("work exists");
        let w = store
            .work(id, Viewer::System)
            .expect("read")
            .expect("exists");
        assert_eq!((w.chapter_count, w.word_count, w.updated), (2, 7, day(6)));
        assert!(
            !store
                .chapter(id, cid)
                .expect("chapter")
                .expect("exists")
                .body
                .contains("script")
        );
        assert_eq!(store.add_chapter(99_999, &ch, day(6)).expect("add"), None);

        assert!(store.publish_work(id, day(7)).expect("publish"));
        assert!(!store.publish_work(id, day(8)).expect("already posted"));
        let w = store
            .work(id, Viewer::Guest)
            .expect("read")
            .expect("now public");
        assert_eq!((w.published, w.updated), (day(7), day(7)));

        assert!(store.delete_work(id).expect("delete"));
        assert!(store.work(id, Viewer::System).expect("read").is_none());
        assert!(chapter_list(store, id).expect("chapters").is_empty());
        assert!(!store.delete_work(id).expect("again"));
    });
}

#[test]
fn old_drafts_are_purged_posted_works_and_new_drafts_stay() {
    each_backend(|store| {
        let mut draft = sample("Old draft", Some("d1"), 3);
        draft.posted = false;
        let old = store.insert_work(&draft).expect("draft").work_id();
        let posted = store
            .insert_work(&sample("Posted", Some("d2"), 3))
            .expect("posted")
            .work_id();
        let now = chrono::Utc::now().naive_utc();
        assert_eq!(
            store
                .purge_drafts(now - chrono::Duration::days(30))
                .expect("purge"),
            0,
            "not old yet"
        );
        assert_eq!(
            store
                .purge_drafts(now + chrono::Duration::seconds(1))
                .expect("purge"),
            1
        );
        assert!(store.work(old, Viewer::System).expect("read").is_none());
        assert!(store.work(posted, Viewer::System).expect("read").is_some());
    });
}

#[test]
fn account_changes_and_deletion() {
    use chrono::{Duration, Utc};
    each_backend(|store| {
        let now = Utc::now().naive_utc();
        let mk = |name: &str| crate::testing::account(store, name);
        let (ada, bea) = (mk("ada"), mk("bea"));
        store
            .create_session("s1", ada.id, now, now + Duration::hours(1))
            .expect("s1");
        store
            .create_session("s2", ada.id, now, now + Duration::hours(1))
            .expect("s2");
        store
            .set_password_hash(ada.id, "$new", Some("s1"))
            .expect("password");
        assert!(
            store.session_user("s1", now).expect("s1").is_some(),
            "the changing session stays"
        );
        assert!(
            store.session_user("s2", now).expect("s2").is_none(),
            "others end"
        );
        assert!(matches!(
            store.set_email(ada.id, "BEA@example.org"),
            Err(crate::StoreError::Taken(_))
        ));
        store.set_email(ada.id, "ada2@example.org").expect("email");
        let prefs = crate::Preferences {
            skip_adult: true,
            full_work: true,
            hide_warnings: false,
            hide_freeforms: true,
            guest_replies_off: true,
            comment_mail: ficus_core::mail::MailPref::Daily,
            kudos_mail: ficus_core::mail::MailPref::Off,
            history: false,
            allow_gifts: true,
            challenge_mail: ficus_core::mail::MailPref::Off,
        };
        assert!(
            store
                .user(ada.id)
                .expect("read")
                .expect("exists")
                .0
                .prefs
                .history,
            "history is on for a new account"
        );
        store.set_preferences(ada.id, prefs).expect("prefs");
        let (me, hash) = store.user(ada.id).expect("read").expect("exists");
        assert_eq!(
            (me.email.as_str(), hash.as_str(), me.prefs),
            ("ada2@example.org", "$new", prefs)
        );

        let ada_pseud = store.pseuds_of(ada.id).expect("pseuds")[0].0;
        let bea_pseud = store.pseuds_of(bea.id).expect("pseuds")[0].0;
        let mut solo = sample("Solo", Some("solo"), 3);
        solo.pseuds = vec![ada_pseud];
        solo.creators = vec![];
        let solo = store.insert_work(&solo).expect("solo").work_id();
        let mut shared = sample("Shared", Some("shared"), 3);
        shared.pseuds = vec![ada_pseud, bea_pseud];
        shared.creators = vec![];
        let shared = store.insert_work(&shared).expect("shared").work_id();

        store.delete_user(ada.id, false).expect("delete");
        assert!(store.user(ada.id).expect("read").is_none());
        assert!(
            store.work(solo, Viewer::System).expect("read").is_none(),
            "sole works are deleted"
        );
        let kept = store
            .work(shared, Viewer::System)
            .expect("read")
            .expect("co-created work stays");
        assert_eq!(kept.creators, vec!["bea"]);
        assert_eq!(kept.owners, vec![bea.id]);

        // Orphaning instead: the works stay under the same name.
        let cy = mk("cyd");
        let cy_pseud = store.pseuds_of(cy.id).expect("pseuds")[0].0;
        let mut w = sample("Cy's", Some("cy"), 3);
        w.pseuds = vec![cy_pseud];
        w.creators = vec![];
        let w = store.insert_work(&w).expect("cy work").work_id();
        store.delete_user(cy.id, true).expect("delete");
        let orphaned = store.work(w, Viewer::System).expect("read").expect("stays");
        assert_eq!(orphaned.creators, vec!["cyd"]);
        assert_ne!(orphaned.owners, vec![cy.id]);
    });
}

#[test]
fn chapters_are_edited_reordered_and_deleted() {
    each_backend(|store| {
        let mut w = NewWork::new("Three", "<p>one</p>", day(1));
        w.expected_chapters = None;
        let id = store.insert_work(&w).expect("insert").work_id();
        for body in ["<p>two two</p>", "<p>three three three</p>"] {
            let ch = NewChapter {
                body: body.into(),
                ..NewChapter::default()
            };
            store
                .add_chapter(id, &ch, day(2))
                .expect("add")
                .expect("work");
        }
        let ids: Vec<i64> = chapter_list(store, id)
            .expect("list")
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(
            store
                .reorder_chapters(id, &[ids[2], ids[0], ids[1]])
                .expect("reorder")
        );
        let order: Vec<i64> = chapter_list(store, id)
            .expect("list")
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(order, vec![ids[2], ids[0], ids[1]]);
        assert!(
            !store
                .reorder_chapters(id, &[ids[0], ids[1]])
                .expect("partial"),
            "every chapter, once"
        );
        assert!(
            !store
                .reorder_chapters(id, &[ids[0], ids[0], ids[1]])
                .expect("dupe")
        );

        let edit = NewChapter {
            title: Some("Renamed".into()),
            body: "<p>a b c d e<script>x</script></p>".into(),
            ..NewChapter::default()
        };
        assert!(store.update_chapter(id, ids[0], &edit).expect("edit"));
        assert!(
            !store
                .update_chapter(id + 1, ids[0], &edit)
                .expect("other work")
        );
        let w = store
            .work(id, Viewer::System)
            .expect("read")
            .expect("exists");
        assert_eq!(w.word_count, 5 + 2 + 3);

        assert!(store.delete_chapter(id, ids[2]).expect("delete"));
        let list = chapter_list(store, id).expect("list");
        assert_eq!(
            list.iter().map(|c| (c.id, c.position)).collect::<Vec<_>>(),
            vec![(ids[0], 1), (ids[1], 2)]
        );
        assert!(store.delete_chapter(id, ids[1]).expect("delete"));
        assert!(
            !store.delete_chapter(id, ids[0]).expect("last"),
            "the last chapter stays"
        );
        let w = store
            .work(id, Viewer::System)
            .expect("read")
            .expect("exists");
        assert_eq!((w.chapter_count, w.word_count), (1, 5));
    });
}

#[test]
fn api_tokens_are_limited_found_by_hash_and_revoked() {
    use chrono::Utc;
    each_backend(|store| {
        let now = Utc::now().naive_utc();
        let user = |name: &str| crate::testing::account(store, name);
        let (ada, bea) = (user("ada"), user("bea"));
        let first = store
            .create_api_token(ada.id, "e-reader", "hash-0", now)
            .expect("token");
        for n in 1..crate::accounts::MAX_API_TOKENS {
            store
                .create_api_token(ada.id, "more", &format!("hash-{n}"), now)
                .expect("token");
        }
        assert!(matches!(
            store.create_api_token(ada.id, "one too many", "hash-x", now),
            Err(crate::StoreError::Limit(_))
        ));
        assert_eq!(
            store.api_tokens(ada.id).expect("list").len() as i64,
            crate::accounts::MAX_API_TOKENS
        );
        let found = store.api_token_user("hash-0", now).expect("lookup");
        assert_eq!(found.map(|u| u.id), Some(ada.id));
        assert!(
            store
                .api_token_user("hash-nope", now)
                .expect("lookup")
                .is_none()
        );
        let listed = store.api_tokens(ada.id).expect("list");
        let used = listed.iter().find(|t| t.id == first).expect("first");
        assert!(
            used.last_used_at
                .is_some_and(|t| (t - now).num_milliseconds().abs() < 1000),
            "use is noted"
        );
        // Only the owner revokes.
        assert!(!store.revoke_api_token(bea.id, first).expect("revoke"));
        assert!(store.revoke_api_token(ada.id, first).expect("revoke"));
        assert!(
            store
                .api_token_user("hash-0", now)
                .expect("lookup")
                .is_none()
        );
        assert!(store.api_tokens(bea.id).expect("list").is_empty());
        // A new password revokes every token.
        store
            .set_password_hash(ada.id, "$new", None)
            .expect("password");
        assert!(store.api_tokens(ada.id).expect("list").is_empty());
        assert!(
            store
                .api_token_user("hash-1", now)
                .expect("lookup")
                .is_none()
        );
    });
}

#[test]
fn series_keep_order_visibility_and_their_creators_apart() {
    each_backend(|store| {
        let by = |title: &str, creator: &str, series: &str, position: u32| {
            let mut w = NewWork::new(title, "<p>Words.</p>", day(1));
            w.creators = vec![creator.into()];
            w.series = vec![(series.into(), position)];
            store.insert_work(&w).expect("insert").work_id()
        };
        let two = by("Two", "Ada", "Drabbles", 2);
        let one = by("One", "Ada", "Drabbles", 1);
        let other = by("Elsewhere", "Bea", "Drabbles", 1);
        let places = store.series_of_works(&[one, two, other]).expect("places");
        let (ada_series, bea_series) = (places[&one][0].series_id, places[&other][0].series_id);
        assert_eq!(places[&two][0].series_id, ada_series);
        assert_ne!(ada_series, bea_series, "two writers' series of one title");
        assert_eq!(places[&two][0].position, 2);
        let series = store
            .series(ada_series, Viewer::Guest)
            .expect("series")
            .expect("visible");
        let titles: Vec<&str> = series.works.iter().map(|(_, w)| w.title.as_str()).collect();
        assert_eq!(titles, ["One", "Two"]);
        assert_eq!(series.creators(), ["Ada"]);
        assert_eq!(series.word_count(), 2);

        // Joining and leaving a series reach the index's change log.
        let head = store.index_log_head().expect("head");
        let third = by("Three", "Ada", "Drabbles", 0);
        assert_eq!(
            store.series_of_works(&[third]).expect("places")[&third][0].position,
            3,
            "0 = at the end"
        );
        assert!(store.remove_from_series(third, ada_series).expect("remove"));
        assert!(store.index_log_head().expect("head") > head + 1);

        // An edit leaves one series and joins another in one transaction.
        let mut moved = NewWork::new("Two", "<p>Words.</p>", day(1));
        moved.creators = vec!["Ada".into()];
        moved.series = vec![("Sketches".into(), 0)];
        assert!(
            store
                .update_work(
                    two,
                    &moved,
                    &crate::WorkEdit {
                        leave_series: vec![ada_series],
                        ..crate::WorkEdit::default()
                    },
                )
                .expect("update")
        );
        let now_in: Vec<(String, i32)> = store.series_of_works(&[two]).expect("places")[&two]
            .iter()
            .map(|p| (p.title.clone(), p.position))
            .collect();
        assert_eq!(now_in, [("Sketches".to_string(), 1)]);
        let left = store
            .series(ada_series, Viewer::Guest)
            .expect("series")
            .expect("still has One");
        assert_eq!(left.works.len(), 1);

        // A restricted work is not shown to guests; a series with nothing
        // visible is not found.
        let mut hidden = NewWork::new("Members", "<p>Words.</p>", day(1));
        hidden.creators = vec!["Cy".into()];
        hidden.restricted = true;
        hidden.series = vec![("Private".into(), 1)];
        let id = store.insert_work(&hidden).expect("insert").work_id();
        let private = store.series_of_works(&[id]).expect("places")[&id][0].series_id;
        assert!(
            store
                .series(private, Viewer::Guest)
                .expect("series")
                .is_none()
        );
        assert!(store.series(private, MEMBER).expect("series").is_some());
        // The last work leaving deletes the series.
        assert!(store.remove_from_series(id, private).expect("remove"));
        assert!(store.series(private, MEMBER).expect("series").is_none());
    });
}

/// A work's chapters in order (the work page's list), read as the archive.
fn chapter_list(store: &Store, id: i64) -> Result<Vec<crate::ChapterSummary>, crate::StoreError> {
    Ok(store
        .reading(id, Viewer::System, crate::ChapterChoice::NoText)?
        .map(|r| r.chapters)
        .unwrap_or_default())
}

#[test]
fn an_added_chapter_is_sanitized_in_every_field() {
    each_backend(|store| {
        let id = store
            .insert_work(&sample("Chapters", None, 1))
            .expect("insert")
            .work_id();
        let hostile =
            r#"<p onclick="x()">N<script>alert(1)</script><a href="javascript:alert(1)">l</a></p>"#;
        let chapter = NewChapter {
            title: Some("Two".into()),
            summary: Some(hostile.into()),
            notes: Some(hostile.into()),
            end_notes: Some(hostile.into()),
            body: hostile.into(),
            ..NewChapter::default()
        };
        let cid = store
            .add_chapter(id, &chapter, day(2))
            .expect("add")
            .expect("work");
        let stored = store.chapter(id, cid).expect("read").expect("chapter");
        let fields = [
            ("summary", stored.summary.unwrap_or_default()),
            ("notes", stored.notes.unwrap_or_default()),
            ("end notes", stored.end_notes.unwrap_or_default()),
            ("body", stored.body),
        ];
        for (name, html) in fields {
            assert_eq!(html, "<p>N<a rel=\"nofollow\">l</a></p>", "{name}");
        }
        // An edit sanitizes the same fields.
        assert!(store.update_chapter(id, cid, &chapter).expect("edit"));
        let stored = store.chapter(id, cid).expect("read").expect("chapter");
        assert_eq!(
            stored.notes.as_deref(),
            Some("<p>N<a rel=\"nofollow\">l</a></p>")
        );
    });
}

#[test]
fn deleting_a_work_deletes_a_series_it_leaves_empty_only() {
    each_backend(|store| {
        let by = |title: &str, series: &str| {
            let mut w = NewWork::new(title, "<p>Words.</p>", day(1));
            w.creators = vec!["Ada".into()];
            w.series = vec![(series.into(), 0)];
            store.insert_work(&w).expect("insert").work_id()
        };
        let alone = by("Alone", "Solo");
        let first = by("First", "Pair");
        let second = by("Second", "Pair");
        let places = store.series_of_works(&[alone, first]).expect("places");
        let (solo, pair) = (places[&alone][0].series_id, places[&first][0].series_id);

        assert!(store.delete_work(alone).expect("delete"));
        assert!(
            store
                .series(solo, Viewer::System)
                .expect("series")
                .is_none()
        );

        assert!(store.delete_work(first).expect("delete"));
        let left = store
            .series(pair, Viewer::System)
            .expect("series")
            .expect("still holds Second");
        assert_eq!(
            left.works.iter().map(|(_, w)| w.id).collect::<Vec<_>>(),
            [second]
        );
        assert!(chapter_list(store, first).expect("chapters").is_empty());
    });
}

mod atomic;
mod bookmarks;
mod collections;
mod comment_fixtures;
mod comments;
mod exchanges;
mod feedback_flow;
mod moderation;
mod parity;
mod readings;
mod subscriptions;

#[test]
fn rows_stored_under_older_rules_are_resanitized() {
    use diesel::prelude::*;

    use crate::schema::{chapters, works};
    each_backend(|store| {
        let id = store
            .insert_work(&sample("Old rules", None, 1))
            .expect("insert")
            .work_id();
        let clean_one = store
            .insert_work(&sample("Clean", None, 1))
            .expect("insert")
            .work_id();
        // What an older sanitizer let through, written behind the store's back.
        let old = r#"<blockquote cite="javascript:alert(1)"><p>One two three.</p></blockquote>"#;
        let write = || -> Result<(), crate::StoreError> {
            with_conn!(store, |conn| {
                diesel::update(works::table.find(id))
                    .set(works::notes.eq(Some(old)))
                    .execute(conn)?;
                diesel::update(chapters::table.filter(chapters::work_id.eq(id)))
                    .set(chapters::body.eq(old))
                    .execute(conn)?;
                Ok(())
            })
        };
        write().expect("raw writes");
        let before = store
            .work(clean_one, Viewer::System)
            .expect("read")
            .expect("work");

        assert_eq!(
            store.resanitize_all().expect("resanitize"),
            3,
            "the work's notes and its two chapters"
        );
        let w = store.work(id, Viewer::System).expect("read").expect("work");
        let chapters = store.chapters_full(id).expect("chapters");
        let mut fields = vec![w.notes.clone().unwrap_or_default()];
        fields.extend(chapters.iter().map(|c| c.body.clone()));
        for html in fields {
            assert_eq!(html, "<blockquote><p>One two three.</p></blockquote>");
        }
        assert_eq!(w.word_count, 6, "the counts follow the rewritten texts");
        let after = store
            .work(clean_one, Viewer::System)
            .expect("read")
            .expect("work");
        assert_eq!(
            after.changed_at, before.changed_at,
            "clean rows are not rewritten"
        );
        assert_eq!(store.resanitize_all().expect("again"), 0);
    });
}

#[test]
fn a_rebuild_reads_the_same_documents_with_the_tag_names_read_once() {
    each_backend(|store| {
        let id_of = |outcome| match outcome {
            InsertOutcome::Inserted { id, .. } => id,
            other => panic!("unexpected {other:?}"),
        };
        let first = id_of(
            store
                .insert_work(&sample("First", Some("n1"), 3))
                .expect("insert"),
        );
        let names = store.tag_names().expect("names");
        // Tags made after the names were read are found all the same.
        let mut later = sample("Later", Some("n2"), 4);
        later
            .tags
            .push(tag(TagType::Freeform, "Made After The Names"));
        later.tags.push(tag(TagType::Character, "Someone New"));
        let second = id_of(store.insert_work(&later).expect("insert"));
        let ids = [first, second, second + 1000];
        let joined = store.index_docs(&ids, true).expect("docs");
        let named = store
            .index_docs_with(&ids, true, Some(&names))
            .expect("docs");
        assert_eq!(joined.len(), 2);
        assert_eq!(format!("{named:?}"), format!("{joined:?}"));
        let tags: Vec<&str> = named[1].work.tags.iter().map(|t| t.name.as_str()).collect();
        assert!(tags.contains(&"Made After The Names"), "{tags:?}");
        assert!(tags.contains(&"Someone New"), "{tags:?}");
    });
}
