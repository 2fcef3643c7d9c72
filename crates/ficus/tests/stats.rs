//! The creator's statistics page over HTTP: totals and per-work numbers
//! (hits, kudos, comment threads, words), a year filter and sorting, and
//! the daily chart (an SVG drawn on the server) with its data table.

mod support;

use support::{Browser, attr, count, serve, signup, text};

#[test]
fn statistics_for_the_creator_alone() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let form = writer.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let mut ids = Vec::new();
    for title in ["Quiet Work", "Loved Work"] {
        let resp = writer.submit(
            &server,
            "/works",
            &[
                ("work[title]", title),
                ("work[pseud_ids][]", &pseud),
                ("work[rating_string]", "General Audiences"),
                (
                    "work[archive_warning_strings][]",
                    "No Archive Warnings Apply",
                ),
                ("work[fandom_string]", "Stats Fandom"),
                (
                    "work[chapter_attributes][content]",
                    "<p>Three words here.</p>",
                ),
                ("post_button", "Post"),
            ],
        );
        assert_eq!(resp.status(), 303);
        ids.push(
            resp.headers()["location"]
                .to_str()
                .expect("ascii")
                .trim_start_matches("/works/")
                .parse::<i64>()
                .expect("id"),
        );
    }
    let loved = ids[1];
    for name in ["fan1", "fan2"] {
        let mut fan = Browser::new();
        assert_eq!(signup(&mut fan, &server, name).status(), 303);
        let resp = fan.submit(
            &server,
            "/kudos",
            &[
                ("kudo[commentable_id]", &loved.to_string()),
                ("kudo[commentable_type]", "Work"),
            ],
        );
        assert_eq!(resp.status(), 303);
        let resp = fan.submit(
            &server,
            &format!("/works/{loved}/comments"),
            &[("comment[comment_content]", &format!("From {name}"))],
        );
        assert_eq!(resp.status(), 303);
    }

    let page = writer.page(&server.url("/users/writer/stats?sort_column=kudos"));
    assert_eq!(text(&page, "dd.kudos"), "2");
    assert_eq!(text(&page, "dd.comment.thread.count"), "2");
    assert_eq!(text(&page, "dd.words"), "6");
    assert_eq!(
        attr(&page, "table#works tbody tr", "id").as_deref(),
        Some(format!("stat_work_{loved}").as_str()),
        "sorted by kudos"
    );
    assert_eq!(
        count(&page, "figure#chart svg"),
        1,
        "a chart drawn on the server"
    );
    assert!(
        page.html().contains("<polyline") || page.html().contains("<path"),
        "with lines"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    let row = text(&page, "table#daily tbody tr");
    assert!(row.contains(&today), "{row}");
    assert_eq!(
        text(&page, "table#daily tbody tr td:nth-of-type(2)"),
        "2",
        "today's kudos"
    );
    assert_eq!(
        text(&page, "table#daily tbody tr td:nth-of-type(3)"),
        "2",
        "today's comments"
    );
    // This year alone: the same; another year: nothing.
    let year = chrono::Utc::now().format("%Y").to_string();
    let this_year = writer.page(&server.url(&format!("/users/writer/stats?year={year}")));
    assert_eq!(text(&this_year, "dd.kudos"), "2");
    let other = writer.page(&server.url("/users/writer/stats?year=2010"));
    assert_eq!(text(&other, "dd.kudos"), "0");
    assert_eq!(text(&other, "dd.comment.thread.count"), "0");
    // One work's chart.
    let one = writer.page(&server.url(&format!("/users/writer/stats?work_id={}", ids[0])));
    assert_eq!(
        count(&one, "table#daily tbody tr"),
        0,
        "no kudos or comments on the quiet one"
    );
    // Only the creator; bad input is a clear 400.
    let mut fan = Browser::new();
    assert_eq!(signup(&mut fan, &server, "fan3").status(), 303);
    assert_eq!(fan.get(&server.url("/users/writer/stats")).status(), 403);
    assert_eq!(
        Browser::new()
            .get(&server.url("/users/writer/stats"))
            .status(),
        303
    );
    assert_eq!(
        writer
            .get(&server.url("/users/writer/stats?year=abc"))
            .status(),
        400
    );
    assert_eq!(
        writer
            .get(&server.url("/users/writer/stats?sort_column=evil"))
            .status(),
        400
    );
    assert_eq!(
        writer
            .get(&server.url("/users/writer/stats?work_id=999999"))
            .status(),
        404
    );
}
