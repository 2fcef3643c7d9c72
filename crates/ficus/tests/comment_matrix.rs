//! The comment access matrix: every viewer × every comment state × every
//! view that shows comments (and the inboxes), over HTTP against the real server, on SQLite
//! and PostgreSQL. (Work states × these views are rows of
//! `access_matrix.rs`.)
//!
//! To cover a new view, add a line to `VIEWS`; a new state, a `State`,
//! how to make it in `make`, and its row in `expected`.

mod support;

use std::path::Path;

use ficus_store::Backend;
use ficus_store::testing::TestStore;
use ficus_testkit::ServerProcess;
use support::{Browser, attr, count, signup, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Guest,
    Reader,
    /// The comment's author.
    Author,
    /// The work's creator.
    Creator,
    /// An account that blocked the comment's author.
    Blocker,
    Moderator,
    Admin,
}

const EVERYONE: [Who; 7] = [
    Who::Guest,
    Who::Reader,
    Who::Author,
    Who::Creator,
    Who::Blocker,
    Who::Moderator,
    Who::Admin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Visible,
    Unreviewed,
    Hidden,
    /// Deleted while it had a reply: kept as a placeholder.
    Deleted,
    Frozen,
    Spam,
}

const STATES: [State; 6] = [
    State::Visible,
    State::Unreviewed,
    State::Hidden,
    State::Deleted,
    State::Frozen,
    State::Spam,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sees {
    /// The comment and its text.
    Text,
    /// Its place in the thread, without its text.
    Placeholder,
    /// Nothing of it.
    Nothing,
}

/// The rule, written out.
fn expected(who: Who, state: State) -> Sees {
    let staff = matches!(who, Who::Moderator | Who::Admin);
    match state {
        State::Visible | State::Frozen if who == Who::Blocker => Sees::Placeholder,
        State::Visible | State::Frozen => Sees::Text,
        State::Unreviewed if staff || matches!(who, Who::Author | Who::Creator) => Sees::Text,
        State::Unreviewed => Sees::Nothing,
        State::Hidden if staff || who == Who::Author => Sees::Text,
        State::Hidden => Sees::Placeholder,
        State::Deleted => Sees::Placeholder,
        State::Spam if staff => Sees::Text,
        State::Spam => Sees::Nothing,
    }
}

struct Setup {
    work: i64,
    chapter: i64,
    /// (state, comment id, its unique text)
    comments: Vec<(State, i64, String)>,
}

type View = (&'static str, fn(&Setup, i64) -> String);

const VIEWS: &[View] = &[
    ("work page", |s, _| {
        format!("/works/{}?show_comments=true&view_adult=true", s.work)
    }),
    ("entire work", |s, _| {
        format!(
            "/works/{}?show_comments=true&view_full_work=true&view_adult=true",
            s.work
        )
    }),
    ("chapter page", |s, _| {
        format!(
            "/works/{}/chapters/{}?show_comments=true&view_adult=true",
            s.work, s.chapter
        )
    }),
    ("comment page", |_, id| format!("/comments/{id}")),
    ("API work comments", |s, _| {
        format!("/api/v1/works/{}/comments", s.work)
    }),
    ("API comment", |_, id| format!("/api/v1/comments/{id}")),
];

fn new_id(resp: reqwest::blocking::Response) -> i64 {
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().expect("ascii");
    location
        .trim_start_matches("/comments/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{location}"))
}

fn run(server: &ServerProcess, admin: impl Fn(&[&str])) {
    let mut browsers: Vec<(Who, Browser)> = Vec::new();
    for (who, login) in [
        (Who::Reader, "reader"),
        (Who::Author, "author"),
        (Who::Creator, "creator"),
        (Who::Blocker, "blocker"),
        (Who::Moderator, "mod"),
        (Who::Admin, "boss"),
    ] {
        let mut b = Browser::new();
        assert_eq!(signup(&mut b, server, login).status(), 303);
        browsers.push((who, b));
    }
    browsers.push((Who::Guest, Browser::new()));
    admin(&["admin", "set-role", "mod", "moderator"]);
    admin(&["admin", "set-role", "boss", "admin"]);
    admin(&["admin", "comments", "--rate", "1000/60"]);
    let order: Vec<Who> = browsers.iter().map(|(w, _)| *w).collect();
    let idx = |who: Who| order.iter().position(|w| *w == who).expect("who");

    // A moderated work open to everyone, by "creator".
    let creator = idx(Who::Creator);
    let form = browsers[creator].1.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = browsers[creator].1.submit(
        server,
        "/works",
        &[
            ("work[title]", "Comment Matrix"),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Matrix Fandom"),
            ("work[chapter_attributes][content]", "<p>Text.</p>"),
            ("work[comment_permissions]", "enable_all"),
            ("work[moderated_commenting_enabled]", "1"),
            ("post_button", "Post"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let work: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    let page = browsers[creator]
        .1
        .page(&server.url(&format!("/works/{work}")));
    let chapter: i64 = attr(&page, "form.new_comment", "id")
        .expect("form")
        .trim_start_matches("comment_for_")
        .parse()
        .expect("chapter id");
    let blocker = idx(Who::Blocker);
    assert_eq!(
        browsers[blocker]
            .1
            .submit(
                server,
                "/users/blocker/blocked",
                &[("other", "author"), ("action", "add")]
            )
            .status(),
        303
    );

    let author = idx(Who::Author);
    let moderator = idx(Who::Moderator);
    let mut comments = Vec::new();
    for state in STATES {
        let body = format!("Matrix comment {state:?}");
        let id = new_id(browsers[author].1.submit(
            server,
            &format!("/works/{work}/comments"),
            &[("comment[comment_content]", &body)],
        ));
        let act = |b: &mut Browser, what: &str| {
            let resp = b.submit(server, &format!("/comments/{id}/{what}"), &[]);
            assert_eq!(resp.status(), 303, "{what} {state:?}");
        };
        if state != State::Unreviewed {
            act(&mut browsers[creator].1, "review");
        }
        match state {
            State::Visible | State::Unreviewed => {}
            State::Hidden => act(&mut browsers[moderator].1, "hide"),
            State::Frozen => act(&mut browsers[creator].1, "freeze"),
            State::Spam => act(&mut browsers[moderator].1, "spam"),
            State::Deleted => {
                new_id(browsers[creator].1.submit(
                    server,
                    &format!("/comments/{id}/comments"),
                    &[("comment[comment_content]", "A reply that stays")],
                ));
                let resp =
                    browsers[author]
                        .1
                        .submit(server, &format!("/comments/{id}/delete"), &[]);
                assert_eq!(resp.status(), 303);
            }
        }
        comments.push((state, id, body));
    }
    let setup = Setup {
        work,
        chapter,
        comments,
    };

    let mut checked = 0;
    for who in EVERYONE {
        let b = &mut browsers[idx(who)].1;
        for (view, path) in VIEWS {
            for (state, id, body) in &setup.comments {
                let want = expected(who, *state);
                let resp = b.get(&server.url(&path(&setup, *id)));
                let status = resp.status().as_u16();
                let html = resp.text().expect("body");
                let doc = scraper::Html::parse_document(&html);
                let (there, has_text) = if view.starts_with("API") {
                    let json: serde_json::Value =
                        serde_json::from_str(&html).unwrap_or(serde_json::Value::Null);
                    let entry = json["comments"]
                        .as_array()
                        .and_then(|all| all.iter().find(|c| c["id"] == *id).cloned());
                    match entry {
                        Some(c) => (
                            true,
                            c["body"]
                                .as_str()
                                .is_some_and(|b| b.contains(body.as_str())),
                        ),
                        None => (false, false),
                    }
                } else {
                    (
                        count(&doc, &format!("li#comment_{id}")) == 1,
                        html.contains(body.as_str()),
                    )
                };
                let got = match (status, there, has_text) {
                    (200, true, true) => Sees::Text,
                    (200, true, false) => Sees::Placeholder,
                    (200 | 404, false, false) => Sees::Nothing,
                    other => panic!("{who:?} {state:?} {view}: unexpected {other:?}"),
                };
                assert_eq!(got, want, "{who:?} sees a {state:?} comment on the {view}");
                if (view.contains("comment page") || *view == "API comment")
                    && want == Sees::Nothing
                {
                    assert_eq!(status, 404, "{who:?} {state:?} {view}");
                }
                if *view == "comment page" && want == Sees::Nothing {
                    assert_eq!(status, 404, "{who:?} {state:?} comment page");
                }
                if want == Sees::Placeholder && !view.starts_with("API") {
                    assert!(
                        !text(&doc, &format!("li#comment_{id} h4")).contains("author"),
                        "a placeholder names nobody"
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, EVERYONE.len() * VIEWS.len() * STATES.len());

    // Inboxes: the work's creator gets what they may see and need to act
    // on; nobody else gets these comments (and guests have no inbox).
    for who in EVERYONE {
        let login = match who {
            Who::Guest => {
                let resp = browsers[idx(who)]
                    .1
                    .get(&server.url("/users/creator/inbox"));
                assert_eq!(resp.status(), 303, "a guest is sent to log in");
                continue;
            }
            Who::Reader => "reader",
            Who::Author => "author",
            Who::Creator => "creator",
            Who::Blocker => "blocker",
            Who::Moderator => "mod",
            Who::Admin => "boss",
        };
        let page = browsers[idx(who)]
            .1
            .page(&server.url(&format!("/users/{login}/inbox")));
        for (state, id, body) in &setup.comments {
            let listed = count(&page, &format!("li#feedback_comment_{id}")) == 1;
            let want = who == Who::Creator
                && matches!(state, State::Visible | State::Unreviewed | State::Frozen);
            assert_eq!(listed, want, "{who:?}'s inbox and a {state:?} comment");
            if listed {
                assert!(page.html().contains(body.as_str()));
            }
        }
    }
}

fn matrix_on(storage: Vec<String>) {
    let server = support::serve_storage(&storage);
    run(&server, |args| {
        support::cli(&storage, args);
    });
}

#[test]
fn comment_matrix_on_sqlite() {
    let dir = ficus_testkit::temp_dir();
    let data: &Path = dir.path();
    matrix_on(vec!["--data-dir".into(), data.display().to_string()]);
}

#[test]
fn comment_matrix_on_postgres() {
    let Some(db) = TestStore::postgres() else {
        return;
    };
    let Backend::Postgres(url) = db.backend.clone() else {
        panic!("postgres")
    };
    matrix_on(vec!["--database".into(), url]);
}
