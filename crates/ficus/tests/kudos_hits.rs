//! Kudos and hits over HTTP against the real server: AO3's button and
//! sentence, once per account and per guest address, never your own, the
//! names list and its pages, live counts in blurbs and the kudos sort,
//! the API; hits once per visitor and day, without robots or creators,
//! kept across a restart.

mod support;

use std::path::Path;
use std::time::Duration;

use ficus_core::access::Viewer;
use ficus_core::account::{Login, Role};
use ficus_store::kudos::Giver;
use ficus_store::{Backend, Store};
use ficus_testkit::ServerProcess;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use scraper::Html;
use serde_json::Value;
use support::{Browser, attr, count, signup, text};

fn serve(data_dir: &Path) -> ServerProcess {
    support::serve_with(data_dir, &["--trusted-proxy", "127.0.0.1"])
}

fn post_work(b: &mut Browser, server: &ServerProcess, title: &str, restricted: bool) -> i64 {
    let form = b.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let mut fields = vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud.as_str()),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Kudos Fandom"),
        ("work[chapter_attributes][content]", "<p>Words to like.</p>"),
        ("post_button", "Post"),
    ];
    if restricted {
        fields.push(("work[restricted]", "1"));
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

/// A guest's page of work `id` once `check` holds, or after 2 s (a
/// change made outside this server reaches its kept pages through the
/// change log, within a second).
fn guest_page_when(server: &ServerProcess, id: i64, check: impl Fn(&Html) -> bool) -> Html {
    let start = std::time::Instant::now();
    loop {
        let page = Browser::new().page(&server.url(&format!("/works/{id}")));
        if check(&page) || start.elapsed() > Duration::from_secs(2) {
            return page;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kudos_form(id: i64) -> [(&'static str, String); 2] {
    [
        ("kudo[commentable_id]", id.to_string()),
        ("kudo[commentable_type]", "Work".to_string()),
    ]
}

/// Leaves kudos through the form; returns the `kudos=` outcome of the
/// redirect back to the work.
fn leave(b: &mut Browser, server: &ServerProcess, id: i64) -> String {
    let fields = kudos_form(id);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let resp = b.submit(server, "/kudos", &fields);
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let prefix = format!("/works/{id}?kudos=");
    assert!(location.starts_with(&prefix), "{location}");
    assert!(location.ends_with("#kudos_message"), "{location}");
    location[prefix.len()..location.len() - "#kudos_message".len()].to_string()
}

/// A guest at `ip` (through the trusted proxy) leaving kudos.
fn guest_leaves(server: &ServerProcess, id: i64, ip: &str) -> String {
    let mut guest = Browser::new();
    let token = guest.form_token(server);
    let resp = guest
        .client
        .post(server.url("/kudos"))
        .header("cookie", guest.jar.header())
        .header("x-forwarded-for", ip)
        .form(&[
            ("authenticity_token", token.as_str()),
            ("kudo[commentable_id]", &id.to_string()),
            ("kudo[commentable_type]", "Work"),
        ])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().expect("ascii");
    location
        .split("kudos=")
        .nth(1)
        .and_then(|r| r.split('#').next())
        .expect("outcome")
        .to_string()
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn kudos_once_each_never_your_own_listed_and_counted_live() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let id = post_work(&mut writer, &server, "Liked Work", false);
    let members = post_work(&mut writer, &server, "Members Work", true);
    let other = post_work(&mut writer, &server, "Unliked Work", false);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);

    // Before: the button, no sentence.
    let page = reader.page(&server.url(&format!("/works/{id}")));
    assert_eq!(count(&page, "form#new_kudo input#kudo_submit"), 1);
    assert_eq!(text(&page, "#kudos").trim(), "");

    // A reader leaves kudos once; the page thanks them and names them.
    assert_eq!(leave(&mut reader, &server, id), "left");
    let page = reader.page(&server.url(&format!("/works/{id}?kudos=left")));
    assert_eq!(
        text(&page, "#kudos_message"),
        "Thank you for leaving kudos!"
    );
    assert_eq!(
        squeeze(&text(&page, "#kudos p.kudos")),
        "reader left kudos on this work!"
    );
    assert_eq!(text(&page, "dd.stats dd.kudos"), "1");
    assert_eq!(leave(&mut reader, &server, id), "already");
    let page = reader.page(&server.url(&format!("/works/{id}?kudos=already")));
    assert_eq!(
        text(&page, "#kudos_message"),
        "You have already left kudos here. :)"
    );

    // Creators get no button and cannot leave kudos anyway.
    let own = writer.page(&server.url(&format!("/works/{id}")));
    assert_eq!(count(&own, "form#new_kudo"), 0);
    assert_eq!(leave(&mut writer, &server, id), "own");

    // Guests: once per address; not on works for registered users.
    assert_eq!(guest_leaves(&server, id, "203.0.113.1"), "left");
    assert_eq!(guest_leaves(&server, id, "203.0.113.1"), "already");
    assert_eq!(guest_leaves(&server, id, "203.0.113.2"), "left");
    assert_eq!(guest_leaves(&server, members, "203.0.113.1"), "restricted");
    let page = Browser::new().page(&server.url(&format!("/works/{id}")));
    assert_eq!(
        squeeze(&text(&page, "#kudos p.kudos")),
        "reader as well as 2 guests left kudos on this work!"
    );

    // Bad forms: kudos on something else, a work that is not there.
    let resp = reader.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &id.to_string()),
            ("kudo[commentable_type]", "Chapter"),
        ],
    );
    assert_eq!(resp.status(), 400);
    let resp = reader.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", "999999"),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert_eq!(resp.status(), 404);

    // Fifty-five more accounts: the newest 50 names, then "6 more users".
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("store");
    let now = chrono::Utc::now().naive_utc();
    for i in 0..55 {
        let user = store
            .create_user(
                &Login::parse(&format!("fan{i:02}")).expect("login"),
                &format!("fan{i}@example.org"),
                "$h",
                Role::User,
                now,
            )
            .expect("user");
        let viewer = Viewer::User {
            id: user.id,
            role: user.role,
        };
        let left = store
            .leave_kudos(
                id,
                Giver::Account {
                    viewer,
                    user_id: user.id,
                },
            )
            .expect("kudos");
        assert_eq!(left, Ok(()));
    }
    // Written outside the server (as another node would): a guest's kept
    // page follows within moments.
    let page = guest_page_when(&server, id, |page| {
        count(page, "#kudos p.kudos a[href^='/users/']") == 50
    });
    assert_eq!(count(&page, "#kudos p.kudos a[href^='/users/']"), 50);
    assert_eq!(
        attr(&page, "#kudos p.kudos a[href^='/users/']", "href").as_deref(),
        Some("/users/fan54"),
        "newest first"
    );
    assert_eq!(text(&page, "a#kudos_more_link"), "6 more users");
    assert_eq!(text(&page, "span#kudos_more_connector"), ", and ");
    assert!(
        squeeze(&text(&page, "#kudos p.kudos"))
            .ends_with("6 more users as well as 2 guests left kudos on this work!")
    );
    let more = attr(&page, "a#kudos_more_link", "href").expect("link");
    let list = Browser::new().page(&server.url(&more));
    assert_eq!(count(&list, "ol.kudos li"), 50);
    assert!(text(&list, "p.guests").contains("2 guests have also left kudos."));
    let list2 = Browser::new().page(&server.url(&format!("{more}?page=2")));
    assert_eq!(count(&list2, "ol.kudos li"), 6);
    assert!(
        text(&list2, "ol.kudos").contains("reader"),
        "the oldest last"
    );
    assert_eq!(
        Browser::new()
            .get(&server.url(&format!("{more}?page=3")))
            .status(),
        404
    );

    // Counts everywhere, live: the blurb and the kudos sort (through the
    // index, fed by the change log) within seconds.
    let sorted = "/works?work_search%5Bsort_column%5D=kudos_count";
    let mut first = String::new();
    for _ in 0..100 {
        let listing = Browser::new().page(&server.url(sorted));
        first = attr(&listing, "li.work.blurb", "id").unwrap_or_default();
        if first == format!("work_{id}")
            && text(&listing, &format!("li#work_{id} dd.kudos")) == "58"
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(first, format!("work_{id}"), "most kudos first");
    let listing = Browser::new().page(&server.url(sorted));
    assert_eq!(text(&listing, &format!("li#work_{id} dd.kudos")), "58");
    assert_eq!(text(&listing, &format!("li#work_{other} dd.kudos")), "0");

    // The API: the list, and leaving kudos with a token.
    let http = Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let json: Value = http
        .get(server.url(&format!("/api/v1/works/{id}/kudos")))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(json["users_total"], 56);
    assert_eq!(json["guests"], 2);
    assert_eq!(json["total"], 58);
    assert_eq!(json["users"].as_array().map(Vec::len), Some(50));
    assert_eq!(json["users"][0]["login"], "fan54");
    let mut api_user = Browser::new();
    assert_eq!(signup(&mut api_user, &server, "apiuser").status(), 303);
    let resp = api_user.submit(&server, "/users/apiuser/api_tokens", &[("name", "t")]);
    let token = text(
        &scraper::Html::parse_document(&resp.text().expect("body")),
        "#new-api-token",
    );
    let resp = http
        .post(server.url(&format!("/api/v1/works/{id}/kudos")))
        .bearer_auth(&token)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 201);
    let left: Value = resp.json().expect("json");
    assert_eq!(left["total"], 59);
    let again = http
        .post(server.url(&format!("/api/v1/works/{id}/kudos")))
        .bearer_auth(&token)
        .send()
        .expect("post");
    assert_eq!(again.status(), 422);
    let body: Value = again.json().expect("json");
    assert_eq!(
        body["error"]["message"],
        "You have already left kudos here. :)"
    );
    let anonymous = http
        .post(server.url(&format!("/api/v1/works/{id}/kudos")))
        .send()
        .expect("post");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        http.get(server.url(&format!("/api/v1/works/{members}/kudos")))
            .send()
            .expect("get")
            .status(),
        404,
        "a guest cannot list kudos of a restricted work"
    );
}

