//! The findings of probing a running archive from outside (SECURITY.md),
//! each shown fixed over HTTP against the real server: redirects after
//! log-in, HTTP Basic limits, control characters in feeds, sessions and
//! CSRF tokens, proxies, body limits and the API's errors, drafts and
//! moderators, retired logins, the public URL. Tag counts and the
//! wrangling queue are rows of the access matrix.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ficus_testkit::ServerProcess;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use support::{Browser, attr, signup, text};

const PASSWORD: &str = "correct horse battery";

fn ficus(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.arg("--data-dir").arg(data_dir).env("FICUS_LOG", "warn");
    cmd
}

/// A server on `data_dir` with extra `serve` arguments.
fn serve(data_dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut cmd = ficus(data_dir);
    cmd.args([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--signups-per-hour",
        "1000",
    ])
    .args(extra);
    ServerProcess::start(cmd)
}

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// Whether a `Location` stays on this archive as a browser reads it.
fn stays_here(location: &str) -> bool {
    let base = url::Url::parse("http://here.test/").expect("base");
    location.starts_with('/')
        && !location.chars().any(char::is_control)
        && base
            .join(location)
            .is_ok_and(|u| u.origin() == base.origin())
}

/// Every family of redirect that leaves the site once a browser parses it
/// (tabs and line breaks dropped, backslashes as slashes, leading spaces
/// trimmed), and values that are not even header-safe.
const HOSTILE_RETURN_TO: &[&str] = &[
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/.//evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "\t//evil.example",
    "  /\\evil.example",
    "/\u{2215}\u{2215}evil.example",
    "/\u{ff0f}evil.example",
    "%2F%2Fevil.example",
    "/works\r\nSet-Cookie: planted=1",
    "/works\u{0}x",
    "/works\u{1}\u{7f}x",
];

#[test]
fn log_in_never_sends_anyone_off_the_archive() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path(), &[]);
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);

    for raw in HOSTILE_RETURN_TO {
        let query = format!(
            "/users/login?return_to={}",
            ficus_web::view::encode_segment(raw)
        );
        // A logged-in reader opening the log-in page is sent on at once.
        let resp = ada.get(&server.url(&query));
        let status = resp.status().as_u16();
        assert!(status == 200 || status == 303, "{raw:?}: {status}");
        if let Some(l) = resp.headers().get("location") {
            let l = l.to_str().expect("ascii");
            assert!(stays_here(l), "{raw:?} → {l:?}");
        }
        // Logging in with it: a redirect that stays here (or to /).
        let mut b = Browser::new();
        let resp = b.submit(
            &server,
            "/users/login",
            &[
                ("user[login]", "ada"),
                ("user[password]", PASSWORD),
                ("return_to", raw),
            ],
        );
        assert_eq!(resp.status(), 303, "{raw:?}");
        let l = resp.headers()["location"].to_str().expect("ascii");
        assert!(stays_here(l), "{raw:?} → {l:?}");
        assert!(!resp.headers().contains_key("planted"));
    }
    // A good path survives, query included.
    let mut b = Browser::new();
    let resp = b.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "ada"),
            ("user[password]", PASSWORD),
            ("return_to", "/works?page=2"),
        ],
    );
    assert_eq!(resp.headers()["location"], "/works?page=2");
}

/// An OPDS request from `ip` (through the trusted proxy) as `login`.
fn opds_as(server: &ServerProcess, path: &str, ip: &str, login: &str, password: &str) -> Response {
    client()
        .get(server.url(path))
        .header("x-forwarded-for", ip)
        .basic_auth(login, Some(password))
        .send()
        .expect("request")
}

