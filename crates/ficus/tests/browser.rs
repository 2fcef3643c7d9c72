//! In a real browser (Debian's Chromium driven through chromedriver): sign
//! up, post a two-chapter work with tags, read it, edit it, log out, and
//! see that a guest gets the log-in page for the restricted work. Saves a
//! screenshot of the work page to `target/test-artifacts/work-page.png`
//! (and of the other steps: filters, search, kudos, comments, statistics,
//! a bookmark, Marked for Later, a followed tag's update in the inbox).
//!
//! Without chromedriver the test says loudly that it skipped; CI sets
//! `FICUS_REQUIRE_BROWSER=1`, which turns the skip into a failure
//! ([`ficus_testkit::Tool::Browser`]).

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use ficus_testkit::{ServerProcess, Tool, find_program, temp_dir};
use hyper_util::client::legacy::connect::HttpConnector;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Finds an element, waiting up to 30 s for it to appear (a freshly
/// installed Chromium can take long over its first page while other
/// tests load the machine).
async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            let url = c.current_url().await.map(|u| u.to_string());
            let page = c.source().await.unwrap_or_default();
            panic!(
                "{css}: {e}; at {url:?}, page begins: {}",
                page.chars().take(1500).collect::<String>()
            )
        }
    }
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = find(c, css).await;
    el.clear().await.expect("clear");
    el.send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
}

