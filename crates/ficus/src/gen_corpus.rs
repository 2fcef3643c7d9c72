//! `ficus gen-corpus`: writes a deterministic synthetic archive (works,
//! tags, wrangling) into the database through the bulk path, then builds
//! the search index.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use ficus_gen::{CorpusGen, GenOptions};
use ficus_store::Store;
use ficus_store::works::BulkExtras;
use indicatif::{ProgressBar, ProgressStyle};

/// Works stored per transaction.
const BATCH: usize = 2_000;

/// Generates `works` works with `seed` into `store`, wrangles their tags and
/// builds the index in `index_dir`.
pub fn run(
    store: &Store,
    index_dir: &Path,
    works: usize,
    seed: u64,
    full_bodies: bool,
) -> anyhow::Result<()> {
    if store.count_works()? > 0 {
        bail!("the archive already has works; gen-corpus writes into an empty data directory");
    }
    let mut opts = GenOptions::archive(seed, full_bodies);
    opts.creators = (works / 5).max(100);
    let started = Instant::now();
    let mut corpus = CorpusGen::new(opts);
    let bar = bar(works as u64, "works");
    let mut words: u64 = 0;
    let mut batch = Vec::with_capacity(BATCH);
    for _ in 0..works {
        let g = corpus.next_work();
        words += g.nominal_words;
        let extras = BulkExtras {
            word_count: (!full_bodies).then_some(g.nominal_words as i64),
            stats: ficus_store::WorkStats {
                kudos: g.stats.kudos as i64,
                hits: g.stats.hits as i64,
                comments: g.stats.comments as i64,
                bookmarks: g.stats.bookmarks as i64,
            },
        };
        batch.push((g.work, extras));
        if batch.len() == BATCH {
            store.insert_works_bulk(&batch).context("storing works")?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.insert_works_bulk(&batch).context("storing works")?;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let load_secs = started.elapsed().as_secs_f64();
    println!(
        "stored {works} works ({words} words) in {load_secs:.1} s ({:.0} works/s)",
        works as f64 / load_secs.max(1e-9)
    );
    let started = Instant::now();
    let (applied, skipped) = store
        .wrangle_bulk(&corpus.wrangling())
        .context("wrangling tags")?;
    println!(
        "wrangled {applied} facts ({skipped} skipped) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.refresh_statistics()?;
    crate::reindex::run(store, index_dir, full_bodies)?;
    Ok(())
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what}  {{per_sec}}  eta {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
