//! EPUB files as AO3 and Ficus write them: the package's spine in order
//! (a preface with `#preface`, chapter documents, an afterword) is read
//! into one HTML document and handed to the download importer, so both
//! formats share one reading of the metadata.
//!
//! Guards, before anything is parsed: at most [`MAX_ENTRIES`] entries,
//! [`MAX_TOTAL_BYTES`] uncompressed in all and a compression ratio of at
//! most [`MAX_RATIO`] per entry (zip bombs), entry names and spine paths
//! that stay inside the archive (path traversal), and well-formed XML for
//! the container and the package. Nothing is extracted to disk.

use std::io::Read;

use scraper::Html;

use crate::ImportError;
use crate::download_import::{self, Download};

/// Most entries an EPUB may hold.
pub const MAX_ENTRIES: usize = 5_000;
/// Most bytes all entries may expand to.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Highest compression ratio of one entry (text deflates ~5×; bombs 1000×).
pub const MAX_RATIO: u64 = 100;

fn bad(why: impl Into<String>) -> ImportError {
    ImportError::Malformed(why.into())
}

/// Checks the archive against the guards.
fn check_archive<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(), ImportError> {
    if zip.len() > MAX_ENTRIES {
        return Err(bad(format!(
            "the EPUB has {} entries (at most {MAX_ENTRIES})",
            zip.len()
        )));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| bad(format!("the EPUB's zip is damaged: {e}")))?;
        let name = entry.name().to_string();
        if name.starts_with('/') || name.contains('\\') || name.split('/').any(|p| p == "..") {
            return Err(bad(format!(
                "the EPUB holds a path outside itself: {name:?}"
            )));
        }
        total = total.saturating_add(entry.size());
        if total > MAX_TOTAL_BYTES {
            return Err(bad(format!(
                "the EPUB expands to more than {MAX_TOTAL_BYTES} bytes"
            )));
        }
        if entry.size() > 1024 * 1024 && entry.size() / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(bad(format!(
                "the EPUB entry {name:?} is compressed suspiciously well (a zip bomb?)"
            )));
        }
    }
    Ok(())
}

/// Reads one entry as UTF-8, never more than its declared size allows.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<String, ImportError> {
    let entry = zip
        .by_name(name)
        .map_err(|_| bad(format!("the EPUB lacks {name:?}")))?;
    let limit = entry.size().min(MAX_TOTAL_BYTES);
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("cannot read {name:?} in the EPUB: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(bad(format!("{name:?} is larger than the EPUB says")));
    }
    String::from_utf8(bytes).map_err(|_| bad(format!("{name:?} in the EPUB is not UTF-8")))
}

/// Joins `href` (relative to the package's folder) into an entry name,
/// refusing anything that climbs out of the archive.
fn resolve(base: &str, href: &str) -> Result<String, ImportError> {
    let href = href.split('#').next().unwrap_or("");
    let decoded = percent_decode(href);
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in decoded.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(bad(format!(
                        "the EPUB's package points outside it: {href:?}"
                    )));
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The package document's path, from `META-INF/container.xml`.
fn package_path(container: &str) -> Result<String, ImportError> {
    let doc = roxmltree::Document::parse(container).map_err(|e| {
        bad(format!(
            "the EPUB's container.xml is not well-formed XML: {e}"
        ))
    })?;
    doc.descendants()
        .find(|n| n.has_tag_name("rootfile"))
        .and_then(|n| n.attribute("full-path"))
        .map(str::to_string)
        .ok_or_else(|| bad("the EPUB's container.xml names no package"))
}

/// The spine's documents, in reading order, as entry names.
fn spine(package: &str, package_path: &str) -> Result<Vec<String>, ImportError> {
    let doc = roxmltree::Document::parse(package)
        .map_err(|e| bad(format!("the EPUB's package is not well-formed XML: {e}")))?;
    let base = package_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let manifest: std::collections::HashMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .filter_map(|n| Some((n.attribute("id")?, n.attribute("href")?)))
        .collect();
    let mut out = Vec::new();
    for itemref in doc.descendants().filter(|n| n.has_tag_name("itemref")) {
        let Some(idref) = itemref.attribute("idref") else {
            continue;
        };
        let Some(href) = manifest.get(idref) else {
            return Err(bad(format!(
                "the EPUB's spine names {idref:?}, which its manifest lacks"
            )));
        };
        out.push(resolve(base, href)?);
    }
    if out.is_empty() {
        return Err(bad("the EPUB's spine is empty"));
    }
    Ok(out)
}

/// The inner HTML of `<body>` of an XHTML document.
fn body_of(xhtml: &str) -> String {
    let doc = Html::parse_document(xhtml);
    let sel = scraper::Selector::parse("body").expect("body selector is valid");
    doc.select(&sel)
        .next()
        .map(|b| b.inner_html())
        .unwrap_or_default()
}

/// Reads an EPUB's bytes into a download (see [`download_import`]).
pub(crate) fn parse_epub(bytes: &[u8]) -> Result<Download, ImportError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not an EPUB (zip) file: {e}")))?;
    check_archive(&mut zip)?;
    let container = read_entry(&mut zip, "META-INF/container.xml")?;
    let package_path = package_path(&container)?;
    let package = read_entry(&mut zip, &package_path)?;
    let documents = spine(&package, &package_path)?;
    let (mut preface, mut chapters, mut afterword) = (String::new(), String::new(), String::new());
    for name in documents {
        if !(name.ends_with(".xhtml") || name.ends_with(".html") || name.ends_with(".htm")) {
            continue;
        }
        let body = body_of(&read_entry(&mut zip, &name)?);
        if body.contains("id=\"preface\"") {
            preface.push_str(&body);
        } else if body.contains("id=\"afterword\"") {
            afterword.push_str(&body);
        } else if !body.contains("epub:type=\"toc\"") && !name.ends_with("nav.xhtml") {
            chapters.push_str(&body);
            chapters.push('\n');
        }
    }
    let html = format!(
        "<!DOCTYPE html><html><body>{preface}<div id=\"chapters\">{chapters}</div>{afterword}</body></html>"
    );
    let doc = Html::parse_document(&html);
    download_import::parse_download(&doc).unwrap_or_else(|| {
        Err(bad(
            "the EPUB has no preface (#preface) to read the work from",
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn epub(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, bytes) in entries {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    fn message(bytes: &[u8]) -> String {
        match parse_epub(bytes) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        }
    }

    const CONTAINER: &[u8] = br#"<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

    #[test]
    fn zip_bombs_are_refused() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bytes = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/big.xhtml", &zeros),
        ]);
        assert!(message(&bytes).contains("zip bomb"), "{}", message(&bytes));
    }

    #[test]
    fn paths_outside_the_archive_are_refused() {
        let bytes = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("../evil.xhtml", b"x"),
        ]);
        assert!(message(&bytes).contains("outside"));
        let opf = br#"<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="a" href="../../etc/passwd" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="a"/></spine></package>"#;
        let bytes = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf),
        ]);
        assert!(message(&bytes).contains("outside"), "{}", message(&bytes));
    }

    #[test]
    fn malformed_xml_and_non_zips_are_clear_errors() {
        let bytes = epub(&[("META-INF/container.xml", b"<container><rootfiles>")]);
        assert!(message(&bytes).contains("not well-formed XML"));
        assert!(message(b"not a zip at all").contains("not an EPUB"));
        let bytes = epub(&[("mimetype", b"application/epub+zip")]);
        assert!(message(&bytes).contains("container.xml"));
    }
}
