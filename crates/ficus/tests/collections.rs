//! Collections over HTTP against the real server: the form, adding a
//! work (open and moderated collections), the maintainers' queue, the
//! work page's "Collections:" line, and the collection's works listing
//! through the index.

mod support;

use support::{Browser, attr, count, serve, signup, text};

fn location(resp: &reqwest::blocking::Response) -> String {
    resp.headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii").to_string())
        .unwrap_or_default()
}

/// Work ids a listing page shows.
fn listed(page: &scraper::Html) -> Vec<i64> {
    let sel = scraper::Selector::parse("ol.work.index > li.work").expect("selector");
    page.select(&sel)
        .filter_map(|li| li.value().attr("id"))
        .filter_map(|id| id.trim_start_matches("work_").parse().ok())
        .collect()
}

fn make(b: &mut Browser, server: &ficus_testkit::ServerProcess, name: &str, moderated: bool) {
    let mut fields = vec![
        ("collection[name]", name),
        ("collection[title]", "Summer Fest"),
        ("collection[description]", "Stories for the summer."),
    ];
    if moderated {
        fields.push((
            "collection[collection_preference_attributes][moderated]",
            "1",
        ));
    }
    let resp = b.submit(server, "/collections", &fields);
    assert_eq!(resp.status(), 303, "making {name}");
    assert!(location(&resp).starts_with(&format!("/collections/{name}")));
}

