//! Comments over HTTP against the real server: AO3's form and markup on
//! the work page, replies and threads, guests (name and e-mail, never
//! shown), who may comment, moderated works, edit, delete, freeze, the
//! limits (length, duplicates, rate), and `/chapters/{id}?show_comments`.

mod support;

use std::path::Path;

use ficus_testkit::ServerProcess;
use support::{Browser, attr, count, signup, text};

fn serve(data_dir: &Path) -> ServerProcess {
    support::serve_with(data_dir, &["--trusted-proxy", "127.0.0.1"])
}

fn admin(data_dir: &Path, args: &[&str]) -> String {
    support::admin(data_dir, args)
}

fn post_work(
    b: &mut Browser,
    server: &ServerProcess,
    title: &str,
    permission: &str,
    moderated: bool,
) -> i64 {
    let form = b.page(&server.url("/works/new"));
    assert_eq!(
        attr(
            &form,
            "input[name='work[comment_permissions]'][checked]",
            "value"
        )
        .as_deref(),
        Some("disable_anon"),
        "registered users only is the default"
    );
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let mut fields = vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud.as_str()),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Comment Fandom"),
        (
            "work[chapter_attributes][content]",
            "<p>Words to talk about.</p>",
        ),
        ("work[comment_permissions]", permission),
        ("post_button", "Post"),
    ];
    if moderated {
        fields.push(("work[moderated_commenting_enabled]", "1"));
    }
    let resp = b.submit(server, "/works", &fields);
    assert_eq!(resp.status(), 303, "posting {title}");
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id")
}

/// Posts a comment form; returns the status and the Location (if any).
fn comment(
    b: &mut Browser,
    server: &ServerProcess,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let resp = b.submit(server, path, fields);
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii").to_string())
        .unwrap_or_default();
    let body = resp.text().expect("body");
    (status, location, body)
}

/// The new comment's id from a redirect to `/comments/{id}?comment=…`.
fn new_id(location: &str) -> i64 {
    location
        .trim_start_matches("/comments/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a comment page: {location}"))
}

