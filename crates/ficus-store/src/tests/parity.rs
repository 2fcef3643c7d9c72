//! Migration parity: the SQLite and PostgreSQL migration folders must
//! build the same schema — tables, columns (normalized types, nullability,
//! primary keys), indexes and unique constraints, foreign keys — and
//! their triggers must log the same changes. Nothing else checks that the
//! two folders stay in step.

use std::collections::BTreeSet;

use diesel::connection::Connection;
use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::tag::TagName;

use super::{day, sample, tag};
use crate::testing::TestStore;
use crate::wrangling::WrangleChange;
use crate::{Backend, Store, WorkEdit};
use ficus_core::NewChapter;

#[derive(QueryableByName, Debug)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName, Debug)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Nullable<Text>)]
    columns: Option<String>,
}

#[derive(QueryableByName, Debug)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_column: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// The parts of a schema both databases must agree on, normalized.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// (table, column, type, nullable, primary key).
    columns: BTreeSet<(String, String, &'static str, bool, bool)>,
    /// (table, columns in order, unique); names and primary keys left out.
    indexes: BTreeSet<(String, String, bool)>,
    /// (table, column, referenced table, referenced column, on delete).
    foreign_keys: BTreeSet<(String, String, String, String, String)>,
}

const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// One type name for both dialects. An integer primary key is 64 bits on
/// both (SQLite's rowid, PostgreSQL's `BIGSERIAL`).
fn normalize_type(raw: &str, pk: bool) -> &'static str {
    let t = raw.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "int" | "int4" if pk => "int8",
        "integer" | "int" | "int4" => "int4",
        "bigint" | "int8" | "bigserial" => "int8",
        "smallint" | "int2" => "int2",
        "boolean" | "bool" => "bool",
        "text" | "character varying" => "text",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "date" => "date",
        "real" | "double" | "double precision" | "float8" => "float8",
        "blob" | "bytea" => "bytea",
        t if t.starts_with("varchar") => "text",
        _ => "UNKNOWN",
    }
}

fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let tables = format!(
        "FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND m.name <> '{MIGRATIONS_TABLE}'"
    );
    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         (p.\"notnull\" = 0 AND p.pk = 0) AS nullable, (p.pk > 0) AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '{MIGRATIONS_TABLE}'"
    ))
    .load(conn)
    .expect("sqlite columns");
    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, il.\"unique\" AS is_unique, \
         (SELECT group_concat(name, ',') FROM \
            (SELECT ii.name AS name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) AS columns \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '{MIGRATIONS_TABLE}' \
         AND il.origin <> 'pk'"
    ))
    .load(conn)
    .expect("sqlite indexes");
    let keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, f.\"from\" AS column_name, f.\"table\" AS ref_table, \
         f.\"to\" AS ref_column, f.on_delete AS on_delete \
         {} ",
        tables.replace(
            "FROM sqlite_master m",
            "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f"
        )
    ))
    .load(conn)
    .expect("sqlite foreign keys");
    schema(columns, indexes, keys)
}

fn postgres_schema(conn: &mut PgConnection) -> Schema {
    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
         c.data_type::text AS data_type, (c.is_nullable = 'YES') AS nullable, \
         EXISTS (SELECT 1 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage k \
                   ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name \
                 WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name = c.table_name \
                   AND k.column_name = c.column_name) AS pk \
         FROM information_schema.columns c \
         WHERE c.table_schema = 'public' AND c.table_name <> '{MIGRATIONS_TABLE}'"
    ))
    .load(conn)
    .expect("postgres columns");
    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
        "SELECT t.relname::text AS table_name, ix.indisunique AS is_unique, \
         (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
            FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '{MIGRATIONS_TABLE}'"
    ))
    .load(conn)
    .expect("postgres indexes");
    let keys: Vec<ForeignKeyRow> = diesel::sql_query(
        "SELECT cl.relname::text AS table_name, a.attname::text AS column_name, \
         rt.relname::text AS ref_table, ra.attname::text AS ref_column, \
         CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
           WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS on_delete \
         FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
         JOIN pg_class rt ON rt.oid = c.confrelid \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE c.contype = 'f' AND n.nspname = 'public'",
    )
    .load(conn)
    .expect("postgres foreign keys");
    schema(columns, indexes, keys)
}

fn schema(columns: Vec<ColumnRow>, indexes: Vec<IndexRow>, keys: Vec<ForeignKeyRow>) -> Schema {
    Schema {
        columns: columns
            .into_iter()
            .map(|c| {
                let ty = normalize_type(&c.data_type, c.pk);
                (c.table_name, c.column_name, ty, c.nullable && !c.pk, c.pk)
            })
            .collect(),
        indexes: indexes
            .into_iter()
            .map(|i| (i.table_name, i.columns.unwrap_or_default(), i.is_unique))
            .collect(),
        foreign_keys: keys
            .into_iter()
            .map(|k| {
                (
                    k.table_name,
                    k.column_name,
                    k.ref_table,
                    k.ref_column,
                    k.on_delete.to_ascii_uppercase(),
                )
            })
            .collect(),
    }
}

/// What one side has that the other lacks, for the failure message.
fn differences<T: Ord + std::fmt::Debug>(
    what: &str,
    sqlite: &BTreeSet<T>,
    pg: &BTreeSet<T>,
) -> Vec<String> {
    let mut out = Vec::new();
    for only in sqlite.difference(pg) {
        out.push(format!("{what} only in sqlite: {only:?}"));
    }
    for only in pg.difference(sqlite) {
        out.push(format!("{what} only in postgres: {only:?}"));
    }
    out
}

