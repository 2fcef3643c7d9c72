//! End to end through the real binary: import fixtures with the CLI, start
//! the real server on a free loopback port, and check every page family,
//! the interstitial and the JSON API over HTTP. The tests only read, so
//! those running at the same time share one archive and server.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use ficus_testkit::{ServerProcess, Shared, fixture, temp_dir};
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use serde_json::Value;

fn ficus(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env("FICUS_LOG", "warn")
        .env_remove("FICUS_DATABASE_URL");
    cmd
}

fn serve(data_dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut cmd = ficus(data_dir);
    cmd.args(["serve", "--addr", "127.0.0.1:0"]).args(extra);
    ServerProcess::start(cmd)
}

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("http client")
}

fn get(c: &Client, url: &str) -> Response {
    c.get(url)
        .send()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn page(c: &Client, url: &str) -> Html {
    let resp = get(c, url);
    assert_eq!(resp.status(), 200, "GET {url}");
    let doc = Html::parse_document(&resp.text().expect("body"));
    assert_well_formed(&doc, url);
    doc
}

/// The HTML parser reports no errors and no id is used twice.
fn assert_well_formed(doc: &Html, url: &str) {
    assert!(
        doc.errors.is_empty(),
        "{url}: HTML parse errors {:?}",
        doc.errors
    );
    let mut seen = std::collections::HashSet::new();
    for el in doc.select(&sel("[id]")) {
        let id = el.value().attr("id").unwrap_or_default();
        assert!(seen.insert(id.to_string()), "{url}: duplicate id {id:?}");
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e}"))
}

fn count(doc: &Html, s: &str) -> usize {
    doc.select(&sel(s)).count()
}

fn text(doc: &Html, s: &str) -> String {
    doc.select(&sel(s))
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn attr(doc: &Html, s: &str, a: &str) -> Option<String> {
    doc.select(&sel(s))
        .next()
        .and_then(|e| e.value().attr(a))
        .map(str::to_string)
}

/// Imports `paths` with `--json`; returns the exit success and the lines by file name.
fn import(data_dir: &Path, paths: &[&Path]) -> (bool, HashMap<String, Value>) {
    let out = ficus(data_dir)
        .arg("import")
        .arg("--json")
        .args(paths)
        .output()
        .expect("run import");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    let lines = stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("json line {l}: {e}"));
            let name = Path::new(v["path"].as_str().expect("path"))
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            (name, v)
        })
        .collect();
    (out.status.success(), lines)
}

/// The archive the tests read: 45 demo works (some with several chapters),
/// then the `e2e` fixtures and an unsafe HTML file imported, then the same
/// files again; served by a real server process.
struct Archive {
    _dir: tempfile::TempDir,
    server: ServerProcess,
    /// The first import: its exit success and its report lines by file name.
    import_ok: bool,
    lines: HashMap<String, Value>,
    /// The second import of two of the same files.
    again: HashMap<String, Value>,
}

impl Archive {
    /// The work id the first import gave `file`.
    fn id(&self, file: &str) -> i64 {
        self.lines[file]["work_id"].as_i64().expect("id")
    }
}

static ARCHIVE: Shared<Archive> = Shared::new();

/// The archive, built by the first test that asks (see [`Shared`]).
fn archive() -> Arc<Archive> {
    ARCHIVE.get(|| {
        let dir = temp_dir();
        let data = dir.path().join("archive");

        // Demo content first (it fills only an empty archive): gives multi-chapter works.
        drop(serve(&data, &["--demo", "--demo-works", "45"]));

        // Import a directory (recursively) with one bad file in it.
        let (import_ok, lines) = import(&data, &[&fixture("e2e"), &fixture("import/unsafe.html")]);
        // Importing again stores nothing new.
        let (_, again) = import(
            &data,
            &[
                &fixture("e2e/lighthouse.txt"),
                &fixture("e2e/nested/garden.txt"),
            ],
        );
        let server = serve(&data, &[]);
        Archive {
            _dir: dir,
            server,
            import_ok,
            lines,
            again,
        }
    })
}

