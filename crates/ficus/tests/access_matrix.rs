//! The access-control matrix: every viewer × every kind of work × every
//! view, over HTTP against the real server, on SQLite and PostgreSQL.
//!
//! To cover a new view, add one line to `VIEWS` (or `LISTINGS`); to cover a
//! new kind of work, add a `State` and its row in `expected`.

mod support;

use std::path::Path;

use ficus_store::Backend;
use ficus_store::testing::TestStore;
use ficus_testkit::ServerProcess;
use ficus_web::view::encode_segment;
use support::{Browser, attr, bookmark, signup};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Guest,
    OtherUser,
    Creator,
    CoCreatorPending,
    CoCreatorAccepted,
    Moderator,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Public,
    Restricted,
    Draft,
    Hidden,
    /// In an unrevealed collection: a "Mystery Work".
    Unrevealed,
    /// In an anonymous collection (revealed): its creators unnamed.
    Anonymous,
    Orphaned,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sees {
    Page,
    Login,
    NotFound,
}

/// The rule, written out: what each viewer gets for each kind of work.
fn expected(who: Who, state: State) -> Sees {
    // An accepted co-creator is a creator; a pending one is anyone else.
    let who = match who {
        Who::CoCreatorAccepted => Who::Creator,
        Who::CoCreatorPending => Who::OtherUser,
        w => w,
    };
    match (state, who) {
        (State::Public | State::Orphaned, _) => Sees::Page,
        (State::Restricted, Who::Guest) => Sees::Login,
        (State::Restricted, _) => Sees::Page,
        (State::Draft, Who::Creator) => Sees::Page,
        (State::Draft, _) => Sees::NotFound,
        (State::Hidden | State::Unrevealed, Who::Creator | Who::Admin) => Sees::Page,
        (State::Hidden | State::Unrevealed, _) => Sees::NotFound,
        (State::Anonymous, _) => Sees::Page,
        (State::Deleted, _) => Sees::NotFound,
    }
}

/// What each viewer gets for the page of a bookmark (by `other`, made
/// while the work was still visible) of each kind of work: the bookmark
/// stays, and says a placeholder where the viewer may not see the work;
/// one of a deleted work only its owner sees.
fn bookmark_expected(who: Who, state: State) -> Sees {
    match (state, who) {
        (State::Deleted, Who::OtherUser) => Sees::Page,
        (State::Deleted | State::Draft, _) => Sees::NotFound,
        (State::Restricted, Who::Guest) => Sees::Login,
        _ => Sees::Page,
    }
}

/// Whether `other`'s bookmark of the work is on `/users/other/bookmarks`.
fn bookmark_listed(who: Who, state: State) -> bool {
    match state {
        State::Deleted => who == Who::OtherUser,
        State::Draft => false,
        _ => true,
    }
}

/// Whether a listing (and its count) includes the work.
fn listed(who: Who, state: State, listing: &str) -> bool {
    match state {
        // Orphaned works leave their former creator's page.
        State::Orphaned if listing.contains("/users/creator/") => false,
        // An anonymous work is never listed under its creator's name.
        State::Anonymous if listing.contains("/users/creator/") => false,
        State::Public | State::Orphaned | State::Anonymous => true,
        State::Restricted => who != Who::Guest,
        // A mystery is in no listing, not even its creator's.
        State::Draft | State::Hidden | State::Unrevealed | State::Deleted => false,
    }
}

struct Work {
    state: State,
    id: i64,
    chapter: i64,
    title: String,
    /// A comment by the creator (drafts take none: an id nobody has).
    comment: i64,
    /// A public bookmark by `other` (drafts take none).
    bookmark: i64,
}

/// Stands for the comment of a draft, which cannot have one.
const NO_COMMENT: i64 = 999_999_999;

/// A free-form tag only this work carries (its count and its place in the
/// wrangling queue are views of the work too).
fn own_tag(title: &str) -> String {
    format!("Only {title}")
}

