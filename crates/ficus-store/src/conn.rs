//! Opening the database: SQLite file or PostgreSQL URL, pooled, migrated.
//!
//! Queries are written once, inside [`with_conn!`]: the macro expands the
//! same body once per backend, so each query is type-checked against both
//! SQLite and PostgreSQL and may use every feature diesel offers on both
//! (RETURNING, ON CONFLICT). Backend-specific SQL would go in a `match` on
//! [`Store::backend`] and is so far not needed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::StoreError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// File name of the SQLite database inside the data directory.
pub const SQLITE_FILE: &str = "ficus.sqlite3";

/// Which database to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file, created with its directory on first use.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…`).
    Postgres(String),
}

impl Backend {
    /// The default embedded backend for a data directory.
    pub fn in_data_dir(dir: &Path) -> Backend {
        Backend::Sqlite(dir.join(SQLITE_FILE))
    }
}

pub(crate) enum Pools {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

/// A handle on the archive's database; cheap to clone, safe to share.
#[derive(Clone)]
pub struct Store {
    pub(crate) pools: std::sync::Arc<Pools>,
}

/// Runs `$body` with `$conn` bound to a pooled connection of whichever
/// backend the store uses. The body is compiled once per backend.
#[macro_export]
macro_rules! with_conn {
    ($store:expr, |$conn:ident| $body:expr) => {
        match &*$store.pools {
            $crate::conn::Pools::Sqlite(pool) => {
                let mut pooled = pool.get()?;
                let $conn: &mut ::diesel::sqlite::SqliteConnection = &mut pooled;
                $body
            }
            $crate::conn::Pools::Postgres(pool) => {
                let mut pooled = pool.get()?;
                let $conn: &mut ::diesel::pg::PgConnection = &mut pooled;
                $body
            }
        }
    };
}

/// Implements a trait of typed store helpers for both backends'
/// connections: the body is written once and compiled once per backend,
/// so every query in it is checked against SQLite and PostgreSQL. The
/// helpers are ordinary methods (signatures, their own `?`), called on
/// whatever connection — and so inside whatever transaction — the caller
/// holds. With [`with_conn!`], the only macro the store keeps.
macro_rules! impl_for_both_backends {
    (impl $helpers:ident { $($body:tt)* }) => {
        impl $helpers for ::diesel::sqlite::SqliteConnection {
            $($body)*
        }
        impl $helpers for ::diesel::pg::PgConnection {
            $($body)*
        }
    };
}

#[derive(Debug)]
struct SqliteSettings;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqliteSettings {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl Store {
    /// Opens (creating and migrating as needed) the given backend.
    pub fn open(backend: &Backend) -> Result<Store, StoreError> {
        match backend {
            Backend::Sqlite(path) => Store::open_sqlite(path),
            Backend::Postgres(url) => Store::open_postgres(url),
        }
    }

    fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let url = path.to_string_lossy().to_string();
        let connect_err = |message: String| StoreError::Connect {
            backend: "sqlite",
            message: format!("{}: {message}", path.display()),
        };
        // WAL is a property of the file: set it once, before the pool opens.
        let mut first =
            SqliteConnection::establish(&url).map_err(|e| connect_err(e.to_string()))?;
        first
            .batch_execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| connect_err(e.to_string()))?;
        first
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        drop(first);
        let pool = Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(SqliteSettings))
            .build(ConnectionManager::<SqliteConnection>::new(url))
            .map_err(|e| connect_err(e.to_string()))?;
        Ok(Store {
            pools: std::sync::Arc::new(Pools::Sqlite(pool)),
        })
    }

    fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let connect_err = |message: String| StoreError::Connect {
            backend: "postgres",
            message,
        };
        let mut first = PgConnection::establish(url).map_err(|e| connect_err(e.to_string()))?;
        first
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        drop(first);
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(Duration::from_secs(30))
            .build(ConnectionManager::<PgConnection>::new(url))
            .map_err(|e| connect_err(e.to_string()))?;
        Ok(Store {
            pools: std::sync::Arc::new(Pools::Postgres(pool)),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match &*self.pools {
            Pools::Sqlite(_) => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }
}

/// A transaction that will write. On SQLite it starts with `BEGIN
/// IMMEDIATE`, taking the write lock up front, so concurrent writers wait
/// on the busy timeout instead of failing when a read lock cannot be
/// upgraded; on PostgreSQL it is an ordinary transaction.
pub(crate) trait WriteTransaction: Connection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>;

    /// A [`WriteTransaction::write_transaction`] of a bulk load (an
    /// import's batch). On SQLite its connection keeps a larger page
    /// cache (32 MiB: a batch's pages stay in memory until the commit
    /// instead of spilling to the log midway) and checkpoints the log
    /// only past 64 MiB (pages written again and again are copied back
    /// once); both measured to cut an import's write time by a fifth.
    fn bulk_write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>;
}

impl WriteTransaction for SqliteConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.immediate_transaction(f)
    }

    fn bulk_write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.batch_execute("PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 16384;")?;
        self.immediate_transaction(f)
    }
}

impl WriteTransaction for PgConnection {
    fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.transaction(f)
    }

    fn bulk_write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        self.transaction(f)
    }
}

impl Store {
    /// Refreshes the query planner's statistics after a bulk change (an
    /// import): `ANALYZE` on PostgreSQL, `PRAGMA optimize` on SQLite.
    /// Without it, PostgreSQL may plan joins on a freshly filled archive
    /// as if its tables were empty.
    pub fn refresh_statistics(&self) -> Result<(), StoreError> {
        match &*self.pools {
            Pools::Sqlite(pool) => pool.get()?.batch_execute("PRAGMA optimize;")?,
            Pools::Postgres(pool) => pool.get()?.batch_execute("ANALYZE;")?,
        }
        Ok(())
    }
}
