//! `GET /downloads/{id}/{Slug}.{ext}`: a work as EPUB, PDF, HTML or TXT.
//!
//! Files are built on first request and cached on disk under the work's
//! id and change time, so a stale file is never served (an edit changes
//! the name). Concurrent requests for the same file wait for one build.
//! Access is checked before the cache is looked at: the same rule as the
//! work page (drafts and hidden works 404, restricted ones send guests to
//! log in).

use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ficus_export::Format;
use ficus_store::{ChapterChoice, ChapterRecord, WorkRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params;
use crate::session::Visitor;

/// Longest a build may take before the reader gets a 503.
const BUILD_BUDGET: Duration = Duration::from_secs(60);
/// Largest file served (a 500,000-word work is well under this).
const SIZE_BUDGET: usize = 256 * 1024 * 1024;

/// One lock per file being built, so concurrent requests build it once.
static BUILDING: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The cache file of a work's export: by work, change time and series
/// (a series can change without the work row changing).
fn cache_path(dir: &FsPath, work: &WorkRecord, format: Format) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in &work.series {
        (p.series_id, &p.title, p.position).hash(&mut h);
    }
    dir.join(format!(
        "{}-{}-{:016x}.{}",
        work.id,
        work.changed_at,
        h.finish(),
        format.extension()
    ))
}

/// Builds (or reuses) the file and returns its bytes.
pub async fn cached_file(
    dir: PathBuf,
    work: WorkRecord,
    chapters: Vec<ChapterRecord>,
    format: Format,
) -> Result<Vec<u8>, WebError> {
    let path = cache_path(&dir, &work, format);
    if let Ok(bytes) = tokio::fs::read(&path).await {
        return Ok(bytes);
    }
    let key = path.display().to_string();
    let gate = {
        let mut building = BUILDING
            .lock()
            .map_err(|_| WebError::Unavailable("The download builder is restarting.".into()))?;
        building.entry(key.clone()).or_default().clone()
    };
    let _turn = gate.lock().await;
    if let Ok(bytes) = tokio::fs::read(&path).await {
        return Ok(bytes);
    }
    let build = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let bytes = format
            .write(&ficus_app::export::to_export(&work, &chapters))
            .map_err(|e| e.to_string())?;
        if bytes.len() > SIZE_BUDGET {
            return Err("the file would be too large".into());
        }
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // Older files of this work and format are stale now.
        let prefix = format!("{}-", work.id);
        let suffix = format!(".{}", format.extension());
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with(&prefix) && name.ends_with(&suffix) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let tmp = path.with_extension(format!("{}.part{}", format.extension(), std::process::id()));
        std::fs::write(&tmp, &bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
        Ok(bytes)
    });
    let result = tokio::time::timeout(BUILD_BUDGET, build).await;
    if let Ok(mut building) = BUILDING.lock() {
        building.remove(&key);
    }
    match result {
        Err(_) => Err(WebError::Unavailable(
            "Building this download took too long; please try again later.".into(),
        )),
        Ok(joined) => joined?.map_err(|e| {
            tracing::error!(error = %e, "building a download failed");
            WebError::Unavailable(
                "This download could not be built; please try again later.".into(),
            )
        }),
    }
}

/// `GET /downloads/{id}/{file}`.
pub async fn download(
    State(st): State<AppState>,
    mut visitor: Visitor,
    headers: axum::http::HeaderMap,
    crate::origin::ClientIp(ip): crate::origin::ClientIp,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    // E-reader apps (OPDS) authenticate with HTTP Basic instead of a session.
    if visitor.user.is_none() && headers.contains_key(header::AUTHORIZATION) {
        let store = st.store.clone();
        let h = headers.clone();
        let user = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
            match super::opds::basic_viewer(&store, &h, &ip)? {
                Some(ficus_core::access::Viewer::User { id, .. }) => {
                    Ok(store.user(id)?.map(|(user, _)| user))
                }
                _ => Ok(None),
            }
        })
        .await??;
        visitor.user = user;
    }
    let Some((_, ext)) = file.rsplit_once('.') else {
        return Err(WebError::NotFound(
            "Downloads end in .epub, .pdf, .html or .txt.".into(),
        ));
    };
    let Some(format) = Format::from_extension(ext) else {
        return Err(WebError::NotFound(format!(
            "There is no {ext:?} download; the formats are EPUB, PDF, HTML and TXT."
        )));
    };
    let path = format!("/downloads/{id}/{file}");
    let reading = match super::works::load(&st, &visitor, id, ChapterChoice::All, &path).await? {
        Ok(reading) => reading,
        Err(login) => return Ok(login),
    };
    let name = format!(
        "{}.{}",
        ficus_export::slug(&reading.work.title),
        format.extension()
    );
    let bytes = cached_file(
        st.downloads_dir.clone(),
        reading.work,
        reading.texts,
        format,
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, max-age=0".to_string()),
        ],
        bytes,
    )
        .into_response())
}
