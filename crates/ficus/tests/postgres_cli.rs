//! The binary on PostgreSQL: `--database` selects it for import and serve.

use std::process::Command;

use ficus_store::Backend;
use ficus_store::testing::TestStore;
use ficus_testkit::{ServerProcess, fixture};
use serde_json::Value;

#[test]
fn import_and_serve_on_postgres() {
    let Some(db) = TestStore::postgres() else {
        return;
    };
    let Backend::Postgres(url) = db.backend.clone() else {
        panic!("postgres backend")
    };
    let out = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(["--database", &url, "import", "--json"])
        .arg(fixture("e2e/lighthouse.txt"))
        .env("FICUS_LOG", "warn")
        .output()
        .expect("run import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["status"], "imported");
    let id = line["work_id"].as_i64().expect("id");
    assert_eq!(
        db.count_works().expect("count"),
        1,
        "the work is in PostgreSQL"
    );

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ficus"));
    cmd.args(["--database", &url, "serve", "--addr", "127.0.0.1:0"])
        .env("FICUS_LOG", "warn");
    let server = ServerProcess::start(cmd);
    let api: Value = reqwest::blocking::get(server.url(&format!("/api/v1/works/{id}")))
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(api["title"], "The Lighthouse Keeper's Ledger");
    assert_eq!(api["word_count"], 49);
    drop(server);
}

#[test]
fn a_database_url_that_is_not_postgres_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(["--database", "mysql://x", "import", "nothing.txt"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be a postgres:// URL"));
}
