//! Checking PDFs with poppler's `pdfinfo` and `pdftotext` (Debian
//! `poppler-utils`): skipped loudly when missing, unless
//! `FICUS_REQUIRE_PDFTOOLS=1` makes that a failure (see
//! [`Tool::PdfTools`]).

use std::path::Path;
use std::process::Command;

use crate::Tool;

/// Whether poppler's pdfinfo and pdftotext can check the PDFs; when not,
/// [`Tool::PdfTools`]'s skip rule (a loud `SKIPPED` line, or a panic when
/// `FICUS_REQUIRE_PDFTOOLS=1`).
pub fn tools_present() -> bool {
    Tool::PdfTools.present(|| {
        let missing: Vec<String> = ["pdfinfo", "pdftotext"]
            .iter()
            .map(|tool| Path::new("/usr/bin").join(tool))
            .filter(|path| !path.is_file())
            .map(|path| path.display().to_string())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("{} is missing", missing.join(" and ")))
        }
    })
}

/// A poppler tool's standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut command = Command::new(Path::new("/usr/bin").join(tool));
    command.args(args).arg(pdf);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Extracted text without whitespace, words broken by hyphenation
/// joined again.
pub fn compact(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        let line = line
            .strip_suffix(['-', '\u{2010}', '\u{ad}'])
            .unwrap_or(line);
        out.extend(line.chars().filter(|c| !c.is_whitespace()));
    }
    out
}

/// The page count `pdfinfo` reads from a PDF file.
pub fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in\n{info}"))
}
