//! Shared test support for every Ficus crate: fixture files, temporary
//! databases (SQLite files in temp directories, fresh PostgreSQL databases),
//! outside tools, a [`NewWork`](ficus_core::NewWork) builder and server
//! processes.
//!
//! - [`Tool`] ([`tools`]): the one skip-or-fail rule for outside programs
//!   and services. When one is missing a test prints a loud `SKIPPED`
//!   line; with its `FICUS_REQUIRE_*` variable set to `1` (CI sets them
//!   all) it fails instead.
//! - [`epubcheck`]: running epubcheck on an EPUB and asserting it passes.
//! - [`pdf`]: reading PDFs back with poppler.
//! - [`work`] ([`new_work`]): a chainable `NewWork` builder, with [`tag`],
//!   [`chapter`] and [`day`].
//! - [`ServerProcess`]: a real `ficus serve` on a free port; [`Shared`]
//!   shares one read-only setup among the tests running at the same time.
//!
//! PostgreSQL tests use `FICUS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When no server answers they
//! print a loud SKIPPED line; with `FICUS_REQUIRE_POSTGRES=1` (set by CI) they
//! fail instead.

pub mod epubcheck;
pub mod new_work;
pub mod pdf;
pub mod shared;
pub mod tools;

pub use new_work::{WorkBuilder, chapter, day, tag, work};
pub use shared::Shared;
pub use tools::{Tool, find_program};

use std::path::PathBuf;

/// Path of a file under `crates/ficus-testkit/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// Bytes of a fixture file.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixture(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// The server URL PostgreSQL tests connect to (without a database name).
pub fn postgres_server_url() -> String {
    std::env::var("FICUS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// Whether CI demands PostgreSQL tests run instead of skipping.
pub fn postgres_required() -> bool {
    Tool::Postgres.required()
}

/// A unique, lowercase database name for one test.
pub fn unique_db_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// Reports a skipped PostgreSQL test loudly, or panics when CI requires it
/// ([`Tool::Postgres`]'s rule).
pub fn skip_postgres(reason: &str) {
    Tool::Postgres.skip(reason);
}

/// A temporary directory that lives as long as the value.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ficus-test-")
        .tempdir()
        .expect("create temp dir")
}

/// A `ficus serve` child process on a free loopback port, killed on drop.
pub struct ServerProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl ServerProcess {
    /// Starts `cmd` (which must be a `serve --addr 127.0.0.1:0` command line)
    /// and waits for its `listening on http://…` line.
    // The child is waited for by `Drop` (or before the panic below).
    #[allow(clippy::zombie_processes)]
    pub fn start(mut cmd: std::process::Command) -> ServerProcess {
        use std::io::{BufRead, BufReader};
        cmd.stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("start ficus serve");
        let stdout = child.stdout.take().expect("server stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("read server output");
            if n == 0 {
                let status = child.wait().expect("server exit status");
                panic!("server exited before listening: {status}");
            }
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                let base = url.to_string();
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || {
                    let mut sink = String::new();
                    while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                        sink.clear();
                    }
                });
                return ServerProcess { child, base };
            }
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server as a service manager does (SIGTERM) and waits up
    /// to 30 s for it to finish what it holds; panics if it does not.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for server") {
                assert!(status.success(), "the server stopped with {status}");
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