#[test]
fn basic_authentication_counts_failures_per_account_and_address() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path(), &["--trusted-proxy", "127.0.0.1"]);
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);

    // A reader app with the right password is never throttled.
    for i in 0..20 {
        let resp = opds_as(&server, "/opds/recent", "10.1.0.1", "reader", PASSWORD);
        assert_eq!(resp.status(), 200, "request {i}");
    }
    // Spacing and case name one account: five guesses from one address…
    for name in [" reader", "  reader", "READER", "reader ", "\treader"] {
        let resp = opds_as(&server, "/opds/recent", "10.2.0.1", name, "guess");
        assert_eq!(resp.status(), 401, "{name:?}");
    }
    // …lock it for that address, with an honest Retry-After…
    let resp = opds_as(&server, "/opds/recent", "10.2.0.1", "reader", PASSWORD);
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=40).contains(&retry), "{retry}");
    // …but not for the owner's app, whose address has not failed.
    let resp = opds_as(&server, "/opds/recent", "10.1.0.1", "reader", PASSWORD);
    assert_eq!(resp.status(), 200);

    // One address trying many accounts: ten failures, then refused, for
    // downloads too.
    for i in 0..10 {
        let resp = opds_as(&server, "/opds", "10.3.0.1", &format!("nobody{i}"), "x");
        assert_eq!(resp.status(), 401, "{i}");
    }
    let resp = opds_as(&server, "/opds", "10.3.0.1", "reader", PASSWORD);
    assert_eq!(resp.status(), 429);
    let resp = client()
        .get(server.url("/downloads/1/x.epub"))
        .header("x-forwarded-for", "10.3.0.1")
        .basic_auth("reader", Some(PASSWORD))
        .send()
        .expect("request");
    assert_eq!(resp.status(), 429);

    // An unknown account takes as long as a wrong password for a known
    // one (a dummy hash is verified): no account discovery by timing.
    let median = |login: &str, net: u8| {
        let mut times: Vec<Duration> = (0..5)
            .map(|i| {
                let ip = format!("10.4.{net}.{i}");
                let start = Instant::now();
                let resp = opds_as(&server, "/opds", &ip, login, "wrong");
                assert_eq!(resp.status(), 401);
                start.elapsed()
            })
            .collect();
        times.sort();
        times[2]
    };
    let known = median("reader", 1);
    let unknown = median("nobody-at-all", 2);
    assert!(
        unknown * 3 >= known,
        "unknown account {unknown:?} vs known {known:?}"
    );
}

/// Control characters XML 1.0 forbids (and C1 controls and DEL).
const CONTROLS: &[char] = &[
    '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{e}', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}',
    '\u{fffe}',
];

fn controls() -> String {
    CONTROLS.iter().collect()
}

#[test]
fn control_characters_never_reach_a_feed() {
    let dir = ficus_testkit::temp_dir();
    let c = controls();
    // An import: raw control characters (not NUL: a file with NUL bytes is
    // refused as binary) and character references that decode to them.
    let raw: String = c.chars().filter(|&ch| ch != '\u{0}').collect();
    let file = dir.path().join("imported.html");
    let padding = "Plain words to read. ".repeat(20);
    std::fs::write(
        &file,
        format!(
            "<html><head><title>Imported{raw}&#1;&#x1f;&#11;Title</title></head><body><p>{padding}Imported{raw} text &#1;&#x1f; here.</p></body></html>"
        ),
    )
    .expect("write");
    let out = ficus(dir.path())
        .arg("import")
        .arg(&file)
        .output()
        .expect("import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = serve(dir.path(), &[]);
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);
    // The form.
    let form = ada.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let title = format!("Form{c}Title");
    let summary = format!("<p>Summary{c}</p>");
    let fandom = format!("Control{c}Fandom");
    let freeform = format!("Free{c}Tag");
    let series = format!("Series{c}Name");
    let body = format!("<p>Body{c} text &#1;.</p>");
    let chapter_title = format!("Chapter{c}One");
    let resp = ada.submit(
        &server,
        "/works",
        &[
            ("work[title]", &title),
            ("work[pseud_ids][]", &pseud),
            ("work[summary]", &summary),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", &fandom),
            ("work[freeform_string]", &freeform),
            ("work[series_attributes][title]", &series),
            ("work[chapter_attributes][title]", &chapter_title),
            ("work[chapter_attributes][content]", &body),
            ("post_button", "Post"),
        ],
    );
    assert_eq!(resp.status(), 303, "{}", resp.text().unwrap_or_default());
    let work_path = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let page = Browser::new().page(&server.url(&work_path));
    assert_eq!(text(&page, "h2.title.heading").trim(), "FormTitle");

    // The API.
    let resp = ada.submit(&server, "/users/ada/api_tokens", &[("name", "t")]);
    let token = text(
        &scraper::Html::parse_document(&resp.text().expect("body")),
        "#new-api-token",
    );
    let resp = client()
        .post(server.url("/api/v1/works"))
        .bearer_auth(&token)
        .json(&json!({
            "title": format!("Api{c}Title"),
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "fandoms": [format!("Control{c}Fandom"), format!("Api{c}Fandom")],
            "freeforms": [format!("Api{c}Tag")],
            "summary": format!("<p>Api{c} summary</p>"),
            "text": format!("<p>Api{c} text.</p>"),
        }))
        .send()
        .expect("post");
    assert_eq!(resp.status(), 201, "{}", resp.text().unwrap_or_default());
    let work: Value = resp.json().expect("json");
    assert_eq!(work["title"], "ApiTitle");

    // Every feed and catalog is well-formed XML for a strict parser, and
    // carries the works (the index has caught up when the recent works
    // show all three).
    let fandom_url =
        ficus_web::view::encode_segment(&ficus_core::tag::tag_to_url_name("ControlFandom"));
    let mut found = 0;
    for _ in 0..100 {
        let body = client()
            .get(server.url("/opds/recent"))
            .send()
            .expect("recent")
            .text()
            .expect("body");
        // (A form feed in a file is a line break to the importer: the
        // imported title may read "Imported Title".)
        found = ["<title>Imported", "<title>FormTitle<", "<title>ApiTitle<"]
            .iter()
            .filter(|t| body.contains(*t))
            .count();
        if found == 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        found,
        3,
        "the index holds all three works: {}",
        client()
            .get(server.url("/opds/recent"))
            .send()
            .expect("recent")
            .text()
            .expect("body")
    );
    for path in [
        "/opds".to_string(),
        "/opds/recent".to_string(),
        "/opds/fandoms".to_string(),
        "/opds/tags".to_string(),
        format!("/opds/tags/{fandom_url}"),
        "/opds/search?q=text".to_string(),
        "/opds/search.xml".to_string(),
        format!("/tags/{fandom_url}/feed.atom"),
        "/users/ada/feed.atom".to_string(),
    ] {
        let resp = client().get(server.url(&path)).send().expect("feed");
        assert_eq!(resp.status(), 200, "{path}");
        let xml = resp.text().expect("body");
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{path} is not well-formed XML: {e}\n{xml}");
        }
        assert!(!xml.chars().any(|ch| CONTROLS.contains(&ch)), "{path}");
    }
}

