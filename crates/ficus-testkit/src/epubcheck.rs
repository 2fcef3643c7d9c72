//! Checking EPUB files with epubcheck (Debian `epubcheck`, run with
//! `java -jar`): a file passes when epubcheck exits successfully and
//! reports no errors and no warnings. Missing epubcheck is a loud skip, or
//! a failure under `FICUS_REQUIRE_EPUBCHECK=1` (see [`Tool::Epubcheck`]).
//!
//! ```no_run
//! # let epub_bytes: Vec<u8> = Vec::new();
//! if let Some(epubcheck) = ficus_testkit::epubcheck::Epubcheck::find() {
//!     epubcheck.check_bytes("the sample work", &epub_bytes);
//! }
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Tool;

/// Where Debian's `epubcheck` package puts the program.
pub const JAR: &str = "/usr/share/java/epubcheck.jar";

/// An installed epubcheck.
#[derive(Debug, Clone)]
pub struct Epubcheck {
    jar: PathBuf,
}

impl Epubcheck {
    /// epubcheck, or `None` after [`Tool::Epubcheck`]'s skip rule (a loud
    /// `SKIPPED` line, or a panic when `FICUS_REQUIRE_EPUBCHECK=1`). Call
    /// it once per test: each `None` prints the line again.
    pub fn find() -> Option<Epubcheck> {
        Tool::Epubcheck.require(|| {
            let jar = PathBuf::from(JAR);
            if jar.is_file() {
                Ok(Epubcheck { jar })
            } else {
                Err(format!("{JAR} is missing"))
            }
        })
    }

    /// The jar file run with `java -jar`.
    pub fn jar(&self) -> &Path {
        &self.jar
    }

    /// Runs epubcheck on `file`; panics with its report unless it passes
    /// with no errors and no warnings.
    pub fn check_file(&self, file: &Path) {
        self.check(file, &file.display().to_string());
    }

    /// Writes `bytes` to a temporary file and checks it as
    /// [`Epubcheck::check_file`] does; `label` names the EPUB in the
    /// failure message.
    pub fn check_bytes(&self, label: &str, bytes: &[u8]) {
        let dir = crate::temp_dir();
        let file = dir.path().join("check.epub");
        std::fs::write(&file, bytes).expect("write the EPUB to check");
        self.check(&file, label);
    }

    fn check(&self, file: &Path, label: &str) {
        let output = Command::new("java")
            .arg("-jar")
            .arg(&self.jar)
            .arg(file)
            .output()
            .expect("run epubcheck");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success() && report.contains("No errors or warnings detected"),
            "epubcheck on {label}:\n{report}"
        );
    }
}

/// Checks the EPUB `file` when epubcheck is installed (skipping loudly, or
/// failing when required, when it is not): for a test whose only use of
/// epubcheck is this one file.
pub fn check_file(file: &Path) {
    if let Some(epubcheck) = Epubcheck::find() {
        epubcheck.check_file(file);
    }
}

/// [`check_file`] for bytes in memory; `label` names them in messages.
pub fn check_bytes(label: &str, bytes: &[u8]) {
    if let Some(epubcheck) = Epubcheck::find() {
        epubcheck.check_bytes(label, bytes);
    }
}
