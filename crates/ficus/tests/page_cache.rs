//! The page cache over HTTP against real servers: guests' and plain
//! readers' work pages are kept rendered, so these check that a kept page
//! is never anyone else's (two accounts and two guests reading the same
//! works in turn each see only their own menu, form token and access; two
//! plain readers each their own login, bookmark, subscription, pseud and
//! marked-for-later state; a creator and a commenter pages of their own),
//! that a change shows on the writer's next request and on another node
//! within moments, and that a browser holding the page gets `304 Not
//! Modified`.

mod support;

use std::time::{Duration, Instant};

use ficus_testkit::ServerProcess;
use scraper::{Html, Selector};
use support::{Browser, attr, count, post_work_with, signup, text};

/// Every form token on a page.
fn tokens(page: &Html) -> Vec<String> {
    let sel = Selector::parse("input[name=authenticity_token]").expect("selector");
    page.select(&sel)
        .filter_map(|e| e.value().attr("value").map(str::to_string))
        .collect()
}

fn post(b: &mut Browser, server: &ServerProcess, title: &str, restricted: bool) -> i64 {
    let mut fields = vec![
        ("work[chapter_attributes][content]", "<p>Shared words.</p>"),
        ("work[comment_permissions]", "enable_all"),
    ];
    if restricted {
        fields.push(("work[restricted]", "1"));
    }
    post_work_with(b, server, title, "Cache Fandom", &fields)
}

/// The author's edit of the work through `server`: a new title and text,
/// restricted to members or not.
fn edit(
    author: &mut Browser,
    server: &ServerProcess,
    work: i64,
    pseud: &str,
    restricted: bool,
) -> reqwest::blocking::Response {
    let mut fields = vec![
        ("work[title]", "Second Title"),
        ("work[pseud_ids][]", pseud),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Cache Fandom"),
        ("work[chapter_attributes][content]", "<p>New words.</p>"),
        ("work[comment_permissions]", "enable_all"),
        ("post_button", "Post"),
    ];
    if restricted {
        fields.push(("work[restricted]", "1"));
    }
    author.submit(server, &format!("/works/{work}/edit"), &fields)
}

/// Reads `path` as `b` until `check` holds, for at most `limit`.
fn eventually(
    b: &mut Browser,
    server: &ServerProcess,
    path: &str,
    limit: Duration,
    check: impl Fn(&Html) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let page = b.page(&server.url(path));
        if check(&page) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{path} did not change within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn each_reader_sees_only_their_own_work_page() {
    let dir = ficus_testkit::temp_dir();
    let server = support::serve(dir.path());
    let mut author = Browser::new();
    assert_eq!(signup(&mut author, &server, "author").status(), 303);
    let open = post(&mut author, &server, "Open Work", false);
    let locked = post(&mut author, &server, "Locked Work", true);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut guest_a = Browser::new();
    let mut guest_b = Browser::new();
    let token_a = guest_a.form_token(&server);
    let token_b = guest_b.form_token(&server);
    assert_ne!(token_a, token_b);
    let author_token = author.form_token(&server);
    let reader_token = reader.form_token(&server);

    let open_path = format!("/works/{open}");
    let locked_path = format!("/works/{locked}");
    for round in 0..3 {
        for (who, b, token) in [
            ("guest a", &mut guest_a, &token_a),
            ("guest b", &mut guest_b, &token_b),
        ] {
            let page = b.page(&server.url(&open_path));
            assert_eq!(text(&page, "h2.title").trim(), "Open Work", "{who}");
            let forms = tokens(&page);
            assert!(!forms.is_empty(), "{who}: the kudos form has a token");
            assert!(
                forms.iter().all(|t| t == token),
                "{who}, round {round}: {forms:?} is not only {token}"
            );
            assert_eq!(
                attr(&page, "meta[name=csrf-token]", "content").as_ref(),
                Some(token),
                "{who}"
            );
            assert_eq!(count(&page, "body.logged-out"), 1, "{who}");
            assert_eq!(count(&page, "#kudo_submit"), 1, "{who}: the kudos button");
            // A guest asking for a restricted work is sent to log in.
            let resp = b.get(&server.url(&locked_path));
            assert_eq!(resp.status(), 303, "{who}: the restricted work");
        }
        for (who, login, b, token) in [
            ("the author", "author", &mut author, &author_token),
            ("the reader", "reader", &mut reader, &reader_token),
        ] {
            let page = b.page(&server.url(&open_path));
            assert_eq!(count(&page, "body.logged-in"), 1, "{who}");
            assert!(
                text(&page, "#header").contains(login),
                "{who}: their own menu"
            );
            assert!(tokens(&page).iter().all(|t| t == token), "{who}");
            let resp = b.get(&server.url(&open_path));
            assert_eq!(
                resp.headers().get("etag").is_some(),
                login == "reader",
                "{who}: only a plain reader shares a kept page"
            );
            let page = b.page(&server.url(&locked_path));
            assert_eq!(text(&page, "h2.title").trim(), "Locked Work", "{who}");
        }
        // Only the author has the creator's actions; only the reader the
        // kudos button.
        let page = author.page(&server.url(&open_path));
        assert_eq!(count(&page, "#kudo_submit"), 0, "never kudos to oneself");
        assert!(count(&page, &format!("a[href='/works/{open}/edit']")) > 0);
        let page = reader.page(&server.url(&open_path));
        assert_eq!(count(&page, "#kudo_submit"), 1);
        assert_eq!(count(&page, &format!("a[href='/works/{open}/edit']")), 0);
    }

    // A guest's browser holding the page gets 304; another guest's
    // validator is not theirs.
    let first = guest_a.get(&server.url(&open_path));
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().expect("ascii").to_string();
    assert_eq!(first.headers()["cache-control"], "private, no-cache");
    let again = guest_a
        .client
        .get(server.url(&open_path))
        .header("cookie", guest_a.jar.header())
        .header("if-none-match", &etag)
        .send()
        .expect("get");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().expect("ascii"), etag);
    let other = guest_b
        .client
        .get(server.url(&open_path))
        .header("cookie", guest_b.jar.header())
        .header("if-none-match", &etag)
        .send()
        .expect("get");
    assert_eq!(other.status(), 200, "another guest's validator");
}

