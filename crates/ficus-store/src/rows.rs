//! Row structs: how diesel reads and writes each table. Private to the
//! store; callers see the records in [`crate::records`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{chapters, creators, taggings, tags, work_creators, works};

#[derive(Insertable)]
#[diesel(table_name = works)]
pub(crate) struct NewWorkRow<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub end_notes: Option<&'a str>,
    pub language: Option<&'a str>,
    pub published_on: NaiveDate,
    pub updated_on: NaiveDate,
    pub complete: bool,
    pub expected_chapters: Option<i32>,
    pub chapter_count: i32,
    pub word_count: i64,
    pub restricted: bool,
    pub posted: bool,
    pub source_path: Option<&'a str>,
    pub source_url: Option<&'a str>,
    pub content_hash: Option<&'a str>,
    pub text_encoding: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub comment_permission: &'static str,
    pub moderate_comments: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = works)]
pub(crate) struct WorkRow {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub language: Option<String>,
    pub published_on: NaiveDate,
    pub updated_on: NaiveDate,
    pub complete: bool,
    pub expected_chapters: Option<i32>,
    pub chapter_count: i32,
    pub word_count: i64,
    pub restricted: bool,
    pub posted: bool,
    pub source_path: Option<String>,
    pub source_url: Option<String>,
    pub content_hash: Option<String>,
    pub text_encoding: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub hidden: bool,
    pub kudos_count: i64,
    pub hits_count: i64,
    pub comments_count: i64,
    pub bookmarks_count: i64,
    pub comment_permission: String,
    pub moderate_comments: bool,
    pub comments_version: i64,
    pub unrevealed: bool,
    pub anonymous: bool,
}

#[derive(Insertable)]
#[diesel(table_name = chapters)]
pub(crate) struct NewChapterRow<'a> {
    pub work_id: i64,
    pub position: i32,
    pub title: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub end_notes: Option<&'a str>,
    pub body: &'a str,
    pub word_count: i64,
    pub published_on: NaiveDate,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = chapters)]
pub(crate) struct ChapterRow {
    pub id: i64,
    pub work_id: i64,
    pub position: i32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub body: String,
    pub word_count: i64,
    pub published_on: NaiveDate,
}

#[derive(Insertable)]
#[diesel(table_name = creators)]
pub(crate) struct NewCreatorRow<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = work_creators)]
pub(crate) struct WorkCreatorRow {
    pub work_id: i64,
    pub creator_id: i64,
    pub position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = tags)]
pub(crate) struct NewTagRow<'a> {
    pub tag_type: &'a str,
    pub name: &'a str,
    pub name_key: &'a str,
    pub canonical: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = taggings)]
pub(crate) struct TaggingRow {
    pub work_id: i64,
    pub tag_id: i64,
    pub position: i32,
}
