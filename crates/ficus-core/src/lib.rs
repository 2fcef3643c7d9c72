//! Ficus domain types and rules.
//!
//! Everything here is pure: no SQL, no HTTP, no file system. The store,
//! the importers and the web front end all speak these types.
//!
//! - [`tag`]: the seven tag types, tag-name rules, fixed ratings, warnings
//!   and categories, and the AO3 tag-URL encoding.
//! - [`work`]: a work and its chapters as they enter the archive
//!   ([`work::NewWork`]) and the limits they must respect.
//! - [`wordcount`]: AO3's word-count rule.
//! - [`html`]: sanitizing user HTML and turning plain text into paragraphs.

pub mod access;
pub mod account;
pub mod html;
pub mod posting;
pub mod tag;
pub mod wordcount;
pub mod work;

pub use tag::{Rating, TagName, TagType};
pub use work::{NewChapter, NewWork, WorkOrigin};