/// Whether `body` holds what looks like one of the page cache's markers
/// (a minus sign and 18 digits): a value that was never filled in.
fn has_marker(body: &str) -> bool {
    let b = body.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'-' && b.len() > i + 18 && b[i + 1..i + 19].iter().all(u8::is_ascii_digit)
    })
}

/// The page at `path` as `b` sees it, and what the page cache said of
/// it: "hit" (kept before this request), "miss" (rendered, and shared
/// from now on) or "" (rendered for this visitor alone).
fn read(b: &mut Browser, server: &ServerProcess, path: &str) -> (Html, String) {
    let resp = b.get(&server.url(path));
    assert_eq!(resp.status(), 200, "{path}");
    let cache = resp
        .headers()
        .get("x-cache")
        .map(|v| v.to_str().expect("ascii").to_string())
        .unwrap_or_default();
    assert_eq!(
        resp.headers().get("etag").is_some(),
        !cache.is_empty(),
        "a shared page has a validator"
    );
    let body = resp.text().expect("body");
    assert!(!has_marker(&body), "{path}: a marker was left in the page");
    (Html::parse_document(&body), cache)
}

#[test]
fn plain_readers_share_a_page_filled_with_their_own_values() {
    let dir = ficus_testkit::temp_dir();
    let server = support::serve(dir.path());
    let mut author = Browser::new();
    assert_eq!(signup(&mut author, &server, "author").status(), 303);
    let work = post(&mut author, &server, "Shared Work", false);
    let locked = post(&mut author, &server, "Members Work", true);
    let path = format!("/works/{work}");
    let locked_path = format!("/works/{locked}");
    let mut rita = Browser::new();
    let mut sam = Browser::new();
    assert_eq!(signup(&mut rita, &server, "rita").status(), 303);
    assert_eq!(signup(&mut sam, &server, "sam").status(), 303);
    let rita_token = rita.form_token(&server);
    let sam_token = sam.form_token(&server);
    let mut guest = Browser::new();

    // What a reader's page shows of the reader.
    let pseud =
        |page: &Html| attr(page, "input[name='comment[pseud_id]']", "value").expect("pseud");
    let check = |page: &Html, login: &str, other: &str, token: &str| {
        assert_eq!(count(page, "body.logged-in"), 1, "{login}");
        let header = text(page, "#header");
        assert!(
            header.contains(&format!("Hi, {login}!")),
            "{login}: {header}"
        );
        assert!(!header.contains(other), "{login} sees {other}'s menu");
        assert!(
            tokens(page).iter().all(|t| t == token),
            "{login}: only their own form token"
        );
        assert_eq!(
            attr(page, "meta[name=csrf-token]", "content").as_deref(),
            Some(token)
        );
        assert_eq!(
            count(page, &format!("a[href='/users/{login}/inbox']")),
            1,
            "{login}"
        );
        assert_eq!(count(page, "#kudo_submit"), 1, "{login}: the kudos button");
    };
    let mut pseuds = Vec::new();
    for round in 0..3 {
        for (login, other, b, token) in [
            ("rita", "sam", &mut rita, &rita_token),
            ("sam", "rita", &mut sam, &sam_token),
        ] {
            let (page, cache) = read(b, &server, &path);
            // Rita's first read renders the page; everything after is
            // served from it, Sam's first read included.
            let first = round == 0 && login == "rita";
            assert_eq!(
                cache,
                if first { "miss" } else { "hit" },
                "{login}, round {round}"
            );
            check(&page, login, other, token);
            assert_eq!(
                attr(&page, "li.subscribe form", "action").as_deref(),
                Some(format!("/users/{login}/subscriptions").as_str())
            );
            assert_eq!(
                attr(&page, "li.mark input[type=submit]", "value").as_deref(),
                Some("Mark for Later")
            );
            assert_eq!(
                attr(&page, "li.bookmark a", "href"),
                Some(format!("/works/{work}/bookmarks/new"))
            );
            if round == 0 {
                pseuds.push(pseud(&page));
            } else {
                assert_eq!(pseud(&page), pseuds[usize::from(login == "sam")], "{login}");
            }
            // Restricted works are for every account alike.
            let (page, cache) = read(b, &server, &locked_path);
            assert!(!cache.is_empty(), "{login}: the restricted work is shared");
            assert_eq!(text(&page, "h2.title").trim(), "Members Work", "{login}");
            check(&page, login, other, token);
        }
        assert_eq!(guest.get(&server.url(&locked_path)).status(), 303);
    }
    assert_ne!(pseuds[0], pseuds[1], "each reader's own pseud");
    // One reader's validator is not another's.
    let etag = rita.get(&server.url(&path)).headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_string();
    let resp = sam
        .client
        .get(server.url(&path))
        .header("cookie", sam.jar.header())
        .header("if-none-match", &etag)
        .send()
        .expect("get");
    assert_eq!(resp.status(), 200, "another reader's validator");
    let resp = rita
        .client
        .get(server.url(&path))
        .header("cookie", rita.jar.header())
        .header("if-none-match", &etag)
        .send()
        .expect("get");
    assert_eq!(resp.status(), 304, "her own");

    // Rita bookmarks the work, marks it for later and subscribes: her
    // page shows her own bookmark and subscription, Sam's does not.
    let bookmark_id = support::bookmark(&mut rita, &server, work, false);
    let resp = rita.submit(&server, &format!("/works/{work}/mark_for_later"), &[]);
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(
        support::press_subscribe(&mut rita, &server, &path).status(),
        303
    );
    for _ in 0..2 {
        let (page, cache) = read(&mut rita, &server, &path);
        assert!(
            !cache.is_empty(),
            "a plain reader with a bookmark shares a page too"
        );
        check(&page, "rita", "sam", &rita_token);
        assert_eq!(
            attr(&page, "li.bookmark a", "href"),
            Some(format!("/bookmarks/{bookmark_id}/edit"))
        );
        assert_eq!(
            attr(&page, "li.mark input[type=submit]", "value").as_deref(),
            Some("Mark as Read")
        );
        let action = attr(&page, "li.subscribe form", "action").expect("unsubscribe");
        let sub = action
            .strip_prefix("/users/rita/subscriptions/")
            .and_then(|a| a.strip_suffix("/delete"))
            .expect("rita's own subscription");
        assert!(sub.parse::<i64>().is_ok_and(|id| id > 0), "{action}");
        assert_eq!(pseud(&page), pseuds[0]);
        let (page, _) = read(&mut sam, &server, &path);
        check(&page, "sam", "rita", &sam_token);
        assert_eq!(
            attr(&page, "li.bookmark a", "href"),
            Some(format!("/works/{work}/bookmarks/new"))
        );
        assert_eq!(
            attr(&page, "li.mark input[type=submit]", "value").as_deref(),
            Some("Mark for Later")
        );
        assert_eq!(
            attr(&page, "li.subscribe form", "action").as_deref(),
            Some("/users/sam/subscriptions")
        );
    }

    // Sam's kudos: his next page, and Rita's, name him.
    let resp = sam.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &work.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert_eq!(resp.status(), 303);
    for b in [&mut sam, &mut rita] {
        let (page, _) = read(b, &server, &path);
        assert!(text(&page, "#kudos").contains("sam"), "the kudos show");
        assert_eq!(text(&page, "dd.stats dd.kudos"), "1");
    }

    // Rita comments: her page carries her own comment's actions from now
    // on, and is rendered for her; Sam still shares a kept page.
    let resp = rita.submit(
        &server,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", "Rita's thoughts.")],
    );
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let (page, cache) = read(&mut rita, &server, &path);
    check(&page, "rita", "sam", &rita_token);
    assert_eq!(cache, "", "a commenter's page is her own");
    read(&mut sam, &server, &path);
    let (page, cache) = read(&mut sam, &server, &path);
    check(&page, "sam", "rita", &sam_token);
    assert_eq!(cache, "hit", "a plain reader's page is kept");
    assert_eq!(text(&page, "dd.stats dd.comments"), "1");
    // The author's page is always rendered for them.
    let (page, cache) = read(&mut author, &server, &path);
    assert_eq!(cache, "");
    assert_eq!(count(&page, "#kudo_submit"), 0);
}