#[test]
fn collections_from_the_form_to_the_listing() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut owner = Browser::new();
    assert_eq!(signup(&mut owner, &server, "keeper").status(), 303);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let mut guest = Browser::new();

    // The form: a bad name comes back with the reason, filled in.
    let form = owner.page(&server.url("/collections/new"));
    assert_eq!(count(&form, "form#new_collection"), 1);
    let resp = owner.submit(
        &server,
        "/collections",
        &[
            ("collection[name]", "has space"),
            ("collection[title]", "T"),
        ],
    );
    assert_eq!(resp.status(), 422);
    make(&mut owner, &server, "Summer_Fest", false);
    make(&mut owner, &server, "Mod_Fest", true);
    let resp = owner.submit(
        &server,
        "/collections",
        &[
            ("collection[name]", "summer_fest"),
            ("collection[title]", "T"),
        ],
    );
    assert_eq!(resp.status(), 422, "names are unique by case");
    let page = guest.page(&server.url("/collections/summer_fest"));
    assert_eq!(text(&page, "h2.heading a"), "Summer Fest");
    assert!(text(&page, "dd.maintainers").contains("keeper"));
    let page = guest.page(&server.url("/collections"));
    assert!(text(&page, "h2.heading").starts_with("2 Collections"));

    // A creator adds their work to both: in the open one at once, the
    // moderated one waits for a maintainer.
    let work = support::post_simple_work(&mut writer, &server, "Beach Story", "Fest Fandom");
    let page = writer.page(&server.url(&format!("/works/{work}")));
    assert_eq!(
        attr(&page, "li.collections a", "href").as_deref(),
        Some(&*format!("/collection_items/new?work_id={work}"))
    );
    let resp = writer.submit(
        &server,
        "/collection_items",
        &[
            ("work_id", &work.to_string()),
            ("collection_names", "Summer_Fest, No_Such"),
        ],
    );
    assert_eq!(resp.status(), 422, "all or nothing");
    let resp = writer.submit(
        &server,
        "/collection_items",
        &[
            ("work_id", &work.to_string()),
            ("collection_names", "Summer_Fest, Mod_Fest"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).ends_with("collection_items=waiting"));
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.collections"), "Summer Fest");
    // Another account cannot add the writer's work.
    let resp = owner.submit(
        &server,
        "/collection_items",
        &[
            ("work_id", &work.to_string()),
            ("collection_names", "Summer_Fest"),
        ],
    );
    assert_eq!(resp.status(), 422, "already in it");

    // The collection's works, through the index (it follows within
    // seconds).
    let started = std::time::Instant::now();
    loop {
        let page = guest.page(&server.url("/collections/Summer_Fest/works"));
        if listed(&page) == vec![work] {
            assert!(text(&page, "h2.heading").contains("Summer Fest"));
            break;
        }
        assert!(started.elapsed().as_secs() < 15, "never listed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let page = guest.page(&server.url("/collections/Mod_Fest/works"));
    assert_eq!(listed(&page), Vec::<i64>::new(), "waiting for approval");

    // The queue: maintainers only; approving puts the work in.
    assert_eq!(
        writer
            .get(&server.url("/collections/Mod_Fest/items"))
            .status(),
        403
    );
    let queue = owner.page(&server.url("/collections/Mod_Fest/items"));
    let item: i64 = attr(&queue, "li.collection_item", "id")
        .expect("an item waits")
        .trim_start_matches("collection_item_")
        .parse()
        .expect("id");
    let resp = owner.submit(
        &server,
        &format!("/collection_items/{item}"),
        &[
            ("answer", "approve"),
            ("return_to", "/collections/Mod_Fest/items"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let started = std::time::Instant::now();
    loop {
        let page = guest.page(&server.url("/collections/Mod_Fest/works"));
        if listed(&page) == vec![work] {
            break;
        }
        assert!(started.elapsed().as_secs() < 15, "never approved");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "dd.collections"), "Summer Fest, Summer Fest");

    // Settings: maintainers only.
    assert_eq!(
        writer
            .get(&server.url("/collections/Mod_Fest/edit"))
            .status(),
        403
    );
    let resp = owner.submit(
        &server,
        "/collections/Mod_Fest",
        &[
            ("collection[name]", "Mod_Fest"),
            ("collection[title]", "Moderated Fest"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = guest.page(&server.url("/collections/Mod_Fest"));
    assert_eq!(text(&page, "h2.heading a"), "Moderated Fest");
    let resp = writer.submit(
        &server,
        "/collections/Mod_Fest",
        &[
            ("collection[name]", "Mod_Fest"),
            ("collection[title]", "Mine"),
        ],
    );
    assert_eq!(resp.status(), 403);
    // The writer's own list of items.
    let mine = writer.page(&server.url("/users/writer/collection_items"));
    assert_eq!(count(&mine, "li.collection_item"), 2);
    assert_eq!(
        owner
            .get(&server.url("/users/writer/collection_items"))
            .status(),
        403
    );
}

/// The body of `path` as text.
fn body(b: &mut Browser, server: &ficus_testkit::ServerProcess, path: &str) -> (u16, String) {
    let resp = b.get(&server.url(path));
    let status = resp.status().as_u16();
    (status, resp.text().expect("body"))
}

#[test]
fn anonymity_and_mystery_hold_in_every_view() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut keeper = Browser::new();
    assert_eq!(signup(&mut keeper, &server, "keeper").status(), 303);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "quillwright").status(), 303);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut guest = Browser::new();
    let settings = |unrevealed: bool, anonymous: bool| {
        let mut f = vec![
            ("collection[name]", "Gift_Box"),
            ("collection[title]", "Gift Box"),
        ];
        if unrevealed {
            f.push((
                "collection[collection_preference_attributes][unrevealed]",
                "1",
            ));
        }
        if anonymous {
            f.push((
                "collection[collection_preference_attributes][anonymous]",
                "1",
            ));
        }
        f
    };
    assert_eq!(
        keeper
            .submit(&server, "/collections", &settings(true, true))
            .status(),
        303
    );
    let work = support::post_simple_work(&mut writer, &server, "Secret Gift", "Gift Fandom");
    let resp = writer.submit(
        &server,
        "/collection_items",
        &[
            ("work_id", &work.to_string()),
            ("collection_names", "Gift_Box"),
        ],
    );
    assert_eq!(resp.status(), 303);

    // Unrevealed: a mystery everywhere but to its creator.
    let (status, page) = body(&mut guest, &server, &format!("/works/{work}"));
    assert_eq!(status, 404);
    assert!(page.contains("Mystery Work"), "{page}");
    assert_eq!(
        reader.get(&server.url(&format!("/works/{work}"))).status(),
        404
    );
    assert_eq!(
        writer.get(&server.url(&format!("/works/{work}"))).status(),
        200
    );
    let (_, works) = body(&mut guest, &server, "/users/quillwright/works");
    assert!(!works.contains("Secret Gift"));
    let page = guest.page(&server.url("/collections/Gift_Box"));
    assert!(text(&page, "dd.mystery").starts_with("1 not yet revealed"));
    let (_, listing) = body(&mut guest, &server, "/works");
    assert!(!listing.contains("Secret Gift"));

    // Revealed, still anonymous: the work is seen, its creator is not —
    // on the page, in search, feeds, OPDS, the API and downloads.
    assert_eq!(
        keeper
            .submit(&server, "/collections/Gift_Box", &settings(false, true))
            .status(),
        303
    );
    let started = std::time::Instant::now();
    loop {
        let (_, listing) = body(&mut guest, &server, "/tags/Gift%20Fandom/works");
        if listing.contains("Secret Gift") {
            assert!(!listing.contains("quillwright"), "the blurb names nobody");
            break;
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "never revealed in the index"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "h3.byline"), "Anonymous");
    assert_eq!(count(&page, "a[href^='/users/quillwright']"), 0);
    for path in [
        format!("/works/{work}"),
        "/tags/Gift%20Fandom/works".to_string(),
        "/tags/Gift%20Fandom/feed.atom".to_string(),
        "/opds/tags/Gift%20Fandom".to_string(),
        "/opds/recent".to_string(),
        format!("/api/v1/works/{work}"),
        "/api/v1/works?tags=Gift%20Fandom".to_string(),
        "/collections/Gift_Box/works".to_string(),
    ] {
        let (status, text) = body(&mut guest, &server, &path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !text.contains("quillwright"),
            "{path} names the creator:\n{text}"
        );
    }
    // Not under the creator's name (those pages say the name itself).
    for path in ["/users/quillwright/works", "/users/quillwright/feed.atom"] {
        let (status, text) = body(&mut guest, &server, path);
        assert_eq!(status, 200, "{path}");
        assert!(!text.contains("Secret Gift"), "{path} lists it:\n{text}");
    }
    // A search for the name finds nothing (the pages echo the query).
    for path in [
        "/works/search?work_search%5Bquery%5D=quillwright",
        "/works/search?work_search%5Bcreators%5D=quillwright",
        "/works/search?work_search%5Bquery%5D=creators%3Aquillwright",
    ] {
        let page = guest.page(&server.url(path));
        assert_eq!(text(&page, "h3.heading"), "0 Found", "{path}");
    }
    let (_, found) = body(&mut guest, &server, "/api/v1/works?q=quillwright");
    assert!(!found.contains("Secret Gift"), "{found}");
    let (_, api) = body(&mut guest, &server, &format!("/api/v1/works/{work}"));
    assert!(api.contains("Anonymous"), "{api}");
    let page = guest.page(&server.url(&format!("/works/{work}")));
    let sel = scraper::Selector::parse("li.download a").expect("selector");
    let links: Vec<String> = page
        .select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(links.len() >= 3, "{links:?}");
    for href in &links {
        let resp = guest.get(&server.url(href));
        assert_eq!(resp.status(), 200, "{href}: {:?}", resp.headers());
        let bytes = resp.bytes().expect("bytes");
        let file = href.split('?').next().unwrap_or(href);
        if file.ends_with(".epub") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
            let mut said_anonymous = false;
            for i in 0..zip.len() {
                let mut f = zip.by_index(i).expect("entry");
                let mut s = String::new();
                if std::io::Read::read_to_string(&mut f, &mut s).is_ok() {
                    assert!(
                        !s.contains("quillwright"),
                        "{href}: {} names the creator",
                        f.name()
                    );
                    said_anonymous |= s.contains("<dc:creator") && s.contains("Anonymous");
                }
            }
            assert!(said_anonymous, "{href}: the EPUB's metadata says Anonymous");
        } else if file.ends_with(".pdf") {
            if ficus_testkit::pdf::tools_present() {
                let path = dir.path().join("anonymous.pdf");
                std::fs::write(&path, &bytes).expect("write");
                let info = ficus_testkit::pdf::poppler("pdfinfo", &[], &path);
                let words = ficus_testkit::pdf::poppler("pdftotext", &[], &path);
                assert!(!info.contains("quillwright"), "{href}: {info}");
                assert!(info.contains("Anonymous"), "{href}: {info}");
                assert!(!words.contains("quillwright"), "{href} names the creator");
            }
        } else {
            let s = String::from_utf8_lossy(&bytes);
            assert!(!s.contains("quillwright"), "{href} names the creator");
            assert!(s.contains("Anonymous"), "{href}");
        }
    }

    // Revealing the creators names them again.
    assert_eq!(
        keeper
            .submit(&server, "/collections/Gift_Box", &settings(false, false))
            .status(),
        303
    );
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "h3.byline"), "quillwright");
    let (_, works) = body(&mut guest, &server, "/users/quillwright/works");
    assert!(works.contains("Secret Gift"));
}

#[test]
fn collections_and_gifts_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut keeper = Browser::new();
    assert_eq!(signup(&mut keeper, &server, "keeper").status(), 303);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let mut friend = Browser::new();
    assert_eq!(signup(&mut friend, &server, "friend").status(), 303);
    let keeper_token = support::api_token(&mut keeper, &server, "keeper");
    let writer_token = support::api_token(&mut writer, &server, "writer");
    let friend_token = support::api_token(&mut friend, &server, "friend");
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;

    // A moderated collection.
    json(
        http.post(api("/collections"))
            .json(&serde_json::json!({"name": "Api_Fest", "title": "T"}))
            .send()
            .expect("post"),
        401,
    );
    json(
        http.post(api("/collections"))
            .bearer_auth(&keeper_token)
            .json(&serde_json::json!({"name": "bad name", "title": "T"}))
            .send()
            .expect("post"),
        422,
    );
    let made = json(
        http.post(api("/collections"))
            .bearer_auth(&keeper_token)
            .json(&serde_json::json!({
                "name": "Api_Fest", "title": "API Fest", "moderated": true
            }))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(made["maintainers"], serde_json::json!(["keeper"]));
    assert_eq!(made["moderated"], true);
    let listed = json(http.get(api("/collections")).send().expect("get"), 200);
    assert_eq!(listed["total"], 1);

    // The writer posts a work into it and gives it to a friend (who allows
    // gifts).
    assert_eq!(
        friend
            .submit(
                &server,
                "/users/friend/preferences",
                &[("allow_gifts", "1")]
            )
            .status(),
        303
    );
    let work = json(
        http.post(api("/works"))
            .bearer_auth(&writer_token)
            .json(&serde_json::json!({
                "title": "Through The API",
                "rating": "General Audiences",
                "warnings": ["No Archive Warnings Apply"],
                "fandoms": ["API Fandom"],
                "text": "<p>Words.</p>",
                "gifts": ["friend"]
            }))
            .send()
            .expect("post"),
        201,
    );
    let work_id = work["id"].as_i64().expect("id");
    let added = json(
        http.post(api(&format!("/works/{work_id}/collections")))
            .bearer_auth(&writer_token)
            .json(&serde_json::json!({"collections": ["api_fest"]}))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(added[0]["collection_approval"], "unreviewed");
    json(
        http.post(api(&format!("/works/{work_id}/collections")))
            .bearer_auth(&friend_token)
            .json(&serde_json::json!({"collections": ["Api_Fest"]}))
            .send()
            .expect("post"),
        403,
    );
    // The maintainer approves it.
    json(
        http.get(api("/collections/Api_Fest/items"))
            .bearer_auth(&writer_token)
            .send()
            .expect("get"),
        403,
    );
    let items = json(
        http.get(api("/collections/Api_Fest/items"))
            .bearer_auth(&keeper_token)
            .send()
            .expect("get"),
        200,
    );
    let item = items[0]["id"].as_i64().expect("item");
    let resp = http
        .patch(api(&format!("/collection_items/{item}")))
        .bearer_auth(&keeper_token)
        .json(&serde_json::json!({"answer": "approve"}))
        .send()
        .expect("patch");
    assert_eq!(resp.status(), 204);
    let started = std::time::Instant::now();
    loop {
        let works = json(
            http.get(api("/collections/Api_Fest/works"))
                .send()
                .expect("get"),
            200,
        );
        if works["total"] == 1 {
            break;
        }
        assert!(started.elapsed().as_secs() < 15, "never listed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    json(
        http.patch(api("/collections/Api_Fest"))
            .bearer_auth(&writer_token)
            .json(&serde_json::json!({"name": "Api_Fest", "title": "Mine"}))
            .send()
            .expect("patch"),
        403,
    );
    let changed = json(
        http.patch(api("/collections/Api_Fest"))
            .bearer_auth(&keeper_token)
            .json(&serde_json::json!({"name": "Api_Fest", "title": "API Fest Again"}))
            .send()
            .expect("patch"),
        200,
    );
    assert_eq!(changed["title"], "API Fest Again");
    assert_eq!(
        changed["moderated"], true,
        "an omitted setting keeps its value"
    );

    // Gifts: the friend's list, refusing, the refused list.
    let gifts = json(
        http.get(api("/users/friend/gifts")).send().expect("get"),
        200,
    );
    assert_eq!(gifts["total"], 1);
    let gift = gifts["gifts"][0]["id"].as_i64().expect("gift");
    assert_eq!(gifts["gifts"][0]["work"]["id"], work_id);
    let resp = http
        .patch(api(&format!("/gifts/{gift}")))
        .bearer_auth(&writer_token)
        .json(&serde_json::json!({"refused": true}))
        .send()
        .expect("patch");
    assert_eq!(resp.status(), 404, "only the recipient refuses");
    let resp = http
        .patch(api(&format!("/gifts/{gift}")))
        .bearer_auth(&friend_token)
        .json(&serde_json::json!({"refused": true}))
        .send()
        .expect("patch");
    assert_eq!(resp.status(), 204);
    let gifts = json(
        http.get(api("/users/friend/gifts")).send().expect("get"),
        200,
    );
    assert_eq!(gifts["total"], 0);
    json(
        http.get(api("/users/friend/gifts?refused=true"))
            .send()
            .expect("get"),
        403,
    );
    let refused = json(
        http.get(api("/users/friend/gifts?refused=true"))
            .bearer_auth(&friend_token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(refused["total"], 1);
}
