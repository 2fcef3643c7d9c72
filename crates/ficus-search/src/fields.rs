//! The index schema, and turning a stored work into an index document.

use chrono::NaiveDate;
use ficus_core::TagType;
use ficus_core::wrangling::TagGraph;
use ficus_store::index_feed::IndexDoc;
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or the meaning of a field changes; an index
/// of another version is rebuilt from the database on open.
pub const SCHEMA_VERSION: u32 = 4;

/// The fields of a work document.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The work id (indexed for deletes, fast for results).
    pub id: Field,
    /// Filter tag ids: the tags the work's tags stand for, with all their
    /// meta ancestors. Indexed, for include/exclude and mutes.
    pub filter_tags: Field,
    /// The same tags, fast, encoded `id << 3 | type` for the sidebar counts.
    pub facet_tags: Field,
    /// The work's byline entries (creator ids), for creator mutes.
    pub creator_ids: Field,
    pub words: Field,
    pub kudos: Field,
    pub hits: Field,
    pub comments: Field,
    pub bookmarks: Field,
    pub chapters: Field,
    /// Days since 1970-01-01.
    pub published: Field,
    /// Days since 1970-01-01.
    pub updated: Field,
    /// 1 when complete.
    pub complete: Field,
    /// 1 when a crossover (AO3's rule, on the wrangled fandoms).
    pub crossover: Field,
    /// 1 when only members may see the work.
    pub restricted: Field,
    /// Lowercased language code; "" when unknown.
    pub language: Field,
    /// Sort key: the first 8 bytes of the title as sorted (see [`sort_key`]).
    pub title_key: Field,
    /// Sort key: the first 8 bytes of the first creator's name.
    pub creator_key: Field,
    pub title: Field,
    pub creators: Field,
    pub summary: Field,
    pub notes: Field,
    pub tag_names: Field,
    pub series: Field,
    /// The full text of the work's chapters.
    pub body: Field,
    /// 1 when the work has a public bookmark (it is on the bookmark
    /// listings).
    pub bookmarked: Field,
    /// 1 when one of its public bookmarks is a rec.
    pub bookmark_rec: Field,
    /// 1 when one of its public bookmarks has notes.
    pub bookmark_notes: Field,
    /// The filter forms of its public bookmarks' tags (the bookmarkers').
    pub bookmarker_tags: Field,
    /// Milliseconds since 1970 of its newest public bookmark (0: none).
    pub bookmarked_at: Field,
    /// The collections it is in.
    pub collections: Field,
}

impl Fields {
    /// Builds the schema and its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        // Numbers a listing sorts or ranges by are fast fields only: a
        // range query on a fast field reads the column (tantivy picks that
        // path whenever the field is fast), so terms in the inverted index
        // would never be read, only built (a million mostly distinct values
        // each, on every rebuild).
        let num = || FAST;
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("default")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | FAST),
            filter_tags: b.add_u64_field("filter_tags", INDEXED),
            facet_tags: b.add_u64_field("facet_tags", FAST),
            creator_ids: b.add_u64_field("creator_ids", INDEXED),
            words: b.add_u64_field("words", num()),
            kudos: b.add_u64_field("kudos", num()),
            hits: b.add_u64_field("hits", num()),
            comments: b.add_u64_field("comments", num()),
            bookmarks: b.add_u64_field("bookmarks", num()),
            chapters: b.add_u64_field("chapters", num()),
            published: b.add_u64_field("published", num()),
            updated: b.add_u64_field("updated", num()),
            complete: b.add_u64_field("complete", INDEXED),
            crossover: b.add_u64_field("crossover", INDEXED),
            restricted: b.add_u64_field("restricted", INDEXED),
            language: b.add_text_field("language", STRING),
            title_key: b.add_u64_field("title_key", FAST),
            creator_key: b.add_u64_field("creator_key", FAST),
            title: b.add_text_field("title", text.clone()),
            creators: b.add_text_field("creators", text.clone()),
            summary: b.add_text_field("summary", text.clone()),
            notes: b.add_text_field("notes", text.clone()),
            tag_names: b.add_text_field("tag_names", text.clone()),
            series: b.add_text_field("series", text.clone()),
            body: b.add_text_field("body", text),
            bookmarked: b.add_u64_field("bookmarked", INDEXED),
            bookmark_rec: b.add_u64_field("bookmark_rec", INDEXED),
            bookmark_notes: b.add_u64_field("bookmark_notes", INDEXED),
            bookmarker_tags: b.add_u64_field("bookmarker_tags", INDEXED),
            bookmarked_at: b.add_u64_field("bookmarked_at", num()),
            collections: b.add_u64_field("collections", INDEXED),
        };
        (b.build(), fields)
    }

    /// The index document for `doc`, given the wrangling graph.
    pub fn document(&self, doc: &IndexDoc, graph: &TagGraph) -> TantivyDocument {
        let w = &doc.work;
        let mut d = TantivyDocument::default();
        d.add_u64(self.id, w.id as u64);
        let mut seen = std::collections::BTreeSet::new();
        for &(tag, kind) in &doc.tags {
            for filter in graph.filter_tags([tag]) {
                if seen.insert(filter) {
                    d.add_u64(self.filter_tags, filter as u64);
                    d.add_u64(self.facet_tags, facet_value(filter, kind));
                }
            }
        }
        for &c in &w.creator_ids {
            d.add_u64(self.creator_ids, c as u64);
        }
        d.add_u64(self.words, w.word_count.max(0) as u64);
        d.add_u64(self.kudos, w.stats.kudos.max(0) as u64);
        d.add_u64(self.hits, w.stats.hits.max(0) as u64);
        d.add_u64(self.comments, w.stats.comments.max(0) as u64);
        d.add_u64(self.bookmarks, w.stats.bookmarks.max(0) as u64);
        d.add_u64(self.chapters, w.chapter_count.max(0) as u64);
        d.add_u64(self.published, day_number(w.published));
        d.add_u64(self.updated, day_number(w.updated));
        d.add_u64(self.complete, u64::from(w.complete));
        let fandoms: Vec<i64> = doc
            .tags
            .iter()
            .filter(|(_, k)| *k == TagType::Fandom)
            .map(|(t, _)| *t)
            .collect();
        d.add_u64(self.crossover, u64::from(graph.is_crossover(&fandoms)));
        d.add_u64(self.restricted, u64::from(w.restricted));
        d.add_text(
            self.language,
            w.language.as_deref().unwrap_or("").to_lowercase(),
        );
        d.add_u64(self.title_key, sort_key(&w.title, true));
        d.add_u64(
            self.creator_key,
            sort_key(w.creators.first().map_or("", String::as_str), false),
        );
        d.add_text(self.title, &w.title);
        for c in &w.creators {
            d.add_text(self.creators, c);
        }
        if let Some(s) = &w.summary {
            d.add_text(self.summary, ficus_core::html::plain_text(s));
        }
        if let Some(n) = &w.notes {
            d.add_text(self.notes, ficus_core::html::plain_text(n));
        }
        if let Some(n) = &w.end_notes {
            d.add_text(self.notes, ficus_core::html::plain_text(n));
        }
        for t in &w.tags {
            d.add_text(self.tag_names, &t.name);
        }
        d.add_text(self.tag_names, w.rating.name());
        for place in &w.series {
            d.add_text(self.series, &place.title);
        }
        if !doc.body.is_empty() {
            d.add_text(self.body, &doc.body);
        }
        let b = &doc.bookmarks;
        d.add_u64(self.bookmarked, u64::from(b.count > 0));
        d.add_u64(self.bookmark_rec, u64::from(b.rec));
        d.add_u64(self.bookmark_notes, u64::from(b.notes));
        for filter in graph.filter_tags(b.tags.iter().copied()) {
            d.add_u64(self.bookmarker_tags, filter as u64);
        }
        d.add_u64(
            self.bookmarked_at,
            b.latest
                .map_or(0, |at| at.and_utc().timestamp_millis().max(0) as u64),
        );
        for &c in &doc.collections {
            d.add_u64(self.collections, c as u64);
        }
        d
    }
}