/// A view of one work: its name and how to build its path.
type View = (&'static str, fn(&Work) -> String);

/// Views of one work.
const VIEWS: &[View] = &[
    ("work page", |w| format!("/works/{}?view_adult=true", w.id)),
    ("chapter page", |w| {
        format!("/works/{}/chapters/{}?view_adult=true", w.id, w.chapter)
    }),
    ("entire work", |w| {
        format!("/works/{}?view_full_work=true&view_adult=true", w.id)
    }),
    ("chapter index", |w| format!("/works/{}/navigate", w.id)),
    ("chapter redirect", |w| format!("/chapters/{}", w.chapter)),
    ("API work", |w| format!("/api/v1/works/{}", w.id)),
    ("EPUB download", |w| {
        format!("/downloads/{}/Matrix.epub", w.id)
    }),
    ("PDF download", |w| {
        format!("/downloads/{}/Matrix.pdf", w.id)
    }),
    ("HTML download", |w| {
        format!("/downloads/{}/Matrix.html", w.id)
    }),
    ("TXT download", |w| {
        format!("/downloads/{}/Matrix.txt", w.id)
    }),
    ("API chapter", |w| {
        format!("/api/v1/works/{}/chapters/{}", w.id, w.chapter)
    }),
    ("kudos list", |w| format!("/works/{}/kudos", w.id)),
    ("chapter page comments", |w| {
        format!(
            "/works/{}/chapters/{}?show_comments=true&view_adult=true",
            w.id, w.chapter
        )
    }),
    ("entire work comments", |w| {
        format!(
            "/works/{}?show_comments=true&view_full_work=true&view_adult=true",
            w.id
        )
    }),
    ("chapter comments", |w| {
        format!("/chapters/{}?show_comments=true", w.chapter)
    }),
    ("comment page", |w| format!("/comments/{}", w.comment)),
    ("API work comments", |w| {
        format!("/api/v1/works/{}/comments", w.id)
    }),
    ("API comment page", |w| {
        format!("/api/v1/comments/{}", w.comment)
    }),
    ("API kudos list", |w| {
        format!("/api/v1/works/{}/kudos", w.id)
    }),
];

/// Listings that could include the works.
const LISTINGS: &[&str] = &[
    "/",
    "/works",
    "/tags/Matrix%20Fandom/works",
    "/users/creator/pseuds/creator/works",
    // Through the search index: filters, full text, and field syntax.
    "/works?work_search%5Bother_tag_names%5D=Matrix%20Fandom&work_search%5Bsort_column%5D=title_to_sort_on",
    "/works/search?work_search%5Bquery%5D=chapter",
    "/works/search?work_search%5Bquery%5D=fandom%3A%22Matrix%20Fandom%22%20sort%3Akudos",
];

/// API listings (JSON) that could include the works.
const API_LISTINGS: &[&str] = &[
    "/api/v1/works",
    "/api/v1/tags/Matrix%20Fandom/works",
    "/api/v1/users/creator/works",
    "/api/v1/works/search?q=chapter",
    "/api/v1/works?tags=Matrix%20Fandom&sort=title&direction=asc",
];

fn outcome(status: u16, location: Option<&str>, api: bool) -> Sees {
    match status {
        200 | 301 | 308 => Sees::Page,
        303 if location.is_some_and(|l| l.starts_with("/users/login")) => Sees::Login,
        404 => Sees::NotFound,
        // The API has no log-in page: restricted works are simply not found for guests.
        other => panic!("unexpected status {other} (api: {api})"),
    }
}

fn post_work(
    b: &mut Browser,
    server: &ServerProcess,
    title: &str,
    restricted: bool,
    draft: bool,
) -> Work {
    let form = b.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let own_tag = own_tag(title);
    let mut fields = vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud.as_str()),
        ("work[rating_string]", "Explicit"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Matrix Fandom"),
        ("work[freeform_string]", &own_tag),
        (
            "work[chapter_attributes][content]",
            "<p>Chapter one text.</p>",
        ),
        ("work[wip_length]", "?"),
        ("work[co_creator_logins]", "pending, accepted"),
    ];
    if restricted {
        fields.push(("work[restricted]", "1"));
    }
    fields.push(if draft {
        ("save_button", "Save As Draft")
    } else {
        ("post_button", "Post")
    });
    let resp = b.submit(server, "/works", &fields);
    assert_eq!(resp.status(), 303, "posting {title}");
    let id: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    let resp = b.submit(
        server,
        &format!("/works/{id}/chapters"),
        &[("chapter[content]", "<p>Chapter two text.</p>")],
    );
    assert_eq!(resp.status(), 303, "adding a chapter to {title}");
    let chapter: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .rsplit('/')
        .next()
        .expect("id")
        .parse()
        .expect("id");
    let state = match (restricted, draft) {
        (true, _) => State::Restricted,
        (_, true) => State::Draft,
        _ => State::Public,
    };
    let comment = if draft {
        NO_COMMENT
    } else {
        let resp = b.submit(
            server,
            &format!("/works/{id}/comments"),
            &[(
                "comment[comment_content]",
                &format!("Matrix comment on {title}"),
            )],
        );
        assert_eq!(resp.status(), 303, "commenting on {title}");
        resp.headers()["location"]
            .to_str()
            .expect("ascii")
            .trim_start_matches("/comments/")
            .split('?')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("comment id")
    };
    Work {
        state,
        id,
        chapter,
        title: title.to_string(),
        comment,
        bookmark: NO_COMMENT,
    }
}

