//! Outside programs and services some tests need (PostgreSQL, epubcheck,
//! poppler, schemathesis, a browser), and the one rule for them: when one
//! is missing the test prints a loud `SKIPPED (...)` line and skips what
//! needs it, unless the tool's `FICUS_REQUIRE_*` variable is `1` (CI sets
//! them all), which makes the absence a failure.
//!
//! ```no_run
//! use ficus_testkit::Tool;
//!
//! /// The command, or why there is none.
//! fn schemathesis() -> Result<String, String> {
//!     Err("schemathesis is not on PATH".to_string())
//! }
//!
//! let Some(command) = Tool::Schemathesis.require(schemathesis) else {
//!     return; // skipped, loudly (or failed, under FICUS_REQUIRE_SCHEMATHESIS=1)
//! };
//! println!("running {command}");
//! ```

use std::io::Write;
use std::path::PathBuf;

/// An outside program or service a test may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// A PostgreSQL server at [`crate::postgres_server_url`].
    Postgres,
    /// Debian's `epubcheck` (`/usr/share/java/epubcheck.jar`, run with
    /// `java`); see [`crate::epubcheck`].
    Epubcheck,
    /// poppler's `pdfinfo` and `pdftotext` in `/usr/bin`; see [`crate::pdf`].
    PdfTools,
    /// The `schemathesis` command.
    Schemathesis,
    /// Debian's `chromium` and `chromedriver`.
    Browser,
    /// A Python with the readers' AO3 clients installed (`ao3-api`): the
    /// virtualenv `FICUS_AO3_CLIENTS_VENV` (default
    /// `target/ao3-clients-venv`), which `.ci/run` creates.
    Ao3Clients,
}

impl Tool {
    /// The variable that turns a skip into a failure (CI sets it to `1`).
    pub fn env(self) -> &'static str {
        match self {
            Tool::Postgres => "FICUS_REQUIRE_POSTGRES",
            Tool::Epubcheck => "FICUS_REQUIRE_EPUBCHECK",
            Tool::PdfTools => "FICUS_REQUIRE_PDFTOOLS",
            Tool::Schemathesis => "FICUS_REQUIRE_SCHEMATHESIS",
            Tool::Browser => "FICUS_REQUIRE_BROWSER",
            Tool::Ao3Clients => "FICUS_REQUIRE_AO3_CLIENTS",
        }
    }

    /// What the tool is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Postgres => "PostgreSQL",
            Tool::Epubcheck => "epubcheck",
            Tool::PdfTools => "pdfinfo and pdftotext",
            Tool::Schemathesis => "schemathesis",
            Tool::Browser => "chromium and chromedriver",
            Tool::Ao3Clients => "the AO3 client programs (ao3-api)",
        }
    }

    /// How to get it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Postgres => "set FICUS_TEST_POSTGRES_URL or start PostgreSQL",
            Tool::Epubcheck => "apt-get install epubcheck",
            Tool::PdfTools => "apt-get install poppler-utils",
            Tool::Schemathesis => "pip install schemathesis",
            Tool::Browser => "install Debian's chromium and chromium-driver",
            Tool::Ao3Clients => {
                "python3 -m venv target/ao3-clients-venv && target/ao3-clients-venv/bin/pip install ao3-api"
            }
        }
    }

    /// Whether its absence is a failure: the variable is `1` (for
    /// PostgreSQL, which always accepted it, `true` too).
    pub fn required(self) -> bool {
        std::env::var(self.env()).is_ok_and(|v| v == "1" || (self == Tool::Postgres && v == "true"))
    }

    /// The tool is missing for `reason`: panics when it is
    /// [required](Tool::required), or prints one loud `SKIPPED (...)` line
    /// to the real standard error (not through `eprintln!`, which the test
    /// harness captures) and returns, so the caller skips.
    pub fn skip(self, reason: &str) {
        if self.required() {
            panic!(
                "{} is set, so this test needs {}, but {reason} ({})",
                self.env(),
                self.name(),
                self.install_hint()
            );
        }
        let test = std::thread::current()
            .name()
            .filter(|name| *name != "main")
            .map(|name| format!(" in {name}"))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED (needs {}){test}: {reason}; {}; {}=1 makes this a failure\n",
            self.name(),
            self.install_hint(),
            self.env()
        );
    }

    /// Runs `present`, which finds the tool (its path, command, connection,
    /// …) or says why not. `Some` when found; otherwise [`Tool::skip`]
    /// (a panic when required) and `None`.
    pub fn require<T>(self, present: impl FnOnce() -> Result<T, String>) -> Option<T> {
        match present() {
            Ok(found) => Some(found),
            Err(reason) => {
                self.skip(&reason);
                None
            }
        }
    }

    /// [`Tool::require`] for a check that finds nothing but presence.
    pub fn present(self, present: impl FnOnce() -> Result<(), String>) -> bool {
        self.require(present).is_some()
    }
}

/// The first of `candidates` (program names) found as a file in a `PATH`
/// directory, like `which`.
pub fn find_program(candidates: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    candidates
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}