/// Clicks, retrying briefly while the page is still settling.
async fn click(c: &Client, css: &str) {
    let mut last = None;
    for _ in 0..20 {
        match find(c, css).await.click().await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("clicking {css}: {last:?}");
}

/// An element's text, retrying while a navigation replaces the page.
async fn text(c: &Client, css: &str) -> String {
    let mut last = None;
    for _ in 0..50 {
        match find(c, css).await.text().await {
            Ok(t) => return t,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("text of {css}: {last:?}");
}

/// Waits until the loaded page's path satisfies `want`.
async fn wait_for(c: &Client, what: &str, want: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let url = c.current_url().await.expect("url");
        let ready = c
            .execute("return document.readyState", vec![])
            .await
            .is_ok_and(|v| v == "complete");
        if ready && want(url.path()) {
            return url.path().to_string();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "never reached {what}; at {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The path of a work page: `/works/{digits}`.
async fn wait_for_query(c: &Client, part: &str) {
    for _ in 0..100 {
        if let Ok(url) = c.current_url().await
            && url.query().is_some_and(|q| q.contains(part))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the browser never reached a URL with {part}");
}

async fn save_png(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifact dir");
    std::fs::write(artifacts.join(name), &png).expect("save screenshot");
    assert!(png.starts_with(b"\x89PNG"));
}

/// Logs `from` out and `to` in (the password every account here has).
async fn log_in(c: &Client, server: &ServerProcess, from: &str, to: &str) {
    c.goto(&server.url("/")).await.expect("goto");
    assert!(text(c, "#header").await.contains(&format!("Hi, {from}!")));
    click(c, "form.logout button").await;
    // The log-out page is the front page too: wait for its header to
    // change, or the next navigation may cancel the log-out under way.
    let start = Instant::now();
    while text(c, "#header").await.contains(&format!("Hi, {from}!")) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{from} never logged out"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_for(c, "the front page", |p| p == "/").await;
    c.goto(&server.url("/users/login")).await.expect("goto");
    fill(c, "#user_login", to).await;
    fill(c, "#user_password", "a long password").await;
    click(c, "form#new_user_session input[type=submit]").await;
    wait_for(c, "away from the log-in page", |p| p != "/users/login").await;
    c.goto(&server.url("/")).await.expect("goto");
    assert!(text(c, "#header").await.contains(&format!("Hi, {to}!")));
}

fn is_work_page(path: &str) -> bool {
    path.strip_prefix("/works/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn sign_up_post_read_edit_log_out_in_chromium() {
    let Some((chromedriver, chromium)) = Tool::Browser.require(|| {
        match (
            find_program(&["chromedriver"]),
            find_program(&["chromium", "chromium-browser"]),
        ) {
            (Some(driver), Some(browser)) => Ok((driver, browser)),
            _ => Err("chromedriver or chromium is not installed".to_string()),
        }
    }) else {
        return;
    };
    let dir = temp_dir();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_ficus"));
    serve
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("FICUS_LOG", "warn");
    let server = ServerProcess::start(serve);

    let port = free_port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = dir.path().join("chromium-profile");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium.display().to_string(),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1200,1600",
                         format!("--user-data-dir={}", profile.display())],
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        let c = loop {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(caps.clone());
            match builder.connect(&webdriver).await {
                Ok(c) => break c,
                Err(e) if start.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start a Chromium session: {e}"),
            }
        };

        // Sign up.
        c.goto(&server.url("/signup")).await.expect("goto");
        fill(&c, "#user_login", "browserwriter").await;
        fill(&c, "#user_email", "writer@example.org").await;
        fill(&c, "#user_password", "a long password").await;
        fill(&c, "#user_password_confirmation", "a long password").await;
        click(&c, "form#new_user input[type=submit]").await;
        wait_for(&c, "the front page", |p| p == "/").await;
        assert!(text(&c, "#header").await.contains("Hi, browserwriter!"));

        // Post a restricted work with tags.
        c.goto(&server.url("/works/new")).await.expect("goto");
        find(&c, "select#work_rating_string").await
            .select_by_value("Teen And Up Audiences").await.expect("select rating");
        click(&c, "input[name='work[archive_warning_strings][]'][value='No Archive Warnings Apply']").await;
        click(&c, "input[name='work[category_strings][]'][value='F/F']").await;
        fill(&c, "#work_fandom", "Browser Fandom").await;
        fill(&c, "#work_character", "Ada, Bea").await;
        fill(&c, "#work_freeform", "Testing, Fluff").await;
        fill(&c, "#work_title", "Clicked Into Being").await;
        fill(&c, "#work_summary", "Written by a robot.").await;
        fill(&c, "#work_chapter_attributes_title, #work_chapter_title", "Beginning").await;
        fill(&c, "#content", "<p>The first chapter, typed by a browser.</p>").await;
        click(&c, "input[name='work[restricted]']").await;
        click(&c, "input[name=post_button]").await;
        let work_path = wait_for(&c, "the new work", is_work_page).await;
        assert_eq!(text(&c, "h2.title.heading").await, "Clicked Into Being");
        assert!(text(&c, "dd.freeform.tags").await.contains("Testing"));

        // A second chapter.
        c.goto(&server.url(&format!("{work_path}/chapters/new"))).await.expect("goto");
        fill(&c, "#chapter_title", "Ending").await;
        fill(&c, "#content", "<p>The second chapter.</p>").await;
        click(&c, "input[name=post_button]").await;
        let chapters = format!("{work_path}/chapters/");
        wait_for(&c, "the new chapter", |p| p.starts_with(&chapters) && !p.ends_with("/new")).await;
        assert!(text(&c, "div#chapters").await.contains("The second chapter."));

        // Read it whole.
        c.goto(&server.url(&format!("{work_path}?view_full_work=true"))).await.expect("goto");
        let whole = text(&c, "div#chapters").await;
        assert!(whole.contains("typed by a browser") && whole.contains("The second chapter."));
        assert_eq!(text(&c, "dd.stats dd.chapters").await, "2/?");

        // Edit the title.
        c.goto(&server.url(&format!("{work_path}/edit"))).await.expect("goto");
        fill(&c, "#work_title", "Clicked Into Being, Revised").await;
        click(&c, "#work_moderated_commenting_enabled").await;
        click(&c, "input[name=post_button]").await;
        wait_for(&c, "the edited work", |p| p == work_path).await;
        assert_eq!(text(&c, "h2.title.heading").await, "Clicked Into Being, Revised");

        // Screenshot of the work page.
        let png = c.screenshot().await.expect("screenshot");
        let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
        std::fs::create_dir_all(&artifacts).expect("artifact dir");
        std::fs::write(artifacts.join("work-page.png"), &png).expect("save screenshot");
        assert!(png.starts_with(b"\x89PNG"));

        // Filter without JavaScript: tick a tag in the sidebar, submit, and
        // the choice is kept in the URL and the form.
        c.goto(&server.url("/works")).await.expect("goto");
        click(&c, "form#work-filters dl.include dd.freeform input[type=checkbox]").await;
        click(&c, "form#work-filters button[type=submit]").await;
        wait_for_query(&c, "work_search").await;
        assert!(text(&c, "ol.work.index.group").await.contains("Clicked Into Being"));
        let ticked = find(&c, "form#work-filters dl.include dd.freeform input[type=checkbox]")
            .await
            .prop("checked")
            .await
            .expect("checked");
        assert_eq!(ticked.as_deref(), Some("true"), "the filter is kept");
        save_png(&c, "filter-page.png").await;

        // Full-text search with a phrase: the passage comes back highlighted.
        c.goto(&server.url("/works/search")).await.expect("goto");
        fill(&c, "#work_search_query", "\"typed by a browser\"").await;
        click(&c, "form#work-search button[type=submit]").await;
        wait_for_query(&c, "work_search").await;
        assert_eq!(text(&c, "#main h3.heading").await, "1 Found");
        assert!(text(&c, "blockquote.snippet").await.contains("typed by a browser"));
        save_png(&c, "search-page.png").await;

        // Log out; as a guest the restricted work asks for a log-in.
        click(&c, "form.logout button").await;
        wait_for(&c, "the front page", |p| p == "/").await;
        assert!(text(&c, "#header").await.contains("Log In"));
        c.goto(&server.url(&work_path)).await.expect("goto");
        wait_for(&c, "the log-in page", |p| p == "/users/login").await;
        assert!(text(&c, "p.notice").await.contains("registered users"));

        // Another reader signs up and leaves kudos with the button (a plain
        // form: no JavaScript).
        c.goto(&server.url("/signup")).await.expect("goto");
        fill(&c, "#user_login", "browserreader").await;
        fill(&c, "#user_email", "reader@example.org").await;
        fill(&c, "#user_password", "a long password").await;
        fill(&c, "#user_password_confirmation", "a long password").await;
        click(&c, "form#new_user input[type=submit]").await;
        wait_for(&c, "the front page", |p| p == "/").await;
        c.goto(&server.url(&work_path)).await.expect("goto");
        click(&c, "#kudo_submit").await;
        wait_for_query(&c, "kudos=left").await;
        assert_eq!(text(&c, "#kudos_message").await, "Thank you for leaving kudos!");
        assert!(text(&c, "#kudos p.kudos").await.contains("browserreader left kudos on this work!"));
        assert_eq!(text(&c, "dd.stats dd.kudos").await, "1");
        save_png(&c, "kudos.png").await;

        // The reader comments; the work is moderated, so it waits.
        fill(&c, "div#add_comment textarea[name='comment[comment_content]']", "What a lovely first chapter.").await;
        click(&c, "div#add_comment input[type=submit][id^=comment_submit_for_]").await;
        wait_for_query(&c, "comment=moderated").await;
        assert!(text(&c, "div.flash.notice").await.contains("will not appear until it has been approved"));
        assert!(text(&c, "li.comment.unreviewed blockquote.userstuff").await.contains("lovely first chapter"));

        // The writer logs in, approves it from the unreviewed list, replies.
        log_in(&c, &server, "browserreader", "browserwriter").await;
        c.goto(&server.url(&work_path)).await.expect("goto");
        assert_eq!(text(&c, "ul.work.navigation li.unreviewed a").await, "Unreviewed Comments (1)");
        click(&c, "ul.work.navigation li.unreviewed a").await;
        wait_for(&c, "the unreviewed list", |p| p.ends_with("/comments/unreviewed")).await;
        click(&c, "li[id^=review_comment_link_] input[type=submit]").await;
        wait_for_query(&c, "comment=approved").await;
        c.goto(&server.url(&format!("{work_path}?show_comments=true&view_full_work=true"))).await.expect("goto");
        assert_eq!(text(&c, "li#show_comments_link").await, "Hide Comments (1)");
        click(&c, "li[id^=add_comment_reply_link_] a").await;
        wait_for(&c, "the comment's page", |p| p.starts_with("/comments/")).await;
        fill(&c, "form.new_comment textarea[name='comment[comment_content]']", "Thank you, reader!").await;
        click(&c, "form.new_comment input[type=submit]").await;
        wait_for_query(&c, "comment=posted").await;
        assert!(text(&c, "ol.thread li.comment blockquote.userstuff").await.contains("Thank you, reader!"));
        c.goto(&server.url(&format!("{work_path}?show_comments=true&view_full_work=true"))).await.expect("goto");
        assert_eq!(text(&c, "dd.stats dd.comments").await, "2");
        save_png(&c, "commented-work-page.png").await;

        // The writer's statistics: the chart is drawn by the server.
        c.goto(&server.url("/users/browserwriter/stats")).await.expect("goto");
        assert_eq!(text(&c, "dd.comment.thread.count").await, "1");
        find(&c, "figure#chart svg").await;
        save_png(&c, "stats-page.png").await;

        // The writer blocks the reader: no comment form for them any more.
        c.goto(&server.url("/users/browserwriter/blocked")).await.expect("goto");
        fill(&c, "#other_login", "browserreader").await;
        click(&c, "form#block-user input[type=submit]").await;
        wait_for(&c, "the blocked list", |p| p.ends_with("/blocked")).await;
        log_in(&c, &server, "browserwriter", "browserreader").await;
        c.goto(&server.url(&work_path)).await.expect("goto");
        assert!(text(&c, "p.comments-closed").await.contains("blocked by one or more of this work's creators"));

        // The reader bookmarks the work with notes and tags, from the
        // work page's "Bookmark" link (a page of its own: no JavaScript).
        click(&c, "ul.work.navigation li.bookmark a").await;
        wait_for(&c, "the bookmark form", |p| p.ends_with("/bookmarks/new")).await;
        fill(&c, "#bookmark_notes", "Read it on the train.\n\nThe ending!").await;
        fill(&c, "#bookmark_tag_string", "comfort read, to reread").await;
        click(&c, "#bookmark_rec").await;
        click(&c, "div#bookmark-form input[name=commit]").await;
        wait_for(&c, "the new bookmark", |p| p.starts_with("/bookmarks/")).await;
        assert_eq!(text(&c, "div.flash.notice").await, "Bookmark was successfully created.");
        assert!(text(&c, "li.bookmark.blurb blockquote.userstuff.notes").await.contains("The ending!"));
        let tags = text(&c, "li.bookmark.blurb ul.meta.tags").await;
        assert!(tags.contains("comfort read") && tags.contains("to reread"), "{tags}");
        assert_eq!(text(&c, "li.bookmark.blurb p.status span.rec span.text").await, "Rec");
        save_png(&c, "bookmark.png").await;
        c.goto(&server.url(&work_path)).await.expect("goto");
        assert_eq!(text(&c, "ul.work.navigation li.bookmark a").await, "Edit Bookmark");
        assert_eq!(text(&c, "dd.stats dd.bookmarks").await, "1");

        // Mark for Later, then find it in the history's filter.
        click(&c, "ul.work.navigation li.mark input[type=submit]").await;
        // The form posts and comes back to the same address: wait for the
        // new page's button, not the URL (it is the same before and after).
        let deadline = Instant::now() + Duration::from_secs(10);
        let marked = loop {
            let value = match c.find(Locator::Css("ul.work.navigation li.mark input[type=submit]")).await {
                Ok(button) => button.attr("value").await.ok().flatten(),
                Err(_) => None,
            };
            if value.as_deref() == Some("Mark as Read") || Instant::now() > deadline {
                break value;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(marked.as_deref(), Some("Mark as Read"), "at {:?}", c.current_url().await.ok());
        c.goto(&server.url("/users/browserreader/readings?show=to-read")).await.expect("goto");
        assert!(text(&c, "ol.reading.work.index").await.contains("Clicked Into Being, Revised"));
        save_png(&c, "marked-for-later.png").await;

        // The reader follows the work's fandom from its tag page; a new
        // work in it, by someone else, reaches the reader's inbox.
        c.goto(&server.url("/tags/Browser%20Fandom")).await.expect("goto");
        click(&c, "li.subscribe input[type=submit]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let value = match c.find(Locator::Css("li.subscribe input[type=submit]")).await {
                Ok(button) => button.attr("value").await.ok().flatten(),
                Err(_) => None,
            };
            if value.as_deref() == Some("Unsubscribe") {
                break;
            }
            assert!(Instant::now() < deadline, "never subscribed: {value:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // (A plain HTTP client posts, on a thread of its own: its blocking
        // calls may not run on this runtime's thread.)
        let posted = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut newcomer = support::Browser::new();
                    assert_eq!(support::signup(&mut newcomer, &server, "browsernewcomer").status(), 303);
                    support::post_simple_work(&mut newcomer, &server, "Followed In Chromium", "Browser Fandom")
                })
                .join()
                .expect("post as the newcomer")
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            c.goto(&server.url("/users/browserreader/inbox/updates")).await.expect("goto");
            let items = text(&c, "#main").await;
            if items.contains("Followed In Chromium") {
                break;
            }
            assert!(Instant::now() < deadline, "no update in the inbox: {items}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert!(text(&c, "ol.update.index").await.contains("you follow one of its tags"));
        save_png(&c, "subscription-update.png").await;
        c.goto(&server.url(&format!("/works/{posted}"))).await.expect("goto");
        assert_eq!(text(&c, "h2.title.heading").await, "Followed In Chromium");
        c.close().await.expect("close");
    });
}
