//! `ficus export`: works as EPUB, HTML or TXT files in a directory, in
//! bulk, with a progress bar. Uses the same writers as the downloads.

use std::path::Path;

use anyhow::{Context, bail};
use ficus_core::access::Viewer;
use ficus_export::Format;
use ficus_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

/// Exports `ids` (or every posted, visible work with `all`) into `out`.
/// Drafts and hidden works are skipped (the archive itself may read them,
/// but exporting is publishing).
pub fn run(
    store: &Store,
    format: Format,
    out: &Path,
    ids: &[i64],
    all: bool,
) -> anyhow::Result<()> {
    if ids.is_empty() && !all {
        bail!("name the works to export (ids) or pass --all");
    }
    let ids: Vec<i64> = if all {
        let mut v = Vec::new();
        let mut after = 0;
        loop {
            let batch = store.indexable_work_ids(after, 10_000)?;
            let Some(&last) = batch.last() else { break };
            after = last;
            v.extend(batch);
        }
        v
    } else {
        ids.to_vec()
    };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let bar = ProgressBar::new(ids.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} works  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut written, mut missing) = (0, 0);
    for id in ids {
        bar.inc(1);
        let Some((work, export)) = ficus_app::export::exportable(store, id, Viewer::System)? else {
            bar.println(format!("work {id}: no such work"));
            missing += 1;
            continue;
        };
        if !work.posted || work.hidden {
            bar.println(format!("work {id}: a draft or hidden; skipped"));
            missing += 1;
            continue;
        }
        let bytes = format
            .write(&export)
            .with_context(|| format!("writing work {id}"))?;
        let name = format!("{}-{}.{}", id, export.slug(), format.extension());
        std::fs::write(out.join(&name), bytes).with_context(|| format!("writing {name}"))?;
        written += 1;
    }
    bar.finish_and_clear();
    println!(
        "exported {written} works to {} ({missing} skipped)",
        out.display()
    );
    Ok(())
}
