use super::*;

// --- helpers ----------------------------------------------------------

fn ok(input: &str) -> SearchQuery {
    match parse(input) {
        Ok(q) => q,
        Err(e) => panic!("{input:?} failed: {e:?}"),
    }
}

fn err(input: &str) -> QueryError {
    match parse(input) {
        Ok(q) => panic!("{input:?} parsed as {q:?}, expected an error"),
        Err(e) => e,
    }
}

/// The one term of a query that must hold exactly one plain term.
fn single(input: &str) -> Term {
    let q = ok(input);
    assert!(q.must_not.is_empty(), "{input:?}: {q:?}");
    assert_eq!(q.must.len(), 1, "{input:?}: {q:?}");
    assert_eq!(q.must[0].0.len(), 1, "{input:?}: {q:?}");
    q.must[0].0[0].clone()
}

/// The `must` groups as plain vectors.
fn groups(q: &SearchQuery) -> Vec<Vec<Term>> {
    q.must.iter().map(|g| g.0.clone()).collect()
}

fn w(word: &str) -> Term {
    Term::Word {
        field: None,
        word: word.to_owned(),
    }
}

fn fw(field: TextField, word: &str) -> Term {
    Term::Word {
        field: Some(field),
        word: word.to_owned(),
    }
}

fn ph(words: &[&str]) -> Term {
    Term::Phrase {
        field: None,
        words: words.iter().map(|s| s.to_string()).collect(),
    }
}

fn fph(field: TextField, words: &[&str]) -> Term {
    Term::Phrase {
        field: Some(field),
        words: words.iter().map(|s| s.to_string()).collect(),
    }
}

fn range(field: NumericField, lo: Option<u64>, hi: Option<u64>) -> Term {
    Term::Range { field, lo, hi }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn abs(y: i32, m: u32, d: u32) -> Option<DateBound> {
    Some(DateBound::Absolute(date(y, m, d)))
}

fn ago(days: u32) -> Option<DateBound> {
    Some(DateBound::DaysAgo(days))
}

fn dr(field: DateField, lo: Option<DateBound>, hi: Option<DateBound>) -> Term {
    Term::DateRange { field, lo, hi }
}

fn tag(kind: Option<TagType>, name: &str) -> Term {
    Term::TagName {
        kind,
        name: name.to_owned(),
    }
}

fn bad_number(field: &str, value: &str) -> QueryError {
    QueryError::BadNumber {
        field: field.to_owned(),
        value: value.to_owned(),
    }
}

fn bad_date(field: &str, value: &str) -> QueryError {
    QueryError::BadDate {
        field: field.to_owned(),
        value: value.to_owned(),
    }
}

// --- empty input ------------------------------------------------------

#[test]
fn empty_and_blank_queries_are_empty() {
    for input in [
        "", "   ", "\t\n", "...", "!!! ?? ,", "\"\"", "\"   \"", "🎉",
    ] {
        let q = ok(input);
        assert!(q.is_empty(), "{input:?}: {q:?}");
        assert!(!q.has_terms());
        assert_eq!(q, SearchQuery::default());
    }
}

// --- words ------------------------------------------------------------

#[test]
fn words_are_anded_and_lowercased() {
    let q = ok("Dragon  FIRE\tice");
    assert_eq!(
        groups(&q),
        vec![vec![w("dragon")], vec![w("fire")], vec![w("ice")]]
    );
    assert!(q.must_not.is_empty());
    assert_eq!(q.sort, None);
    assert!(!q.is_empty());
    assert!(q.has_terms());
}

#[test]
fn surrounding_punctuation_is_trimmed() {
    assert_eq!(single("hello,"), w("hello"));
    assert_eq!(single("(world)!"), w("world"));
    assert_eq!(single("¿qué?"), w("qué"));
    assert_eq!(single("«bonjour»"), w("bonjour"));
    assert_eq!(single("don't"), w("don't"));
    assert_eq!(single("slow-burn"), w("slow-burn"));
    assert_eq!(single("M/M"), w("m/m"));
    assert_eq!(single("...and"), w("and"));
    assert_eq!(single("#1"), w("1"));
}

#[test]
fn punctuation_only_words_are_dropped() {
    let q = ok("a ... b !!! — c");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")], vec![w("c")]]);
}

#[test]
fn non_ascii_words_work() {
    assert_eq!(single("Éclair"), w("éclair"));
    assert_eq!(single("Привет!"), w("привет"));
    assert_eq!(single("東京"), w("東京"));
    assert_eq!(single("「東京」"), w("東京"));
    assert_eq!(single("שלום"), w("שלום"));
    assert_eq!(single("مرحبا"), w("مرحبا"));
    assert_eq!(single("ΑΘΗΝΑ"), w("αθηνα"));
    assert_eq!(single("\u{200F}שלום\u{200F}"), w("שלום"));
}

#[test]
fn trailing_combining_marks_are_kept() {
    // A decomposed "café" keeps its accent even before punctuation.
    assert_eq!(single("cafe\u{301},"), w("cafe\u{301}"));
    // Devanagari: a word ending in a virama.
    assert_eq!(single("\u{915}\u{94D}"), w("\u{915}\u{94D}"));
    // A lone combining mark is not a word.
    assert!(ok("\u{301}").is_empty());
}

#[test]
fn control_characters_separate_terms() {
    let q = ok("a\0b\u{7}c\r\nd");
    assert_eq!(
        groups(&q),
        vec![vec![w("a")], vec![w("b")], vec![w("c")], vec![w("d")]]
    );
}

#[test]
fn lowercase_or_is_a_word() {
    let q = ok("a or b");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("or")], vec![w("b")]]);
    let q = ok("a Or b");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("or")], vec![w("b")]]);
    assert_eq!(single("\"OR\""), ph(&["or"]));
    assert_eq!(single("ORACLE"), w("oracle"));
}

