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
//! - [`search_query`]: the `/works/search` box's AO3-like syntax (words,
//!   phrases, `OR`, `-exclusions`, `field:value`, ranges, `sort:`) parsed
//!   into a typed [`search_query::SearchQuery`].
//! - [`kudos`]: who may leave kudos, and the sentence under a work.
//! - [`comments`]: who may comment, reply, edit, delete, freeze and
//!   approve; what each viewer sees of a comment; the built-in spam check.
//! - [`people`]: blocking and muting accounts.
//! - [`text`]: the control characters stored text never holds.

pub mod access;
pub mod account;
pub mod bookmarks;
pub mod collections;
pub mod comments;
pub mod exchange;
pub mod external_works;
pub mod gifts;
pub mod html;
pub mod kudos;
pub mod mail;
pub mod people;
pub mod posting;
pub mod reports;
pub mod search_query;
pub mod tag;
pub mod text;
pub mod wordcount;
pub mod work;
pub mod wrangling;

pub use tag::{Rating, TagName, TagType};
pub use work::{NewChapter, NewWork, WorkOrigin};
