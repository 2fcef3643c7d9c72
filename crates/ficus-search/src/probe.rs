//! Whether one work matches listings, by the index's own rules: the work
//! is indexed alone in memory and each request runs against it. A saved
//! search's subscribers are found this way when a work is posted, without
//! waiting for the node's index to catch up with the change log.

use ficus_core::wrangling::TagGraph;
use ficus_store::Store;

use crate::{Request, SearchError, SearchIndex};

/// One work, indexed alone.
pub struct Probe {
    index: SearchIndex,
}

impl Probe {
    /// The work as the index would hold it; `None` when the index would
    /// not hold it (a draft, hidden, or gone).
    pub fn of_work(
        store: &Store,
        graph: &TagGraph,
        work_id: i64,
    ) -> Result<Option<Probe>, SearchError> {
        let docs = store.index_docs(&[work_id], true)?;
        if docs.is_empty() {
            return Ok(None);
        }
        let (_, fields) = crate::fields::Fields::build();
        let built = docs.iter().map(|d| fields.document(d, graph)).collect();
        let index = SearchIndex::in_memory(built)?;
        Ok(Some(Probe { index }))
    }

    /// Whether `req` (its filters and query; its page, sort and sidebar do
    /// not matter) finds the work.
    pub fn matches(&self, req: &Request) -> Result<bool, SearchError> {
        let req = Request {
            offset: 0,
            limit: 1,
            after: None,
            facets: false,
            ..req.clone()
        };
        let searcher = self.index.searcher();
        Ok(self.index.search_uncached(&searcher, &req)?.total > 0)
    }
}
