//! A minimal read-only SQLite handle for benchmark baselines: plain SQL on
//! the archive's own file, with a per-query time cap enforced through
//! SQLite's progress handler (diesel does not expose one). Written by hand
//! because the baseline must run arbitrary SQL text with a deadline; this
//! is the whole FFI surface it needs.

use std::ffi::{CStr, CString, c_int, c_void};
use std::path::Path;
use std::ptr;
use std::time::Instant;

use anyhow::{Context, bail};
use libsqlite3_sys as ffi;

/// An open connection.
pub struct RawSqlite {
    db: *mut ffi::sqlite3,
    deadline: Box<Option<Instant>>,
}

/// A query's outcome.
pub enum Outcome {
    /// Rows, each a list of integer columns.
    Rows(Vec<Vec<i64>>),
    /// Interrupted at the cap.
    Capped,
}

extern "C" fn progress(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` points at the connection's boxed deadline, which lives
    // as long as the connection the handler is registered on.
    let deadline = unsafe { &*(arg as *const Option<Instant>) };
    match deadline {
        Some(d) if Instant::now() > *d => 1,
        _ => 0,
    }
}

impl RawSqlite {
    /// Opens `path` read-write (FTS tables may be created in it).
    pub fn open(path: &Path) -> anyhow::Result<RawSqlite> {
        let c = CString::new(path.to_string_lossy().as_bytes()).context("path")?;
        let mut db = ptr::null_mut();
        // SAFETY: valid C string and out-pointer; the handle is closed in Drop.
        let rc = unsafe {
            ffi::sqlite3_open_v2(c.as_ptr(), &mut db, ffi::SQLITE_OPEN_READWRITE, ptr::null())
        };
        if rc != ffi::SQLITE_OK {
            bail!("cannot open {} for the baseline", path.display());
        }
        let mut me = RawSqlite {
            db,
            deadline: Box::new(None),
        };
        let arg = &mut *me.deadline as *mut Option<Instant> as *mut c_void;
        // SAFETY: the box outlives the handler (both end in Drop).
        unsafe { ffi::sqlite3_progress_handler(db, 1000, Some(progress), arg) };
        me.exec("PRAGMA busy_timeout = 10000; PRAGMA cache_size = -262144;")?;
        Ok(me)
    }

    /// Runs statements without results.
    pub fn exec(&mut self, sql: &str) -> anyhow::Result<()> {
        *self.deadline = None;
        let c = CString::new(sql).context("sql")?;
        let mut err = ptr::null_mut();
        // SAFETY: valid handle and C string; the error message is freed.
        let rc = unsafe { ffi::sqlite3_exec(self.db, c.as_ptr(), None, ptr::null_mut(), &mut err) };
        if rc != ffi::SQLITE_OK {
            let msg = if err.is_null() {
                String::from("unknown error")
            } else {
                // SAFETY: SQLite gave a NUL-terminated message we must free.
                let m = unsafe { CStr::from_ptr(err) }
                    .to_string_lossy()
                    .into_owned();
                unsafe { ffi::sqlite3_free(err as *mut c_void) };
                m
            };
            bail!("baseline SQL failed: {msg}");
        }
        Ok(())
    }

    /// Runs one query with integer columns and text parameters, stopping
    /// at `deadline`.
    pub fn query(
        &mut self,
        sql: &str,
        params: &[&str],
        deadline: Instant,
    ) -> anyhow::Result<Outcome> {
        *self.deadline = Some(deadline);
        let c = CString::new(sql).context("sql")?;
        let mut stmt = ptr::null_mut();
        // SAFETY: valid handle and C string; the statement is finalized below.
        let rc =
            unsafe { ffi::sqlite3_prepare_v2(self.db, c.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
        if rc != ffi::SQLITE_OK {
            bail!("baseline SQL does not prepare: {}", self.errmsg());
        }
        let params: Vec<CString> = params
            .iter()
            .map(|p| CString::new(*p).unwrap_or_default())
            .collect();
        for (i, p) in params.iter().enumerate() {
            // SAFETY: the CString outlives the statement's use (SQLITE_TRANSIENT copies).
            unsafe {
                ffi::sqlite3_bind_text(
                    stmt,
                    (i + 1) as c_int,
                    p.as_ptr(),
                    -1,
                    ffi::SQLITE_TRANSIENT(),
                )
            };
        }
        let mut rows = Vec::new();
        let outcome = loop {
            // SAFETY: a prepared statement.
            let rc = unsafe { ffi::sqlite3_step(stmt) };
            match rc {
                ffi::SQLITE_ROW => {
                    // SAFETY: column indexes are within the row.
                    let n = unsafe { ffi::sqlite3_column_count(stmt) };
                    rows.push(
                        (0..n)
                            .map(|i| unsafe { ffi::sqlite3_column_int64(stmt, i) })
                            .collect(),
                    );
                }
                ffi::SQLITE_DONE => break Ok(Outcome::Rows(rows)),
                ffi::SQLITE_INTERRUPT => break Ok(Outcome::Capped),
                _ => break Err(anyhow::anyhow!("baseline SQL failed: {}", self.errmsg())),
            }
        };
        // SAFETY: finalize once.
        unsafe { ffi::sqlite3_finalize(stmt) };
        *self.deadline = None;
        outcome
    }

    fn errmsg(&self) -> String {
        // SAFETY: SQLite returns a valid message for a valid handle.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for RawSqlite {
    fn drop(&mut self) {
        // SAFETY: closing the handle opened in `open`.
        unsafe { ffi::sqlite3_close(self.db) };
    }
}