/// A guest at `ip` reading the work page, with a browser's User-Agent
/// unless `agent` says otherwise.
fn read_as_guest(server: &ServerProcess, id: i64, ip: &str, agent: &str) {
    let resp = Client::new()
        .get(server.url(&format!("/works/{id}")))
        .header("x-forwarded-for", ip)
        .header("user-agent", agent)
        .send()
        .expect("get");
    assert_eq!(resp.status(), 200);
}

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

fn hits_of(store: &Store, id: i64) -> i64 {
    store
        .work(id, Viewer::System)
        .expect("work")
        .expect("exists")
        .stats
        .hits
}

#[test]
fn hits_count_each_visitor_once_a_day_and_survive_restarts() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let id = post_work(&mut writer, &server, "Read Work", false);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("store");

    // Three guests (one three times, on the work and a chapter view), a
    // reader twice, the creator, a robot: four visitor-days.
    for _ in 0..3 {
        read_as_guest(&server, id, "198.51.100.1", BROWSER);
    }
    read_as_guest(&server, id, "198.51.100.2", BROWSER);
    read_as_guest(&server, id, "198.51.100.3", BROWSER);
    read_as_guest(
        &server,
        id,
        "198.51.100.9",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
    );
    reader.get(&server.url(&format!("/works/{id}")));
    reader.get(&server.url(&format!("/works/{id}?view_full_work=true")));
    writer.get(&server.url(&format!("/works/{id}")));
    // No write on the page's path: the visits are counted at the next
    // flush, within the interval.
    let mut hits = 0;
    for _ in 0..100 {
        hits = hits_of(&store, id);
        if hits == 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(hits, 4, "the distinct visitor-days");
    let page = guest_page_when(&server, id, |page| text(page, "dd.stats dd.hits") == "4");
    assert_eq!(text(&page, "dd.stats dd.hits"), "4");

    // A graceful stop flushes what it holds: nothing is lost.
    for i in 10..20 {
        read_as_guest(&server, id, &format!("198.51.100.{i}"), BROWSER);
    }
    // (The page above was a fifth visitor.)
    server.stop();
    assert_eq!(hits_of(&store, id), 15);

    // After the restart the same visitors count nothing more today; new
    // ones do. A crash (SIGKILL) loses at most one flush interval: visits
    // older than that are stored.
    let server = serve(dir.path());
    for i in 10..20 {
        read_as_guest(&server, id, &format!("198.51.100.{i}"), BROWSER);
    }
    for i in 30..35 {
        read_as_guest(&server, id, &format!("198.51.100.{i}"), BROWSER);
    }
    std::thread::sleep(Duration::from_secs(ficus_web::hits::FLUSH_SECS + 2));
    drop(server); // SIGKILL
    assert_eq!(hits_of(&store, id), 20);
    let daily = store.daily_stats(id).expect("daily");
    assert_eq!(daily.iter().map(|d| d.1).sum::<i64>(), 20);
}
