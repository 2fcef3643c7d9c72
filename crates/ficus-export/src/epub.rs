//! EPUB 3 with an EPUB 2 NCX, made to pass epubcheck 4 with no errors and
//! no warnings.
//!
//! The archive holds `mimetype` (first, stored), `META-INF/container.xml`
//! and, under `OEBPS/`, the package document, the NCX, the navigation
//! document, a stylesheet, a preface, one XHTML file per chapter and an
//! afterword when the work has end notes. Entries carry a fixed date, so
//! the same work always gives the same bytes.
//!
//! The documents' markup is the HTML file's ([`Markup`]), its stored HTML
//! re-serialized as XHTML by an [`XhtmlWriter`] per document.

use std::io::{Cursor, Write};

use ficus_core::html::text_of;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::html::{
    Markup, STYLESHEET, afterword, chapter_label, chapter_markup, display_title, language_tag,
    preface, present, source_url,
};
use super::xhtml::XhtmlWriter;
use super::xml::{xml_attr, xml_chars, xml_text};
use super::{ExportError, ExportWork};

/// The content of the `mimetype` entry.
const MIMETYPE: &str = "application/epub+zip";

/// `META-INF/container.xml`: where the package document is.
const CONTAINER: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"#;

/// Writes `work` as an EPUB file.
pub fn to_epub(work: &ExportWork) -> Result<Vec<u8>, ExportError> {
    let lang = work
        .language
        .as_deref()
        .map_or_else(|| "und".to_string(), language_tag);
    let documents = documents(work, &lang);
    let mut files: Vec<(String, String)> = Vec::with_capacity(documents.len() + 5);
    files.push(("META-INF/container.xml".into(), CONTAINER.into()));
    files.push(("OEBPS/content.opf".into(), package(work, &lang, &documents)));
    files.push(("OEBPS/toc.ncx".into(), ncx(work, &documents)));
    files.push(("OEBPS/nav.xhtml".into(), nav(work, &lang, &documents)));
    files.push(("OEBPS/style.css".into(), STYLESHEET.into()));
    for document in documents {
        files.push((format!("OEBPS/{}", document.href), document.xhtml));
    }
    write_zip(&files)
}

/// One XHTML content document of the spine.
struct Document {
    /// Manifest id.
    id: String,
    /// File name under `OEBPS/`.
    href: String,
    /// Its entry in the tables of contents.
    label: String,
    xhtml: String,
}

/// The spine's documents in reading order: preface, chapters, afterword.
fn documents(work: &ExportWork, lang: &str) -> Vec<Document> {
    let mut documents = Vec::with_capacity(work.chapters.len() + 2);

    let body = xhtml_body(&preface(work));
    documents.push(Document {
        id: "preface".into(),
        href: "preface.xhtml".into(),
        label: "Preface".into(),
        xhtml: xhtml_document(lang, display_title(work), &body),
    });

    for (index, chapter) in work.chapters.iter().enumerate() {
        let n = index + 1;
        let label = chapter_label(chapter);
        let body = xhtml_body(&chapter_markup(chapter, &label));
        documents.push(Document {
            id: format!("chapter-{n}"),
            href: format!("chapter-{n}.xhtml"),
            xhtml: xhtml_document(lang, &label, &body),
            label,
        });
    }

    if present(work.end_notes.as_deref()).is_some() {
        let body = xhtml_body(&afterword(work));
        documents.push(Document {
            id: "afterword".into(),
            href: "afterword.xhtml".into(),
            label: "Afterword".into(),
            xhtml: xhtml_document(lang, "End Notes", &body),
        });
    }
    documents
}

/// One document's markup with its stored HTML as XHTML: one writer for
/// all of the document's fragments, so that links between them (a
/// footnote mark in the text, the note in the end notes) resolve.
fn xhtml_body(markup: &Markup<'_>) -> String {
    let mut writer = XhtmlWriter::new(markup.stored());
    markup.render(|html: &str| writer.convert(html))
}

/// A complete XHTML content document around `body`.
fn xhtml_document(lang: &str, title: &str, body: &str) -> String {
    let mut title = xml_text(title.trim());
    if title.trim().is_empty() {
        title = "Untitled".into();
    }
    let lang = xml_attr(lang);
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html>\n");
    out.push_str(&format!(
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n"
    ));
    out.push_str(&format!(
        "<head>\n<title>{title}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n"
    ));
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    xml_chars(out)
}

