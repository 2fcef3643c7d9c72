//! Accounts end to end over HTTP: sign-up, log-in, log-out, CSRF, throttles,
//! restricted works, and sessions and throttles shared by two server
//! processes on one database.

mod support;

use std::process::Command;

use ficus_core::Rating;
use ficus_store::{Backend, Store};
use ficus_testkit::{temp_dir, work};
use scraper::Html;
use support::{Browser, attr, serve, signup, text};

#[test]
fn sign_up_log_in_log_out_with_csrf_and_throttles() {
    let dir = temp_dir();
    let server = serve(dir.path());
    let mut b = Browser::new();

    // The form carries the CSRF token of the cookie, which is HttpOnly and SameSite=Strict.
    let resp = b.get(&server.url("/signup"));
    let set = resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_string();
    assert!(
        set.starts_with("ficus_csrf=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Strict"),
        "{set}"
    );
    let form = Html::parse_document(&resp.text().expect("body"));
    // The form token is bound to the cookie (an HMAC under the archive's
    // key), never the cookie itself.
    let form_token = attr(
        &form,
        "form#new_user input[name=authenticity_token]",
        "value",
    )
    .expect("token");
    assert_eq!(
        attr(&form, "meta[name=csrf-token]", "content").as_deref(),
        Some(form_token.as_str())
    );
    assert_ne!(form_token, b.jar.0["ficus_csrf"]);
    assert_eq!(attr(&form, "body", "class").as_deref(), Some("logged-out"));

    // Missing or wrong CSRF token: refused, nothing stored.
    let fields = [
        ("user[login]", "mallory"),
        ("user[email]", "m@example.org"),
        ("user[password]", "password123"),
        ("user[password_confirmation]", "password123"),
    ];
    assert_eq!(b.post(&server.url("/signup"), &fields).status(), 403);
    let mut wrong = fields.to_vec();
    wrong.push((
        "authenticity_token",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(b.post(&server.url("/signup"), &wrong).status(), 403);
    let mut other = Browser::new();
    assert_eq!(
        other
            .submit(
                &server,
                "/users/login",
                &[
                    ("user[login]", "mallory"),
                    ("user[password]", "password123")
                ]
            )
            .status(),
        422,
        "mallory was not created"
    );

    // Invalid input: every problem listed, what was typed kept.
    let resp = b.submit(
        &server,
        "/signup",
        &[
            ("user[login]", "<b>x"),
            ("user[email]", "not-an-email"),
            ("user[password]", "short"),
            ("user[password_confirmation]", "short"),
        ],
    );
    assert_eq!(resp.status(), 422);
    let doc = Html::parse_document(&resp.text().expect("body"));
    let errors = text(&doc, ".flash.error li");
    assert!(
        errors.contains("User name") && errors.contains("e-mail") && errors.contains("Password"),
        "{errors}"
    );
    assert_eq!(
        attr(&doc, "input#user_login", "value").as_deref(),
        Some("<b>x")
    );

    // A good sign-up logs in with a fresh HttpOnly SameSite=Lax session cookie.
    let before_csrf = b.jar.0["ficus_csrf"].clone();
    let resp = signup(&mut b, &server, "Ada");
    assert_eq!(resp.status(), 303);
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("ficus_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Max-Age"),
        "{session}"
    );
    assert_ne!(
        b.jar.0["ficus_csrf"], before_csrf,
        "CSRF token rotated at log-in"
    );
    let home = b.page(&server.url("/"));
    assert_eq!(attr(&home, "body", "class").as_deref(), Some("logged-in"));
    assert!(text(&home, "#header").contains("Hi, Ada!"));

    // Reserved names cannot be taken.
    let mut r = Browser::new();
    let resp = signup(&mut r, &server, "orphan_account");
    assert_eq!(resp.status(), 422);
    assert!(resp.text().expect("body").contains("reserved"));

    // The same name again, in another case: taken.
    let mut c = Browser::new();
    let resp = signup(&mut c, &server, "ADA");
    assert_eq!(resp.status(), 422);
    assert!(resp.text().expect("body").contains("already taken"));

    // Log out: the session is gone on the server, not just in the browser.
    let old_session = b.jar.0["ficus_session"].clone();
    assert_eq!(b.submit(&server, "/users/logout", &[]).status(), 303);
    assert!(!b.jar.0.contains_key("ficus_session"));
    let mut replay = Browser::new();
    replay
        .jar
        .0
        .insert("ficus_session".into(), old_session.clone());
    assert_eq!(
        attr(&replay.page(&server.url("/")), "body", "class").as_deref(),
        Some("logged-out")
    );

    // Log in again: a new session id, remember-me gives a lasting cookie.
    let resp = b.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "ada"),
            ("user[password]", "correct horse battery"),
            ("user[remember_me]", "1"),
        ],
    );
    assert_eq!(resp.status(), 303);
    assert_ne!(b.jar.0["ficus_session"], old_session, "session id rotated");
    let set: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_string())
        .collect();
    assert!(
        set.iter()
            .any(|c| c.starts_with("ficus_session=") && c.contains("Max-Age=2592000")),
        "{set:?}"
    );

    // Failures count, not requests: 5 wrong passwords per 20 s for an
    // account from this address, then 429 with an honest Retry-After, even
    // with the right password (this address has failed).
    let mut m = Browser::new();
    for i in 0..5 {
        let resp = m.submit(
            &server,
            "/users/login",
            &[("user[login]", "ada"), ("user[password]", "wrong password")],
        );
        assert_eq!(resp.status(), 422, "attempt {i}");
    }
    let resp = m.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "ada"),
            ("user[password]", "correct horse battery"),
        ],
    );
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=40).contains(&retry), "{retry}");

    // Per address: 10 failures per 20 s, whatever the accounts. This
    // address has failed 6 times (mallory's log-in above, and ada's five).
    for name in ["nobody1", "nobody2", "nobody3", "nobody4"] {
        let resp = m.submit(
            &server,
            "/users/login",
            &[("user[login]", name), ("user[password]", "whatever it is")],
        );
        assert_eq!(resp.status(), 422, "{name}");
    }
    let resp = m.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "nobody5"),
            ("user[password]", "whatever it is"),
        ],
    );
    assert_eq!(resp.status(), 429, "the address is throttled");

    // Sign-ups: 5 per address per hour (Ada and the taken ADA counted).
    for name in ["s1", "s2", "s3"] {
        assert_eq!(
            signup(&mut Browser::new(), &server, &format!("sign{name}")).status(),
            303,
            "{name}"
        );
    }
    let resp = signup(&mut Browser::new(), &server, "signs4");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
}

