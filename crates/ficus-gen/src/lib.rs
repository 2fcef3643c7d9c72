//! Deterministic synthetic fan works, for the demo archive, benchmarks,
//! tests and archive-scale load tests. The same options (seed included)
//! always give the same corpus.
//!
//! - [`vocab`]: an English-like Zipfian vocabulary and sentence maker.
//! - [`corpus`]: works with AO3-like tag mixes and log-normal lengths,
//!   as [`ficus_core::NewWork`] or as plain-text files in the importer's
//!   layouts, with a nominal word count and reader statistics
//!   ([`WorkStats`]) each.
//!   - [`GenOptions::demo`] and [`GenOptions::benchmark`]: the classic
//!     profile ([`Profile::Classic`]), small tag sets, full prose.
//!   - [`GenOptions::archive`]: an AO3-scale archive
//!     ([`Profile::Archive`]): 10,000 Zipf-popular fandoms with their own
//!     characters and relationships, meta fandoms, 100,000 additional
//!     tags, AO3-like mixes of ratings, warnings, categories, chapters,
//!     completion, languages and crossovers, dates over 2011–2025.
//!     With [`Bodies::Short`] each chapter is one pooled paragraph, so a
//!     work costs a few microseconds whatever its nominal length, for
//!     loading a million works.
//! - [`wrangling`]: [`WranglingFact`]s for the generated tags
//!   ([`CorpusGen::wrangling`]): canonical tags, synonyms (which some works
//!   carry instead of the canonical name), meta tags (two levels deep in
//!   places) and the fandoms of characters and relationships.

mod archive;
pub mod corpus;
mod seeds;
pub mod vocab;
pub mod wrangling;

pub use corpus::{Bodies, CorpusGen, GenOptions, GeneratedWork, Profile, WorkStats};
pub use wrangling::WranglingFact;