/// The package's unique identifier (also the NCX's `dtb:uid`).
fn identifier(work: &ExportWork) -> String {
    format!("urn:ficus:work:{}", work.id)
}

/// The non-blank strings of `values`, trimmed.
fn non_blank(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `OEBPS/content.opf`: metadata, manifest, spine.
fn package(work: &ExportWork, lang: &str, documents: &[Document]) -> String {
    let mut meta = String::new();
    meta.push_str(&format!(
        "<dc:identifier id=\"book-id\">{}</dc:identifier>\n",
        xml_text(&identifier(work))
    ));
    meta.push_str(&format!(
        "<dc:title>{}</dc:title>\n",
        xml_text(display_title(work))
    ));
    for (index, creator) in non_blank(&work.creators).enumerate() {
        let id = format!("creator-{}", index + 1);
        meta.push_str(&format!(
            "<dc:creator id=\"{id}\">{}</dc:creator>\n<meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n",
            xml_text(creator)
        ));
    }
    meta.push_str(&format!("<dc:language>{}</dc:language>\n", xml_text(lang)));
    meta.push_str(&format!("<dc:date>{}</dc:date>\n", work.published));
    meta.push_str("<dc:publisher>Ficus</dc:publisher>\n");
    if let Some(url) = source_url(work) {
        meta.push_str(&format!("<dc:source>{}</dc:source>\n", xml_text(url)));
    }
    if let Some(summary) = present(work.summary.as_deref()) {
        let text = text_of(summary);
        if !text.is_empty() {
            meta.push_str(&format!(
                "<dc:description>{}</dc:description>\n",
                xml_text(&text)
            ));
        }
    }
    let subjects: [&[String]; 7] = [
        &work.fandoms,
        &work.relationships,
        &work.characters,
        &work.freeforms,
        std::slice::from_ref(&work.rating),
        &work.warnings,
        &work.categories,
    ];
    for subject in subjects.into_iter().flat_map(non_blank) {
        meta.push_str(&format!("<dc:subject>{}</dc:subject>\n", xml_text(subject)));
    }
    meta.push_str(&format!(
        "<meta property=\"dcterms:modified\">{}T00:00:00Z</meta>\n",
        work.updated
    ));
    let series = work
        .series
        .iter()
        .map(|(title, position)| (title.trim(), position))
        .filter(|(title, _)| !title.is_empty());
    for (index, (title, position)) in series.enumerate() {
        let id = format!("series-{}", index + 1);
        meta.push_str(&format!(
            "<meta property=\"belongs-to-collection\" id=\"{id}\">{}</meta>\n<meta refines=\"#{id}\" property=\"collection-type\">series</meta>\n<meta refines=\"#{id}\" property=\"group-position\">{position}</meta>\n",
            xml_text(title)
        ));
    }

    let mut manifest = String::from(
        "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n<item id=\"style\" href=\"style.css\" media-type=\"text/css\"/>\n",
    );
    let mut spine = String::new();
    for document in documents {
        manifest.push_str(&format!(
            "<item id=\"{}\" href=\"{}\" media-type=\"application/xhtml+xml\"/>\n",
            document.id, document.href
        ));
        spine.push_str(&format!("<itemref idref=\"{}\"/>\n", document.id));
    }

    xml_chars(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\" xml:lang=\"{}\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{meta}</metadata>\n<manifest>\n{manifest}</manifest>\n<spine toc=\"ncx\">\n{spine}</spine>\n</package>\n",
        xml_attr(lang)
    ))
}

/// `OEBPS/toc.ncx`: the EPUB 2 table of contents, for older readers.
fn ncx(work: &ExportWork, documents: &[Document]) -> String {
    let mut points = String::new();
    for (index, document) in documents.iter().enumerate() {
        let n = index + 1;
        points.push_str(&format!(
            "<navPoint id=\"navpoint-{n}\" playOrder=\"{n}\">\n<navLabel><text>{}</text></navLabel>\n<content src=\"{}\"/>\n</navPoint>\n",
            xml_text(&document.label),
            document.href
        ));
    }
    xml_chars(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"1\"/>\n<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        xml_attr(&identifier(work)),
        xml_text(display_title(work))
    ))
}