#[test]
fn sessions_csrf_tokens_and_proxies() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path(), &["--trusted-proxy", "127.0.0.1/32"]);
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);
    let mut bea = Browser::new();
    assert_eq!(signup(&mut bea, &server, "bea").status(), 303);

    // Logging in as another account ends the session the browser had.
    let ada_session = ada.jar.0["ficus_session"].clone();
    let resp = ada.submit(
        &server,
        "/users/login",
        &[("user[login]", "bea"), ("user[password]", PASSWORD)],
    );
    assert_eq!(resp.status(), 303);
    let old = client()
        .get(server.url("/"))
        .header("cookie", format!("ficus_session={ada_session}"))
        .send()
        .expect("get")
        .text()
        .expect("body");
    assert!(
        old.contains("class=\"logged-out\""),
        "the earlier session ended"
    );

    // A cookie and field pair the attacker chose (they match each other,
    // as the old double-submit check wanted) is refused: the token is an
    // HMAC of the cookies under the archive's key.
    let planted = "a".repeat(64);
    let resp = client()
        .post(server.url("/users/bea/pseuds"))
        .header(
            "cookie",
            format!(
                "ficus_session={}; ficus_csrf={planted}",
                bea.jar.0["ficus_session"]
            ),
        )
        .form(&[
            ("authenticity_token", planted.as_str()),
            ("pseud[name]", "Planted"),
        ])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 403);
    // A token made for another browser's cookies does not work either.
    let ada_token = ada.form_token(&server);
    let resp = bea.post(
        &server.url("/users/bea/pseuds"),
        &[
            ("authenticity_token", &ada_token),
            ("pseud[name]", "Stolen"),
        ],
    );
    assert_eq!(resp.status(), 403);
    let pseuds = bea.page(&server.url("/users/bea/pseuds"));
    assert!(
        !text(&pseuds, "body").contains("Planted") && !text(&pseuds, "body").contains("Stolen")
    );

    // The session cookie is Secure when the trusted proxy says https…
    let mut b = Browser::new();
    let token = b.form_token(&server);
    let resp = b
        .client
        .post(server.url("/users/login"))
        .header("cookie", b.jar.header())
        .header("x-forwarded-proto", "https")
        .form(&[
            ("authenticity_token", token.as_str()),
            ("user[login]", "ada"),
            ("user[password]", PASSWORD),
        ])
        .send()
        .expect("post");
    assert!(session_cookie(&resp).contains("; Secure"));

    // …but not when anyone else says it.
    let other_dir = ficus_testkit::temp_dir();
    let other = serve(other_dir.path(), &[]);
    let mut c = Browser::new();
    assert_eq!(signup(&mut c, &other, "cleo").status(), 303);
    let mut d = Browser::new();
    let token = d.form_token(&other);
    let resp = d
        .client
        .post(other.url("/users/login"))
        .header("cookie", d.jar.header())
        .header("x-forwarded-proto", "https")
        .form(&[
            ("authenticity_token", token.as_str()),
            ("user[login]", "cleo"),
            ("user[password]", PASSWORD),
        ])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 303);
    assert!(!session_cookie(&resp).contains("Secure"));
}