/// The error message of a page.
fn flash(body: &str) -> String {
    text(&scraper::Html::parse_document(body), ".flash.error")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn comments_threads_guests_moderation_and_limits() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let open = post_work(&mut writer, &server, "Open Work", "enable_all", false);
    let members = post_work(
        &mut writer,
        &server,
        "Members Comment",
        "disable_anon",
        false,
    );
    let closed = post_work(&mut writer, &server, "Closed Work", "disable_all", false);
    let moderated = post_work(&mut writer, &server, "Moderated Work", "disable_anon", true);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    // Accounts are new here: lift the rate limit for this test (its own
    // test below keeps it).
    assert!(admin(dir.path(), &["comments", "--rate", "100/60"]).contains("100 per 60 s"));

    // The work page offers AO3's form; comments are folded until asked.
    let page = reader.page(&server.url(&format!("/works/{open}")));
    assert_eq!(
        count(
            &page,
            "div#add_comment_placeholder form.new_comment textarea[name='comment[comment_content]']"
        ),
        1
    );
    assert_eq!(text(&page, "li#show_comments_link"), "Comments (0)");
    assert_eq!(count(&page, "#comments_placeholder ol.thread"), 0);
    let (status, location, _) = comment(
        &mut reader,
        &server,
        &format!("/works/{open}/comments"),
        &[(
            "comment[comment_content]",
            "Loved it!\n\nEspecially <em>the end</em>.",
        )],
    );
    assert_eq!(status, 303);
    assert!(location.contains("comment=posted"), "{location}");
    let first = new_id(&location);

    // A guest: name and e-mail, the e-mail never shown.
    let mut guest = Browser::new();
    let (status, location, _) = comment(
        &mut guest,
        &server,
        &format!("/works/{open}/comments"),
        &[
            ("comment[name]", "Passing Reader"),
            ("comment[email]", "secret-guest@example.org"),
            (
                "comment[comment_content]",
                "A guest says hi <img src=\"https://img.example/a.png\" alt=\"pic\">",
            ),
        ],
    );
    assert_eq!(status, 303, "{location}");
    let guests = new_id(&location);

    // A reply from the creator, then one below it.
    let (_, location, _) = comment(
        &mut writer,
        &server,
        &format!("/comments/{first}/comments"),
        &[("comment[comment_content]", "Thank you!")],
    );
    let reply = new_id(&location);
    let (_, location, _) = comment(
        &mut reader,
        &server,
        &format!("/comments/{reply}/comments"),
        &[("comment[comment_content]", "You're welcome.")],
    );
    let deeper = new_id(&location);

    let page = Browser::new().page(&server.url(&format!(
        "/works/{open}?show_comments=true&view_adult=true&view_full_work=true"
    )));
    assert_eq!(text(&page, "dd.stats dd.comments"), "4");
    assert_eq!(text(&page, "li#show_comments_link"), "Hide Comments (4)");
    assert_eq!(
        text(
            &page,
            &format!("li#comment_{first} > h4.heading.byline > a")
        ),
        "reader"
    );
    assert_eq!(
        squeeze(&text(
            &page,
            &format!("li#comment_{first} > blockquote.userstuff")
        )),
        "Loved it! Especially the end."
    );
    assert_eq!(
        count(&page, &format!("li#comment_{first} blockquote.userstuff p")),
        2,
        "paragraphs at blank lines"
    );
    assert_eq!(
        count(
            &page,
            &format!(
                "#comments_placeholder > ol.thread > li + li > ol.thread > li#comment_{reply}"
            )
        ),
        1,
        "a reply nests in AO3's markup"
    );
    assert_eq!(
        count(
            &page,
            &format!("ol.thread ol.thread ol.thread > li#comment_{deeper}")
        ),
        1
    );
    assert!(
        squeeze(&text(&page, &format!("li#comment_{guests} > h4")))
            .starts_with("Passing Reader (Guest)")
    );
    assert_eq!(
        count(&page, &format!("li#comment_{guests}.guest img")),
        0,
        "a guest's image is a link"
    );
    assert!(
        !page.html().contains("secret-guest"),
        "a guest's e-mail is never shown"
    );
    assert_eq!(
        count(&page, &format!("li#add_comment_reply_link_{first} a")),
        1
    );
    assert_eq!(
        count(&page, &format!("li#edit_comment_link_{first}")),
        0,
        "not the guest's to edit"
    );

    // A comment's own page holds it and its replies; AO3's clients read it.
    let own = Browser::new().page(&server.url(&format!("/comments/{reply}")));
    assert_eq!(
        count(
            &own,
            &format!("ol.thread > li#comment_{reply}[role=article]")
        ),
        1
    );
    assert_eq!(count(&own, &format!("li#comment_{deeper}")), 1);
    assert_eq!(count(&own, &format!("li#comment_{first}")), 0);
    // The chapter address keeps the query (ao3-api asks for comments so).
    let chapter = attr(&page, "form.new_comment", "id").expect("form");
    let chapter_id: i64 = chapter
        .trim_start_matches("comment_for_")
        .parse()
        .expect("id");
    let resp = Browser::new()
        .get(&server.url(&format!("/chapters/{chapter_id}?show_comments=true&page=1")));
    assert_eq!(resp.status(), 308);
    assert_eq!(
        resp.headers()["location"],
        format!("/works/{open}/chapters/{chapter_id}?show_comments=true&page=1").as_str()
    );

    // Refusals come back with the text kept.
    let (status, _, body) = comment(
        &mut reader,
        &server,
        &format!("/works/{open}/comments"),
        &[(
            "comment[comment_content]",
            "Loved it!\n\nEspecially <em>the end</em>.",
        )],
    );
    assert_eq!(status, 422);
    assert!(
        flash(&body).starts_with("You've already left this comment here."),
        "{body}"
    );
    assert!(body.contains("Especially"), "the text is kept");
    let long = "x".repeat(10_001);
    let (status, _, body) = comment(
        &mut reader,
        &server,
        &format!("/works/{open}/comments"),
        &[("comment[comment_content]", &long)],
    );
    assert_eq!(status, 422);
    assert!(
        flash(&body).contains("must be less than 10000 characters"),
        "{body}"
    );
    let (status, _, body) = comment(
        &mut reader,
        &server,
        &format!("/works/{open}/comments"),
        &[("comment[comment_content]", "   ")],
    );
    assert_eq!(status, 422);
    assert!(
        flash(&body).contains("Brevity is the soul of wit"),
        "{body}"
    );

    // Who may comment: registered users only, no one, guests switched off.
    let page = Browser::new().page(&server.url(&format!("/works/{members}")));
    assert_eq!(count(&page, "form.new_comment"), 0);
    assert!(
        text(&page, "p.comments-closed").contains("doesn't allow non-Archive users to comment")
    );
    let (status, _, body) = comment(
        &mut Browser::new(),
        &server,
        &format!("/works/{members}/comments"),
        &[
            ("comment[name]", "G"),
            ("comment[email]", "g@example.org"),
            ("comment[comment_content]", "hi"),
        ],
    );
    assert_eq!(status, 422, "{body}");
    let (status, _, _) = comment(
        &mut reader,
        &server,
        &format!("/works/{closed}/comments"),
        &[("comment[comment_content]", "hi")],
    );
    assert_eq!(status, 422);
    admin(dir.path(), &["comments", "--guests", "off"]);
    let (status, _, body) = comment(
        &mut Browser::new(),
        &server,
        &format!("/works/{open}/comments"),
        &[
            ("comment[name]", "G"),
            ("comment[email]", "g@example.org"),
            ("comment[comment_content]", "hi"),
        ],
    );
    assert_eq!(status, 422);
    assert!(
        flash(&body).contains("doesn't allow guests to comment right now"),
        "{body}"
    );
    admin(dir.path(), &["comments", "--guests", "on"]);

    // Moderated: held for the creator, seen by its author, then approved.
    let (_, location, _) = comment(
        &mut reader,
        &server,
        &format!("/works/{moderated}/comments"),
        &[("comment[comment_content]", "Please approve me")],
    );
    assert!(location.contains("comment=moderated"), "{location}");
    let held = new_id(&location);
    let url = server.url(&format!("/works/{moderated}?show_comments=true"));
    assert_eq!(
        count(&reader.page(&url), &format!("li#comment_{held}.unreviewed")),
        1
    );
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, &server, "other").status(), 303);
    assert_eq!(count(&other.page(&url), &format!("li#comment_{held}")), 0);
    let own_view = writer.page(&url);
    assert_eq!(
        text(&own_view, "ul.work.navigation li.unreviewed a"),
        "Unreviewed Comments (1)"
    );
    let list = writer.page(&server.url(&format!("/works/{moderated}/comments/unreviewed")));
    assert_eq!(
        count(&list, &format!("li#review_comment_link_{held} form")),
        1
    );
    assert_eq!(
        other
            .get(&server.url(&format!("/works/{moderated}/comments/unreviewed")))
            .status(),
        404
    );
    let resp = other.submit(&server, &format!("/comments/{held}/review"), &[]);
    assert_eq!(resp.status(), 404, "a stranger cannot approve (nor see) it");
    let resp = writer.submit(&server, &format!("/comments/{held}/review"), &[]);
    assert_eq!(resp.status(), 303);
    assert_eq!(count(&other.page(&url), &format!("li#comment_{held}")), 1);

    // Edit: "Last Edited"; not once it has replies.
    let resp = reader.submit(
        &server,
        &format!("/comments/{deeper}/edit"),
        &[("comment[comment_content]", "You're very welcome.")],
    );
    assert_eq!(resp.status(), 303);
    let own = reader.page(&server.url(&format!("/comments/{deeper}")));
    assert!(text(&own, "p.edited").starts_with("Last Edited"));
    assert!(text(&own, "blockquote.userstuff").contains("very welcome"));
    let resp = reader.submit(
        &server,
        &format!("/comments/{first}/edit"),
        &[("comment[comment_content]", "changed")],
    );
    assert_eq!(resp.status(), 422, "a comment with replies is not editable");

    // Freeze: no replies below; unfreeze.
    assert_eq!(
        writer
            .submit(&server, &format!("/comments/{first}/freeze"), &[])
            .status(),
        303
    );
    let page = reader.page(&server.url(&format!("/comments/{first}")));
    assert_eq!(count(&page, &format!("li#comment_{deeper} span.frozen")), 1);
    assert_eq!(
        count(&page, &format!("li#add_comment_reply_link_{deeper}")),
        0
    );
    let (status, _, body) = comment(
        &mut reader,
        &server,
        &format!("/comments/{deeper}/comments"),
        &[("comment[comment_content]", "one more")],
    );
    assert_eq!(status, 422);
    assert!(flash(&body).contains("frozen"), "{body}");
    assert_eq!(
        reader
            .submit(&server, &format!("/comments/{first}/unfreeze"), &[])
            .status(),
        403,
        "commenters do not unfreeze"
    );
    assert_eq!(
        writer
            .submit(&server, &format!("/comments/{first}/unfreeze"), &[])
            .status(),
        303
    );

    // Delete with replies: a placeholder keeps the thread.
    assert_eq!(
        reader
            .page(&server.url(&format!("/comments/{first}/delete")))
            .select(&scraper::Selector::parse("input[value='Yes, delete!']").expect("sel"))
            .count(),
        1
    );
    assert_eq!(
        reader
            .submit(&server, &format!("/comments/{first}/delete"), &[])
            .status(),
        303
    );
    let page = Browser::new().page(&server.url(&format!("/works/{open}?show_comments=true")));
    assert_eq!(
        text(&page, &format!("li#comment_{first} p.message")),
        "(Previous comment deleted.)"
    );
    assert_eq!(count(&page, &format!("li#comment_{reply}")), 1);
    assert_eq!(text(&page, "dd.stats dd.comments"), "3");
}

