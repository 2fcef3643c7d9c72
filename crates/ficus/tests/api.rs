//! The JSON API end to end, over HTTP against the real binary: personal API
//! tokens made and revoked on the account page, writes with a token (and
//! refused without one), the same validation as the forms, reads with the
//! browsing filters and cursor paging, tags with their wrangling, series,
//! what guests, members and other accounts may see, and the OpenAPI
//! document checked by schemathesis.

mod support;

use ficus_testkit::{ServerProcess, Tool};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use support::{Browser, serve, signup, text};

const WRITER_PASSWORD: &str = "correct horse battery";

fn client() -> Client {
    Client::builder().build().expect("client")
}

/// Makes a token on the account page and returns it.
fn make_token(b: &mut Browser, server: &ServerProcess, login: &str) -> String {
    support::api_token(b, server, login)
}

fn send(req: reqwest::blocking::RequestBuilder, token: Option<&str>) -> Response {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send().expect("request")
}

fn json_of(resp: Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let body = resp.text().expect("body");
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn work_body(title: &str) -> Value {
    json!({
        "title": title,
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": ["API Fandom"],
        "freeforms": ["Fluff"],
        "summary": "<p>A summary.</p>",
        "text": "<p>Some text here, enough words to count.</p><script>alert(1)</script>",
    })
}

/// A server with a writer ("apiwriter") and a reader ("apireader"), each
/// with a personal API token, and the writer's first three works through
/// the API: "First" (public), "Members Only" (restricted) and "A Draft".
/// Each test starts its own: the tests change what they read.
struct Api {
    dir: tempfile::TempDir,
    server: ServerProcess,
    http: Client,
    works_url: String,
    writer: Browser,
    token: String,
    reader: Browser,
    reader_token: String,
    /// The answer to posting "First": its `Location` and its JSON.
    first_location: String,
    first: Value,
    first_id: i64,
    restricted_id: i64,
    draft_json: Value,
    draft_id: i64,
}

impl Api {
    fn start() -> Api {
        let dir = ficus_testkit::temp_dir();
        let server = serve(dir.path());
        let http = client();
        let mut writer = Browser::new();
        assert_eq!(signup(&mut writer, &server, "apiwriter").status(), 303);
        let token = make_token(&mut writer, &server, "apiwriter");
        let works_url = server.url("/api/v1/works");

        let resp = send(
            http.post(&works_url).json(&work_body("First")),
            Some(&token),
        );
        let first_location = resp.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let first = json_of(resp, 201);
        let first_id = first["id"].as_i64().expect("id");
        let mut restricted = work_body("Members Only");
        restricted["restricted"] = json!(true);
        let restricted_id = json_of(
            send(http.post(&works_url).json(&restricted), Some(&token)),
            201,
        )["id"]
            .as_i64()
            .expect("id");
        let mut draft = work_body("A Draft");
        draft["draft"] = json!(true);
        let draft_json = json_of(send(http.post(&works_url).json(&draft), Some(&token)), 201);
        let draft_id = draft_json["id"].as_i64().expect("id");

        let mut reader = Browser::new();
        assert_eq!(signup(&mut reader, &server, "apireader").status(), 303);
        let reader_token = make_token(&mut reader, &server, "apireader");
        Api {
            dir,
            server,
            http,
            works_url,
            writer,
            token,
            reader,
            reader_token,
            first_location,
            first,
            first_id,
            restricted_id,
            draft_json,
            draft_id,
        }
    }
}

/// The status of `GET /api/v1/works/{id}` with `token`.
fn status_of(http: &Client, server: &ServerProcess, id: i64, token: Option<&str>) -> u16 {
    send(http.get(server.url(&format!("/api/v1/works/{id}"))), token)
        .status()
        .as_u16()
}

/// "Work 2" to "Work 7"; works 2 and 3 name the series "The Saga".
fn post_more_works(http: &Client, works_url: &str, token: &str) {
    for n in 2..=7 {
        let mut w = work_body(&format!("Work {n}"));
        w["series"] = json!(if n <= 3 { "The Saga" } else { "" });
        json_of(send(http.post(works_url).json(&w), Some(token)), 201);
    }
}

#[test]
fn writes_need_a_token_and_valid_input_and_who_sees_what() {
    let Api {
        dir: _dir,
        server,
        http,
        works_url,
        writer,
        token,
        reader_token,
        first_location: location,
        first,
        first_id,
        restricted_id,
        draft_json,
        draft_id,
        ..
    } = Api::start();

    // Writes need a token: none, a bad one, or a session cookie get 401.
    let resp = send(http.post(&works_url).json(&work_body("No Token")), None);
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or("")
            .starts_with("Bearer")
    );
    let bad = format!("ficus_{}", "0".repeat(64));
    assert_eq!(
        send(http.post(&works_url).json(&work_body("Bad")), Some(&bad)).status(),
        401
    );
    assert_eq!(send(http.get(&works_url), Some("nonsense")).status(), 401);
    let with_cookie = http
        .post(&works_url)
        .header("cookie", writer.jar.header())
        .json(&work_body("Cookie"))
        .send()
        .expect("post");
    assert_eq!(with_cookie.status(), 401, "a session cookie cannot write");

    // Posting: the same validation as the form.
    let mut invalid = work_body("");
    invalid["fandoms"] = json!([]);
    invalid["rating"] = json!("Nope");
    let err = json_of(
        send(http.post(&works_url).json(&invalid), Some(&token)),
        422,
    );
    let fields: Vec<&str> = err["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    for f in ["title", "rating", "fandoms"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let malformed = http
        .post(&works_url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .expect("post");
    assert_eq!(json_of(malformed, 400)["error"]["status"], 400);
    let mut unknown = work_body("Unknown Field");
    unknown["colour"] = json!("red");
    assert_eq!(
        send(http.post(&works_url).json(&unknown), Some(&token)).status(),
        400
    );

    // Posting: the work as stored, its text sanitized.
    assert_eq!(location, format!("/api/v1/works/{first_id}"));
    assert_eq!(first["creators"], json!(["apiwriter"]));
    assert_eq!(first["tags"]["fandom"], json!(["API Fandom"]));
    assert_eq!(first["chapters"].as_array().map(Vec::len), Some(1));
    let chapter_id = first["chapters"][0]["id"].as_i64().expect("chapter id");
    let chapter = json_of(
        send(
            http.get(server.url(&format!("/api/v1/works/{first_id}/chapters/{chapter_id}"))),
            None,
        ),
        200,
    );
    let body = chapter["body"].as_str().expect("body");
    assert!(
        body.contains("Some text here") && !body.contains("script"),
        "{body}"
    );

    // A restricted work and a draft: who sees them.
    assert_eq!(draft_json["posted"], json!(false));
    let one = |id: i64, t: Option<&str>| status_of(&http, &server, id, t);
    assert_eq!(one(restricted_id, None), 404);
    assert_eq!(one(restricted_id, Some(&token)), 200);
    assert_eq!(one(draft_id, None), 404);
    assert_eq!(one(draft_id, Some(&token)), 200);

    // A reader with their own token: sees restricted works, may not edit.
    assert_eq!(one(restricted_id, Some(&reader_token)), 200);
    assert_eq!(one(draft_id, Some(&reader_token)), 404);
    let patch_url = server.url(&format!("/api/v1/works/{first_id}"));
    assert_eq!(
        send(
            http.patch(&patch_url).json(&json!({"title": "Stolen"})),
            Some(&reader_token)
        )
        .status(),
        403
    );
    assert_eq!(
        send(http.delete(&patch_url), Some(&reader_token)).status(),
        403
    );
}

#[test]
fn listings_page_filter_search_and_show_series() {
    let Api {
        dir: _dir,
        server,
        http,
        works_url,
        mut writer,
        token,
        reader_token,
        restricted_id,
        draft_id,
        ..
    } = Api::start();

    // More works, then paging through them by cursor.
    post_more_works(&http, &works_url, &token);
    let all = json_of(
        send(
            http.get(format!("{works_url}?limit=100&sort=title&direction=asc")),
            None,
        ),
        200,
    );
    let all_ids: Vec<i64> = all["works"]
        .as_array()
        .expect("works")
        .iter()
        .filter_map(|w| w["id"].as_i64())
        .collect();
    assert_eq!(all["total"], json!(all_ids.len()));
    assert_eq!(all_ids.len(), 7, "guests see the 7 posted public works");
    assert!(!all_ids.contains(&restricted_id) && !all_ids.contains(&draft_id));
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{works_url}?limit=2&sort=title&direction=asc");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = json_of(send(http.get(&url), None), 200);
        assert_eq!(page["total"], json!(7));
        paged.extend(
            page["works"]
                .as_array()
                .expect("works")
                .iter()
                .filter_map(|w| w["id"].as_i64()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(paged.len() < 20, "paging must end");
    }
    assert_eq!(
        paged, all_ids,
        "cursor pages give every work once, in order"
    );
    // A cursor from another sort is refused.
    let c = json_of(
        send(http.get(format!("{works_url}?limit=2&sort=title")), None),
        200,
    )["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_string();
    assert_eq!(
        send(
            http.get(format!("{works_url}?limit=2&sort=words&cursor={c}")),
            None
        )
        .status(),
        400
    );
    assert_eq!(
        send(http.get(format!("{works_url}?limit=0")), None).status(),
        400
    );
    assert_eq!(
        send(http.get(format!("{works_url}?sort=sideways")), None).status(),
        400
    );
    // Members see the restricted work in listings too.
    let member = json_of(
        send(
            http.get(format!("{works_url}?limit=100")),
            Some(&reader_token),
        ),
        200,
    );
    assert_eq!(member["total"], json!(8));

    // Filters: by tag, excluded tags, by creator, search.
    let by_tag = json_of(
        send(
            http.get(server.url("/api/v1/tags/API%20Fandom/works?limit=100")),
            None,
        ),
        200,
    );
    assert_eq!(by_tag["total"], json!(7));
    let excluded = json_of(
        send(http.get(format!("{works_url}?exclude_tags=Fluff")), None),
        200,
    );
    assert_eq!(excluded["total"], json!(0));
    let by_creator = json_of(
        send(
            http.get(server.url("/api/v1/users/apiwriter/works?limit=100")),
            None,
        ),
        200,
    );
    assert_eq!(by_creator["total"], json!(7));
    assert_eq!(
        send(
            http.get(server.url("/api/v1/users/nobody_here/works")),
            None
        )
        .status(),
        404
    );
    let found = json_of(
        send(
            http.get(server.url("/api/v1/works/search?q=title:%22Work%205%22")),
            None,
        ),
        200,
    );
    assert_eq!(found["total"], json!(1));
    assert_eq!(found["works"][0]["title"], json!("Work 5"));
    let malformed = send(
        http.get(server.url("/api/v1/works/search?q=%22unclosed")),
        None,
    );
    assert_eq!(malformed.status(), 400);

    // Tags with their wrangling.
    let tag = json_of(
        send(http.get(server.url("/api/v1/tags/API%20Fandom")), None),
        200,
    );
    assert_eq!(tag["type"], json!("fandom"));
    assert_eq!(
        tag["direct_uses"],
        json!(7),
        "7 public works for a guest (the restricted one is not theirs to count)"
    );
    let member_tag = json_of(
        send(
            http.get(server.url("/api/v1/tags/API%20Fandom")),
            Some(&reader_token),
        ),
        200,
    );
    assert_eq!(
        member_tag["direct_uses"],
        json!(8),
        "7 public works and the restricted one for an account"
    );
    assert_eq!(
        send(http.get(server.url("/api/v1/tags/No%20Such%20Tag")), None).status(),
        404
    );

    // Series: made by the first work that names it, in posting order.
    let second = all["works"]
        .as_array()
        .expect("works")
        .iter()
        .find(|w| w["title"] == "Work 2")
        .expect("work 2")
        .clone();
    let place = &second["series"][0];
    assert_eq!(place["title"], json!("The Saga"));
    assert_eq!(place["position"], json!(1));
    let series_id = place["id"].as_i64().expect("series id");
    let series = json_of(
        send(
            http.get(server.url(&format!("/api/v1/series/{series_id}"))),
            None,
        ),
        200,
    );
    let titles: Vec<&str> = series["works"]
        .as_array()
        .expect("works")
        .iter()
        .filter_map(|e| e["work"]["title"].as_str())
        .collect();
    assert_eq!(titles, ["Work 2", "Work 3"]);
    assert_eq!(series["creators"], json!(["apiwriter"]));
    // Series titles are searched (`series:` and plain words).
    for q in ["series%3Asaga", "saga"] {
        let found = json_of(
            send(
                http.get(server.url(&format!(
                    "/api/v1/works/search?q={q}&sort=title&direction=asc"
                ))),
                None,
            ),
            200,
        );
        let titles: Vec<&str> = found["works"]
            .as_array()
            .expect("works")
            .iter()
            .filter_map(|w| w["title"].as_str())
            .collect();
        assert_eq!(titles, ["Work 2", "Work 3"], "search {q}");
    }
    let page = writer.page(&server.url(&format!("/series/{series_id}")));
    assert_eq!(
        support::count(&page, "ul.series.work.index.group > li.work.blurb"),
        2
    );
    let work_page = writer.page(&server.url(&format!("/works/{}", second["id"])));
    assert!(text(&work_page, "dd.series > span.series > span.position").contains("Part 1 of"));
    // Blurbs in listings carry AO3's series line.
    let listing = writer.page(&server.url(
        "/works/search?work_search%5Bquery%5D=series%3Asaga&work_search%5Bsort_column%5D=title_to_sort_on&work_search%5Bsort_direction%5D=asc",
    ));
    assert_eq!(support::count(&listing, "li.work.blurb ul.series > li"), 2);
    let line = text(&listing, "li.work.blurb ul.series > li");
    assert!(
        line.contains("Part 1 of The Saga") && line.contains("Part 2 of The Saga"),
        "{line}"
    );

    // Leaving a series through the API; a series the work is not in is a 422.
    let third = all["works"]
        .as_array()
        .expect("works")
        .iter()
        .find(|w| w["title"] == "Work 3")
        .expect("work 3")["id"]
        .as_i64()
        .expect("id");
    let third_url = server.url(&format!("/api/v1/works/{third}"));
    let bad = json_of(
        send(
            http.patch(&third_url)
                .json(&json!({"leave_series": [series_id + 1000]})),
            Some(&token),
        ),
        422,
    );
    assert_eq!(bad["error"]["fields"][0]["field"], json!("leave_series"));
    let left = json_of(
        send(
            http.patch(&third_url)
                .json(&json!({"leave_series": [series_id]})),
            Some(&token),
        ),
        200,
    );
    assert_eq!(left["series"], json!([]));
    let series = json_of(
        send(
            http.get(server.url(&format!("/api/v1/series/{series_id}"))),
            None,
        ),
        200,
    );
    assert_eq!(series["works"].as_array().map(Vec::len), Some(1));
}

#[test]
fn edits_chapters_publishing_deleting_and_revoking_tokens() {
    let Api {
        dir: _dir,
        server,
        http,
        works_url,
        mut writer,
        token,
        mut reader,
        first_id,
        draft_id,
        ..
    } = Api::start();
    let one = |id: i64, t: Option<&str>| status_of(&http, &server, id, t);
    let patch_url = server.url(&format!("/api/v1/works/{first_id}"));

    // Editing: a patch changes only what it names; chapters.
    let patched = json_of(
        send(
            http.patch(&patch_url).json(
                &json!({"title": "First, Renamed", "complete": false, "expected_chapters": 3}),
            ),
            Some(&token),
        ),
        200,
    );
    assert_eq!(patched["title"], json!("First, Renamed"));
    assert_eq!(patched["tags"]["fandom"], json!(["API Fandom"]));
    assert_eq!(patched["expected_chapters"], json!(3));
    // A plain-text patch converts what it sends and leaves the stored HTML
    // of everything else alone.
    let plain = json_of(
        send(
            http.patch(&patch_url)
                .json(&json!({"notes": "Line one.\n\nLine <two>.", "text_format": "plain"})),
            Some(&token),
        ),
        200,
    );
    let notes = plain["notes"].as_str().unwrap_or("");
    assert!(
        notes.contains("<p>Line one.</p>") && notes.contains("Line &lt;two&gt;."),
        "{notes}"
    );
    assert_eq!(plain["summary"], patched["summary"], "untouched: {plain}");
    let chapters_url = server.url(&format!("/api/v1/works/{first_id}/chapters"));
    assert_eq!(
        send(
            http.post(&chapters_url).json(&json!({"text": "   "})),
            Some(&token)
        )
        .status(),
        422
    );
    let resp = send(
        http.post(&chapters_url)
            .json(&json!({"title": "Two", "text": "Plain text.\n\nTwo paragraphs.", "text_format": "plain"})),
        Some(&token),
    );
    let added = json_of(resp, 201);
    assert_eq!(added["position"], json!(2));
    assert!(
        added["body"]
            .as_str()
            .unwrap_or("")
            .contains("<p>Two paragraphs.</p>")
    );
    let added_id = added["id"].as_i64().expect("id");
    let edited = json_of(
        send(
            http.patch(format!("{chapters_url}/{added_id}"))
                .json(&json!({"title": "Two, Edited", "text": "<p>New text.</p>"})),
            Some(&token),
        ),
        200,
    );
    assert_eq!(edited["title"], json!("Two, Edited"));
    let detail = json_of(send(http.get(&patch_url), None), 200);
    assert_eq!(detail["chapter_count"], json!(2));
    // A multi-chapter work's text is edited chapter by chapter.
    assert_eq!(
        send(
            http.patch(&patch_url).json(&json!({"text": "<p>x</p>"})),
            Some(&token)
        )
        .status(),
        422
    );
    // Publishing a draft.
    let published = json_of(
        send(
            http.patch(server.url(&format!("/api/v1/works/{draft_id}")))
                .json(&json!({"draft": false})),
            Some(&token),
        ),
        200,
    );
    assert_eq!(published["posted"], json!(true));
    assert_eq!(one(draft_id, None), 200);

    // Deleting.
    assert_eq!(send(http.delete(&patch_url), Some(&token)).status(), 204);
    assert_eq!(one(first_id, Some(&token)), 404);

    // Revoking the token on the account page ends it.
    let page = writer.page(&server.url("/users/apiwriter/api_tokens"));
    let form_action =
        support::attr(&page, "tr[id^='api-token-'] form", "action").expect("revoke form");
    assert_eq!(writer.submit(&server, &form_action, &[]).status(), 303);
    assert_eq!(send(http.get(&works_url), Some(&token)).status(), 401);
    // Another account cannot see or revoke someone's tokens.
    assert_eq!(
        reader
            .get(&server.url("/users/apiwriter/api_tokens"))
            .status(),
        403
    );
    let _ = WRITER_PASSWORD;
}

#[test]
fn openapi_document_and_schemathesis() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let http = client();
    let doc = json_of(
        send(http.get(server.url("/api/v1/openapi.json")), None),
        200,
    );
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    for path in [
        "/api/v1/works",
        "/api/v1/works/search",
        "/api/v1/works/{id}",
        "/api/v1/works/{id}/chapters",
        "/api/v1/works/{id}/chapters/{chapter_id}",
        "/api/v1/tags/{name}",
        "/api/v1/tags/{name}/works",
        "/api/v1/users/{login}/works",
        "/api/v1/series/{id}",
        "/api/v1/works/{id}/comments",
        "/api/v1/comments/{id}",
        "/api/v1/comments/{id}/replies",
        "/api/v1/inbox",
        "/api/v1/blocked",
        "/api/v1/blocked/{login}",
        "/api/v1/muted/{login}",
        "/api/v1/works/{id}/bookmarks",
        "/api/v1/users/{login}/bookmarks",
        "/api/v1/bookmarks/{id}",
        "/api/v1/subscriptions",
        "/api/v1/subscriptions/updates",
        "/api/v1/readings",
        "/api/v1/works/{id}/mark_for_later",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());

    // Some data to read, and a token so the write endpoints are exercised.
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "fuzzer").status(), 303);
    let token = make_token(&mut writer, &server, "fuzzer");
    for n in 1..=3 {
        let mut w = work_body(&format!("Fuzz {n}"));
        w["series"] = json!("Fuzz Series");
        json_of(
            send(
                http.post(server.url("/api/v1/works")).json(&w),
                Some(&token),
            ),
            201,
        );
    }

    let Some(st) = Tool::Schemathesis.require(schemathesis) else {
        return;
    };
    // schemathesis writes a `.schemathesis/` cache into its working directory.
    let out = std::process::Command::new(st)
        .current_dir(std::env::temp_dir())
        .args([
            "run",
            &server.url("/api/v1/openapi.json"),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "40",
            "--seed",
            "1",
            "--header",
            &format!("Authorization: Bearer {token}"),
            "--no-color",
        ])
        .output()
        .expect("run schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}"
    );
}

/// The schemathesis command, or why there is none.
fn schemathesis() -> Result<String, String> {
    let ok = |cmd: &str| {
        std::process::Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ok("schemathesis") {
        return Ok("schemathesis".into());
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = [
        format!("{home}/.local/bin/schemathesis"),
        format!("{home}/.pyenv/shims/schemathesis"),
    ];
    candidates.into_iter().find(|c| ok(c)).ok_or_else(|| {
        "schemathesis is not installed (not on PATH, nor in ~/.local/bin or ~/.pyenv/shims)"
            .to_string()
    })
}
