//! `ficus reindex`: rebuild the search index from the database.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use ficus_search::{Indexer, SearchIndex};
use ficus_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

/// Rebuilds the index in `dir`, with a progress bar; prints the rate.
pub fn run(store: &Store, dir: &Path, bodies: bool) -> anyhow::Result<()> {
    let index = SearchIndex::open_with_heap(dir, 512 * 1024 * 1024)
        .with_context(|| format!("opening the search index in {}", dir.display()))?;
    let node = ficus_search::consumer_name(dir)?;
    let mut indexer = Indexer::new(&index, store, &node);
    indexer.bodies = bodies;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} works  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let n = indexer
        .rebuild(|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .context("rebuilding the search index")?;
    bar.finish_and_clear();
    indexer
        .catch_up()
        .context("applying changes made during the rebuild")?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexed {n} works in {secs:.1} s ({:.0} works/s) into {}",
        n as f64 / secs.max(1e-9),
        dir.display()
    );
    Ok(())
}
