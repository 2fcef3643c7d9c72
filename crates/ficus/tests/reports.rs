//! Reports and moderation over HTTP: reporting a work, a comment and an
//! account (guests give an e-mail), AO3's limits (per target, per e-mail
//! a day), the moderators' queue and its resolutions, and suspending and
//! banning an account — which can then read but not post, comment or
//! leave kudos — all in the audit log.

mod support;

use support::{Browser, attr, count, serve, signup, text};

fn report(b: &mut Browser, server: &ficus_testkit::ServerProcess, url: &str, email: &str) -> u16 {
    b.submit(
        server,
        "/abuse_reports",
        &[
            ("abuse_report[url]", url),
            ("abuse_report[reason]", "spam"),
            ("abuse_report[comment]", "Selling things in the tags."),
            ("abuse_report[email]", email),
        ],
    )
    .status()
    .as_u16()
}

#[test]
fn reports_queue_and_standing() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let admin = |args: &[&str]| {
        support::admin(dir.path(), args);
    };
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let mut moderator = Browser::new();
    assert_eq!(signup(&mut moderator, &server, "mod").status(), 303);
    admin(&["set-role", "mod", "moderator"]);
    admin(&["comments", "--rate", "100/60"]);
    let form = writer.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let post = |b: &mut Browser, title: &str| {
        b.submit(
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
                ("work[fandom_string]", "Report Fandom"),
                ("work[chapter_attributes][content]", "<p>Words.</p>"),
                ("work[comment_permissions]", "enable_all"),
                ("post_button", "Post"),
            ],
        )
    };
    let resp = post(&mut writer, "Reported Work");
    assert_eq!(resp.status(), 303);
    let work: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");

    // Guests report with an e-mail; a link to a chapter or with a query works.
    let mut guest = Browser::new();
    let form = guest.page(&server.url(&format!("/abuse_reports/new?url=/works/{work}")));
    assert_eq!(
        attr(&form, "#abuse_report_url", "value").as_deref(),
        Some(format!("/works/{work}").as_str())
    );
    assert_eq!(
        report(
            &mut guest,
            &server,
            &format!("http://archive.example/works/{work}?view_adult=true#x"),
            "a@example.org"
        ),
        200
    );
    assert_eq!(
        report(
            &mut guest,
            &server,
            &format!("/works/{work}"),
            "not an address"
        ),
        422
    );
    assert_eq!(
        report(&mut guest, &server, "/tags/Nothing", "a@example.org"),
        422,
        "not a work, comment or account"
    );
    assert_eq!(
        report(&mut guest, &server, "/works/99999", "a@example.org"),
        422
    );
    // Five a day per e-mail.
    for _ in 0..4 {
        assert_eq!(
            report(&mut guest, &server, "/users/writer", "a@example.org"),
            200
        );
    }
    assert_eq!(
        report(&mut guest, &server, "/users/writer", "a@example.org"),
        429,
        "the sixth of the day"
    );
    // Five per work a month, whoever reports.
    for n in 1..5 {
        assert_eq!(
            report(
                &mut guest,
                &server,
                &format!("/works/{work}"),
                &format!("r{n}@example.org")
            ),
            200
        );
    }
    assert_eq!(
        report(
            &mut guest,
            &server,
            &format!("/works/{work}"),
            "r9@example.org"
        ),
        429
    );

    // The queue: moderators only.
    assert_eq!(writer.get(&server.url("/admin/reports")).status(), 403);
    let queue = moderator.page(&server.url("/admin/reports"));
    assert_eq!(text(&queue, "h2.heading"), "Open reports (9)");
    let first = attr(&queue, "li.report.open", "id").expect("a report");
    let id = first.trim_start_matches("report_");
    let resp = moderator.submit(
        &server,
        &format!("/admin/reports/{id}/resolve"),
        &[("resolution", "Looked: not spam")],
    );
    assert_eq!(resp.status(), 303);
    let queue = moderator.page(&server.url("/admin/reports"));
    assert_eq!(text(&queue, "h2.heading"), "Open reports (8)");
    let all = moderator.page(&server.url("/admin/reports?all=true"));
    assert!(text(&all, "p.resolution").contains("Looked: not spam"));

    // Suspend the writer: reading still works; posting, commenting, kudos do not.
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let resp = moderator.submit(
        &server,
        "/admin/users/reader/standing",
        &[
            ("standing", "suspend"),
            ("days", "3"),
            ("reason", "Spam comments"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert!(
        text(
            &moderator.page(&server.url("/admin/users/reader")),
            "p.standing"
        )
        .starts_with("Suspended until")
    );
    assert_eq!(
        reader.get(&server.url(&format!("/works/{work}"))).status(),
        200,
        "reading is fine"
    );
    let resp = reader.submit(
        &server,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", "Can I?")],
    );
    assert_eq!(resp.status(), 422);
    let resp = reader.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &work.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert!(
        resp.headers()["location"]
            .to_str()
            .expect("ascii")
            .contains("kudos=suspended")
    );
    let resp = post(&mut reader, "Not Now");
    assert_eq!(resp.status(), 422, "no posting while suspended");
    // Lift: all back.
    let resp = moderator.submit(
        &server,
        "/admin/users/reader/standing",
        &[("standing", "lift")],
    );
    assert_eq!(resp.status(), 303);
    let resp = reader.submit(
        &server,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", "Now I can.")],
    );
    assert_eq!(resp.status(), 303);
    // Ban; admins cannot be banned by this form; others may not use it.
    let resp = moderator.submit(
        &server,
        "/admin/users/reader/standing",
        &[("standing", "ban"), ("reason", "Repeated spam")],
    );
    assert_eq!(resp.status(), 303);
    let resp = reader.submit(
        &server,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", "And now?")],
    );
    assert_eq!(resp.status(), 422);
    assert_eq!(
        writer
            .submit(
                &server,
                "/admin/users/reader/standing",
                &[("standing", "lift")]
            )
            .status(),
        403
    );
    let log = moderator.page(&server.url("/admin/audit"));
    let log_text = text(&log, "table.audit");
    assert!(
        log_text.contains("suspend_user")
            && log_text.contains("ban_user")
            && log_text.contains("lift_user")
            && log_text.contains("resolve_report"),
        "{log_text}"
    );
    assert_eq!(count(&log, "table.audit tr.ban_user"), 1);
}