#[test]
fn restricted_works_send_guests_to_log_in() {
    let dir = temp_dir();
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("open");
    let day = ficus_testkit::day(2024, 1, 2);
    let members_only = work("Members Only")
        .body("<p>Secret text.</p>")
        .dated(day)
        .restricted(true)
        .rating(Rating::GeneralAudiences)
        .build();
    let hidden = store.insert_work(&members_only).expect("insert").work_id();
    let everyone = work("Everyone")
        .body("<p>Open text.</p>")
        .dated(day)
        .build();
    let public = store.insert_work(&everyone).expect("insert").work_id();
    drop(store);

    let server = serve(dir.path());
    let mut guest = Browser::new();
    let resp = guest.get(&server.url(&format!("/works/{hidden}")));
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        to.starts_with("/users/login?restricted=true&return_to="),
        "{to}"
    );
    let login = guest.page(&server.url(&to));
    assert!(text(&login, "p.notice").contains("registered users"));
    assert!(
        !guest
            .get(&server.url(&format!("/works/{hidden}/navigate")))
            .text()
            .expect("body")
            .contains("Members Only")
    );
    let listing = guest.get(&server.url("/works")).text().expect("body");
    assert!(listing.contains("Everyone") && !listing.contains("Members Only"));
    assert!(
        listing.contains("1 - 1 of 1 Works"),
        "counts exclude it too"
    );
    assert_eq!(
        guest
            .get(&server.url(&format!("/api/v1/works/{hidden}")))
            .status(),
        404
    );

    // After logging in, the return_to brings the reader to the work.
    let mut member = Browser::new();
    assert_eq!(signup(&mut member, &server, "reader").status(), 303);
    let page = member.page(&server.url(&format!("/works/{hidden}?view_adult=true")));
    assert!(text(&page, "div#chapters").contains("Secret text."));
    let listing = member.get(&server.url("/works")).text().expect("body");
    assert!(listing.contains("Members Only") && listing.contains("1 - 2 of 2 Works"));
    let _ = public;

    let mut returning = Browser::new();
    let path = format!("/works/{hidden}");
    returning.get(&server.url("/"));
    let resp = returning.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "reader"),
            ("user[password]", "correct horse battery"),
            ("return_to", &path),
        ],
    );
    assert_eq!(resp.headers()["location"].to_str().expect("ascii"), path);
    let resp = returning.submit(
        &server,
        "/users/login",
        &[
            ("user[login]", "reader"),
            ("user[password]", "correct horse battery"),
            ("return_to", "//evil.example/"),
        ],
    );
    assert_eq!(
        resp.headers()["location"].to_str().expect("ascii"),
        "/",
        "no open redirect"
    );
}