#[test]
fn single_bars_are_punctuation() {
    let q = ok("a | b");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
    assert_eq!(single("a|b"), w("a|b"));
}

// --- phrases ----------------------------------------------------------

#[test]
fn phrases_keep_word_order() {
    assert_eq!(single("\"Slow Burn,\""), ph(&["slow", "burn"]));
    assert_eq!(single("\"  a   -- b \""), ph(&["a", "b"]));
    assert_eq!(single("\"one\""), ph(&["one"]));
    let q = ok("\"enemies to lovers\" fluff");
    assert_eq!(
        groups(&q),
        vec![vec![ph(&["enemies", "to", "lovers"])], vec![w("fluff")]]
    );
}

#[test]
fn phrases_may_hold_special_syntax_literally() {
    assert_eq!(
        single("\"title:foo OR || -bar\""),
        ph(&["title:foo", "or", "bar"])
    );
    assert_eq!(single("\"words>5\""), ph(&["words>5"]));
}

#[test]
fn closing_quote_ends_the_term() {
    let q = ok("\"a b\"c");
    assert_eq!(groups(&q), vec![vec![ph(&["a", "b"])], vec![w("c")]]);
    let q = ok("\"a b\"-c");
    assert_eq!(groups(&q), vec![vec![ph(&["a", "b"])]]);
    assert_eq!(q.must_not, vec![w("c")]);
}

#[test]
fn empty_phrases_are_dropped() {
    let q = ok("a \"\" b \"  \" \"?!\"");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
}

#[test]
fn quotes_inside_words_are_literal() {
    let q = ok("12\" tall");
    assert_eq!(groups(&q), vec![vec![w("12")], vec![w("tall")]]);
    assert_eq!(single("5'11\""), w("5'11"));
    assert_eq!(single("say\"what"), w("say\"what"));
}

#[test]
fn unclosed_quotes_are_errors() {
    for input in [
        "\"",
        "\"abc",
        "a \"b c",
        "title:\"abc",
        "-\"abc",
        "\"a\" \"b",
        "\"\"\"",
        "foo:\"x",
    ] {
        assert_eq!(err(input), QueryError::UnclosedQuote, "{input:?}");
    }
}

// --- text fields ------------------------------------------------------

#[test]
fn text_field_names_and_aliases() {
    let cases = [
        ("title", TextField::Title),
        ("creator", TextField::Creators),
        ("creators", TextField::Creators),
        ("author", TextField::Creators),
        ("authors", TextField::Creators),
        ("by", TextField::Creators),
        ("summary", TextField::Summary),
        ("notes", TextField::Notes),
        ("tags", TextField::Tags),
        ("text", TextField::Body),
        ("body", TextField::Body),
        ("content", TextField::Body),
        ("series", TextField::Series),
    ];
    for (name, field) in cases {
        assert_eq!(
            single(&format!("{name}:Dragon!")),
            fw(field, "dragon"),
            "{name}"
        );
        assert_eq!(
            single(&format!("{name}:\"Dragon Fire\"")),
            fph(field, &["dragon", "fire"]),
            "{name}"
        );
        let upper = name.to_uppercase();
        assert_eq!(single(&format!("{upper}:x")), fw(field, "x"), "{upper}");
    }
}

#[test]
fn text_field_values_keep_inner_colons() {
    assert_eq!(single("title:Re:Zero"), fw(TextField::Title, "re:zero"));
    assert_eq!(single("title:>_<x"), fw(TextField::Title, "x"));
}

#[test]
fn text_field_with_punctuation_only_value_is_dropped() {
    assert!(ok("title:!!!").is_empty());
    assert!(ok("title:\"?? !!\"").is_empty());
}

#[test]
fn text_fields_refuse_comparisons() {
    assert_eq!(
        err("title>foo"),
        QueryError::BadComparison {
            field: "title".into()
        }
    );
    assert_eq!(
        err("Summary<=x"),
        QueryError::BadComparison {
            field: "Summary".into()
        }
    );
}

#[test]
fn unknown_fields_are_plain_text() {
    assert_eq!(single("foo:bar"), w("foo:bar"));
    assert_eq!(single("Re:Zero"), w("re:zero"));
    assert_eq!(single("http://example.org/"), w("http://example.org"));
    assert_eq!(single("12:30"), w("12:30"));
    assert_eq!(single(":b"), w("b"));
    assert_eq!(single("a:"), w("a"));
    assert_eq!(single("foo>3"), w("foo>3"));
    assert_eq!(single("foo:\"bar baz\""), ph(&["foo:bar", "baz"]));
    assert_eq!(single("words"), w("words"));
    // Not a field name (names start with a letter); `_` is trimmed.
    assert_eq!(single("_title:x"), w("title:x"));
}

#[test]
fn empty_values_are_errors() {
    for (input, field) in [
        ("title:", "title"),
        ("Title:", "Title"),
        ("title:\"\"", "title"),
        ("fandom:\"  \"", "fandom"),
        ("tag:", "tag"),
        ("rating:", "rating"),
        ("lang:", "lang"),
        ("words>", "words"),
        ("words:", "words"),
        ("kudos:>=", "kudos"),
        ("posted<", "posted"),
        ("complete:", "complete"),
        ("sort:", "sort"),
        ("a title: b", "title"),
    ] {
        assert_eq!(
            err(input),
            QueryError::EmptyValue(field.into()),
            "{input:?}"
        );
    }
}

// --- tags, rating, language -------------------------------------------

