//! Byline building blocks shared by posting, orphaning, co-creator
//! acceptance and claims. Macros, so that they run on the connection (and
//! inside the transaction) the caller already holds, on either backend.

/// The `creators` row of a pseud, created (named like the pseud) on first
/// use. Evaluates to its id; `?` propagates diesel errors.
macro_rules! pseud_creator {
    ($conn:ident, $pseud_id:expr) => {{
        let pseud_id: i64 = $pseud_id;
        let existing: Option<i64> = $crate::schema::creators::table
            .filter($crate::schema::creators::pseud_id.eq(pseud_id))
            .select($crate::schema::creators::id)
            .first($conn)
            .optional()?;
        match existing {
            Some(id) => id,
            None => {
                let (name, key): (String, String) = $crate::schema::pseuds::table
                    .find(pseud_id)
                    .select((
                        $crate::schema::pseuds::name,
                        $crate::schema::pseuds::name_key,
                    ))
                    .first($conn)?;
                diesel::insert_into($crate::schema::creators::table)
                    .values((
                        $crate::schema::creators::name.eq(&name),
                        $crate::schema::creators::name_key.eq(&key),
                        $crate::schema::creators::pseud_id.eq(pseud_id),
                    ))
                    .returning($crate::schema::creators::id)
                    .get_result::<i64>($conn)?
            }
        }
    }};
}

/// Moves a work's byline from creator `$from` to creator `$to`; when `$to`
/// is on the byline already, `$from` simply leaves it.
macro_rules! move_byline {
    ($conn:ident, $work_id:expr, $from:expr, $to:expr) => {{
        use $crate::schema::work_creators;
        let (work_id, from, to): (i64, i64, i64) = ($work_id, $from, $to);
        let already: i64 = work_creators::table
            .filter(work_creators::work_id.eq(work_id))
            .filter(work_creators::creator_id.eq(to))
            .count()
            .get_result($conn)?;
        let row = work_creators::table
            .filter(work_creators::work_id.eq(work_id))
            .filter(work_creators::creator_id.eq(from));
        if already > 0 {
            diesel::delete(row).execute($conn)?;
        } else {
            diesel::update(row)
                .set(work_creators::creator_id.eq(to))
                .execute($conn)?;
        }
    }};
}
