//! An account's settings over HTTP: preferences take effect, password and
//! e-mail changes need the password, deleting the account orphans its works.

mod support;

use ficus_testkit::ServerProcess;
use support::{Browser, attr, count, serve, signup, text};

fn post_explicit_two_chapters(b: &mut Browser, server: &ServerProcess) -> i64 {
    let form = b.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = b.submit(
        server,
        "/works",
        &[
            ("work[title]", "Two Parts"),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "Explicit"),
            ("work[archive_warning_strings][]", "Major Character Death"),
            ("work[fandom_string]", "Prefs"),
            ("work[freeform_string]", "Spoilery Tag"),
            ("work[chapter_attributes][content]", "<p>Part one.</p>"),
            ("post_button", "Post"),
        ],
    );
    let id: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    b.submit(
        server,
        &format!("/works/{id}/chapters"),
        &[("chapter[content]", "<p>Part two.</p>")],
    );
    id
}

/// A fresh server with "writer", who has posted an Explicit work of two
/// chapters (its id), and "reader".
fn writer_and_reader() -> (tempfile::TempDir, ServerProcess, Browser, Browser, i64) {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    signup(&mut writer, &server, "writer");
    let id = post_explicit_two_chapters(&mut writer, &server);

    let mut reader = Browser::new();
    signup(&mut reader, &server, "reader");
    (dir, server, writer, reader, id)
}

