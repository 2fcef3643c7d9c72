//! Subscriptions over HTTP against the real server: the Subscribe buttons
//! on a work, a tag, an account's works and a series; posting answers at
//! once and the background fan-out brings the updates (a new work by
//! tag and by account, a new chapter by work); Unsubscribe; each list is
//! its owner's alone.

mod support;

use std::time::{Duration, Instant};

use ficus_testkit::ServerProcess;
use support::{Browser, attr, count, serve, signup, text};

/// Presses the Subscribe button on `page_path`; it becomes Unsubscribe.
fn subscribe(b: &mut Browser, server: &ServerProcess, page_path: &str) {
    let resp = support::press_subscribe(b, server, page_path);
    assert_eq!(resp.status(), 303, "subscribing on {page_path}");
    let again = b.page(&server.url(page_path));
    assert_eq!(
        attr(&again, "li.subscribe input[type=submit]", "value").as_deref(),
        Some("Unsubscribe"),
        "{page_path}"
    );
}

/// The reader's updates once there are `n` (the fan-out runs every few
/// seconds).
fn updates(b: &mut Browser, server: &ServerProcess, n: usize) -> scraper::Html {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = b.page(&server.url("/users/reader/inbox/updates"));
        if count(&page, "ol.update.index li") >= n || Instant::now() > deadline {
            return page;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn subscriptions_bring_updates() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let first = support::post_simple_work(&mut writer, &server, "First Work", "Followed Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);

    // Guests get no button; the reader follows the work, the tag, the writer.
    let page = Browser::new().page(&server.url(&format!("/works/{first}")));
    assert_eq!(count(&page, "li.subscribe"), 0);
    subscribe(&mut reader, &server, &format!("/works/{first}"));
    subscribe(&mut reader, &server, "/tags/Followed%20Fandom");
    subscribe(&mut reader, &server, "/users/writer/works");
    let list = reader.page(&server.url("/users/reader/subscriptions"));
    assert_eq!(count(&list, "dl.subscription.index dt"), 3);
    let tags_only = reader.page(&server.url("/users/reader/subscriptions?type=tags"));
    assert_eq!(
        text(&tags_only, "dl.subscription.index dt a"),
        "Followed Fandom"
    );
    assert_eq!(
        writer
            .get(&server.url("/users/reader/subscriptions"))
            .status(),
        403
    );

    // A new work in the fandom, by the followed writer: one update.
    let started = Instant::now();
    let second = support::post_simple_work(&mut writer, &server, "Second Work", "Followed Fandom");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "posting answers at once"
    );
    let page = updates(&mut reader, &server, 1);
    assert_eq!(
        count(&page, "ol.update.index li"),
        1,
        "once, not once per subscription"
    );
    assert!(text(&page, "ol.update.index li").contains("Second Work"));
    assert!(text(&page, "ol.update.index li").contains("a new work"));

    // A new chapter of the followed work.
    let resp = writer.submit(
        &server,
        &format!("/works/{first}/chapters"),
        &[("chapter[content]", "<p>Chapter two.</p>")],
    );
    assert_eq!(resp.status(), 303);
    let page = updates(&mut reader, &server, 2);
    let items = text(&page, "ol.update.index");
    assert!(
        items.contains("a new chapter") && items.contains("First Work"),
        "{items}"
    );

    // Unsubscribe from the tag and the writer: a third work brings nothing.
    for kind in ["tags", "users"] {
        let list = reader.page(&server.url(&format!("/users/reader/subscriptions?type={kind}")));
        let action = attr(
            &list,
            "dl.subscription.index dd form.ajax-create-destroy",
            "action",
        )
        .expect("form");
        assert_eq!(reader.submit(&server, &action, &[]).status(), 303);
    }
    support::post_simple_work(&mut writer, &server, "Third Work", "Followed Fandom");
    std::thread::sleep(Duration::from_secs(5));
    let page = reader.page(&server.url("/users/reader/inbox/updates"));
    assert_eq!(count(&page, "ol.update.index li"), 2);
    assert!(!text(&page, "ol.update.index").contains("Third Work"));
    let _ = second;
}

#[test]
fn following_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work =
        support::post_simple_work(&mut writer, &server, "Followed By Script", "Script Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let token = support::api_token(&mut reader, &server, "reader");
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;

    json(http.get(api("/subscriptions")).send().expect("get"), 401);
    json(
        http.post(api("/subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"kind": "planet", "target_id": 1}))
            .send()
            .expect("post"),
        400,
    );
    json(
        http.post(api("/subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"kind": "work", "target_id": 999_999}))
            .send()
            .expect("post"),
        404,
    );
    let made = json(
        http.post(api("/subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"kind": "work", "target_id": work}))
            .send()
            .expect("post"),
        201,
    );
    let sub_id = made["id"].as_i64().expect("id");
    let list = json(
        http.get(api("/subscriptions"))
            .bearer_auth(&token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(list["subscriptions"][0]["target_id"], work);
    assert_eq!(list["subscriptions"][0]["mail"], "immediate");

    // Its e-mail, changed; a bad choice is a 400.
    let changed = json(
        http.patch(api(&format!("/subscriptions/{sub_id}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"mail": "weekly"}))
            .send()
            .expect("patch"),
        200,
    );
    assert_eq!(changed["mail"], "weekly");
    json(
        http.patch(api(&format!("/subscriptions/{sub_id}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"mail": "hourly"}))
            .send()
            .expect("patch"),
        400,
    );

    // A saved search: normalized (the page dropped), a daily digest by
    // default, once; a malformed one is a 400.
    let search = json(
        http.post(api("/subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "kind": "search",
                "search": "/tags/Script%20Fandom/works?page=2&work_search%5Bcomplete%5D=T"
            }))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(search["mail"], "daily");
    assert_eq!(
        search["search"],
        "/tags/Script%20Fandom/works?work%5Fsearch%5Bcomplete%5D=T"
    );
    let again = json(
        http.post(api("/subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "kind": "search",
                "search": "/tags/Script%20Fandom/works?work_search[complete]=T"
            }))
            .send()
            .expect("post"),
        201,
    );
    assert_eq!(again["id"], search["id"]);
    for bad in ["/admin/users", "/works?work_search%5Bwords_from%5D=many"] {
        json(
            http.post(api("/subscriptions"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"kind": "search", "search": bad}))
                .send()
                .expect("post"),
            400,
        );
    }
    let resp = http
        .delete(api(&format!("/subscriptions/{}", search["id"])))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);

    // A new chapter reaches the updates.
    let resp = writer.submit(
        &server,
        &format!("/works/{work}/chapters"),
        &[("chapter[content]", "<p>Two.</p>")],
    );
    assert_eq!(resp.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(15);
    let updates = loop {
        let u = json(
            http.get(api("/subscriptions/updates"))
                .bearer_auth(&token)
                .send()
                .expect("get"),
            200,
        );
        if u["total"] == 1 || Instant::now() > deadline {
            break u;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(updates["total"], 1);
    assert_eq!(updates["updates"][0]["event"], "chapter");
    assert_eq!(updates["updates"][0]["work_title"], "Followed By Script");

    // Mark for later; the history's filter; take it out.
    let resp = http
        .post(api(&format!("/works/{work}/mark_for_later")))
        .bearer_auth(&token)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 204);
    let later = json(
        http.get(api("/readings?to_read=true"))
            .bearer_auth(&token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(later["total"], 1);
    assert_eq!(later["readings"][0]["marked_for_later"], true);
    let resp = http
        .delete(api(&format!("/readings/{work}")))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);
    let resp = http
        .delete(api(&format!("/subscriptions/{sub_id}")))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);
    json(
        http.delete(api(&format!("/subscriptions/{sub_id}")))
            .bearer_auth(&token)
            .send()
            .expect("delete"),
        404,
    );
}