#[test]
fn tag_fields_are_exact_names() {
    let cases = [
        ("tag", None),
        ("fandom", Some(TagType::Fandom)),
        ("character", Some(TagType::Character)),
        ("relationship", Some(TagType::Relationship)),
        ("ship", Some(TagType::Relationship)),
        ("freeform", Some(TagType::Freeform)),
        ("additional", Some(TagType::Freeform)),
        ("warning", Some(TagType::ArchiveWarning)),
        ("category", Some(TagType::Category)),
    ];
    for (name, kind) in cases {
        assert_eq!(
            single(&format!("{name}:Angst")),
            tag(kind, "Angst"),
            "{name}"
        );
        assert_eq!(
            single(&format!("{name}:\"  Star   Wars \"")),
            tag(kind, "Star Wars"),
            "{name}"
        );
    }
    // Tag names keep their case and punctuation.
    assert_eq!(
        single("relationship:Harry/Draco"),
        tag(Some(TagType::Relationship), "Harry/Draco")
    );
    assert_eq!(
        single("freeform:\"Yuri!!! on Ice\""),
        tag(Some(TagType::Freeform), "Yuri!!! on Ice")
    );
    assert_eq!(single("category:F/M"), tag(Some(TagType::Category), "F/M"));
    // `tags:` is full text, `tag:` exact.
    assert_eq!(single("tags:Angst"), fw(TextField::Tags, "angst"));
    assert_eq!(single("TAG:Angst"), tag(None, "Angst"));
}

#[test]
fn tag_fields_refuse_comparisons_but_colon_values_are_literal() {
    assert_eq!(
        err("fandom>x"),
        QueryError::BadComparison {
            field: "fandom".into()
        }
    );
    assert_eq!(single("tag:<3"), tag(None, "<3"));
}

#[test]
fn rating_is_kept_as_text() {
    assert_eq!(single("rating:explicit"), Term::Rating("explicit".into()));
    assert_eq!(
        single("Rating:\" General  Audiences \""),
        Term::Rating("General Audiences".into())
    );
    assert_eq!(single("rating:teen"), Term::Rating("teen".into()));
}

#[test]
fn language_is_kept_as_text() {
    assert_eq!(single("language:en"), Term::Language("en".into()));
    assert_eq!(single("lang:Français"), Term::Language("Français".into()));
    assert_eq!(
        single("lang:\" Português  Brasileiro\""),
        Term::Language("Português Brasileiro".into())
    );
}

// --- flags ------------------------------------------------------------

#[test]
fn flags_take_yes_or_no() {
    let fields = [
        ("complete", FlagField::Complete),
        ("crossover", FlagField::Crossover),
        ("single_chapter", FlagField::SingleChapter),
        ("oneshot", FlagField::SingleChapter),
        ("restricted", FlagField::Restricted),
    ];
    let values = [
        ("true", true),
        ("yes", true),
        ("t", true),
        ("y", true),
        ("1", true),
        ("YES", true),
        ("True", true),
        ("false", false),
        ("no", false),
        ("f", false),
        ("n", false),
        ("0", false),
        ("NO", false),
    ];
    for (name, field) in fields {
        for (typed, value) in values {
            assert_eq!(
                single(&format!("{name}:{typed}")),
                Term::Flag { field, value },
                "{name}:{typed}"
            );
        }
    }
    assert_eq!(
        single("complete:\"yes\""),
        Term::Flag {
            field: FlagField::Complete,
            value: true
        }
    );
}

#[test]
fn bad_flags_are_errors() {
    assert_eq!(
        err("complete:maybe"),
        QueryError::BadFlag {
            field: "complete".into(),
            value: "maybe".into()
        }
    );
    assert_eq!(
        err("Crossover:2"),
        QueryError::BadFlag {
            field: "Crossover".into(),
            value: "2".into()
        }
    );
    assert_eq!(
        err("complete:>yes"),
        QueryError::BadFlag {
            field: "complete".into(),
            value: ">yes".into()
        }
    );
    assert_eq!(
        err("complete>yes"),
        QueryError::BadComparison {
            field: "complete".into()
        }
    );
}

// --- numbers ----------------------------------------------------------

#[test]
fn number_comparisons() {
    use NumericField::*;
    assert_eq!(single("words>1000"), range(Words, Some(1001), None));
    assert_eq!(single("words>=1000"), range(Words, Some(1000), None));
    assert_eq!(single("words<1000"), range(Words, None, Some(999)));
    assert_eq!(single("words<=1000"), range(Words, None, Some(1000)));
    assert_eq!(single("kudos:5"), range(Kudos, Some(5), Some(5)));
    // AO3 style, comparison after the colon.
    assert_eq!(single("kudos:>100"), range(Kudos, Some(101), None));
    assert_eq!(single("kudos:>=100"), range(Kudos, Some(100), None));
    assert_eq!(single("kudos:<100"), range(Kudos, None, Some(99)));
    assert_eq!(single("kudos:<=100"), range(Kudos, None, Some(100)));
}

#[test]
fn number_ranges() {
    use NumericField::*;
    assert_eq!(single("hits:100-500"), range(Hits, Some(100), Some(500)));
    assert_eq!(single("hits:100..500"), range(Hits, Some(100), Some(500)));
    assert_eq!(single("words:1000-"), range(Words, Some(1000), None));
    assert_eq!(single("words:1000.."), range(Words, Some(1000), None));
    assert_eq!(single("words:-500"), range(Words, None, Some(500)));
    assert_eq!(single("words:..500"), range(Words, None, Some(500)));
    assert_eq!(
        single("words:1.5k..2.5k"),
        range(Words, Some(1500), Some(2500))
    );
    assert_eq!(
        single("words:1,000-5,000"),
        range(Words, Some(1000), Some(5000))
    );
    // Reversed ranges are kept as typed.
    assert_eq!(single("hits:500-100"), range(Hits, Some(500), Some(100)));
}