fn both() -> Option<(TestStore, TestStore)> {
    let pg = TestStore::postgres()?;
    Some((TestStore::sqlite(), pg))
}

#[test]
fn both_migration_folders_build_the_same_schema() {
    let Some((sqlite, pg)) = both() else { return };
    let (Backend::Sqlite(path), Backend::Postgres(url)) = (&sqlite.backend, &pg.backend) else {
        panic!("backends");
    };
    let lite = sqlite_schema(
        &mut SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite connection"),
    );
    let post = postgres_schema(&mut PgConnection::establish(url).expect("postgres connection"));
    assert!(
        lite.columns.len() > 50,
        "the introspection found the tables: {lite:?}"
    );
    assert!(
        lite.columns.iter().all(|c| c.2 != "UNKNOWN")
            && post.columns.iter().all(|c| c.2 != "UNKNOWN"),
        "a column type this test does not know: {:?}",
        lite.columns
            .iter()
            .chain(&post.columns)
            .filter(|c| c.2 == "UNKNOWN")
            .collect::<Vec<_>>()
    );
    let mut problems = differences("column", &lite.columns, &post.columns);
    problems.extend(differences("index", &lite.indexes, &post.indexes));
    problems.extend(differences(
        "foreign key",
        &lite.foreign_keys,
        &post.foreign_keys,
    ));
    assert!(
        problems.is_empty(),
        "the migration folders differ:\n{}",
        problems.join("\n")
    );
}

/// One scripted history of changes, the same on both backends.
fn script(store: &Store) {
    let mut w = sample("Logged", Some("logged"), 1);
    w.tags = vec![
        tag(TagType::Freeform, "Angst"),
        tag(TagType::Freeform, "Hurt"),
    ];
    w.series = vec![("Saga".into(), 1)];
    let id = store.insert_work(&w).expect("insert").work_id();
    let mut edited = w.clone();
    edited.title = "Logged Again".into();
    edited.series = vec![];
    let series = store.series_of_works(&[id]).expect("series")[&id][0].series_id;
    let edit = WorkEdit {
        leave_series: vec![series],
        ..WorkEdit::default()
    };
    store.update_work(id, &edited, &edit).expect("update");
    let chapter = NewChapter {
        body: "<p>More words.</p>".into(),
        ..NewChapter::default()
    };
    let added = store
        .add_chapter(id, &chapter, day(3))
        .expect("chapter")
        .expect("work");
    // A chapter's edit and the archive's settings reach every node's
    // page cache through the log (a setting as an entry naming nothing).
    let edited_chapter = NewChapter {
        body: "<p>Other words.</p>".into(),
        ..NewChapter::default()
    };
    store
        .update_chapter(id, added, &edited_chapter)
        .expect("chapter edit");
    store
        .set_setting("guest_comments_off", "true")
        .expect("setting");
    let angst = store
        .tag_of_type(TagType::Freeform, "Angst")
        .expect("tag")
        .expect("angst");
    let hurt = store
        .tag_of_type(TagType::Freeform, "Hurt")
        .expect("tag")
        .expect("hurt");
    store
        .wrangle_all(
            angst.id,
            &[
                WrangleChange::SetCanonical(true),
                WrangleChange::AddMetaNamed(TagName::parse("Feelings").expect("name")),
            ],
        )
        .expect("wrangle");
    store
        .wrangle(hurt.id, &WrangleChange::SynonymOf(Some(angst.id)))
        .expect("synonym");
    // A bookmark's life re-indexes its work (its document carries what
    // its public bookmarks say).
    let reader = super::comment_fixtures::person(store, "reader", ficus_core::account::Role::User);
    let draft = |tags: &str| {
        ficus_core::bookmarks::BookmarkDraft::parse("Notes.", tags, false, false).expect("draft")
    };
    let now = chrono::Utc::now().naive_utc();
    let bookmark = store
        .create_bookmark(
            reader.viewer,
            None,
            crate::bookmarks::BookmarkTarget::Work(id),
            &draft("kept, reread"),
            now,
        )
        .expect("store")
        .expect("bookmarked");
    store
        .update_bookmark(reader.viewer, bookmark, None, &draft("kept"), now)
        .expect("store")
        .expect("updated");
    store
        .delete_bookmark(reader.viewer, bookmark)
        .expect("store")
        .expect("deleted");
    let other = store
        .insert_work(&sample("Gone", Some("gone"), 2))
        .expect("insert")
        .work_id();
    store.delete_work(other).expect("delete");
}

/// The change log of a store, by names (ids may differ between backends):
/// one entry per logged row, as a multiset.
fn logged(store: &Store) -> Vec<String> {
    let mut out: Vec<String> = store
        .index_log_after(0, 10_000)
        .expect("log")
        .into_iter()
        .map(|e| match (e.work_id, e.tag_id) {
            (Some(work), _) => match store.work(work, Viewer::System).expect("work") {
                Some(w) => format!("work {}", w.title),
                None => "work (deleted)".to_string(),
            },
            (None, Some(tag)) => match store.tag(tag).expect("tag") {
                Some(t) => format!("tag {}", t.name),
                None => "tag (deleted)".to_string(),
            },
            (None, None) => "empty entry".to_string(),
        })
        .collect();
    out.sort();
    out
}

#[test]
fn both_backends_triggers_log_the_same_changes() {
    let Some((sqlite, pg)) = both() else { return };
    script(&sqlite);
    script(&pg);
    let (lite, post) = (logged(&sqlite), logged(&pg));
    assert!(lite.len() > 5, "the script logged changes: {lite:?}");
    assert_eq!(lite, post, "sqlite's change log vs postgres's");
}
