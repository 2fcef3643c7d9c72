//! Why a file could not be imported.

use ficus_core::work::WorkError;

/// Why a file could not be imported. Every message is one line that says
/// what is wrong with the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file's extension is not one the importer reads (lowercased,
    /// without the dot; empty when the file has none).
    #[error("{}", unsupported_message(.0))]
    UnsupportedExtension(String),
    /// The file holds nothing, or only whitespace.
    #[error("the file is empty")]
    Empty,
    /// The file holds NUL bytes or many control characters: not text.
    #[error("the file looks binary (NUL bytes or control characters), not like text")]
    Binary,
    /// The file or its text is larger than the per-chapter limit.
    #[error("the text is {bytes} bytes long; the limit is {limit} bytes per chapter")]
    TooLarge { bytes: usize, limit: usize },
    /// Nothing is left once the header and markup are taken away.
    #[error("the file has a header but no story text")]
    NoText,
    /// An EPUB that is damaged, hostile (a zip bomb, paths outside the
    /// archive) or not well-formed.
    #[error("{0}")]
    Malformed(String),
    /// What was read does not make a valid work.
    #[error("the imported work is not valid: {0}")]
    Invalid(#[from] WorkError),
}

fn unsupported_message(ext: &str) -> String {
    if ext.is_empty() {
        "files without an extension are not imported (use .txt, .text, .html, .htm or .epub)"
            .to_string()
    } else {
        format!("cannot import .{ext} files (use .txt, .text, .html, .htm or .epub)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_single_lines() {
        let errors = [
            ImportError::UnsupportedExtension("pdf".into()),
            ImportError::UnsupportedExtension(String::new()),
            ImportError::Empty,
            ImportError::Binary,
            ImportError::TooLarge {
                bytes: 10,
                limit: 5,
            },
            ImportError::NoText,
            ImportError::Invalid(WorkError::MissingTitle),
        ];
        for e in errors {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
        }
        assert_eq!(
            ImportError::UnsupportedExtension("pdf".into()).to_string(),
            "cannot import .pdf files (use .txt, .text, .html, .htm or .epub)"
        );
    }
}
