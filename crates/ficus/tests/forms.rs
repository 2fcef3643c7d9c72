//! Every state-changing form refuses a missing CSRF token (403) and a body
//! that is not valid UTF-8 (400), and changes nothing either way.

mod support;

use std::process::Command;

use support::{Browser, attr, serve, signup, text};

#[test]
fn every_form_refuses_forged_and_broken_posts() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut ada = Browser::new();
    signup(&mut ada, &server, "ada");
    let out = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["admin", "set-role", "ada", "admin"])
        .output()
        .expect("admin");
    assert!(out.status.success());
    let form = ada.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = ada.submit(
        &server,
        "/works",
        &[
            ("work[title]", "Untouched"),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Forms"),
            (
                "work[chapter_attributes][content]",
                "<p>Stay as you are.</p>",
            ),
            ("post_button", "Post"),
        ],
    );
    let id: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    ada.submit(
        &server,
        &format!("/works/{id}/chapters"),
        &[("chapter[content]", "<p>Two.</p>")],
    );
    let chapters: serde_json::Value = ada
        .get(&server.url(&format!("/api/v1/works/{id}")))
        .json()
        .expect("json");
    let cid = chapters["chapters"][1]["id"].as_i64().expect("chapter");
    let resp = ada.submit(
        &server,
        &format!("/works/{id}/comments"),
        &[("comment[comment_content]", "A comment that stays.")],
    );
    assert_eq!(resp.status(), 303);
    let comment: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/comments/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("comment id");
    let resp = ada.submit(
        &server,
        &format!("/works/{id}/bookmarks"),
        &[("bookmark[bookmarker_notes]", "Notes that stay.")],
    );
    assert_eq!(resp.status(), 303);
    let bookmark: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/bookmarks/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("bookmark id");

    let forms = [
        "/signup".to_string(),
        "/users/login".to_string(),
        "/users/logout".to_string(),
        "/works".to_string(),
        format!("/works/{id}/edit"),
        format!("/works/{id}/delete"),
        format!("/works/{id}/orphan"),
        format!("/works/{id}/hide"),
        format!("/works/{id}/unhide"),
        format!("/works/{id}/chapters"),
        format!("/works/{id}/chapters/{cid}/edit"),
        format!("/works/{id}/chapters/{cid}/delete"),
        format!("/works/{id}/chapters/reorder"),
        format!("/creatorships/{id}"),
        "/users/ada/preferences".to_string(),
        "/users/ada/password".to_string(),
        "/users/ada/email".to_string(),
        "/users/ada/delete".to_string(),
        "/users/ada/pseuds".to_string(),
        "/users/ada/api_tokens".to_string(),
        "/users/ada/api_tokens/1/delete".to_string(),
        "/claims/0123".to_string(),
        "/series/1/edit".to_string(),
        "/kudos".to_string(),
        "/users/ada/blocked".to_string(),
        "/users/ada/muted".to_string(),
        format!("/works/{id}/comments"),
        format!("/chapters/{cid}/comments"),
        format!("/comments/{comment}/comments"),
        format!("/comments/{comment}/edit"),
        format!("/comments/{comment}/delete"),
        format!("/comments/{comment}/freeze"),
        format!("/comments/{comment}/unfreeze"),
        format!("/comments/{comment}/hide"),
        format!("/comments/{comment}/unhide"),
        format!("/comments/{comment}/review"),
        format!("/comments/{comment}/spam"),
        format!("/comments/{comment}/not_spam"),
        format!("/works/{id}/comments/review_all"),
        "/users/ada/inbox".to_string(),
        "/abuse_reports".to_string(),
        "/admin/reports/1/resolve".to_string(),
        "/admin/users/ada/standing".to_string(),
        format!("/works/{id}/bookmarks"),
        format!("/bookmarks/{bookmark}"),
        format!("/bookmarks/{bookmark}/hide"),
        format!("/bookmarks/{bookmark}/unhide"),
        "/series/1/bookmarks".to_string(),
        "/bookmarks".to_string(),
        "/collections".to_string(),
        "/collections/Any_Name".to_string(),
        "/collections/Any_Name/participants".to_string(),
        "/collection_items".to_string(),
        "/collection_items/1".to_string(),
        "/gifts/1/toggle_rejected".to_string(),
        "/collections/Any_Name/gift_exchange".to_string(),
        "/collections/Any_Name/signups".to_string(),
        "/collections/Any_Name/signups/1".to_string(),
        "/collections/Any_Name/potential_matches/generate".to_string(),
        "/collections/Any_Name/assignments/send_out".to_string(),
        "/collections/Any_Name/assignments/1/default".to_string(),
        "/collections/Any_Name/assignments/1/cover".to_string(),
        format!("/works/{id}/mark_for_later"),
        format!("/works/{id}/mark_as_read"),
        format!("/users/ada/readings/{id}/delete"),
        "/users/ada/readings/clear".to_string(),
        "/users/ada/subscriptions".to_string(),
        "/users/ada/subscriptions/1/delete".to_string(),
        "/users/ada/subscriptions/1".to_string(),
    ];
    let csrf = ada.form_token(&server);
    for path in &forms {
        // No token (the rest of the form is plausible).
        let resp = ada.post(
            &server.url(path),
            &[
                ("works", "delete"),
                ("password", "correct horse battery"),
                ("answer", "accept"),
                ("reason", "x"),
                ("comment[comment_content]", "forged"),
                ("bookmark[bookmarker_notes]", "forged"),
                ("subscription[subscribable_type]", "Search"),
                ("subscription[search]", "/works"),
                ("subscription[mail]", "off"),
                ("_method", "delete"),
            ],
        );
        assert_eq!(resp.status(), 403, "{path} without a CSRF token");
        // A body that is not UTF-8.
        let resp = ada
            .client
            .post(server.url(path))
            .header("cookie", ada.jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                [
                    b"authenticity_token=".as_slice(),
                    csrf.as_bytes(),
                    b"&work%5Btitle%5D=%C3%28&password=\xff".as_slice(),
                ]
                .concat(),
            )
            .send()
            .expect("post");
        assert_eq!(resp.status(), 400, "{path} with invalid UTF-8");
    }
    // Nothing changed: the work, its chapters, the account and the session.
    let page = ada.page(&server.url(&format!("/works/{id}?view_full_work=true")));
    assert_eq!(text(&page, "h2.title.heading"), "Untouched");
    assert_eq!(text(&page, "dd.stats dd.chapters"), "2/?");
    assert_eq!(text(&page, "dd.stats dd.kudos"), "0");
    assert_eq!(text(&page, "dd.stats dd.comments"), "1");
    let own = ada.page(&server.url(&format!("/comments/{comment}")));
    assert_eq!(
        text(&own, "blockquote.userstuff").trim(),
        "A comment that stays."
    );
    assert!(text(&own, "p.edited").is_empty(), "never edited");
    assert_eq!(text(&page, "dd.stats dd.bookmarks"), "1");
    let kept = ada.page(&server.url(&format!("/bookmarks/{bookmark}")));
    assert_eq!(
        text(&kept, "blockquote.userstuff.notes").trim(),
        "Notes that stay."
    );
    assert_eq!(attr(&page, "body", "class").as_deref(), Some("logged-in"));
    assert!(text(&page, "#header").contains("Hi, ada!"));
    let log = ada.page(&server.url("/admin/audit"));
    assert!(text(&log, "#main").contains("No moderation actions yet."));
}
