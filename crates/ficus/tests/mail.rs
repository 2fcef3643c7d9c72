//! E-mail through a real SMTP server on loopback (Python's aiosmtpd from
//! PyPI, started here): a comment makes exactly one message, to the right
//! person, with a one-click unsubscribe link that works without logging
//! in; with the mail server down, the message arrives once it is back;
//! daily digests make one message a day per person.

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ficus_testkit::{ServerProcess, Tool};
use support::{Browser, attr, signup};

/// A Python with aiosmtpd (the test tools' virtualenv), or why not.
fn python() -> Result<PathBuf, String> {
    support::venv_python("aiosmtpd")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An SMTP server that keeps what it receives in a Maildir.
struct Smtp(Child);

impl Smtp {
    fn start(python: &Path, port: u16, maildir: &Path) -> Smtp {
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "aiosmtpd never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp(child)
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One received message: headers (lower-case names) and body.
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn received(maildir: &Path) -> Vec<Received> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path)
            .expect("message")
            .replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((n, v)) = line.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        out.push(Received {
            headers,
            body: body.replace("=\n", "").replace("=3D", "="),
        });
    }
    out
}

/// Waits until `maildir` holds `n` messages (and no more for a moment).
fn wait_for(maildir: &Path, n: usize) -> Vec<Received> {
    let start = Instant::now();
    loop {
        let got = received(maildir);
        if got.len() >= n {
            std::thread::sleep(Duration::from_millis(300));
            return received(maildir);
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited for {n} messages, have {}",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn serve(data_dir: &Path, smtp_port: u16) -> ServerProcess {
    support::serve_with(
        data_dir,
        &[
            "--smtp-url",
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "--mail-from",
            "Ficus Test <archive@example.org>",
            "--mail-retry-secs",
            "1",
        ],
    )
}

fn post_work(b: &mut Browser, server: &ServerProcess, title: &str) -> i64 {
    let form = b.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = b.submit(
        server,
        "/works",
        &[
            ("work[title]", title),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Mail Fandom"),
            ("work[chapter_attributes][content]", "<p>Words.</p>"),
            ("post_button", "Post"),
        ],
    );
    assert_eq!(resp.status(), 303);
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id")
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
