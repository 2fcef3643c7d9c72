//! The OPDS catalog as an e-reader app sees it: navigation and acquisition
//! feeds read back by a real Atom parser, EPUB links that download,
//! pagination, OpenSearch, and restricted works only with HTTP Basic
//! authentication.

mod support;

use ficus_core::TagType;
use ficus_store::{Backend, Store};
use ficus_testkit::work;
use support::{Browser, serve, signup};

fn parse(body: &str) -> atom_syndication::Feed {
    body.parse()
        .unwrap_or_else(|e| panic!("not valid Atom: {e}\n{body}"))
}

fn get(url: &str, auth: Option<(&str, &str)>) -> reqwest::blocking::Response {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = client.get(url);
    if let Some((user, password)) = auth {
        req = req.basic_auth(user, Some(password));
    }
    req.send().expect("request")
}

fn link<'a>(feed: &'a atom_syndication::Feed, rel: &str) -> Option<&'a str> {
    feed.links()
        .iter()
        .find(|l| l.rel() == rel)
        .map(|l| l.href())
}

#[test]
fn an_e_reader_browses_searches_and_downloads() {
    let dir = ficus_testkit::temp_dir();
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("store");
    for i in 0..30 {
        let w = work(format!("Catalog Work {i}"))
            .body("<p>Readable text about lanterns.</p>")
            .dated(ficus_testkit::day(2024, 1, 1))
            .creator("Reader Writer")
            .tag(TagType::Fandom, "Catalog Fandom")
            .restricted(i == 0)
            .build();
        store.insert_work(&w).expect("insert");
    }
    let server = serve(dir.path());
    let mut member = Browser::new();
    assert_eq!(signup(&mut member, &server, "ereader").status(), 303);

    let root = parse(&get(&server.url("/opds"), None).text().expect("body"));
    let hrefs: Vec<&str> = root.entries().iter().map(|e| e.links()[0].href()).collect();
    assert!(hrefs.iter().any(|h| h.ends_with("/opds/recent")));
    assert!(hrefs.iter().any(|h| h.ends_with("/opds/fandoms")));
    assert!(link(&root, "search").is_some_and(|h| h.ends_with("/opds/search.xml")));

    // Recent: 29 public works for a guest, 25 per page, a next page.
    let recent = parse(&get(&server.url("/opds/recent"), None).text().expect("body"));
    assert_eq!(recent.entries().len(), 25);
    let next = link(&recent, "next").expect("next page");
    let page2 = parse(&get(next, None).text().expect("body"));
    assert_eq!(page2.entries().len(), 4, "29 public works in all");
    assert!(link(&page2, "next").is_none());
    let all_titles: Vec<String> = recent
        .entries()
        .iter()
        .chain(page2.entries())
        .map(|e| e.title().value.clone())
        .collect();
    assert!(
        !all_titles.iter().any(|t| t == "Catalog Work 0"),
        "restricted hidden from guests"
    );

    // Acquisition links download EPUB (first: the format e-readers take)
    // and PDF.
    let acquisitions: Vec<_> = recent.entries()[0]
        .links()
        .iter()
        .filter(|l| l.rel() == "http://opds-spec.org/acquisition")
        .collect();
    let types: Vec<_> = acquisitions.iter().map(|l| l.mime_type()).collect();
    assert_eq!(
        types,
        [Some("application/epub+zip"), Some("application/pdf")]
    );
    let epub = get(acquisitions[0].href(), None);
    assert_eq!(epub.status(), 200);
    assert!(epub.bytes().expect("bytes").starts_with(b"PK"));
    let pdf = get(acquisitions[1].href(), None);
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().expect("bytes").starts_with(b"%PDF-"));

    // With HTTP Basic authentication the restricted work appears, and its
    // EPUB downloads; wrong credentials are a 401 asking for them.
    let authed = parse(
        &get(
            &server.url("/opds/recent?page=2"),
            Some(("ereader", "correct horse battery")),
        )
        .text()
        .expect("body"),
    );
    let restricted = authed
        .entries()
        .iter()
        .find(|e| e.title().value == "Catalog Work 0")
        .expect("the restricted work, for a member");
    let href = restricted.links()[0].href().to_string();
    let guest = get(&href, None);
    assert_eq!(guest.status(), 303, "guests are sent to log in");
    assert!(
        guest.headers()["location"]
            .to_str()
            .expect("ascii")
            .starts_with("/users/login")
    );
    assert_eq!(
        get(&href, Some(("ereader", "correct horse battery"))).status(),
        200
    );
    let wrong = get(
        &server.url("/opds/recent"),
        Some(("ereader", "wrong password")),
    );
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Basic")
    );

    // Fandoms → the fandom's works; search through OpenSearch.
    let fandoms = parse(
        &get(&server.url("/opds/fandoms"), None)
            .text()
            .expect("body"),
    );
    let fandom = fandoms
        .entries()
        .iter()
        .find(|e| e.title().value == "Catalog Fandom")
        .expect("fandom entry");
    let works = parse(&get(fandom.links()[0].href(), None).text().expect("body"));
    assert_eq!(works.entries().len(), 25);
    let description = get(&server.url("/opds/search.xml"), None)
        .text()
        .expect("body");
    assert!(description.contains("OpenSearchDescription") && description.contains("{searchTerms}"));
    let found = parse(
        &get(&server.url("/opds/search?q=lanterns"), None)
            .text()
            .expect("body"),
    );
    assert_eq!(found.entries().len(), 25);
    assert_eq!(
        get(&server.url("/opds/search?q=%22unclosed"), None).status(),
        400
    );
}
