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