#[test]
fn number_field_names_and_aliases() {
    use NumericField::*;
    let cases = [
        ("words", Words),
        ("word_count", Words),
        ("kudos", Kudos),
        ("kudos_count", Kudos),
        ("hits", Hits),
        ("comments", Comments),
        ("comments_count", Comments),
        ("bookmarks", Bookmarks),
        ("bookmarks_count", Bookmarks),
        ("chapters", Chapters),
        ("WORDS", Words),
    ];
    for (name, field) in cases {
        assert_eq!(
            single(&format!("{name}>3")),
            range(field, Some(4), None),
            "{name}"
        );
    }
}

#[test]
fn number_formats() {
    use NumericField::*;
    assert_eq!(single("words>1,000"), range(Words, Some(1001), None));
    assert_eq!(
        single("words>=1,234,567"),
        range(Words, Some(1_234_567), None)
    );
    assert_eq!(single("words>=10k"), range(Words, Some(10_000), None));
    assert_eq!(single("words>=10K"), range(Words, Some(10_000), None));
    assert_eq!(single("words>=1.5k"), range(Words, Some(1_500), None));
    assert_eq!(single("words>=1.25k"), range(Words, Some(1_250), None));
    assert_eq!(single("words>=0.125k"), range(Words, Some(125), None));
    assert_eq!(single("hits>=2m"), range(Hits, Some(2_000_000), None));
    assert_eq!(single("hits>=1.5M"), range(Hits, Some(1_500_000), None));
    assert_eq!(single("hits>=1,000k"), range(Hits, Some(1_000_000), None));
    assert_eq!(single("words:007"), range(Words, Some(7), Some(7)));
    assert_eq!(single("words:\"5\""), range(Words, Some(5), Some(5)));
}

#[test]
fn bad_numbers_are_errors() {
    for value in [
        "abc", "1,00", "1,0000", "1234,567", ",100", "100,", "1,,000", "1.5", "1.", ".5k",
        "1.2345k", "1.k", "10kk", "k", "1e3", "５", "-", "..", "1-2-3", "1..2..3", "+5", "5 6",
        "１０",
    ] {
        assert_eq!(
            err(&format!("words:\"{value}\"")),
            bad_number("words", value),
            "{value:?}"
        );
    }
    for value in ["5-10", "5..10", "-5", "abc", ">5", "5k-"] {
        assert_eq!(
            err(&format!("words>{value}")),
            bad_number("words", value),
            "{value:?}"
        );
    }
    assert_eq!(err("words>>5"), bad_number("words", ">5"));
    assert_eq!(err("Kudos<x"), bad_number("Kudos", "x"));
}

#[test]
fn number_overflow_never_panics() {
    use NumericField::*;
    let max = u64::MAX;
    assert_eq!(
        err("words:99999999999999999999"),
        bad_number("words", "99999999999999999999")
    );
    assert_eq!(
        err("words>18446744073709551616"),
        bad_number("words", "18446744073709551616")
    );
    assert_eq!(
        err("words>=18446744073709552k"),
        bad_number("words", "18446744073709552k")
    );
    assert_eq!(
        err("hits>99999999999999m"),
        bad_number("hits", "99999999999999m")
    );
    assert_eq!(
        single("words>=18446744073709551615"),
        range(Words, Some(max), None)
    );
    assert_eq!(
        single("words<=18,446,744,073,709,551,615"),
        range(Words, None, Some(max))
    );
    assert_eq!(
        single("words:18446744073709551615"),
        range(Words, Some(max), Some(max))
    );
    // Comparisons nothing can satisfy give the empty range.
    assert_eq!(
        single("words>18446744073709551615"),
        range(Words, Some(1), Some(0))
    );
    assert_eq!(single("kudos<0"), range(Kudos, Some(1), Some(0)));
    assert_eq!(single("kudos<=0"), range(Kudos, None, Some(0)));
    assert_eq!(single("kudos>0"), range(Kudos, Some(1), None));
}

// --- dates ------------------------------------------------------------

#[test]
fn absolute_date_comparisons() {
    use DateField::*;
    assert_eq!(
        single("posted>2020-01-01"),
        dr(Posted, abs(2020, 1, 2), None)
    );
    assert_eq!(
        single("posted>=2020-01-01"),
        dr(Posted, abs(2020, 1, 1), None)
    );
    assert_eq!(
        single("posted<2020-01-01"),
        dr(Posted, None, abs(2019, 12, 31))
    );
    assert_eq!(
        single("posted<=2020-01-01"),
        dr(Posted, None, abs(2020, 1, 1))
    );
    assert_eq!(
        single("updated>2020-12-31"),
        dr(Updated, abs(2021, 1, 1), None)
    );
    assert_eq!(
        single("updated<2021-06-30"),
        dr(Updated, None, abs(2021, 6, 29))
    );
    assert_eq!(
        single("updated:>2020-02-28"),
        dr(Updated, abs(2020, 2, 29), None)
    );
    assert_eq!(
        single("updated:<2021-03-01"),
        dr(Updated, None, abs(2021, 2, 28))
    );
    assert_eq!(
        single("posted:2020-01-01"),
        dr(Posted, abs(2020, 1, 1), abs(2020, 1, 1))
    );
    assert_eq!(
        single("posted:2020-1-5"),
        dr(Posted, abs(2020, 1, 5), abs(2020, 1, 5))
    );
}