#[test]
fn a_change_shows_on_the_writers_next_request_and_on_every_node() {
    let dir = ficus_testkit::temp_dir();
    let a = support::serve(dir.path());
    let b = support::serve_node(dir.path(), "index-b");
    let mut author = Browser::new();
    assert_eq!(signup(&mut author, &a, "author").status(), 303);
    let work = post(&mut author, &a, "First Title", false);
    let path = format!("/works/{work}");
    let mut guest = Browser::new();
    let mut other_guest = Browser::new();
    // Kept on both nodes.
    for _ in 0..2 {
        assert_eq!(
            text(&guest.page(&a.url(&path)), "h2.title").trim(),
            "First Title"
        );
        assert_eq!(
            text(&other_guest.page(&b.url(&path)), "h2.title").trim(),
            "First Title"
        );
    }

    // A guest's kudos through node A: their next page there shows them.
    let token = guest.form_token(&a);
    let resp = guest.post(
        &a.url("/kudos"),
        &[
            ("kudo[commentable_id]", &work.to_string()),
            ("kudo[commentable_type]", "Work"),
            ("authenticity_token", &token),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = guest.page(&a.url(&path));
    assert_eq!(
        text(&page, "dd.stats dd.kudos"),
        "1",
        "the writer's next page"
    );
    // And on node B at once (the browser carries how far the log had
    // gone, and B reads up to there first), though B kept the page.
    let page = guest.page(&b.url(&path));
    assert_eq!(
        text(&page, "dd.stats dd.kudos"),
        "1",
        "the writer's next page, on another node"
    );
    // Node B learns it from the change log within moments.
    let took = eventually(&mut other_guest, &b, &path, Duration::from_secs(2), |p| {
        text(p, "dd.stats dd.kudos") == "1"
    });
    eprintln!("kudos reached node B after {took:?}");

    // The same for a plain reader, whose page node B keeps too.
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &a, "reader").status(), 303);
    for _ in 0..2 {
        let resp = reader.get(&b.url(&path));
        assert!(resp.headers().get("x-cache").is_some(), "a kept page");
    }
    let resp = reader.submit(
        &a,
        "/kudos",
        &[
            ("kudo[commentable_id]", &work.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = reader.page(&b.url(&path));
    assert_eq!(
        text(&page, "dd.stats dd.kudos"),
        "2",
        "the reader's next page, on another node"
    );
    assert!(text(&page, "#kudos").contains("reader"));

    // The author edits through node B: the title on both nodes.
    let form = author.page(&b.url(&format!("/works/{work}/edit")));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = edit(&mut author, &b, work, &pseud, false);
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(
        text(&other_guest.page(&b.url(&path)), "h2.title").trim(),
        "Second Title",
        "the node that took the edit"
    );
    eventually(&mut guest, &a, &path, Duration::from_secs(2), |p| {
        text(p, "h2.title").trim() == "Second Title" && text(p, "#chapters").contains("New words.")
    });

    // The archive's guest-comment switch, changed outside any server:
    // every kept page drops its comment form.
    assert_eq!(
        count(
            &guest.page(&a.url(&path)),
            "#add_comment textarea[name='comment[comment_content]']"
        ),
        1
    );
    support::admin(dir.path(), &["comments", "--guests", "off"]);
    for (b_, server) in [(&mut guest, &a), (&mut other_guest, &b)] {
        eventually(b_, server, &path, Duration::from_secs(2), |p| {
            count(p, "#add_comment textarea[name='comment[comment_content]']") == 0
        });
    }

    // Made restricted: no node shows it to guests any more.
    let resp = edit(&mut author, &a, work, &pseud, true);
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(
        guest.get(&a.url(&path)).status(),
        303,
        "at once, on the writer's node"
    );
    let start = Instant::now();
    while other_guest.get(&b.url(&path)).status() != 303 {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "node B still shows it"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
