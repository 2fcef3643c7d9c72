//! Deterministic synthetic fan works, for the demo archive, benchmarks and
//! tests. The same seed always gives the same corpus.
//!
//! - [`vocab`]: an English-like Zipfian vocabulary and sentence maker.
//! - [`corpus`]: works with AO3-like tag mixes and log-normal lengths,
//!   as [`ficus_core::NewWork`] or as plain-text files in the importer's
//!   layouts.

pub mod corpus;
pub mod vocab;

pub use corpus::{CorpusGen, GenOptions, GeneratedWork};
