//! Seed data shared by the classic and archive profiles: first names,
//! media, the seed additional tags with their synonyms and meta tags, and
//! the title-casing of generated names.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Cass", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonah", "Kira",
    "Leon", "Mara", "Nico", "Oona", "Pavel", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Viktor",
    "Wren", "Xia", "Yusuf", "Zoe",
];
pub(crate) const MEDIA: &[&str] = &[
    "TV",
    "Movies",
    "Video Game",
    "Books",
    "Anime",
    "Comics",
    "Podcast",
];
pub(crate) const FREEFORM_SEEDS: &[&str] = &[
    "Fluff",
    "Angst",
    "Hurt/Comfort",
    "Slow Burn",
    "Alternate Universe",
    "Found Family",
    "Enemies to Lovers",
    "Happy Ending",
    "Canon Divergence",
    "Friendship",
    "Humor",
    "Romance",
    "Coffee Shops & Cafés",
    "Post-Canon",
    "Missing Scene",
];
/// (canonical seed, synonym) pairs, AO3-like. The seeds are the most
/// popular additional tags, so few of them have synonyms, to keep synonym
/// uses to a few percent.
pub(crate) const SEED_SYNONYMS: &[(&str, &str)] = &[
    ("Hurt/Comfort", "h/c"),
    ("Slow Burn", "Slowburn"),
    ("Alternate Universe", "AU"),
    ("Humor", "Humour"),
    ("Coffee Shops & Cafés", "Coffee Shops and Cafés"),
];
/// (meta, sub) pairs among the seeds. With [`DERIVED_META_SEEDS`] they make
/// two-level chains: "Romance" › "Slow Burn" › "Word Slow Burn".
pub(crate) const SEED_METAS: &[(&str, &str)] = &[
    ("Romance", "Slow Burn"),
    ("Romance", "Enemies to Lovers"),
    ("Alternate Universe", "Coffee Shops & Cafés"),
    ("Alternate Universe", "Canon Divergence"),
    ("Friendship", "Found Family"),
];
/// Seeds that are meta tags of the additional tags made from them.
pub(crate) const DERIVED_META_SEEDS: &[&str] = &[
    "Fluff",
    "Angst",
    "Slow Burn",
    "Alternate Universe",
    "Coffee Shops & Cafés",
];

pub(crate) fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