/// `OEBPS/nav.xhtml`: the EPUB 3 table of contents.
fn nav(work: &ExportWork, lang: &str, documents: &[Document]) -> String {
    let mut body = String::from("<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n");
    for document in documents {
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            document.href,
            xml_text(&document.label)
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    xhtml_document(lang, display_title(work), &body)
}

/// Zips the files after a stored `mimetype`, every entry dated
/// 2000-01-01.
fn write_zip(files: &[(String, String)]) -> Result<Vec<u8>, ExportError> {
    let time = DateTime::from_date_and_time(2000, 1, 1, 0, 0, 0).map_err(zip_error)?;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("mimetype", file_options(CompressionMethod::Stored, time))
        .map_err(zip_error)?;
    zip.write_all(MIMETYPE.as_bytes()).map_err(zip_error)?;
    for (name, content) in files {
        zip.start_file(
            name.as_str(),
            file_options(CompressionMethod::Deflated, time),
        )
        .map_err(zip_error)?;
        zip.write_all(content.as_bytes()).map_err(zip_error)?;
    }
    let cursor = zip.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

/// Deflate level: the fastest. Prose still shrinks to about 40%, and the
/// build is what a reader waits for.
const DEFLATE_LEVEL: i64 = 1;

fn file_options(method: CompressionMethod, time: DateTime) -> SimpleFileOptions {
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(time);
    if method == CompressionMethod::Deflated {
        options.compression_level(Some(DEFLATE_LEVEL))
    } else {
        options
    }
}

fn zip_error(error: impl std::fmt::Display) -> ExportError {
    ExportError::Zip(error.to_string())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::sample::{awkward, sample};
    use crate::xhtml::tests::assert_well_formed;

    /// The archive's entries, in order, with their text.
    fn entries(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        let mut entries = Vec::new();
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).expect("entry");
            let name = file.name().to_string();
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 entry");
            entries.push((name, text));
        }
        entries
    }

    fn entry<'a>(entries: &'a [(String, String)], name: &str) -> &'a str {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("{name} missing"))
    }

    #[test]
    fn the_archive_starts_with_the_stored_mimetype() {
        let bytes = to_epub(&sample()).expect("epub");
        assert!(bytes.starts_with(b"PK\x03\x04"));
        assert_eq!(&bytes[8..10], &[0u8, 0], "stored, not compressed");
        assert_eq!(u16::from_le_bytes([bytes[26], bytes[27]]), 8, "name length");
        assert_eq!(
            u16::from_le_bytes([bytes[28], bytes[29]]),
            0,
            "no extra field"
        );
        assert_eq!(&bytes[30..58], b"mimetypeapplication/epub+zip");
        let names: Vec<String> = entries(&bytes).into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "mimetype",
                "META-INF/container.xml",
                "OEBPS/content.opf",
                "OEBPS/toc.ncx",
                "OEBPS/nav.xhtml",
                "OEBPS/style.css",
                "OEBPS/preface.xhtml",
                "OEBPS/chapter-1.xhtml",
                "OEBPS/chapter-2.xhtml",
                "OEBPS/afterword.xhtml",
            ]
        );
        assert_eq!(to_epub(&sample()).expect("epub"), bytes, "deterministic");
    }

    #[test]
    fn the_package_and_documents_describe_the_work() {
        let files = entries(&to_epub(&sample()).expect("epub"));
        for (name, text) in &files {
            if name != "mimetype" && !name.ends_with(".css") {
                assert_well_formed(text);
            }
        }
        let opf = entry(&files, "OEBPS/content.opf");
        for part in [
            "version=\"3.0\" unique-identifier=\"book-id\"",
            "<dc:identifier id=\"book-id\">urn:ficus:work:42</dc:identifier>",
            "<dc:title>The Long Road Home</dc:title>",
            "<dc:creator id=\"creator-1\">ash_writes</dc:creator>",
            "<dc:creator id=\"creator-2\">Birch</dc:creator>",
            "<dc:language>en</dc:language>",
            "<dc:date>2024-01-02</dc:date>",
            "<meta property=\"dcterms:modified\">2024-02-03T00:00:00Z</meta>",
            "<dc:publisher>Ficus</dc:publisher>",
            "<dc:source>https://example.org/works/42</dc:source>",
            "<dc:description>Two friends &amp; a car.</dc:description>",
            "<dc:subject>Original Work</dc:subject>",
            "<dc:subject>Found Family &amp; Friends</dc:subject>",
            "<dc:subject>Teen And Up Audiences</dc:subject>",
            "<meta property=\"belongs-to-collection\" id=\"series-1\">Roads</meta>",
            "<meta refines=\"#series-1\" property=\"collection-type\">series</meta>",
            "<meta refines=\"#series-1\" property=\"group-position\">2</meta>",
            "href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"",
            "href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"",
            "<spine toc=\"ncx\">\n<itemref idref=\"preface\"/>\n<itemref idref=\"chapter-1\"/>\n<itemref idref=\"chapter-2\"/>\n<itemref idref=\"afterword\"/>\n</spine>",
        ] {
            assert!(opf.contains(part), "{part} in\n{opf}");
        }
        let ncx = entry(&files, "OEBPS/toc.ncx");
        assert!(ncx.contains("<meta name=\"dtb:uid\" content=\"urn:ficus:work:42\"/>"));
        assert!(ncx.contains("playOrder=\"4\"") && !ncx.contains("playOrder=\"5\""));
        let nav = entry(&files, "OEBPS/nav.xhtml");
        assert!(nav.contains("<nav epub:type=\"toc\" id=\"toc\">"));
        assert!(nav.contains("<li><a href=\"chapter-1.xhtml\">Chapter 1: Departure</a></li>"));
        assert!(nav.contains("<li><a href=\"chapter-2.xhtml\">Chapter 2</a></li>"));
        let preface = entry(&files, "OEBPS/preface.xhtml");
        assert!(preface.contains("xml:lang=\"en\" lang=\"en\""));
        assert!(preface.contains("<h1>The Long Road Home</h1>"));
        assert!(preface.contains("<dt>Fandom:</dt>\n<dd>Original Work</dd>"));
        let chapter = entry(&files, "OEBPS/chapter-1.xhtml");
        assert!(chapter.contains("<title>Chapter 1: Departure</title>"));
        assert!(chapter.contains("<h2 class=\"heading\">Chapter 1: Departure</h2>"));
        assert!(chapter.contains("<div class=\"userstuff\" dir=\"auto\">"));
        assert!(chapter.contains("<hr/>") && chapter.contains("&#160;"));
        assert!(chapter.contains("<a href=\"#a-n1\">1</a>"), "{chapter}");
        assert!(chapter.contains("<a id=\"a-n1\"></a>"), "{chapter}");
        assert!(chapter.contains("<p class=\"align-center\">Scene two.</p>"));
        let afterword = entry(&files, "OEBPS/afterword.xhtml");
        assert!(afterword.contains("End Notes") && afterword.contains("The end."));
    }

    #[test]
    fn a_work_without_end_notes_has_no_afterword() {
        let mut work = awkward();
        work.chapters[0].body = String::new();
        let files = entries(&to_epub(&work).expect("epub"));
        assert!(
            files
                .iter()
                .all(|(name, _)| name != "OEBPS/afterword.xhtml")
        );
        let opf = entry(&files, "OEBPS/content.opf");
        assert!(opf.contains("<dc:language>und</dc:language>"), "{opf}");
        assert!(!opf.contains("dc:creator") && !opf.contains("afterword"));
        let chapter = entry(&files, "OEBPS/chapter-1.xhtml");
        assert!(chapter.contains("<h2 class=\"heading\">Chapter 1</h2>"));
        assert_well_formed(chapter);
    }

    #[test]
    fn epubcheck_finds_no_errors_and_no_warnings() {
        let Some(epubcheck) = ficus_testkit::epubcheck::Epubcheck::find() else {
            return;
        };
        for (name, work) in [("sample", sample()), ("awkward", awkward())] {
            epubcheck.check_bytes(&format!("the {name} work"), &to_epub(&work).expect("epub"));
        }
    }
}
