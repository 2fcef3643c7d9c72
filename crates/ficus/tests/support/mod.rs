//! Shared helpers of the HTTP end-to-end tests: a server process and a
//! browser-like client that keeps cookies and submits CSRF tokens.
#![allow(dead_code)]

pub mod smtp;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use ficus_testkit::ServerProcess;
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use scraper::{Html, Selector};

pub fn serve(data_dir: &Path) -> ServerProcess {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("FICUS_LOG", "warn");
    ServerProcess::start(cmd)
}

/// A server on `data_dir` with `extra` arguments after `serve` (and
/// sign-ups not limited).
pub fn serve_with(data_dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--signups-per-hour",
            "1000",
        ])
        .args(extra)
        .env("FICUS_LOG", "warn");
    ServerProcess::start(cmd)
}

/// `ficus` on storage arguments (`--data-dir DIR` or `--database URL`).
pub fn ficus_on(storage: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.args(storage).env("FICUS_LOG", "warn");
    cmd
}

/// A server on storage arguments (the matrices run on both databases).
pub fn serve_storage(storage: &[String]) -> ServerProcess {
    let mut serve = ficus_on(storage);
    serve.args([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--signups-per-hour",
        "100",
    ]);
    ServerProcess::start(serve)
}

/// Runs `ficus ARGS…` on storage arguments; panics when it fails, returns
/// what it printed.
pub fn cli(storage: &[String], args: &[&str]) -> String {
    let out = ficus_on(storage).args(args).output().expect("run ficus");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `ficus --data-dir DIR admin ARGS…` (see [`cli`]).
pub fn admin(data_dir: &Path, args: &[&str]) -> String {
    let storage = ["--data-dir".to_string(), data_dir.display().to_string()];
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    cli(&storage, &all)
}

/// The Python of the test tools' virtualenv (`FICUS_AO3_CLIENTS_VENV`,
/// default `target/ao3-clients-venv`, which `.ci/run` makes) when it can
/// import `module`, or why not.
pub fn venv_python(module: &str) -> Result<std::path::PathBuf, String> {
    let venv = std::env::var_os("FICUS_AO3_CLIENTS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/ao3-clients-venv")
        });
    let python = venv.join("bin/python");
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(python)
    } else {
        Err(format!("no Python with {module} at {}", venv.display()))
    }
}

/// A second web node on the same database: its own search index directory.
pub fn serve_node(data_dir: &Path, index: &str) -> ServerProcess {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--index-dir"])
        .arg(data_dir.join(index))
        .env("FICUS_LOG", "warn");
    ServerProcess::start(cmd)
}

/// A browser's cookies, kept by hand (name → value).
#[derive(Default, Clone)]
pub struct Jar(pub HashMap<String, String>);

impl Jar {
    fn take(&mut self, resp: &Response) {
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().expect("ascii cookie");
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if attrs.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_string(), value.to_string());
            }
        }
    }
    /// The CSRF and session cookies, in a fixed order (what a form token
    /// is made for).
    fn header_sorted(&self) -> String {
        ["ficus_csrf", "ficus_session"]
            .iter()
            .map(|k| format!("{k}={}", self.0.get(*k).map_or("", String::as_str)))
            .collect::<Vec<_>>()
            .join("; ")
    }
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

pub struct Browser {
    pub client: Client,
    pub jar: Jar,
    /// The form token the site gave for the cookies it was given with
    /// (cookies, token).
    form_token: Option<(String, String)>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            jar: Jar::default(),
            form_token: None,
        }
    }
    pub fn get(&mut self, url: &str) -> Response {
        let resp = self
            .client
            .get(url)
            .header("cookie", self.jar.header())
            .send()
            .expect("get");
        self.jar.take(&resp);
        resp
    }
    pub fn page(&mut self, url: &str) -> Html {
        Html::parse_document(&self.get(url).text().expect("body"))
    }
    pub fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Response {
        let resp = self
            .client
            .post(url)
            .header("cookie", self.jar.header())
            .form(fields)
            .send()
            .expect("post");
        self.jar.take(&resp);
        resp
    }
    /// The CSRF form token the site's pages give this browser now (from
    /// the `csrf-token` meta tag; it changes with the cookies).
    pub fn form_token(&mut self, server: &ServerProcess) -> String {
        if !self.jar.0.contains_key("ficus_csrf") {
            self.get(&server.url("/"));
        }
        let cookies = self.jar.header_sorted();
        if let Some((for_cookies, token)) = &self.form_token
            && *for_cookies == cookies
        {
            return token.clone();
        }
        let page = self.page(&server.url("/"));
        let token = attr(&page, "meta[name=csrf-token]", "content").expect("csrf-token meta tag");
        self.form_token = Some((self.jar.header_sorted(), token.clone()));
        token
    }

    /// Posts a form with the CSRF token the site gave this browser.
    pub fn submit(
        &mut self,
        server: &ServerProcess,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.form_token(server);
        let mut all = fields.to_vec();
        all.push(("authenticity_token", &token));
        self.post(&server.url(path), &all)
    }
}