#[test]
fn guests_and_new_accounts_are_rate_limited() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let open = post_work(&mut writer, &server, "Open Work", "enable_all", false);
    let guest_post = |ip: &str, n: usize| {
        let mut g = Browser::new();
        let token = g.form_token(&server);
        g.client
            .post(server.url(&format!("/works/{open}/comments")))
            .header("cookie", g.jar.header())
            .header("x-forwarded-for", ip)
            .form(&[
                ("authenticity_token", token.as_str()),
                ("comment[name]", "Guest"),
                ("comment[email]", "guest@example.org"),
                ("comment[comment_content]", &format!("comment number {n}")),
            ])
            .send()
            .expect("post")
            .status()
            .as_u16()
    };
    for n in 0..3 {
        assert_eq!(guest_post("203.0.113.5", n), 303);
    }
    assert_eq!(
        guest_post("203.0.113.5", 3),
        429,
        "the fourth in 15 minutes"
    );
    assert_eq!(
        guest_post("203.0.113.6", 4),
        303,
        "another address is not limited"
    );
    // The creator on their own work is never limited.
    for n in 0..5 {
        let (status, _, _) = comment(
            &mut writer,
            &server,
            &format!("/works/{open}/comments"),
            &[("comment[comment_content]", &format!("reply {n}"))],
        );
        assert_eq!(status, 303);
    }
}

