//! Temporary stores for tests: a SQLite file in a temp directory, or a fresh
//! PostgreSQL database created for the test and dropped afterwards, so tests
//! run in parallel on both backends. Enabled by the `testing` feature.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;

use crate::{Backend, Store};

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server: String, name: String },
}

/// A store that deletes its database when dropped.
pub struct TestStore {
    store: Option<Store>,
    guard: Guard,
    /// The backend it was opened with (to open it again, e.g. from a CLI).
    pub backend: Backend,
}

impl TestStore {
    /// A fresh SQLite store in a temporary directory.
    pub fn sqlite() -> TestStore {
        let dir = ficus_testkit::temp_dir();
        let backend = Backend::in_data_dir(dir.path());
        let store = Store::open(&backend).expect("open temporary SQLite store");
        TestStore {
            store: Some(store),
            guard: Guard::Sqlite(dir),
            backend,
        }
    }

    /// A fresh PostgreSQL database, or `None` (after a loud skip message, or
    /// a panic when `FICUS_REQUIRE_POSTGRES=1`) when no server answers.
    pub fn postgres() -> Option<TestStore> {
        let server = ficus_testkit::postgres_server_url();
        let admin_url = format!("{server}/postgres");
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(c) => c,
            Err(e) => {
                ficus_testkit::skip_postgres(&format!("cannot connect to {admin_url}: {e}"));
                return None;
            }
        };
        let name = ficus_testkit::unique_db_name("ficus_test");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let backend = Backend::Postgres(format!("{server}/{name}"));
        let store = Store::open(&backend).expect("open temporary PostgreSQL store");
        Some(TestStore {
            store: Some(store),
            guard: Guard::Postgres { server, name },
            backend,
        })
    }

    /// SQLite, plus PostgreSQL when available: run a test body on each.
    pub fn all() -> Vec<TestStore> {
        let mut stores = vec![TestStore::sqlite()];
        stores.extend(TestStore::postgres());
        stores
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("store is present until drop")
    }
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store()
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        // Close every pooled connection before dropping the database.
        self.store.take();
        if let Guard::Postgres { server, name } = &self.guard
            && let Ok(mut admin) = PgConnection::establish(&format!("{server}/postgres"))
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// An ordinary account named `name` (e-mail `name@example.org`, a
/// password hash nobody can log in with), made now: the fixture tests
/// share.
pub fn account(store: &Store, name: &str) -> crate::UserRecord {
    store
        .create_user(
            &ficus_core::account::Login::parse(name).expect("login"),
            &format!("{name}@example.org"),
            "$h",
            ficus_core::account::Role::User,
            chrono::Utc::now().naive_utc(),
        )
        .expect("user")
}
