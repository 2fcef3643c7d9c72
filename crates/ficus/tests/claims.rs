//! Admin tools over the CLI and the web: claiming imported works, and
//! sign-ups by invitation code.

mod support;

use std::process::Command;

use ficus_testkit::fixture;
use support::{Browser, attr, serve, signup, text};

fn ficus(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ficus"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("FICUS_LOG", "warn")
        .output()
        .expect("run ficus")
}

#[test]
fn an_imported_creator_claims_their_works() {
    let dir = ficus_testkit::temp_dir();
    let out = ficus(
        dir.path(),
        &[
            "import",
            "--json",
            &fixture("e2e/nested/garden.txt").display().to_string(),
        ],
    );
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let id = line["work_id"].as_i64().expect("id");
    assert!(
        !ficus(dir.path(), &["admin", "claim-link", "Nobody Here"])
            .status
            .success()
    );
    let out = ficus(dir.path(), &["admin", "claim-link", "willow hart"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    assert!(path.starts_with("/claims/"), "{path}");

    let server = serve(dir.path());
    let mut guest = Browser::new();
    assert_eq!(guest.get(&server.url(&path)).status(), 303, "log in first");
    let mut willow = Browser::new();
    signup(&mut willow, &server, "willow");
    let form = willow.page(&server.url(&path));
    assert!(text(&form, "#main h2").contains("Willow Hart"));
    let pseud = attr(&form, "select[name=pseud_id] option", "value").expect("pseud");
    let mut other = Browser::new();
    signup(&mut other, &server, "other");
    assert_eq!(
        other
            .submit(&server, &path, &[("pseud_id", &pseud)])
            .status(),
        404,
        "someone else's pseud"
    );
    assert_eq!(
        willow
            .post(&server.url(&path), &[("pseud_id", &pseud)])
            .status(),
        403,
        "CSRF"
    );
    assert_eq!(
        willow
            .submit(&server, &path, &[("pseud_id", &pseud)])
            .status(),
        303
    );
    let page = Browser::new().page(&server.url(&format!("/works/{id}")));
    assert_eq!(
        attr(&page, "h3.byline.heading a[rel=author]", "href").as_deref(),
        Some("/users/willow/pseuds/willow")
    );
    assert_eq!(
        willow
            .get(&server.url(&format!("/works/{id}/edit")))
            .status(),
        200,
        "the claimant owns it now"
    );
    assert_eq!(
        willow.get(&server.url(&path)).status(),
        404,
        "a claim link works once"
    );
}

#[test]
fn sign_ups_by_invitation_code() {
    let dir = ficus_testkit::temp_dir();
    assert!(
        ficus(dir.path(), &["admin", "signups", "invitation"])
            .status
            .success()
    );
    let out = ficus(dir.path(), &["admin", "invite-codes", "--count", "2"]);
    let codes: Vec<String> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 2);
    let server = serve(dir.path());
    let mut b = Browser::new();
    let form = b.page(&server.url("/signup"));
    assert!(attr(&form, "input#invitation_code", "name").is_some());
    let fields = |login: &'static str, code: &'static str| {
        vec![
            ("invitation_code", code),
            ("user[login]", login),
            (
                "user[email]",
                if login == "first" {
                    "f@example.org"
                } else {
                    "s@example.org"
                },
            ),
            ("user[password]", "a long password"),
            ("user[password_confirmation]", "a long password"),
        ]
    };
    let code: &'static str = Box::leak(codes[0].clone().into_boxed_str());
    assert_eq!(
        b.submit(&server, "/signup", &fields("first", "wrong-code"))
            .status(),
        422
    );
    assert_eq!(
        b.submit(&server, "/signup", &fields("first", code))
            .status(),
        303
    );
    let mut c = Browser::new();
    assert_eq!(
        c.submit(&server, "/signup", &fields("second", code))
            .status(),
        422,
        "used once"
    );
    assert!(
        ficus(dir.path(), &["admin", "signups", "open"])
            .status
            .success()
    );
    assert_eq!(
        c.submit(&server, "/signup", &fields("second", "")).status(),
        303,
        "open again"
    );
}