#[test]
fn comments_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let open = post_work(&mut writer, &server, "Open Work", "enable_all", false);
    let token = support::api_token(&mut writer, &server, "writer");
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;

    // Writes need a token; bodies are checked.
    json(
        http.post(api(&format!("/works/{open}/comments")))
            .json(&serde_json::json!({"text": "no token"}))
            .send()
            .expect("post"),
        401,
    );
    json(
        http.post(api(&format!("/works/{open}/comments")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "   "}))
            .send()
            .expect("post"),
        422,
    );
    json(
        http.post(api(&format!("/works/{open}/comments")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "x", "colour": "red"}))
            .send()
            .expect("post"),
        400,
    );
    let posted = json(
        http.post(api(&format!("/works/{open}/comments")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "From a script."}))
            .send()
            .expect("post"),
        201,
    );
    let id = posted["id"].as_i64().expect("id");
    assert_eq!(posted["unreviewed"], false);
    let reply = json(
        http.post(api(&format!("/comments/{id}/replies")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "And a reply."}))
            .send()
            .expect("post"),
        201,
    )["id"]
        .as_i64()
        .expect("reply id");

    // Reading, as a guest.
    let list = json(
        http.get(api(&format!("/works/{open}/comments")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(list["total"], 2);
    assert_eq!(list["threads_total"], 1);
    let comments = list["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["login"], "writer");
    assert_eq!(comments[1]["parent_id"], id);
    assert_eq!(comments[1]["depth"], 1);
    assert!(
        comments[0]["body"]
            .as_str()
            .expect("body")
            .contains("From a script.")
    );
    json(
        http.get(api(&format!("/works/{open}/comments?page=2")))
            .send()
            .expect("get"),
        404,
    );

    // Edit the reply; the parent has replies and is not editable.
    let edited = json(
        http.patch(api(&format!("/comments/{reply}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "And a better reply."}))
            .send()
            .expect("patch"),
        200,
    );
    assert!(edited["comments"][0]["edited_at"].is_string());
    json(
        http.patch(api(&format!("/comments/{id}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"text": "changed"}))
            .send()
            .expect("patch"),
        422,
    );
    // Delete: the parent stays as a placeholder while the reply is there.
    let resp = http
        .delete(api(&format!("/comments/{id}")))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);
    let thread = json(
        http.get(api(&format!("/comments/{id}")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(thread["comments"][0]["placeholder"], "deleted");
    assert!(thread["comments"][0]["body"].is_null());
    assert_eq!(thread["comments"][1]["id"], reply);
    json(
        http.get(api("/comments/99999999")).send().expect("get"),
        404,
    );
}

#[test]
fn the_inbox_on_the_page_and_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let open = post_work(&mut writer, &server, "Open Work", "enable_all", false);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let (_, location, _) = comment(
        &mut reader,
        &server,
        &format!("/works/{open}/comments"),
        &[("comment[comment_content]", "Hello writer.")],
    );
    let first = new_id(&location);
    let (_, location, _) = comment(
        &mut Browser::new(),
        &server,
        &format!("/works/{open}/comments"),
        &[
            ("comment[name]", "Guest"),
            ("comment[email]", "guest@example.org"),
            ("comment[comment_content]", "A guest's hello."),
        ],
    );
    let second = new_id(&location);

    let page = writer.page(&server.url("/users/writer/inbox"));
    assert_eq!(text(&page, "h2.heading"), "My Inbox (2 comments, 2 unread)");
    assert_eq!(
        count(&page, "form#inbox-form ol.comment.index.group > li.unread"),
        2
    );
    assert_eq!(
        count(
            &page,
            &format!("li#feedback_comment_{first} blockquote.userstuff")
        ),
        1
    );
    assert_eq!(
        reader.get(&server.url("/users/writer/inbox")).status(),
        403,
        "only its owner"
    );
    assert_eq!(
        Browser::new()
            .get(&server.url("/users/writer/inbox"))
            .status(),
        303,
        "log in first"
    );

    // Reply from the inbox: the item is replied to and read; the reader
    // finds the reply in theirs.
    let resp = writer.submit(
        &server,
        &format!("/comments/{first}/comments"),
        &[
            ("comment[comment_content]", "Hello reader!"),
            ("return_to", "/users/writer/inbox"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"],
        "/users/writer/inbox?comment=posted"
    );
    let page = writer.page(&server.url("/users/writer/inbox?filters%5Breplied_to%5D=true"));
    assert_eq!(count(&page, "ol.comment.index.group > li"), 1);
    assert_eq!(
        count(
            &page,
            &format!("li#feedback_comment_{first}.read span.replied")
        ),
        1
    );
    let theirs = reader.page(&server.url("/users/reader/inbox"));
    assert!(text(&theirs, "ol.comment.index.group").contains("Hello reader!"));

    // Bulk marks.
    let resp = writer.submit(
        &server,
        "/users/writer/inbox",
        &[
            ("inbox_comments[]", &second.to_string()),
            ("commit", "Mark Read"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = writer.page(&server.url("/users/writer/inbox"));
    assert_eq!(text(&page, "h2.heading"), "My Inbox (2 comments, 0 unread)");
    let resp = writer.submit(
        &server,
        "/users/writer/inbox",
        &[
            ("inbox_comments[]", &second.to_string()),
            ("commit", "Delete From Inbox"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = writer.page(&server.url("/users/writer/inbox"));
    assert_eq!(text(&page, "h2.heading"), "My Inbox (1 comment, 0 unread)");
    let resp = writer.submit(&server, "/users/writer/inbox", &[("commit", "Burn It All")]);
    assert_eq!(resp.status(), 400);
    assert_eq!(
        writer
            .get(&server.url("/users/writer/inbox?filters%5Bread%5D=maybe"))
            .status(),
        400
    );

    // The API: the same inbox, and marks with a token.
    let token = support::api_token(&mut reader, &server, "reader");
    let http = reqwest::blocking::Client::new();
    let inbox: serde_json::Value = http
        .get(server.url("/api/v1/inbox?read=false"))
        .bearer_auth(&token)
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(inbox["unread"], 1);
    assert_eq!(inbox["items"][0]["comment"]["login"], "writer");
    let reply_id = inbox["items"][0]["comment"]["id"].as_i64().expect("id");
    let marked: serde_json::Value = http
        .post(server.url("/api/v1/inbox"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"action": "read", "comment_ids": [reply_id]}))
        .send()
        .expect("post")
        .json()
        .expect("json");
    assert_eq!(marked["changed"], 1);
    let resp = http.get(server.url("/api/v1/inbox")).send().expect("get");
    assert_eq!(resp.status(), 401, "an inbox needs an account");
}

/// A guest's page of comments comes from the comment cache once it was
/// rendered; every change it shows must reach it at once — from this node
/// or from another node on the same database — and an account gets the
/// shared page only as a plain reader of the work.
#[test]
fn cached_comment_pages_are_never_stale_on_any_node() {
    let dir = ficus_testkit::temp_dir();
    let a = serve(dir.path());
    let b = support::serve_node(dir.path(), "index-b");
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &a, "writer").status(), 303);
    let work = post_work(&mut writer, &a, "Cached Work", "enable_all", false);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &b, "reader").status(), 303);
    assert!(admin(dir.path(), &["comments", "--rate", "100/60"]).contains("100 per 60 s"));
    let path = format!("/works/{work}?show_comments=true&view_adult=true");
    let mut guest = Browser::new();
    let mut guest_page = || guest.page(&a.url(&path));

    let page = guest_page();
    assert_eq!(text(&page, "li#show_comments_link"), "Hide Comments (0)");
    assert_eq!(count(&page, "li.comment"), 0);
    assert_eq!(count(&guest_page(), "li.comment"), 0, "a repeat, cached");

    // Posted through the other node: seen here on the next request.
    let (status, location, _) = comment(
        &mut reader,
        &b,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", "First words.")],
    );
    assert_eq!(status, 303, "{location}");
    let first = new_id(&location);
    let page = guest_page();
    assert_eq!(text(&page, "li#show_comments_link"), "Hide Comments (1)");
    assert_eq!(
        text(&page, &format!("li#comment_{first} blockquote.userstuff")),
        "First words."
    );
    assert_eq!(
        count(&page, &format!("li#add_comment_reply_link_{first}")),
        1
    );
    assert_eq!(
        count(
            &page,
            "#comments_placeholder input[name=authenticity_token]"
        ),
        0,
        "a guest's threads hold no form token"
    );
    // Plain reading accounts share one rendering; the comment's author,
    // and an account that blocked them, get their own.
    let mut plain = Browser::new();
    assert_eq!(signup(&mut plain, &a, "plainreader").status(), 303);
    for _ in 0..2 {
        let page = plain.page(&a.url(&path));
        assert_eq!(
            count(&page, &format!("li#add_comment_reply_link_{first}")),
            1
        );
        assert_eq!(count(&page, &format!("li#edit_comment_link_{first}")), 0);
    }
    let own = reader.page(&a.url(&path));
    assert_eq!(
        count(&own, &format!("li#edit_comment_link_{first}")),
        1,
        "the author's own actions, not the shared page"
    );
    assert_eq!(
        plain
            .submit(
                &a,
                "/users/plainreader/blocked",
                &[("action", "add"), ("other", "reader")]
            )
            .status(),
        303
    );
    let page = plain.page(&a.url(&path));
    assert_eq!(
        text(&page, &format!("li#comment_{first} p.message")),
        "(This comment is by an account you have blocked.)"
    );
    let mut other_plain = Browser::new();
    assert_eq!(signup(&mut other_plain, &b, "otherreader").status(), 303);
    let page = other_plain.page(&a.url(&path));
    assert_eq!(
        text(&page, &format!("li#comment_{first} blockquote.userstuff")),
        "First words.",
        "another plain account still sees the comment"
    );

    // Edited, frozen, the archive's guest switch, deleted: each shows.
    let resp = reader.submit(
        &b,
        &format!("/comments/{first}/edit"),
        &[("comment[comment_content]", "Second thoughts.")],
    );
    assert_eq!(resp.status(), 303);
    let page = guest_page();
    assert_eq!(
        text(&page, &format!("li#comment_{first} blockquote.userstuff")),
        "Second thoughts."
    );
    assert!(text(&page, &format!("li#comment_{first} p.edited")).starts_with("Last Edited"));
    assert_eq!(
        writer
            .submit(&b, &format!("/comments/{first}/freeze"), &[])
            .status(),
        303
    );
    let page = guest_page();
    assert_eq!(count(&page, &format!("li#comment_{first} span.frozen")), 1);
    assert_eq!(
        count(&page, &format!("li#add_comment_reply_link_{first}")),
        0
    );
    // The creator's own view on the cached node: their buttons, with
    // their form token, not the guests' markup.
    let own = writer.page(&a.url(&path));
    assert_eq!(
        count(
            &own,
            &format!("li#freeze_comment_link_{first} input[name=authenticity_token]")
        ),
        1
    );
    assert_eq!(
        writer
            .submit(&a, &format!("/comments/{first}/unfreeze"), &[])
            .status(),
        303
    );
    assert_eq!(
        count(&guest_page(), &format!("li#add_comment_reply_link_{first}")),
        1
    );
    admin(dir.path(), &["comments", "--guests", "off"]);
    let page = guest_page();
    assert_eq!(
        count(&page, &format!("li#add_comment_reply_link_{first}")),
        0,
        "no guest replies once guest comments are off"
    );
    assert_eq!(count(&page, "textarea[name='comment[comment_content]']"), 0);
    admin(dir.path(), &["comments", "--guests", "on"]);
    assert_eq!(
        reader
            .submit(&b, &format!("/comments/{first}/delete"), &[])
            .status(),
        303
    );
    let page = guest_page();
    assert_eq!(text(&page, "li#show_comments_link"), "Hide Comments (0)");
    assert_eq!(count(&page, "li.comment"), 0);
}
