//! The readers' AO3 clients against a running Ficus, with only the host
//! changed: ao3-api (PyPI `ao3-api`) reads a work's kudos and comments —
//! threads, authors, texts, and a thread's replies from the comment's own
//! page.

mod support;

use std::path::PathBuf;
use std::process::Command;

use ficus_testkit::Tool;
use support::{Browser, attr, serve, signup};

/// The virtualenv's Python with `AO3` importable, or why there is none.
fn ao3_python() -> Result<PathBuf, String> {
    support::venv_python("AO3")
}

fn new_comment(resp: reqwest::blocking::Response) -> i64 {
    assert_eq!(resp.status(), 303);
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/comments/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("comment id")
}

#[test]
fn ao3_api_reads_kudos_and_comments() {
    let Some(python) = Tool::Ao3Clients.require(ao3_python) else {
        return;
    };
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let form = writer.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = writer.submit(
        &server,
        "/works",
        &[
            ("work[title]", "Read By A Client"),
            ("work[pseud_ids][]", &pseud),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Client Fandom"),
            ("work[summary]", "<p>A summary.</p>"),
            ("work[chapter_attributes][content]", "<p>One.</p>"),
            ("work[comment_permissions]", "enable_all"),
            ("post_button", "Post"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let id: i64 = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id");
    let mut readers = Vec::new();
    for name in ["alpha", "beta"] {
        let mut b = Browser::new();
        assert_eq!(signup(&mut b, &server, name).status(), 303);
        let resp = b.submit(
            &server,
            "/kudos",
            &[
                ("kudo[commentable_id]", &id.to_string()),
                ("kudo[commentable_type]", "Work"),
            ],
        );
        assert_eq!(resp.status(), 303);
        readers.push(b);
    }
    let first = new_comment(readers[0].submit(
        &server,
        &format!("/works/{id}/comments"),
        &[("comment[comment_content]", "First comment from alpha.")],
    ));
    let second = new_comment(readers[1].submit(
        &server,
        &format!("/works/{id}/comments"),
        &[("comment[comment_content]", "Beta was here too.")],
    ));
    let reply = new_comment(writer.submit(
        &server,
        &format!("/comments/{first}/comments"),
        &[("comment[comment_content]", "Thanks, alpha!")],
    ));

    let out = Command::new(&python)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/ao3_api_read.py"))
        .arg(server.url(""))
        .arg(id.to_string())
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "ao3-api failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("JSON from the script");
    assert_eq!(read["title"], "Read By A Client");
    assert_eq!(read["kudos"], 2);
    assert_eq!(read["comments"], 3);
    let threads = read["threads"].as_array().expect("threads");
    assert_eq!(threads.len(), 2);
    assert_eq!(threads[0]["id"], first);
    assert_eq!(threads[0]["author"], "alpha");
    assert_eq!(threads[0]["text"], "First comment from alpha.");
    assert_eq!(threads[1]["id"], second);
    assert_eq!(threads[1]["author"], "beta");
    let replies = read["first_thread_replies"].as_array().expect("replies");
    assert_eq!(replies.len(), 1, "{read}");
    assert_eq!(replies[0]["id"], reply);
    assert_eq!(replies[0]["author"], "writer");
    assert_eq!(replies[0]["text"], "Thanks, alpha!");
}
