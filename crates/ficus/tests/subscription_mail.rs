//! Subscription e-mail through a real SMTP server on loopback (aiosmtpd):
//! a followed account's new work and chapter make one message each; a
//! saved search ("Subscribe to this search" on a filtered listing) fires
//! exactly for the new work it finds; a tag followed weekly waits for the
//! week's digest; a message's one-click link stops that subscription's
//! mail while its updates still reach the inbox.

mod support;

use std::time::Duration;

use ficus_testkit::Tool;
use support::smtp::{Received, Smtp, free_port, python, received, serve, wait_for};
use support::{Browser, attr, count, post_tagged_work, press_subscribe, signup, text};

fn to<'m>(all: &'m [Received], login: &str) -> Vec<&'m Received> {
    let address = format!("{login}@example.org");
    all.iter().filter(|m| m.header("to") == address).collect()
}

/// Sets the e-mail of `login`'s only subscription on `list_path`.
fn set_mail(b: &mut Browser, server: &ficus_testkit::ServerProcess, list_path: &str, mail: &str) {
    let list = b.page(&server.url(list_path));
    assert_eq!(count(&list, "dl.subscription.index dt"), 1, "{list_path}");
    let action = attr(&list, "form.subscription-mail", "action").expect("mail form");
    let resp = b.submit(server, &action, &[("subscription[mail]", mail)]);
    assert_eq!(resp.status(), 303);
    let list = b.page(&server.url(list_path));
    assert_eq!(
        attr(&list, "form.subscription-mail option[selected]", "value").as_deref(),
        Some(mail)
    );
}

