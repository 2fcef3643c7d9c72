//! Posting, drafts, editing, chapters and deleting over HTTP, with bad input
//! on every form.

mod support;

use ficus_testkit::ServerProcess;
use scraper::Html;
use support::{Browser, attr, count, serve, signup, text};

fn work_fields<'a>(pseud: &'a str, title: &'a str, text: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[category_strings][]", "Gen"),
        ("work[fandom_string]", "Tidewater, Harbour Lights"),
        ("work[relationship_string]", ""),
        ("work[character_string]", "Mira Sol"),
        ("work[freeform_string]", "Fluff, Letters"),
        ("work[language]", "English"),
        ("work[summary]", "Mira writes <b>letters</b>."),
        ("work[notes]", ""),
        ("work[endnotes]", "Thanks!"),
        ("work[chapter_attributes][title]", "The First Letter"),
        ("work[chapter_attributes][content]", text),
        ("work[text_format]", "html"),
        ("work[wip_length]", "?"),
    ]
}

fn location(resp: &reqwest::blocking::Response) -> String {
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string()
}

fn work_count(b: &mut Browser, server: &ServerProcess) -> String {
    text(&b.page(&server.url("/works")), "#main h2.heading")
}

/// A fresh server and "ada", signed up, with the id of her default pseud
/// (the one checked on the new-work form).
fn ada_on_a_new_server() -> (tempfile::TempDir, ServerProcess, Browser, String) {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut ada = Browser::new();
    assert_eq!(signup(&mut ada, &server, "ada").status(), 303);
    let form = ada.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value")
        .expect("default pseud checked");
    (dir, server, ada, pseud)
}

#[test]
fn the_new_work_form_previews_and_refuses_bad_input() {
    let (_dir, server, mut ada, pseud) = ada_on_a_new_server();
    let mut guest = Browser::new();
    let resp = guest.get(&server.url("/works/new"));
    assert_eq!(resp.status(), 303, "guests are sent to log in");
    assert!(location(&resp).starts_with("/users/login?return_to="));

    let form = ada.page(&server.url("/works/new"));
    assert_eq!(count(&form, "select#work_rating_string option"), 6);
    assert_eq!(
        count(&form, "datalist"),
        4,
        "tag suggestions for the four free tag types"
    );
    assert_eq!(
        count(&form, "input[name='work[archive_warning_strings][]']"),
        6
    );

    // Preview: shown, nothing stored.
    let mut fields = work_fields(
        &pseud,
        "Letters From Tidewater",
        "<p>Dear Juno, the <em>tide</em> is out.</p><script>alert(1)</script>",
    );
    fields.push(("preview_button", "Preview"));
    let resp = ada.submit(&server, "/works", &fields);
    assert_eq!(resp.status(), 200);
    let doc = Html::parse_document(&resp.text().expect("body"));
    assert!(text(&doc, "#preview .userstuff").contains("the tide is out"));
    assert_eq!(count(&doc, "script"), 0, "no script element anywhere");
    assert!(
        text(&doc, "textarea#content").contains("<script>alert(1)</script>"),
        "what was typed is kept, as text"
    );
    assert_eq!(
        attr(&doc, "input#work_title", "value").as_deref(),
        Some("Letters From Tidewater")
    );
    assert!(work_count(&mut ada, &server).contains("0 Works"));

    // Errors: every one listed, everything typed kept, nothing stored.
    let long_title = "T".repeat(256);
    let mut bad = work_fields(&pseud, &long_title, "   ");
    bad.retain(|(k, _)| *k != "work[fandom_string]" && *k != "work[rating_string]");
    bad.push(("work[fandom_string]", "Bad*Fandom"));
    bad.push(("post_button", "Post"));
    let resp = ada.submit(&server, "/works", &bad);
    assert_eq!(resp.status(), 422);
    let doc = Html::parse_document(&resp.text().expect("body"));
    let fields_in_error: Vec<String> = doc
        .select(&scraper::Selector::parse("#error li").expect("sel"))
        .filter_map(|li| li.value().attr("data-field").map(str::to_string))
        .collect();
    for f in ["title", "rating", "fandoms", "text"] {
        assert!(
            fields_in_error.iter().any(|x| x == f),
            "{f} not in {fields_in_error:?}"
        );
    }
    assert_eq!(
        attr(&doc, "input#work_fandom", "value").as_deref(),
        Some("Bad*Fandom")
    );
    assert_eq!(
        attr(&doc, "input#work_title", "value").as_deref(),
        Some(long_title.as_str())
    );
    assert_eq!(
        text(&doc, "textarea#work_summary"),
        "Mira writes <b>letters</b>."
    );
    assert!(work_count(&mut ada, &server).contains("0 Works"));

    // Missing CSRF: refused.
    let mut no_csrf = work_fields(&pseud, "Sneaky", "<p>x</p>");
    no_csrf.push(("post_button", "Post"));
    assert_eq!(ada.post(&server.url("/works"), &no_csrf).status(), 403);
    // Someone else's pseud: dropped, so no creator.
    let mut not_mine = work_fields("999999", "Not Mine", "<p>x</p>");
    not_mine.push(("post_button", "Post"));
    let resp = ada.submit(&server, "/works", &not_mine);
    assert_eq!(resp.status(), 422);
    // Invalid UTF-8 in the form body: a clear 400.
    let token = ada.form_token(&server);
    let raw = ada
        .client
        .post(server.url("/works"))
        .header("cookie", ada.jar.header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("authenticity_token={token}&work%5Btitle%5D=%FF%FE"))
        .send()
        .expect("post");
    assert_eq!(raw.status(), 400);
    assert!(work_count(&mut ada, &server).contains("0 Works"));
}