fn run_matrix(server: &ServerProcess, admin_cli: impl Fn(&[&str])) {
    let mut creator = Browser::new();
    assert_eq!(signup(&mut creator, server, "creator").status(), 303);
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, server, "other").status(), 303);
    let mut pending = Browser::new();
    assert_eq!(signup(&mut pending, server, "pending").status(), 303);
    let mut accepted = Browser::new();
    assert_eq!(signup(&mut accepted, server, "accepted").status(), 303);
    let mut admin = Browser::new();
    assert_eq!(signup(&mut admin, server, "boss").status(), 303);
    admin_cli(&["admin", "set-role", "boss", "admin"]);
    let mut moderator = Browser::new();
    assert_eq!(signup(&mut moderator, server, "mod").status(), 303);
    admin_cli(&["admin", "set-role", "mod", "moderator"]);

    let mut works = vec![
        post_work(&mut creator, server, "Matrix Public", false, false),
        post_work(&mut creator, server, "Matrix Restricted", true, false),
        post_work(&mut creator, server, "Matrix Draft", false, true),
    ];
    for work in works.iter_mut().filter(|w| w.state != State::Draft) {
        work.bookmark = bookmark(&mut other, server, work.id, false);
    }
    // A private bookmark: its owner's alone.
    let private_bookmark = bookmark(&mut pending, server, works[0].id, true);
    // Hidden by a moderator, with a reason in the audit log; others may not.
    let mut hidden = post_work(&mut creator, server, "Matrix Hidden", false, false);
    hidden.bookmark = bookmark(&mut other, server, hidden.id, false);
    assert_eq!(
        other
            .submit(
                server,
                &format!("/works/{}/hide", hidden.id),
                &[("reason", "x")]
            )
            .status(),
        403
    );
    assert_eq!(
        creator
            .submit(
                server,
                &format!("/works/{}/hide", hidden.id),
                &[("reason", "x")]
            )
            .status(),
        403
    );
    assert_eq!(
        moderator
            .post(
                &server.url(&format!("/works/{}/hide", hidden.id)),
                &[("reason", "x")]
            )
            .status(),
        403,
        "CSRF"
    );
    assert_eq!(
        moderator
            .submit(
                server,
                &format!("/works/{}/hide", hidden.id),
                &[("reason", "spam")]
            )
            .status(),
        303
    );
    hidden.state = State::Hidden;
    works.push(hidden);
    let log = admin.page(&server.url("/admin/audit"));
    assert!(support::text(&log, "table.audit tr.hide_work").contains("spam"));
    assert!(support::text(&log, "table.audit tr.hide_work").contains("mod"));
    assert_eq!(other.get(&server.url("/admin/audit")).status(), 403);
    assert_eq!(
        Browser::new().get(&server.url("/admin/audit")).status(),
        404
    );

    // In collections: an unrevealed one (a mystery) and an anonymous one.
    for (name, setting) in [
        ("Matrix_Mystery", "unrevealed"),
        ("Matrix_Anon", "anonymous"),
    ] {
        let field = format!("collection[collection_preference_attributes][{setting}]");
        let resp = creator.submit(
            server,
            "/collections",
            &[
                ("collection[name]", name),
                ("collection[title]", name),
                (field.as_str(), "1"),
            ],
        );
        assert_eq!(resp.status(), 303, "collection {name}");
    }
    for (title, collection, state) in [
        ("Matrix Unrevealed", "Matrix_Mystery", State::Unrevealed),
        ("Matrix Anonymous", "Matrix_Anon", State::Anonymous),
    ] {
        let mut work = post_work(&mut creator, server, title, false, false);
        work.bookmark = bookmark(&mut other, server, work.id, false);
        let resp = creator.submit(
            server,
            "/collection_items",
            &[
                ("work_id", &work.id.to_string()),
                ("collection_names", collection),
            ],
        );
        assert_eq!(resp.status(), 303, "{title} into {collection}");
        work.state = state;
        works.push(work);
    }

    // Orphaned: it stays, but its former creator can no longer change it.
    let mut orphaned = post_work(&mut creator, server, "Matrix Orphaned", false, false);
    orphaned.bookmark = bookmark(&mut other, server, orphaned.id, false);
    assert_eq!(
        other
            .submit(
                server,
                &format!("/works/{}/orphan", orphaned.id),
                &[("use_default", "keep")]
            )
            .status(),
        403
    );
    assert_eq!(
        creator
            .submit(
                server,
                &format!("/works/{}/orphan", orphaned.id),
                &[("use_default", "keep")]
            )
            .status(),
        303
    );
    assert_eq!(
        creator
            .get(&server.url(&format!("/works/{}/edit", orphaned.id)))
            .status(),
        403
    );
    let page = creator.page(&server.url(&format!("/works/{}?view_adult=true", orphaned.id)));
    assert_eq!(
        support::text(&page, "h3.byline.heading a[rel=author]"),
        "creator",
        "the pseud's name stays"
    );
    let orphans = Browser::new()
        .get(&server.url("/users/orphan_account/pseuds/creator/works"))
        .text()
        .expect("body");
    assert!(
        orphans.contains(&format!("id=\"work_{}\"", orphaned.id)),
        "listed under the orphan account"
    );
    orphaned.state = State::Orphaned;
    works.push(orphaned);

    let mut deleted = post_work(&mut creator, server, "Matrix Deleted", false, false);
    deleted.bookmark = bookmark(&mut other, server, deleted.id, false);
    assert_eq!(
        creator
            .submit(server, &format!("/works/{}/delete", deleted.id), &[])
            .status(),
        303
    );
    deleted.state = State::Deleted;
    works.push(deleted);

    // Invitations: "accepted" accepts every one (the deleted work's went
    // with it), "pending" never answers.
    let invitations = accepted.page(&server.url("/users/accepted/creatorships"));
    assert_eq!(
        support::count(&invitations, "ul.creatorships li"),
        works.len() - 1
    );
    assert_eq!(
        pending
            .get(&server.url("/users/accepted/creatorships"))
            .status(),
        403
    );
    for work in works.iter().filter(|w| w.state != State::Deleted) {
        let resp = accepted.submit(
            server,
            &format!("/creatorships/{}", work.id),
            &[("answer", "accept")],
        );
        assert_eq!(resp.status(), 303);
    }
    assert_eq!(
        accepted
            .submit(
                server,
                &format!("/creatorships/{}", works[0].id),
                &[("answer", "accept")]
            )
            .status(),
        404,
        "answered already"
    );
    let byline = support::text(
        &Browser::new().page(&server.url(&format!("/works/{}?view_adult=true", works[0].id))),
        "h3.byline.heading",
    );
    assert!(
        byline.contains("creator") && byline.contains("accepted") && !byline.contains("pending"),
        "{byline}"
    );
    // An edit by the first creator keeps the co-creator on the byline.
    let mut edit = vec![
        ("work[title]", "Matrix Public"),
        ("work[rating_string]", "Explicit"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Matrix Fandom"),
        ("work[freeform_string]", "Only Matrix Public"),
        (
            "work[chapter_attributes][content]",
            "<p>Chapter one text.</p>",
        ),
        ("work[wip_length]", "?"),
        ("post_button", "Update"),
    ];
    let form = creator.page(&server.url(&format!("/works/{}/edit", works[0].id)));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    edit.push(("work[pseud_ids][]", &pseud));
    assert_eq!(
        creator
            .submit(server, &format!("/works/{}/edit", works[0].id), &edit)
            .status(),
        303
    );
    let byline = support::text(
        &Browser::new().page(&server.url(&format!("/works/{}?view_adult=true", works[0].id))),
        "h3.byline.heading",
    );
    assert!(
        byline.contains("creator") && byline.contains("accepted"),
        "after the edit: {byline}"
    );

    let mut guest = Browser::new();
    let mut viewers: Vec<(Who, &mut Browser)> = vec![
        (Who::Guest, &mut guest),
        (Who::OtherUser, &mut other),
        (Who::Creator, &mut creator),
        (Who::CoCreatorPending, &mut pending),
        (Who::CoCreatorAccepted, &mut accepted),
        (Who::Moderator, &mut moderator),
        (Who::Admin, &mut admin),
    ];
    let mut checked = 0;
    for (who, browser) in viewers.iter_mut() {
        for work in &works {
            for (view, path) in VIEWS {
                let path = path(work);
                let resp = browser.get(&server.url(&path));
                let status = resp.status().as_u16();
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_string);
                let api = path.starts_with("/api/");
                let got = outcome(status, location.as_deref(), api);
                let mut want = expected(*who, work.state);
                if api && want == Sees::Login {
                    want = Sees::NotFound;
                }
                if view.ends_with("comment page") && work.state == State::Draft {
                    want = Sees::NotFound;
                }
                assert_eq!(got, want, "{who:?} × {:?} × {view} ({path})", work.state);
                if got == Sees::Page && status == 200 {
                    let body = resp.bytes().expect("body");
                    let shows = if view.starts_with("EPUB") {
                        body.starts_with(b"PK")
                    } else if view.starts_with("PDF") {
                        body.starts_with(b"%PDF-")
                    } else if view.contains("comment") {
                        let body = String::from_utf8_lossy(&body);
                        body.contains(&work.title)
                            && (work.state == State::Draft
                                || body.contains(&format!("Matrix comment on {}", work.title)))
                    } else {
                        String::from_utf8_lossy(&body).contains(&work.title)
                    };
                    // An anonymous work names none of its creators to
                    // others (their own pages link their dashboards).
                    if work.state == State::Anonymous
                        && !matches!(who, Who::Creator | Who::CoCreatorAccepted)
                        && !view.starts_with("EPUB")
                        && !view.starts_with("PDF")
                    {
                        let body = String::from_utf8_lossy(&body);
                        assert!(
                            !body.contains("/users/creator") && !body.contains("/users/accepted"),
                            "{who:?} × {view}: an anonymous work names its creator"
                        );
                    }
                    assert!(
                        shows || view.contains("chapter"),
                        "{who:?} × {view}: the page shows the work"
                    );
                }
                checked += 1;
            }
        }
        for listing in LISTINGS {
            let body = browser.get(&server.url(listing)).text().expect("body");
            let mut visible = 0;
            for work in &works {
                let shown = body.contains(&format!("id=\"work_{}\"", work.id));
                assert_eq!(
                    shown,
                    listed(*who, work.state, listing),
                    "{who:?} × {:?} in {listing}",
                    work.state
                );
                visible += usize::from(shown);
                checked += 1;
            }
            if listing.starts_with("/works/search") {
                assert!(
                    body.contains(&format!("{visible} Found")),
                    "{who:?}: the count on {listing} is exactly what is shown ({visible})"
                );
            } else if *listing != "/" {
                assert!(
                    body.contains(&format!(" of {visible} Works")),
                    "{who:?}: the count on {listing} is exactly what is shown ({visible})"
                );
            }
        }
        for listing in API_LISTINGS {
            let resp = browser.get(&server.url(listing));
            assert_eq!(resp.status(), 200, "{who:?}: {listing}");
            let body: serde_json::Value =
                serde_json::from_str(&resp.text().expect("body")).expect("JSON listing");
            let ids: Vec<i64> = body["works"]
                .as_array()
                .expect("works")
                .iter()
                .filter_map(|w| w["id"].as_i64())
                .collect();
            let mut visible = 0;
            for work in &works {
                let shown = ids.contains(&work.id);
                assert_eq!(
                    shown,
                    listed(*who, work.state, listing),
                    "{who:?} × {:?} in {listing}",
                    work.state
                );
                visible += u64::from(shown);
                checked += 1;
            }
            assert_eq!(
                body["total"].as_u64(),
                Some(visible),
                "{who:?}: the total of {listing} is exactly what is shown"
            );
        }
        // Bookmarks: a bookmark's own page, a work's bookmarks, and the
        // bookmarker's list (count exact), the work never shown to those
        // who may not see it.
        let list = browser
            .get(&server.url("/users/other/bookmarks"))
            .text()
            .expect("body");
        let mut listed_here = 0;
        for work in &works {
            let sees_work = expected(*who, work.state) == Sees::Page;
            if work.bookmark != NO_COMMENT {
                let path = format!("/bookmarks/{}", work.bookmark);
                let resp = browser.get(&server.url(&path));
                let status = resp.status().as_u16();
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_string);
                let got = outcome(status, location.as_deref(), false);
                assert_eq!(
                    got,
                    bookmark_expected(*who, work.state),
                    "{who:?} × {:?} × bookmark page ({path})",
                    work.state
                );
                if status == 200 {
                    let body = resp.text().expect("body");
                    assert_eq!(
                        body.contains(&work.title),
                        sees_work,
                        "{who:?} × {:?}: the bookmark page shows the work only to those who may see it",
                        work.state
                    );
                }
                let shown = list.contains(&format!("id=\"bookmark_{}\"", work.bookmark));
                assert_eq!(
                    shown,
                    bookmark_listed(*who, work.state),
                    "{who:?} × {:?} on /users/other/bookmarks",
                    work.state
                );
                listed_here += usize::from(shown);
                checked += 2;
            }
            let path = format!("/works/{}/bookmarks", work.id);
            let resp = browser.get(&server.url(&path));
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_string);
            // A work's bookmarks follow the work's own access (a draft's
            // creator sees its empty list).
            assert_eq!(
                outcome(status, location.as_deref(), false),
                expected(*who, work.state),
                "{who:?} × {:?} × work bookmarks ({path})",
                work.state
            );
            if status == 200 {
                let body = resp.text().expect("body");
                assert!(
                    work.bookmark == NO_COMMENT
                        || body.contains(&format!("id=\"bookmark_{}\"", work.bookmark)),
                    "{who:?} × {:?}: the work's bookmarks list the bookmark",
                    work.state
                );
                assert!(
                    !body.contains(&format!("id=\"bookmark_{private_bookmark}\"")),
                    "{who:?}: a private bookmark is never on a work's list"
                );
            }
            checked += 1;
        }
        // The archive's latest bookmarks: the same, but never a deleted
        // work's (not even for its owner) nor a private one.
        let latest = browser.get(&server.url("/bookmarks")).text().expect("body");
        let mut latest_here = 0;
        for work in works.iter().filter(|w| w.bookmark != NO_COMMENT) {
            let shown = latest.contains(&format!("id=\"bookmark_{}\"", work.bookmark));
            assert_eq!(
                shown,
                !matches!(work.state, State::Deleted | State::Draft),
                "{who:?} × {:?} on /bookmarks",
                work.state
            );
            assert!(
                !shown
                    || latest.contains(&work.title) == (expected(*who, work.state) == Sees::Page),
                "{who:?} × {:?}: /bookmarks shows the work only to those who may see it",
                work.state
            );
            latest_here += usize::from(shown);
            checked += 1;
        }
        assert!(
            !latest.contains(&format!("id=\"bookmark_{private_bookmark}\"")),
            "{who:?}: a private bookmark is never on /bookmarks"
        );
        let noun = if latest_here == 1 {
            "Bookmark"
        } else {
            "Bookmarks"
        };
        assert!(
            latest.contains(&format!("{latest_here} {noun}")),
            "{who:?}: the count of /bookmarks is what is shown ({latest_here})"
        );
        let noun = if listed_here == 1 {
            "Bookmark"
        } else {
            "Bookmarks"
        };
        assert!(
            list.contains(&format!("{listed_here} {noun} by other")),
            "{who:?}: the count of /users/other/bookmarks is what is shown ({listed_here})"
        );
        // Pages that are one account's alone: its history, subscriptions
        // and their updates.
        for own_page in [
            "/users/other/readings",
            "/users/other/readings?show=to-read",
            "/users/other/subscriptions",
            "/users/other/inbox/updates",
        ] {
            let resp = browser.get(&server.url(own_page));
            let status = resp.status().as_u16();
            let want = match who {
                Who::Guest => 303,
                Who::OtherUser => 200,
                _ => 403,
            };
            assert_eq!(status, want, "{who:?} × {own_page}");
            checked += 1;
        }
        let privately = browser
            .get(&server.url("/users/pending/bookmarks"))
            .text()
            .expect("body");
        let own = *who == Who::CoCreatorPending;
        assert_eq!(
            privately.contains(&format!("id=\"bookmark_{private_bookmark}\"")),
            own,
            "{who:?}: a private bookmark is its owner's alone"
        );
        assert_eq!(
            browser
                .get(&server.url(&format!("/bookmarks/{private_bookmark}")))
                .status()
                .as_u16(),
            if own { 200 } else { 404 },
            "{who:?}: a private bookmark's page"
        );
        checked += 2;
        // Each work's own tag: its use count (page and API) counts the work
        // only where listings show it.
        for work in &works {
            let tag = encode_segment(&own_tag(&work.title));
            let want = listed(*who, work.state, "tag");
            let page = browser.page(&server.url(&format!("/tags/{tag}")));
            let uses = support::text(&page, "p.uses");
            let expected = if want {
                "1 work uses this tag itself."
            } else {
                "0 works use this tag itself."
            };
            assert_eq!(uses, expected, "{who:?} × {:?}: tag page count", work.state);
            let api: serde_json::Value = serde_json::from_str(
                &browser
                    .get(&server.url(&format!("/api/v1/tags/{tag}")))
                    .text()
                    .expect("body"),
            )
            .expect("JSON tag");
            assert_eq!(
                api["direct_uses"].as_i64(),
                Some(i64::from(want)),
                "{who:?} × {:?}: API direct_uses",
                work.state
            );
            checked += 2;
        }
        // The wrangling queue (moderators and admins wrangle) lists a tag
        // only for works a logged-in account's listings show.
        if matches!(who, Who::Moderator | Who::Admin) {
            let queue = support::text(&browser.page(&server.url("/tag_wranglers")), "table");
            for work in &works {
                assert_eq!(
                    queue.contains(&own_tag(&work.title)),
                    listed(Who::OtherUser, work.state, "queue"),
                    "{who:?} × {:?}: wrangling queue",
                    work.state
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 7 * 6 * (VIEWS.len() + LISTINGS.len() + API_LISTINGS.len() + 2));
}

fn matrix_on(storage: Vec<String>) {
    let server = support::serve_storage(&storage);
    run_matrix(&server, |args| {
        support::cli(&storage, args);
    });
}

#[test]
fn access_matrix_on_sqlite() {
    let dir = ficus_testkit::temp_dir();
    let data: &Path = dir.path();
    matrix_on(vec!["--data-dir".into(), data.display().to_string()]);
}

#[test]
fn access_matrix_on_postgres() {
    let Some(db) = TestStore::postgres() else {
        return;
    };
    let Backend::Postgres(url) = db.backend.clone() else {
        panic!("postgres")
    };
    matrix_on(vec!["--database".into(), url]);
}