fn session_cookie(resp: &Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_string())
        .find(|c| c.starts_with("ficus_session="))
        .expect("session cookie")
}

fn json_error(resp: Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json"),
        "JSON body"
    );
    let body: Value = resp.json().expect("json");
    assert_eq!(body["error"]["status"], status);
    body
}

fn with_token(req: RequestBuilder, token: &str) -> Response {
    req.bearer_auth(token).send().expect("request")
}

#[test]
fn limits_errors_drafts_retired_logins_and_the_public_url() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(
        dir.path(),
        &["--public-url", "https://archive.example.org/"],
    );
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);

    // Bodies over the limit: 413, on a page and on the API.
    let big = "a".repeat(17 * 1024 * 1024);
    let resp = client()
        .post(server.url("/users/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("x={big}"))
        .send()
        .expect("post");
    assert_eq!(resp.status(), 413);
    let resp = ada.submit(&server, "/users/ada/api_tokens", &[("name", "t")]);
    let token = text(
        &scraper::Html::parse_document(&resp.text().expect("body")),
        "#new-api-token",
    );
    let resp = with_token(
        client()
            .post(server.url("/api/v1/works"))
            .header("content-type", "application/json")
            .body(format!("{{\"title\":\"{big}\"}}")),
        &token,
    );
    json_error(resp, 413);

    // Text that is not UTF-8 in the API's query: 400, as on the pages.
    let resp = with_token(
        client().get(server.url("/api/v1/works/search?q=%FF%FE")),
        &token,
    );
    json_error(resp, 400);
    let page = client()
        .get(server.url("/works/search?work_search%5Bquery%5D=%FF%FE"))
        .send()
        .expect("get");
    assert_eq!(page.status(), 400);

    // A moderator cannot hide a draft they cannot see: 404 as for no work.
    let form = ada.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = ada.submit(
        &server,
        "/works",
        &[
            ("work[title]", "A Draft"),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Drafts"),
            ("work[chapter_attributes][content]", "<p>Draft text.</p>"),
            ("save_button", "Save As Draft"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let draft: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    let mut moderator = Browser::new();
    assert_eq!(signup(&mut moderator, &server, "mod").status(), 303);
    let out = ficus(dir.path())
        .args(["admin", "set-role", "mod", "moderator"])
        .output()
        .expect("set-role");
    assert!(out.status.success());
    let resp = moderator.submit(&server, &format!("/works/{draft}/hide"), &[("reason", "x")]);
    assert_eq!(resp.status(), 404);
    let resp = moderator.submit(&server, "/works/999999/hide", &[("reason", "x")]);
    assert_eq!(resp.status(), 404);

    // A deleted account's login cannot be taken again at once.
    let mut gone = Browser::new();
    assert_eq!(signup(&mut gone, &server, "gone").status(), 303);
    let resp = gone.submit(
        &server,
        "/users/gone/delete",
        &[("works", "orphan"), ("password", PASSWORD)],
    );
    assert_eq!(resp.status(), 303);
    let resp = signup(&mut Browser::new(), &server, "gone");
    assert_eq!(resp.status(), 422);
    assert!(resp.text().expect("body").contains("taken"));
    let resp = signup(&mut Browser::new(), &server, "GONE");
    assert_eq!(resp.status(), 422, "in any case");

    // Absolute links follow the configured public URL, not Host.
    for path in ["/opds", "/opds/search.xml", "/users/ada/feed.atom"] {
        let xml = client()
            .get(server.url(path))
            .header("host", "evil.example")
            .send()
            .expect("get")
            .text()
            .expect("body");
        assert!(!xml.contains("evil.example"), "{path}: {xml}");
        assert!(xml.contains("https://archive.example.org/"), "{path}");
    }
}

#[test]
fn the_apis_429_is_json_with_an_honest_retry_after() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(
        dir.path(),
        &["--requests-per-ip", "5", "--request-window", "20"],
    );
    let mut last = None;
    for _ in 0..8 {
        let resp = client()
            .get(server.url("/api/v1/works"))
            .send()
            .expect("get");
        if resp.status() == 429 {
            last = Some(resp);
            break;
        }
    }
    let resp = last.expect("limited");
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=40).contains(&retry));
    let body = json_error(resp, 429);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Too many requests"))
    );
    // The pages' 429 stays a page.
    let resp = client().get(server.url("/works")).send().expect("get");
    assert_eq!(resp.status(), 429);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
}
