//! E-mail through a real SMTP server on loopback (Python's aiosmtpd from
//! PyPI, started here): a comment makes exactly one message, to the right
//! person, with a one-click unsubscribe link that works without logging
//! in; with the mail server down, the message arrives once it is back;
//! daily digests make one message a day per person.

mod support;

use std::time::Duration;

use ficus_testkit::{ServerProcess, Tool};
use support::smtp::{Received, Smtp, free_port, python, received, serve, wait_for};
use support::{Browser, signup};

fn post_work(b: &mut Browser, server: &ServerProcess, title: &str) -> i64 {
    support::post_simple_work(b, server, title, "Mail Fandom")
}

fn comment(b: &mut Browser, server: &ServerProcess, work: i64, text: &str) {
    let resp = b.submit(
        server,
        &format!("/works/{work}/comments"),
        &[("comment[comment_content]", text)],
    );
    assert_eq!(resp.status(), 303, "commenting");
}

#[test]
fn comment_mail_unsubscribe_outage_and_digests() {
    let Some(python) = Tool::Ao3Clients.require(python) else {
        return;
    };
    let dir = ficus_testkit::temp_dir();
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let smtp = Smtp::start(&python, port, &maildir);
    let server = serve(&dir.path().join("data"), port);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let work = post_work(&mut writer, &server, "Mailed Work");
    let mut reader = Browser::new();
    assert_eq!(signup(&mut reader, &server, "reader").status(), 303);
    let data = dir.path().join("data");
    let admin = |args: &[&str]| support::admin(&data, args);
    admin(&["comments", "--rate", "100/60"]);

    // One comment, one message, to the creator.
    comment(&mut reader, &server, work, "A comment worth a letter.");
    let got = wait_for(&maildir, 1);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.header("to"), "writer@example.org");
    assert!(
        m.header("subject").contains("Comment on Mailed Work"),
        "{}",
        m.header("subject")
    );
    assert!(m.body.contains("A comment worth a letter."), "{}", m.body);
    assert_eq!(
        m.header("list-unsubscribe-post"),
        "List-Unsubscribe=One-Click"
    );
    let link = m
        .header("list-unsubscribe")
        .trim_matches(['<', '>'])
        .to_string();
    assert!(link.contains("/unsubscribe/"), "{link}");

    // The link works without logging in: GET asks, POST does.
    let http = reqwest::blocking::Client::new();
    let ask = http.get(&link).send().expect("get");
    assert_eq!(ask.status(), 200);
    let forged = link
        .rsplit_once('/')
        .map(|(a, _)| format!("{a}/{}", "0".repeat(64)))
        .expect("link");
    assert_eq!(http.post(&forged).send().expect("post").status(), 404);
    let done = http
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .expect("post");
    assert_eq!(done.status(), 200);
    comment(
        &mut reader,
        &server,
        work,
        "Another comment, no letter this time.",
    );
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(received(&maildir).len(), 1, "unsubscribed: no more mail");

    // The mail server goes down; the message waits, then arrives once.
    let mut other = Browser::new();
    assert_eq!(signup(&mut other, &server, "other").status(), 303);
    let second = post_work(&mut other, &server, "While Down");
    drop(smtp);
    comment(
        &mut reader,
        &server,
        second,
        "Sent while the mail server was down.",
    );
    std::thread::sleep(Duration::from_secs(4));
    let smtp = Smtp::start(&python, port, &maildir);
    let got = wait_for(&maildir, 2);
    std::thread::sleep(Duration::from_secs(5));
    let got_later = received(&maildir);
    assert_eq!(got_later.len(), 2, "once, not again");
    assert_eq!(got[1].header("to"), "other@example.org");
    assert!(got[1].body.contains("Sent while the mail server was down."));

    // Digests: one message a day with the day's comments (and kudos).
    let mut daily = Browser::new();
    assert_eq!(signup(&mut daily, &server, "daily").status(), 303);
    let third = post_work(&mut daily, &server, "Daily Work");
    let resp = daily.submit(
        &server,
        "/users/daily/preferences",
        &[("pref_comment_mail", "daily"), ("pref_kudos_mail", "daily")],
    );
    assert_eq!(resp.status(), 303);
    comment(&mut reader, &server, third, "First of the day.");
    comment(&mut reader, &server, third, "Second of the day.");
    let resp = reader.submit(
        &server,
        "/kudos",
        &[
            ("kudo[commentable_id]", &third.to_string()),
            ("kudo[commentable_type]", "Work"),
        ],
    );
    assert_eq!(resp.status(), 303);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(received(&maildir).len(), 2, "nothing until the day is over");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT00:00:05")
        .to_string();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let report = admin(&["mail", "--smtp-url", &smtp_url, "--as-of", &tomorrow]);
    assert!(report.contains("sent 2"), "{report}");
    let got = wait_for(&maildir, 4);
    let to_daily: Vec<&Received> = got
        .iter()
        .filter(|m| m.header("to") == "daily@example.org")
        .collect();
    assert_eq!(to_daily.len(), 2, "one comment digest and one kudos digest");
    let digest = to_daily
        .iter()
        .find(|m| m.header("subject").contains("2 new comments"))
        .expect("the comment digest");
    assert!(
        digest.body.contains("First of the day.") && digest.body.contains("Second of the day.")
    );
    assert!(
        to_daily
            .iter()
            .any(|m| m.header("subject").contains("1 kudos") && m.body.contains("reader")),
        "the kudos digest"
    );
    let report = admin(&["mail", "--smtp-url", &smtp_url, "--as-of", &tomorrow]);
    assert!(report.contains("sent 0"), "{report}");
    drop(smtp);
}
