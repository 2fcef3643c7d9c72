//! HTML page handlers.

pub mod accounts;
pub mod discover;
pub mod downloads;
pub mod feeds;
pub mod listings;
pub mod moderation;
pub mod opds;
pub mod posting;
pub mod pseuds;
pub mod settings;
pub mod tags;
pub mod works;
