//! Bookmarks over HTTP against the real server: AO3's form and blurb
//! markup, one per account per work, notes and the bookmarker's tags,
//! private and rec, the public count on the work page, the listings, edit
//! and delete — and what guests see once a work is for registered users.

mod support;

use support::{Browser, attr, count, serve, signup, text};

fn location(resp: &reqwest::blocking::Response) -> String {
    resp.headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii").to_string())
        .unwrap_or_default()
}

#[test]
fn bookmarks_from_the_form_to_the_listings() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work = support::post_simple_work(&mut writer, &server, "Worth Keeping", "Bookmark Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut guest = Browser::new();

    // Guests get no button; an account gets "Bookmark" and AO3's form.
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(count(&page, "li.bookmark"), 0);
    let page = reader.page(&server.url(&format!("/works/{work}")));
    assert_eq!(
        text(&page, "ul.work.navigation.actions li.bookmark a"),
        "Bookmark"
    );
    let resp = guest.get(&server.url(&format!("/works/{work}/bookmarks/new")));
    assert_eq!(resp.status(), 303);
    assert!(
        location(&resp).starts_with("/users/login"),
        "guests log in first"
    );
    let form = reader.page(&server.url(&format!("/works/{work}/bookmarks/new")));
    assert_eq!(count(&form, "div.post.bookmark#bookmark-form form"), 1);
    assert_eq!(
        count(&form, "textarea[name='bookmark[bookmarker_notes]']"),
        1
    );
    assert_eq!(
        attr(&form, "input[name='bookmark[pseud_id]']", "type").as_deref(),
        Some("hidden"),
        "one pseud: no choice to make"
    );

    let resp = reader.submit(
        &server,
        &format!("/works/{work}/bookmarks"),
        &[
            (
                "bookmark[bookmarker_notes]",
                "Read it twice.\n\n<script>alert(1)</script>Worth it.",
            ),
            (
                "bookmark[tag_string]",
                "comfort read, Slow Burn, comfort READ",
            ),
            ("bookmark[rec]", "1"),
            ("commit", "Create"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(to.ends_with("?bookmark=created"), "{to}");
    let id: i64 = to
        .trim_start_matches("/bookmarks/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("id");
    let shown = guest.page(&server.url(&to));
    assert_eq!(
        text(&shown, "div.flash.notice"),
        "Bookmark was successfully created."
    );
    let li = format!("li#bookmark_{id}.bookmark.blurb.group");
    assert_eq!(count(&shown, &li), 1);
    assert_eq!(
        text(
            &shown,
            &format!("{li} div.header.module h4.heading a:first-child")
        ),
        "Worth Keeping"
    );
    assert_eq!(
        text(&shown, &format!("{li} p.status span.rec span.text")),
        "Rec"
    );
    assert_eq!(
        text(&shown, &format!("{li} h5.byline.heading")),
        "Bookmarked by reader"
    );
    assert_eq!(count(&shown, &format!("{li} ul.meta.tags.commas li")), 2);
    let notes = text(&shown, &format!("{li} blockquote.userstuff.notes"));
    assert!(
        notes.contains("Read it twice.") && notes.contains("Worth it."),
        "{notes}"
    );
    assert!(!notes.contains("alert"), "sanitized: {notes}");
    assert_eq!(
        count(&shown, &format!("{li} ul.actions a")),
        0,
        "a guest has no edit or delete"
    );

    // Counted on the work, listed for everyone; once per account.
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.stats dd.bookmarks"), "1");
    assert_eq!(
        attr(&page, "dd.stats dd.bookmarks a", "href"),
        Some(format!("/works/{work}/bookmarks"))
    );
    let page = reader.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "li.bookmark a"), "Edit Bookmark");
    let listed = guest.page(&server.url("/users/reader/bookmarks"));
    assert_eq!(text(&listed, "h2.heading"), "1 Bookmark by reader");
    let listed = guest.page(&server.url(&format!("/works/{work}/bookmarks")));
    assert_eq!(count(&listed, "ol.bookmark.index.group > li"), 1);
    let resp = reader.submit(
        &server,
        &format!("/works/{work}/bookmarks"),
        &[("bookmark[bookmarker_notes]", "again")],
    );
    assert_eq!(resp.status(), 422);
    let body = resp.text().expect("body");
    assert!(body.contains("You have already bookmarked that."), "{body}");

    // Too long: refused, nothing changed.
    let resp = reader.submit(
        &server,
        &format!("/bookmarks/{id}"),
        &[
            ("_method", "put"),
            ("bookmark[bookmarker_notes]", &"x".repeat(5_001)),
        ],
    );
    assert_eq!(resp.status(), 422);
    // Private: the owner's alone, and out of the public count.
    let resp = reader.submit(
        &server,
        &format!("/bookmarks/{id}"),
        &[
            ("_method", "put"),
            ("bookmark[bookmarker_notes]", "Only mine now."),
            ("bookmark[tag_string]", "comfort read"),
            ("bookmark[private]", "1"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), format!("/bookmarks/{id}?bookmark=updated"));
    assert_eq!(
        guest.get(&server.url(&format!("/bookmarks/{id}"))).status(),
        404
    );
    assert_eq!(
        writer
            .get(&server.url(&format!("/bookmarks/{id}")))
            .status(),
        404,
        "not even the work's creator"
    );
    let own = reader.page(&server.url("/users/reader/bookmarks"));
    assert_eq!(
        text(
            &own,
            &format!("li#bookmark_{id} p.status span.private span.text")
        ),
        "Private Bookmark"
    );
    assert_eq!(
        text(
            &own,
            &format!("li#bookmark_{id} blockquote.userstuff.notes")
        ),
        "Only mine now."
    );
    let listed = guest.page(&server.url("/users/reader/bookmarks"));
    assert_eq!(text(&listed, "h2.heading"), "0 Bookmarks by reader");
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.stats dd.bookmarks"), "0");
    // The creator's statistics count it (AO3's do: blurbs count the
    // public ones).
    let stats = writer.page(&server.url("/users/writer/stats?sort_column=bookmarks"));
    assert_eq!(
        text(&stats, &format!("tr#stat_work_{work} td.bookmarks")),
        "1"
    );
    assert_eq!(text(&stats, "dl.statistics dd.bookmarks"), "1");
    assert_eq!(
        writer
            .submit(
                &server,
                &format!("/bookmarks/{id}"),
                &[("_method", "delete")]
            )
            .status(),
        403,
        "only its owner deletes it"
    );

    // Delete, after AO3's confirmation page.
    let confirm = reader.page(&server.url(&format!("/bookmarks/{id}/confirm_delete")));
    assert_eq!(
        attr(&confirm, "form.simple.destroy input[name=_method]", "value").as_deref(),
        Some("delete")
    );
    let resp = reader.submit(
        &server,
        &format!("/bookmarks/{id}"),
        &[("_method", "delete")],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/users/reader/bookmarks?bookmark=deleted");
    assert_eq!(
        reader
            .get(&server.url(&format!("/bookmarks/{id}")))
            .status(),
        404
    );
    let page = reader.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "li.bookmark a"), "Bookmark");
}

#[test]
fn bookmarks_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work = support::post_simple_work(&mut writer, &server, "Kept By Script", "Bookmark Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let token = support::api_token(&mut reader, &server, "reader");
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;

    // Writes need a token; bodies are checked.
    json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .json(&serde_json::json!({}))
            .send()
            .expect("post"),
        401,
    );
    json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"colour": "red"}))
            .send()
            .expect("post"),
        400,
    );
    json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"tags": ["one, two"]}))
            .send()
            .expect("post"),
        422,
    );
    let made = json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "notes": "Kept for later.",
                "tags": ["to reread", "Bookmark Fandom"],
                "rec": true
            }))
            .send()
            .expect("post"),
        201,
    );
    let id = made["id"].as_i64().expect("id");
    assert_eq!(made["work_id"], work);
    assert_eq!(made["work_title"], "Kept By Script");
    assert_eq!(made["notes"], "<p>Kept for later.</p>");
    assert_eq!(
        made["tags"],
        serde_json::json!(["to reread", "Bookmark Fandom"])
    );
    assert_eq!(made["rec"], true);
    json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .expect("post"),
        422,
    );

    // Reading, as a guest.
    let list = json(
        http.get(api(&format!("/works/{work}/bookmarks")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(list["total"], 1);
    assert_eq!(list["bookmarks"][0]["id"], id);
    let list = json(
        http.get(api("/users/reader/bookmarks"))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(list["total"], 1);

    // PATCH keeps what it is not given; private leaves the public lists.
    let changed = json(
        http.patch(api(&format!("/bookmarks/{id}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"private": true}))
            .send()
            .expect("patch"),
        200,
    );
    assert_eq!(changed["private"], true);
    assert_eq!(changed["notes"], "<p>Kept for later.</p>");
    assert_eq!(
        changed["tags"],
        serde_json::json!(["to reread", "Bookmark Fandom"])
    );
    json(
        http.get(api(&format!("/bookmarks/{id}")))
            .send()
            .expect("get"),
        404,
    );
    let list = json(
        http.get(api("/users/reader/bookmarks"))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(list["total"], 0);
    let own = json(
        http.get(api("/users/reader/bookmarks"))
            .bearer_auth(&token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(own["total"], 1, "the owner sees their private bookmark");
    let work_json = json(
        http.get(api(&format!("/works/{work}")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(work_json["bookmarks"], 0);

    // Someone else's bookmark is not there for them to change.
    let writer_token = support::api_token(&mut writer, &server, "writer");
    json(
        http.delete(api(&format!("/bookmarks/{id}")))
            .bearer_auth(&writer_token)
            .send()
            .expect("delete"),
        404,
    );
    let resp = http
        .delete(api(&format!("/bookmarks/{id}")))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);
    json(
        http.get(api(&format!("/bookmarks/{id}")))
            .bearer_auth(&token)
            .send()
            .expect("get"),
        404,
    );
}

#[test]
fn a_moderator_hides_a_bookmark() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work = support::post_simple_work(&mut writer, &server, "Bookmarked", "Hide Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut moderator = Browser::new();
    assert_eq!(signup(&mut moderator, &server, "mod").status(), 303);
    support::admin(dir.path(), &["set-role", "mod", "moderator"]);
    let resp = reader.submit(
        &server,
        &format!("/works/{work}/bookmarks"),
        &[("bookmark[bookmarker_notes]", "Buy cheap pills at …")],
    );
    assert_eq!(resp.status(), 303);
    let bookmark = location(&resp)
        .trim_start_matches("/bookmarks/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    let path = format!("/bookmarks/{bookmark}");

    // Readers see no moderation button, and may not use its address.
    let page = reader.page(&server.url(&path));
    assert_eq!(count(&page, "form.moderation"), 0);
    let resp = reader.submit(&server, &format!("{path}/hide"), &[]);
    assert_eq!(resp.status(), 403);

    // The moderator hides it, with a reason.
    let page = moderator.page(&server.url(&path));
    assert_eq!(
        attr(&page, "form.moderation input[type=submit]", "value").as_deref(),
        Some("Hide Bookmark")
    );
    let resp = moderator.submit(&server, &format!("{path}/hide"), &[("reason", "spam")]);
    assert_eq!(resp.status(), 303);
    let page = moderator.page(&server.url(&path));
    assert_eq!(
        attr(&page, "form.moderation input[type=submit]", "value").as_deref(),
        Some("Unhide Bookmark")
    );
    assert_eq!(Browser::new().get(&server.url(&path)).status(), 404);
    let listing = Browser::new().page(&server.url(&format!("/works/{work}/bookmarks")));
    assert!(!text(&listing, "#main").contains("cheap pills"));
    let page = Browser::new().page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.stats dd.bookmarks"), "0");
    let own = reader.page(&server.url(&path));
    assert!(
        text(&own, "li.bookmark.blurb").contains("Bookmark Hidden by Admin"),
        "{}",
        text(&own, "li.bookmark.blurb")
    );
    let log = moderator.page(&server.url("/admin/audit"));
    assert!(
        text(&log, "#main").contains("hide_bookmark"),
        "{}",
        text(&log, "#main")
    );

    // Unhidden, it is back for everyone.
    let resp = moderator.submit(&server, &format!("{path}/unhide"), &[]);
    assert_eq!(resp.status(), 303);
    assert_eq!(Browser::new().get(&server.url(&path)).status(), 200);
    let page = Browser::new().page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.stats dd.bookmarks"), "1");
}