#[test]
fn date_ranges() {
    use DateField::*;
    assert_eq!(
        single("updated:2020-01-01..2020-12-31"),
        dr(Updated, abs(2020, 1, 1), abs(2020, 12, 31))
    );
    assert_eq!(
        single("updated:2020-01-01.."),
        dr(Updated, abs(2020, 1, 1), None)
    );
    assert_eq!(
        single("updated:..2020-12-31"),
        dr(Updated, None, abs(2020, 12, 31))
    );
    assert_eq!(single("updated:30d..7d"), dr(Updated, ago(30), ago(7)));
    assert_eq!(
        single("updated:2020-01-01..1w"),
        dr(Updated, abs(2020, 1, 1), ago(7))
    );
    assert_eq!(single("updated:1y.."), dr(Updated, ago(365), None));
}

#[test]
fn relative_dates() {
    use DateField::*;
    assert_eq!(single("updated>2w"), dr(Updated, ago(14), None));
    assert_eq!(single("updated>=2w"), dr(Updated, ago(14), None));
    assert_eq!(single("updated<2w"), dr(Updated, None, ago(14)));
    assert_eq!(single("updated<=2w"), dr(Updated, None, ago(14)));
    assert_eq!(single("posted>30d"), dr(Posted, ago(30), None));
    assert_eq!(single("posted>6m"), dr(Posted, ago(180), None));
    assert_eq!(single("updated>1y"), dr(Updated, ago(365), None));
    assert_eq!(single("updated>2W"), dr(Updated, ago(14), None));
    assert_eq!(single("updated>0d"), dr(Updated, ago(0), None));
    // A bare age means "within the last".
    assert_eq!(single("updated:1w"), dr(Updated, ago(7), None));
}

#[test]
fn date_field_names_and_aliases() {
    use DateField::*;
    for (name, field) in [
        ("posted", Posted),
        ("published", Posted),
        ("created", Posted),
        ("created_at", Posted),
        ("updated", Updated),
        ("revised", Updated),
        ("revised_at", Updated),
        ("Updated", Updated),
    ] {
        assert_eq!(
            single(&format!("{name}>1d")),
            dr(field, ago(1), None),
            "{name}"
        );
    }
}

#[test]
fn dates_are_validated() {
    use DateField::*;
    assert_eq!(
        single("posted:2020-02-29"),
        dr(Posted, abs(2020, 2, 29), abs(2020, 2, 29))
    );
    assert_eq!(
        single("posted:2000-02-29"),
        dr(Posted, abs(2000, 2, 29), abs(2000, 2, 29))
    );
    for value in [
        "2021-02-29",
        "1900-02-29",
        "2021-13-01",
        "2021-00-10",
        "2021-04-31",
        "2021-01-00",
        "2021-01-32",
        "20-01-01",
        "02021-01-01",
        "2021-001-01",
        "2021-01",
        "2021",
        "2021/01/01",
        "2021-01-01-01",
        "2020-01-01-2020-12-31", // date ranges use `..`
        "soon",
        "2x",
        "w",
        "d",
        "-3d",
        "3.5d",
        "99999999999y",
        "4294967296d",
        "..",
        "2020-01-01..2020-02-01..2020-03-01",
        "today",
    ] {
        assert_eq!(
            err(&format!("posted:\"{value}\"")),
            bad_date("posted", value),
            "{value:?}"
        );
    }
    assert_eq!(err("updated>2w..1w"), bad_date("updated", "2w..1w"));
    assert_eq!(err("updated>>2w"), bad_date("updated", ">2w"));
}

#[test]
fn date_bounds_resolve_against_today() {
    let today = date(2024, 3, 1);
    assert_eq!(DateBound::DaysAgo(14).resolve(today), date(2024, 2, 16));
    assert_eq!(DateBound::DaysAgo(1).resolve(today), date(2024, 2, 29));
    assert_eq!(DateBound::DaysAgo(0).resolve(today), today);
    assert_eq!(DateBound::DaysAgo(365).resolve(today), date(2023, 3, 2));
    assert_eq!(
        DateBound::Absolute(date(2001, 9, 9)).resolve(today),
        date(2001, 9, 9)
    );
    assert_eq!(DateBound::DaysAgo(u32::MAX).resolve(today), NaiveDate::MIN);
}

// --- OR ---------------------------------------------------------------

#[test]
fn or_joins_neighbours() {
    let q = ok("a OR b");
    assert_eq!(groups(&q), vec![vec![w("a"), w("b")]]);
    assert_eq!(ok("a || b"), q);
    assert_eq!(ok("a||b"), q);
    assert_eq!(ok("a ||b"), q);
    let q = ok("a b OR c d");
    assert_eq!(
        groups(&q),
        vec![vec![w("a")], vec![w("b"), w("c")], vec![w("d")]]
    );
    let q = ok("a OR b || c OR d");
    assert_eq!(groups(&q), vec![vec![w("a"), w("b"), w("c"), w("d")]]);
    let q = ok("a OR b c OR d");
    assert_eq!(groups(&q), vec![vec![w("a"), w("b")], vec![w("c"), w("d")]]);
}

#[test]
fn or_joins_any_kind_of_term() {
    let q = ok("\"a b\" OR title:c || fandom:\"Star Wars\" OR words>5");
    assert_eq!(
        groups(&q),
        vec![vec![
            ph(&["a", "b"]),
            fw(TextField::Title, "c"),
            tag(Some(TagType::Fandom), "Star Wars"),
            range(NumericField::Words, Some(6), None),
        ]]
    );
    let q = ok("\"a b\"||\"c d\"");
    assert_eq!(groups(&q), vec![vec![ph(&["a", "b"]), ph(&["c", "d"])]]);
    let q = ok("\"a b\"OR c");
    assert_eq!(groups(&q), vec![vec![ph(&["a", "b"]), w("c")]]);
}