#[test]
fn import_reports_each_file_and_never_duplicates() {
    let archive = archive();
    let (ok, lines, again) = (archive.import_ok, &archive.lines, &archive.again);

    // Import a directory (recursively) with one bad file in it.
    assert!(!ok, "a failed file makes the exit status non-zero");
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines["cover.txt"]["status"], "failed");
    assert!(
        lines["cover.txt"]["error"]
            .as_str()
            .expect("error")
            .to_lowercase()
            .contains("binary")
    );
    for name in ["lighthouse.txt", "garden.txt", "unsafe.html"] {
        assert_eq!(lines[name]["status"], "imported", "{name}: {}", lines[name]);
    }
    let lighthouse = &lines["lighthouse.txt"];
    assert_eq!(lighthouse["title"], "The Lighthouse Keeper's Ledger");
    assert_eq!(lighthouse["creators"], serde_json::json!(["saltmarsh"]));
    assert_eq!(lighthouse["word_count"], 49);
    assert_eq!(lines["garden.txt"]["word_count"], 17);

    // Importing again stores nothing new.
    assert_eq!(again["lighthouse.txt"]["status"], "exists");
    assert_eq!(again["lighthouse.txt"]["work_id"], lighthouse["work_id"]);
    assert!(
        again["garden.txt"]["error"]
            .as_str()
            .expect("msg")
            .contains("already imported as work")
    );
}

#[test]
fn front_page_listings_and_tag_pages() {
    let archive = archive();
    let (server, c) = (&archive.server, client());
    let lh = archive.id("lighthouse.txt");

    // Front page and listing.
    let home = page(&c, &server.url("/"));
    assert!(count(&home, "ol.work.index.group > li.work.blurb.group") > 0);
    let works = page(&c, &server.url("/works"));
    assert_eq!(count(&works, "li.work.blurb.group"), 20);
    assert!(
        text(&works, "#main h2.heading").contains("1 - 20 of 48 Works"),
        "{}",
        text(&works, "#main h2.heading")
    );
    assert_eq!(
        count(
            &works,
            "ol.pagination.actions[role=navigation] li.next a[rel=next]"
        ),
        1
    );
    let page3 = page(&c, &server.url("/works?page=3"));
    assert_eq!(count(&page3, "li.work.blurb.group"), 8);
    assert_eq!(get(&c, &server.url("/works?page=4")).status(), 404);
    assert_eq!(get(&c, &server.url("/works?page=abc")).status(), 400);

    // Tag pages: AO3 coding of special characters, every type, pagination.
    let tag = page(&c, &server.url("/tags/Storms%20*a*%20Shipwrecks/works"));
    assert_eq!(count(&tag, "li.work.blurb.group"), 1);
    assert_eq!(
        attr(&tag, "li.work.blurb.group", "id"),
        Some(format!("work_{lh}"))
    );
    let fandom = page(&c, &server.url("/tags/Tidewater%20Chronicles/works"));
    assert_eq!(count(&fandom, "li.work.blurb.group"), 2);
    let blurb = fandom
        .select(&sel(&format!("li#work_{lh}")))
        .next()
        .expect("blurb");
    let b = Html::parse_fragment(&blurb.html());
    assert_eq!(
        text(&b, "div.header.module h4.heading a"),
        "The Lighthouse Keeper's Ledger"
    );
    assert_eq!(text(&b, "h4.heading a[rel=author]"), "saltmarsh");
    assert_eq!(text(&b, "h5.fandoms.heading a.tag"), "Tidewater Chronicles");
    assert_eq!(
        text(
            &b,
            "ul.required-tags span[class='rating-explicit rating'] span.text"
        ),
        "Explicit"
    );
    assert_eq!(
        text(
            &b,
            "ul.required-tags span[class='complete-yes iswip'] span.text"
        ),
        "Complete Work"
    );
    assert_eq!(text(&b, "p.datetime"), "09 Jun 2019");
    assert_eq!(count(&b, "ul.tags.commas li.freeforms a.tag"), 2);
    assert_eq!(count(&b, "ul.tags.commas li.relationships a.tag"), 1);
    assert_eq!(text(&b, "dl.stats dd.words"), "49");
    assert_eq!(text(&b, "dl.stats dd.chapters"), "1/1");
    assert_eq!(
        get(&c, &server.url("/tags/No%20Such%20Tag/works")).status(),
        404
    );
    assert_eq!(
        get(&c, &server.url("/users/saltmarsh/pseuds/saltmarsh/works")).status(),
        200
    );
}