#[test]
fn a_draft_is_its_creators_until_posted_then_edited_extended_and_deleted() {
    let (_dir, server, mut ada, pseud) = ada_on_a_new_server();
    let mut guest = Browser::new();

    // Save as draft: only its creator sees it.
    let mut draft = work_fields(
        &pseud,
        "Letters From Tidewater",
        "<p>Dear Juno, the <em>tide</em> is out.</p>",
    );
    draft.push(("save_button", "Save As Draft"));
    let resp = ada.submit(&server, "/works", &draft);
    assert_eq!(resp.status(), 303);
    let work_url = location(&resp);
    let id: i64 = work_url.trim_start_matches("/works/").parse().expect("id");
    let page = ada.page(&server.url(&work_url));
    assert_eq!(count(&page, "#draft-notice"), 1);
    let purge_day = (chrono::Local::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let utc_purge_day = (chrono::Utc::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let notice = text(&page, "#draft-notice");
    assert!(
        notice.contains(&purge_day) || notice.contains(&utc_purge_day),
        "the draft says when it goes: {notice}"
    );
    assert_eq!(text(&page, "h3.byline.heading a[rel=author]"), "ada");
    assert_eq!(text(&page, "dd.stats dd.words"), "6");
    assert_eq!(guest.get(&server.url(&work_url)).status(), 404);
    let mut bea = Browser::new();
    assert_eq!(signup(&mut bea, &server, "bea").status(), 303);
    assert_eq!(bea.get(&server.url(&work_url)).status(), 404);
    assert!(
        work_count(&mut ada, &server).contains("0 Works"),
        "drafts are not listed"
    );

    // Others cannot edit or delete it; guests are sent to log in.
    assert_eq!(
        bea.get(&server.url(&format!("/works/{id}/edit"))).status(),
        404
    );
    assert_eq!(
        guest
            .get(&server.url(&format!("/works/{id}/edit")))
            .status(),
        303
    );

    // Edit and post the draft.
    let edit = ada.page(&server.url(&format!("/works/{id}/edit")));
    assert_eq!(
        attr(&edit, "input#work_title", "value").as_deref(),
        Some("Letters From Tidewater")
    );
    let mut posted = work_fields(
        &pseud,
        "Letters From Tidewater, Revised",
        "<p>Dear Juno, the tide is in.</p>",
    );
    posted.push(("post_button", "Post"));
    let resp = ada.submit(&server, &format!("/works/{id}/edit"), &posted);
    assert_eq!(resp.status(), 303);
    let public = guest.page(&server.url(&work_url));
    assert_eq!(
        text(&public, "h2.title.heading"),
        "Letters From Tidewater, Revised"
    );
    assert_eq!(count(&public, "#draft-notice"), 0);
    assert_eq!(
        text(&public, "dd[class='fandom tags'] a.tag"),
        "Tidewater Harbour Lights"
    );
    assert!(work_count(&mut guest, &server).contains("1 - 1 of 1 Works"));

    // Another user may read but not change it.
    assert_eq!(
        bea.get(&server.url(&format!("/works/{id}/edit"))).status(),
        403
    );
    let mut hijack = work_fields(&pseud, "Hijacked", "<p>x</p>");
    hijack.push(("post_button", "Post"));
    assert_eq!(
        bea.submit(&server, &format!("/works/{id}/edit"), &hijack)
            .status(),
        403
    );
    assert_eq!(
        bea.submit(&server, &format!("/works/{id}/delete"), &[])
            .status(),
        403
    );
    assert_eq!(
        bea.submit(
            &server,
            &format!("/works/{id}/chapters"),
            &[("chapter[content]", "<p>x</p>")]
        )
        .status(),
        403
    );

    // Add a chapter.
    let resp = ada.submit(
        &server,
        &format!("/works/{id}/chapters"),
        &[
            ("chapter[title]", "Second"),
            ("chapter[content]", ""),
            ("chapter[text_format]", "html"),
        ],
    );
    assert_eq!(resp.status(), 422, "empty chapter refused");
    let resp = ada.submit(
        &server,
        &format!("/works/{id}/chapters"),
        &[
            ("chapter[title]", "Second"),
            ("chapter[content]", "Line one\n\nLine two"),
            ("chapter[text_format]", "plain"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let chapter = guest.page(&server.url(&location(&resp)));
    assert_eq!(count(&chapter, "div#chapter-2"), 1);
    assert_eq!(text(&chapter, "dd.stats dd.chapters"), "2/?");
    assert_eq!(text(&chapter, "dd.stats dd.words"), "10", "6 + 4");

    // Delete, with confirmation.
    let confirm = ada.page(&server.url(&format!("/works/{id}/confirm_delete")));
    assert!(text(&confirm, "#main h2").contains("Are you sure"));
    assert_eq!(
        ada.post(&server.url(&format!("/works/{id}/delete")), &[])
            .status(),
        403,
        "CSRF"
    );
    assert_eq!(
        ada.submit(&server, &format!("/works/{id}/delete"), &[])
            .status(),
        303
    );
    assert_eq!(guest.get(&server.url(&work_url)).status(), 404);
    assert_eq!(ada.get(&server.url(&work_url)).status(), 404);
}

#[test]
fn restricted_posts_are_for_members_and_creators_skip_the_interstitial() {
    let (_dir, server, mut ada, pseud) = ada_on_a_new_server();
    let mut fields = work_fields(&pseud, "Members Only", "<p>Secret.</p>");
    fields.retain(|(k, _)| *k != "work[rating_string]");
    fields.push(("work[rating_string]", "Explicit"));
    fields.push(("work[restricted]", "1"));
    fields.push(("post_button", "Post"));
    let resp = ada.submit(&server, "/works", &fields);
    let url = location(&resp);
    let own = ada.page(&server.url(&url));
    assert_eq!(
        count(&own, "p.caution.notice"),
        0,
        "creators skip the adult question"
    );
    assert!(text(&own, "div#chapters").contains("Secret."));
    let mut guest = Browser::new();
    assert_eq!(guest.get(&server.url(&url)).status(), 303);
    let mut bea = Browser::new();
    signup(&mut bea, &server, "bea");
    let gate = bea.page(&server.url(&url));
    assert_eq!(
        count(&gate, "p.caution.notice"),
        1,
        "other members get the adult question"
    );
}

#[test]
fn chapters_are_edited_reordered_and_deleted_by_their_creators_only() {
    let (_dir, server, mut ada, pseud) = ada_on_a_new_server();
    let mut fields = work_fields(&pseud, "Three Chapters", "<p>First.</p>");
    fields.push(("post_button", "Post"));
    let id: i64 = location(&ada.submit(&server, "/works", &fields))
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    for text in ["<p>Second one.</p>", "<p>Third one here.</p>"] {
        assert_eq!(
            ada.submit(
                &server,
                &format!("/works/{id}/chapters"),
                &[("chapter[content]", text)]
            )
            .status(),
            303
        );
    }
    let api: serde_json::Value = ada
        .get(&server.url(&format!("/api/v1/works/{id}")))
        .json()
        .expect("json");
    let ids: Vec<i64> = api["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len(), 3);

    // Edit a chapter: bad input is shown again, good input saved.
    let edit = format!("/works/{id}/chapters/{}/edit", ids[1]);
    let form = ada.page(&server.url(&edit));
    assert!(text(&form, "textarea#content").contains("Second one."));
    assert_eq!(
        ada.submit(
            &server,
            &edit,
            &[("chapter[title]", "Middle"), ("chapter[content]", "  ")]
        )
        .status(),
        422
    );
    assert_eq!(
        ada.submit(
            &server,
            &edit,
            &[
                ("chapter[title]", "Middle"),
                ("chapter[content]", "<p>The middle, rewritten.</p>")
            ]
        )
        .status(),
        303
    );
    let page = ada.page(&server.url(&format!("/works/{id}/chapters/{}", ids[1])));
    assert!(text(&page, "div.chapter h3.title").contains("Middle"));

    // Others may not touch it.
    let mut bea = Browser::new();
    signup(&mut bea, &server, "bea");
    assert_eq!(
        bea.submit(&server, &edit, &[("chapter[content]", "<p>x</p>")])
            .status(),
        403
    );
    assert_eq!(
        bea.submit(
            &server,
            &format!("/works/{id}/chapters/{}/delete", ids[0]),
            &[]
        )
        .status(),
        403
    );
    assert_eq!(
        bea.get(&server.url(&format!("/works/{id}/chapters/manage")))
            .status(),
        403
    );

    // Reorder: third, first, second; bad positions are refused.
    let reorder = format!("/works/{id}/chapters/reorder");
    let (a, b, c) = (
        format!("position[{}]", ids[0]),
        format!("position[{}]", ids[1]),
        format!("position[{}]", ids[2]),
    );
    assert_eq!(
        ada.submit(&server, &reorder, &[(&a, "1"), (&b, "1"), (&c, "2")])
            .status(),
        400
    );
    assert_eq!(
        ada.submit(&server, &reorder, &[(&a, "1"), (&b, "x"), (&c, "2")])
            .status(),
        400
    );
    assert_eq!(
        ada.submit(&server, &reorder, &[(&a, "2"), (&b, "3"), (&c, "1")])
            .status(),
        303
    );
    let nav = ada.page(&server.url(&format!("/works/{id}/navigate")));
    let hrefs: Vec<String> = nav
        .select(&scraper::Selector::parse("ol.chapter.index li a").expect("sel"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(
        hrefs,
        ids.iter()
            .cycle()
            .skip(2)
            .take(3)
            .map(|c| format!("/works/{id}/chapters/{c}"))
            .collect::<Vec<_>>()
    );

    // Delete two chapters; the last one cannot go.
    assert_eq!(
        ada.submit(
            &server,
            &format!("/works/{id}/chapters/{}/delete", ids[2]),
            &[]
        )
        .status(),
        303
    );
    assert_eq!(
        ada.submit(
            &server,
            &format!("/works/{id}/chapters/{}/delete", ids[0]),
            &[]
        )
        .status(),
        303
    );
    assert_eq!(
        ada.submit(
            &server,
            &format!("/works/{id}/chapters/{}/delete", ids[1]),
            &[]
        )
        .status(),
        400
    );
    let page = ada.page(&server.url(&format!("/works/{id}")));
    assert_eq!(text(&page, "dd.stats dd.chapters"), "1/?");
    assert_eq!(text(&page, "dd.stats dd.words"), "3");
}

#[test]
fn works_join_and_leave_series_through_the_form() {
    let (_dir, server, mut ada, pseud) = ada_on_a_new_server();
    let mut fields = work_fields(&pseud, "Harbour Letter", "<p>Dear Juno.</p>");
    fields.push(("work[series_attributes][title]", "Harbour Tales"));
    fields.push(("post_button", "Post"));
    let url = location(&ada.submit(&server, "/works", &fields));
    let page = ada.page(&server.url(&url));
    assert_eq!(
        text(&page, "dd.series > span.series > span.position"),
        "Part 1 of Harbour Tales"
    );
    let series_url = attr(&page, "dd.series a", "href").expect("series link");
    assert_eq!(ada.get(&server.url(&series_url)).status(), 200);

    // Its creator edits the series; the description is sanitized.
    let series_page = ada.page(&server.url(&series_url));
    let edit_series =
        attr(&series_page, "div#main ul.navigation.actions a", "href").expect("edit link");
    assert_eq!(edit_series, format!("{series_url}/edit"));
    let form = ada.page(&server.url(&edit_series));
    assert_eq!(
        attr(&form, "input#series_title", "value").as_deref(),
        Some("Harbour Tales")
    );
    let resp = ada.submit(
        &server,
        &edit_series,
        &[
            ("series[title]", "Harbour Tales, Collected"),
            (
                "series[summary]",
                "<p>Letters <em>home</em>.</p><script>alert(1)</script>",
            ),
            ("series[series_notes]", ""),
            ("series[complete]", "1"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let raw = ada
        .get(&server.url(&series_url))
        .text()
        .expect("series page");
    assert!(raw.contains("Harbour Tales, Collected") && raw.contains("<em>home</em>"));
    assert!(!raw.contains("<script>alert"), "sanitized");
    let shown = Html::parse_document(&raw);
    assert!(text(&shown, "dl.series.meta dd.stats").contains("Complete:Yes"));
    // An empty title is refused with the form again; others may not edit.
    let resp = ada.submit(&server, &edit_series, &[("series[title]", "  ")]);
    assert_eq!(resp.status(), 422);
    let mut bea = Browser::new();
    signup(&mut bea, &server, "bea");
    assert_eq!(bea.get(&server.url(&edit_series)).status(), 403);
    assert_eq!(
        bea.submit(&server, &edit_series, &[("series[title]", "Mine Now")])
            .status(),
        403
    );
    let mut guest = Browser::new();
    assert_eq!(guest.get(&server.url(&edit_series)).status(), 303);
    let bea_view = bea.page(&server.url(&series_url));
    assert_eq!(
        count(&bea_view, "div#main ul.navigation.actions a[href$='/edit']"),
        0,
        "no edit link for others"
    );

    // The edit form lists the series with a box to leave it.
    let edit_url = format!("{url}/edit");
    let edit = ada.page(&server.url(&edit_url));
    let sid = attr(&edit, "input[name='work[series_remove][]']", "value").expect("remove box");
    assert_eq!(series_url, format!("/series/{sid}"));
    // A series id the work is not in is ignored.
    let mut fields = work_fields(&pseud, "Harbour Letter", "<p>Dear Juno.</p>");
    fields.push(("work[series_remove][]", "999999"));
    fields.push(("post_button", "Update"));
    assert_eq!(ada.submit(&server, &edit_url, &fields).status(), 303);
    assert_eq!(ada.get(&server.url(&series_url)).status(), 200);
    // Leaving it: the work page has no series line, the empty series is gone.
    let mut fields = work_fields(&pseud, "Harbour Letter", "<p>Dear Juno.</p>");
    fields.push(("work[series_remove][]", sid.as_str()));
    fields.push(("post_button", "Update"));
    assert_eq!(ada.submit(&server, &edit_url, &fields).status(), 303);
    let page = ada.page(&server.url(&url));
    assert_eq!(count(&page, "dd.series"), 0);
    assert_eq!(ada.get(&server.url(&series_url)).status(), 404);
}
