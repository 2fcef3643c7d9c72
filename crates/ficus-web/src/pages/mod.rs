//! HTML page handlers.

pub mod accounts;
pub mod discover;
pub mod listings;
pub mod moderation;
pub mod posting;
pub mod pseuds;
pub mod settings;
pub mod tags;
pub mod works;