pub fn text(doc: &Html, s: &str) -> String {
    let sel = Selector::parse(s).expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn attr(doc: &Html, s: &str, a: &str) -> Option<String> {
    let sel = Selector::parse(s).expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(a))
        .map(str::to_string)
}

pub fn signup(b: &mut Browser, server: &ServerProcess, login: &str) -> Response {
    b.submit(
        server,
        "/signup",
        &[
            ("user[login]", login),
            ("user[email]", &format!("{login}@example.org")),
            ("user[password]", "correct horse battery"),
            ("user[password_confirmation]", "correct horse battery"),
        ],
    )
}

pub fn count(doc: &Html, s: &str) -> usize {
    doc.select(&Selector::parse(s).expect("selector")).count()
}

/// Posts a one-chapter work as `b` (its first pseud, General Audiences,
/// no warnings, one fandom); returns its id.
pub fn post_simple_work(b: &mut Browser, server: &ServerProcess, title: &str, fandom: &str) -> i64 {
    post_tagged_work(b, server, title, fandom, "", "<p>Words.</p>")
}

/// As [`post_simple_work`], with additional tags (comma-separated) and
/// the chapter's text (`body`, HTML). `fandom` may name several,
/// comma-separated.
pub fn post_tagged_work(
    b: &mut Browser,
    server: &ServerProcess,
    title: &str,
    fandom: &str,
    freeforms: &str,
    body: &str,
) -> i64 {
    post_work_with(
        b,
        server,
        title,
        fandom,
        &[
            ("work[freeform_string]", freeforms),
            ("work[chapter_attributes][content]", body),
        ],
    )
}

/// Posts a work through the form as `b` with `fields` besides its title,
/// pseud, rating, warning and fandom (the text among them); its id.
pub fn post_work_with(
    b: &mut Browser,
    server: &ServerProcess,
    title: &str,
    fandom: &str,
    fields: &[(&str, &str)],
) -> i64 {
    let form = b.page(&server.url("/works/new"));
    let pseud = attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let mut all = vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud.as_str()),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", fandom),
        ("post_button", "Post"),
    ];
    all.extend_from_slice(fields);
    let resp = b.submit(server, "/works", &all);
    assert_eq!(resp.status(), 303, "posting {title}");
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id")
}

/// A new personal API token of `login` (signed in as `b`).
pub fn api_token(b: &mut Browser, server: &ServerProcess, login: &str) -> String {
    let resp = b.submit(
        server,
        &format!("/users/{login}/api_tokens"),
        &[("name", "test script")],
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let page = Html::parse_document(&resp.text().expect("body"));
    let token = text(&page, "#new-api-token");
    assert!(token.starts_with("ficus_"), "{token:?}");
    token
}

/// An API answer with status `want`: its JSON body (`Null` when it has
/// none, as a 204).
pub fn answer(resp: Response, want: u16) -> serde_json::Value {
    let status = resp.status().as_u16();
    let body = resp.text().expect("body");
    assert_eq!(status, want, "{body}");
    serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
}

/// Presses the Subscribe button (`li.subscribe form`) on `page_path` as
/// `b`, sending the form's own fields; returns the response.
pub fn press_subscribe(b: &mut Browser, server: &ServerProcess, page_path: &str) -> Response {
    let page = b.page(&server.url(page_path));
    let form_sel = Selector::parse("li.subscribe form").expect("selector");
    let input_sel = Selector::parse("input[type=hidden]").expect("selector");
    let form = page
        .select(&form_sel)
        .next()
        .unwrap_or_else(|| panic!("no Subscribe button on {page_path}"));
    let action = form.value().attr("action").expect("action").to_string();
    let fields: Vec<(String, String)> = form
        .select(&input_sel)
        .filter_map(|i| {
            let name = i.value().attr("name")?;
            (name != "authenticity_token").then(|| {
                (
                    name.to_string(),
                    i.value().attr("value").unwrap_or("").to_string(),
                )
            })
        })
        .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.submit(server, &action, &refs)
}

/// Bookmarks `work` as `b`; the bookmark's id.
pub fn bookmark(b: &mut Browser, server: &ServerProcess, work: i64, private: bool) -> i64 {
    let mut fields = vec![("bookmark[bookmarker_notes]", "A bookmark.")];
    if private {
        fields.push(("bookmark[private]", "1"));
    }
    let resp = b.submit(server, &format!("/works/{work}/bookmarks"), &fields);
    assert_eq!(resp.status(), 303, "bookmarking {work}");
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/bookmarks/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("bookmark id")
}