#[test]
fn subscription_mail_digests_unsubscribe_and_saved_searches() {
    let Some(python) = Tool::Ao3Clients.require(python) else {
        return;
    };
    let dir = ficus_testkit::temp_dir();
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let smtp = Smtp::start(&python, port, &maildir);
    let data = dir.path().join("data");
    let server = serve(&data, port);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, &server, "other").status(), 303);
    post_tagged_work(
        &mut writer,
        &server,
        "First Light",
        "Coast Fandom",
        "",
        "<p>Words.</p>",
    );
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let mut seeker = Browser::new();
    assert_eq!(signup(&mut seeker, &server, "seeker").status(), 303);

    // The reader follows the writer (a message each) and the fandom,
    // weekly; the seeker follows a filtered listing, a message each.
    assert_eq!(
        press_subscribe(&mut reader, &server, "/users/writer/works").status(),
        303
    );
    assert_eq!(
        press_subscribe(&mut reader, &server, "/tags/Coast%20Fandom").status(),
        303
    );
    set_mail(
        &mut reader,
        &server,
        "/users/reader/subscriptions?type=tags",
        "weekly",
    );
    let search = "/works?work_search%5Bother_tag_names%5D=Lighthouse";
    let listing = seeker.page(&server.url(search));
    assert_eq!(
        attr(&listing, "li.subscribe input[type=submit]", "value").as_deref(),
        Some("Subscribe to this search")
    );
    assert_eq!(press_subscribe(&mut seeker, &server, search).status(), 303);
    let listing = seeker.page(&server.url(search));
    assert_eq!(
        attr(&listing, "li.subscribe input[type=submit]", "value").as_deref(),
        Some("Unsubscribe from this search")
    );
    let list = seeker.page(&server.url("/users/seeker/subscriptions?type=searches"));
    assert!(
        text(&list, "dl.subscription.index dt").contains("Lighthouse"),
        "{}",
        text(&list, "dl.subscription.index dt")
    );
    set_mail(
        &mut seeker,
        &server,
        "/users/seeker/subscriptions?type=searches",
        "immediate",
    );

    // The writer's work with the tag: one message to each. The other
    // writer's work in the fandom, without it: none now.
    let harbour = post_tagged_work(
        &mut writer,
        &server,
        "Harbour",
        "Coast Fandom",
        "Lighthouse",
        "<p>Words.</p>",
    );
    post_tagged_work(
        &mut other,
        &server,
        "Inland",
        "Coast Fandom",
        "Fields",
        "<p>Words.</p>",
    );
    let got = wait_for(&maildir, 2);
    std::thread::sleep(Duration::from_secs(5));
    let got_later = received(&maildir);
    assert_eq!(got_later.len(), 2, "once each, and nothing for Inland yet");
    let mine = to(&got, "reader");
    assert_eq!(mine.len(), 1);
    assert!(
        mine[0]
            .header("subject")
            .contains("New work: Harbour by writer"),
        "{}",
        mine[0].header("subject")
    );
    assert!(mine[0].body.contains(&format!("/works/{harbour}")));
    assert!(
        mine[0].body.contains("You follow its creator"),
        "{}",
        mine[0].body
    );
    let found = to(&got, "seeker");
    assert_eq!(found.len(), 1);
    assert!(found[0].header("subject").contains("Harbour"));
    assert!(
        found[0].body.contains("a search it matches"),
        "{}",
        found[0].body
    );

    // A new chapter of the followed writer's work: a message.
    let resp = writer.submit(
        &server,
        &format!("/works/{harbour}/chapters"),
        &[
            ("chapter[title]", "Low Tide"),
            ("chapter[content]", "<p>The second part.</p>"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let got = wait_for(&maildir, 3);
    let chapter = to(&got, "reader")
        .into_iter()
        .find(|m| m.header("subject").contains("chapter 2"))
        .expect("the chapter's message");
    assert!(chapter.body.contains("Low Tide"), "{}", chapter.body);

    // Its one-click link stops the writer's mail; the inbox still gets it.
    let link = chapter
        .header("list-unsubscribe")
        .trim_matches(['<', '>'])
        .to_string();
    assert!(link.contains("/subscription-"), "{link}");
    let http = reqwest::blocking::Client::new();
    assert_eq!(http.get(&link).send().expect("get").status(), 200);
    let done = http
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .expect("post");
    assert_eq!(done.status(), 200);
    let list = reader.page(&server.url("/users/reader/subscriptions?type=users"));
    assert_eq!(
        attr(&list, "form.subscription-mail option[selected]", "value").as_deref(),
        Some("off")
    );
    post_tagged_work(
        &mut writer,
        &server,
        "Later",
        "Coast Fandom",
        "",
        "<p>Words.</p>",
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(received(&maildir).len(), 3, "no message for Later");
    let inbox = reader.page(&server.url("/users/reader/inbox/updates"));
    let items = text(&inbox, "ol.update.index");
    for title in ["Harbour", "Inland", "Later"] {
        assert!(items.contains(title), "{title} in {items}");
    }

    // The week's digest: the fandom's works the reader had no message
    // for (Inland, and Later, which the weekly tag subscription still
    // brings), one message, once.
    let today = chrono::Utc::now().date_naive();
    let monday = today
        + chrono::Duration::days(
            7 - i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()),
        );
    let as_of = format!("{}T00:00:05", monday.format("%Y-%m-%d"));
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let report = support::admin(&data, &["mail", "--smtp-url", &smtp_url, "--as-of", &as_of]);
    assert!(report.contains("sent 1"), "{report}");
    let got = wait_for(&maildir, 4);
    let digest = to(&got, "reader")
        .into_iter()
        .find(|m| {
            m.header("subject")
                .contains("from your subscriptions this week")
        })
        .expect("the weekly digest");
    assert!(
        digest.header("subject").contains("2 updates"),
        "{}",
        digest.header("subject")
    );
    assert!(digest.body.contains("Inland") && digest.body.contains("Later"));
    assert!(!digest.body.contains("Harbour"), "{}", digest.body);
    assert!(
        digest
            .header("list-unsubscribe")
            .contains("/subscriptions/")
    );
    let report = support::admin(&data, &["mail", "--smtp-url", &smtp_url, "--as-of", &as_of]);
    assert!(report.contains("sent 0"), "{report}");
    drop(smtp);
}