/// `tag << 3 | type`: a facet value carries its tag's type, so the sidebar
/// can group counts without asking the database.
pub fn facet_value(tag: i64, kind: TagType) -> u64 {
    ((tag as u64) << 3) | type_code(kind)
}

/// The tag id and type of a facet value.
pub fn facet_parts(value: u64) -> (i64, Option<TagType>) {
    let kind = match value & 7 {
        0 => TagType::Rating,
        1 => TagType::ArchiveWarning,
        2 => TagType::Category,
        3 => TagType::Fandom,
        4 => TagType::Relationship,
        5 => TagType::Character,
        6 => TagType::Freeform,
        _ => return ((value >> 3) as i64, None),
    };
    ((value >> 3) as i64, Some(kind))
}

fn type_code(kind: TagType) -> u64 {
    match kind {
        TagType::Rating => 0,
        TagType::ArchiveWarning => 1,
        TagType::Category => 2,
        TagType::Fandom => 3,
        TagType::Relationship => 4,
        TagType::Character => 5,
        TagType::Freeform => 6,
        TagType::Media => 7,
    }
}

/// Days since 1970-01-01 (dates before it count as day 0).
pub fn day_number(date: NaiveDate) -> u64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    (date - epoch).num_days().max(0) as u64
}

/// The text a title or creator name sorts by: lowercased, leading
/// punctuation dropped, and (for titles, as AO3 does) a leading "a", "an"
/// or "the" dropped.
pub fn sort_text(text: &str, title: bool) -> String {
    let lower = text.trim().to_lowercase();
    let mut s = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    if title {
        for article in ["the ", "an ", "a "] {
            if let Some(rest) = s.strip_prefix(article) {
                s = rest.trim_start_matches(|c: char| !c.is_alphanumeric());
                break;
            }
        }
    }
    s.to_string()
}

/// The first 8 bytes of [`sort_text`] as a big-endian number, so that
/// numeric order is byte order. Longer texts that share 8 bytes tie and
/// fall back to the work id.
pub fn sort_key(text: &str, title: bool) -> u64 {
    let s = sort_text(text, title);
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(s.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_like_text() {
        assert!(sort_key("Apple", true) < sort_key("banana", true));
        assert_eq!(sort_key("The Road", true), sort_key("road", true));
        assert_eq!(sort_key("...and then", true), sort_key("and then", true));
        assert!(sort_key("", true) < sort_key("a b", true));
        assert!(sort_key("zz", false) > sort_key("zy top", false));
    }

    #[test]
    fn facet_values_round_trip() {
        for kind in TagType::ALL {
            assert_eq!(
                facet_parts(facet_value(123_456, kind)),
                (123_456, Some(kind))
            );
        }
    }
}
