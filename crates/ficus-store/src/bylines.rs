//! Byline building blocks shared by posting, orphaning, co-creator
//! acceptance and claims: typed helpers on a connection, so they run inside
//! the transaction the caller already holds, on either backend.

use diesel::prelude::*;

use crate::schema::{creators, pseuds, work_creators};

/// Byline helpers on a connection of either backend.
pub(crate) trait BylineHelpers {
    /// The `creators` row of a pseud, created (named like the pseud) on
    /// first use. Returns its id.
    fn pseud_creator(&mut self, pseud_id: i64) -> QueryResult<i64>;

    /// Moves a work's byline from creator `from` to creator `to`; when `to`
    /// is on the byline already, `from` simply leaves it.
    fn move_byline(&mut self, work_id: i64, from: i64, to: i64) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl BylineHelpers {
        fn pseud_creator(&mut self, pseud_id: i64) -> QueryResult<i64> {
            let existing: Option<i64> = creators::table
                .filter(creators::pseud_id.eq(pseud_id))
                .select(creators::id)
                .first(self)
                .optional()?;
            if let Some(id) = existing {
                return Ok(id);
            }
            let (name, key): (String, String) = pseuds::table
                .find(pseud_id)
                .select((pseuds::name, pseuds::name_key))
                .first(self)?;
            diesel::insert_into(creators::table)
                .values((
                    creators::name.eq(&name),
                    creators::name_key.eq(&key),
                    creators::pseud_id.eq(pseud_id),
                ))
                .returning(creators::id)
                .get_result::<i64>(self)
        }

        fn move_byline(&mut self, work_id: i64, from: i64, to: i64) -> QueryResult<()> {
            let already: i64 = work_creators::table
                .filter(work_creators::work_id.eq(work_id))
                .filter(work_creators::creator_id.eq(to))
                .count()
                .get_result(self)?;
            let row = work_creators::table
                .filter(work_creators::work_id.eq(work_id))
                .filter(work_creators::creator_id.eq(from));
            if already > 0 {
                diesel::delete(row).execute(self)?;
            } else {
                diesel::update(row)
                    .set(work_creators::creator_id.eq(to))
                    .execute(self)?;
            }
            Ok(())
        }
    }
}