#[test]
fn dangling_or_is_an_error() {
    for input in [
        "OR",
        "||",
        "OR a",
        "|| a",
        "a OR",
        "a ||",
        "a OR OR b",
        "a || || b",
        "a OR || b",
        "a ||||b",
        "a OR sort:kudos",
        "sort:kudos OR a",
        "sort:kudos || a",
        "a OR !!!",
        "a OR \"\"",
        "OR OR",
    ] {
        assert_eq!(err(input), QueryError::DanglingOr, "{input:?}");
    }
}

#[test]
fn dropped_terms_vanish_before_or() {
    let q = ok("a OR !!! b");
    assert_eq!(groups(&q), vec![vec![w("a"), w("b")]]);
}

// --- exclusion --------------------------------------------------------

#[test]
fn minus_excludes() {
    let q = ok("a -b c");
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("c")]]);
    assert_eq!(q.must_not, vec![w("b")]);

    let q = ok(
        "-\"Major Character Death\" -title:Dragon -complete:no -words>100k -fandom:\"Star Wars\"",
    );
    assert!(q.must.is_empty());
    assert_eq!(
        q.must_not,
        vec![
            ph(&["major", "character", "death"]),
            fw(TextField::Title, "dragon"),
            Term::Flag {
                field: FlagField::Complete,
                value: false
            },
            range(NumericField::Words, Some(100_001), None),
            tag(Some(TagType::Fandom), "Star Wars"),
        ]
    );
    assert!(!q.is_empty());
    assert!(q.has_terms());
}

#[test]
fn only_the_first_minus_negates() {
    let q = ok("--a");
    assert!(q.must.is_empty());
    assert_eq!(q.must_not, vec![w("a")]);
    let q = ok("-OR");
    assert_eq!(q.must_not, vec![w("or")]);
}

#[test]
fn hyphens_inside_words_are_kept() {
    assert_eq!(single("slow-burn"), w("slow-burn"));
    assert_eq!(single("non-con-"), w("non-con"));
    assert_eq!(single("x-"), w("x"));
    let q = ok("-slow-burn");
    assert_eq!(q.must_not, vec![w("slow-burn")]);
}

#[test]
fn empty_exclusions_are_errors() {
    for input in [
        "-",
        "a - b",
        "a -",
        "-!!!",
        "-\"\"",
        "-\" ? \"",
        "--",
        "-title:!!!",
        "-||a",
    ] {
        assert_eq!(err(input), QueryError::EmptyExclusion, "{input:?}");
    }
}

#[test]
fn excluded_terms_cannot_be_alternatives() {
    for input in [
        "a OR -b",
        "-a OR b",
        "-a || b",
        "a||-b",
        "a OR b OR -c",
        "-\"x y\" OR z",
    ] {
        assert_eq!(err(input), QueryError::NegatedAlternative, "{input:?}");
    }
}

// --- sort -------------------------------------------------------------

#[test]
fn sort_directives() {
    let q = ok("sort:kudos");
    assert_eq!(q.sort, Some((SortColumn::Kudos, None)));
    assert!(!q.has_terms());
    assert!(!q.is_empty());
    assert_eq!(
        q.effective_sort(),
        Some((SortColumn::Kudos, SortDirection::Desc))
    );

    let q = ok("dragon Sort:TITLE:DESC");
    assert_eq!(groups(&q), vec![vec![w("dragon")]]);
    assert_eq!(q.sort, Some((SortColumn::Title, Some(SortDirection::Desc))));
    assert_eq!(
        q.effective_sort(),
        Some((SortColumn::Title, SortDirection::Desc))
    );

    assert_eq!(
        ok("sort:title").effective_sort(),
        Some((SortColumn::Title, SortDirection::Asc))
    );
    assert_eq!(
        ok("sort:hits:ascending").sort,
        Some((SortColumn::Hits, Some(SortDirection::Asc)))
    );
    assert_eq!(ok("sort:kudos_count").sort, Some((SortColumn::Kudos, None)));
    assert_eq!(ok("sort:\"words\"").sort, Some((SortColumn::Words, None)));
    assert_eq!(ok("a").effective_sort(), None);
}

#[test]
fn last_sort_wins() {
    let q = ok("sort:kudos a sort:hits:asc b sort:updated");
    assert_eq!(q.sort, Some((SortColumn::Updated, None)));
    assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
}

#[test]
fn every_sort_word_is_understood() {
    let cases = [
        ("score", SortColumn::BestMatch),
        ("relevance", SortColumn::BestMatch),
        ("best", SortColumn::BestMatch),
        ("creator", SortColumn::Creator),
        ("creators", SortColumn::Creator),
        ("author", SortColumn::Creator),
        ("title", SortColumn::Title),
        ("posted", SortColumn::Posted),
        ("published", SortColumn::Posted),
        ("created", SortColumn::Posted),
        ("updated", SortColumn::Updated),
        ("revised", SortColumn::Updated),
        ("words", SortColumn::Words),
        ("word_count", SortColumn::Words),
        ("hits", SortColumn::Hits),
        ("kudos", SortColumn::Kudos),
        ("comments", SortColumn::Comments),
        ("bookmarks", SortColumn::Bookmarks),
        ("KUDOS", SortColumn::Kudos),
        (" Kudos ", SortColumn::Kudos),
    ];
    for (word, column) in cases {
        assert_eq!(SortColumn::from_query_word(word), Some(column), "{word:?}");
    }
    for column in SortColumn::ALL {
        assert_eq!(
            SortColumn::from_query_word(column.ao3_param()),
            Some(column)
        );
    }
    assert_eq!(SortColumn::from_query_word("foo"), None);
    assert_eq!(SortColumn::from_query_word(""), None);
}

