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

/// The bookmark id a successful bookmark form redirects to.
fn bookmark_id(resp: &reqwest::blocking::Response) -> i64 {
    assert_eq!(resp.status(), 303, "bookmarked");
    location(resp)
        .trim_start_matches("/bookmarks/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("bookmark id")
}

#[test]
fn bookmarks_of_series_and_external_works() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work = support::post_work_with(
        &mut writer,
        &server,
        "Part One",
        "Road Fandom",
        &[
            ("work[chapter_attributes][content]", "<p>Words.</p>"),
            ("work[series_attributes][title]", "The Long Road"),
        ],
    );
    let page = writer.page(&server.url(&format!("/works/{work}")));
    let series: i64 = attr(&page, "dd.series a[href^='/series/']", "href")
        .expect("the series link")
        .trim_start_matches("/series/")
        .parse()
        .expect("series id");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut guest = Browser::new();

    // A series: "Bookmark Series" on its page, AO3's form, its blurb in
    // the bookmark, its count and listing.
    let page = reader.page(&server.url(&format!("/series/{series}")));
    assert_eq!(text(&page, "li.bookmark a"), "Bookmark Series");
    let form = reader.page(&server.url(&format!("/series/{series}/bookmarks/new")));
    assert_eq!(
        attr(&form, "form#new_bookmark", "action").as_deref(),
        Some(&*format!("/series/{series}/bookmarks"))
    );
    let resp = reader.submit(
        &server,
        &format!("/series/{series}/bookmarks"),
        &[
            ("bookmark[bookmarker_notes]", "The whole road."),
            ("bookmark[tag_string]", "long reads"),
        ],
    );
    let of_series = bookmark_id(&resp);
    let page = guest.page(&server.url(&format!("/bookmarks/{of_series}")));
    assert_eq!(
        count(&page, &format!("li.bookmark.blurb.group.series-{series}")),
        1
    );
    assert_eq!(
        attr(&page, "li.bookmark h4.heading a", "href").as_deref(),
        Some(&*format!("/series/{series}"))
    );
    assert_eq!(text(&page, "li.bookmark h4.heading a"), "The Long Road");
    assert_eq!(text(&page, "blockquote.userstuff.notes"), "The whole road.");
    let page = guest.page(&server.url(&format!("/series/{series}")));
    assert_eq!(text(&page, "dd.bookmarks a"), "1");
    let page = guest.page(&server.url(&format!("/series/{series}/bookmarks")));
    assert_eq!(count(&page, "ol.bookmark.index li.bookmark"), 1);
    assert!(text(&page, "h2.heading").starts_with("1 Bookmark of"));
    let page = reader.page(&server.url(&format!("/series/{series}")));
    assert_eq!(text(&page, "li.bookmark a"), "Edit Bookmark");
    let resp = reader.submit(
        &server,
        &format!("/series/{series}/bookmarks"),
        &[("bookmark[bookmarker_notes]", "Again.")],
    );
    assert_eq!(resp.status(), 422, "once per account per series");

    // An external work: checked like a work's fields, never fetched.
    let form = reader.page(&server.url("/external_works/new"));
    assert_eq!(
        attr(&form, "form#new_bookmark", "action").as_deref(),
        Some("/bookmarks")
    );
    assert_eq!(count(&form, "input[name='bookmark[external][url]']"), 1);
    let external = |url: &'static str, fandom: &'static str| {
        vec![
            ("bookmark[external][url]", url),
            ("bookmark[external][author]", "Someone Else"),
            ("bookmark[external][title]", "Found Elsewhere"),
            ("bookmark[external][summary]", "From an old site."),
            ("bookmark[external][fandom_string]", fandom),
            ("bookmark[external][rating_string]", "General Audiences"),
            ("bookmark[external][category_strings][]", "Gen"),
            ("bookmark[external][character_string]", "Wanderer"),
            ("bookmark[bookmarker_notes]", "A rec from elsewhere."),
        ]
    };
    let resp = reader.submit(
        &server,
        "/bookmarks",
        &external("https://example.org/s/7", ""),
    );
    assert_eq!(resp.status(), 422);
    let page = scraper::Html::parse_document(&resp.text().expect("body"));
    assert!(text(&page, "#error").contains("Fandom tag is required."));
    assert_eq!(
        attr(&page, "#external_title", "value").as_deref(),
        Some("Found Elsewhere"),
        "the form comes back filled in"
    );
    let resp = reader.submit(
        &server,
        "/bookmarks",
        &external("javascript:alert(1)", "Old Fandom"),
    );
    assert_eq!(resp.status(), 422);
    let resp = reader.submit(
        &server,
        "/bookmarks",
        &external("https://example.org/s/7#chapter-2", "Old Fandom"),
    );
    let of_external = bookmark_id(&resp);
    let page = guest.page(&server.url(&format!("/bookmarks/{of_external}")));
    let link = "li.bookmark h4.heading a[href='https://example.org/s/7']";
    assert_eq!(count(&page, link), 1, "the address, without its fragment");
    assert!(
        attr(&page, link, "rel")
            .unwrap_or_default()
            .contains("nofollow")
    );
    assert_eq!(text(&page, "li.bookmark h5.fandoms a.tag"), "Old Fandom");
    let external_id: i64 = attr(&page, "p.external a", "href")
        .expect("the external work's page")
        .trim_start_matches("/external_works/")
        .parse()
        .expect("id");

    // A second reader bookmarks the same address: the same external work.
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, &server, "other").status(), 303);
    let form = other.page(&server.url(&format!(
        "/external_works/new?external_work_id={external_id}"
    )));
    assert_eq!(
        attr(&form, "#external_url", "value").as_deref(),
        Some("https://example.org/s/7"),
        "filled in from the external work"
    );
    let mut again = external("https://example.org/s/7", "Old Fandom");
    again[2] = ("bookmark[external][title]", "A Different Title");
    bookmark_id(&other.submit(&server, "/bookmarks", &again));
    let page = guest.page(&server.url(&format!("/external_works/{external_id}")));
    assert_eq!(count(&page, "ol.bookmark.index li.bookmark"), 2);
    assert_eq!(
        text(&page, "div.external_work.blurb h4.heading a"),
        "Found Elsewhere",
        "the first details stand"
    );
    let resp = other.get(&server.url(&format!(
        "/external_works/new?external_work_id={external_id}"
    )));
    assert_eq!(resp.status(), 303);
    assert!(
        location(&resp).ends_with("/edit"),
        "her own bookmark of it, to edit"
    );

    // The account's list holds both kinds, exactly counted.
    let page = guest.page(&server.url("/users/reader/bookmarks"));
    assert_eq!(count(&page, "ol.bookmark.index li.bookmark"), 2);
    assert_eq!(text(&page, "h2.heading"), "2 Bookmarks by reader");

    // The API: the same use cases.
    let token = support::api_token(&mut other, &server, "other");
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;
    let made = json(
        http.post(api(&format!("/series/{series}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"notes": "By script.", "rec": true}))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(made["kind"], "series");
    assert_eq!(made["item_id"], series);
    assert_eq!(made["item_title"], "The Long Road");
    assert_eq!(made["work_id"], serde_json::Value::Null);
    let listed = json(
        http.get(api(&format!("/series/{series}/bookmarks")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(listed["total"], 2);
    let made = json(
        http.post(api("/bookmarks"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "external": {
                    "url": "https://example.net/another",
                    "title": "Another Place",
                    "creator": "A. Writer",
                    "fandoms": ["Old Fandom"]
                },
                "private": true
            }))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(made["kind"], "external_work");
    assert_eq!(made["external_url"], "https://example.net/another");
    json(
        http.post(api("/bookmarks"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"notes": "no item"}))
            .send()
            .expect("post"),
        422,
    );
    json(
        http.post(api("/bookmarks"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "external": {"url": "ftp://example.net/x", "title": "T", "creator": "C", "fandoms": ["F"]}
            }))
            .send()
            .expect("post"),
        422,
    );
    json(
        http.post(api(&format!("/works/{work}/bookmarks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "external": {"url": "https://example.net/y", "title": "T", "creator": "C", "fandoms": ["F"]}
            }))
            .send()
            .expect("post"),
        422,
    );
    let listed = json(
        http.get(api(&format!("/external_works/{external_id}/bookmarks")))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(listed["total"], 2);
}

/// Work ids a listing page shows, in order.
fn listed_works(page: &scraper::Html) -> Vec<i64> {
    let sel = scraper::Selector::parse("ol.bookmark.index > li.bookmark").expect("selector");
    page.select(&sel)
        .filter_map(|li| li.value().attr("id"))
        .filter_map(|id| id.trim_start_matches("bookmark_item_").parse().ok())
        .collect()
}

/// The page at `path` once `done` holds for it (the index follows the
/// database within seconds).
fn once(
    b: &mut Browser,
    server: &ficus_testkit::ServerProcess,
    path: &str,
    done: impl Fn(&scraper::Html) -> bool,
) -> scraper::Html {
    let started = std::time::Instant::now();
    loop {
        let page = b.page(&server.url(path));
        if done(&page) {
            return page;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "{path}: never as expected; last seen {:?}",
            listed_works(&page)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn bookmark_listings_filter_through_the_index() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let slow = support::post_tagged_work(
        &mut writer,
        &server,
        "Slow Going",
        "Index Fandom",
        "Slow Burn",
        "<p>Words.</p>",
    );
    let quick = support::post_simple_work(&mut writer, &server, "Quick Read", "Index Fandom");
    let elsewhere = support::post_simple_work(&mut writer, &server, "Elsewhere", "Other Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, &server, "other").status(), 303);
    let mut guest = Browser::new();

    // Nothing bookmarked yet: the tag's bookmark listing is empty.
    let page = guest.page(&server.url("/tags/Index%20Fandom/bookmarks"));
    assert_eq!(listed_works(&page), Vec::<i64>::new());
    bookmark_id(&reader.submit(
        &server,
        &format!("/works/{quick}/bookmarks"),
        &[("bookmark[tag_string]", "short")],
    ));
    bookmark_id(&reader.submit(
        &server,
        &format!("/works/{slow}/bookmarks"),
        &[
            ("bookmark[bookmarker_notes]", "Worth the wait."),
            ("bookmark[tag_string]", "comfort read"),
            ("bookmark[rec]", "1"),
        ],
    ));
    // A private bookmark puts nothing on the listings.
    bookmark_id(&other.submit(
        &server,
        &format!("/works/{elsewhere}/bookmarks"),
        &[("bookmark[private]", "1")],
    ));

    // Newest bookmark first; each work once, with its bookmarks under it.
    let page = once(&mut guest, &server, "/tags/Index%20Fandom/bookmarks", |p| {
        listed_works(p).len() == 2
    });
    assert_eq!(listed_works(&page), vec![slow, quick]);
    assert!(
        text(&page, "h2.heading").starts_with("1 - 2 of 2 Bookmarked Items in"),
        "{}",
        text(&page, "h2.heading")
    );
    assert_eq!(
        text(
            &page,
            &format!("#bookmark_item_{slow} blockquote.userstuff.notes")
        ),
        "Worth the wait."
    );
    // The sidebar counts the listed works' tags, exactly.
    assert!(text(&page, "dl.include dd.freeform").contains("Slow Burn (1)"));
    assert!(text(&page, "dl.include dd.fandom").contains("Index Fandom (2)"));

    // AO3's bookmark filters.
    let rec = guest.page(&server.url("/tags/Index%20Fandom/bookmarks?bookmark_search%5Brec%5D=1"));
    assert_eq!(listed_works(&rec), vec![slow]);
    let noted =
        guest.page(&server.url("/tags/Index%20Fandom/bookmarks?bookmark_search%5Bwith_notes%5D=1"));
    assert_eq!(listed_works(&noted), vec![slow]);
    let tagged =
        guest.page(&server.url(
            "/tags/Index%20Fandom/bookmarks?bookmark_search%5Bother_bookmark_tag_names%5D=short",
        ));
    assert_eq!(listed_works(&tagged), vec![quick]);
    let without = guest.page(&server.url(
        "/tags/Index%20Fandom/bookmarks?bookmark_search%5Bexcluded_bookmark_tag_names%5D=comfort+read",
    ));
    assert_eq!(listed_works(&without), vec![quick]);
    let work_tag = guest.page(
        &server.url("/tags/Index%20Fandom/bookmarks?work_search%5Bexcluded_tag_names%5D=Slow+Burn"),
    );
    assert_eq!(listed_works(&work_tag), vec![quick]);
    assert_eq!(
        guest
            .get(
                &server
                    .url("/tags/Index%20Fandom/bookmarks?bookmark_search%5Bsort_column%5D=kudos")
            )
            .status(),
        400
    );

    // The archive's bookmarked works: the private bookmark's work is not
    // there; a new bookmark moves its work to the top.
    let all = guest.page(&server.url("/bookmarks?bookmark_search%5Bsort_column%5D=created_at"));
    assert_eq!(listed_works(&all), vec![slow, quick]);
    bookmark_id(&other.submit(&server, &format!("/works/{quick}/bookmarks"), &[]));
    let all = once(
        &mut guest,
        &server,
        "/bookmarks?bookmark_search%5Bsort_column%5D=created_at",
        |p| listed_works(p).first() == Some(&quick),
    );
    assert_eq!(listed_works(&all), vec![quick, slow]);
    assert_eq!(
        count(&all, &format!("#bookmark_item_{quick} ul.bookmarks > li")),
        2
    );
    // Deleting the only bookmark of a work takes it off the listings.
    let page = reader.page(&server.url("/users/reader/bookmarks"));
    let slow_bookmark: i64 = attr(&page, &format!("li.bookmark.work-{slow}"), "id")
        .expect("reader's bookmark of slow")
        .trim_start_matches("bookmark_")
        .parse()
        .expect("id");
    let resp = reader.submit(
        &server,
        &format!("/bookmarks/{slow_bookmark}"),
        &[("_method", "delete")],
    );
    assert_eq!(resp.status(), 303);
    once(&mut guest, &server, "/tags/Index%20Fandom/bookmarks", |p| {
        listed_works(p) == vec![quick]
    });
}
