//! "Is this visitor one of the work's creators?" — the check every page
//! and API request that changes a work starts with.

use ficus_store::{ChapterChoice, Reading};

use crate::AppState;
use crate::error::WebError;
use crate::session::Visitor;

/// The work (with its first chapter's text) if `visitor` is one of its
/// creators: 404 when they cannot see it at all, 403 when they can but it
/// is not theirs.
pub(crate) async fn owned_work(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Reading, WebError> {
    let viewer = visitor.viewer();
    let reading = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::First))
        .await?
        .ok_or_else(|| {
            WebError::NotFound("This work does not exist, or is not visible to you.".into())
        })?;
    if !viewer.owns(&reading.work.access()) {
        return Err(WebError::Forbidden(
            "Only the work's creators can change it.".into(),
        ));
    }
    Ok(reading)
}
