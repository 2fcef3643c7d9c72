//! Gifts and posting into collections over HTTP: the work form's "Gift
//! this work to" (consent, blocks, names that are not accounts), the
//! work page's "For …", the recipient's gifts page, refusing and
//! accepting again, an edit keeping the gifts — and a work posted
//! straight into an unrevealed collection, which its creator's
//! subscribers do not hear of until the reveal.

mod support;

use std::time::Duration;

use support::{Browser, count, serve, signup, text};

/// Posts a work through the form with `extra` fields; the response.
fn post(
    b: &mut Browser,
    server: &ficus_testkit::ServerProcess,
    title: &str,
    extra: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let form = b.page(&server.url("/works/new"));
    let pseud =
        support::attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let mut fields = vec![
        ("work[title]", title),
        ("work[pseud_ids][]", pseud.as_str()),
        ("work[rating_string]", "General Audiences"),
        (
            "work[archive_warning_strings][]",
            "No Archive Warnings Apply",
        ),
        ("work[fandom_string]", "Gift Fandom"),
        ("work[chapter_attributes][content]", "<p>Words.</p>"),
        ("post_button", "Post"),
    ];
    fields.extend_from_slice(extra);
    b.submit(server, "/works", &fields)
}

fn id_of(resp: &reqwest::blocking::Response) -> i64 {
    assert_eq!(resp.status(), 303);
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .trim_start_matches("/works/")
        .parse()
        .expect("id")
}

#[test]
fn gifts_from_the_work_form_to_the_recipients_page() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "giver").status(), 303);
    let mut friend = Browser::new();
    assert_eq!(signup(&mut friend, &server, "friend").status(), 303);
    let mut wary = Browser::new();
    assert_eq!(signup(&mut wary, &server, "wary").status(), 303);
    let mut guest = Browser::new();

    // New accounts do not take gifts until they say so.
    let resp = post(
        &mut writer,
        &server,
        "For A Friend",
        &[("work[recipients]", "friend")],
    );
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .expect("body")
            .contains("friend does not accept gifts.")
    );
    let resp = friend.submit(
        &server,
        "/users/friend/preferences",
        &[("allow_gifts", "1"), ("history", "1")],
    );
    assert_eq!(resp.status(), 303);
    let resp = wary.submit(&server, "/users/wary/preferences", &[("allow_gifts", "1")]);
    assert_eq!(resp.status(), 303);
    // ...and never from an account they blocked.
    let resp = wary.submit(
        &server,
        "/users/wary/blocked",
        &[("action", "add"), ("other", "giver")],
    );
    assert_eq!(resp.status(), 303);
    let resp = post(
        &mut writer,
        &server,
        "For A Friend",
        &[("work[recipients]", "wary")],
    );
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .expect("body")
            .contains("wary does not accept gifts from you.")
    );
    let resp = post(
        &mut writer,
        &server,
        "For A Friend",
        &[("work[recipients]", "giver")],
    );
    assert_eq!(resp.status(), 422, "not to yourself");

    // An account and a name that is not one.
    let work = id_of(&post(
        &mut writer,
        &server,
        "For A Friend",
        &[("work[recipients]", "friend, An Old Penpal")],
    ));
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(
        text(&page, "div.notes.module ul.associations li"),
        "For friend, An Old Penpal."
    );
    assert_eq!(
        count(&page, "ul.associations a[href='/users/friend/gifts']"),
        1
    );
    let gifts = guest.page(&server.url("/users/friend/gifts"));
    assert_eq!(text(&gifts, "h2.heading"), "1 Gift for friend");
    assert_eq!(count(&gifts, &format!("li#work_{work}")), 1);
    assert_eq!(count(&gifts, "form.gift"), 0, "only the recipient refuses");
    assert_eq!(
        guest
            .get(&server.url("/users/friend/gifts?refused=true"))
            .status(),
        403
    );

    // An edit keeps the gifts (the form shows them), even once the
    // recipient no longer takes new ones.
    let form = writer.page(&server.url(&format!("/works/{work}/edit")));
    assert_eq!(
        support::attr(&form, "#work_recipients", "value").as_deref(),
        Some("friend, An Old Penpal")
    );
    assert_eq!(
        friend
            .submit(&server, "/users/friend/preferences", &[("history", "1")])
            .status(),
        303
    );
    let pseud =
        support::attr(&form, "input[name='work[pseud_ids][]'][checked]", "value").expect("pseud");
    let resp = writer.submit(
        &server,
        &format!("/works/{work}/edit"),
        &[
            ("work[title]", "For A Friend, Revised"),
            ("work[pseud_ids][]", pseud.as_str()),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Gift Fandom"),
            ("work[chapter_attributes][content]", "<p>Words.</p>"),
            ("work[recipients]", "friend, An Old Penpal"),
            ("post_button", "Update"),
        ],
    );
    assert_eq!(resp.status(), 303, "the gifts it has are kept");
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(
        text(&page, "div.notes.module ul.associations li"),
        "For friend, An Old Penpal."
    );
    assert_eq!(
        friend
            .submit(
                &server,
                "/users/friend/preferences",
                &[("allow_gifts", "1"), ("history", "1")]
            )
            .status(),
        303
    );

    // The recipient refuses: off the page and the work, listed as refused.
    let mine = friend.page(&server.url("/users/friend/gifts"));
    let action = support::attr(&mine, "form.gift", "action").expect("refuse form");
    let resp = friend.submit(&server, &action, &[]);
    assert_eq!(resp.status(), 303);
    let page = friend.page(&server.url("/users/friend/gifts?gift=refused"));
    assert!(text(&page, "div.flash").contains("no longer be listed"));
    assert_eq!(count(&page, &format!("li#work_{work}")), 0);
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(
        text(&page, "div.notes.module ul.associations li"),
        "For An Old Penpal."
    );
    let refused = friend.page(&server.url("/users/friend/gifts?refused=true"));
    assert_eq!(count(&refused, &format!("li#work_{work}")), 1);
    let again = support::attr(&refused, "form.gift", "action").expect("accept form");
    assert_eq!(
        writer.submit(&server, &again, &[]).status(),
        404,
        "not the giver's to accept"
    );
    assert_eq!(friend.submit(&server, &again, &[]).status(), 303);
    let gifts = guest.page(&server.url("/users/friend/gifts"));
    assert_eq!(count(&gifts, &format!("li#work_{work}")), 1);
}

