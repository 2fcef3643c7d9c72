//! Discovery over HTTP against the real binary: filters and the crossover
//! rule, full-text search with snippets, malformed queries, wrangling
//! through the wrangler pages (re-filtered in the background within
//! seconds), the tag page, and saved mutes for accounts and guests.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{Browser, attr, count, post_tagged_work, serve, signup, text};

/// Work ids listed on a page.
fn listed(b: &mut Browser, url: &str) -> Vec<i64> {
    let doc = b.page(url);
    let sel = scraper::Selector::parse("li.work.blurb").expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr("id"))
        .filter_map(|id| id.trim_start_matches("work_").parse().ok())
        .collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

#[test]
fn filters_search_wrangling_and_mutes() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let a = post_tagged_work(
        &mut writer,
        &server,
        "Alpha",
        "Tidewater",
        "Slowburn",
        "<p>The lighthouse keeper waited.</p>",
    );
    let b = post_tagged_work(
        &mut writer,
        &server,
        "Beta",
        "Tidewater",
        "Slow Burn",
        "<p>A quiet harbour morning.</p>",
    );
    let c = post_tagged_work(
        &mut writer,
        &server,
        "Gamma",
        "Tidewater, Starfall",
        "Fluff",
        "<p>Comets over the harbour.</p>",
    );
    let url = |p: &str| server.url(p);
    let mut guest = Browser::new();

    // Filters: include, exclude, the crossover rule (two unrelated fandoms).
    assert_eq!(sorted(listed(&mut guest, &url("/works"))), vec![a, b, c]);
    assert_eq!(
        listed(&mut guest, &url("/works?work_search%5Bcrossover%5D=T")),
        vec![c]
    );
    assert_eq!(
        sorted(listed(
            &mut guest,
            &url("/works?work_search%5Bcrossover%5D=F")
        )),
        vec![a, b]
    );
    assert_eq!(listed(&mut guest, &url("/tags/Starfall/works")), vec![c]);
    assert_eq!(
        sorted(listed(
            &mut guest,
            &url("/works?work_search%5Bexcluded_tag_names%5D=Fluff")
        )),
        vec![a, b]
    );
    let sorted_by_title = listed(
        &mut guest,
        &url(
            "/works?work_search%5Bsort_column%5D=title_to_sort_on&work_search%5Bsort_direction%5D=desc",
        ),
    );
    assert_eq!(sorted_by_title, vec![c, b, a]);
    // The sidebar counts tags in the results, exactly.
    let page = guest.page(&url("/tags/Tidewater/works"));
    let sidebar = text(&page, "form#work-filters dl.include dd.fandom");
    assert!(sidebar.contains("Tidewater (3)"), "{sidebar}");
    assert!(sidebar.contains("Starfall (1)"), "{sidebar}");

    // Full text, phrases and snippets.
    let page = guest.page(&url(
        "/works/search?work_search%5Bquery%5D=%22lighthouse+keeper%22",
    ));
    assert_eq!(text(&page, "#main h3.heading").trim(), "1 Found");
    assert!(
        page.html().contains("<b>lighthouse</b>"),
        "highlighted snippet"
    );
    assert_eq!(
        sorted(listed(
            &mut guest,
            &url("/works/search?work_search%5Bquery%5D=harbour")
        )),
        vec![b, c]
    );
    assert_eq!(
        listed(
            &mut guest,
            &url("/works/search?work_search%5Bquery%5D=harbour+-comets")
        ),
        vec![b]
    );
    assert_eq!(
        sorted(listed(
            &mut guest,
            &url("/works/search?work_search%5Bquery%5D=lighthouse+OR+comets")
        )),
        vec![a, c]
    );
    // Malformed queries: a clear message, never a 500.
    for bad in ["%22unclosed", "sort%3Anonsense", "words%3E%3Eabc", "OR"] {
        let resp = guest.get(&url(&format!("/works/search?work_search%5Bquery%5D={bad}")));
        assert_eq!(resp.status(), 200, "{bad}");
        let body = resp.text().expect("body");
        assert!(body.contains("could not be read"), "{bad}: {body}");
    }
    assert_eq!(
        guest
            .get(&url("/works?work_search%5Bwords_from%5D=lots"))
            .status(),
        400
    );
    assert_eq!(
        guest
            .get(&url("/works?work_search%5Bsort_column%5D=x"))
            .status(),
        400
    );
    assert_eq!(guest.get(&url("/works?page=9")).status(), 404);

    // Wrangling through the wrangler pages: "Slow Burn" canonical,
    // "Slowburn" its synonym; the filter finds both within seconds.
    let mut wrangler = Browser::new();
    assert_eq!(signup(&mut wrangler, &server, "wrangler").status(), 303);
    assert_eq!(writer.get(&url("/tags/Slowburn/edit")).status(), 403);
    let out = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["admin", "set-role", "wrangler", "tag_wrangler"])
        .output()
        .expect("admin");
    assert!(out.status.success());
    assert_eq!(listed(&mut guest, &url("/tags/Slow%20Burn/works")), vec![b]);
    let unwrangled = text(
        &wrangler.page(&url("/tag_wranglers?fandom=Tidewater")),
        "#main",
    );
    assert!(
        unwrangled.contains("Slowburn") && unwrangled.contains("Fluff"),
        "{unwrangled}"
    );
    // Advanced search: rating and title fields become query terms.
    assert_eq!(
        listed(
            &mut guest,
            &url(
                "/works/search?work_search%5Brating%5D=General+Audiences&work_search%5Btitle%5D=gamma"
            )
        ),
        vec![c]
    );
    assert!(
        listed(
            &mut guest,
            &url("/works/search?work_search%5Brating%5D=Explicit")
        )
        .is_empty()
    );
    let form = wrangler.page(&url("/tags/Slow%20Burn/edit"));
    let burn = attr(&form, "input[name=tag_id]", "value").expect("tag id");
    let resp = wrangler.submit(
        &server,
        "/tags/Slow%20Burn/edit",
        &[("tag_id", &burn), ("canonical", "1")],
    );
    assert_eq!(resp.status(), 303);
    let form = wrangler.page(&url("/tags/Slowburn/edit"));
    let slowburn = attr(&form, "input[name=tag_id]", "value").expect("tag id");
    let resp = wrangler.submit(
        &server,
        "/tags/Slowburn/edit",
        &[("tag_id", &slowburn), ("synonym_of", "Slow Burn")],
    );
    assert_eq!(resp.status(), 303);
    // A rule break is a clear 422, not a 500.
    let resp = wrangler.submit(
        &server,
        "/tags/Slow%20Burn/edit",
        &[
            ("tag_id", &burn),
            ("canonical", "1"),
            ("add_meta", "Slow Burn"),
        ],
    );
    assert_eq!(resp.status(), 422);
    let started = Instant::now();
    loop {
        let found = sorted(listed(&mut guest, &url("/tags/Slow%20Burn/works")));
        if found == vec![a, b] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "re-filtered within seconds: {found:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let tag_page = guest.page(&url("/tags/Slow%20Burn"));
    assert!(text(&tag_page, "div.synonym").contains("Slowburn"));
    let tag_page = guest.page(&url("/tags/Slowburn"));
    assert!(text(&tag_page, "#main").contains("Slow Burn"));
    assert_eq!(guest.get(&url("/tags/No%20Such%20Tag")).status(), 404);

    // Mutes: muting the canonical tag hides its synonym's works too, and
    // the count says so.
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let resp = reader.submit(
        &server,
        "/mutes",
        &[("action", "mute"), ("tag_name", "Slow Burn")],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(listed(&mut reader, &url("/works")), vec![c]);
    let page = reader.page(&url("/works"));
    assert!(text(&page, "#main h2.heading").contains("1 - 1 of 1 Works"));
    let page = reader.page(&url("/works/search?work_search%5Bquery%5D=harbour"));
    assert_eq!(text(&page, "#main h3.heading").trim(), "1 Found");
    // A guest's mutes live in the browser session.
    let resp = guest.submit(
        &server,
        "/mutes",
        &[("action", "mute"), ("creator_name", "writer")],
    );
    assert_eq!(resp.status(), 303);
    assert!(listed(&mut guest, &url("/works")).is_empty());
    assert_eq!(count(&guest.page(&url("/mutes")), "form.unmute"), 1);
    assert_eq!(listed(&mut Browser::new(), &url("/works")).len(), 3);
    let resp = reader.submit(
        &server,
        "/mutes",
        &[("action", "mute"), ("tag_name", "No Such Tag")],
    );
    assert_eq!(resp.status(), 422);
}

#[test]
fn the_sidebar_shows_ten_tags_a_type_and_offers_the_rest() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    // Twelve additional tags, the first used most.
    let tags: Vec<String> = (0..12).map(|i| format!("Motif {i:02}")).collect();
    for (i, tag) in tags.iter().enumerate() {
        let freeforms = if i == 0 {
            tag.clone()
        } else {
            format!("{tag}, {}", tags[0])
        };
        post_tagged_work(
            &mut writer,
            &server,
            &format!("Work {i}"),
            "Sidebar Fandom",
            &freeforms,
            "<p>Words.</p>",
        );
    }
    let mut guest = Browser::new();
    let page = guest.page(&server.url("/tags/Sidebar%20Fandom/works"));
    let shown = "dd.freeform li";
    // The sidebar lists them twice: to include and to exclude.
    assert_eq!(count(&page, shown), 20, "the ten most used");
    assert!(text(&page, "dd.freeform li").contains("Motif 00 (12)"));
    let more = attr(&page, "dd.freeform p.more a", "href").expect("See all");
    assert!(more.contains("show_all=freeform"), "{more}");
    let all = guest.page(&server.url(&more));
    assert_eq!(count(&all, shown), 24, "all of them");
    assert_eq!(
        count(&all, "dd.fandom p.more a"),
        0,
        "one fandom: nothing more"
    );
}
