//! The [`World`] typst compiles in: the standard library, the fonts, the
//! template as the main file and the work's JSON — and no other file, so a
//! template cannot read the disk. Its date is the work's update date.

use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

use crate::ExportError;

/// The typst template: the main source file, holding no user text.
const TEMPLATE: &str = include_str!("pdf.typ");

/// The template's path in the virtual file system.
const MAIN_PATH: &str = "/main.typ";

/// The work's data, the only file the template may load.
const DATA_PATH: &str = "/work.json";

/// The standard library, built once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// typst's embedded fonts, then the system's: scanned once per process.
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut fonts = FontStore::new();
    fonts.extend(typst_kit::fonts::embedded());
    fonts.extend(typst_kit::fonts::system());
    fonts
});

/// A date as typst's datetime (midnight, for the PDF's creation date).
pub(super) fn datetime_of(date: NaiveDate) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        date.year(),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
        0,
        0,
        0,
    )
}

/// The file id of a path in the project root.
fn file_id(path: &str) -> Result<FileId, ExportError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ExportError::Typeset(format!("bad virtual path {path}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// What the compiler sees: the standard library, the fonts, the template
/// as the main file and the work's JSON — and no other file.
pub(super) struct PdfWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Option<Datetime>,
}

impl PdfWorld {
    pub(super) fn new(data: Vec<u8>, updated: NaiveDate) -> Result<PdfWorld, ExportError> {
        let main_id = file_id(MAIN_PATH)?;
        Ok(PdfWorld {
            main: Source::new(main_id, TEMPLATE.to_string()),
            data_id: file_id(DATA_PATH)?,
            data: Bytes::new(data),
            today: Datetime::from_ymd(
                updated.year(),
                u8::try_from(updated.month()).unwrap_or(1),
                u8::try_from(updated.day()).unwrap_or(1),
            ),
        })
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(PathBuf::from(id.vpath().get_with_slash()))
    }
}

impl World for PdfWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        FONTS.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_serves_the_template_and_the_data_only() {
        let day = NaiveDate::from_ymd_opt(2024, 2, 3).expect("date");
        let world = PdfWorld::new(b"{}".to_vec(), day).expect("world");
        let data = file_id(DATA_PATH).expect("id");
        assert_eq!(world.file(data).expect("data").as_slice(), b"{}");
        assert_eq!(world.source(world.main()).expect("main").text(), TEMPLATE);
        for path in [
            "/etc/passwd",
            "/work.typ",
            "/pdf.typ",
            "/data/work.json",
            "/",
        ] {
            let id = file_id(path).expect("id");
            assert!(
                matches!(world.file(id), Err(FileError::NotFound(_))),
                "{path}"
            );
            assert!(
                matches!(world.source(id), Err(FileError::NotFound(_))),
                "{path}"
            );
        }
        assert_eq!(world.today(None), Datetime::from_ymd(2024, 2, 3));
    }
}
