//! The one diesel schema both backends share. Column types are chosen so
//! that the SQLite and PostgreSQL migrations map onto them identically.

diesel::table! {
    works (id) {
        id -> BigInt,
        title -> Text,
        summary -> Nullable<Text>,
        notes -> Nullable<Text>,
        end_notes -> Nullable<Text>,
        language -> Nullable<Text>,
        published_on -> Date,
        updated_on -> Date,
        complete -> Bool,
        expected_chapters -> Nullable<Integer>,
        chapter_count -> Integer,
        word_count -> BigInt,
        restricted -> Bool,
        posted -> Bool,
        source_path -> Nullable<Text>,
        source_url -> Nullable<Text>,
        content_hash -> Nullable<Text>,
        text_encoding -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        hidden -> Bool,
        kudos_count -> BigInt,
        hits_count -> BigInt,
        comments_count -> BigInt,
        bookmarks_count -> BigInt,
        comment_permission -> Text,
        moderate_comments -> Bool,
        comments_version -> BigInt,
        unrevealed -> Bool,
        anonymous -> Bool,
    }
}

diesel::table! {
    chapters (id) {
        id -> BigInt,
        work_id -> BigInt,
        position -> Integer,
        title -> Nullable<Text>,
        summary -> Nullable<Text>,
        notes -> Nullable<Text>,
        end_notes -> Nullable<Text>,
        body -> Text,
        word_count -> BigInt,
        published_on -> Date,
    }
}

