//! HTML page handlers.

pub mod listings;
pub mod works;
