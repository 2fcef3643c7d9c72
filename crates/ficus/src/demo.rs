//! `serve --demo`: sample works for a first look at an empty archive.

use anyhow::Context;
use ficus_gen::{CorpusGen, GenOptions};
use ficus_store::Store;

/// Fills an empty archive with `n` generated works; leaves a non-empty one alone.
pub fn fill_if_empty(store: &Store, n: usize) -> anyhow::Result<()> {
    if store.count_works()? > 0 {
        eprintln!("The archive already has works; --demo adds nothing.");
        return Ok(());
    }
    eprintln!("Generating {n} sample works for the demo…");
    let mut corpus = CorpusGen::new(GenOptions::demo(42));
    for _ in 0..n {
        let generated = corpus.next_work();
        store
            .insert_work(&generated.work)
            .with_context(|| format!("storing sample work {:?}", generated.work.title))?;
    }
    store.refresh_statistics()?;
    eprintln!("Added {n} sample works.");
    Ok(())
}