#[test]
fn bad_sorts_are_errors() {
    assert_eq!(err("sort:foo"), QueryError::UnknownSort("foo".into()));
    assert_eq!(err("sort:foo:asc"), QueryError::UnknownSort("foo".into()));
    assert_eq!(err("sort::asc"), QueryError::UnknownSort("".into()));
    assert_eq!(
        err("sort:kudos:up"),
        QueryError::UnknownSortDirection("up".into())
    );
    assert_eq!(
        err("sort:kudos:"),
        QueryError::UnknownSortDirection("".into())
    );
    assert_eq!(
        err("sort:kudos:asc:x"),
        QueryError::UnknownSortDirection("asc:x".into())
    );
    assert_eq!(err("-sort:kudos"), QueryError::NegatedSort);
    assert_eq!(
        err("sort>kudos"),
        QueryError::BadComparison {
            field: "sort".into()
        }
    );
}

#[test]
fn sort_column_helpers() {
    assert_eq!(SortColumn::ALL.len(), 10);
    let params: Vec<&str> = SortColumn::ALL.iter().map(|c| c.ao3_param()).collect();
    assert_eq!(
        params,
        [
            "_score",
            "authors_to_sort_on",
            "title_to_sort_on",
            "created_at",
            "revised_at",
            "word_count",
            "hits",
            "kudos_count",
            "comments_count",
            "bookmarks_count"
        ]
    );
    for column in SortColumn::ALL {
        assert_eq!(SortColumn::from_ao3_param(column.ao3_param()), Some(column));
    }
    assert_eq!(SortColumn::from_ao3_param("kudos"), None);
    assert_eq!(SortColumn::from_ao3_param("KUDOS_COUNT"), None);
    let labels: Vec<&str> = SortColumn::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(
        labels,
        [
            "Best Match",
            "Creator",
            "Title",
            "Date Posted",
            "Date Updated",
            "Word Count",
            "Hits",
            "Kudos",
            "Comments",
            "Bookmarks"
        ]
    );
    for column in SortColumn::ALL {
        let expected = match column {
            SortColumn::Creator | SortColumn::Title => SortDirection::Asc,
            _ => SortDirection::Desc,
        };
        assert_eq!(column.default_direction(), expected, "{column:?}");
    }
}

#[test]
fn sort_direction_helpers() {
    assert_eq!(SortDirection::Asc.param(), "asc");
    assert_eq!(SortDirection::Desc.param(), "desc");
    assert_eq!(SortDirection::parse("asc"), Some(SortDirection::Asc));
    assert_eq!(SortDirection::parse(" DESC "), Some(SortDirection::Desc));
    assert_eq!(SortDirection::parse("Ascending"), Some(SortDirection::Asc));
    assert_eq!(
        SortDirection::parse("descending"),
        Some(SortDirection::Desc)
    );
    assert_eq!(SortDirection::parse("up"), None);
    assert_eq!(SortDirection::parse(""), None);
    assert_eq!(SortDirection::Asc.reversed(), SortDirection::Desc);
    assert_eq!(SortDirection::Desc.reversed(), SortDirection::Asc);
    for d in [SortDirection::Asc, SortDirection::Desc] {
        assert_eq!(SortDirection::parse(d.param()), Some(d));
        assert_eq!(d.reversed().reversed(), d);
    }
}

// --- limits -----------------------------------------------------------

