//! Blocking and muting accounts, over HTTP against the real server: the
//! lists and their refusals, a blocked account refused kudos, and blocked
//! and muted accounts' works gone from the blocker's listings, searches
//! and e-reader catalog with exact counts.

mod support;

use ficus_testkit::ServerProcess;
use support::{Browser, post_simple_work, serve, signup, text};

/// How many works `/works` and a search show this browser, and whether
/// each count is exactly what is listed.
fn seen(b: &mut Browser, server: &ServerProcess) -> (usize, usize) {
    let listing = b.get(&server.url("/works")).text().expect("body");
    let listed = listing.matches("class=\"work blurb group").count();
    assert!(
        listing.contains(&format!(" of {listed} Works")),
        "the count is what is listed ({listed})"
    );
    let found = b
        .get(&server.url("/works/search?work_search%5Bquery%5D=shared"))
        .text()
        .expect("body");
    let hits = found.matches("class=\"work blurb group").count();
    assert!(
        found.contains(&format!("{hits} Found")),
        "search count ({hits})"
    );
    (listed, hits)
}

fn opds_titles(server: &ServerProcess, login: &str) -> Vec<String> {
    let body = reqwest::blocking::Client::new()
        .get(server.url("/opds/recent"))
        .basic_auth(login, Some("correct horse battery"))
        .send()
        .expect("opds")
        .text()
        .expect("body");
    let feed: atom_syndication::Feed = body.parse().expect("atom");
    feed.entries()
        .iter()
        .map(|e| e.title().value.clone())
        .collect()
}

#[test]
fn blocked_and_muted_accounts_leave_the_blockers_view() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let (mut ada, mut bea, mut cleo) = (Browser::new(), Browser::new(), Browser::new());
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);
    assert_eq!(signup(&mut bea, &server, "bea").status(), 303);
    assert_eq!(signup(&mut cleo, &server, "cleo").status(), 303);
    let ada_work = post_simple_work(&mut ada, &server, "Ada Work", "Shared Fandom");
    post_simple_work(&mut bea, &server, "Bea Work", "Shared Fandom");
    post_simple_work(&mut cleo, &server, "Cleo Work", "Shared Fandom");
    assert_eq!(seen(&mut ada, &server), (3, 3));

    // The list refuses yourself and strangers, and is the owner's only.
    let resp = ada.submit(
        &server,
        "/users/ada/blocked",
        &[("action", "add"), ("other", "ada")],
    );
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .expect("body")
            .contains("You can&#39;t block yourself.")
    );
    let resp = ada.submit(
        &server,
        "/users/ada/blocked",
        &[("action", "add"), ("other", "nobody")],
    );
    assert_eq!(resp.status(), 422);
    assert_eq!(bea.get(&server.url("/users/ada/blocked")).status(), 403);
    let guest = Browser::new().get(&server.url("/users/ada/muted"));
    assert_eq!(guest.status(), 303);

    // Ada blocks Bea: Bea's kudos are refused, Bea's work leaves Ada's view.
    let resp = ada.submit(
        &server,
        "/users/ada/blocked",
        &[("action", "add"), ("other", "Bea")],
    );
    assert_eq!(resp.status(), 303);
    let list = ada.page(&server.url("/users/ada/blocked"));
    assert!(text(&list, "ul.blocked").contains("bea"));
    let resp = bea.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &ada_work.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(location.contains("kudos=blocked"), "{location}");
    let page = bea.page(&server.url(location.trim_end_matches("#kudos_message")));
    assert_eq!(
        text(&page, "#kudos_message"),
        "Sorry, you have been blocked by one or more of this work's creators."
    );
    assert_eq!(text(&page, "dd.stats dd.kudos"), "0");
    assert_eq!(
        support::count(&page, "form#new_kudo"),
        0,
        "no button for a blocked account"
    );
    assert_eq!(seen(&mut ada, &server), (2, 2));
    assert_eq!(seen(&mut cleo, &server), (3, 3), "others see everything");

    // Ada mutes Cleo: gone too; her e-reader app agrees.
    let resp = ada.submit(
        &server,
        "/users/ada/muted",
        &[("action", "add"), ("other", "cleo")],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(seen(&mut ada, &server), (1, 1));
    assert_eq!(opds_titles(&server, "ada"), vec!["Ada Work".to_string()]);
    assert_eq!(opds_titles(&server, "bea").len(), 3);

    // Unblocking brings Bea back, and her kudos go through.
    let resp = ada.submit(
        &server,
        "/users/ada/blocked",
        &[("action", "remove"), ("other", "bea")],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(seen(&mut ada, &server), (2, 2));
    let resp = bea.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &ada_work.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert!(
        resp.headers()["location"]
            .to_str()
            .expect("ascii")
            .contains("kudos=left")
    );
}

#[test]
fn blocks_and_mutes_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);
    for name in ["bea", "cam"] {
        assert_eq!(signup(&mut Browser::new(), &server, name).status(), 303);
    }
    let resp = ada.submit(&server, "/users/ada/api_tokens", &[("name", "script")]);
    let token = text(
        &scraper::Html::parse_document(&resp.text().expect("body")),
        "#new-api-token",
    );
    let http = reqwest::blocking::Client::new();
    let api = |p: &str| server.url(&format!("/api/v1{p}"));
    assert_eq!(
        http.put(api("/blocked/bea")).send().expect("put").status(),
        401,
        "a token is needed"
    );
    for (path, want) in [
        ("/blocked/bea", 204),
        ("/muted/cam", 204),
        ("/blocked/ada", 422),
        ("/blocked/nobody", 422),
    ] {
        let resp = http.put(api(path)).bearer_auth(&token).send().expect("put");
        assert_eq!(resp.status(), want, "{path}");
    }
    let list = |p: &str| -> serde_json::Value {
        http.get(api(p))
            .bearer_auth(&token)
            .send()
            .expect("get")
            .json()
            .expect("json")
    };
    assert_eq!(list("/blocked")["logins"], serde_json::json!(["bea"]));
    assert_eq!(list("/muted")["logins"], serde_json::json!(["cam"]));
    // The page shows the same list.
    let page = ada.page(&server.url("/users/ada/blocked"));
    assert!(text(&page, "#main").contains("bea"));
    let resp = http
        .delete(api("/blocked/bea"))
        .bearer_auth(&token)
        .send()
        .expect("delete");
    assert_eq!(resp.status(), 204);
    assert_eq!(list("/blocked")["logins"], serde_json::json!([]));
}