#[test]
fn preferences_are_the_accounts_own_and_take_effect() {
    let (_dir, server, _writer, mut reader, id) = writer_and_reader();
    assert_eq!(reader.get(&server.url("/users/writer/edit")).status(), 403);
    assert_eq!(
        Browser::new()
            .get(&server.url("/users/reader/edit"))
            .status(),
        303
    );
    let before = reader.page(&server.url(&format!("/works/{id}")));
    assert_eq!(
        count(&before, "p.caution.notice"),
        1,
        "asked about adult content"
    );

    // Preferences.
    assert_eq!(
        reader
            .post(
                &server.url("/users/reader/preferences"),
                &[("skip_adult", "1")]
            )
            .status(),
        403,
        "CSRF"
    );
    let resp = reader.submit(
        &server,
        "/users/reader/preferences",
        &[
            ("skip_adult", "1"),
            ("full_work", "1"),
            ("hide_warnings", "1"),
            ("hide_freeforms", "1"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let settings = reader.page(&server.url("/users/reader/edit?saved=preferences"));
    assert_eq!(count(&settings, "#preferences-form input[checked]"), 4);
    let page = reader.page(&server.url(&format!("/works/{id}")));
    assert_eq!(count(&page, "p.caution.notice"), 0, "no adult question");
    assert_eq!(count(&page, "div#chapters > div.chapter"), 2, "whole work");
    assert_eq!(
        count(&page, "dd.warning.tags details.folded"),
        1,
        "warnings folded"
    );
    assert_eq!(
        count(&page, "dd.freeform.tags details.folded"),
        1,
        "additional tags folded"
    );
    let listing = reader.page(&server.url("/works"));
    assert_eq!(count(&listing, "li.warnings details.folded"), 1);
    assert_eq!(count(&listing, "li.freeforms details.folded"), 1);
}

#[test]
fn password_and_email_changes_need_the_password() {
    let (_dir, server, _writer, mut reader, _id) = writer_and_reader();

    // Password: the current one is required; other sessions end.
    let mut elsewhere = Browser::new();
    elsewhere.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "reader"),
            ("user[password]", "correct horse battery"),
        ],
    );
    assert_eq!(
        attr(&elsewhere.page(&server.url("/")), "body", "class").as_deref(),
        Some("logged-in")
    );
    let resp = reader.submit(
        &server,
        "/users/reader/password",
        &[
            ("current_password", "wrong one!"),
            ("new_password", "brand new password"),
            ("new_password_confirmation", "brand new password"),
        ],
    );
    assert_eq!(resp.status(), 422);
    let resp = reader.submit(
        &server,
        "/users/reader/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "short"),
            ("new_password_confirmation", "short"),
        ],
    );
    assert_eq!(resp.status(), 422);
    let resp = reader.submit(
        &server,
        "/users/reader/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "brand new password"),
            ("new_password_confirmation", "brand new password"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(
        attr(&reader.page(&server.url("/")), "body", "class").as_deref(),
        Some("logged-in"),
        "this session stays"
    );
    assert_eq!(
        attr(&elsewhere.page(&server.url("/")), "body", "class").as_deref(),
        Some("logged-out"),
        "others end"
    );
    let mut again = Browser::new();
    assert_eq!(
        again
            .submit(
                &server,
                "/users/login",
                &[
                    ("user[login]", "reader"),
                    ("user[password]", "correct horse battery")
                ]
            )
            .status(),
        422
    );
    assert_eq!(
        again
            .submit(
                &server,
                "/users/login",
                &[
                    ("user[login]", "reader"),
                    ("user[password]", "brand new password")
                ]
            )
            .status(),
        303
    );

    // E-mail: password needed, address checked and not taken.
    assert_eq!(
        reader
            .submit(
                &server,
                "/users/reader/email",
                &[
                    ("new_email", "r@example.org"),
                    ("password", "nope nope nope")
                ]
            )
            .status(),
        422
    );
    assert_eq!(
        reader
            .submit(
                &server,
                "/users/reader/email",
                &[
                    ("new_email", "not an email"),
                    ("password", "brand new password")
                ]
            )
            .status(),
        422
    );
    assert_eq!(
        reader
            .submit(
                &server,
                "/users/reader/email",
                &[
                    ("new_email", "writer@example.org"),
                    ("password", "brand new password")
                ]
            )
            .status(),
        422
    );
    assert_eq!(
        reader
            .submit(
                &server,
                "/users/reader/email",
                &[
                    ("new_email", "r@example.org"),
                    ("password", "brand new password")
                ]
            )
            .status(),
        303
    );
    let settings = reader.page(&server.url("/users/reader/edit"));
    assert_eq!(
        attr(&settings, "input#new_email", "value").as_deref(),
        Some("r@example.org")
    );
}

#[test]
fn deleting_an_account_orphans_its_works() {
    let (_dir, server, mut writer, _reader, id) = writer_and_reader();

    // Deleting the writer's account, orphaning the works.
    assert_eq!(
        writer
            .submit(
                &server,
                "/users/writer/delete",
                &[("works", "orphan"), ("password", "wrong password")]
            )
            .status(),
        422
    );
    let resp = writer.submit(
        &server,
        "/users/writer/delete",
        &[("works", "orphan"), ("password", "correct horse battery")],
    );
    assert_eq!(resp.status(), 303);
    assert_eq!(
        attr(&writer.page(&server.url("/")), "body", "class").as_deref(),
        Some("logged-out")
    );
    let work = Browser::new().page(&server.url(&format!("/works/{id}?view_adult=true")));
    assert_eq!(
        text(&work, "h3.byline.heading a[rel=author]"),
        "writer",
        "orphaned under the same name"
    );
    assert_eq!(
        attr(&work, "h3.byline.heading a[rel=author]", "href").as_deref(),
        Some("/users/orphan_account/pseuds/writer")
    );
    assert_eq!(
        Browser::new()
            .submit(
                &server,
                "/users/login",
                &[
                    ("user[login]", "writer"),
                    ("user[password]", "correct horse battery")
                ]
            )
            .status(),
        422
    );
}

#[test]
fn pseuds_are_added_used_on_bylines_and_renamed() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut ada = Browser::new();
    signup(&mut ada, &server, "ada");
    assert_eq!(
        ada.submit(
            &server,
            "/users/ada/pseuds",
            &[
                ("pseud[name]", "Night Owl"),
                ("pseud[description]", "For the dark ones.")
            ]
        )
        .status(),
        303
    );
    assert_eq!(
        ada.submit(
            &server,
            "/users/ada/pseuds",
            &[("pseud[name]", "night owl")]
        )
        .status(),
        422,
        "taken"
    );
    assert_eq!(
        ada.submit(&server, "/users/ada/pseuds", &[("pseud[name]", "a/b")])
            .status(),
        422,
        "invalid"
    );
    let mut bea = Browser::new();
    signup(&mut bea, &server, "bea");
    assert_eq!(
        bea.submit(&server, "/users/ada/pseuds", &[("pseud[name]", "Mine Now")])
            .status(),
        403
    );
    let list = Browser::new().page(&server.url("/users/ada/pseuds"));
    assert_eq!(count(&list, "ul.pseud.index li"), 2);
    assert_eq!(count(&list, "form.edit-pseud"), 0, "only the account edits");

    // Post under the new pseud.
    let form = ada.page(&server.url("/works/new"));
    let owl = form
        .select(&scraper::Selector::parse("input[name='work[pseud_ids][]']").expect("sel"))
        .find(|i| i.value().attr("checked").is_none())
        .and_then(|i| i.value().attr("value"))
        .expect("the second pseud")
        .to_string();
    let resp = ada.submit(
        &server,
        "/works",
        &[
            ("work[title]", "By Night"),
            ("work[pseud_ids][]", &owl),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Owls"),
            ("work[chapter_attributes][content]", "<p>Hoot.</p>"),
            ("post_button", "Post"),
        ],
    );
    let url = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let page = Browser::new().page(&server.url(&url));
    assert_eq!(text(&page, "h3.byline.heading a[rel=author]"), "Night Owl");
    assert_eq!(
        attr(&page, "h3.byline.heading a[rel=author]", "href").as_deref(),
        Some("/users/ada/pseuds/Night%20Owl")
    );
    let listing = Browser::new().page(&server.url("/users/ada/pseuds/Night%20Owl/works"));
    assert_eq!(count(&listing, "li.work.blurb.group"), 1);
    let default_pseud = Browser::new()
        .get(&server.url("/users/ada/pseuds/ada/works"))
        .text()
        .expect("body");
    assert!(
        !default_pseud.contains("By Night"),
        "not under the default pseud"
    );

    let all = Browser::new().page(&server.url("/users/ada/works"));
    assert_eq!(
        count(&all, "li.work.blurb.group"),
        1,
        "the account's page lists every pseud's works"
    );

    // Rename: the byline follows.
    let resp = ada.submit(
        &server,
        &format!("/users/ada/pseuds/{owl}/edit"),
        &[("pseud[name]", "Barn Owl"), ("pseud[description]", "")],
    );
    assert_eq!(resp.status(), 303);
    let page = Browser::new().page(&server.url(&url));
    assert_eq!(text(&page, "h3.byline.heading a[rel=author]"), "Barn Owl");
    assert_eq!(
        ada.submit(
            &server,
            &format!("/users/ada/pseuds/{owl}/edit"),
            &[("pseud[name]", "ada")]
        )
        .status(),
        422,
        "clash with the default pseud"
    );
}