#[test]
fn the_interstitial_the_work_page_and_sanitized_imports() {
    let archive = archive();
    let (server, c, lines) = (&archive.server, client(), &archive.lines);
    let lh = archive.id("lighthouse.txt");

    // The adult-content interstitial, then the work page.
    let url = server.url(&format!("/works/{lh}"));
    let gate = page(&c, &url);
    assert_eq!(
        attr(&gate, "div#main", "class").as_deref(),
        Some("works-show region")
    );
    assert_eq!(count(&gate, "p.caution.notice"), 1);
    let cont = gate
        .select(&sel("ul.actions a"))
        .find(|a| a.text().collect::<String>() == "Yes, Continue")
        .expect("continue link");
    assert_eq!(
        cont.value().attr("href"),
        Some(format!("/works/{lh}?view_adult=true").as_str())
    );
    assert!(
        gate.select(&sel("ul.actions a"))
            .any(|a| a.text().collect::<String>() == "No, Go Back")
    );
    assert_eq!(
        count(&gate, "div.userstuff"),
        0,
        "the text is not shown behind the interstitial"
    );

    let resp = get(&c, &format!("{url}?view_adult=true"));
    assert_eq!(resp.status(), 200);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .expect("adult cookie")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        cookie.starts_with("view_adult=true")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    for (h, v) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(resp.headers().get(h).and_then(|v| v.to_str().ok()), Some(v));
    }
    assert!(
        resp.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
    let work = Html::parse_document(&resp.text().expect("body"));
    assert_well_formed(&work, &url);
    assert_eq!(attr(&work, "body", "class").as_deref(), Some("logged-out"));
    assert_eq!(
        attr(&work, "div#main", "class").as_deref(),
        Some("works-show region")
    );
    assert_eq!(
        count(
            &work,
            "ul[class='work navigation actions'] li.download ul a"
        ),
        4,
        "EPUB, PDF, HTML and TXT; no dead formats"
    );
    let epub = work
        .select(&sel("li.download ul a"))
        .find(|a| a.text().collect::<String>() == "EPUB")
        .expect("epub link");
    assert!(
        epub.value()
            .attr("href")
            .expect("href")
            .starts_with(&format!(
                "/downloads/{lh}/The_Lighthouse_Keeper_s_Ledger.epub?updated_at="
            ))
    );
    assert_eq!(count(&work, "div.wrapper > dl[class='work meta group']"), 1);
    assert_eq!(
        text(&work, "dd[class='rating tags'] ul.commas li a.tag"),
        "Explicit"
    );
    assert_eq!(
        attr(&work, "dd[class='rating tags'] a.tag", "href").as_deref(),
        Some("/tags/Explicit/works")
    );
    assert_eq!(
        text(&work, "dd[class='warning tags'] a.tag"),
        "No Archive Warnings Apply"
    );
    assert_eq!(text(&work, "dd[class='category tags'] a.tag"), "M/M");
    assert_eq!(
        text(&work, "dd[class='fandom tags'] a.tag"),
        "Tidewater Chronicles"
    );
    assert_eq!(
        text(&work, "dd[class='relationship tags'] a.tag"),
        "Ansel Grey/Corin Vale"
    );
    assert_eq!(
        attr(&work, "dd[class='relationship tags'] a.tag", "href").as_deref(),
        Some("/tags/Ansel%20Grey*s*Corin%20Vale/works")
    );
    assert_eq!(count(&work, "dd[class='character tags'] a.tag"), 2);
    let freeforms: Vec<String> = work
        .select(&sel("dd[class='freeform tags'] a.tag"))
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(freeforms, vec!["Slow Burn", "Storms & Shipwrecks"]);
    assert_eq!(text(&work, "dd.language"), "English");
    assert_eq!(text(&work, "dd.stats dl.stats dd.published"), "2019-06-09");
    assert_eq!(text(&work, "dd.stats dl.stats dd.words"), "49");
    assert_eq!(text(&work, "dd.stats dl.stats dd.chapters"), "1/1");
    assert_eq!(
        text(
            &work,
            "div#workskin div[class='preface group'] h2[class='title heading']"
        ),
        "The Lighthouse Keeper's Ledger"
    );
    assert_eq!(
        attr(&work, "h3[class='byline heading'] a[rel=author]", "href").as_deref(),
        Some("/users/saltmarsh/pseuds/saltmarsh")
    );
    assert_eq!(
        count(&work, "div#chapters[role=article] > div.userstuff"),
        1
    );
    let landmarks: Vec<String> = work
        .select(&sel("h3[class='landmark heading']"))
        .map(|h| h.text().collect())
        .collect();
    assert!(
        landmarks.contains(&"Work Header".to_string())
            && landmarks.contains(&"Work Text:".to_string()),
        "{landmarks:?}"
    );
    let body = text(&work, "div#chapters div.userstuff");
    assert!(
        body.starts_with("Ansel kept the ledger"),
        "title line removed from the text: {body}"
    );
    assert_eq!(count(&work, "div#chapters div.userstuff p"), 3);
    assert_eq!(
        attr(
            &work,
            "div#feedback form#new_kudo input#kudo_commentable_id",
            "value"
        ),
        Some(lh.to_string())
    );

    // The cookie alone passes the interstitial for the rest of the session.
    let with_cookie = c
        .get(&url)
        .header("cookie", "view_adult=true")
        .send()
        .expect("get");
    let doc = Html::parse_document(&with_cookie.text().expect("body"));
    assert_eq!(count(&doc, "p.caution.notice"), 0);
    assert_eq!(count(&doc, "dl[class='work meta group']"), 1);

    // A General Audiences work has no interstitial; its header notes kept out of the text.
    let garden_id = lines["garden.txt"]["work_id"].as_i64().expect("id");
    let garden = page(&c, &server.url(&format!("/works/{garden_id}")));
    assert_eq!(count(&garden, "p.caution.notice"), 0);
    assert!(text(&garden, "div[class='notes module'] blockquote.userstuff").contains("not mine"));
    assert!(!text(&garden, "div#chapters").contains("Disclaimer"));
    assert_eq!(
        text(&garden, "div[class='summary module'] blockquote.userstuff"),
        "Mira writes to her sister about the tomatoes."
    );

    // Sanitized HTML import.
    let unsafe_id = lines["unsafe.html"]["work_id"].as_i64().expect("id");
    let raw = get(
        &c,
        &server.url(&format!("/works/{unsafe_id}?view_adult=true")),
    )
    .text()
    .expect("body");
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "alert(1)",
    ] {
        assert!(!raw.contains(bad), "{bad} survived");
    }
    assert!(raw.contains("<em>exactly</em>"));
}