diesel::table! {
    creators (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        pseud_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    work_creators (work_id, creator_id) {
        work_id -> BigInt,
        creator_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        tag_type -> Text,
        name -> Text,
        name_key -> Text,
        canonical -> Bool,
        created_at -> Timestamp,
        merger_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    taggings (work_id, tag_id) {
        work_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::joinable!(chapters -> works (work_id));
diesel::joinable!(work_creators -> works (work_id));
diesel::joinable!(work_creators -> creators (creator_id));
diesel::joinable!(taggings -> works (work_id));
diesel::joinable!(taggings -> tags (tag_id));

diesel::table! {
    users (id) {
        id -> BigInt,
        login -> Text,
        login_key -> Text,
        email -> Text,
        email_key -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        pref_skip_adult -> Bool,
        pref_full_work -> Bool,
        pref_hide_warnings -> Bool,
        pref_hide_freeforms -> Bool,
        pref_guest_replies_off -> Bool,
        pref_comment_mail -> Text,
        pref_kudos_mail -> Text,
        suspended_until -> Nullable<Timestamp>,
        banned -> Bool,
        standing_reason -> Nullable<Text>,
        pref_history -> Bool,
        pref_allow_gifts -> Bool,
        pref_challenge_mail -> Text,
        history_cleared_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pseuds (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        is_default -> Bool,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    throttles (bucket, window_start) {
        bucket -> Text,
        window_start -> BigInt,
        hits -> Integer,
    }
}

diesel::table! {
    kudos (id) {
        id -> BigInt,
        work_id -> BigInt,
        user_id -> Nullable<BigInt>,
        guest_key -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hit_visits (day, work_id, visitor) {
        day -> Date,
        work_id -> BigInt,
        visitor -> Text,
    }
}

diesel::table! {
    work_daily_stats (work_id, day) {
        work_id -> BigInt,
        day -> Date,
        hits -> BigInt,
        kudos -> BigInt,
        comments -> BigInt,
    }
}

diesel::joinable!(kudos -> users (user_id));
diesel::joinable!(kudos -> works (work_id));

diesel::table! {
    comments (id) {
        id -> BigInt,
        work_id -> BigInt,
        chapter_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        thread_id -> BigInt,
        depth -> Integer,
        user_id -> Nullable<BigInt>,
        pseud_id -> Nullable<BigInt>,
        guest_name -> Nullable<Text>,
        guest_email -> Nullable<Text>,
        visitor_key -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        unreviewed -> Bool,
        hidden -> Bool,
        deleted -> Bool,
        frozen -> Bool,
        spam -> Bool,
    }
}

diesel::joinable!(comments -> users (user_id));
diesel::joinable!(comments -> pseuds (pseud_id));
diesel::joinable!(comments -> chapters (chapter_id));
diesel::joinable!(comments -> works (work_id));

diesel::table! {
    inbox_items (user_id, comment_id) {
        user_id -> BigInt,
        comment_id -> BigInt,
        is_read -> Bool,
        replied_to -> Bool,
        created_at -> Timestamp,
    }
}

diesel::joinable!(inbox_items -> comments (comment_id));

diesel::table! {
    reports (id) {
        id -> BigInt,
        target_kind -> Text,
        target_id -> BigInt,
        reporter_id -> Nullable<BigInt>,
        reporter_email -> Text,
        reason -> Text,
        description -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<BigInt>,
        resolution -> Nullable<Text>,
    }
}

diesel::table! {
    mail_jobs (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        comment_id -> Nullable<BigInt>,
        day -> Nullable<Date>,
        created_at -> Timestamp,
        due_at -> Timestamp,
        attempts -> Integer,
        lease_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        chapter_id -> Nullable<BigInt>,
        assignment_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    blocked_users (user_id, other_id) {
        user_id -> BigInt,
        other_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    muted_users (user_id, other_id) {
        user_id -> BigInt,
        other_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    retired_logins (login_key) {
        login_key -> Text,
        retired_until -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        work_id -> Nullable<BigInt>,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    creator_invitations (work_id, pseud_id) {
        work_id -> BigInt,
        pseud_id -> BigInt,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    claims (token_hash) {
        token_hash -> Text,
        creator_id -> BigInt,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    invitation_codes (code_hash) {
        code_hash -> Text,
        created_at -> Timestamp,
        used_by -> Nullable<BigInt>,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meta_taggings (meta_id, sub_id) {
        meta_id -> BigInt,
        sub_id -> BigInt,
    }
}

diesel::table! {
    tag_parents (parent_id, child_id) {
        parent_id -> BigInt,
        child_id -> BigInt,
    }
}

diesel::table! {
    index_log (seq) {
        seq -> BigInt,
        work_id -> Nullable<BigInt>,
        tag_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    index_consumers (name) {
        name -> Text,
        acked_seq -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    muted_tags (user_id, tag_id) {
        user_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    muted_creators (user_id, creator_id) {
        user_id -> BigInt,
        creator_id -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    series (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        title -> Text,
        summary -> Nullable<Text>,
        notes -> Nullable<Text>,
        complete -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    serial_works (series_id, work_id) {
        series_id -> BigInt,
        work_id -> BigInt,
        position -> Integer,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(serial_works -> series (series_id));
diesel::joinable!(serial_works -> works (work_id));
diesel::joinable!(claims -> creators (creator_id));
diesel::joinable!(muted_tags -> tags (tag_id));
diesel::joinable!(muted_creators -> creators (creator_id));
diesel::joinable!(creator_invitations -> works (work_id));
diesel::joinable!(creator_invitations -> pseuds (pseud_id));
diesel::table! {
    bookmarks (id) {
        id -> BigInt,
        user_id -> BigInt,
        pseud_id -> BigInt,
        work_id -> Nullable<BigInt>,
        notes -> Text,
        private -> Bool,
        rec -> Bool,
        hidden_by_admin -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
        series_id -> Nullable<BigInt>,
        external_work_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    external_works (id) {
        id -> BigInt,
        url -> Text,
        title -> Text,
        creator -> Text,
        summary -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    external_work_tags (external_work_id, tag_id) {
        external_work_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    gifts (id) {
        id -> BigInt,
        work_id -> BigInt,
        pseud_id -> Nullable<BigInt>,
        recipient_name -> Nullable<Text>,
        rejected -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    collections (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        title -> Text,
        description -> Text,
        intro -> Text,
        owner_id -> BigInt,
        moderated -> Bool,
        closed -> Bool,
        unrevealed -> Bool,
        anonymous -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    collection_participants (collection_id, user_id) {
        collection_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    collection_items (id) {
        id -> BigInt,
        collection_id -> BigInt,
        work_id -> BigInt,
        user_approval -> Integer,
        collection_approval -> Integer,
        unrevealed -> Bool,
        anonymous -> Bool,
        added_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bookmark_tags (bookmark_id, tag_id) {
        bookmark_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    readings (user_id, work_id) {
        user_id -> BigInt,
        work_id -> BigInt,
        last_viewed -> Timestamp,
        view_count -> BigInt,
        read_version -> Nullable<Timestamp>,
        to_read -> Bool,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        target_id -> BigInt,
        created_at -> Timestamp,
        mail -> Text,
    }
}

diesel::table! {
    saved_searches (id) {
        id -> BigInt,
        user_id -> BigInt,
        path -> Text,
        query -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    fanout_jobs (id) {
        id -> BigInt,
        work_id -> BigInt,
        chapter_id -> BigInt,
        event -> Text,
        created_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscription_updates (user_id, chapter_id) {
        user_id -> BigInt,
        chapter_id -> BigInt,
        work_id -> BigInt,
        event -> Text,
        reason -> Text,
        is_read -> Bool,
        created_at -> Timestamp,
        subscription_id -> Nullable<BigInt>,
        mail -> Text,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(subscriptions -> users (user_id));
diesel::joinable!(subscription_updates -> works (work_id));
diesel::joinable!(subscription_updates -> chapters (chapter_id));
diesel::joinable!(readings -> users (user_id));
diesel::joinable!(readings -> works (work_id));
diesel::joinable!(bookmarks -> users (user_id));
diesel::joinable!(bookmarks -> pseuds (pseud_id));
diesel::joinable!(bookmarks -> works (work_id));
diesel::joinable!(bookmark_tags -> bookmarks (bookmark_id));
diesel::joinable!(collection_items -> collections (collection_id));
diesel::joinable!(gifts -> works (work_id));
diesel::joinable!(gifts -> pseuds (pseud_id));
diesel::joinable!(collection_items -> works (work_id));
diesel::joinable!(collection_participants -> collections (collection_id));
diesel::joinable!(collection_participants -> users (user_id));
diesel::joinable!(bookmarks -> series (series_id));
diesel::joinable!(bookmarks -> external_works (external_work_id));
diesel::joinable!(external_work_tags -> external_works (external_work_id));
diesel::joinable!(external_work_tags -> tags (tag_id));
diesel::joinable!(bookmark_tags -> tags (tag_id));
diesel::table! {
    gift_exchanges (collection_id) {
        collection_id -> BigInt,
        signup_open -> Bool,
        signups_open_at -> Nullable<Timestamp>,
        signups_close_at -> Nullable<Timestamp>,
        assignments_due_at -> Nullable<Timestamp>,
        reveal_at -> Nullable<Timestamp>,
        requests_required -> Integer,
        requests_allowed -> Integer,
        offers_required -> Integer,
        offers_allowed -> Integer,
        match_fandoms -> Integer,
        match_characters -> Integer,
        match_relationships -> Integer,
        match_freeforms -> Integer,
        instructions -> Text,
        matched_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        revealed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    challenge_signups (id) {
        id -> BigInt,
        collection_id -> BigInt,
        user_id -> BigInt,
        pseud_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    challenge_prompts (id) {
        id -> BigInt,
        signup_id -> BigInt,
        kind -> Text,
        position -> Integer,
        description -> Text,
    }
}

diesel::table! {
    challenge_prompt_tags (prompt_id, tag_id) {
        prompt_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    challenge_assignments (id) {
        id -> BigInt,
        collection_id -> BigInt,
        recipient_signup_id -> BigInt,
        giver_signup_id -> Nullable<BigInt>,
        overlap -> Integer,
        pinch_hitter_id -> Nullable<BigInt>,
        work_id -> Nullable<BigInt>,
        defaulted_at -> Nullable<Timestamp>,
        covered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    challenge_unmatched (signup_id, side) {
        signup_id -> BigInt,
        side -> Text,
        reason -> Text,
    }
}

diesel::joinable!(gift_exchanges -> collections (collection_id));
diesel::joinable!(challenge_signups -> collections (collection_id));
diesel::joinable!(challenge_signups -> users (user_id));
diesel::joinable!(challenge_signups -> pseuds (pseud_id));
diesel::joinable!(challenge_prompts -> challenge_signups (signup_id));
diesel::joinable!(challenge_prompt_tags -> challenge_prompts (prompt_id));
diesel::joinable!(challenge_prompt_tags -> tags (tag_id));
diesel::joinable!(challenge_unmatched -> challenge_signups (signup_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::joinable!(pseuds -> users (user_id));
diesel::joinable!(creators -> pseuds (pseud_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    works,
    chapters,
    creators,
    work_creators,
    tags,
    taggings,
    users,
    pseuds,
    sessions,
    throttles,
    retired_logins,
    kudos,
    comments,
    inbox_items,
    mail_jobs,
    reports,
    hit_visits,
    work_daily_stats,
    blocked_users,
    muted_users,
    audit_log,
    creator_invitations,
    claims,
    settings,
    invitation_codes,
    meta_taggings,
    tag_parents,
    index_log,
    index_consumers,
    muted_tags,
    muted_creators,
    api_tokens,
    series,
    serial_works,
    bookmarks,
    bookmark_tags,
    external_works,
    external_work_tags,
    collections,
    collection_participants,
    collection_items,
    gifts,
    readings,
    subscriptions,
    fanout_jobs,
    subscription_updates,
    saved_searches,
    gift_exchanges,
    challenge_signups,
    challenge_prompts,
    challenge_prompt_tags,
    challenge_assignments,
    challenge_unmatched
);
