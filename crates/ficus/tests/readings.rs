//! Reading history and Mark for Later over HTTP against the real server:
//! views reach the history through the batched flush (no write on the
//! page's path), the buttons, the filter, delete and clear, the
//! preference, and the history is its owner's alone.

mod support;

use std::time::{Duration, Instant};

use ficus_testkit::ServerProcess;
use support::{Browser, attr, count, serve, signup, text};

/// The history page once it holds `n` entries (views arrive with the next
/// flush, every few seconds).
fn history_with(b: &mut Browser, server: &ServerProcess, n: usize) -> scraper::Html {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = b.page(&server.url("/users/reader/readings"));
        if count(&page, "li.reading.work.blurb") == n || Instant::now() > deadline {
            return page;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn history_and_marked_for_later() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let first = support::post_simple_work(&mut writer, &server, "Read Twice", "History Fandom");
    let second =
        support::post_simple_work(&mut writer, &server, "Saved For Later", "History Fandom");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);

    // Reading: the page answers without writing; the history follows.
    for _ in 0..2 {
        reader.page(&server.url(&format!("/works/{first}")));
    }
    writer.page(&server.url(&format!("/works/{first}")));
    let page = history_with(&mut reader, &server, 1);
    let entry = format!("li#reading_work_{first}");
    assert_eq!(count(&page, &entry), 1);
    let viewed = text(&page, &format!("{entry} h4.viewed.heading"));
    assert!(viewed.contains("(Latest version.)"), "{viewed}");
    assert!(viewed.contains("Visited 2 times"), "{viewed}");

    // Mark for Later from the work page; the filter; Mark as Read.
    let work_page = reader.page(&server.url(&format!("/works/{second}")));
    assert_eq!(
        attr(&work_page, "li.mark input[type=submit]", "value").as_deref(),
        Some("Mark for Later")
    );
    let resp = reader.submit(&server, &format!("/works/{second}/mark_for_later"), &[]);
    assert_eq!(resp.status(), 303);
    let work_page = reader.page(&server.url(&format!("/works/{second}")));
    assert_eq!(
        attr(&work_page, "li.mark input[type=submit]", "value").as_deref(),
        Some("Mark as Read")
    );
    let later = reader.page(&server.url("/users/reader/readings?show=to-read"));
    assert_eq!(text(&later, "h2.heading"), "Marked for Later");
    assert_eq!(count(&later, "li.reading.work.blurb"), 1);
    assert!(
        text(&later, &format!("li#reading_work_{second} h4.viewed"))
            .contains("(Marked for Later.)")
    );
    let resp = reader.submit(
        &server,
        &format!("/works/{second}/mark_as_read"),
        &[("return_to", "/users/reader/readings?show=to-read")],
    );
    assert_eq!(
        resp.headers()["location"].to_str().expect("ascii"),
        "/users/reader/readings?show=to-read"
    );
    let later = reader.page(&server.url("/users/reader/readings?show=to-read"));
    assert_eq!(count(&later, "li.reading.work.blurb"), 0);

    // Only its owner sees it; guests log in first.
    assert_eq!(
        writer.get(&server.url("/users/reader/readings")).status(),
        403
    );
    assert_eq!(
        Browser::new()
            .get(&server.url("/users/reader/readings"))
            .status(),
        303
    );
    let own = writer.page(&server.url("/users/writer/readings"));
    assert_eq!(
        count(&own, "li.reading.work.blurb"),
        0,
        "a creator's own work is not history"
    );

    // Delete one, clear all.
    let page = history_with(&mut reader, &server, 2);
    assert_eq!(count(&page, "li.reading.work.blurb"), 2);
    let resp = reader.submit(
        &server,
        &format!("/users/reader/readings/{first}/delete"),
        &[],
    );
    assert_eq!(resp.status(), 303);
    let page = reader.page(&server.url("/users/reader/readings?history=deleted"));
    assert_eq!(count(&page, "li.reading.work.blurb"), 1);
    let confirm = reader.page(&server.url("/users/reader/readings/clear"));
    assert_eq!(count(&confirm, "form.simple.destroy"), 1);
    assert_eq!(
        reader
            .submit(&server, "/users/reader/readings/clear", &[])
            .status(),
        303
    );
    let page = reader.page(&server.url("/users/reader/readings"));
    assert_eq!(count(&page, "li.reading.work.blurb"), 0);

    // History turned off: reads are no longer added.
    let resp = reader.submit(&server, "/users/reader/preferences", &[]);
    assert_eq!(resp.status(), 303);
    reader.page(&server.url(&format!("/works/{first}")));
    std::thread::sleep(Duration::from_secs(7));
    let page = reader.page(&server.url("/users/reader/readings"));
    assert_eq!(count(&page, "li.reading.work.blurb"), 0);
    assert!(text(&page, "div.flash.notice").contains("turned off"));
}