#[test]
fn chapters_navigation_and_redirects() {
    let archive = archive();
    let (server, c) = (&archive.server, client());
    let lh = archive.id("lighthouse.txt");

    // A multi-chapter demo work: first chapter, chapter pages, full view, navigate, redirect.
    let multi = (1..=3)
        .flat_map(|p| {
            let doc = page(&c, &server.url(&format!("/works?page={p}")));
            doc.select(&sel("li.work.blurb.group"))
                .filter_map(|li| {
                    let chapters: String = li.select(&sel("dd.chapters")).next()?.text().collect();
                    let n: usize = chapters.split('/').next()?.parse().ok()?;
                    let id: i64 = li.value().attr("id")?.strip_prefix("work_")?.parse().ok()?;
                    (n > 1).then_some((id, n))
                })
                .collect::<Vec<_>>()
        })
        .next();
    let (mid, n) = multi.expect("the demo has a multi-chapter work");
    let api: Value = get(&c, &server.url(&format!("/api/v1/works/{mid}")))
        .json()
        .expect("json");
    let chapter_ids: Vec<i64> = api["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(chapter_ids.len(), n);
    let first = page(&c, &server.url(&format!("/works/{mid}?view_adult=true")));
    assert_eq!(count(&first, "div#chapters > div.chapter#chapter-1"), 1);
    assert_eq!(count(&first, "div#chapters > div.chapter"), 1);
    assert_eq!(
        count(
            &first,
            "div#chapters div.chapter div[class='userstuff module'][role=article]"
        ),
        1
    );
    assert_eq!(
        attr(&first, "li.chapter.next a", "href"),
        Some(format!("/works/{mid}/chapters/{}", chapter_ids[1]))
    );
    let second = page(
        &c,
        &server.url(&format!(
            "/works/{mid}/chapters/{}?view_adult=true",
            chapter_ids[1]
        )),
    );
    assert_eq!(count(&second, "div#chapter-2"), 1);
    assert_eq!(
        attr(&second, "li.chapter.previous a", "href"),
        Some(format!("/works/{mid}/chapters/{}", chapter_ids[0]))
    );
    let full = page(
        &c,
        &server.url(&format!("/works/{mid}?view_full_work=true&view_adult=true")),
    );
    assert_eq!(count(&full, "div#chapters > div.chapter"), n);
    assert_eq!(count(&full, &format!("div#chapter-{n}")), 1);
    let nav = page(&c, &server.url(&format!("/works/{mid}/navigate")));
    assert_eq!(count(&nav, "ol.chapter.index li a"), n);
    let dates: Vec<String> = nav
        .select(&sel("ol.chapter.index li span.datetime"))
        .map(|s| s.text().collect())
        .collect();
    assert!(
        dates
            .iter()
            .all(|d| d.len() == 12 && d.starts_with('(') && d.ends_with(')')),
        "{dates:?}"
    );
    let redirect = get(&c, &server.url(&format!("/chapters/{}", chapter_ids[1])));
    assert!(redirect.status().is_redirection());
    assert_eq!(
        redirect.headers()["location"],
        format!("/works/{mid}/chapters/{}", chapter_ids[1]).as_str()
    );
    assert_eq!(
        get(
            &c,
            &server.url(&format!("/works/{lh}/chapters/{}", chapter_ids[0]))
        )
        .status(),
        404,
        "chapter of another work"
    );
}

#[test]
fn json_api_and_errors_never_a_500() {
    let archive = archive();
    let (server, c) = (&archive.server, client());
    let lh = archive.id("lighthouse.txt");

    // JSON API.
    let api: Value = get(&c, &server.url(&format!("/api/v1/works/{lh}")))
        .json()
        .expect("json");
    assert_eq!(api["title"], "The Lighthouse Keeper's Ledger");
    assert_eq!(api["rating"], "Explicit");
    assert_eq!(
        api["tags"]["relationship"],
        serde_json::json!(["Ansel Grey/Corin Vale"])
    );
    assert_eq!(
        api["tags"]["freeform"],
        serde_json::json!(["Slow Burn", "Storms & Shipwrecks"])
    );
    assert_eq!(api["creators"], serde_json::json!(["saltmarsh"]));
    assert_eq!(api["word_count"], 49);
    assert_eq!(api["published"], "2019-06-09");
    assert_eq!(api["language"], "English");
    assert_eq!(api["origin"]["text_encoding"], "utf-8");
    let ch = api["chapters"][0]["id"].as_i64().expect("chapter id");
    let chapter: Value = get(
        &c,
        &server.url(&format!("/api/v1/works/{lh}/chapters/{ch}")),
    )
    .json()
    .expect("json");
    assert!(
        chapter["body"]
            .as_str()
            .expect("body")
            .starts_with("<p>Ansel kept the ledger")
    );
    assert_eq!(chapter["word_count"], 49);

    // Errors: clear pages and JSON, never a 500.
    for (path, status) in [
        ("/works/abc", 400),
        ("/works/0", 400),
        ("/works/99999999", 404),
        ("/works/99999999999999999999999", 400),
        ("/works/1/chapters/xyz", 400),
        ("/chapters/99999999", 404),
        ("/works/1/navigate/extra", 404),
        ("/nope", 404),
        ("/api/v1/works/99999999", 404),
        ("/api/v1/works/abc", 400),
        ("/api/v1/works/1/chapters/99999999", 404),
        ("/api/v1/nothing", 404),
    ] {
        let resp = get(&c, &server.url(path));
        assert_eq!(resp.status(), status, "{path}");
        let is_json = resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("application/json");
        assert_eq!(is_json, path.starts_with("/api/"), "{path}");
        if is_json {
            let v: Value = resp.json().expect("json error");
            assert_eq!(v["error"]["status"], status);
        }
    }
}