#[test]
fn length_limit_counts_characters() {
    assert!(parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
    assert_eq!(err(&"a".repeat(MAX_QUERY_CHARS + 1)), QueryError::TooLong);
    // Characters, not bytes.
    assert!(parse(&"é".repeat(MAX_QUERY_CHARS)).is_ok());
    assert_eq!(err(&"é".repeat(MAX_QUERY_CHARS + 1)), QueryError::TooLong);
    // Surrounding whitespace does not count.
    let padded = format!("   {}   ", "a".repeat(MAX_QUERY_CHARS));
    assert!(parse(&padded).is_ok());
    assert_eq!(err(&"x ".repeat(1000)), QueryError::TooLong);
}

#[test]
fn term_limit() {
    let at_limit = vec!["a"; MAX_TERMS].join(" ");
    assert_eq!(ok(&at_limit).must.len(), MAX_TERMS);
    let over = vec!["a"; MAX_TERMS + 1].join(" ");
    assert_eq!(err(&over), QueryError::TooManyTerms);
    // Alternatives and exclusions count; sorts and dropped words do not.
    let ors = vec!["a"; MAX_TERMS + 1].join(" OR ");
    assert_eq!(err(&ors), QueryError::TooManyTerms);
    let nots = vec!["-a"; MAX_TERMS + 1].join(" ");
    assert_eq!(err(&nots), QueryError::TooManyTerms);
    let mixed = format!("{} sort:kudos ... !!! \"\"", vec!["a"; MAX_TERMS].join(" "));
    assert!(parse(&mixed).is_ok());
}

// --- combinations -----------------------------------------------------

#[test]
fn a_realistic_query() {
    let q = ok(
        "fandom:\"Star Wars\" -crossover:yes words>10k \"slow burn\" enemies OR rivals \
         -\"major character death\" complete:yes sort:kudos:desc updated>1y lang:en rating:teen",
    );
    assert_eq!(
        q,
        SearchQuery {
            must: vec![
                Alternatives(vec![tag(Some(TagType::Fandom), "Star Wars")]),
                Alternatives(vec![range(NumericField::Words, Some(10_001), None)]),
                Alternatives(vec![ph(&["slow", "burn"])]),
                Alternatives(vec![w("enemies"), w("rivals")]),
                Alternatives(vec![Term::Flag {
                    field: FlagField::Complete,
                    value: true
                }]),
                Alternatives(vec![dr(DateField::Updated, ago(365), None)]),
                Alternatives(vec![Term::Language("en".into())]),
                Alternatives(vec![Term::Rating("teen".into())]),
            ],
            must_not: vec![
                Term::Flag {
                    field: FlagField::Crossover,
                    value: true
                },
                ph(&["major", "character", "death"]),
            ],
            sort: Some((SortColumn::Kudos, Some(SortDirection::Desc))),
        }
    );
}

#[test]
fn first_error_wins() {
    assert_eq!(err("words>x complete:maybe"), bad_number("words", "x"));
    assert_eq!(
        err("complete:maybe words>x"),
        QueryError::BadFlag {
            field: "complete".into(),
            value: "maybe".into()
        }
    );
    // Quotes are checked before anything else.
    assert_eq!(err("words>x \"open"), QueryError::UnclosedQuote);
}

// --- messages ---------------------------------------------------------

#[test]
fn messages_are_for_readers() {
    let msg = bad_number("words", "lots").to_string();
    assert!(msg.contains("lots") && msg.contains("words>1000"), "{msg}");
    let msg = bad_date("posted", "soon").to_string();
    assert!(msg.contains("soon") && msg.contains("2021-06-30"), "{msg}");
    let msg = QueryError::TooLong.to_string();
    assert!(msg.contains("1000"), "{msg}");
    let msg = QueryError::TooManyTerms.to_string();
    assert!(msg.contains("64"), "{msg}");
    let msg = QueryError::UnknownSort("foo".into()).to_string();
    assert!(msg.contains("foo") && msg.contains("sort:kudos"), "{msg}");
    let msg = QueryError::EmptyValue("title".into()).to_string();
    assert!(msg.contains("title"), "{msg}");
    for e in [
        QueryError::UnclosedQuote,
        QueryError::DanglingOr,
        QueryError::EmptyExclusion,
        QueryError::NegatedAlternative,
        QueryError::NegatedSort,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

// --- robustness -------------------------------------------------------

#[test]
fn odd_inputs_never_panic() {
    let long = "x".repeat(2000);
    let long_words = "ab ".repeat(700);
    let odd = [
        "\"",
        "\"\"",
        "\"\"\"",
        "'",
        "OR",
        "||",
        "|||",
        "||||",
        "-",
        "--",
        "---",
        "- -",
        "a:",
        ":b",
        ":",
        "::",
        ":::",
        "words>",
        "words>>5",
        "words<<",
        "words>=<5",
        "words:-",
        "words:--",
        "words:..",
        "words:...",
        "words:1..-2",
        "posted:..",
        "posted:...",
        "posted>-",
        "sort:",
        "sort::",
        "sort:::",
        "-sort:",
        "title:\"",
        "title:\"\"\"",
        "\"a\"b\"c\"",
        "a\"",
        "-\"",
        "-:",
        "🎉",
        "🎉🎉 OR 🎉",
        "👩‍👩‍👧‍👦",
        "title:🎉",
        "words>🎉",
        "posted>🎉",
        "sort:🎉",
        "sort:kudos:🎉",
        "שלום עולם",
        "مرحبا OR سلام",
        "\u{202E}gnp.exe",
        "\u{200F}-\u{200F}",
        "\0",
        "\0\0\0",
        "a\0:b",
        "title\0:x",
        "-\0a",
        "\u{FEFF}",
        "\u{FFFF}",
        "\u{10FFFF}",
        "a\u{301}",
        "\u{301}\u{301}",
        "x:\u{301}",
        "é:é",
        "É:\"é\"",
        "ß:ß",
        "İ",
        "ﬁ",
        "words>1,",
        "words>,",
        "words>1.",
        "words>.k",
        "words>k",
        "words>m",
        "words>1.5",
        "words>9.999999m",
        "words>1.0000001m",
        "updated>99999999999999999999y",
        "updated>4294967295d",
        "updated>4294967295y",
        "posted:9999-12-31",
        "posted>9999-12-31",
        "posted<0000-01-01",
        "posted:0000-01-01",
        "complete:",
        "complete:🎉",
        "lang:\u{0}",
        "tag:\"\u{0}\"",
        "a OR -",
        "- OR a",
        long.as_str(),
        long_words.as_str(),
    ];
    for input in odd {
        let _ = parse(input);
    }
}

#[test]
fn every_prefix_and_suffix_parses_without_panic() {
    let samples = [
        "fandom:\"Star Wars\" -crossover:yes words>10k \"slow burn\" enemies OR rivals || x \
         -\"major character death\" complete:yes sort:kudos:desc updated:2020-01-01..2w",
        "ΑΘΗΝΑ title:\"東京 物語\" -lang:日本語 kudos:1,000-2.5k posted<=2020-02-29 🎉 ||🎉",
    ];
    for sample in samples {
        for (i, _) in sample.char_indices() {
            let _ = parse(&sample[..i]);
            let _ = parse(&sample[i..]);
        }
    }
}

#[test]
fn single_characters_never_panic() {
    for c in (0u32..0x3100)
        .chain(0xFE00..0xFFFF)
        .filter_map(char::from_u32)
    {
        for input in [
            format!("{c}"),
            format!("-{c}"),
            format!("words>{c}"),
            format!("title:{c}"),
            format!("\"{c}\""),
            format!("a{c}b"),
            format!("{c}:{c}"),
        ] {
            let _ = parse(&input);
        }
    }
}