#[test]
fn two_server_processes_share_sessions_and_throttles() {
    let dir = temp_dir();
    let a = serve(dir.path());
    let b = support::serve_node(dir.path(), "index-b");

    let mut browser = Browser::new();
    assert_eq!(signup(&mut browser, &a, "shared").status(), 303);
    // The session made on A is valid on B.
    let on_b = browser.page(&b.url("/"));
    assert_eq!(attr(&on_b, "body", "class").as_deref(), Some("logged-in"));

    // Failed log-ins count across both nodes.
    let mut m = Browser::new();
    for (i, server) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let resp = m.submit(
            server,
            "/users/login",
            &[
                ("user[login]", "shared"),
                ("user[password]", "nope nope nope"),
            ],
        );
        assert_eq!(resp.status(), 422, "attempt {i}");
    }
    let resp = m.submit(
        &b,
        "/users/login",
        &[
            ("user[login]", "shared"),
            ("user[password]", "nope nope nope"),
        ],
    );
    assert_eq!(
        resp.status(),
        429,
        "the sixth attempt, on either node, is throttled"
    );

    // Logging out on B ends the session on A too.
    assert_eq!(browser.submit(&b, "/users/logout", &[]).status(), 303);
    let on_a = browser.page(&a.url("/"));
    assert_eq!(attr(&on_a, "body", "class").as_deref(), Some("logged-out"));
}

#[test]
fn admin_cli_creates_users_and_sets_roles() {
    let dir = temp_dir();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ficus"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("FICUS_PASSWORD", "a long admin password")
            .env("FICUS_LOG", "warn")
            .output()
            .expect("run")
    };
    let out = run(&[
        "admin",
        "create-user",
        "root",
        "--email",
        "root@example.org",
        "--role",
        "admin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("open");
    let (user, hash) = store
        .user_for_login("root")
        .expect("lookup")
        .expect("exists");
    assert_eq!(user.role, ficus_core::account::Role::Admin);
    assert!(ficus_core::account::verify_password(
        "a long admin password",
        &hash
    ));
    assert!(
        run(&["admin", "set-role", "root", "moderator"])
            .status
            .success()
    );
    assert_eq!(
        store
            .user_for_login("root")
            .expect("lookup")
            .expect("exists")
            .0
            .role,
        ficus_core::account::Role::Moderator
    );
    let bad = run(&["admin", "set-role", "nobody", "admin"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no user named"));
    let bad_role = run(&["admin", "set-role", "root", "emperor"]);
    assert!(!bad_role.status.success());
}

#[test]
fn the_general_per_ip_limit_holds_across_nodes_when_configured() {
    let dir = temp_dir();
    let start = |limit: &str, node: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
        cmd.arg("--data-dir")
            .arg(dir.path())
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--requests-per-ip",
                limit,
                "--request-window",
                "300",
                "--index-dir",
            ])
            .arg(dir.path().join(node))
            .env("FICUS_LOG", "warn");
        ficus_testkit::ServerProcess::start(cmd)
    };
    let (a, b) = (start("6", "index-a"), start("6", "index-b"));
    let mut browser = Browser::new();
    for (i, server) in [&a, &b, &a, &b, &a, &b].into_iter().enumerate() {
        assert_eq!(
            browser.get(&server.url("/works")).status(),
            200,
            "request {i}"
        );
        assert_eq!(
            browser.get(&server.url("/static/ficus.css")).status(),
            200,
            "the stylesheet is not counted"
        );
    }
    let resp = browser.get(&a.url("/works"));
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
}