#[test]
fn posting_straight_into_an_unrevealed_collection_tells_nobody_until_the_reveal() {
    let dir = ficus_testkit::temp_dir();
    let server = serve(dir.path());
    let mut keeper = Browser::new();
    assert_eq!(signup(&mut keeper, &server, "keeper").status(), 303);
    let mut writer = Browser::new();
    assert_eq!(signup(&mut writer, &server, "writer").status(), 303);
    let mut fan = Browser::new();
    assert_eq!(signup(&mut fan, &server, "fan").status(), 303);
    let resp = keeper.submit(
        &server,
        "/collections",
        &[
            ("collection[name]", "Secret_Fest"),
            ("collection[title]", "Secret Fest"),
            (
                "collection[collection_preference_attributes][unrevealed]",
                "1",
            ),
            (
                "collection[collection_preference_attributes][anonymous]",
                "1",
            ),
        ],
    );
    assert_eq!(resp.status(), 303);
    // The fan follows the writer.
    let page = fan.page(&server.url("/users/writer/works"));
    let action = support::attr(&page, "li.subscribe form", "action").expect("subscribe form");
    let fields: Vec<(String, String)> = {
        let sel = scraper::Selector::parse("li.subscribe form input[type=hidden]").expect("sel");
        page.select(&sel)
            .filter_map(|i| {
                Some((
                    i.value().attr("name")?.to_string(),
                    i.value().attr("value")?.to_string(),
                ))
            })
            .filter(|(k, _)| k != "authenticity_token")
            .collect()
    };
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(fan.submit(&server, &action, &fields).status(), 303);

    // A name that is no collection refuses the whole form.
    let resp = post(
        &mut writer,
        &server,
        "Secret Entry",
        &[("work[collection_names]", "Secret_Fest, Nowhere")],
    );
    assert_eq!(resp.status(), 422);
    let work = id_of(&post(
        &mut writer,
        &server,
        "Secret Entry",
        &[("work[collection_names]", "Secret_Fest")],
    ));
    assert_eq!(
        Browser::new()
            .get(&server.url(&format!("/works/{work}")))
            .status(),
        404
    );
    // The fan-out runs every 2 s: give it time to (not) tell.
    std::thread::sleep(Duration::from_secs(5));
    let updates = fan.page(&server.url("/users/fan/inbox/updates"));
    assert!(
        !text(&updates, "#main").contains("Secret Entry"),
        "nobody hears of a mystery"
    );
    // The reveal (works and creators) tells them.
    let resp = keeper.submit(
        &server,
        "/collections/Secret_Fest",
        &[
            ("collection[name]", "Secret_Fest"),
            ("collection[title]", "Secret Fest"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let started = std::time::Instant::now();
    loop {
        let updates = fan.page(&server.url("/users/fan/inbox/updates"));
        if text(&updates, "#main").contains("Secret Entry") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "told on reveal"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
