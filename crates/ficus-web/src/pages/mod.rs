//! HTML page handlers.

pub mod accounts;
pub mod listings;
pub mod posting;
pub mod works;
