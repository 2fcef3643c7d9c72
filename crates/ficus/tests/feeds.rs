//! Atom feeds, read back by a real feed parser (`atom_syndication`): per
//! tag (synonyms count, newest first) and per creator; restricted works,
//! drafts and hidden works never appear.

mod support;

use support::{Browser, attr, serve, signup};

fn post(b: &mut Browser, server: &ficus_testkit::ServerProcess, title: &str, restricted: bool) {
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
        ("work[fandom_string]", "Feed Fandom"),
        ("work[summary]", "<p>A summary & more.</p>"),
        ("work[chapter_attributes][content]", "<p>Text.</p>"),
        ("post_button", "Post"),
    ];
    if restricted {
        fields.push(("work[restricted]", "1"));
    }
    assert_eq!(b.submit(server, "/works", &fields).status(), 303);
}

fn feed(b: &mut Browser, url: &str) -> atom_syndication::Feed {
    let resp = b.get(url);
    assert_eq!(resp.status(), 200, "{url}");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/atom+xml")
    );
    let body = resp.text().expect("body");
    body.parse::<atom_syndication::Feed>()
        .unwrap_or_else(|e| panic!("not valid Atom: {e}\n{body}"))
}

#[test]
fn tag_and_creator_feeds() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "feeder").status(), 303);
    post(&mut writer, &server, "First Public", false);
    post(&mut writer, &server, "Members Only", true);
    post(&mut writer, &server, "Second <Public> & Co", false);
    let mut guest = Browser::new();
    let tag = feed(&mut guest, &server.url("/tags/Feed%20Fandom/feed.atom"));
    let titles: Vec<String> = tag
        .entries()
        .iter()
        .map(|e| e.title().value.clone())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Second <Public> & Co".to_string()));
    assert!(!titles.iter().any(|t| t == "Members Only"));
    let first = &tag.entries()[0];
    assert!(first.links()[0].href().starts_with("http://"));
    assert_eq!(first.authors()[0].name(), "feeder");
    assert!(first.categories().iter().any(|c| c.term() == "Feed Fandom"));
    assert!(
        first
            .content()
            .and_then(|c| c.value())
            .is_some_and(|v| v.contains("A summary"))
    );
    let by = feed(&mut guest, &server.url("/users/feeder/feed.atom"));
    assert_eq!(by.entries().len(), 2);
    assert_eq!(guest.get(&server.url("/tags/Nope/feed.atom")).status(), 404);
    assert_eq!(
        guest.get(&server.url("/users/nobody/feed.atom")).status(),
        404
    );
}
